"""The Dutch words of account administration: roles, why an account is off, what happened to it,
and what is wrong with a request or a password. The engine speaks in codes; the pages in these."""
from __future__ import annotations

from collections.abc import Mapping

from engine import account_state

ROLE_LABELS = {
    "procesregisseur": "procesregisseur (regelt de casussen van het team)",
    "partnermedewerker": "partnermedewerker (werkt mee aan casussen van de eigen organisatie)",
    "teamleider": "teamleider (krijgt overschreden termijnen en klachten over de werkwijze)",
    "proceseigenaar": "proceseigenaar (past de processen aan, ziet geen persoonsgegevens)",
    "fg": "functionaris gegevensbescherming, FG (houdt toezicht op privacy, leest het toegangslog)",
    "beheerder": "beheerder (beheert accounts en de techniek, ziet geen casussen)",
    "manager": "manager (jaarlijkse evaluatie en cijfers zonder persoonsgegevens)",
}

REASONS_OFF = {
    account_state.BY_BEHEERDER: "uitgezet door een beheerder",
    account_state.REVIEW_LAPSED: "rechten niet opnieuw bevestigd bij de toegangsreview",
    account_state.PARTNER_LEFT: "de organisatie doet niet meer mee aan het convenant",
    account_state.AWAITING_APPROVAL: "wacht op de goedkeuring van de gemachtigde",
    account_state.REFUSED_BY_OFFICER: "afgewezen door de gemachtigde",
}

_ACTIONS = {
    "aangevraagd": "Aangevraagd",
    "goedgekeurd": "Goedgekeurd door de gemachtigde",
    "geweigerd": "Afgewezen door de gemachtigde",
    "activatielink_verstuurd": "Link om een wachtwoord te kiezen verstuurd",
    "wachtwoordlink_verstuurd": "Link voor een nieuw wachtwoord verstuurd",
    "tweestaplink_verstuurd": "Link voor nieuwe tweestapsverificatie verstuurd",
    "wachtwoord_ingesteld": "Eerste wachtwoord gekozen",
    "wachtwoord_hersteld": "Nieuw wachtwoord gekozen",
    "tweestap_hersteld": "Tweestapsverificatie opnieuw ingesteld",
    "rol_ingetrokken": "Rol ingetrokken",
    "gedeactiveerd": "Uitgezet",
    "noodtoegang": "Noodtoegang op de server (break-glass)",
    "sso_gekoppeld": "Gekoppeld aan het account bij de eigen organisatie (inloggen via de organisatie)",
    "sso_ontkoppeld": "Koppeling met het account bij de eigen organisatie opgeheven",
    # engine/api_clients.py: an account that a system of the partner uses through the API, with a key
    "api_koppeling_aangemaakt": "Gemaakt voor een systeem van de partner dat de API gebruikt (met een sleutel, "
                                "zonder wachtwoord)",
    "api_sleutel_vernieuwd": "Nieuwe sleutel voor de API gemaakt; de oude werkt niet meer",
    "api_sleutel_ingetrokken": "Sleutel voor de API ingetrokken",
}

# Why an account could not be linked to a person at its organisation's provider (engine/sso.py LinkRefused).
SSO_LINK_PROBLEMS = {
    "empty": "Vul de code in die de medewerker zag.",
    "too_long": "Deze code is te lang. Kopieer alleen de code, zonder de tekst eromheen.",
    "taken": "Deze code hoort al bij het account {username}. Eén persoon heeft één account. Heft u eerst die "
             "koppeling op als die niet klopt.",
}

_KINDS = {"nieuw": "nieuw account", "rol": "extra rol", "heractiveren": "account weer aanzetten",
          "koppeling": "nieuwe API-koppeling: een systeem van de organisatie dat met ZVT praat"}

_REQUEST_PROBLEMS = {
    ("display_name", "missing"): "Vul de naam van de medewerker in.",
    ("email", "missing"): "Vul het e-mailadres van de medewerker in.",
    ("email", "shape"): "Dit is geen e-mailadres. Een e-mailadres ziet eruit als naam@organisatie.nl.",
    ("function", "missing"): "Vul de functie van de medewerker in, bijvoorbeeld: wijkconsulent.",
    ("username", "missing"): "Kies een gebruikersnaam.",
    ("username", "shape"): "Een gebruikersnaam heeft 3 tot 64 tekens: kleine letters, cijfers, punt, streepje of "
                           "liggend streepje. Bijvoorbeeld: j.jansen.",
    ("username", "taken"): "Deze gebruikersnaam bestaat al of is al aangevraagd. Kies een andere.",
    ("roles", "missing"): "Kies minstens één rol.",
    ("roles", "unknown"): "Kies alleen rollen uit de lijst.",
    ("reason", "missing"): "Schrijf op waarom de medewerker dit nodig heeft.",
    ("reason", "too_long"): "Gebruik hoogstens 1000 tekens voor de reden.",
    ("partner", "missing"): "Kies de organisatie van de medewerker.",
    ("partner", "unknown"): "Kies een organisatie uit de lijst.",
    ("partner", "not_taking_part"): "Deze organisatie doet nu niet mee aan het convenant.",
    ("partner", "no_officer"): "Voor deze organisatie staat geen gemachtigde in het partnerregister. Die moet de "
                               "aanvraag goedkeuren. Vraag de beheerder om de gemachtigde in te vullen.",
    ("account", "not_allowed"): "Dit account staat al aan.",
}
_TOO_LONG = "Gebruik hoogstens 255 tekens."

PASSWORD_PROBLEMS = {
    "short": "Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden is makkelijk te onthouden.",
    "long": "Dit wachtwoord is te lang. Gebruik hoogstens 1024 tekens.",
    "mismatch": "De twee wachtwoorden zijn niet gelijk. Typ hetzelfde wachtwoord twee keer.",
    "like_name": "Kies een wachtwoord dat niet uw gebruikersnaam of e-mailadres is.",
    "repeated": "Kies een wachtwoord met meer verschillende tekens.",
    "wrong": "Dit wachtwoord klopt niet.",
}

LINK_PROBLEMS = {
    "unknown": "Deze link werkt niet. Misschien is hij niet helemaal overgenomen uit de e-mail, of is er een nieuwere "
               "link verstuurd.",
    "used": "Deze link is al gebruikt. Een link werkt maar één keer.",
    "expired": "Deze link is verlopen.",
}


def request_problems(problems: dict[str, str]) -> dict[str, str]:
    """Dutch messages by form field for the engine's problem codes."""
    return {field: _REQUEST_PROBLEMS.get((field, code), _TOO_LONG if code == "too_long" else "Dit klopt niet.")
            for field, code in problems.items()}


def request_kind(kind: str) -> str:
    return _KINDS.get(kind, kind)


def actor_text(actor: str, names: Mapping[str, str] | None = None) -> str:
    """Who acted, in words: a username as it is, the gemachtigde or contactpersoon of a partner
    (by its name in `names`, the register's, else its code)."""
    who, _, partner = actor.partition(":")
    name = (names or {}).get(partner, partner)
    if who == "gemachtigde" and partner:
        return f"de gemachtigde van {name}"
    if who == "contactpersoon" and partner:
        return f"de contactpersoon van {name}"
    if actor == account_state.SYSTEM:
        return "het systeem"
    if actor == account_state.CLI_ACTOR:
        return "een beheerder, op de server"
    return actor


def event_text(event) -> str:
    """One line of an account's record: what happened, with the details that matter."""
    detail = event.detail or {}
    parts = [_ACTIONS.get(event.action, event.action)]
    if detail.get("soort"):
        parts.append(f"({request_kind(detail['soort'])})")
    if detail.get("rollen"):
        parts.append("rollen: " + ", ".join(detail["rollen"]))
    if detail.get("rol"):
        parts.append(f"rol: {detail['rol']}")
    if detail.get("via") == "e-mail":
        parts.append("via het e-mailadres, bij de eerste keer inloggen")
    if detail.get("reden") in REASONS_OFF:
        parts.append(f"reden: {REASONS_OFF[detail['reden']]}")
    elif detail.get("reden"):
        parts.append(f"reden: {detail['reden']}")
    if detail.get("gemachtigde") or detail.get("email"):
        parts.append(f"gemachtigde: {detail.get('gemachtigde') or ''} {detail.get('email') or ''}".rstrip())
    return "; ".join([parts[0] + (" " + parts[1] if len(parts) > 1 and parts[1].startswith("(") else "")]
                     + [p for p in parts[1:] if not p.startswith("(")])
