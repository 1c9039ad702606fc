"""engine/policy.py's `may_view_case` as one SQL condition on `instances`, for Casussen.

The case list cannot run the policy in Python over every case (a million closed ones, a hundred
thousand open), so it asks the database for the cases the rule allows, counts and pages them there.
This is the same rule, clause by clause, with the same inputs the case page gives the policy: the
process's covenant rules (processes/process_rules.json), the case's `participants` and the lanes of
its open tasks (`human_tasks`, as `policy.lane_key`). tests/engine/test_case_visibility.py checks
that, on SQLite and PostgreSQL, it selects exactly the cases `may_view_case` allows, for every role
and partner over generated cases.

- A process without personal data: open to the roles that work in it.
- Every other process (unknown ones too: deny by default), for a role that sees personal data:
  the directing procesregisseur in the processes a procesregisseur directs; a caseworker of a partner
  taking part; the directing teamleider while the case has an open teamleider task; the FG of a
  partner taking part while the case has an open FG task; anyone while the case has an open task in
  one of their roles bound to their own organisation.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, cast, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from . import policy
from .db import HumanTask, Instance
from .identity import User
from .process_rules import active as rules


def takes_part(partner: str, dialect: str):
    """The case's `participants` (a JSON list) holds `partner`, as `partner in participants` does."""
    if dialect == "postgresql":
        # Read from ix_instances_status_id, which holds `participants` (revision 0030).
        return cast(Instance.participants, JSONB).contains([partner])
    member = func.json_each(Instance.participants).table_valued("value").alias("member")
    return exists(select(literal(1)).select_from(member).where(member.c.value == partner))


def _open_task(*conditions):
    # Not a correlated EXISTS: PostgreSQL reads these few tasks once (a hashed subplan) instead of
    # probing human_tasks for each of a hundred thousand cases.
    return Instance.id.in_(select(HumanTask.instance_id).where(*conditions))


def _open_lane(key: str):
    """The case has an open task whose `policy.lane_key` is `key`: a task of lane `key` for any
    partner, or a task whose "lane@partner" is `key`, for every place of an "@" in it (lane equality
    every time, so the lane's index answers)."""
    options = [and_(HumanTask.partner.is_(None), HumanTask.lane == key)]
    options += [and_(HumanTask.lane == key[:at], HumanTask.partner == key[at + 1:])
                for at, char in enumerate(key) if char == "@"]
    return _open_task(or_(*options))


def without_personal_data() -> list[str]:
    """The processes whose cases hold no personal data (processes/process_rules.json), sorted."""
    return sorted(p for p, rule in rules().processes.items() if not rule.personal_data)


def visible(user: User, dialect: str):
    """The SQL condition on `instances` under which `policy.may_view_case` lets `user` see a case."""
    processes = rules().processes
    without_personal = without_personal_data()
    allowed: list[ColumnElement[bool]] = []
    open_to_user = [p for p in without_personal if user.roles & processes[p].open_to_roles]
    if open_to_user:
        allowed.append(Instance.process_id.in_(open_to_user))
    if user.roles & policy.PERSONAL_DATA_ROLES:
        personal: list[ColumnElement[bool]] = []
        if policy.directs_cases(user):
            directed = sorted(p for p, rule in processes.items() if rule.personal_data and rule.directed_by_procesregisseur)
            if directed:
                personal.append(Instance.process_id.in_(directed))
        if user.roles & policy.CASEWORK_ROLES:
            personal.append(takes_part(user.partner, dialect))
        if user.directs and user.has("teamleider"):
            personal.append(_open_lane("teamleider"))
        if user.has("fg"):
            personal.append(and_(takes_part(user.partner, dialect), _open_lane("fg")))
        for role in sorted(user.roles & policy.PERSONAL_DATA_ROLES):
            personal.append(_open_lane(policy.lane_key(role, user.partner)))
        branch = or_(*personal)
        if without_personal:
            branch = and_(Instance.process_id.not_in(without_personal), branch)
        allowed.append(branch)
    return or_(*allowed) if allowed else false()
