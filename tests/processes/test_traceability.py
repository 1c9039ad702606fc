"""docs/processen.md names BPMN elements and tests; every name must exist, or the table lies."""
import re

from lxml import etree

from tests.conftest import ROOT
from tests.processes.conftest import BPMN_NS, PROCESSES

DOC = ROOT / "docs" / "processen.md"
CODE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")


def _rows():
    """(section, element cell, test cell) of every four-column table row in a process section."""
    section = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) == 4 and not set(cells[0]) <= {"-", " "} and cells[2] != "BPMN element id(s)":
            yield section, cells[2], cells[3]


def _bpmn_ids() -> set[str]:
    ids = set()
    for path in PROCESSES.glob("*.bpmn"):
        ids.update(etree.parse(str(path)).xpath("//bpmn:*/@id", namespaces=BPMN_NS))
    return ids | {path.stem for path in PROCESSES.glob("*.bpmn")}


def _test_names() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M))
    return names


def test_every_bpmn_element_and_test_named_in_the_traceability_table_exists():
    ids, tests = _bpmn_ids(), _test_names()
    rows = list(_rows())
    assert len(rows) > 60  # the seven process tables
    unknown = []
    for section, elements, test_cell in rows:
        unknown += [f"{section}: element {name}" for name in CODE.findall(elements) if name not in ids]
        unknown += [f"{section}: test {name}" for name in CODE.findall(test_cell)
                    if name.startswith("test_") and name not in tests]
    assert unknown == []


def test_every_process_has_a_section_in_the_traceability_document():
    text = DOC.read_text(encoding="utf-8")
    missing = [path.stem for path in PROCESSES.glob("*.bpmn") if f"({path.stem})" not in text]
    assert missing == []
