"""The engine's commands on a case: start it, complete a task, give a task to someone.

Part of `Engine` (engine/api.py); each command is one transaction, saved whole or not at all.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, select, update

from . import partner_choices, runtime, step_writes, taking_part
from .clock import aware
from .db import Definition, HumanTask, Instance, Timer
from .definitions import is_scheduled, start_form_key
from .driver_batch import Batch, columns_of, persistent
from .engine_part import EnginePart
from .errors import Conflict, EngineError, TaskClosedByDeadline
from .queries import latest_definition, read_only_of, require_open
from .steps import Preloaded, Step
from .unit_of_work import affected
from .validation import check_data


class Commands(EnginePart):
    def start(self, process_id: str, data: dict | None, actor: str, context: dict | None = None,
              audit: Callable | None = None) -> int:
        """Start the latest version of a process; return the instance id.

        `data` is what the starter filled in: checked against the form of the start event
        when the process has one. `context` is what the caller knows for certain (the
        starter's organisation, say), added as is; its names may not clash with the form.
        `audit(session, instance_id)` runs in the same transaction, to write the access log.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            # The new case's id is read with the definition: on PostgreSQL in one round trip.
            batch = Batch(uow.session.connection())
            case_id = step_writes.new_case_id(batch)
            definition = latest_definition(uow.session, process_id, batch)
            spec = self.store.specs(definition)[0]
            if is_scheduled(spec):
                raise EngineError(f"process '{process_id}' starts by its timer and cannot be started by hand")
            key = start_form_key(spec)
            schema = partner_choices.expand(definition.forms.get(key) if key else None, uow.session,
                                            partner_choices.day_of(now))
            data = check_data(data, schema or {"type": "object"}, self._reserved, now=now)
            context = check_data(context, {"type": "object"}, self._reserved)
            clash = sorted(set(data) & set(context))
            if clash:
                raise ValueError(f"context may not overwrite form fields: {', '.join(clash)}")
            instance = self._new_instance(uow.session, definition, {**data, **context}, actor, now, case_id.scalar())
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()
            return instance.id

    def _new_instance(self, session, definition: Definition, data: dict, actor: str, now: datetime,
                      case_id: int | None = None) -> Instance:
        """A new case, run to its first wait and saved; `case_id` as read by step_writes.new_case_id,
        or None to read it now. Its row is inserted when the step saves, with the step's other rows."""
        if case_id is None:
            batch = Batch(session.connection())
            read = step_writes.new_case_id(batch)
            batch.send()
            case_id = read.scalar()
        instance = Instance(
            id=case_id, definition_id=definition.id, process_id=definition.process_id, status="running",
            state=None, data={}, started_at=now, started_by=actor, updated_at=now,
        )
        workflow = self.store.new(definition)
        workflow.task_tree.data.update(data)
        step = Step(session, self.store, definition, instance, workflow, now, Preloaded.of_new_case(instance.id))
        step.run(lambda wf: None)
        step.save(actor, {"start": data} if data else None)
        return instance

    def complete(self, task_id: str, data: dict | None | Callable[[dict | None, dict], dict], actor: str,
                 audit: Callable | None = None, guard: Callable | None = None,
                 looked_up: Callable | None = None) -> None:
        """Complete a ready user task with form data, checked against its JSON Schema.

        `data` may be a function `data(schema, read_only_values)` that gives the data: a form post
        is then read with the form and the case's values as they are in this transaction.

        Raises InvalidTaskData (every failing field, nothing saved), TaskNotFound, or
        Conflict/TaskAlreadyCompleted when someone else completed or changed it first.
        Timers of the case that are due fire first, as the scheduler would have: a deadline
        that passed a moment ago still escalates, and an interrupting one that closed the
        task raises TaskClosedByDeadline (the deadline's path is saved, the data is not). While
        the case's deadlines are paused (`pause_deadlines`) no timer of the case fires.
        `audit(session, instance_id)` runs in the same transaction, to write the access log.
        `guard(session, task_row, instance)` runs first, in the same transaction: it returns None
        to go on, or an exception, which is raised after committing what the guard wrote (the
        record of a refusal) and nothing else. `looked_up(session, schema, instance)` gives the
        values of read-only fields that are looked up rather than held by the case (other cases'
        data, engine/named_cases.py), for the form's rules to check against; never stored.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            loaded = load_task_case(uow.session, task_id)
            if loaded is None:
                self._raise_missing_task(uow.session, task_id)
            row, definition, instance, preloaded = loaded
            require_open(instance)
            apply_guard(uow, guard, row, instance)
            workflow = self.store.load(definition, instance.state)
            task = runtime.find_task(workflow, task_id)
            if task is None or task not in runtime.ready_user_tasks(workflow):
                raise Conflict("this task is no longer open; someone else changed the case first")
            schema = partner_choices.expand(definition.forms.get(row.form) if row.form else None, uow.session,
                                            partner_choices.day_of(now))
            if callable(data):
                data = data(schema, read_only_of(task, schema))
            extra = looked_up(uow.session, schema, instance) if looked_up is not None and schema else {}
            data = check_data(data, schema, self._reserved, case={**task.data, **extra}, now=now)
            fired = self._fire_due_first(uow.session, definition, instance, workflow, now, preloaded)
            if fired and task not in runtime.ready_user_tasks(workflow):
                uow.commit()
                raise TaskClosedByDeadline("the deadline of this task passed before it was completed")
            # After a timer fired, its step changed the case's rows: this step reads them again.
            step = Step(uow.session, self.store, definition, instance, workflow, now, None if fired else preloaded)

            def finish(_workflow):
                task.data.update(data)
                task.run()

            step.run(finish)
            step.save(actor, {task_id: data})
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()

    def assign(self, task_id: str, assignee: str | None, expected: str | None, guard: Callable | None = None) -> None:
        """Give an open task to `assignee` (None: back to the role's shared list).

        `expected` is who the caller saw holding it; if someone else changed it meanwhile,
        nothing changes and Conflict is raised. `guard` as for `complete`.
        """
        with self.database.unit_of_work() as uow:
            row = uow.session.get(HumanTask, task_id)
            if row is None:
                self._raise_missing_task(uow.session, task_id)
            if guard is not None:  # the case is read only for the guard
                apply_guard(uow, guard, row, uow.session.get(Instance, row.instance_id))
            holder = HumanTask.assignee.is_(None) if expected is None else HumanTask.assignee == expected
            changed = affected(uow.session.execute(
                update(HumanTask).where(HumanTask.id == task_id, holder).values(assignee=assignee)))
            if changed != 1:
                raise Conflict("someone else took or gave away this task first")
            uow.commit()


# Built once: constructing a statement costs about as much as running it on SQLite.
_CASE_OF_TASK = select(HumanTask.instance_id).where(HumanTask.id == bindparam("task_id")).scalar_subquery()
_TASK_COLUMNS, _CASE_COLUMNS, _DEFINITION_COLUMNS = (columns_of(model) for model in (HumanTask, Instance, Definition))
_TASK_CASE = (select(*_TASK_COLUMNS, *_CASE_COLUMNS, *_DEFINITION_COLUMNS, taking_part.changed(Instance.id))
              .join(Instance, Instance.id == HumanTask.instance_id)
              .join(Definition, Definition.id == Instance.definition_id)
              .where(HumanTask.instance_id == _CASE_OF_TASK))
_CASE_TIMERS = select(*columns_of(Timer)).where(Timer.instance_id == _CASE_OF_TASK)


def load_task_case(session, task_id: str) -> tuple[HumanTask, Definition, Instance, Preloaded] | None:
    """An open task's row, its case and the case's definition, with what the step will need of the
    case (every open-task and timer row, and whether its participation changed), in two statements
    sent together (on PostgreSQL one round trip with the transaction's BEGIN) instead of six; None
    when no task has this id. Deployed definitions never change, so reading one with its case is
    safe. The rows become the session's objects as a query's would (driver_batch.persistent)."""
    batch = Batch(session.connection())
    found = batch.read(_TASK_CASE, {"task_id": task_id})
    timer_rows = batch.read(_CASE_TIMERS, {"task_id": task_id})
    batch.send()
    if not found.rows:
        return None
    tasks, cases = len(_TASK_COLUMNS), len(_TASK_COLUMNS) + len(_CASE_COLUMNS)
    first = found.rows[0]
    instance = persistent(session, Instance, first[tasks:cases])
    definition = persistent(session, Definition, first[cases:-1])
    rows = [persistent(session, HumanTask, found_row[:tasks]) for found_row in found.rows]
    row = next((r for r in rows if r.id == task_id), None)
    if row is None:
        return None
    timers = [persistent(session, Timer, values) for values in timer_rows.rows]
    preloaded = Preloaded({(HumanTask, instance.id): rows, (Timer, instance.id): timers},
                          changes={} if first[-1] else {instance.id: {}})
    return row, definition, instance, preloaded


def apply_guard(uow, guard: Callable | None, *rows) -> None:
    """Run a caller's guard on the command's rows (task and case, or the case alone); raise its
    refusal after committing what it wrote (its log row)."""
    if guard is None:
        return
    refusal = guard(uow.session, *rows)
    if refusal is not None:
        uow.commit()
        raise refusal
