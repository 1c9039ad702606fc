"""The server's bpmnlint (web/bpmn_lint.py): bpmnlint's bundle in V8 through mini-racer, so a server
without Node checks a process draft. It must find what bpmnlint's own CLI finds with .bpmnlintrc,
and a file it cannot read is a problem, never a pass."""
from __future__ import annotations

import asyncio
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from web import bpmn_lint

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"
# "  <element id>  error  <message>  <rule>" under the file's line, as bpmnlint's CLI prints it.
CLI_FINDING = re.compile(r"^\s+(\S+)\s+(?:error|warning)\s+(.+?)\s{2,}(\S+)\s*$")

BROKEN = {
    "unnamed_end": ('<bpmn:endEvent id="einde_herinnering" name="Herinnering verstuurd">',
                    '<bpmn:endEvent id="einde_herinnering">'),
    "dangling_flow": ('<bpmn:endEvent id="einde_herinnering" name="Herinnering verstuurd">',
                      '<bpmn:task id="los_onderdeel" name="Los" /><bpmn:endEvent id="einde_herinnering" '
                      'name="Herinnering verstuurd">'),
}


def cli_findings(path: Path) -> set[tuple[str, str]]:
    result = subprocess.run(["node", str(CLI), "--config", str(ROOT / ".bpmnlintrc"), str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    return {(element, f"bpmnlint {rule}: {message}") for element, message, rule in
            (m.groups() for m in map(CLI_FINDING.match, result.stdout.splitlines()) if m)}


def test_every_process_passes_as_with_the_cli():
    files = sorted((ROOT / "processes").glob("*.bpmn"))
    assert files and bpmn_lint.lint(files) == []


@pytest.mark.parametrize("change", sorted(BROKEN))
def test_a_broken_file_gets_exactly_the_findings_of_bpmnlints_cli(tmp_path, change):
    old, new = BROKEN[change]
    source = (ROOT / "processes" / "klacht.bpmn").read_text()
    assert old in source
    broken = tmp_path / "klacht.bpmn"
    broken.write_text(source.replace(old, new))
    found = {(problem.element, problem.reason) for problem in bpmn_lint.lint([broken])}
    assert found and found == cli_findings(broken)
    assert {problem.file for problem in bpmn_lint.lint([broken])} == {"klacht.bpmn"}


def test_a_file_that_is_not_bpmn_is_a_problem_not_a_pass(tmp_path):
    garbage = tmp_path / "kapot.bpmn"
    garbage.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><bpmn:process")
    [problem] = bpmn_lint.lint([garbage])
    assert problem.file == "kapot.bpmn" and problem.reason.startswith("bpmnlint parse: Parse error: ")
    binary = tmp_path / "binair.bpmn"
    binary.write_bytes(b"\xff\xfe\x00kapot")
    [problem] = bpmn_lint.lint([binary])
    assert problem.file == "binair.bpmn" and problem.reason.startswith("bpmnlint failed: ")


def test_without_the_bundle_the_check_says_it_could_not_run(tmp_path, monkeypatch):
    monkeypatch.setattr(bpmn_lint, "BUNDLE", tmp_path / "bpmnlint.js")
    [problem] = bpmn_lint.lint([ROOT / "processes" / "klacht.bpmn"])
    assert problem.reason == "bpmnlint could not run (the package lacks bpmnlint.js; run make install)"


def test_it_runs_where_an_asyncio_loop_is_running_in_the_calling_thread(tmp_path):
    # As in a test process where Playwright's sync API keeps a loop running: mini-racer would take
    # that loop and refuse the time limit, so the check runs in a thread of its own.
    old, new = BROKEN["unnamed_end"]
    broken = tmp_path / "klacht.bpmn"
    broken.write_text((ROOT / "processes" / "klacht.bpmn").read_text().replace(old, new))

    async def from_a_coroutine():
        return bpmn_lint.lint([broken])

    # In a thread of the test's own: this test process may have a loop running in its main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        [problem] = pool.submit(asyncio.run, from_a_coroutine()).result()
    assert (problem.element, problem.reason.split(":")[0]) == ("einde_herinnering", "bpmnlint label-required")
