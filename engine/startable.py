"""Which processes a user may start by hand, each with its start form: for the API's list of
processes (web/api/), where a partner system learns what `data` a new case takes.

The policy decides (`policy.may_start`); a process that starts by its own timer is never listed.
Reads no case data, so it writes no access-log row.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from . import partner_choices, policy
from .api import Engine
from .db import Definition
from .definitions import is_scheduled, start_form_key
from .identity import User
from .queries import latest_definition


@dataclass(frozen=True)
class Startable:
    process_id: str
    name: str | None
    start_form: dict | None  # its JSON Schema, the register's partners as choices; None: no form


def processes(engine: Engine, user: User) -> list[Startable]:
    found = []
    with engine.database.unit_of_work(write=False) as uow:
        day = partner_choices.today(engine.clock)
        for process_id in uow.session.scalars(select(Definition.process_id).distinct().order_by(Definition.process_id)):
            if not policy.may_start(user, process_id):
                continue
            definition = latest_definition(uow.session, process_id)
            spec = engine.store.specs(definition)[0]
            if is_scheduled(spec):
                continue
            key = start_form_key(spec)
            found.append(Startable(process_id, definition.name, partner_choices.expand(
                definition.forms.get(key) if key else None, uow.session, day)))
    return found
