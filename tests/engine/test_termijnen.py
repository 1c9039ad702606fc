"""Calendar deadlines offered to scripts: real hours, calendar days and months, schedules."""
from datetime import datetime, timezone

import pytest

from engine.clock import running_at
from engine.termijnen import add_dagen, add_maanden, add_uren, nu, volgende_keer


def test_24_hours_from_the_saturday_before_the_autumn_change_are_24_real_hours():
    # Summer time ends on Sunday 25 October 2026 at 03:00: the clock shows 23 hours later.
    assert add_uren("2026-10-24T12:00:00+02:00", 24) == "2026-10-25T11:00:00+01:00"


def test_a_calendar_day_keeps_the_clock_time_across_the_change():
    assert add_dagen("2026-10-24T12:00:00+02:00", 1) == "2026-10-25T12:00:00+01:00"


def test_one_month_after_31_january_is_the_last_day_of_february():
    assert add_maanden("2027-01-31T10:00:00+01:00", 1) == "2027-02-28T10:00:00+01:00"
    assert add_maanden("2028-01-31T10:00:00+01:00", 1) == "2028-02-29T10:00:00+01:00"
    assert add_maanden("2027-03-15T10:00:00+01:00", 3) == "2027-06-15T10:00:00+02:00"


def test_nu_is_the_engine_clock_in_amsterdam_time():
    with running_at(datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)):
        assert nu() == "2026-07-01T10:00:00+02:00"
    with running_at(datetime(2026, 7, 1, 8, 0, 0, 1, tzinfo=timezone.utc)):  # a timer's step
        assert nu() == "2026-07-01T10:00:00+02:00"


def test_the_next_moment_of_a_yearly_schedule_keeps_nine_o_clock_and_is_strictly_after_now():
    with running_at(datetime(2027, 1, 15, 7, 59, tzinfo=timezone.utc)):  # 08:59 Amsterdam
        assert volgende_keer("R/2026-01-15T09:00/P1Y") == "2027-01-15T09:00:00+01:00"
    with running_at(datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)):
        assert volgende_keer("R/2026-01-15T09:00/P1Y") == "2028-01-15T09:00:00+01:00"
    with running_at(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)):
        assert volgende_keer("R/2026-01-05T09:00/P3M") == "2027-01-05T09:00:00+01:00"
        assert volgende_keer("R/2026-01-05T09:00/P1M") == "2026-12-05T09:00:00+01:00"
        # A summer moment stays 09:00 local time, not 09:00 plus an hour.
        assert volgende_keer("R/2026-01-05T09:00/P6M") == "2027-01-05T09:00:00+01:00"
        assert volgende_keer("R/2026-04-05T09:00/P6M") == "2027-04-05T09:00:00+02:00"


def test_a_schedule_with_a_count_that_has_run_out_is_an_error():
    with running_at(datetime(2030, 1, 1, tzinfo=timezone.utc)):
        with pytest.raises(ValueError, match="no moment left"):
            volgende_keer("R2/2026-01-15T09:00/P1Y")


@pytest.mark.parametrize("reeks", ["P1Y", "R/2026-01-15T09:00", "R/2026-01-15T09:00/P0D", "R/2026-01-15T09:00/1Y"])
def test_a_malformed_schedule_is_an_error(reeks):
    with pytest.raises(ValueError):
        volgende_keer(reeks)


@pytest.mark.parametrize("helper", [add_uren, add_dagen, add_maanden])
@pytest.mark.parametrize("amount", [-1, 1.5, True])
def test_a_bad_amount_is_refused(helper, amount):
    with pytest.raises(ValueError):
        helper("2026-11-30T08:00:00+01:00", amount)
