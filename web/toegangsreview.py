"""Toegangsreview: the gemachtigde's list behind a one-time link (no account, so a public page),
and the beheerder's overview of the reviews per partner, in counts (engine/access_review_lists.py).

The gemachtigde's page is public: the link's token is what lets them in, and it works once, until
the review's deadline. It shows their own organisation's people and roles, never a case."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import NotFound
from engine import access_review_lists as lists
from engine.access_review import OFFICER_CHOICES, CannotResend, ListIncomplete
from engine.one_time_links import LinkInvalid
from engine.roles import ROLE_TITLES

from .areas import engine, signed_in_user
from .auth import public

bp = Blueprint("toegangsreview", __name__)

# What each role may do, in one sentence, so the gemachtigde knows what they confirm.
ROLE_HELP = {"procesregisseur": "Met deze rol leidt iemand de casussen van het team en ziet hij hun gegevens.",
             "partnermedewerker": "Met deze rol werkt iemand mee aan de casussen waar zijn organisatie aan meedoet.",
             "teamleider": "Met deze rol krijgt iemand taken als een termijn voorbij is, en handelt hij klachten af.",
             "proceseigenaar": "Met deze rol past iemand de werkprocessen van ZVT aan.",
             "fg": "Met deze rol houdt iemand toezicht op de privacy en leest hij het toegangslog.",
             "beheerder": "Met deze rol beheert iemand de accounts en kan hij iedereen toegang geven.",
             "manager": "Met deze rol ziet iemand cijfers, zonder gegevens over personen."}
LINK_PROBLEMS = {
    "used": "Deze link werkt niet meer. Hij is al gebruikt (een link werkt maar één keer), of er is daarna een "
            "nieuwe link gestuurd. Gebruik de link uit de laatste e-mail. Wilt u nog iets veranderen? Vraag dan de "
            "beheerder van ZVT om een nieuwe link.",
    "expired": "De termijn van deze toegangsreview is voorbij. Rollen die niet bevestigd waren, zijn vervallen. "
               "Heeft een medewerker zijn rol toch nog nodig? Vraag dan de beheerder van ZVT om die rol opnieuw "
               "te geven.",
    "unknown": "Deze link werkt niet. Misschien is hij niet helemaal goed gekopieerd, of is er later een nieuwe "
               "link gestuurd. Gebruik de link uit de laatste e-mail, of vraag de beheerder van ZVT om een nieuwe.",
}
NOTHING_CHOSEN = "Kies bij minstens één rol: nog nodig, of vervalt. Er is nog niets opgeslagen."


def _link_problem(reason: str):
    return render_template("toegangsreview/link.html", problem=LINK_PROBLEMS.get(reason, LINK_PROBLEMS["unknown"])), \
        410 if reason in ("used", "expired") else 404


@bp.route("/toegangsreview/<token>", methods=["GET", "POST"])
@public
def officer(token: str):
    try:
        page = lists.officer_list(engine(), token)
    except LinkInvalid as exc:
        return _link_problem(exc.reason)
    error, choices = None, {}
    if request.method == "POST":
        on_page = {row.id for row in page.rights if row.decision is None}
        for row_id in on_page:
            value = request.form.get(f"keuze-{row_id}", "")
            if value:
                choices[row_id] = value if value in OFFICER_CHOICES else "onbekend"
        try:
            lists.confirm(engine(), token, choices)
        except LinkInvalid as exc:
            return _link_problem(exc.reason)
        except ListIncomplete:
            error = NOTHING_CHOSEN
        else:
            flash("Dank u wel. Uw keuzes zijn opgeslagen.", "ok")
            return redirect(url_for("toegangsreview.done"))
    return render_template("toegangsreview/gemachtigde.html", page=page, roles=ROLE_TITLES, role_help=ROLE_HELP,
                           error=error, choices=choices), 400 if error else 200


@bp.get("/toegangsreview/klaar")
@public
def done():
    return render_template("toegangsreview/klaar.html")


@bp.get("/beheer/toegangsreview")
def overview():
    if "beheerder" not in signed_in_user().roles:
        abort(403)
    return render_template("toegangsreview/overzicht.html", reviews=lists.overview(engine()))


RESEND_PROBLEMS = {
    "closed": "De termijn van deze review is voorbij. Er is geen link meer verstuurd.",
    "completed": "De gemachtigde heeft de lijst al ingevuld. Er is geen nieuwe link verstuurd.",
    "no_address": "Van de gemachtigde van deze organisatie is geen e-mailadres bekend. Vul dat eerst in bij de "
                  "organisatie, en stuur de link daarna opnieuw.",
}


@bp.post("/beheer/toegangsreview/lijsten/<int:list_id>/opnieuw")
def resend(list_id: int):
    if "beheerder" not in signed_in_user().roles:
        abort(403)
    try:
        lists.resend(engine(), list_id, actor=signed_in_user().username)
    except NotFound:
        abort(404)
    except CannotResend as exc:
        flash(RESEND_PROBLEMS[exc.reason], "error")
    else:
        flash("De gemachtigde krijgt een nieuwe link per e-mail. De oude link werkt niet meer.", "ok")
    return redirect(url_for("toegangsreview.overview"))
