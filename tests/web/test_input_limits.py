"""Bad input is refused before it reaches the database: ids that cannot exist (404), control
characters (400 in Dutch), bodies past the limit (413 in Dutch), dates out of their bounds."""
import pytest
from sqlalchemy import func, select

from engine import casework
from engine.db import HistoryEntry, Instance
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding
from tests.web.conftest import AuthActions, build_app, client_for
from tests.web.test_casework_pages import HERE, WOONFRIESLAND, open_task

CONTROL_PAGE = "Er stond een teken in wat u stuurde dat niet kan"
CONTROL_FIELD = "Hier staat een teken dat niet kan"
AANMELDING_FORM = {"betrokkene_naam": "Meneer B. Bakker", "betrokkene_adres": "Demoweg 2, Heerenveen",
                   "reden_aanmelding": "Overlast en zorgen over verwaarlozing.", "situaties": ["overlast"],
                   "leefgebieden": ["wonen", "zelfzorg"], "zelfregie": "nee", "grote_maatschappelijke_impact": "nee",
                   "betrokkene_op_de_hoogte": "ja", "toestemming": "ja", "grondslag_afgewogen": "ja"}


@pytest.fixture
def case(engine):
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    engine.complete(open_task(engine, number).id, OPPAKKEN, actor="procesregisseur")
    return number


def count_cases(engine) -> int:
    with engine.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(Instance))


@pytest.mark.parametrize("path", [
    "/casussen/2147483648", "/casussen/99999999999999999999", "/casussen/0", "/casussen/-1",
    "/casussen/2147483648/termijnen/pauzeren", "/taken/99999999999999999999", "/taken/not-a-task",
    "/taken/00000000-0000-0000-0000-00000000000G",
])
def test_ids_that_cannot_exist_are_404_not_a_database_error(auth, client, case, path):
    auth.login("procesregisseur")
    response = client.post(path, data={}) if path.endswith("pauzeren") else client.get(path)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_the_largest_case_number_the_database_holds_still_reaches_the_engine(auth, client, engine, case):
    auth.login("procesregisseur")
    assert client.get("/casussen/2147483647").status_code == 404  # no such case, asked of the database
    assert client.get(f"/casussen/{case}").status_code == 200
    assert client.get(f"/taken/{open_task(engine, case).id}").status_code == 200


def test_a_nul_in_the_pause_reason_is_refused_in_dutch_and_nothing_is_paused(auth, client, engine, case):
    auth.login("procesregisseur")
    page = f"/casussen/{case}"
    response = auth.post(f"{page}/termijnen/pauzeren", {"reden": "Wacht op\x00 een kopie."}, token_from=page)
    assert response.status_code == 400 and CONTROL_PAGE in response.get_data(as_text=True)
    assert engine.instance(case).paused_at is None


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_a_task_address_or_query_string_are_refused(auth, client, engine, case, character):
    auth.login("procesregisseur")
    task = open_task(engine, case)
    for path in (f"/taken/{task.id}{character}", f"/taken/{character}", f"/taken?zoek=a{character}b"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert CONTROL_PAGE in response.get_data(as_text=True)


def test_a_nul_in_the_name_of_an_aanmelding_is_a_dutch_field_error_and_no_case_is_made(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    auth.login("politie")
    before = count_cases(engine)
    response = auth.post("/aanmelding/nieuw", {**AANMELDING_FORM, "betrokkene_naam": "Meneer\x00 B. Bakker"},
                         token_from="/aanmelding/nieuw")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and CONTROL_FIELD in body
    assert "Demoweg 2, Heerenveen" in body  # the rest of what was typed stays
    assert count_cases(engine) == before
    # Tab and new lines are text a person types: the same aanmelding with them is filed.
    done = auth.post("/aanmelding/nieuw", {**AANMELDING_FORM, "reden_aanmelding": "Overlast.\r\n\tEn zorgen."},
                     token_from="/aanmelding/nieuw")
    assert done.status_code == 302 and count_cases(engine) == before + 1


def test_a_control_character_in_a_task_form_is_a_field_error_and_the_task_stays_open(auth, client, engine, case):
    auth.login("procesregisseur")
    task = open_task(engine, case)
    form = {"datum_geinformeerd": INFORMEREN["datum_geinformeerd"], "manier": "gesprek", "gegevens_en_doel": "ja",
            "bronnen_en_ontvangers": "WoonFriesland\x0b en GGZ", "rechten_uitgelegd": "ja", "uitgenodigd_voor_plan": "ja"}
    response = auth.post(f"/taken/{task.id}", form, token_from=f"/taken/{task.id}")
    assert response.status_code == 400 and CONTROL_FIELD in response.get_data(as_text=True)
    assert open_task(engine, case).id == task.id
    with engine.database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry)
                                  .where(HistoryEntry.task_id == task.id)) == 0
    # A control character in a field's name is refused before the form is read.
    named = auth.post(f"/taken/{task.id}", {**form, "bronnen_en_ontvangers": "WoonFriesland", "x\x00": "1"},
                      token_from=f"/taken/{task.id}")
    assert named.status_code == 400 and CONTROL_PAGE in named.get_data(as_text=True)


def test_a_body_past_the_limit_is_413_in_dutch_and_nothing_is_paused(auth, client, engine, case):
    auth.login("procesregisseur")
    page = f"/casussen/{case}"
    response = auth.post(f"{page}/termijnen/pauzeren", {"reden": "x" * (5 * 1024 * 1024)}, token_from=page)
    assert response.status_code == 413
    assert "Wat u wilde versturen is te groot." in response.get_data(as_text=True)
    assert engine.instance(case).paused_at is None


def test_the_body_limit_follows_the_setting(engine, database_url, clock, case):
    app = build_app(database_url, clock, environment="development", max_request_kb=64)
    try:
        auth = AuthActions(client_for(app))
        auth.login("procesregisseur")
        page = f"/casussen/{case}"
        assert auth.post(f"{page}/termijnen/pauzeren", {"reden": "x" * 70_000}, token_from=page).status_code == 413
        # Under the limit the request is read; the reason is then too long for the timeline.
        too_long = auth.post(f"{page}/termijnen/pauzeren", {"reden": "x" * 1001}, token_from=page)
        assert too_long.status_code == 400
        assert "Gebruik hoogstens 1000 tekens voor de reden." in too_long.get_data(as_text=True)
        assert engine.instance(case).paused_at is None
        done = auth.post(f"{page}/termijnen/pauzeren", {"reden": "x" * 1000}, token_from=page)
        assert done.status_code == 302 and engine.instance(case).paused_at is not None
    finally:
        app.extensions["zvt_engine"].close()


@pytest.mark.parametrize("birth_date, accepted", [
    ("2026-11-27", True),    # today by the test clock: a baby may be referred on its first day
    ("2026-11-28", False),   # tomorrow
    ("1900-01-01", True), ("1899-12-31", False), ("0001-01-01", False), ("9999-12-31", False),
])
def test_a_birth_date_lies_in_the_plausible_past(auth, client, engine, birth_date, accepted):
    engine.deploy(PROCESSES, FORMS)
    auth.login("politie")
    before = count_cases(engine)
    response = auth.post("/aanmelding/nieuw", {**AANMELDING_FORM, "betrokkene_geboortedatum": birth_date},
                         token_from="/aanmelding/nieuw")
    body = response.get_data(as_text=True)
    if accepted:
        assert response.status_code == 302 and count_cases(engine) == before + 1
    else:
        assert response.status_code == 400 and count_cases(engine) == before
        assert ("Kies vandaag of een eerdere datum." in body or "Kies 1 januari 1900 of een latere datum." in body)
