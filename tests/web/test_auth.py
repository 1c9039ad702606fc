"""Signing in and out: passwords, TOTP, limits on guessing, idle timeout, demo accounts."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine import accounts
from engine.db import Account, LoginAttempt, Partner
from engine.identity import Origin
from tests.web.conftest import (
    FAST_HASHER,
    AuthActions,
    add_account,
    build_app,
    client_for,
    set_active,
    totp_code,
)

WRONG = "De gebruikersnaam of het wachtwoord klopt niet."
LIMITED = "U heeft te vaak een verkeerde gebruikersnaam, wachtwoord of code ingevuld."
TIMEOUT = "U bent uitgelogd omdat u een tijd niets heeft gedaan."
WRONG_CODE = "Deze code klopt niet."
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def text(response) -> str:
    return response.get_data(as_text=True)


def attempts(engine, **where) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        query = select(func.count()).select_from(LoginAttempt).filter_by(**where)
        return uow.session.scalar(query)


# -- logging in with a password --------------------------------------------------------

def test_an_anonymous_visitor_is_sent_to_the_login_page_and_back_after_logging_in(client, auth):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/inloggen?next=/"
    login_page = client.get(response.location)
    assert '<html lang="nl"' in text(login_page) and "Gebruikersnaam" in text(login_page)
    assert 'name="next" value="/"' in text(login_page)

    response = auth.login("procesregisseur", next_url="/")
    assert response.status_code == 302 and response.location == "/"
    home = text(client.get("/"))
    assert "Demo Procesregisseur" in home and "Gemeente Heerenveen" in home


def test_a_wrong_password_and_an_unknown_username_get_the_same_dutch_answer(client, auth):
    wrong_password = auth.login("procesregisseur", "niet-het-wachtwoord")
    unknown_user = auth.login("bestaat-niet", "demo-procesregisseur")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in text(response)
    assert client.get("/").status_code == 302  # still not logged in


def test_the_username_is_kept_and_escaped_after_a_failed_login(client, auth):
    response = auth.login("<script>alert(1)</script>", "x")
    assert "<script>alert(1)" not in text(response)
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in text(response)


def test_an_empty_form_asks_for_both_fields(client, auth):
    response = auth.login("", "")
    assert "Vul uw gebruikersnaam en uw wachtwoord in." in text(response)


def test_a_next_address_outside_the_site_is_ignored(client, auth):
    for outside in ("//voorbeeld.nl/", "https://voorbeeld.nl/", "/\\voorbeeld.nl"):
        response = auth.login("procesregisseur", next_url=outside)
        assert response.status_code == 302 and response.location == "/", outside
        auth.logout()


def test_every_attempt_is_recorded(engine, client, auth):
    auth.login("procesregisseur", "fout")
    auth.login("onbekend", "fout")
    auth.login("procesregisseur")
    assert attempts(engine, username="procesregisseur", success=False) == 1
    assert attempts(engine, username="onbekend", success=False) == 1
    assert attempts(engine, username="procesregisseur", success=True) == 1


def test_an_inactive_account_cannot_log_in_and_a_running_session_ends(engine, client, auth):
    auth.login("teamleider")
    assert client.get("/").status_code == 200
    set_active(engine, "teamleider", False)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    assert "U bent uitgelogd" in text(client.get("/inloggen"))
    response = auth.login("teamleider")
    assert "Uw account is niet actief" in text(response)


def test_the_accounts_of_a_partner_that_left_cannot_log_in(engine, client, auth):
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "accolade").active = False
        uow.commit()
    assert "Uw account is niet actief" in text(auth.login("manager"))


def test_logging_in_starts_a_fresh_session(client, auth):
    with client.session_transaction() as session:
        session["meegebracht"] = "van voor het inloggen"
    auth.login("procesregisseur")
    with client.session_transaction() as session:
        assert "meegebracht" not in session
        assert set(session) <= {"username", "login_at", "seen_at", "epoch", "csrf_token", "_flashes"}
        assert session["username"] == "procesregisseur"


# -- limits on guessing ------------------------------------------------------------------

ATTACKER, COLLEAGUE = "192.0.2.66", "198.51.100.7"


def client_at(app, address: str) -> tuple:
    """A browser at another address (no proxy in front: the address is the connection's)."""
    client = client_for(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client, AuthActions(client)


def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def guess_patiently(auth, clock, username: str, times: int) -> None:
    """`times` wrong passwords, each after waiting as long as the last answer said."""
    for _ in range(times):
        response = auth.login(username, "fout")
        if response.status_code == 429:
            clock.advance(seconds=retry_after(response))
            response = auth.login(username, "fout")
        assert WRONG in text(response)


def test_an_attacker_failing_50_times_cannot_keep_the_colleague_out(app, engine, clock):
    _, attacker = client_at(app, ATTACKER)
    colleague_client, colleague = client_at(app, COLLEAGUE)
    started, waits = clock(), []
    while attempts(engine, origin_ip=ATTACKER) < 50:
        # A patient script: it waits as long as it is told, then guesses again.
        response = attacker.login("procesregisseur", "raden")
        if response.status_code == 429:
            waits.append((retry_after(response), "Vanaf uw computer of netwerk" in text(response)))
            clock.advance(seconds=retry_after(response))
        else:
            assert WRONG in text(response)
    # Slowed down per account (at most a minute) and blocked per address (up to 15 minutes).
    assert max(wait for wait, blocked in waits if not blocked) == 60
    assert any(blocked and wait > 60 for wait, blocked in waits)
    assert clock() - started > timedelta(minutes=30)  # 50 guesses took the script over half an hour

    response = colleague.login("procesregisseur")
    assert response.status_code == 302 and response.location == "/"
    assert colleague_client.get("/").status_code == 200


def test_a_colleague_who_mistypes_during_an_attack_waits_a_minute_at_most(app, clock):
    _, attacker = client_at(app, ATTACKER)
    _, colleague = client_at(app, COLLEAGUE)
    for _ in range(accounts.SLOW_DOWN_AFTER + 10):
        attacker.login("procesregisseur", "raden")
        clock.advance(seconds=61)
    assert WRONG in text(colleague.login("procesregisseur", "typfout"))
    response = colleague.login("procesregisseur")
    assert response.status_code == 429 and retry_after(response) == 60
    assert "Wacht 60 seconden en probeer het dan opnieuw." in text(response)
    clock.advance(seconds=60)
    assert colleague.login("procesregisseur").location == "/"


def test_after_five_failures_the_address_waits_longer_each_time_up_to_a_minute(engine, clock):
    origin = Origin(ip=ATTACKER)

    def guess():
        accounts.authenticate(engine, "fg", "raden", origin, clock(), hasher=FAST_HASHER)

    for _ in range(accounts.SLOW_DOWN_AFTER):
        with pytest.raises(accounts.WrongCredentials):
            guess()
    waits = []
    for _ in range(9):
        with pytest.raises(accounts.TooManyAttempts) as limited:
            guess()
        assert not limited.value.per_address
        waits.append(limited.value.retry_after.total_seconds())
        clock.advance(seconds=waits[-1])
        with pytest.raises(accounts.WrongCredentials):
            guess()
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    # Refused tries are not guesses: nothing checked, nothing recorded.
    assert attempts(engine, username="fg") == accounts.SLOW_DOWN_AFTER + 9


def test_trying_again_too_early_does_not_make_the_wait_longer(app, clock):
    _, attacker = client_at(app, ATTACKER)
    guess_patiently(attacker, clock, "procesregisseur", accounts.SLOW_DOWN_AFTER + 4)  # next wait: 16 s
    assert retry_after(attacker.login("procesregisseur")) == 16
    for remaining in (11, 6, 1):
        clock.advance(seconds=5)
        response = attacker.login("procesregisseur")
        assert response.status_code == 429 and retry_after(response) == remaining
    clock.advance(seconds=1)
    assert attacker.login("procesregisseur").location == "/"


def test_the_slow_down_per_account_ignores_letter_case(client, auth):
    for _ in range(accounts.SLOW_DOWN_AFTER):
        auth.login("ProcesRegisseur", "fout")
    response = auth.login("procesregisseur")
    assert response.status_code == 429 and LIMITED in text(response)
    assert "Wacht 1 seconde en probeer het dan opnieuw." in text(response)


def test_one_address_with_twenty_failures_is_blocked_for_every_account_for_fifteen_minutes(app, engine, clock):
    _, attacker = client_at(app, ATTACKER)
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        assert WRONG in text(attacker.login(f"gok{number}", "fout"))  # one guess each: no slow-down
        clock.advance(seconds=10)
    response = attacker.login("fg")  # the right password, another account
    assert response.status_code == 429 and retry_after(response) == 15 * 60 - 20 * 10  # the first has 700 s to go
    assert "Vanaf uw computer of netwerk is te vaak" in text(response)
    assert "Wacht 12 minuten en probeer het dan opnieuw." in text(response)
    with pytest.raises(accounts.TooManyAttempts) as blocked:
        accounts.authenticate(engine, "manager", "demo-manager", Origin(ip=ATTACKER), clock(), hasher=FAST_HASHER)
    assert blocked.value.per_address

    _, colleague = client_at(app, COLLEAGUE)  # another address is not affected
    assert colleague.login("fg").location == "/"
    clock.advance(seconds=retry_after(response))
    assert attacker.login("fg").location == "/"


# -- the engine functions behind it --------------------------------------------------------

def test_authenticate_returns_the_user_with_partner_and_roles(engine, clock):
    user = accounts.authenticate(engine, "politie", "demo-partnermedewerker", Origin(ip="127.0.0.1"), clock(),
                                 hasher=FAST_HASHER)
    assert (user.username, user.partner, user.roles) == ("politie", "politie", frozenset({"partnermedewerker"}))
    assert accounts.load_user(engine, "politie") == user
    assert accounts.load_user(engine, "bestaat-niet") is None


def test_a_weak_hash_is_replaced_by_one_with_the_current_parameters(engine, clock):
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts.authenticate(engine, "fg", "demo-fg", Origin(ip="127.0.0.1"), clock(), hasher=stronger)
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(Account.password_hash).where(Account.username == "fg"))
    assert not stronger.check_needs_rehash(stored)
    assert stronger.verify(stored, "demo-fg")


def test_a_demo_account_is_refused_when_the_flag_says_so(engine, clock):
    with pytest.raises(accounts.DemoAccountRefused):
        accounts.authenticate(engine, "fg", "demo-fg", Origin(ip="127.0.0.1"), clock(), refuse_demo=True,
                              hasher=FAST_HASHER)


def test_a_very_long_password_is_refused_without_hashing_it(engine, clock):
    with pytest.raises(accounts.WrongCredentials):
        accounts.authenticate(engine, "fg", "x" * (accounts.MAX_PASSWORD_LENGTH + 1), Origin(ip="127.0.0.1"),
                              clock(), hasher=FAST_HASHER)


# -- TOTP -------------------------------------------------------------------------------------

def test_in_development_an_account_without_totp_needs_only_its_password(client, auth):
    assert auth.login("procesregisseur").location == "/"


def test_in_development_an_account_with_totp_is_asked_for_its_code(engine, client, auth, clock):
    add_account(engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    response = auth.login("jan", "een lang wachtwoord")
    assert response.status_code == 302 and response.location == "/inloggen/code"
    assert client.get("/").status_code == 302  # a password alone is not a login

    wrong = auth.post("/inloggen/code", {"code": "000000"}, token_from="/inloggen/code")
    assert WRONG_CODE in text(wrong)
    right = auth.post("/inloggen/code", {"code": totp_code(SECRET, clock())}, token_from="/inloggen/code")
    assert right.status_code == 302 and right.location == "/"
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_used_twice(engine, client, auth, clock):
    add_account(engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    code = totp_code(SECRET, clock())
    assert auth.login("jan", "een lang wachtwoord", totp=code).location == "/"
    auth.logout()

    clock.advance(seconds=5)  # still the same 30-second step
    response = auth.login("jan", "een lang wachtwoord", totp=code)
    assert WRONG_CODE in text(response)
    clock.advance(seconds=30)
    assert auth.login("jan", "een lang wachtwoord", totp=totp_code(SECRET, clock())).location == "/"


def test_a_code_from_the_step_before_or_after_is_accepted_but_not_older(engine, clock):
    add_account(engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    moment = clock()
    accounts.verify_totp(engine, "jan", totp_code(SECRET, moment.replace(second=0) - _seconds(30)), moment)
    with pytest.raises(accounts.InvalidCode):
        accounts.verify_totp(engine, "jan", totp_code(SECRET, moment - _seconds(90)), moment)
    # A later code is fine after an earlier one; the earlier one is then spent.
    accounts.verify_totp(engine, "jan", totp_code(SECRET, moment), moment)


def test_wrong_codes_slow_down_the_guessing_address_but_not_the_real_user(engine, app, clock):
    add_account(engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    _, attacker = client_at(app, ATTACKER)  # knows the password, not the phone
    assert attacker.login("jan", "een lang wachtwoord").location == "/inloggen/code"
    for _ in range(accounts.SLOW_DOWN_AFTER):
        assert WRONG_CODE in text(attacker.post("/inloggen/code", {"code": "000000"}, token_from="/inloggen/code"))
    response = attacker.post("/inloggen/code", {"code": "000000"}, token_from="/inloggen/code")
    assert response.status_code == 429 and retry_after(response) == 1
    assert "Code invullen" in text(response) and LIMITED in text(response)  # still at the code
    # Knowing the password does not buy fresh guesses: the right password does not reset it.
    assert attacker.login("jan", "een lang wachtwoord").status_code == 429

    jan_client, jan = client_at(app, COLLEAGUE)
    assert jan.login("jan", "een lang wachtwoord", totp=totp_code(SECRET, clock())).location == "/"
    assert jan_client.get("/").status_code == 200


def test_a_half_finished_login_expires_after_five_minutes(engine, client, auth, clock):
    add_account(engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    auth.login("jan", "een lang wachtwoord")
    clock.advance(minutes=6)
    response = client.get("/inloggen/code")
    assert response.status_code == 302 and response.location == "/inloggen"
    assert "Het inloggen duurde te lang." in text(client.get("/inloggen"))


def test_in_development_a_user_can_set_up_totp_from_the_menu(engine, client, auth, clock):
    auth.login("procesregisseur")
    assert 'href="/tweestapsverificatie"' in text(client.get("/"))
    page = client.get("/tweestapsverificatie")
    assert page.status_code == 200 and "<svg" in text(page)
    secret = _secret_on(page)
    response = auth.post("/tweestapsverificatie", {"code": totp_code(secret, clock())}, token_from="/tweestapsverificatie")
    assert response.status_code == 302 and response.location == "/"
    home = text(client.get("/"))
    assert "Tweestapsverificatie staat aan." in home and 'href="/tweestapsverificatie"' not in home

    auth.logout()
    clock.advance(seconds=30)
    assert auth.login("procesregisseur").location == "/inloggen/code"


def test_enrolment_needs_a_correct_first_code_and_never_replaces_a_secret(engine, clock):
    add_account(engine, "jan", "een lang wachtwoord")
    with pytest.raises(accounts.InvalidCode):
        accounts.enrol_totp(engine, "jan", SECRET, _other_than(totp_code(SECRET, clock())), clock())
    accounts.enrol_totp(engine, "jan", SECRET, totp_code(SECRET, clock()), clock())
    other = accounts.new_totp_secret()
    with pytest.raises(accounts.TotpAlreadyEnrolled):
        accounts.enrol_totp(engine, "jan", other, totp_code(other, clock()), clock())


def test_production_asks_every_account_for_a_code(production, clock):
    add_account(production.engine, "jan", "een lang wachtwoord", totp_secret=SECRET)
    response = production.auth.login("jan", "een lang wachtwoord")
    assert response.location == "/inloggen/code"
    response = production.auth.post("/inloggen/code", {"code": totp_code(SECRET, clock())},
                                    token_from="/inloggen/code")
    assert response.location == "/"
    assert production.client.get("/").status_code == 200


def test_production_sends_an_account_without_totp_to_set_it_up_first(production, clock):
    add_account(production.engine, "piet", "een lang wachtwoord")
    auth, client = production.auth, production.client
    response = auth.login("piet", "een lang wachtwoord")
    assert response.location == "/tweestapsverificatie"
    assert client.get("/").status_code == 302  # not in yet

    page = client.get("/tweestapsverificatie")
    body = text(page)
    assert "<svg" in body and "QR-code" in body and "Tweestapsverificatie instellen" in body
    secret = _secret_on(page)
    wrong = auth.post("/tweestapsverificatie", {"code": _other_than(totp_code(secret, clock()))},
                      token_from="/tweestapsverificatie")
    assert WRONG_CODE in text(wrong)
    assert _secret_on(wrong) == secret  # the same secret until it is confirmed

    response = auth.post("/tweestapsverificatie", {"code": totp_code(secret, clock())},
                         token_from="/tweestapsverificatie")
    assert response.location == "/"
    assert "Tweestapsverificatie staat aan." in text(client.get("/"))

    auth.logout()
    clock.advance(seconds=30)
    assert auth.login("piet", "een lang wachtwoord").location == "/inloggen/code"


def test_the_enrolment_page_needs_a_password_first(production):
    assert production.client.get("/tweestapsverificatie").location == "/inloggen"


def test_production_refuses_demo_accounts_at_login(production, clock):
    from zvt import demo

    # Added after the start check (which refuses a database that holds them at start-up).
    demo.load(production.engine, hasher=FAST_HASHER)
    response = production.auth.login("procesregisseur", "demo-procesregisseur")
    assert "Dit is een demo-account." in text(response)
    assert production.client.get("/").status_code == 302


# -- session timeout and logout ----------------------------------------------------------------

def test_the_session_ends_after_fifteen_minutes_without_activity(client, auth, clock):
    auth.login("procesregisseur")
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200  # activity: the fifteen minutes start again
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200
    clock.advance(minutes=15, seconds=1)
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/inloggen?next=/"
    assert TIMEOUT in text(client.get(response.location))
    assert client.get("/").status_code == 302


def test_the_idle_time_comes_from_the_configuration(engine, database_url, clock):
    app = build_app(database_url, clock, environment="development", session_idle_minutes=5)
    client = client_for(app)
    auth = AuthActions(client)
    auth.login("procesregisseur")
    clock.advance(minutes=5, seconds=1)
    assert client.get("/").status_code == 302
    app.extensions["zvt_engine"].close()


LIFETIME = "U bent uitgelogd omdat u al 12 uur bent ingelogd. Log opnieuw in."


def test_a_session_ends_twelve_hours_after_logging_in_even_when_in_use(client, auth, clock):
    auth.login("procesregisseur")
    for _ in range(12 * 60 // 10 - 1):  # a click every ten minutes, all day
        clock.advance(minutes=10)
        assert client.get("/").status_code == 200
    clock.advance(minutes=9, seconds=59)  # 11:59:59 after logging in
    assert client.get("/").status_code == 200
    clock.advance(seconds=2)
    response = client.get("/taken")
    assert response.status_code == 302 and response.location == "/inloggen?next=/taken"
    page = text(client.get(response.location))
    assert LIFETIME in page and TIMEOUT not in page
    assert client.get("/").status_code == 302  # the cookie is cleared, not just turned away once

    assert auth.login("procesregisseur").location == "/"  # logging in again starts a new twelve hours
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200


def test_the_session_lifetime_comes_from_the_configuration(engine, database_url, clock):
    app = build_app(database_url, clock, environment="development", session_max_hours=1)
    client = client_for(app)
    AuthActions(client).login("procesregisseur")
    for _ in range(5):
        clock.advance(minutes=12)
        assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # exactly one hour after logging in: still in
    clock.advance(seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    assert "U bent uitgelogd omdat u al 1 uur bent ingelogd." in text(client.get(response.location))
    app.extensions["zvt_engine"].close()


def test_logging_out_clears_the_session_and_a_copied_cookie_stops_working(app, client, auth):
    auth.login("procesregisseur")
    stolen = client.get_cookie("zvt_session").value
    response = auth.logout()
    assert response.status_code == 302 and response.location == "/inloggen"
    assert "U bent uitgelogd." in text(client.get("/inloggen"))
    with client.session_transaction() as session:
        assert "username" not in session
    assert client.get("/").status_code == 302

    other = app.test_client()
    other.set_cookie("zvt_session", stolen)
    assert other.get("/").status_code == 302


def test_logging_out_needs_a_post(client, auth):
    auth.login("procesregisseur")
    assert client.get("/uitloggen").status_code == 405
    assert client.get("/").status_code == 200


def test_the_login_page_sends_a_logged_in_user_on(client, auth):
    auth.login("procesregisseur")
    assert client.get("/inloggen").location == "/"


def _other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _secret_on(response) -> str:
    match = re.search(r'<code class="utrecht-code zvt-secret">([A-Z2-7 ]+)</code>', text(response))
    assert match, "no secret on the page"
    return match.group(1).replace(" ", "")


def _seconds(n: int) -> timedelta:
    return timedelta(seconds=n)
