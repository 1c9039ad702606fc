#!/usr/bin/env bash
# The engine's, the processes' and the web pages' tests on the newest Python besides 3.11 that this
# machine has (pyproject.toml supports 3.11-3.13): python3.13 or python3.12 on the PATH, or pyenv's,
# as tests/newer_python.py finds it (with $PYTHON, default python3). These are the parts whose
# behaviour hangs on the interpreter: SpiffWorkflow, the RestrictedPython sandbox and its CPU
# budget, serialising and the database drivers (tests/engine, tests/processes, on both databases),
# and Flask, Jinja, the forms, the PDFs and bpmnlint in V8 (tests/web, on SQLite only: on
# PostgreSQL they would take as long again, and the driver is proven above). The whole suite runs
# on 3.11 after this (make test), and its wheel tests install the wheel with this same Python.
# A machine without either says so and goes on: there is nothing to run.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}

newest=$("$python" -m tests.newer_python)
read -r version found <<<"$newest"
if [ -z "$found" ]; then
  echo "no Python 3.12 or 3.13 on this machine: the tests run on $("$python" -V) only"
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
# Without CI's junit report: that one is the whole suite's, on 3.11.
run() { PYTEST_ADDOPTS="" "$venv/bin/python" -m pytest -n 2 -q -p no:cacheprovider "$@"; }
echo "the engine's and the processes' tests on $("$venv/bin/python" -V)"
run tests/engine tests/processes
echo "the web pages' tests on $("$venv/bin/python" -V), on SQLite"
run tests/web -k "not postgresql"
