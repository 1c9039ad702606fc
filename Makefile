# `make run` and `make test` are the two set-up commands; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The front-end files the web app serves, copied into the package by scripts/build_assets.sh;
# the folder is replaced whole, so its last-built file stands for it.
ASSETS := web/vendor_assets/zvt/modeler.js
# apt-get needs root: sudo only when not root already (a container often runs as root without sudo).
SUDO := $$( [ "$$(id -u)" = 0 ] || echo sudo )

.PHONY: install run test bench wheel clean

install: $(VENV)/.installed node_modules/.installed $(ASSETS)

# The stamp reruns the install only when the dependencies change.
$(VENV)/.installed: setup.cfg setup.py pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# The NL Design System CSS, bpmn-js and axe-core, exactly as package-lock.json pins them;
# the web app serves a few named files of them (web/vendor_files.py). bpmnlint (a dev
# dependency) checks the process files in the tests; esbuild bundles the modeler.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The modeler's bundle (esbuild, from web/modeler/) and the files web/vendor_files.py names,
# copied from node_modules into web/vendor_assets/ (ignored by git): the app serves them from
# there, a wheel carries them (make wheel), and the server needs no Node.
$(ASSETS): node_modules/.installed $(wildcard web/modeler/*.js) engine/zvt_moddle.json \
		web/vendor_files.py scripts/build_assets.sh
	PYTHON=$(PYTHON) scripts/build_assets.sh

# The wheel an operator installs (see "In productie" in README.md), in dist/. Without the old
# build/, where setuptools would keep a module that has since been removed.
wheel: install
	rm -rf build
	$(BIN)/python -m pip wheel --no-deps --wheel-dir dist .

# The development configuration must be asked for: without ZVT_ENV the app applies the
# production rules and refuses the public development secret key (zvt/config.py).
run: export ZVT_ENV := development
run: install
	$(BIN)/zvt db upgrade
	$(if $(wildcard processes/*.bpmn),$(BIN)/zvt deploy processes,@echo "no processes to deploy yet")
	$(BIN)/zvt demo-data
	# The demo OpenID Connect provider on 127.0.0.1:5055 ("Inloggen via uw organisatie", see
	# README.md), stopped with the app.
	node scripts/oidc_provider.mjs scripts/demo_oidc.json & trap "kill $$!" EXIT; \
		$(BIN)/zvt serve --host 127.0.0.1 --port 5000

# The linter and the type checker first (configured in pyproject.toml): a finding fails the build.
# The browser tests drive Debian's Chromium (tests/browser); they fail, not skip, without it.
# systemd-analyze checks the units of the deployment kit (tests/test_deploy_kit.py). The engine's,
# the processes' and the web pages' tests run on Python 3.13 (or 3.12) too, where the machine has
# it, and the wheel's tests install the wheel on that Python (tests/newer_python.py).
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	PYTHON=$(BIN)/python scripts/ensure_postgres.sh
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }
	command -v systemd-analyze >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends systemd; }
	PYTHON=$(BIN)/python scripts/test_newer_python.sh
	$(BIN)/python -m pytest -n 2 -q

bench: install $(VENV)/.bench-installed
	PYTHON=$(BIN)/python scripts/ensure_postgres.sh
	$(BIN)/zvt bench

# locust, for the web load benchmark only.
$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[test,bench]'
	touch $@

clean:
	rm -rf $(VENV) .venv-3.1[23] node_modules web/vendor_assets instance test-output .pytest_cache .ruff_cache .mypy_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
