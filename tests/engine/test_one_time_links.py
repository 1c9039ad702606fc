"""One-time links (engine/one_time_links.py) and an account's record (engine/account_state.py)."""
from __future__ import annotations

from datetime import timedelta
from threading import Barrier, Thread

import pytest
from sqlalchemy import select

from engine import account_state, one_time_links
from engine.clock import AMSTERDAM
from engine.db import Account, AccountEvent, OneTimeLink, Partner
from engine.one_time_links import LinkInvalid


def _issue(engine, clock, purpose="wachtwoord", subject=None, hours=24):
    with engine.database.unit_of_work() as uow:
        token = one_time_links.issue(uow.session, purpose, subject or {"account": 1}, clock(), timedelta(hours=hours))
        uow.commit()
    return token


def _redeem(engine, token, purpose, now):
    with engine.database.unit_of_work() as uow:
        link = one_time_links.redeem(uow.session, token, purpose, now)
        uow.commit()
        return link.subject


def test_a_link_works_once_and_only_for_its_purpose(engine, clock):
    token = _issue(engine, clock, subject={"account": 7})
    with engine.database.unit_of_work(write=False) as uow:
        with pytest.raises(LinkInvalid) as refused:
            one_time_links.peek(uow.session, token, "goedkeuring", clock())
        assert refused.value.reason == "unknown"
        assert one_time_links.peek(uow.session, token, "wachtwoord", clock()).subject == {"account": 7}
    assert _redeem(engine, token, "wachtwoord", clock()) == {"account": 7}
    with pytest.raises(LinkInvalid) as again:
        _redeem(engine, token, "wachtwoord", clock())
    assert again.value.reason == "used"


def test_only_the_hash_is_stored_and_an_expired_link_is_refused(engine, clock):
    token = _issue(engine, clock, hours=1)
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalars(select(OneTimeLink.token_hash)).one()
    assert token not in stored and len(stored) == 64
    with pytest.raises(LinkInvalid) as late:
        _redeem(engine, token, "wachtwoord", clock() + timedelta(hours=1))
    assert late.value.reason == "expired"
    with pytest.raises(LinkInvalid):
        _redeem(engine, token[:-1] + ("A" if token[-1] != "A" else "B"), "wachtwoord", clock())


def test_two_requests_racing_with_one_token_have_one_winner(engine, clock):
    token = _issue(engine, clock)
    start, outcomes = Barrier(2), []

    def use():
        start.wait()
        try:
            _redeem(engine, token, "wachtwoord", clock())
            outcomes.append("used")
        except LinkInvalid:
            outcomes.append("refused")

    threads = [Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "used"]


def test_a_new_link_withdraws_the_old_one_for_the_same_subject_only(engine, clock):
    old = _issue(engine, clock, subject={"account": 1})
    other = _issue(engine, clock, subject={"account": 2})
    with engine.database.unit_of_work() as uow:
        assert one_time_links.withdraw(uow.session, "wachtwoord", {"account": 1}, clock()) == 1
        uow.commit()
    with pytest.raises(LinkInvalid):
        _redeem(engine, old, "wachtwoord", clock())
    assert _redeem(engine, other, "wachtwoord", clock()) == {"account": 2}


def test_deactivating_ends_sessions_and_is_recorded_once(engine, clock):
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id="elkien", name="Elkien", kind="convenant", grondslag="AVG", active=True))
        uow.session.flush()
        account = Account(username="jan", display_name="Jan", partner_id="elkien", roles=["partnermedewerker"],
                          password_hash="x", active=True, created_at=clock())
        uow.session.add(account)
        uow.session.flush()
        assert account_state.deactivate(uow.session, account, account_state.BY_BEHEERDER, "beheerder", clock())
        assert not account_state.deactivate(uow.session, account, account_state.BY_BEHEERDER, "beheerder", clock())
        with pytest.raises(ValueError):
            account_state.deactivate(uow.session, account, "zomaar", "beheerder", clock())
        uow.commit()
    with engine.database.unit_of_work(write=False) as uow:
        state = uow.session.execute(select(Account.active, Account.deactivated_reason, Account.session_epoch)).one()
        events = uow.session.execute(select(AccountEvent.action, AccountEvent.actor, AccountEvent.detail)).all()
    assert tuple(state) == (False, "beheerder", 1)
    assert [tuple(e) for e in events] == [("gedeactiveerd", "beheerder", {"reden": "beheerder"})]


def test_the_last_beheerder_cannot_lose_the_role_while_another_remains_free_to(engine, clock):
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id="gemeente", name="Gemeente", kind="convenant", grondslag="g", active=True))
        uow.session.flush()
        first, second = (Account(username=name, display_name=name, partner_id="gemeente", roles=["beheerder", "fg"],
                                 password_hash="x", active=True, created_at=clock()) for name in ("a", "b"))
        uow.session.add_all([first, second])
        uow.session.flush()
        assert not account_state.last_beheerder(uow.session, first, clock(), active_after=False)
        assert account_state.deactivate(uow.session, second, account_state.BY_BEHEERDER, "a", clock())
        uow.session.flush()
        assert account_state.last_beheerder(uow.session, first, clock(), active_after=False)
        assert account_state.last_beheerder(uow.session, first, clock(), roles_after={"fg"})
        assert not account_state.last_beheerder(uow.session, first, clock(), roles_after={"beheerder"})
        assert not account_state.last_beheerder(uow.session, second, clock(), active_after=False)  # off already


def test_a_beheerder_of_a_partner_past_its_leaving_day_does_not_count_as_another_beheerder(engine, clock):
    today = clock().astimezone(AMSTERDAM).date()
    with engine.database.unit_of_work() as uow:
        uow.session.add_all([Partner(id="gemeente", name="Gemeente", kind="convenant", grondslag="g", active=True),
                             Partner(id="elkien", name="Elkien", kind="convenant", grondslag="g", active=True,
                                     left_on=today.isoformat())])
        uow.session.flush()
        here, leaving = (Account(username=name, display_name=name, partner_id=partner, roles=["beheerder"],
                                 password_hash="x", active=True, created_at=clock())
                         for name, partner in (("a", "gemeente"), ("b", "elkien")))
        uow.session.add_all([here, leaving])
        uow.session.flush()
        # b's account is still on, but from its partner's leaving day on it signs in no one.
        assert account_state.last_beheerder(uow.session, here, clock(), active_after=False)
        assert not account_state.last_beheerder(uow.session, here, clock() - timedelta(days=1), active_after=False)
