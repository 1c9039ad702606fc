"""Every process opened and saved by bpmn-js, as a process owner's modeler does, keeps its behaviour.

bpmn-js (the modeler ZVT serves, node_modules/bpmn-js) runs in Chromium on a blank page: import,
then save. The saved files must hold the same elements with the same names, lanes, scripts,
conditions, timers, documentation and ZVT properties (engine/bpmn_compare.py), deploy, and run
the zvt_casus scenarios through the same steps as the files as written.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from engine import Engine
from engine.bpmn_compare import compare
from engine.migrate import upgrade
from tests.processes.conftest import FORMS, PROCESSES, add_partners
from tests.processes.test_zvt_casus import (
    scenario_afronden,
    scenario_art_41,
    scenario_crisis_niveau_4_afschalen,
    scenario_stoppen,
)

START = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)  # the tests' clock (tests/conftest.py)
MODELER = Path(__file__).resolve().parents[2] / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.development.js"
SAVE = """async (xml) => {
  const modeler = new BpmnJS({container: "#canvas"});
  const imported = await modeler.importXML(xml);
  const {xml: saved} = await modeler.saveXML({format: true});
  modeler.destroy();
  return {warnings: imported.warnings.map((w) => w.message), saved};
}"""


@pytest.fixture(scope="module")
def saved_by_bpmn_js(browser: Browser, tmp_path_factory) -> Path:
    """A copy of processes/ and forms/ in which every BPMN file is as bpmn-js saved it."""
    folder = tmp_path_factory.mktemp("roundtrip")
    shutil.copytree(PROCESSES, folder / "processes")
    shutil.copytree(FORMS, folder / "forms")
    page = browser.new_page()
    page.set_content('<div id="canvas" style="width: 1200px; height: 800px"></div>')
    page.add_script_tag(path=str(MODELER))
    for path in sorted((folder / "processes").glob("*.bpmn")):
        result = page.evaluate(SAVE, path.read_text())
        assert result["warnings"] == [], (path.name, result["warnings"])
        assert result["saved"] != path.read_text()  # really written anew by bpmn-js
        path.write_text(result["saved"])
    page.close()
    return folder


@pytest.mark.parametrize("name", sorted(p.name for p in PROCESSES.glob("*.bpmn")))
def test_saving_in_bpmn_js_keeps_every_element_and_property(saved_by_bpmn_js, name):
    original = (PROCESSES / name).read_text()
    saved = (saved_by_bpmn_js / "processes" / name).read_text()
    changes = compare({name: original}, {}, {name: saved}, {})
    assert changes.empty, (changes.added, changes.removed, [(c.element.id, c.aspects) for c in changes.changed])


@pytest.mark.parametrize("scenario", [scenario_afronden, scenario_stoppen, scenario_crisis_niveau_4_afschalen,
                                      scenario_art_41], ids=lambda f: f.__name__)
def test_a_process_saved_in_bpmn_js_runs_the_same_steps(engine, clock, saved_by_bpmn_js, tmp_path, scenario):
    # Each in a database of its own: a scenario counts the timers that fire, of every case.
    def run(on: Engine, folder: Path) -> list[str]:
        # zvt_casus alone, as its scenario tests deploy it: no scheduled process's timer in the way.
        only = tmp_path / f"only-{id(on)}"
        (only / "processes").mkdir(parents=True)
        for name in ("zvt_casus.bpmn", "afwegingskader.dmn"):
            shutil.copy(folder / "processes" / name, only / "processes")
        shutil.copytree(folder / "forms" / "zvt_casus", only / "forms" / "zvt_casus")
        on.deploy(only / "processes", only / "forms")
        add_partners(on)  # the forms' partner choices come from the register
        clock.now = START
        case = scenario(on, clock) if scenario is scenario_art_41 else scenario(on)
        return case.visited()

    url = f"sqlite:///{tmp_path / 'saved.sqlite3'}"
    upgrade(url)
    saved_engine = Engine(url, clock=clock)
    try:
        assert run(saved_engine, saved_by_bpmn_js) == run(engine, PROCESSES.parent)
    finally:
        saved_engine.close()
