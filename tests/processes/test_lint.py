"""bpmnlint's recommended rules (.bpmnlintrc) over every process file, as a modeler would check them:
a named end, a drawn data object, no implicit split. Run through Node.js from node_modules."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPMNLINT = ROOT / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"


def test_every_process_passes_bpmnlint_recommended():
    files = sorted((ROOT / "processes").glob("*.bpmn"))
    assert files and BPMNLINT.is_file(), "run `make install` (npm ci) first"
    result = subprocess.run(["node", str(BPMNLINT), *map(str, files)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bpmnlint_finds_what_it_should(tmp_path):
    # The same run on a copy with an unnamed end event fails, naming it: the check is live.
    source = (ROOT / "processes" / "klacht.bpmn").read_text()
    broken = tmp_path / "klacht.bpmn"
    broken.write_text(source.replace('<bpmn:endEvent id="einde_herinnering" name="Herinnering verstuurd">',
                                     '<bpmn:endEvent id="einde_herinnering">'))
    (tmp_path / ".bpmnlintrc").write_text((ROOT / ".bpmnlintrc").read_text())
    result = subprocess.run(["node", str(BPMNLINT), str(broken)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={"NODE_PATH": str(ROOT / "node_modules"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1 and "einde_herinnering" in result.stdout and "label-required" in result.stdout, (
        result.stdout + result.stderr)


def test_no_process_file_keeps_its_reasons_in_xml_comments():
    # A modeler drops XML comments on its first save: the reasons go in bpmn:documentation
    # (DMN: description), which every modeler keeps.
    for path in sorted((ROOT / "processes").glob("*.*")):
        if path.suffix in (".bpmn", ".dmn"):
            assert "<!--" not in path.read_text(), path.name
