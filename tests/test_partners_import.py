"""`zvt partners import FILE.json`: a new installation's partner register without SQL, on both databases."""
from __future__ import annotations

import json

from sqlalchemy import select

from engine import Engine
from engine.db import Partner

PARTNERS = [
    {"code": "gemeente_heerenveen", "name": "Gemeente Heerenveen", "kind": "convenant",
     "grondslag": "AVG art. 6 lid 1 sub e", "directs": True, "joined_on": "2026-01-01",
     "contacts": {"fg": "Privacybalie: privacy@heerenveen.example", "verantwoordelijke": "CISO: ciso@heerenveen.example"},
     "contactpersoon": {"name": "A. Bakker", "email": "a.bakker@heerenveen.example"},
     "gemachtigde": {"name": "B. de Vries", "email": "b.devries@heerenveen.example"}},
    {"code": "politie", "name": "Politie", "kind": "convenant", "grondslag": "Art. 20 Wet politiegegevens",
     "joined_on": "2026-01-01"},
    {"code": "buurtteam_zuid", "name": "Buurtteam Zuid", "kind": "adhoc", "grondslag": "Getekende verklaring"},
]


def register(database_url) -> dict[str, Partner]:
    engine = Engine(database_url)
    try:
        with engine.database.unit_of_work(write=False) as uow:
            found = {p.id: p for p in uow.session.scalars(select(Partner))}
            for p in found.values():
                uow.session.expunge(p)
            return found
    finally:
        engine.close()


def write(tmp_path, partners, name="partners.json"):
    path = tmp_path / name
    path.write_text(json.dumps(partners, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def test_importing_a_file_fills_the_register_and_again_changes_nothing(zvt, database_url, tmp_path):
    path = write(tmp_path, PARTNERS)

    first = zvt("partners", "import", str(path))
    assert first.exit_code == 0, first.output
    assert "added: gemeente_heerenveen, politie, buurtteam_zuid" in first.output
    assert "directing partner: gemeente_heerenveen" in first.output
    found = register(database_url)
    assert sorted(found) == ["buurtteam_zuid", "gemeente_heerenveen", "politie"]
    gemeente = found["gemeente_heerenveen"]
    assert (gemeente.directs, gemeente.active, gemeente.joined_on, gemeente.left_on) == (True, True, "2026-01-01", None)
    assert gemeente.contacts == PARTNERS[0]["contacts"]
    assert (gemeente.contact_name, gemeente.contact_email, gemeente.officer_name, gemeente.officer_email) == (
        "A. Bakker", "a.bakker@heerenveen.example", "B. de Vries", "b.devries@heerenveen.example")
    assert (found["politie"].directs, found["buurtteam_zuid"].kind) == (False, "adhoc")

    second = zvt("partners", "import", str(path))
    assert second.exit_code == 0
    assert "unchanged: gemeente_heerenveen, politie, buurtteam_zuid" in second.output
    assert "added" not in second.output and "changed:" not in second.output.replace("unchanged:", "")


def test_a_file_that_names_another_directing_partner_moves_the_regie(zvt, database_url, tmp_path):
    zvt("partners", "import", str(write(tmp_path, PARTNERS)))
    moved = [{**PARTNERS[1], "directs": True}, {"code": "gemeente_thialf", "name": "Gemeente Thialf",
                                                 "kind": "convenant", "grondslag": "AVG art. 6 lid 1 sub e"}]
    result = zvt("partners", "import", str(write(tmp_path, moved, "regie.json")))

    assert result.exit_code == 0, result.output
    assert "added: gemeente_thialf" in result.output and "changed: gemeente_heerenveen, politie" in result.output
    found = register(database_url)
    assert [code for code, p in found.items() if p.directs] == ["politie"]


def test_bad_data_is_refused_with_line_numbers_and_nothing_is_saved(zvt, database_url, tmp_path):
    bad = [
        {**PARTNERS[0], "contactpersoon": {"name": "A. Bakker", "email": "a.bakker at heerenveen"}},
        {**PARTNERS[1], "directs": True, "joined_on": "01-01-2026"},
        {"code": "Politie!", "name": "", "kind": "partner", "grondslag": "x"},
        {**PARTNERS[2]},
        {**PARTNERS[2]},
    ]
    path = write(tmp_path, bad)
    lines = path.read_text().splitlines()
    starts = [n for n, line in enumerate(lines, start=1) if line == "  {"]

    result = zvt("partners", "import", str(path))

    assert result.exit_code == 1
    output = result.output
    assert "error: the file is refused, nothing was saved" in output
    assert f"line {starts[0]}: partner 'gemeente_heerenveen': contactpersoon.email: not an e-mail address" in output
    assert f"line {starts[1]}: partner 'politie': joined_on: a date as YYYY-MM-DD, or null" in output
    assert f"line {starts[2]}: partner 'Politie!': code:" in output
    assert f"line {starts[2]}: partner 'Politie!': name: required text" in output
    assert f"line {starts[2]}: partner 'Politie!': kind: \"convenant\" or \"adhoc\"" in output
    assert f"line {starts[4]}: partner 'buurtteam_zuid': the code is also on line {starts[3]}" in output
    assert f"found 2 (lines {starts[0]}, {starts[1]})" in output
    assert register(database_url) == {}


def test_a_file_without_a_directing_partner_or_not_json_is_refused(zvt, database_url, tmp_path):
    result = zvt("partners", "import", str(write(tmp_path, PARTNERS[1:])))
    assert result.exit_code == 1 and "exactly one partner must have \"directs\": true" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"code": "politie",\n   "name": "Politie"\n  ,,\n]')
    result = zvt("partners", "import", str(broken))
    assert result.exit_code == 1 and "line 4: not valid JSON" in result.output
    assert register(database_url) == {}
