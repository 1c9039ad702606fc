"""The case page: the person, whether they were informed, niveau, partners, the partners' data
items the reader may see, open tasks, the dossier of every step and the diagram; pausing and
resuming the case's deadlines; a partner opting out or back in, an ad-hoc partner admitted."""
from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import (
    Conflict,
    DeadlinesAlreadyPaused,
    DeadlinesNotPaused,
    ReasonRequired,
    case_items,
    casework,
    feedback,
    participation,
)
from engine.item_policy import rules
from engine.ui_schema import FEEDBACK, per_process

from . import dossier, reasons
from .areas import engine, now, origin, signed_in_user, time_left
from .forms.schema import options_of
from .items import errors_of

bp = Blueprint("cases", __name__)

REASON_MISSING = "Vul een reden in: waarom staan de termijnen stil?"
CHANGED_MEANWHILE = "Dit kon niet: de casus is net veranderd of loopt niet meer. Bekijk de casus en probeer het opnieuw."



@bp.get("/casussen/<casus:number>")
def show(number: int):
    try:
        return _page(number)
    except casework.FeedbackOnly:
        # The terugkoppeling mail links here: whoever may read only that is sent to it, not refused.
        return redirect(url_for("cases.feedback_page", number=number))


@bp.get("/casussen/<casus:number>/terugkoppeling")
def feedback_page(number: int):
    page = feedback.read_feedback(engine(), signed_in_user(), number, origin())
    return render_template("feedback.html", page=page,
                           decision=feedback_decision(page.process_id, page.forms, page.feedback))


def feedback_decision(process_id: str, forms: Mapping[str, dict], told: object) -> str | None:
    """The decision in a terugkoppeling, in the words of the choice on the form that made it."""
    if not isinstance(told, dict) or not told:
        return None
    form, field = per_process(forms, process_id, FEEDBACK) or ("", "")
    prop = ((forms.get(f"{process_id}/{form}") or {}).get("properties") or {}).get(field) or {}
    return dict(options_of(prop) or []).get(told.get("besluit"), told.get("besluit"))


@bp.post("/casussen/<casus:number>/termijnen/pauzeren")
def pause(number: int):
    reason = request.form.get("reden", "")
    if reasons.problem(reason, REASON_MISSING) == reasons.TOO_LONG:  # an empty one: the engine says so
        return _page(number, pause_error=reasons.TOO_LONG, status=400)
    try:
        casework.pause_deadlines(engine(), signed_in_user(), number, reason, origin())
    except ReasonRequired:
        return _page(number, pause_error=REASON_MISSING, status=400)
    except DeadlinesAlreadyPaused:
        flash("De termijnen stonden al stil. Er is niets veranderd.", "info")
    except Conflict:
        flash(CHANGED_MEANWHILE, "error")
    else:
        flash("De termijnen staan nu stil. Ze lopen pas weer als u op ‘Termijnen weer laten lopen’ klikt.", "ok")
    return redirect(url_for("cases.show", number=number))


@bp.post("/casussen/<casus:number>/termijnen/hervatten")
def resume(number: int):
    try:
        stood_still = casework.resume_deadlines(engine(), signed_in_user(), number, origin())
    except DeadlinesNotPaused:
        flash("De termijnen liepen al. Er is niets veranderd.", "info")
    except Conflict:
        flash(CHANGED_MEANWHILE, "error")
    else:
        flash(f"De termijnen lopen weer. Ze zijn {time_left(stood_still)} later komen te liggen.", "ok")
    return redirect(url_for("cases.show", number=number))


@bp.post("/casussen/<casus:number>/afmelden")
def opt_out(number: int):
    try:
        participation.opt_out(engine(), signed_in_user(), number, request.form.get("reden", ""), origin())
    except case_items.InvalidItem as exc:
        return _page(number, participation_errors=errors_of(exc), status=400)
    flash(f"Uw organisatie doet niet meer mee aan casus {number}. U ziet de casus niet meer. Weer meedoen kan "
          "onder Casussen.", "ok")
    return redirect(url_for("caselist.index"))


@bp.post("/casussen/<casus:number>/weer-meedoen")
def opt_in(number: int):
    participation.opt_in(engine(), signed_in_user(), number, origin())
    flash(f"Uw organisatie doet weer mee aan casus {number}, zolang het team haar bij de privacycheck kiest.", "ok")
    return redirect(url_for("caselist.index"))


@bp.post("/casussen/<casus:number>/ad-hocpartner")
def admit(number: int):
    form = request.form
    try:
        participation.admit_adhoc(engine(), signed_in_user(), number, form.get("partner", ""), form.get("getekend_door", ""),
                                  form.get("getekend_op", ""), form.get("document", ""), origin())
    except case_items.InvalidItem as exc:
        return _page(number, participation_errors=errors_of(exc), status=400)
    flash("De ad-hocpartner doet nu mee aan deze casus. Politiegegevens krijgt die alleen als de politie dat besluit.",
          "ok")
    return redirect(url_for("cases.show", number=number, _anchor="kop-partners"))


@bp.post("/casussen/<casus:number>/ad-hocpartner/geinformeerd")
def told(number: int):
    form = request.form
    try:
        participation.record_told(engine(), signed_in_user(), number, form.get("partner", ""),
                                  form.get("verteld_op", ""), form.get("hoe", ""), origin())
    except case_items.InvalidItem as exc:
        return _page(number, participation_errors=errors_of(exc), status=400)
    flash("Vastgelegd dat de betrokkene dit weet. U kunt nu gegevens met deze ad-hocpartner delen.", "ok")
    return redirect(url_for("cases.show", number=number, _anchor="kop-partners"))


def _page(number: int, *, pause_error: str | None = None, participation_errors=None, status: int = 200):
    page = casework.view_case(engine(), signed_in_user(), number, origin())
    items = case_items.for_case(engine(), signed_in_user(), number, origin())
    names = casework.partner_names(engine())
    finished = sorted({h.bpmn_id for h in page.history if h.task_type not in dossier.CASE_STEPS})
    active = sorted({t.bpmn_id for t in page.open_tasks})
    order = request.args.get("volgorde")
    order = order if order in dossier.ORDERS else "nieuwste"
    return render_template(
        "case.html", page=page, names=names, moment=now(), items=items, wpg_notice=rules().wpg_notice,
        taking_part=participation.history(engine(), number), adhoc_candidates=_adhoc_candidates(page, items),
        untold_adhoc=participation.untold_adhoc(engine(), number) if items.may_share else [],
        participation_errors=participation_errors or {}, form=request.form,
        summary=dossier.summary(page.instance.process_id, page.instance.data, page.forms),
        steps=dossier.steps(page.history, page.forms, order), order=order, orders=dossier.ORDERS,
        informing=dossier.informing(page.instance.process_id, page.history, page.forms),
        has_plan=dossier.latest_plan(page.instance.process_id, page.history, page.forms) is not None,
        told=feedback_decision(page.instance.process_id, page.forms, page.instance.data.get(feedback.FEEDBACK_KEY)),
        markers=json.dumps({"finished": finished, "active": active}),
        pause_error=pause_error, reason_max=reasons.MAX_LENGTH, reason_value=request.form.get("reden", "") if pause_error else "",
    ), status


def _adhoc_candidates(page, items) -> list[tuple[str, str]]:
    """The ad-hoc partners the procesregisseur may admit here: those not taking part yet."""
    if not items.may_share:
        return []
    return [(code, name) for code, name in participation.adhoc_candidates(engine()) if code not in page.participants]
