"""`zvt:actie`: a script task runs named engine code in its step's transaction (engine/step_actions.py).
Deploy refuses an action that does not exist or sits on the wrong element, and a step that fails
after its action ran leaves none of the action's rows, also when the scheduler fired it together
with other cases."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused
from engine.db import AccessReview, HistoryEntry, Partner, Timer

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0" id="defs_{pid}" '
        'targetNamespace="http://example.org/zvt-test">\n')


def timed(pid: str, *, action: str = "toegangsreview_opstellen", element: str = "scriptTask",
          after: str = "klaar = True") -> str:
    """start -> wait one hour -> prepare -> the action's task (its own script: `after`) -> end."""
    prepare = ('review_kwartaal = "2027-K1"\nreview_soort = "volledig"\nreview_rollen = ["beheerder"]\n'
               'review_termijn = "2027-01-18T09:00:00+01:00"')
    body = f'<bpmn:script>{after}</bpmn:script>' if element == "scriptTask" else ""
    return (HEAD.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            '<bpmn:startEvent id="start" />'
            '<bpmn:intermediateCatchEvent id="wachten"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            f'<bpmn:scriptTask id="voorbereiden"><bpmn:script>{prepare}</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:{element} id="actie" zvt:actie="{action}">{body}</bpmn:{element}>'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wachten" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="wachten" targetRef="voorbereiden" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="voorbereiden" targetRef="actie" />'
            '<bpmn:sequenceFlow id="f4" sourceRef="actie" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>\n')


def deploy(engine, folder, **documents) -> None:
    (folder / "processes").mkdir(exist_ok=True)
    for pid, text in documents.items():
        (folder / "processes" / f"{pid}.bpmn").write_text(text)
    engine.deploy(folder / "processes")


def reviews(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(AccessReview))


@pytest.mark.parametrize("action, element, reason", [
    ("iets_anders", "scriptTask", "attribute 'zvt:actie' must be one of: toegangsreview_laten_vervallen, "
                                  "toegangsreview_opstellen; not 'iets_anders'"),
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


def test_a_step_that_fails_after_its_action_leaves_none_of_its_rows_and_the_other_cases_fire(engine, tmp_path,
                                                                                             clock):
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id="p", name="P", kind="convenant", grondslag="-", active=True))
        uow.commit()
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
