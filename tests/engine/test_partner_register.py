"""The partner register's rule of who takes part on a day (engine/partner_register.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from engine import partner_register
from engine.db import Partner


def _add(engine, *partners):
    with engine.database.unit_of_work() as uow:
        uow.session.add_all(partners)
        uow.commit()


def test_a_partner_takes_part_from_joining_until_the_day_before_leaving(engine):
    _add(engine,
         Partner(id="gemeente", name="Gemeente", kind="convenant", grondslag="g", active=True, directs=True),
         Partner(id="elkien", name="Elkien", kind="convenant", grondslag="g", active=True, joined_on="2027-01-01"),
         Partner(id="accolade", name="Accolade", kind="convenant", grondslag="g", active=True, left_on="2027-03-01"),
         Partner(id="uit", name="Uitgezet", kind="convenant", grondslag="g", active=False),
         Partner(id="buurtteam", name="Buurtteam", kind="adhoc", grondslag="g", active=True))
    with engine.database.unit_of_work(write=False) as uow:
        def codes(day, kinds=None):
            return [p.id for p in partner_register.taking_part(uow.session, day, kinds)]

        assert codes(date(2026, 12, 31)) == ["gemeente", "accolade", "buurtteam"]
        assert codes(date(2027, 1, 1), ("convenant",)) == ["gemeente", "accolade", "elkien"]
        assert codes(date(2027, 3, 1), ("convenant",)) == ["gemeente", "elkien"]
        assert partner_register.directing(uow.session) == "gemeente"
        assert partner_register.names(uow.session)["accolade"] == "Accolade"


def test_the_day_is_the_dutch_one():
    # 23:30 UTC on 28 February is already 1 March in Amsterdam.
    assert partner_register.day_of(datetime(2027, 2, 28, 23, 30, tzinfo=timezone.utc)) == date(2027, 3, 1)
