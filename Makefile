# `make run` and `make test` are the two set-up commands; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODELER_BUNDLE := node_modules/.zvt/modeler.js
# apt-get needs root: sudo only when not root already (a container often runs as root without sudo).
SUDO := $$( [ "$$(id -u)" = 0 ] || echo sudo )

.PHONY: install run test bench clean

install: $(VENV)/.installed node_modules/.installed $(MODELER_BUNDLE)

# The stamp reruns the install only when the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# The NL Design System CSS, bpmn-js and axe-core, exactly as package-lock.json pins them;
# the web app serves a few named files from node_modules (web/vendor.py). bpmnlint (a dev
# dependency) checks the process files in the tests; esbuild bundles the modeler.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The modeler with its properties panel, which ships as ES modules only: one file, built by
# esbuild from web/modeler/ (served as /static/vendor/zvt/modeler.js, see web/vendor.py).
$(MODELER_BUNDLE): node_modules/.installed $(wildcard web/modeler/*.js) engine/zvt_moddle.json
	node_modules/.bin/esbuild web/modeler/index.js --bundle --minify --format=iife \
		--target=es2020 --legal-comments=eof --outfile=$@

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

# The browser tests drive Debian's Chromium (tests/browser); they fail, not skip, without it.
test: install
	PYTHON=$(BIN)/python scripts/ensure_postgres.sh
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }
	$(BIN)/python -m pytest -n 2 -q

bench: install $(VENV)/.bench-installed
	PYTHON=$(BIN)/python scripts/ensure_postgres.sh
	$(BIN)/zvt bench

# locust, for the web load benchmark only.
$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[test,bench]'
	touch $@

clean:
	rm -rf $(VENV) node_modules instance test-output .pytest_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
