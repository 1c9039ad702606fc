"""`zvt:actie`: a script task runs named engine code in its step's transaction (engine/step_actions.py).
Deploy refuses an action that does not exist or sits on the wrong element, and a step that fails
after its action ran leaves none of the action's rows, also when the scheduler fired it together
with other cases. An action that refuses what a form entered refuses the form, with nothing
saved; an action that records what its task's script worked out runs after that script."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused, InvalidTaskData
from engine.db import AccessReview, HistoryEntry, OutboxMail, Partner, Timer
from engine.register_changes import PARTNER_EXISTS

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0" id="defs_{pid}" '
        'targetNamespace="http://example.org/zvt-test">\n')


def timed(pid: str, *, action: str = "toegangsreview_opstellen", element: str = "scriptTask",
          after: str = "klaar = True", wait: bool = True) -> str:
    """start -> wait one hour (unless not `wait`) -> prepare -> the action's task (its own script:
    `after`) -> end."""
    prepare = ('review_kwartaal = "2027-K1"\nreview_soort = "volledig"\nreview_rollen = ["beheerder"]\n'
               'review_termijn = "2027-01-18T09:00:00+01:00"')
    body = f'<bpmn:script>{after}</bpmn:script>' if element == "scriptTask" else ""
    timer = ('<bpmn:intermediateCatchEvent id="wachten"><bpmn:timerEventDefinition>'
             '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
             '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
             '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wachten" />'
             '<bpmn:sequenceFlow id="f2" sourceRef="wachten" targetRef="voorbereiden" />') if wait else \
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="voorbereiden" />'
    return (HEAD.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            '<bpmn:startEvent id="start" />' + timer +
            f'<bpmn:scriptTask id="voorbereiden"><bpmn:script>{prepare}</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:{element} id="actie" zvt:actie="{action}">{body}</bpmn:{element}>'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="voorbereiden" targetRef="actie" />'
            '<bpmn:sequenceFlow id="f4" sourceRef="actie" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>\n')


def after_a_form(pid: str, action: str, script: str) -> str:
    """start -> a user task -> the action's task (its own script: `script`) -> end."""
    return (HEAD.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            '<bpmn:laneSet><bpmn:lane id="beheer" zvt:rol="beheerder"><bpmn:flowNodeRef>invullen</bpmn:flowNodeRef>'
            '</bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="start" /><bpmn:userTask id="invullen" />'
            f'<bpmn:scriptTask id="actie" zvt:actie="{action}"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="invullen" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="invullen" targetRef="actie" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="actie" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>\n')


NIEUWE_PARTNER = {"nieuwe_partner_naam": "Voorbeeld Zorg", "grondslag": "anders", "grondslag_toelichting": "art. 6 lid 1 e",
                  "toegetreden_op": "2027-02-01", "contact_fg": "privacy@voorbeeldzorg.example",
                  "contact_verantwoordelijke": "datalek@voorbeeldzorg.example", "contactpersoon_naam": "C. Bakker",
                  "contactpersoon_email": "c.bakker@voorbeeldzorg.example", "gemachtigde_naam": "D. Visser",
                  "gemachtigde_email": "d.visser@voorbeeldzorg.example"}


def form_for(folder, pid: str, fields) -> None:
    """The user task `invullen`'s form: each field a required text."""
    (folder / "forms" / pid).mkdir(parents=True)
    (folder / "forms" / pid / "invullen.schema.json").write_text(json.dumps(
        {"type": "object", "required": sorted(fields), "properties": {f: {"type": "string"} for f in fields}}))


def add_partner(engine, code: str) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id=code, name=code.upper(), kind="convenant", grondslag="-", active=True))
        uow.commit()


def deploy(engine, folder, **documents) -> None:
    (folder / "processes").mkdir(exist_ok=True)
    for pid, text in documents.items():
        (folder / "processes" / f"{pid}.bpmn").write_text(text)
    engine.deploy(folder / "processes")


def reviews(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(AccessReview))


@pytest.mark.parametrize("action, element, reason", [
    ("iets_anders", "scriptTask", "attribute 'zvt:actie' must be one of: managementrapportage_cijfers, "
                                  "partner_opnemen, toegangsreview_laten_vervallen, toegangsreview_opstellen, vertrekdag_vastleggen; "
                                  "not 'iets_anders'"),
    ("toegangsreview_opstellen", "task", "zvt:actie does not belong on a task"),
])
def test_deploy_refuses_an_action_that_does_not_exist_or_sits_on_the_wrong_element(engine, tmp_path, action,
                                                                                  element, reason):
    with pytest.raises(DefinitionRefused) as refused:
        deploy(engine, tmp_path, fout=timed("fout", action=action, element=element))
    assert [(p.element, p.reason) for p in refused.value.problems] == [("actie", reason)]


def test_the_action_runs_in_the_step_and_its_result_is_in_the_case(engine, tmp_path, clock):
    deploy(engine, tmp_path, goed=timed("goed", after="aantal = review_lijsten"))
    case = engine.start("goed", {}, actor="piet")
    assert reviews(engine) == 0
    assert engine.fire_due_timers(clock.advance(hours=1)) == 1
    assert reviews(engine) == 1
    assert engine.instance(case).data["aantal"] == 0  # no partner: no lists, and the script saw the result


def test_an_action_in_the_first_step_of_a_start_writes_rows_that_refer_to_the_new_case(engine, tmp_path, clock):
    """A start inserts its case row with the step's other rows; an action writes (and flushes) rows
    of its own that refer to the case before that, so the case row goes in before the action runs."""
    deploy(engine, tmp_path, direct=timed("direct", after="aantal = review_lijsten", wait=False))
    case = engine.start("direct", {}, actor="piet")
    assert engine.instance(case).status == "completed"
    assert engine.instance(case).data["aantal"] == 0
    with engine.database.unit_of_work(write=False) as uow:
        assert list(uow.session.scalars(select(AccessReview.instance_id))) == [case]
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry)
                                  .where(HistoryEntry.instance_id == case, HistoryEntry.bpmn_id == "actie")) == 1


def test_a_step_that_fails_after_its_action_leaves_none_of_its_rows_and_the_other_cases_fire(engine, tmp_path,
                                                                                             clock):
    add_partner(engine, "p")
    deploy(engine, tmp_path, goed=timed("goed"), fout=timed("fout", after="x = 1 / 0"))
    broken, fine = engine.start("fout", {}, actor="piet"), engine.start("goed", {}, actor="piet")

    assert engine.fire_due_timers(clock.advance(hours=1)) == 1  # fired together, then one by one
    assert engine.instance(fine).status == "completed"
    assert engine.instance(broken).status == "running"
    with engine.database.unit_of_work(write=False) as uow:
        [(attempts, error)] = uow.session.execute(select(Timer.attempts, Timer.last_error)
                                                  .where(Timer.instance_id == broken))
        assert attempts == 1 and "the process could not continue" in error
        instances = list(uow.session.scalars(select(AccessReview.instance_id)))
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry)
                                  .where(HistoryEntry.instance_id == broken, HistoryEntry.bpmn_id == "actie")) == 0
    assert instances == [fine]


def test_an_action_that_refuses_what_the_form_entered_refuses_the_form_and_nothing_is_saved(engine, tmp_path):
    add_partner(engine, "politie")
    form_for(tmp_path, "toetreden", [*NIEUWE_PARTNER, "partnercode"])
    deploy(engine, tmp_path, toetreden=after_a_form("toetreden", "partner_opnemen", "klaar = True"))
    case = engine.start("toetreden", {}, actor="piet")
    [task] = engine.ready_tasks(case)

    with pytest.raises(InvalidTaskData) as refused:
        engine.complete(task.id, {**NIEUWE_PARTNER, "partnercode": "politie"}, actor="piet")
    assert [(e.field, e.code) for e in refused.value.errors] == [("partnercode", PARTNER_EXISTS)]
    assert [t.id for t in engine.ready_tasks(case)] == [task.id]
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Partner, "politie").name == "POLITIE"
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry)
                                  .where(HistoryEntry.instance_id == case, HistoryEntry.bpmn_id == "invullen")) == 0
        assert uow.session.scalar(select(func.count()).select_from(OutboxMail)) == 0

    engine.complete(task.id, {**NIEUWE_PARTNER, "partnercode": "voorbeeldzorg"}, actor="piet")
    assert engine.instance(case).status == "completed"
    with engine.database.unit_of_work(write=False) as uow:
        added = uow.session.get(Partner, "voorbeeldzorg")
        assert (added.name, added.grondslag, added.joined_on) == ("Voorbeeld Zorg", "art. 6 lid 1 e", "2027-02-01")
        # Its contactpersoon is invited to request the partner's accounts, in the same step.
        assert list(uow.session.scalars(select(OutboxMail.recipient))) == ["c.bakker@voorbeeldzorg.example"]


def test_an_action_that_records_what_the_script_worked_out_runs_after_the_script(engine, tmp_path):
    add_partner(engine, "accolade")
    script = 'opzeggende_partner = "accolade"\neinddatum_deelname = add_maanden("2026-11-30", 3)[0:10]'
    form_for(tmp_path, "opzeggen", [])
    deploy(engine, tmp_path, opzeggen=after_a_form("opzeggen", "vertrekdag_vastleggen", script))
    case = engine.start("opzeggen", {}, actor="piet")
    [task] = engine.ready_tasks(case)
    engine.complete(task.id, {}, actor="piet")
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Partner, "accolade").left_on == "2027-02-28"
