"""The scale benchmark's generated cases (bench/scale_fill.py, PostgreSQL only: it copies in SQL) are
cases the engine can work with: one opens and its task completes, the inbox and Casussen show
exactly what the policy allows, and `zvt audit verify` finds their history and access log chained
(and still finds a changed row). No timing."""
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from bench.scale_fill import DIRECTING, fill
from engine import Engine, casework
from engine.case_search import name_key
from engine.caselist import Filters, list_cases
from engine.db import AccessLogEntry, HistoryEntry, HumanTask, Instance
from engine.identity import Origin, User
from engine.queries import latest_definition
from engine.ui_schema import person_fields
from tests.conftest import empty_database
from zvt.cli import main

HERE = Origin("192.0.2.1", "test")


@pytest.fixture
def filled(request, tmp_path):
    url = empty_database(request, "postgresql", tmp_path)
    made = fill(url, 300, 200, log=lambda *_: None)
    engine = Engine(url)
    yield engine, made["templates"]
    engine.close()


def _open_lanes(session) -> dict[int, set]:
    lanes: dict[int, set] = {}
    for instance_id, lane, partner in session.execute(select(HumanTask.instance_id, HumanTask.lane, HumanTask.partner)):
        lanes.setdefault(instance_id, set()).add(casework.policy.lane_key(lane, partner))
    return lanes


def test_a_generated_case_opens_and_its_task_completes(filled):
    engine, templates = filled
    with engine.database.unit_of_work(write=False) as uow:
        task = uow.session.scalars(select(HumanTask).where(
            HumanTask.bpmn_id == "privacycheck", HumanTask.assignee.is_not(None),
            HumanTask.instance_id.not_in(templates.values())).limit(1)).one()
        task_id, case, assignee = task.id, task.instance_id, task.assignee
    regisseur = User(assignee, "Regisseur", DIRECTING, frozenset({"procesregisseur"}), directs=True)
    page = casework.view_case(engine, regisseur, case, HERE)
    assert [t.id for t in page.open_tasks] == [task_id]
    casework.submit_task(engine, regisseur, task_id, {"uitgenodigde_partners": [DIRECTING, "woonfriesland"],
                                                      "noodzaak_nagegaan": True}, HERE)
    assert [t.bpmn_id for t in engine.ready_tasks(case)] == ["zorgoverleg"]
    assert [h.bpmn_id for h in engine.history(case) if h.task_type == "UserTask"][-1] == "privacycheck"


def test_generated_cases_keep_their_search_keys_and_show_as_the_policy_allows(filled):
    engine, _ = filled
    with engine.database.unit_of_work(write=False) as uow:
        session = uow.session
        lanes = _open_lanes(session)
        cases = session.execute(select(Instance.id, Instance.process_id, Instance.participants, Instance.status,
                                       Instance.data, Instance.search_name)
                                .where(Instance.status.in_(("running", "completed")))).all()
        assignee = session.scalar(select(HumanTask.assignee).where(HumanTask.assignee.is_not(None)).limit(1))
        fields = {"zvt_casus": person_fields(latest_definition(session, "zvt_casus").forms, "zvt_casus"),
                  "klacht": person_fields(latest_definition(session, "klacht").forms, "klacht")}
    generated = [c for c in cases if c.process_id in fields]
    assert len(generated) > 500
    for case in generated:
        assert case.search_name == name_key(case.data[fields[case.process_id][0]])
    for user in (User(assignee, "R", DIRECTING, frozenset({"procesregisseur"}), directs=True),
                 User("m.woonfriesland", "M", "woonfriesland", frozenset({"partnermedewerker"})),
                 User("m.politie", "M", "politie", frozenset({"partnermedewerker"})),
                 User("t.gemeente", "T", DIRECTING, frozenset({"teamleider"}), directs=True)):
        allowed = sorted((c.id for c in cases if casework.policy.may_view_case(
            user, c.process_id, c.participants or [], lanes.get(c.id, set()))), reverse=True)
        listed = list_cases(engine, user, Filters(status="all"), HERE)
        assert listed.total == len(allowed) > 0
        assert [row.number for row in listed.rows] == allowed[:25]
        last = list_cases(engine, user, Filters(status="all", page=listed.pages), HERE)
        assert [row.number for row in last.rows] == allowed[(listed.pages - 1) * 25:]
        inbox = casework.inbox(engine, user)
        with engine.database.unit_of_work(write=False) as uow:
            tasks = uow.session.scalars(select(HumanTask)).all()
            expected = {t.id for t in tasks if t.lane in user.roles and t.assignee in (None, user.username)
                        and casework.policy.may_do_task(user, t.lane, t.process_id,
                                                        _participants(cases, t.instance_id),
                                                        {casework.policy.lane_key(t.lane, t.partner)}, t.partner)}
        assert {item.task.id for item in inbox.items} == expected
        if user.username == assignee:
            assert inbox.mine and inbox.for_my_roles  # assigned to them, and unassigned ones of the lane


def _participants(cases, number: int) -> list:
    return next(c.participants or [] for c in cases if c.id == number)


def _verify(monkeypatch, url: str) -> tuple[int, dict[str, str]]:
    """`zvt audit verify` on the database, with the development key the benchmark's app runs with."""
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", url)
    monkeypatch.delenv("ZVT_AUDIT_KEY", raising=False)
    monkeypatch.delenv("ZVT_AUDIT_ANCHOR_FILE", raising=False)
    result = CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False)
    return result.exit_code, {line.split(":")[0]: line for line in result.output.splitlines()}


def _sql(engine, statement: str, **values) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.execute(text(statement), values)
        uow.commit()


def test_the_generated_cases_history_and_access_log_verify_and_a_changed_row_is_still_found(filled, monkeypatch):
    engine, templates = filled
    with engine.database.unit_of_work(write=False) as uow:
        session = uow.session
        counts = {"history": session.scalar(select(func.count()).select_from(HistoryEntry)),
                  "access_log": session.scalar(select(func.count()).select_from(AccessLogEntry))}
        # Copies' rows: a history row whose data has the copy's own name (its digest computed by the fill),
        # a later one of another copy, and an access-log row.
        named = session.scalar(select(HistoryEntry.id).where(
            HistoryEntry.instance_id.not_in(templates.values()),
            text("CAST(data AS jsonb) ? 'betrokkene_naam'")).order_by(HistoryEntry.id).offset(50).limit(1))
        later = session.scalar(select(HistoryEntry.id).where(
            HistoryEntry.instance_id.not_in(templates.values()), HistoryEntry.id > named + 500).limit(1))
        logged = session.scalar(select(AccessLogEntry.id).order_by(AccessLogEntry.id).offset(300).limit(1))
    assert counts["history"] > 5000 and counts["access_log"] == 500  # one access-log row per copy
    code, lines = _verify(monkeypatch, engine.database.url)
    assert code == 0, lines
    assert lines["history"] == f"history: intact, {counts['history']} rows, last anchor none"
    assert lines["access_log"] == f"access_log: intact, {counts['access_log']} rows, last anchor none"

    _sql(engine, "UPDATE history SET actor = 'iemand' WHERE id = :id", id=later)
    _sql(engine, "UPDATE access_log SET username = 'iemand' WHERE id = :id", id=logged)
    code, lines = _verify(monkeypatch, engine.database.url)
    assert code == 1
    assert lines["history"].startswith(f"history: BROKEN at row {later}: changed: its hash does not match its fields")
    assert lines["access_log"].startswith(f"access_log: BROKEN at row {logged}: changed")
    # The data of an earlier row: its digest, which its hash covers, no longer matches.
    _sql(engine, "UPDATE history SET data = CAST(CAST(data AS jsonb) || '{\"betrokkene_naam\": \"Iemand\"}' AS json) "
                 "WHERE id = :id", id=named)
    code, lines = _verify(monkeypatch, engine.database.url)
    assert lines["history"] == (f"history: BROKEN at row {named}: changed: its data does not match the digest its "
                                "hash covers")
