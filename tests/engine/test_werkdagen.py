from datetime import datetime, timedelta

import pytest

from engine.clock import AMSTERDAM
from engine.werkdagen import add_werkdagen, is_werkdag
from tests.engine.bpmn import simple_process


def test_a_friday_evening_before_christmas_plus_one_werkdag_is_the_monday_after():
    # 25 and 26 December 2026 are a Friday holiday and a Saturday; the 27th is a Sunday.
    assert add_werkdagen("2026-12-24T17:00:00+01:00", 1) == "2026-12-28T17:00:00+01:00"


def test_weekends_are_skipped():
    assert add_werkdagen("2026-11-27T09:30:00+01:00", 1) == "2026-11-30T09:30:00+01:00"
    assert add_werkdagen("2026-11-27T09:30:00+01:00", 5) == "2026-12-04T09:30:00+01:00"


def test_easter_monday_and_kings_day_are_not_werkdagen():
    assert not is_werkdag(datetime(2027, 3, 29).date())
    assert not is_werkdag(datetime(2027, 4, 27).date())
    assert add_werkdagen("2027-03-26T10:00:00+01:00", 1) == "2027-03-30T10:00:00+02:00"


def test_the_clock_time_stays_the_same_across_the_autumn_change():
    # Summer time ends on Sunday 25 October 2026.
    assert add_werkdagen("2026-10-23T17:00:00+02:00", 1) == "2026-10-26T17:00:00+01:00"


def test_a_naive_moment_is_amsterdam_time_and_zero_days_is_the_same_moment():
    assert add_werkdagen("2026-11-30T08:00:00", 0) == "2026-11-30T08:00:00+01:00"
    assert add_werkdagen(datetime(2026, 11, 30, 7, 0, tzinfo=AMSTERDAM), 0) == "2026-11-30T07:00:00+01:00"


@pytest.mark.parametrize("days", [-1, 1.5, "3", True])
def test_a_bad_number_of_days_is_refused(days):
    with pytest.raises(ValueError):
        add_werkdagen("2026-11-30T08:00:00+01:00", days)


def test_a_bpmn_timer_can_use_werkdagen(engine, tmp_path, clock):
    (tmp_path / "processes").mkdir()
    script = "termijn = add_werkdagen(aangemeld_op, 3)"
    (tmp_path / "processes" / "termijn.bpmn").write_text(
        simple_process("werkdagtermijn", script=script, timer="termijn").replace("timeDuration", "timeDate"))
    engine.deploy(tmp_path / "processes")

    instance_id = engine.start("werkdagtermijn", {"aangemeld_op": "2026-12-24T17:00:00+01:00"}, actor="piet")

    [timer] = engine.timers(instance_id)
    assert timer.due_at == datetime(2026, 12, 30, 17, 0, tzinfo=AMSTERDAM)
    [task] = engine.ready_tasks(instance_id)
    assert task.due_at == timer.due_at
    assert engine.fire_due_timers(timer.due_at - timedelta(minutes=1)) == 0
    assert engine.fire_due_timers(timer.due_at) == 1
