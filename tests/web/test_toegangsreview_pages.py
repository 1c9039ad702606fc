"""Toegangsreview through the pages, on the demo data and a fixed clock: the gemachtigde answers by
the link in their mail without an account, a right left open lapses at the deadline and ends its
holder's live session, and the beheerder follows the review per organisation in counts."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.account_state import REVIEW_LAPSED, SYSTEM, officer_actor
from engine.db import Account, AccountEvent, OutboxMail, Partner
from tests.processes.conftest import FORMS, PROCESSES
from tests.web.conftest import AuthActions, client_for
from web.auth import MESSAGES

K1_2027 = datetime(2027, 1, 4, 8, 0, tzinfo=timezone.utc)
TERMIJN = datetime(2027, 1, 18, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def review(engine, clock, tmp_path):
    """The real toegangsreview, started on 4 January 2027 over the demo accounts."""
    (tmp_path / "processes").mkdir()
    shutil.copy(PROCESSES / "toegangsreview.bpmn", tmp_path / "processes")
    shutil.copytree(FORMS / "toegangsreview", tmp_path / "forms" / "toegangsreview")
    engine.deploy(tmp_path / "processes", tmp_path / "forms")
    clock.now = K1_2027
    assert engine.fire_due_timers() == 1


def link(engine, partner: str) -> str:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalars(select(OutboxMail.link).where(
            OutboxMail.recipient == f"gemachtigde.{partner}@example.nl").order_by(OutboxMail.id.desc())).first()


def account(engine, username: str) -> tuple[list, bool, str | None]:
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return list(found.roles), found.active, found.deactivated_reason


def rows_on(body: str) -> dict[str, str]:
    """'<legend text>' -> the id of its right, for the rows that can still be chosen."""
    found = {}
    for legend, right in re.findall(r'<legend[^>]*>(.*?)</legend>.*?name="keuze-(\d+)"', body, re.S):
        found[" ".join(legend.split())] = right
    return found


def test_a_right_confirmed_stays_and_a_right_left_open_lapses_at_the_deadline_ending_its_session(
        app, engine, clock, review):
    officer = client_for(app)  # the gemachtigde of WoonFriesland, without an account
    address = link(engine, "woonfriesland")
    page = officer.get(address)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Toegangsreview 2027-K1: WoonFriesland" in body
    rows = rows_on(body)
    assert sorted(rows) == ["Demo FG WoonFriesland (fg_woonfriesland): Functionaris gegevensbescherming (FG)",
                            "Demo Medewerker WoonFriesland (partnermedewerker): Partnermedewerker",
                            "Demo Teamleider WoonFriesland (verantwoordelijke_woonfriesland): Teamleider"]
    kept = next(v for k, v in rows.items() if "(partnermedewerker)" in k)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)

    assert officer.post(address, data={f"keuze-{kept}": "nog_nodig"}).status_code == 400  # no CSRF token
    nothing = officer.post(address, data={"csrf_token": token})
    assert nothing.status_code == 400 and "Kies bij minstens één rol" in nothing.get_data(as_text=True)
    clock.now = K1_2027 + timedelta(days=3)
    sent = officer.post(address, data={"csrf_token": token, f"keuze-{kept}": "nog_nodig"})
    assert sent.status_code == 302 and sent.location.endswith("/toegangsreview/klaar")
    assert "Dank u wel" in officer.get(sent.location).get_data(as_text=True)
    again = officer.get(address)
    assert again.status_code == 410 and "Hij is al gebruikt" in again.get_data(as_text=True)

    # A minute before the deadline both employees are at work.
    clock.now = TERMIJN - timedelta(minutes=1)
    leaving, staying = AuthActions(client_for(app)), AuthActions(client_for(app))
    assert leaving.login("verantwoordelijke_woonfriesland").status_code == 302
    assert staying.login("partnermedewerker").status_code == 302
    assert leaving.client.get("/taken").status_code == 200

    clock.now = TERMIJN
    assert engine.fire_due_timers() == 1
    assert account(engine, "verantwoordelijke_woonfriesland") == ([], False, REVIEW_LAPSED)
    assert account(engine, "partnermedewerker") == (["partnermedewerker"], True, None)
    with engine.database.unit_of_work(write=False) as uow:
        recorded = [(e.action, e.actor, (e.detail or {}).get("rol")) for e in uow.session.scalars(
            select(AccountEvent).join(Account, Account.id == AccountEvent.account_id)
            .where(Account.username.in_(("verantwoordelijke_woonfriesland", "partnermedewerker")))
            .order_by(AccountEvent.id))]
    assert recorded == [("rol_bevestigd", officer_actor("woonfriesland"), "partnermedewerker"),
                        ("rol_ingetrokken", SYSTEM, "teamleider"), ("gedeactiveerd", SYSTEM, None)]

    refused = leaving.client.get("/taken")
    assert refused.status_code == 302 and "/inloggen" in refused.location
    assert MESSAGES["ended"] in leaving.client.get(refused.location).get_data(as_text=True)
    assert staying.client.get("/taken").status_code == 200

    unused = officer.get(link(engine, "politie"))  # the police's gemachtigde did nothing
    assert unused.status_code == 410 and "termijn van deze toegangsreview is voorbij" in unused.get_data(as_text=True)


def test_the_beheerder_sees_counts_per_organisation_and_sends_a_link_again(app, auth, client, engine, clock, review):
    first = link(engine, "politie")
    auth.login("beheerder")
    page = client.get("/beheer/toegangsreview")
    body = page.get_data(as_text=True)
    text = " ".join(body.split())
    assert page.status_code == 200 and "2027-K1: alle rollen" in text
    organisations = re.findall(r'<th scope="row" class="utrecht-table__cell">([^<]+)</th>\s*'
                               r'<td class="utrecht-table__cell">(\d+)</td>', body)
    # One row per organisation with accounts, the directing one first, with its number of accounts.
    with engine.database.unit_of_work(write=False) as uow:
        per_partner = {}
        for account, partner in uow.session.execute(select(Account, Partner).join(Partner)
                                                    .order_by(Partner.directs.desc(), Partner.name)):
            if account.active:
                per_partner[partner.name] = per_partner.get(partner.name, 0) + 1
    assert len(per_partner) > 3 and organisations == [(name, str(n)) for name, n in per_partner.items()]
    assert text.count("Nog niets gedaan. Link gestuurd op maandag 4 januari 2027, 09:00") == len(per_partner)
    main = body[body.index("<main"):]
    assert "woonfriesland" not in main and "Demo" not in main  # organisations and counts, no people
    assert 'href="/beheer/toegangsreview"' in body  # in the menu

    actions = re.findall(r'action="(/beheer/toegangsreview/lijsten/\d+/opnieuw)".*?'
                         r'<span class="zvt-visually-hidden">: ([^<]+)</span>', body, re.S)
    target = {name: action for action, name in actions}["Politie"]
    clock.advance(minutes=5)
    done = auth.post(target, token_from="/beheer/toegangsreview")
    assert done.status_code == 302
    assert "De gemachtigde krijgt een nieuwe link per e-mail." in client.get(done.location).get_data(as_text=True)
    assert link(engine, "politie") != first
    assert client_for(app).get(first).status_code == 410  # the old link no longer works

    assert auth.login("teamleider").status_code == 302
    assert client.get("/beheer/toegangsreview").status_code == 403
    assert auth.post(target, token_from="/taken").status_code == 403
