"""bpmnlint, the linter of the bpmn.io modelers, over a draft's BPMN files, as `make test` runs it
over processes/ (.bpmnlintrc: its recommended rules). Run with Node.js from node_modules, which
`make install` puts there; where Node.js or bpmnlint is missing the check says so instead of
passing silently."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from engine.errors import Problem
from zvt.config import PROJECT_ROOT

BPMNLINT = PROJECT_ROOT / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"
CONFIG = PROJECT_ROOT / ".bpmnlintrc"
TIMEOUT_SECONDS = 30
# "  <element id>  error  <message>  <rule>" under the file's line, as bpmnlint's CLI prints it.
_FINDING = re.compile(r"^\s+(\S+)\s+(error|warning)\s+(.+?)\s{2,}(\S+)\s*$")


def lint(files: list[Path]) -> list[Problem]:
    """bpmnlint's errors and warnings per file and element; empty when every file passes."""
    node = shutil.which("node")
    if node is None or not BPMNLINT.is_file():
        return [Problem(files[0].name if files else "processes", None,
                        "bpmnlint could not run (Node.js or node_modules/bpmnlint is missing; run make install)")]
    found: list[Problem] = []
    for path in files:
        result = subprocess.run([node, str(BPMNLINT), "--config", str(CONFIG), str(path)], capture_output=True,
                                text=True, timeout=TIMEOUT_SECONDS, cwd=PROJECT_ROOT)
        if result.returncode == 0:
            continue
        findings = [m.groups() for m in map(_FINDING.match, result.stdout.splitlines()) if m]
        found += [Problem(path.name, element, f"bpmnlint {rule}: {message}") for element, _level, message, rule in findings]
        if not findings:
            found.append(Problem(path.name, None, "bpmnlint failed: " + (result.stderr or result.stdout).strip()[:300]))
    return found
