"""Toegangsreview: every quarter a review of access rights, the full yearly review in the first
quarter and the privileged roles only in the others. The lists come from the accounts, each
partner's gemachtigde confirms or lets go through a one-time link, and at the deadline every
right not confirmed lapses; the last beheerder's never does, and the teamleider follows up."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine import access_review_lists as lists
from engine.access_review import CannotResend, ListIncomplete
from engine.account_state import REVIEW_LAPSED, SYSTEM, officer_actor
from engine.db import AccessReviewRight, Account, AccountEvent, OutboxMail, Partner
from engine.one_time_links import LinkInvalid
from tests.processes.conftest import Case, branches, only_waiting_instance

PID = "toegangsreview"
UTC = timezone.utc

ALLE_ROLLEN = ["procesregisseur", "partnermedewerker", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
GEPRIVILEGIEERD = ["beheerder", "proceseigenaar", "fg"]

# 09:00 in Amsterdam on the 4th of January, April, July and October (UTC+1 in winter, UTC+2 in summer).
K1_2027 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
K2_2027 = datetime(2027, 4, 4, 7, 0, tzinfo=UTC)
K3_2027 = datetime(2027, 7, 4, 7, 0, tzinfo=UTC)
K4_2027 = datetime(2027, 10, 4, 7, 0, tzinfo=UTC)
K1_2028 = datetime(2028, 1, 4, 8, 0, tzinfo=UTC)
# Monday 4 January 2027 09:00 + 10 werkdagen = Monday 18 January 2027 09:00.
TERMIJN_K1_2027 = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)
TERMIJN_K2_2027 = datetime(2027, 4, 16, 7, 0, tzinfo=UTC)

# Two partners, their gemachtigden, and accounts with every kind of right the review meets.
PARTNERS = [("gemeente", "Gemeente", "gemachtigde@gemeente.example"),
            ("woningcorporatie", "Woningcorporatie", "gemachtigde@woning.example"),
            ("zonder_gemachtigde", "Partner zonder gemachtigde", None)]
ACCOUNTS = [  # username, partner, roles, active
    ("beheer", "gemeente", ["beheerder"], True),
    ("regie", "gemeente", ["procesregisseur", "proceseigenaar"], True),
    ("weg", "gemeente", ["procesregisseur"], False),  # switched off already: not on any list
    ("huur", "woningcorporatie", ["partnermedewerker"], True),
    ("privacy", "woningcorporatie", ["fg"], True),
    ("leiding", "woningcorporatie", ["teamleider", "partnermedewerker"], True),
    ("stil", "zonder_gemachtigde", ["partnermedewerker"], True),
]


@pytest.fixture
def accounts(engine):
    add_accounts(engine)


def add_accounts(engine) -> None:
    """PARTNERS and ACCOUNTS."""
    with engine.database.unit_of_work() as uow:
        for code, name, officer in PARTNERS:
            uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag="AVG 6.1.e", active=True,
                                    officer_name=officer and "Gemachtigde", officer_email=officer))
        uow.session.flush()
        for username, partner, roles, active in ACCOUNTS:
            uow.session.add(Account(username=username, display_name=username.title(), partner_id=partner, roles=roles,
                                    password_hash="x", active=active, created_at=engine.clock(),
                                    email=f"{username}@example.nl"))
        uow.commit()


def volgende_review(engine, clock) -> Case:
    """Move the clock to the waiting review's moment and let the scheduler start it."""
    [waiting] = [t for t in engine.timers() if engine.instance(t.instance_id).status == "scheduled"]
    clock.now = waiting.due_at
    engine.fire_due_timers()
    case = Case(engine, waiting.instance_id)
    assert case.status == "running"
    return case


def link_of(engine, address: str) -> str:
    """The token of the latest link mailed to `address`."""
    with engine.database.unit_of_work(write=False) as uow:
        link = uow.session.scalars(select(OutboxMail.link).where(OutboxMail.recipient == address)
                                   .order_by(OutboxMail.id.desc())).first()
    return re.fullmatch(r"/toegangsreview/([A-Za-z0-9_-]+)", link).group(1)


def right_ids(engine, token) -> dict[tuple[str, str], int]:
    return {(r.username, r.role): r.id for r in lists.officer_list(engine, token).rights}


def account(engine, username: str) -> SimpleNamespace:
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return SimpleNamespace(roles=found.roles, active=found.active, deactivated_reason=found.deactivated_reason)


def events(engine, username: str) -> list[tuple[str, str, dict]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(e.action, e.actor, e.detail) for e in uow.session.scalars(
            select(AccountEvent).join(Account, Account.id == AccountEvent.account_id)
            .where(Account.username == username).order_by(AccountEvent.id))]


# -- scenarios, also run together by the branch-coverage test ------------------------------------

def review_met_opvolging(engine, clock) -> Case:
    """Nobody acts: every right lapses but the last beheerder's, and the teamleider follows up."""
    case = volgende_review(engine, clock)
    engine.fire_due_timers(case.timers()["reviewtermijn_verstreken"])
    case.complete("review_escalatie", {"afspraak": "De gemachtigden bellen; de beheerder blijft."}, role="teamleider")
    return case


def review_zonder_opvolging(engine, clock) -> Case:
    """A second quarter where both gemachtigden acted and another beheerder stays."""
    case = volgende_review(engine, clock)
    gemeente, woning = link_of(engine, "gemachtigde@gemeente.example"), link_of(engine, "gemachtigde@woning.example")
    lists.confirm(engine, gemeente, {i: "nog_nodig" for i in right_ids(engine, gemeente).values()})
    lists.confirm(engine, woning, {i: "nog_nodig" for i in right_ids(engine, woning).values()})
    engine.fire_due_timers(case.timers()["reviewtermijn_verstreken"])
    return case


# -- the quarterly schedule ----------------------------------------------------------------------

def test_deploying_leaves_one_review_waiting_for_the_first_quarter(engine, deploy_only):
    deploy_only(PID)
    only_waiting_instance(engine, PID, "elk_kwartaal", K1_2027)


def test_the_first_quarter_lists_every_active_account_per_partner_and_mails_each_gemachtigde(
        engine, deploy_only, clock, accounts):
    deploy_only(PID)
    assert engine.fire_due_timers(K1_2027 - timedelta(seconds=1)) == 0
    case = volgende_review(engine, clock)

    assert case.open_tasks() == {}
    assert (case.data["review_kwartaal"], case.data["review_soort"], case.data["review_rollen"]) == (
        "2027-K1", "volledig", ALLE_ROLLEN)
    assert case.timers() == {"reviewtermijn_verstreken": TERMIJN_K1_2027}
    assert (case.data["review_lijsten"], case.data["review_rechten"]) == (3, 8)
    # The case holds counts, never the list of people.
    assert "huur" not in str(case.data)
    assert case.visited()[-3:] == ["elk_kwartaal", "review_voorbereiden", "lijsten_opstellen"]

    [review] = lists.overview(engine)
    assert (review.label, review.kind, review.deadline, review.closed_at) == ("2027-K1", "volledig",
                                                                             TERMIJN_K1_2027, None)
    assert [(s.partner, s.accounts, s.open, s.sent_count, s.has_address) for s in review.lists] == [
        ("gemeente", 2, 3, 1, True), ("zonder_gemachtigde", 1, 1, 0, False), ("woningcorporatie", 3, 4, 1, True)]

    token = link_of(engine, "gemachtigde@woning.example")
    page = lists.officer_list(engine, token)
    assert (page.partner_name, page.review_label, page.deadline) == ("Woningcorporatie", "2027-K1", TERMIJN_K1_2027)
    assert [(r.username, r.role, r.decision) for r in page.rights] == [
        ("huur", "partnermedewerker", None), ("leiding", "partnermedewerker", None), ("leiding", "teamleider", None),
        ("privacy", "fg", None)]
    with engine.database.unit_of_work(write=False) as uow:
        [(kind, instance_id, body)] = uow.session.execute(select(OutboxMail.kind, OutboxMail.instance_id, OutboxMail.body)
                                                          .where(OutboxMail.recipient == "gemachtigde@woning.example"))
    assert (kind, instance_id) == ("toegangsreview", case.id)
    assert "18-01-2027 09:00" in body and "huur" not in body.lower()

    [following] = [t for t in engine.timers() if t.instance_id != case.id]
    assert (following.bpmn_id, following.due_at) == ("elk_kwartaal", K2_2027)


def test_the_other_quarters_review_only_the_privileged_roles_and_the_next_year_all_again(engine, deploy_only, clock):
    deploy_only(PID)
    volgende_review(engine, clock)  # first quarter of 2027

    expected = [
        (K2_2027, "2027-K2", "geprivilegieerd", GEPRIVILEGIEERD, TERMIJN_K2_2027),
        (K3_2027, "2027-K3", "geprivilegieerd", GEPRIVILEGIEERD, datetime(2027, 7, 16, 7, 0, tzinfo=UTC)),
        (K4_2027, "2027-K4", "geprivilegieerd", GEPRIVILEGIEERD, datetime(2027, 10, 18, 7, 0, tzinfo=UTC)),
        (K1_2028, "2028-K1", "volledig", ALLE_ROLLEN, datetime(2028, 1, 18, 8, 0, tzinfo=UTC)),
    ]
    for moment, kwartaal, soort, rollen, termijn in expected:
        case = volgende_review(engine, clock)
        assert clock.now == moment
        assert (case.data["review_kwartaal"], case.data["review_soort"], case.data["review_rollen"]) == (
            kwartaal, soort, rollen)
        assert case.timers() == {"reviewtermijn_verstreken": termijn}
    scheduled = [t for t in engine.timers() if engine.instance(t.instance_id).status == "scheduled"]
    assert [t.due_at for t in scheduled] == [datetime(2028, 4, 4, 7, 0, tzinfo=UTC)]


# -- the gemachtigde -----------------------------------------------------------------------------

def test_the_gemachtigde_confirms_some_roles_lets_one_go_at_once_and_leaves_one_to_lapse(
        engine, deploy_only, clock, accounts):
    deploy_only(PID)
    case = volgende_review(engine, clock)
    token = link_of(engine, "gemachtigde@woning.example")
    ids = right_ids(engine, token)

    with pytest.raises(ListIncomplete):  # nothing chosen: refused, the link still works
        lists.confirm(engine, token, {})
    with pytest.raises(ListIncomplete):
        lists.confirm(engine, token, {ids["huur", "partnermedewerker"]: "misschien"})
    clock.advance(days=2)
    outcomes = lists.confirm(engine, token, {ids["huur", "partnermedewerker"]: "nog_nodig",
                                             ids["privacy", "fg"]: "vervalt",
                                             ids["leiding", "partnermedewerker"]: "nog_nodig"})
    assert outcomes == {"nog_nodig": 2, "switched_off": 1}

    officer = officer_actor("woningcorporatie")
    privacy = account(engine, "privacy")  # "vervalt" at once: its only role, so the account is off
    assert (privacy.roles, privacy.active, privacy.deactivated_reason) == ([], False, REVIEW_LAPSED)
    assert events(engine, "privacy") == [
        ("rol_ingetrokken", officer, {"rol": "fg", "reden": "vervalt", "review": "2027-K1"}),
        ("gedeactiveerd", officer, {"reden": REVIEW_LAPSED})]
    assert events(engine, "huur") == [("rol_bevestigd", officer, {"rol": "partnermedewerker", "review": "2027-K1"})]
    with engine.database.unit_of_work(write=False) as uow:
        confirmed = uow.session.get(AccessReviewRight, ids["huur", "partnermedewerker"])
        assert (confirmed.decision, confirmed.decided_by, confirmed.decided_at) == ("nog_nodig", officer, clock.now)

    with pytest.raises(LinkInvalid) as used:  # one time only
        lists.officer_list(engine, token)
    assert used.value.reason == "used"
    [review] = lists.overview(engine)
    woning = next(s for s in review.lists if s.partner == "woningcorporatie")
    assert (woning.confirmed, woning.lapsed, woning.open, woning.completed_at) == (2, 1, 1, clock.now)

    # At the deadline the role left open lapses; the confirmed one stays.
    assert engine.fire_due_timers(TERMIJN_K1_2027 - timedelta(seconds=1)) == 0
    clock.now = TERMIJN_K1_2027
    assert engine.fire_due_timers() == 1
    leiding = account(engine, "leiding")
    assert (leiding.roles, leiding.active) == (["partnermedewerker"], True)
    assert events(engine, "leiding")[-1] == ("rol_ingetrokken", SYSTEM,
                                             {"rol": "teamleider", "reden": "verlopen", "review": "2027-K1"})
    assert account(engine, "huur").roles == ["partnermedewerker"]
    assert case.data["review_afgerond_op"] == "2027-01-18T09:00:00+01:00"


def test_a_link_expires_at_the_deadline_and_a_new_one_replaces_the_old(engine, deploy_only, clock, accounts):
    deploy_only(PID)
    volgende_review(engine, clock)
    first = link_of(engine, "gemachtigde@gemeente.example")
    [review] = lists.overview(engine)
    gemeente = next(s for s in review.lists if s.partner == "gemeente")

    clock.advance(days=1)
    lists.resend(engine, gemeente.list_id, actor="beheer")
    second = link_of(engine, "gemachtigde@gemeente.example")
    assert second != first
    with pytest.raises(LinkInvalid):
        lists.officer_list(engine, first)
    assert lists.officer_list(engine, second).partner_name == "Gemeente"
    [review] = lists.overview(engine)
    assert next(s for s in review.lists if s.partner == "gemeente").sent_count == 2

    nobody = next(s for s in review.lists if s.partner == "zonder_gemachtigde")
    with pytest.raises(CannotResend) as refused:
        lists.resend(engine, nobody.list_id, actor="beheer")
    assert refused.value.reason == "no_address"

    clock.now = TERMIJN_K1_2027
    with pytest.raises(LinkInvalid) as late:
        lists.officer_list(engine, second)
    assert late.value.reason == "expired"
    with pytest.raises(CannotResend) as closed:
        lists.resend(engine, gemeente.list_id, actor="beheer")
    assert closed.value.reason == "closed"


# -- the deadline --------------------------------------------------------------------------------

def test_at_the_deadline_every_unconfirmed_right_lapses_but_the_last_beheerders_and_the_teamleider_follows_up(
        engine, deploy_only, clock, accounts):
    deploy_only(PID)
    case = volgende_review(engine, clock)
    engine.fire_due_timers(TERMIJN_K1_2027)

    regie, stil, beheer, weg = (account(engine, n) for n in ("regie", "stil", "beheer", "weg"))
    assert (regie.roles, regie.active, regie.deactivated_reason) == ([], False, REVIEW_LAPSED)
    assert (stil.roles, stil.active) == ([], False)
    assert (beheer.roles, beheer.active) == (["beheerder"], True)  # the last beheerder: kept
    assert events(engine, "beheer") == []
    assert (weg.roles, weg.deactivated_reason) == (["procesregisseur"], None)  # off before: untouched
    assert [a for a, _, _ in events(engine, "regie")] == ["rol_ingetrokken", "rol_ingetrokken", "gedeactiveerd"]

    assert (case.data["laatste_beheerder_behouden"], case.data["rechten_vervallen"],
            case.data["accounts_uitgezet"]) == (True, 7, 5)
    assert case.data["partners_zonder_reactie"] == ["Gemeente", "Partner zonder gemachtigde", "Woningcorporatie"]
    assert case.open_tasks() == {"review_escalatie": "teamleider"}
    task = case.task("review_escalatie")
    assert task.due_at == TERMIJN_K1_2027
    assert engine.form_values(task.id) == {
        "review_kwartaal": "2027-K1", "review_soort": "volledig", "review_termijn": "2027-01-18T09:00:00+01:00",
        "laatste_beheerder_behouden": True, "rechten_vervallen": 7, "accounts_uitgezet": 5,
        "partners_zonder_reactie": ["Gemeente", "Partner zonder gemachtigde", "Woningcorporatie"]}
    [review] = lists.overview(engine)
    assert review.closed_at == TERMIJN_K1_2027
    assert [(s.partner, s.lapsed, s.kept, s.open) for s in review.lists] == [
        ("gemeente", 2, 1, 0), ("zonder_gemachtigde", 1, 0, 0), ("woningcorporatie", 4, 0, 0)]


def test_a_gemachtigde_cannot_take_away_the_last_beheerder_either(engine, deploy_only, clock, accounts):
    deploy_only(PID)
    case = volgende_review(engine, clock)
    token = link_of(engine, "gemachtigde@gemeente.example")
    ids = right_ids(engine, token)
    assert lists.confirm(engine, token, {ids["beheer", "beheerder"]: "vervalt"}) == {"kept": 1}
    assert account(engine, "beheer").roles == ["beheerder"]
    engine.fire_due_timers(TERMIJN_K1_2027)
    assert case.data["laatste_beheerder_behouden"] is True


def test_a_quarterly_review_touches_only_privileged_roles(engine, deploy_only, clock, accounts):
    deploy_only(PID)
    review_met_opvolging(engine, clock)  # the first quarter takes away most; give the rights back
    with engine.database.unit_of_work() as uow:
        for username, _partner, roles, active in ACCOUNTS:
            found = uow.session.scalars(select(Account).where(Account.username == username)).one()
            found.roles, found.active, found.deactivated_reason = roles, active, None
        uow.session.add(Account(username="reserve", display_name="Reserve", partner_id="gemeente",
                                roles=["beheerder"], password_hash="x", active=True, created_at=clock.now))
        uow.commit()

    case = volgende_review(engine, clock)  # second quarter
    assert case.data["review_rechten"] == 4
    token = link_of(engine, "gemachtigde@gemeente.example")
    assert set(right_ids(engine, token)) == {("beheer", "beheerder"), ("regie", "proceseigenaar"),
                                             ("reserve", "beheerder")}
    woning = link_of(engine, "gemachtigde@woning.example")
    assert set(right_ids(engine, woning)) == {("privacy", "fg")}
    lists.confirm(engine, token, {right_ids(engine, token)["reserve", "beheerder"]: "nog_nodig"})

    engine.fire_due_timers(TERMIJN_K2_2027)
    assert account(engine, "beheer").roles == []  # not the last beheerder now: lapsed, and off
    assert account(engine, "reserve").roles == ["beheerder"]
    regie = account(engine, "regie")
    assert (regie.roles, regie.active) == (["procesregisseur"], True)  # only the privileged role went
    assert (account(engine, "leiding").roles, account(engine, "huur").roles) == (
        ["teamleider", "partnermedewerker"], ["partnermedewerker"])
    assert account(engine, "stil").active is True
    assert case.data["laatste_beheerder_behouden"] is False
    assert case.data["partners_zonder_reactie"] == ["Woningcorporatie"]


def test_a_review_where_every_gemachtigde_acted_ends_without_follow_up(engine, deploy_only, clock, accounts):
    deploy_only(PID)
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "zonder_gemachtigde").active = False  # no list without a gemachtigde
        uow.commit()
    case = review_zonder_opvolging(engine, clock)
    assert case.status == "completed"
    assert case.visited()[-3:] == ["rechten_laten_verlopen", "opvolging_nodig", "einde_review"]
    assert (case.data["rechten_vervallen"], case.data["laatste_beheerder_behouden"]) == (0, False)
    assert engine.ready_tasks(role="teamleider") == []


# -- every branch --------------------------------------------------------------------------------

def test_the_scenarios_reach_every_branch_of_toegangsreview(engine, deploy_only, clock, accounts):
    deploy_only(PID)
    visited = set()
    visited.update(review_met_opvolging(engine, clock).visited())
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "zonder_gemachtigde").active = False
        for username, _partner, roles, active in ACCOUNTS:
            found = uow.session.scalars(select(Account).where(Account.username == username)).one()
            found.roles, found.active = roles, active
        uow.commit()
    visited.update(review_zonder_opvolging(engine, clock).visited())
    assert branches(PID) - visited == set()
