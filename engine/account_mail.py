"""The mails of account administration, written to the outbox in the caller's transaction.

People who cannot sign in (yet) are reached by a one-time link (engine/one_time_links.py): a
partner's contactpersoon, its gemachtigde, a new employee, someone whose password or second factor
is reset. Such a link opens something, so its row in `outbox` holds it only until it is sent
(engine/mail_sending.py empties the link of these kinds then). No mail names the person an account
is for: the page behind the link does, as the outbox's other mails leave names to the page.
"""
from __future__ import annotations

from datetime import datetime

from .db import OutboxMail

INVITATION = "account_uitnodiging"  # to a partner's contactpersoon: ask for accounts
APPROVAL = "account_goedkeuren"  # to a partner's gemachtigde: approve or refuse a request
ACTIVATION = "account_activeren"  # to the new employee: set a first password
PASSWORD_RESET = "wachtwoord_herstel"
TOTP_RESET = "tweestap_herstel"
PRIVILEGED = "bevoegdheid"  # to the other beheerders: an account got a privileged role
REVIEW = "toegangsreview"  # to a partner's gemachtigde: its access review (engine/access_review.py)

# Kinds whose link works once and opens something: never kept after sending.
SECRET_LINK_KINDS = frozenset({INVITATION, APPROVAL, ACTIVATION, PASSWORD_RESET, TOTP_RESET, REVIEW})

# {partner}: the partner's name; {hours}: how long the link works.
_TEXTS = {
    INVITATION: ("ZVT: accounts aanvragen voor {partner}",
                 "U staat in het partnerregister van het zorg- en veiligheidsteam als contactpersoon van "
                 "{partner}. Met de link hieronder vraagt u een account aan voor een medewerker van {partner}.\n\n"
                 "De link werkt één keer en {hours} uur lang. De gemachtigde van {partner} keurt elke aanvraag goed "
                 "of af."),
    APPROVAL: ("ZVT: aanvraag voor {partner} goedkeuren",
               "U staat in het partnerregister van het zorg- en veiligheidsteam als gemachtigde van {partner}: "
               "u beslist wie van {partner} toegang krijgt. Er is een aanvraag voor een account of een rol.\n\n"
               "Bekijk de aanvraag met de link hieronder en keur hem goed of af. "
               "De link werkt één keer en {hours} uur lang."),
    ACTIVATION: ("ZVT: uw account is klaar",
                 "Er is voor u een account gemaakt in ZVT, het systeem van het zorg- en veiligheidsteam. "
                 "De gemachtigde van {partner} heeft dat goedgekeurd.\n\n"
                 "Kies uw wachtwoord met de link hieronder. De link werkt één keer en {hours} uur lang."),
    PASSWORD_RESET: ("ZVT: nieuw wachtwoord kiezen",
                     "De beheerder van ZVT heeft een link gestuurd om een nieuw wachtwoord te kiezen. "
                     "Heeft u daar niet om gevraagd? Neem dan contact op met de beheerder.\n\n"
                     "De link werkt één keer en {hours} uur lang."),
    TOTP_RESET: ("ZVT: tweestapsverificatie opnieuw instellen",
                 "De beheerder van ZVT heeft een link gestuurd om de tweestapsverificatie opnieuw in te stellen, "
                 "bijvoorbeeld op een nieuwe telefoon. U heeft uw wachtwoord daarbij nodig. "
                 "Heeft u daar niet om gevraagd? Neem dan contact op met de beheerder.\n\n"
                 "De link werkt één keer en {hours} uur lang."),
}


def link_mail(session, kind: str, recipient: str, link: str, now: datetime, *, partner: str, hours: int) -> None:
    subject, body = _TEXTS[kind]
    session.add(OutboxMail(kind=kind, recipient=recipient.strip(), subject=subject.format(partner=partner),
                           body=body.format(partner=partner, hours=hours), link=link, created_at=now, attempts=0))


def privileged_mail(session, recipients: list[str], username: str, partner: str, roles: list[str],
                    actor: str, account_id: int, now: datetime) -> None:
    """Tell the other beheerders that an account got a privileged role, so a grant nobody expected
    is seen (a beheerder could otherwise make a second beheerder unnoticed)."""
    subject = f"ZVT: account {username} kreeg een bevoegde rol"
    body = (f"Het account {username} van {partner} heeft nu de rol {', '.join(roles)}. "
            f"Dit is gedaan door: {actor}.\n\n"
            "U krijgt dit bericht omdat u beheerder bent. Klopt dit niet? Zet het account dan meteen uit "
            "en neem contact op met de gemachtigde van de partner.\n\nBekijk het account met de link hieronder. "
            "U logt eerst in.")
    seen = set()
    for address in recipients:
        if address.strip().casefold() in seen:
            continue
        seen.add(address.strip().casefold())
        session.add(OutboxMail(kind=PRIVILEGED, recipient=address.strip(), subject=subject, body=body,
                               link=f"/beheer/accounts/account/{account_id}", created_at=now, attempts=0))
