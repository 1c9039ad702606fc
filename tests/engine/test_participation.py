"""Opting out of a case and back in, and admitting an ad-hoc partner with its declaration
(engine/participation.py): the case's participants follow, also through later workflow steps."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import casework, participation
from engine.case_items import InvalidItem
from engine.db import AccessLogEntry, Instance, Partner
from tests.engine.test_case_items import ADHOC, HERE, REGISSEUR, VNN, WOONFRIESLAND, person
from tests.processes.conftest import FORMS, PROCESSES, add_partners
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding


@pytest.fixture(autouse=True)
def partners(engine):
    """The eight convenantpartners: the forms' partner choices come from the register."""
    add_partners(engine)


CHOSEN = ["gemeente_heerenveen", "woonfriesland", "vnn"]


@pytest.fixture
def case(engine):
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {**OPPAKKEN, "deelnemende_partners": CHOSEN}, actor="procesregisseur")
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id=ADHOC, name="Buurtteam Noord", kind="adhoc", grondslag="verklaring", active=True))
        uow.commit()
    return number


def participants(engine, number) -> list[str]:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.get(Instance, number).participants


def next_step(engine, number):
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, INFORMEREN, actor="procesregisseur")


def test_a_partner_that_opts_out_stays_out_through_later_steps_until_it_opts_back_in(engine, case):
    participation.opt_out(engine, VNN, case, "verslavingszorg is niet meer nodig", HERE)
    assert "vnn" not in participants(engine, case)
    assert not casework.may_view(engine, VNN, case)
    next_step(engine, case)  # the forms still choose VNN: the opt-out wins
    assert "vnn" not in participants(engine, case) and participation.opted_out(engine, VNN) == [case]

    participation.opt_in(engine, VNN, case, HERE)
    assert "vnn" in participants(engine, case) and casework.may_view(engine, VNN, case)
    assert participation.opted_out(engine, VNN) == []
    assert [c.change for c in participation.history(engine, case)] == ["afgemeld", "weer_mee"]


def test_opting_out_needs_a_reason_and_is_for_a_taking_part_partners_own_staff(engine, case):
    with pytest.raises(InvalidItem) as refused:
        participation.opt_out(engine, VNN, case, " ", HERE)
    assert refused.value.problems == {"reden": "required"}
    with pytest.raises(casework.Forbidden):  # the municipality directs the case, it does not opt out
        participation.opt_out(engine, REGISSEUR, case, "geen zin", HERE)
    with pytest.raises(casework.Forbidden):  # GGZ does not take part
        participation.opt_out(engine, person("ggz_friesland", "partnermedewerker"), case, "niet nodig", HERE)
    with pytest.raises(casework.Forbidden):  # nothing to opt back into
        participation.opt_in(engine, VNN, case, HERE)
    with engine.database.unit_of_work(write=False) as uow:
        refused = uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.object_type == "participation", AccessLogEntry.result == "geweigerd"))
    assert refused == 3 and participants(engine, case) == sorted(CHOSEN)


def test_an_ad_hoc_partner_takes_part_after_the_procesregisseur_records_its_declaration(engine, case):
    with pytest.raises(InvalidItem) as refused:
        participation.admit_adhoc(engine, REGISSEUR, case, "politie", "", "2026-12-24", "x", HERE)
    assert refused.value.problems == {"partner": "required", "getekend_door": "required", "getekend_op": "future"}
    with pytest.raises(casework.Forbidden):
        participation.admit_adhoc(engine, WOONFRIESLAND, case, ADHOC, "J. Voorbeeld", "2026-11-20", "archief", HERE)
    assert ADHOC not in participants(engine, case)

    participation.admit_adhoc(engine, REGISSEUR, case, ADHOC, "J. Voorbeeld, directeur", "2026-11-20",
                              "archief 2026-0815", HERE)
    next_step(engine, case)
    assert ADHOC in participants(engine, case)
    [admitted] = participation.history(engine, case)
    assert admitted.declaration == ("J. Voorbeeld, directeur", "2026-11-20", "archief 2026-0815")
    assert casework.may_view(engine, person(ADHOC, "partnermedewerker"), case)
