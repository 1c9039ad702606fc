"""Front-end files from npm packages, served by name from an explicit list.

`npm ci` (run by `make install`) puts the packages pinned in package.json into
node_modules/. Only the files named here are reachable, at /static/vendor/<name>: never
the whole of node_modules, which holds source maps, READMEs and scripts nobody reviewed.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from zvt.config import PROJECT_ROOT

log = logging.getLogger(__name__)

NODE_MODULES = PROJECT_ROOT / "node_modules"

_BPMN = "bpmn-js/dist/assets"
# URL name under /static/vendor/ -> path inside node_modules.
FILES = {
    "utrecht/component-library.css": "@utrecht/component-library-css/dist/index.css",
    # bpmn-js for the case page (a viewer) and for the proceseigenaar's modeler.
    "bpmn-js/bpmn-navigated-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/diagram-js.css": f"{_BPMN}/diagram-js.css",
    "bpmn-js/bpmn-js.css": f"{_BPMN}/bpmn-js.css",
    # bpmn.css asks for its font at ../font/ relative to itself: keep that layout.
    "bpmn-js/bpmn-font/css/bpmn.css": f"{_BPMN}/bpmn-font/css/bpmn.css",
    "bpmn-js/bpmn-font/font/bpmn.woff2": f"{_BPMN}/bpmn-font/font/bpmn.woff2",
    "bpmn-js/bpmn-font/font/bpmn.woff": f"{_BPMN}/bpmn-font/font/bpmn.woff",
    "bpmn-js/bpmn-font/font/bpmn.ttf": f"{_BPMN}/bpmn-font/font/bpmn.ttf",
    # The proceseigenaar's modeler with its properties panel, bundled at install (Makefile, web/modeler/).
    "zvt/modeler.js": ".zvt/modeler.js",
    "bpmn-io/properties-panel.css": "@bpmn-io/properties-panel/dist/assets/properties-panel.css",
    "bpmn-js-bpmnlint/bpmn-js-bpmnlint.css": "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css",
    # dmn-js for the proceseigenaar's decision tables (its own diagram-js CSS: another version).
    "dmn-js/dmn-modeler.js": "dmn-js/dist/dmn-modeler.production.min.js",
    "dmn-js/diagram-js.css": "dmn-js/dist/assets/diagram-js.css",
    "dmn-js/dmn-js-shared.css": "dmn-js/dist/assets/dmn-js-shared.css",
    "dmn-js/dmn-js-drd.css": "dmn-js/dist/assets/dmn-js-drd.css",
    "dmn-js/dmn-js-decision-table.css": "dmn-js/dist/assets/dmn-js-decision-table.css",
    "dmn-js/dmn-js-decision-table-controls.css": "dmn-js/dist/assets/dmn-js-decision-table-controls.css",
    "dmn-js/dmn-js-literal-expression.css": "dmn-js/dist/assets/dmn-js-literal-expression.css",
    # dmn.css asks for its font at ../font/ (the embedded variant's data: font is refused by our CSP).
    "dmn-js/dmn-font/css/dmn.css": "dmn-js/dist/assets/dmn-font/css/dmn.css",
    "dmn-js/dmn-font/font/dmn.woff2": "dmn-js/dist/assets/dmn-font/font/dmn.woff2",
    "dmn-js/dmn-font/font/dmn.woff": "dmn-js/dist/assets/dmn-font/font/dmn.woff",
    "dmn-js/dmn-font/font/dmn.ttf": "dmn-js/dist/assets/dmn-font/font/dmn.ttf",
    # For accessibility checks in the browser tests.
    "axe-core/axe.min.js": "axe-core/axe.min.js",
}

bp = Blueprint("vendor", __name__)


@bp.get("/static/vendor/<path:name>")
def file(name: str):
    target = FILES.get(name)
    if target is None:
        abort(404)
    path = Path(target)
    return send_from_directory(NODE_MODULES / path.parent, path.name)


def missing_files() -> list[str]:
    return [name for name, target in FILES.items() if not (NODE_MODULES / target).is_file()]


def init_app(app) -> None:
    app.register_blueprint(bp)
    missing = missing_files()
    if missing:
        # The app still works without them, unstyled: say how to fix it rather than fail.
        log.warning("front-end files missing from %s (run 'npm ci' or 'make install'): %s",
                    NODE_MODULES, ", ".join(missing))
