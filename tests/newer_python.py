"""The newest Python besides 3.11 that this machine has (pyproject.toml supports 3.11-3.13):
python3.13 or python3.12 on the PATH, or pyenv's. `make test` runs the whole suite on 3.11;
scripts/test_newer_python.sh runs the engine's, the processes' and the web pages' tests on this
one, and tests/test_packaging.py and tests/test_production_run.py install the wheel with it.

    python -m tests.newer_python    # "3.13 /root/.pyenv/versions/3.13.0/bin/python", or nothing
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

VERSIONS = ("3.13", "3.12")
# What the interpreter says of itself: a shim (pyenv's) resolves to the interpreter it runs, and a
# virtual environment made with it has its base_prefix.
_SELF = "import sys; print(*sys.version_info[:2], sep='.'); print(sys.executable); print(sys.base_prefix)"


@dataclass(frozen=True)
class Python:
    version: str  # "3.13"
    executable: str
    base_prefix: str

    @property
    def label(self) -> str:
        return f"python{self.version}"


def ask(path: str) -> Python | None:
    """The Python at `path` as it says of itself, or None where it does not run."""
    # It must run, too: pyenv's shim for a version it does not have active only says so.
    try:
        result = subprocess.run([path, "-c", _SELF], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    version, executable, base_prefix = result.stdout.splitlines()
    return Python(version, executable, base_prefix)


def _pyenv_versions(version: str) -> list[str]:
    """pyenv's CPython builds of `version`, newest patch release first (3.13.10 before 3.13.9)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    patches = [(int(found.group(1)), path / "bin" / "python") for path in root.glob(f"{version}.*")
               if (found := re.fullmatch(re.escape(version) + r"\.(\d+)", path.name))]
    return [str(python) for _, python in sorted(patches, reverse=True)]


@functools.cache
def newest() -> Python | None:
    """The newest of VERSIONS this machine has, or None."""
    for version in VERSIONS:
        for path in [shutil.which(f"python{version}"), *_pyenv_versions(version)]:
            if path and (found := ask(path)) and found.version == version:
                return found
    return None


def for_the_wheel() -> Python:
    """The Python the wheel's tests install it with: the newest, else the one running the tests
    (the whole suite runs on 3.11, so the installed product is proven on the newer one)."""
    return newest() or Python(".".join(map(str, sys.version_info[:2])), sys.executable, sys.base_prefix)


if __name__ == "__main__":
    if found := newest():
        print(found.version, found.executable)
