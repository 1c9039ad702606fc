#!/usr/bin/env bash
# Puts the front-end files the web app serves into the package (web/vendor_assets/), after
# `npm ci`: esbuild bundles the proceseigenaar's modeler from web/modeler/ (it ships as ES modules
# only) and the server's bpmnlint, then web/vendor_files.py copies exactly the files it names out
# of node_modules. Run by `make install` and by the container image's build stage (deploy/Dockerfile); a wheel built
# afterwards carries the files, and the server runs without Node.
set -euo pipefail
cd "$(dirname "$0")/.."

node_modules/.bin/esbuild web/modeler/index.js --bundle --minify --format=iife \
  --target=es2020 --legal-comments=eof --log-level=warning --outfile=node_modules/.zvt/modeler.js
# bpmnlint for the server's check of a process draft, run in V8 by web/bpmn_lint.py (no Node there).
node_modules/.bin/esbuild web/modeler/server-lint.js --bundle --minify --format=iife \
  --target=es2020 --legal-comments=eof --log-level=warning --outfile=node_modules/.zvt/bpmnlint.js
# -P: web/ stays off the import path, where the app's modules would shadow the standard library's.
"${PYTHON:-python3}" -P web/vendor_files.py node_modules
