"""A user task's due date declared in the BPMN (`zvt:termijn`), and deploy's checks of it."""
from datetime import date, datetime, timezone
from xml.sax.saxutils import quoteattr

import pytest

from engine import DefinitionRefused
from engine.clock import AMSTERDAM
from engine.due_dates import as_due_moment
from tests.engine.bpmn import HEAD
from tests.engine.test_deploy import definition_count

ZVT = 'xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0" '


def declared_process(termijn: str | None, *, on: str = "userTask", timer: str | None = None) -> str:
    """start -> script (sets the case fields) -> `on` element carrying the property -> end."""
    prop = "" if termijn is None else f" zvt:termijn={quoteattr(termijn)}"
    refs = ["start", "zetten", "taak", "einde"] + (["deadline", "deadline_einde"] if timer else [])
    boundary = ("" if not timer else
                '<bpmn:boundaryEvent id="deadline" attachedToRef="taak" cancelActivity="false">'
                '<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                f'{timer}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:endEvent id="deadline_einde" />'
                '<bpmn:sequenceFlow id="f4" sourceRef="deadline" targetRef="deadline_einde" />')
    return (HEAD.format(pid="termijnen").replace("<bpmn:definitions ", "<bpmn:definitions " + ZVT)
            + '<bpmn:process id="termijnen" isExecutable="true">'
            '<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="procesregisseur">'
            + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs) + "</bpmn:lane></bpmn:laneSet>"
            '<bpmn:startEvent id="start" />'
            '<bpmn:scriptTask id="zetten"><bpmn:script>wettelijke_termijn = "2027-05-17T17:00:00+02:00"\n'
            'overleg_op = "2027-05-20"\ngeen = None</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:{on} id="taak" name="Taak"{prop} />'
            '<bpmn:endEvent id="einde" />' + boundary
            + '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="zetten" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="zetten" targetRef="taak" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="taak" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>')


def deploy(engine, tmp_path, text: str):
    (tmp_path / "processes").mkdir(exist_ok=True)
    (tmp_path / "processes" / "termijnen.bpmn").write_text(text)
    return engine.deploy(tmp_path / "processes", tmp_path / "forms")


def due_of_started_task(engine, tmp_path, termijn, **kwargs):
    deploy(engine, tmp_path, declared_process(termijn, **kwargs))
    case = engine.start("termijnen", None, actor="regisseur")
    [task] = engine.ready_tasks(case)
    return task.due_at


def ams(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


# -- deploy ------------------------------------------------------------------------------------

@pytest.mark.parametrize("termijn, on, reason", [
    ("wettelijke_termijn", "manualTask", "zvt:termijn does not belong on a manualTask"),
    ("  ", "userTask", "zvt:termijn is empty"),
    ("wettelijke_termijn +", "userTask", "the expression of zvt:termijn is refused:"),
    ("__import__('os').getcwd()", "userTask", "the expression of zvt:termijn is refused:"),
])
def test_deploy_refuses_a_bad_due_date_declaration_naming_the_element(engine, tmp_path, termijn, on, reason):
    with pytest.raises(DefinitionRefused) as refused:
        deploy(engine, tmp_path, declared_process(termijn, on=on))
    [problem] = refused.value.problems
    assert problem.element == "taak"
    assert problem.reason.startswith(reason), problem.reason
    assert definition_count(engine) == 0  # refused whole: nothing stored


# -- what the declaration gives ----------------------------------------------------------------

def test_a_declared_date_time_is_the_tasks_due_moment(engine, tmp_path):
    assert due_of_started_task(engine, tmp_path, "wettelijke_termijn") == ams(2027, 5, 17, 17, 0)


def test_a_declared_date_is_due_at_the_end_of_that_day_in_amsterdam(engine, tmp_path):
    assert due_of_started_task(engine, tmp_path, "overleg_op") == ams(2027, 5, 20, 23, 59, 59)


def test_a_declaration_wins_over_the_deadline_timer_on_the_border(engine, tmp_path):
    due = due_of_started_task(engine, tmp_path, "overleg_op", timer='"2027-06-01T09:00:00+02:00"')
    assert due == ams(2027, 5, 20, 23, 59, 59)


def test_a_declaration_that_gives_none_leaves_the_deadline_timer(engine, tmp_path):
    due = due_of_started_task(engine, tmp_path, "geen", timer='"2027-06-01T09:00:00+02:00"')
    assert due == ams(2027, 6, 1, 9, 0)


def test_a_declaration_over_a_field_not_entered_gives_no_due_date_and_the_case_goes_on(engine, tmp_path, caplog):
    deploy(engine, tmp_path, declared_process("nooit_ingevuld"))
    case = engine.start("termijnen", None, actor="regisseur")
    [task] = engine.ready_tasks(case)
    assert task.due_at is None
    warning = [r.getMessage() for r in caplog.records if r.name == "engine.due_dates"]
    assert warning and all(m.startswith("due date of termijnen/taak not set") for m in warning)
    assert not any("nooit_ingevuld" in m for m in warning)  # the kind of error only, never its text
    engine.complete(task.id, {}, actor="regisseur")
    assert engine.instance(case).status == "completed"


@pytest.mark.parametrize("value, due", [
    ("2027-03-28", datetime(2027, 3, 28, 21, 59, 59, tzinfo=timezone.utc)),  # the day summer time begins
    ("2027-10-31", datetime(2027, 10, 31, 22, 59, 59, tzinfo=timezone.utc)),
    ("2027-05-17T17:00", datetime(2027, 5, 17, 15, 0, tzinfo=timezone.utc)),  # naive: Amsterdam
    ("2027-05-17T17:00:00+00:00", datetime(2027, 5, 17, 17, 0, tzinfo=timezone.utc)),
    (date(2027, 1, 4), datetime(2027, 1, 4, 22, 59, 59, tzinfo=timezone.utc)),
    (None, None), ("", None),
])
def test_dates_and_date_times_become_due_moments_in_utc(value, due):
    assert as_due_moment(value) == due


@pytest.mark.parametrize("value", [42, "morgen", ["2027-05-17"]])
def test_anything_else_is_not_a_due_date(value):
    with pytest.raises((TypeError, ValueError)):
        as_due_moment(value)
