#!/usr/bin/env bash
# The engine's and the processes' tests on the newest Python besides 3.11 that this machine has
# (pyproject.toml supports 3.11-3.13): python3.13 or python3.12 on the PATH, or pyenv's. These
# are the parts whose behaviour hangs on the interpreter (SpiffWorkflow, the RestrictedPython
# sandbox and its CPU budget, serialising, the database drivers); the whole suite runs on 3.11
# after this (make test). A machine without either says so and goes on: there is nothing to run.
set -euo pipefail
cd "$(dirname "$0")/.."

found=""
for version in 3.13 3.12; do
  for python in "$(command -v "python$version" || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python; do
    # It must run, too: pyenv's shim for a version it does not have active only says so.
    if [ -n "$python" ] && [ -x "$python" ] && "$python" -c "" 2>/dev/null; then found=$python; break 2; fi
  done
done
if [ -z "$found" ]; then
  echo "no Python 3.12 or 3.13 on this machine: the tests run on $(.venv/bin/python -V) only"
  exit 0
fi

venv=".venv-$version"
# Rebuilt when the dependencies change, as make does for .venv.
if [ ! -x "$venv/bin/python" ] || [ pyproject.toml -nt "$venv/.installed" ]; then
  "$found" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e '.[test]'
  touch "$venv/.installed"
fi
echo "the engine's and the processes' tests on $("$venv/bin/python" -V)"
# Without CI's junit report: that one is the whole suite's, on 3.11.
PYTEST_ADDOPTS="" "$venv/bin/python" -m pytest -n 2 -q -p no:cacheprovider tests/engine tests/processes
