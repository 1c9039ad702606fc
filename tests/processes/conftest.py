"""Scenario tests of the covenant's processes: the real BPMN, DMN and forms on a real database.

`deploy_only` (tests/conftest.py) deploys one process (with the DMN files it needs) from
`processes/` and `forms/`, so a scenario test depends on its own files only;
test_all_processes.py deploys the whole folder as `make run` does.
"""
from __future__ import annotations

import pytest
from lxml import etree

from engine import Engine
from engine.db import Partner
from engine.retention_rules import load as load_retention_rules
from tests.conftest import FORMS as FORMS  # the folders, re-exported: the scenario tests import them from here
from tests.conftest import PROCESSES as PROCESSES
from zvt import demo

BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


@pytest.fixture
def engine(database_url, clock):
    """The engine as `zvt` builds it: with the retention rules beside the processes, so closing a
    case sets its destruction date and a deploy refuses a process without a rule."""
    engine = Engine(database_url, clock=clock, retention=load_retention_rules(PROCESSES / "retention.json"))
    add_partners(engine)
    yield engine
    engine.close()


def add_partners(engine: Engine) -> None:
    """The eight convenantpartners in the partner register, the municipality directing: the forms'
    partner choices come from there (engine/partner_choices.py)."""
    with engine.database.unit_of_work() as uow:
        for code, name, grondslag in demo.PARTNERS:
            uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag=grondslag, active=True,
                                    directs=code == demo.DIRECTING))
        uow.commit()


@pytest.fixture
def casus(deploy_only):
    """The zvt_casus with the DMN it needs."""
    deploy_only("zvt_casus", dmn=("afwegingskader.dmn",))


class Case:
    """One instance walked through by a test: find the open task, check who may do it, do it."""

    def __init__(self, engine, instance_id: int):
        self.engine = engine
        self.id = instance_id

    def open_tasks(self) -> dict[str, str]:
        """BPMN id -> lane of every open task of this case."""
        return {t.bpmn_id: t.lane for t in self.engine.ready_tasks(self.id)}

    def task(self, bpmn_id: str):
        matches = [t for t in self.engine.ready_tasks(self.id) if t.bpmn_id == bpmn_id]
        assert len(matches) == 1, f"expected one open '{bpmn_id}', open are: {self.open_tasks()}"
        return matches[0]

    def complete(self, bpmn_id: str, data: dict | None = None, *, role: str, actor: str = "medewerker"):
        task = self.task(bpmn_id)
        assert task.lane == role, f"'{bpmn_id}' is for {task.lane}, not {role}"
        self.engine.complete(task.id, data or {}, actor=actor)
        return task

    @property
    def data(self) -> dict:
        return self.engine.instance(self.id).data

    @property
    def status(self) -> str:
        return self.engine.instance(self.id).status

    def visited(self) -> list[str]:
        """BPMN ids of everything this case did, in order (the engine's history)."""
        return [h.bpmn_id for h in self.engine.history(self.id)]

    def timers(self) -> dict[str, object]:
        return {t.bpmn_id: t.due_at for t in self.engine.timers(self.id)}


def only_waiting_instance(engine, process_id: str, bpmn_id: str, due_at) -> int:
    """A scheduled process after deploy: one instance waits at its timer start, nothing is open,
    and it cannot be started by hand. Returns that instance's id."""
    from engine import EngineError

    [timer] = engine.timers()
    assert (timer.bpmn_id, timer.due_at) == (bpmn_id, due_at)
    assert engine.instance(timer.instance_id).status == "scheduled"
    assert engine.ready_tasks() == []
    with pytest.raises(EngineError, match="starts by its timer"):
        engine.start(process_id, {}, actor="medewerker")
    return timer.instance_id


def start(engine, process_id: str, data: dict, *, actor: str = "aanmelder", context: dict | None = None) -> Case:
    return Case(engine, engine.start(process_id, data, actor=actor, context=context))


def branches(process_id: str) -> set[str]:
    """What a full set of scenarios must reach: the target of every flow leaving a gateway,
    and every boundary or intermediate timer event."""
    tree = etree.parse(str(PROCESSES / f"{process_id}.bpmn"))
    targets = set()
    for gateway in tree.xpath("//bpmn:exclusiveGateway | //bpmn:inclusiveGateway | //bpmn:parallelGateway "
                              "| //bpmn:eventBasedGateway", namespaces=BPMN_NS):
        gid = gateway.get("id")
        for flow in tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{gid}']", namespaces=BPMN_NS):
            targets.add(flow.get("targetRef"))
    for timer in tree.xpath("//bpmn:boundaryEvent[bpmn:timerEventDefinition] "
                            "| //bpmn:intermediateCatchEvent[bpmn:timerEventDefinition]", namespaces=BPMN_NS):
        targets.add(timer.get("id"))
    return targets
