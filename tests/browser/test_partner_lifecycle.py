"""A partner's whole life in ZVT, clicked through the real pages, with the mails sent over real SMTP
on loopback: the covenant process adds a new partner to the register, its contactpersoon asks for
an account by the mailed link, its gemachtigde approves it by another, the new employee chooses a
password and signs in; the partner is then offered in the beoordeling's partner choice. Later the
partner gives notice: on its leaving day its employee's session ends, signing in is refused and
the scheduler's job records why the account is off.

No engine call sets anything up: the people who do the work do it, on the pages they would use.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from playwright.sync_api import Page, expect

from engine import mail_sending, outbox, partner_leaving
from engine.account_state import PARTNER_LEFT
from tests.browser.conftest import choose, field, group, login, logout
from tests.browser.test_walkthrough import fill_aanmelding, finish_task, flash, heading, open_task_from_case
from web.account_texts import REASONS_OFF

NAME, CODE = "Stichting Thuis in de Wijk", "thuis_in_de_wijk"
CONTACT, OFFICER = "contact@thuisindewijk.example", "directie@thuisindewijk.example"
EMPLOYEE, EMPLOYEE_MAIL = "m.bakker", "m.bakker@thuisindewijk.example"
PASSWORD = "een zin die alleen Marit kent"


def _mailer(server, clock, smtp):
    """Send what the outbox holds, as the scheduler's round does; the mails that arrived since the
    last call as (recipient, link path)."""
    settings = outbox.MailSettings(host="127.0.0.1", port=smtp.port, sender="zvt@test.example",
                                   base_url=server.url, timeout=5)
    seen = [0]

    def deliver() -> dict[str, str]:
        mail_sending.send_pending(server.engine.database, settings, clock(), "browser test")
        arrived = smtp.received[seen[0]:]
        seen[0] = len(smtp.received)
        links = {}
        for mail in arrived:
            found = re.search(re.escape(server.url) + r"(/\S+)", mail.text)
            links[mail.recipients[0]] = found.group(1) if found else ""
        return links

    return deliver


def _case_number(page: Page) -> int:
    return int(re.search(r"/casussen/(\d+)$", page.url).group(1))


def test_a_partner_joins_its_employee_gets_an_account_and_loses_it_when_the_partner_leaves(
        live_server, make_page, shots, clock, smtp):
    mails = _mailer(live_server, clock, smtp)
    page = make_page()

    # The teamleider starts the covenant case and invites the new partner; it signs.
    login(page, "teamleider")
    page.goto("/convenant/nieuw")
    choose(page, "Wat verandert er?", "Een nieuwe partner doet mee")
    field(page, "Aanleiding").fill("De stichting begeleidt bewoners thuis en wil meedoen.")
    page.get_by_role("button", name="Convenantzaak starten").click()
    expect(page).to_have_url(re.compile(r"/casussen/\d+$"))
    case = _case_number(page)
    open_task_from_case(page, "Nieuwe partner uitnodigen")
    field(page, "Naam van de organisatie").fill(NAME)
    choose(page, "Grondslag voor het delen van gegevens",
           "AVG artikel 6 lid 1 sub b of f: overeenkomst met de betrokkene of gerechtvaardigd belang")
    field(page, "Eigen taak van de organisatie").fill("Woonbegeleiding van kwetsbare huurders.")
    field(page, "Contactpersoon").fill("J. de Wit")
    field(page, "Contactgegevens").fill(CONTACT)
    field(page, "Uitgenodigd op").fill("2026-11-20")
    finish_task(page, shots, "uitnodigen")
    open_task_from_case(page, "Ondertekening vastleggen")
    choose(page, "Heeft de partner het convenant ondertekend?", "Ja")
    field(page, "Ondertekend op").fill("2026-11-26")
    field(page, "Ondertekend door").fill("De directeur van de stichting")
    finish_task(page, shots, "ondertekend")
    logout(page)

    # The beheerder puts it in the register; its contactpersoon gets the link to ask for accounts.
    login(page, "beheerder")
    page.goto(f"/casussen/{case}")
    open_task_from_case(page, "Partner toevoegen")
    field(page, "Code in het partnerregister").fill(CODE)
    field(page, "Doet mee vanaf").fill("2026-11-27")
    field(page, "Contact functionaris gegevensbescherming (FG)").fill("FG van de stichting: fg@thuisindewijk.example")
    field(page, "Contact verantwoordelijke bij een datalek").fill("Directie: directie@thuisindewijk.example")
    field(page, "Naam contactpersoon").fill("J. de Wit")
    field(page, "E-mailadres contactpersoon").fill(CONTACT)
    field(page, "Naam gemachtigde").fill("A. Directeur")
    field(page, "E-mailadres gemachtigde").fill(OFFICER)
    finish_task(page, shots, "partner-toevoegen")
    page.goto("/beheer/partners")
    expect(page.get_by_role("row", name=re.compile(NAME))).to_contain_text("ja")  # takes part today
    shots.take(page, "partnerregister")
    logout(page)
    invitation = mails()[CONTACT]
    assert invitation.startswith("/account/aanvragen/")

    # The contactpersoon asks for an account for a new employee, without an account of their own.
    page.goto(invitation)
    field(page, "Naam van de medewerker").fill("Marit Bakker")
    field(page, "E-mailadres van de medewerker").fill(EMPLOYEE_MAIL)
    field(page, "Functie").fill("woonbegeleider")
    field(page, "Gebruikersnaam").fill(EMPLOYEE)
    group(page, "Welke rollen heeft de medewerker nodig?").get_by_label(re.compile("^partnermedewerker")).check()
    field(page, "Waarom heeft de medewerker een account nodig?").fill("Werkt mee aan casussen van het team.")
    shots.take(page, "aanvraag")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(heading(page)).not_to_have_text(re.compile("aanvragen", re.I))
    approval = mails()[OFFICER]
    assert approval.startswith("/account/goedkeuren/")

    # The gemachtigde approves; the employee gets the link to choose a password.
    page.goto(approval)
    expect(page.locator("main")).to_contain_text("Marit Bakker")
    shots.take(page, "goedkeuren")
    page.get_by_role("button", name="Goedkeuren").click()
    activation = mails()[EMPLOYEE_MAIL]
    assert activation.startswith("/account/activeren/")
    page.goto(activation)
    field(page, "Wachtwoord").fill(PASSWORD)
    field(page, "Hetzelfde wachtwoord nog een keer").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page).to_have_url(re.compile(r"/inloggen"))

    # The new employee signs in and refers someone; the procesregisseur is offered the new partner.
    page.get_by_label("Gebruikersnaam").fill(EMPLOYEE)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("header")).to_contain_text(NAME)
    page.goto("/aanmelding/nieuw")
    fill_aanmelding(page)
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(flash(page).first).to_contain_text("De aanmelding is verstuurd")
    logout(page)
    login(page, "procesregisseur")
    page.goto("/taken")
    page.get_by_role("link", name="Aanmelding beoordelen").first.click()
    partners = group(page, "Welke partners doen mee?")
    expect(partners.get_by_label(NAME, exact=True)).to_be_visible()
    shots.take(page, "beoordeling-met-nieuwe-partner")
    logout(page)

    # The partner gives notice, with three months' notice.
    login(page, "teamleider")
    page.goto("/convenant/nieuw")
    choose(page, "Wat verandert er?", "Een partner zegt het convenant op")
    field(page, "Aanleiding").fill("De stichting stopt met woonbegeleiding.")
    page.get_by_role("button", name="Convenantzaak starten").click()
    open_task_from_case(page, "Opzegging vastleggen")
    page.get_by_label(re.compile(r"^Welke partner zegt op\?")).select_option(label=NAME)
    field(page, "Opzegging ontvangen op").fill("2026-11-27")
    choose(page, "Stemmen alle andere partners in met directe opzegging?", "Nee")
    finish_task(page, shots, "opzegging")
    logout(page)

    # Late on the day before the leaving day (27 February 2027) the employee signs in and works;
    # a few minutes later, after midnight in Heerenveen, the next click ends the session.
    clock.now = datetime(2027, 2, 26, 22, 55, tzinfo=timezone.utc)  # 23:55 in Heerenveen
    employee = make_page()
    employee.goto("/inloggen")
    employee.get_by_label("Gebruikersnaam").fill(EMPLOYEE)
    employee.get_by_label("Wachtwoord").fill(PASSWORD)
    employee.get_by_role("button", name="Inloggen").click()
    employee.wait_for_url(re.compile(r"/$"))
    employee.goto("/taken")
    expect(heading(employee)).to_have_text("Mijn taken")
    clock.now = datetime(2027, 2, 26, 23, 1, tzinfo=timezone.utc)  # 00:01 on 27 February
    employee.goto("/taken")
    expect(employee).to_have_url(re.compile(r"/inloggen"))
    employee.get_by_label("Gebruikersnaam").fill(EMPLOYEE)
    employee.get_by_label("Wachtwoord").fill(PASSWORD)
    employee.get_by_role("button", name="Inloggen").click()
    expect(employee.get_by_role("alert")).to_contain_text("Uw account is niet actief")
    shots.take(employee, "geweigerd-na-vertrek")
    employee.problems.take_http_errors()  # the refused sign-in may answer with an error status

    # The scheduler's job switches the account off, and the beheerder reads why.
    report = partner_leaving.run(live_server.engine.database, clock())
    assert len(report.switched_off) == 1
    login(page, "beheerder")
    page.goto(f"/beheer/accounts/partner/{CODE}")
    expect(page.get_by_role("row", name=re.compile(EMPLOYEE))).to_contain_text(f"uit: {REASONS_OFF[PARTNER_LEFT]}")
    shots.take(page, "account-uit")
    assert not page.problems, str(page.problems)
    assert not employee.problems, str(employee.problems)
