"""Error pages in Dutch, one template for all; the engine's domain errors become 403/404/409.

An error page shows a fixed text for its status and nothing else: no exception message,
no stack trace, nothing a person typed. What went wrong goes to the log.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from engine import logsafe
from engine.casework import Forbidden
from engine.errors import Conflict, NotFound, TaskAlreadyCompleted, TaskClosedByDeadline, WorkflowFailed

from .api import problems
from .input import ControlCharacters

log = logging.getLogger(__name__)

# status -> (heading, explanation), B1 Dutch.
PAGES = {
    400: ("Dit verzoek klopt niet", "Er ging iets mis met wat uw browser stuurde. Ga terug en probeer het opnieuw."),
    403: ("Geen toegang", "U mag deze pagina niet zien. Denkt u dat dit niet klopt? "
                          "Vraag het de beheerder van uw organisatie."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina."),
    405: ("Dit kan zo niet", "Deze pagina werkt niet op deze manier. Ga terug en gebruik de knoppen op de pagina."),
    409: ("Iemand was u voor", "Iemand anders veranderde deze casus op hetzelfde moment. Wat u net deed is niet "
                               "opgeslagen. Laad de pagina opnieuw en kijk of het nog nodig is."),
    413: ("Te groot", "Wat u wilde versturen is te groot. Maak het kleiner en probeer het opnieuw."),
    429: ("Te veel pogingen", "U heeft het te vaak geprobeerd. Wacht even en probeer het dan opnieuw."),
    503: ("Even niet beschikbaar", "Het systeem reageert nu niet op tijd. Probeer het zo opnieuw. "
                                   "Kijk daarna of wat u deed is bewaard."),
    500: ("Er ging iets mis", "Er ging bij ons iets mis. Probeer het later nog een keer. Blijft het misgaan? "
                              "Neem dan contact op met de beheerder."),
}
CSRF_PAGE = ("Formulier verlopen", "Het formulier is verlopen of niet compleet. Laad de pagina opnieuw "
                                   "en probeer het nog een keer.")
# Seconds a browser or proxy is told to wait after a 503: about how long a lock or a short
# network hiccup lasts.
RETRY_AFTER_SECONDS = 10
CONTROL_CHARACTERS_PAGE = ("Dit verzoek klopt niet", "Er stond een teken in wat u stuurde dat niet kan, bijvoorbeeld "
                           "een onzichtbaar teken uit een gekopieerde tekst. Er is niets opgeslagen. Ga terug, "
                           "haal het teken weg en probeer het opnieuw.")
# A script, condition or DMN table of the process failed or ran too long (engine/budget.py):
# the process model needs a fix, not the caseworker's input.
WORKFLOW_PAGE = ("Het proces kon niet verder", "Bij deze stap ging iets mis in het proces zelf, niet in wat u "
                                               "invulde. Er is niets opgeslagen. Meld het aan de beheerder, met "
                                               "het nummer van de casus. Probeer het later nog een keer.")
# Only when the history says a colleague completed the task: completing it oneself a second
# time (a double click, the back button) is no conflict (web/tasks.py).
COMPLETED_BY_COLLEAGUE_PAGE = ("Taak al afgerond", "Iemand anders heeft deze taak al afgerond. "
                                                   "Wat u invulde is niet opgeslagen.")
# The task was closed without anyone completing it: its deadline path was taken or the case stopped.
TASK_CLOSED_PAGE = ("Taak gesloten", "Deze taak is al gesloten, bijvoorbeeld omdat de termijn verliep of de "
                                     "casus is gestopt. Wat u invulde is niet opgeslagen.")
DEADLINE_PAGE = ("Taak gesloten", "De termijn van deze taak is verlopen. De taak is daarom al gesloten. "
                                  "Wat u invulde is niet opgeslagen.")


def render_error(status: int, heading: str | None = None, explanation: str | None = None):
    if problems.is_api_request():
        # What the app refuses before the API's own views run (no route, a method it does not take,
        # too large, a control character, the database too slow): a problem document, not a page.
        return problems.for_status(status)
    default_heading, default_explanation = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    return render_template("error.html", status=status, heading=heading or default_heading,
                           explanation=explanation or default_explanation), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        log.info("CSRF check failed: %s", exc.description)
        return render_error(400, *CSRF_PAGE)

    @app.errorhandler(ControlCharacters)
    def control_characters(exc: ControlCharacters):
        return render_error(400, *CONTROL_CHARACTERS_PAGE)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        response = render_error(status)
        # Keep what the exception knows about the response (Allow for 405, Retry-After for 429).
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        return response[0], status, headers

    @app.errorhandler(Forbidden)
    def forbidden(exc: Forbidden):
        return render_error(403)

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return render_error(404)

    @app.errorhandler(TaskClosedByDeadline)
    def closed_by_deadline(exc: TaskClosedByDeadline):
        return render_error(409, *DEADLINE_PAGE)

    @app.errorhandler(WorkflowFailed)
    def workflow_failed(exc: WorkflowFailed):
        # engine/steps.py logged where it failed, without the error's text.
        return render_error(500, *WORKFLOW_PAGE)

    @app.errorhandler(TaskAlreadyCompleted)
    def already_completed(exc: TaskAlreadyCompleted):
        return render_error(409, *COMPLETED_BY_COLLEAGUE_PAGE)

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict):
        return render_error(409)

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        # Flask would log the exception with its text, which may quote what was typed
        # (engine/logsafe.py): the kinds and the frames are logged instead.
        where = f"{request.method} {request.url_rule.rule if request.url_rule else '?'}"
        if logsafe.unavailable(exc):
            # A timeout or a lost connection: the request was rolled back; one line is enough.
            log.warning("database unavailable or too slow on %s: %s", where, logsafe.describe(exc))
            body, status = render_error(503)
            return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        log.error("database error on %s:\n%s", where, logsafe.frames(exc))
        return render_error(500)
