"""Management information: counts, outcomes, niveaus, partners, lead times, deadlines and open work
per period, from invented cases walked through the real processes (tests/management_cases.py), on
SQLite and PostgreSQL; small numbers hidden."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine import retention
from engine.management_info import Period, figures
from engine.management_report import HIDDEN, build, period_label, split
from tests.management_cases import BEOORDELING_HOURS, NAMES, beoordelingen, casus, niet_oppakken, spread

CASUS = "Casus zorg- en veiligheidsteam"
OUTCOME_FIELDS = {"zvt_casus": "uitkomst", "klacht": "oordeel"}


@pytest.fixture
def processes(deploy_only):
    deploy_only("zvt_casus", "klacht", dmn=("afwegingskader.dmn",))


def report(engine, period: Period, now: datetime):
    with engine.database.unit_of_work(write=False) as uow:
        return build(uow.session, period, now)


def texts(found, key: str) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in found.table(key).rows]


def test_cases_are_counted_by_process_outcome_niveau_and_partner_with_small_numbers_hidden(engine, clock, processes):
    spread(engine, clock)
    found = report(engine, Period.year(2026), clock.now)

    assert texts(found, "casussen") == [[CASUS, "20", "13", "20"], ["Klacht", "6", "5", "6"]]
    # 5 afronden, 2 niet geregistreerd, 6 niet opgepakt: the 2 is hidden, and so is the 5, or the
    # 2 would follow from the 13 closed cases above.
    assert texts(found, "uitkomsten") == [
        [CASUS, "Casus afgesloten – Afronden: de doelen zijn bereikt", HIDDEN],
        [CASUS, "Niet geregistreerd", HIDDEN],
        [CASUS, "Niet opgepakt", "6"],
        ["Klacht", "Klacht afgehandeld – Deels gegrond", "5"]]
    # 2 at niveau 2 (hidden), 13 at niveau 3, 5 not assessed yet (hidden second: 20 active in all).
    assert texts(found, "niveaus") == [["Niveau 0", "0"], ["Niveau 1", "0"], ["Niveau 2", HIDDEN], ["Niveau 3", "13"],
                                       ["Niveau 4", "0"], ["Nog niet beoordeeld", HIDDEN]]
    assert texts(found, "partners") == [["GGZ Friesland", "7", "0"], ["Gemeente Heerenveen", "7", "6"],
                                        ["WoonFriesland", "20", "0"]]
    assert found.table("partners").columns == ("Partner", CASUS, "Klacht")
    assert texts(found, "open_werk") == [["Procesregisseur", "7", "0"], ["Teamleider", HIDDEN, "0"]]

    # What the database counted, before hiding: the hidden cells hold real numbers.
    with engine.database.unit_of_work(write=False) as uow:
        raw = figures(uow.session, Period.year(2026), clock.now, OUTCOME_FIELDS)
    assert sorted((o.end_event, o.code, o.cases) for o in raw.outcomes if o.process_id == "zvt_casus") == [
        ("einde_casus", "afronden", 5), ("einde_niet_geregistreerd", "niet_geregistreerd", 2),
        ("einde_niet_opgepakt", "niet_opgepakt", 6)]
    assert [(n.niveau, n.cases) for n in raw.niveaus] == [(2, 2), (3, 13), (None, 5)]

    # Ten days on, the five beoordelingen (3 werkdagen) are late; informing (a month) is not yet.
    later = clock.now + timedelta(days=10)
    assert texts(report(engine, Period.year(2026), later), "open_werk")[0] == ["Procesregisseur", "7", "5"]
    # No figure names a person.
    every_text = " ".join(c.text for t in found.tables for r in t.rows for c in r.cells)
    assert not any(name in every_text for name in NAMES)


def test_another_period_counts_none_of_these_cases(engine, clock, processes):
    spread(engine, clock)
    found = report(engine, Period.year(2025), clock.now)
    assert [t.key for t in found.tables if t.rows and t.key != "niveaus" and t.key != "open_werk"] == []
    assert texts(found, "niveaus")[3] == ["Niveau 3", "0"]
    # Open work is about now, whatever the period.
    assert texts(found, "open_werk") == [["Procesregisseur", "7", "0"], ["Teamleider", HIDDEN, "0"]]


def test_a_destroyed_case_still_counts_with_its_outcome_and_its_beoordeling_niveau(engine, clock, processes):
    made = spread(engine, clock)
    before = report(engine, Period.year(2026), clock.now)

    # Not registered: kept one month; not taken up: twelve. Two months on, the first two are gone.
    done = retention.run(engine.database, engine.retention, clock.now + timedelta(days=62))
    assert sorted(d.case for d in done.destroyed) == sorted(made["niet_geregistreerd"])
    assert {engine.instance(n).status for n in made["niet_geregistreerd"]} == {"destroyed"}
    assert engine.instance(made["niet_geregistreerd"][0]).data == {}

    after = report(engine, Period.year(2026), clock.now)
    for key in ("casussen", "uitkomsten", "niveaus", "partners"):
        assert texts(after, key) == texts(before, key), key
    with engine.database.unit_of_work(write=False) as uow:
        raw = figures(uow.session, Period.year(2026), clock.now, OUTCOME_FIELDS)
    assert ("einde_niet_geregistreerd", "niet_geregistreerd", 2) in {(o.end_event, o.code, o.cases)
                                                                      for o in raw.outcomes}
    assert [(n.niveau, n.destroyed, n.cases) for n in raw.niveaus] == [(2, False, 2), (3, False, 13), (None, False, 5)]


def test_lead_times_are_median_and_nine_in_ten_in_calendar_days_and_deadlines_met_per_process(engine, clock,
                                                                                             processes):
    start = clock.now
    beoordelingen(engine, clock)
    found = report(engine, Period.year(2026), clock.now)

    # 8 beoordelingen of 2, 5, 8, 12, 20, 33, 130 and 144 hours: the 4th value (12 h) is the median,
    # the 8th (144 h, 6 days) the one 9 in 10 stay within. Each case closed with its beoordeling.
    assert BEOORDELING_HOURS == (2, 5, 8, 12, 20, 33, 130, 144)
    assert texts(found, "doorlooptijd_stappen") == [[CASUS, "Aanmelding beoordelen", "8", "0,5", "6,0"],
                                                    [CASUS, "Beoordeling is te laat: opvolgen", HIDDEN, HIDDEN, HIDDEN]]
    assert texts(found, "doorlooptijd_casussen") == [[CASUS, "8", "0,5", "6,0"]]
    # Due 3 werkdagen after Friday 17:00, Wednesday 17:00 (120 hours): 130 and 144 hours are late, and
    # so are the teamleider's two follow-ups, due at that deadline: 6 of 10 on time.
    assert texts(found, "termijnen") == [[CASUS, "10", "6", "60%"]]

    # The same in a period that ends before the slowest two were done: six values, the 3rd (8 hours)
    # and the 6th (33 hours).
    first_days = Period(date(2026, 11, 1), date(2026, 12, 1))
    assert start + timedelta(hours=130) > first_days.end
    assert texts(report(engine, first_days, clock.now), "doorlooptijd_stappen") == [
        [CASUS, "Aanmelding beoordelen", "6", "0,3", "1,4"]]


def test_a_figure_of_fewer_than_five_is_not_shown_nor_its_median_or_percentage(engine, clock, processes):
    # A case started in 2026 and assessed in 2027: new and active in 2026, closed in 2027.
    late = casus(engine)
    beoordelingen(engine, clock)
    clock.now = datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc)
    niet_oppakken(late)

    year_2026 = report(engine, Period.year(2026), clock.now)
    assert texts(year_2026, "casussen") == [[CASUS, "9", "8", "9"]]
    q1_2027 = report(engine, Period.quarter(2027, 1), clock.now)
    assert q1_2027.label == "2027, 1e kwartaal"
    assert texts(q1_2027, "casussen") == [[CASUS, "0", HIDDEN, HIDDEN]]
    assert texts(q1_2027, "doorlooptijd_casussen") == [[CASUS, HIDDEN, HIDDEN, HIDDEN]]
    assert texts(q1_2027, "doorlooptijd_stappen") == [[CASUS, "Aanmelding beoordelen", HIDDEN, HIDDEN, HIDDEN],
                                                      [CASUS, "Beoordeling is te laat: opvolgen", HIDDEN, HIDDEN, HIDDEN]]
    # Both late (the beoordeling and its follow-up): 2 with a deadline, 0 on time, no percentage.
    assert texts(q1_2027, "termijnen") == [[CASUS, HIDDEN, "0", HIDDEN]]


@pytest.mark.parametrize("counts, shown", [
    ([2, 13, 5], [None, 13, None]),  # one small number: the smallest other goes too
    ([0, 7, 9], [0, 7, 9]),
    ([3, 4, 20], [None, None, 20]),  # two small numbers hide each other
    ([1, 0, 0], [None, 0, 0]),  # nothing else to hide: the total is as small
])
def test_a_split_hides_a_second_number_when_one_alone_would_follow_from_the_total(counts, shown):
    assert [cell.value for cell in split(counts)] == shown


def test_periods_are_whole_dutch_days_and_say_what_they_are():
    assert Period.quarter(2026, 4) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert Period.quarter(2028, 1).last == date(2028, 3, 31)
    assert Period.year(2026).start == datetime(2025, 12, 31, 23, 0, tzinfo=timezone.utc)
    assert Period.quarter(2026, 2).end == datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc)  # summer time
    assert period_label(Period.year(2026)) == "2026"
    assert period_label(Period.quarter(2026, 3)) == "2026, 3e kwartaal"
    assert period_label(Period(date(2026, 2, 1), date(2026, 2, 14))) == "1-2-2026 tot en met 14-2-2026"
    with pytest.raises(ValueError):
        Period(date(2026, 2, 14), date(2026, 2, 1))
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)
