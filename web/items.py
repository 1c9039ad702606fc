"""Gegevens in een casus: a partner brings in an item (after its grondslag), the procesregisseur
shares items per partner with a reason, the police record consent and decide on ad-hoc
partners, and the FG reads the register of disclosures. The rules are the engine's
(engine/case_items.py, engine/sharing.py, engine/item_policy.py); this module asks and says it
in Dutch."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import case_items, casework, participation, policy, sharing
from engine.item_policy import rules

from .areas import engine, origin, signed_in_user

bp = Blueprint("items", __name__)

# The engine's reason codes, per field, in Dutch.
MESSAGES = {
    "required": "Vul dit in.",
    "too_long": "Dit is te lang. Maak het korter.",
    "police_only": "Alleen de politie kiest deze soort.",
    "missing": "Leg eerst de grondslag van uw organisatie vast.",
    "future": "Deze datum ligt in de toekomst. Vul de datum in waarop de toestemming gegeven is.",
    "not_a_date": "Vul een datum in, bijvoorbeeld 26-11-2026.",
    "no_consent_needed": "Voor dit gegeven is geen toestemming nodig.",
    "forbidden": "Dit gegeven mag niet naar deze partner.",
    "reason_required": "Schrijf op waarom deze partner dit gegeven nodig heeft.",
    "not_a_choice": "Deze partner doet niet (meer) mee of het gegeven bestaat niet meer.",
    # engine/informing.py: a new share waits until the betrokkene heard of the partner (AVG art. 14 lid 3 c).
    "not_informed": "Dit kan nog niet. De betrokkene is nog niet geïnformeerd. Alleen voor een crisis mag het eerder.",
    "not_told": "Dit kan nog niet. De betrokkene heeft nog niet gehoord dat deze partner gegevens krijgt. "
                "Alleen voor een crisis mag het eerder.",
}
FIELD_MESSAGES = {  # where the field itself changes the words
    ("beroepsgeheim", "required"): "Kies op welke grond u uw beroepsgeheim doorbreekt.",
    ("afweging", "required"): "Schrijf op wie de afweging maakte en waarom zwijgen hier ernstige schade zou geven.",
    ("soort", "required"): "Kies wat voor gegeven dit is.",
    ("doel", "required"): "Kies waarvoor de partners de gegevens krijgen.",
    ("verteld_op", "future"): "Deze datum ligt in de toekomst. Vul de dag in waarop u het de betrokkene vertelde.",
    ("getekend_op", "future"): "Deze datum ligt in de toekomst. Vul de dag in waarop de verklaring getekend is.",
}


def errors_of(exc: case_items.InvalidItem) -> dict[str, str]:
    return {field: FIELD_MESSAGES.get((field, code), MESSAGES.get(code, "Dit klopt niet.")) for field, code
            in exc.problems.items()}


@bp.get("/casussen/<casus:number>/gegevens/nieuw")
def new(number: int):
    return _new_page(number)


@bp.post("/casussen/<casus:number>/gegevens/grondslag")
def basis(number: int):
    try:
        case_items.record_basis(engine(), signed_in_user(), number, request.form.get("grondslag", ""),
                                request.form.get("beroepsgeheim"), request.form.get("afweging"), origin())
    except case_items.InvalidItem as exc:
        return _new_page(number, basis_errors=errors_of(exc), status=400)
    flash("De grondslag van uw organisatie is vastgelegd.", "ok")
    return redirect(url_for("items.new", number=number))


@bp.post("/casussen/<casus:number>/gegevens/nieuw")
def add(number: int):
    try:
        case_items.add_item(engine(), signed_in_user(), number, request.form.get("soort", ""),
                            request.form.get("onderwerp", ""), request.form.get("tekst", ""), origin())
    except case_items.InvalidItem as exc:
        return _new_page(number, item_errors=errors_of(exc), status=400)
    flash("Het gegeven staat in de casus. Andere partners zien het pas als de procesregisseur het met hen deelt.", "ok")
    return redirect(url_for("cases.show", number=number, _anchor="kop-gegevens"))


@bp.get("/casussen/<casus:number>/gegevens/delen")
def share_page(number: int):
    return _share_page(number)


@bp.post("/casussen/<casus:number>/gegevens/delen")
def share(number: int):
    choices = sharing.choices(engine(), signed_in_user(), number, origin())
    decisions: dict[tuple[int, str], str | None] = {}
    for choice in choices:
        key = f"{choice.item_id}-{choice.partner}"
        if request.form.get(f"delen-{key}"):
            decisions[choice.item_id, choice.partner] = request.form.get(f"reden-{key}", "")
        elif choice.reason is not None:
            decisions[choice.item_id, choice.partner] = None
    try:
        changed = sharing.decide(engine(), signed_in_user(), number, decisions, request.form.get("doel", ""), origin())
    except case_items.InvalidItem as exc:
        return _share_page(number, errors=errors_of(exc), status=400)
    flash(f"Het delen is vastgelegd ({changed} {'wijziging' if changed == 1 else 'wijzigingen'}). Elke keer delen staat "
          "in het register van verstrekkingen." if changed else "Er is niets veranderd.", "ok" if changed else "info")
    return redirect(url_for("cases.show", number=number, _anchor="kop-gegevens"))


@bp.get("/casussen/<casus:number>/gegevens/<int:item_id>/politie")
def police_page(number: int, item_id: int):
    return _police_page(number, item_id)


@bp.post("/casussen/<casus:number>/gegevens/<int:item_id>/toestemming")
def consent(number: int, item_id: int):
    try:
        case_items.record_consent(engine(), signed_in_user(), item_id, request.form.get("functionaris", ""),
                                  request.form.get("functie", ""), request.form.get("datum", ""), origin())
    except case_items.InvalidItem as exc:
        return _police_page(number, item_id, consent_errors=errors_of(exc), status=400)
    flash("De toestemming is vastgelegd. De procesregisseur kan het gegeven nu zien en delen.", "ok")
    return redirect(url_for("cases.show", number=number, _anchor="kop-gegevens"))


@bp.post("/casussen/<casus:number>/gegevens/<int:item_id>/adhoc")
def adhoc(number: int, item_id: int):
    try:
        case_items.allow_adhoc(engine(), signed_in_user(), item_id, request.form.get("reden", ""), origin())
    except case_items.InvalidItem as exc:
        return _police_page(number, item_id, adhoc_errors=errors_of(exc), status=400)
    flash("Het besluit is vastgelegd: de procesregisseur mag dit gegeven nu ook delen met ad-hocpartners.", "ok")
    return redirect(url_for("cases.show", number=number, _anchor="kop-gegevens"))


@bp.get("/verstrekkingen")
def register():
    raw_case = request.args.get("casus", "").strip()
    case = int(raw_case) if raw_case.isdigit() and 0 < len(raw_case) <= 9 else None
    error = "Vul een casusnummer in, alleen cijfers, bijvoorbeeld 12." if raw_case and case is None else None
    page = request.args.get("pagina", "1")
    found = None if error else sharing.register(engine(), signed_in_user(), origin(), case,
                                                int(page) if page.isdigit() else 1)
    if error and not policy.may_audit_access(signed_in_user()):
        raise casework.Forbidden("only an FG reads the register of disclosures")
    return render_template("items/register.html", found=found, case=raw_case, error=error,
                           names=casework.partner_names(engine()), purposes=rules().purposes,
                           page_url=_register_page_url), 400 if error else 200


def _register_page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["pagina"] = str(page)
    return url_for("items.register", **args)


def _new_page(number: int, *, basis_errors=None, item_errors=None, status: int = 200):
    page = case_items.for_case(engine(), signed_in_user(), number, origin())
    if not page.may_add:
        raise casework.Forbidden("only casework staff taking part add to a running case")
    user = signed_in_user()
    names = casework.partner_names(engine())
    return render_template("items/new.html", number=number, page=page, rules=rules(), form=request.form,
                           basis_errors=basis_errors or {}, item_errors=item_errors or {},
                           partner_name=names.get(user.partner, user.partner),
                           default_grondslag=case_items.partner_grondslag(engine(), user.partner),
                           has_secrecy=user.partner in rules().secrecy_partners,
                           secrecy_options=[(code, label, None) for code, (label, _) in rules().secrecy_bases.items()],
                           kind_options=[(k.code, k.label, k.explanation) for k in page.kinds]), status


def _share_page(number: int, *, errors=None, status: int = 200):
    choices = sharing.choices(engine(), signed_in_user(), number, origin())
    page = case_items.for_case(engine(), signed_in_user(), number, origin())
    by_item: dict[int, list] = {}
    for choice in choices:
        by_item.setdefault(choice.item_id, []).append(choice)
    first = [label for code, label in rules().purposes.items() if code in rules().before_informing]
    return render_template("items/share.html", number=number, items=[i for i in page.items if i.id in by_item],
                           choices=by_item, names=casework.partner_names(engine()), rules=rules(),
                           first_purposes=first, waiting_any=any(c.waiting for c in choices),
                           adhoc={code for code, _ in participation.adhoc_candidates(engine())},
                           errors=errors or {}, form=request.form if errors else None), status


def _police_page(number: int, item_id: int, *, consent_errors=None, adhoc_errors=None, status: int = 200):
    page = case_items.for_case(engine(), signed_in_user(), number, origin())
    item = next((i for i in page.items if i.id == item_id), None)
    if item is None or not page.is_police or not item.kind.police:
        raise casework.Forbidden("only the police decide on police data")
    return render_template("items/police.html", number=number, item=item, form=request.form,
                           consent_errors=consent_errors or {}, adhoc_errors=adhoc_errors or {}), status

