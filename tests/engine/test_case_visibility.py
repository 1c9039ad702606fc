"""The case list's SQL (engine/case_visibility.py, engine/caselist.py's search) selects exactly what
the Python rules allow: `policy.may_view_case` for every role, partner and regie over generated cases,
and `name_matches` for names with odd capitals, spaces and characters. On SQLite and PostgreSQL."""
import random
from datetime import datetime, timezone

from sqlalchemy import select

from engine import case_visibility, policy
from engine.case_search import name_key
from engine.caselist import Search, _search_condition, name_matches, name_query
from engine.db import Definition, HumanTask, Instance
from engine.identity import User
from engine.process_rules import active as rules
from engine.roles import ROLES

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
PARTNERS = ["gemeente_heerenveen", "woonfriesland", "elkien", "politie", "ggz_friesland"]
LANES = ["procesregisseur", "partnermedewerker", "teamleider", "fg", "beheerder", "manager", None,
         "partnermedewerker@elkien"]  # not a role: a lane_key look-alike, which the rule must not confuse


def _add_definition(session) -> int:
    definition = Definition(process_id="zvt_casus", version=1, name="ZVT-casus", content_hash="x" * 64, specs="{}",
                            files={}, forms={}, deployed_at=NOW, deployed_by="test")
    session.add(definition)
    session.flush()
    return definition.id


def _generated_cases(session, count: int = 400) -> dict[int, tuple[str, list | None, set]]:
    """Cases with random processes (one unknown to the rules), participants and open tasks; returns
    per case number what the policy reads: (process, participants, open lanes)."""
    pick = random.Random(15)
    definition = _add_definition(session)
    processes = sorted(rules().processes) + ["onbekend_proces"]
    cases = {}
    for _ in range(count):
        process = pick.choice(processes)
        participants = pick.choice([None, [], pick.sample(PARTNERS, pick.randint(1, 3))])
        instance = Instance(definition_id=definition, process_id=process, status="running", state=None, data={},
                            participants=participants, started_at=NOW, started_by="test", updated_at=NOW)
        session.add(instance)
        session.flush()
        lanes = set()
        for task in range(pick.choice([0, 0, 1, 1, 2])):
            lane = pick.choice(LANES)
            partner = pick.choice([None, None, pick.choice(PARTNERS)])
            session.add(HumanTask(id=f"{instance.id}-{task}", instance_id=instance.id, process_id=process,
                                  bpmn_id="taak", name="Taak", lane=lane, partner=partner, form=None,
                                  assignee=None, due_at=None, created_at=NOW))
            lanes.add(policy.lane_key(lane, partner))
        cases[instance.id] = (process, participants, lanes)
    session.flush()
    return cases


def _users() -> list[User]:
    roles = [frozenset({role}) for role in sorted(ROLES)] + [
        frozenset({"procesregisseur", "teamleider"}), frozenset({"partnermedewerker", "fg"}),
        frozenset({"teamleider", "fg", "beheerder"}), frozenset()]
    return [User(f"u{n}", "Gebruiker", partner, role_set, directs=directs)
            for n, (partner, role_set, directs) in enumerate(
                (partner, role_set, directs) for partner in PARTNERS for role_set in roles for directs in (False, True))]


def test_the_case_list_selects_exactly_the_cases_the_policy_lets_each_reader_see(engine):
    with engine.database.unit_of_work() as uow:
        session = uow.session
        cases = _generated_cases(session)
        dialect = session.get_bind().dialect.name
        seen_some = 0
        for user in _users():
            allowed = {number for number, (process, participants, lanes) in cases.items()
                       if policy.may_view_case(user, process, participants or [], lanes)}
            selected = set(session.scalars(select(Instance.id).where(case_visibility.visible(user, dialect))))
            assert selected == allowed, (user, sorted(selected ^ allowed)[:5])
            seen_some += bool(allowed) and allowed != set(cases)
        assert seen_some > 20  # the generated cases tell readers apart: neither nothing nor everything


NAMES = ["Mevrouw A. de Vries", "Jan de  Vries", "Jannie de Vries", "STRAUß Anna", "Çelik  Yılmaz", "İpek Kaya",
         "Zoë van der Meer", "100% Jansen", "Piet_Jansen", "Anna/Bakker", "  Ruud\tKlaassen "]
QUERIES = ["de vries", "jan de vries", "strauss", "strauß", "çelik yılmaz", "i̇pek", "zoë", "zoe", "100%", "t_j", "0%",
           "o_", "a/b", "ruud klaassen", "an"]


def test_the_search_by_name_in_sql_finds_exactly_what_name_matches_finds(engine):
    with engine.database.unit_of_work() as uow:
        session = uow.session
        definition = _add_definition(session)
        numbers = {}
        for name in NAMES:
            instance = Instance(definition_id=definition, process_id="zvt_casus", status="running", state=None,
                                data={"betrokkene_naam": name}, participants=[], started_at=NOW, started_by="test",
                                updated_at=NOW, search_name=name_key(name))
            session.add(instance)
            session.flush()
            numbers[instance.id] = name
        for typed in QUERIES:
            query = name_query(typed)
            found = set(session.scalars(select(Instance.id).where(_search_condition(Search("naam", name=query)))))
            assert found == {n for n, name in numbers.items() if name_matches(query, name)}, typed
