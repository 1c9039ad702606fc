"""The front-end files from npm packages that the web app serves (web/vendor.py), and the build
step that copies them out of node_modules into the package, so that a server needs neither Node
nor node_modules.

`npm ci` puts the packages pinned in package.json into node_modules/, and esbuild bundles the
modeler there (scripts/build_assets.sh, run by `make install` and by the container image's build
stage). Then this file, run as a script, replaces web/vendor_assets/ (ignored by git) by exactly
the files named in FILES and SERVER_FILES: never the whole of node_modules, which holds source maps, READMEs and
scripts nobody reviewed. The wheel carries that folder (pyproject.toml), and setup.py refuses to
build one without it. The standard library only: the build runs this without the app's
dependencies, as `python -P web/vendor_files.py node_modules` (-P keeps web/ off the import path,
where modules of the app would shadow the standard library's).
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

# What the app serves at /static/vendor/<name>, as web/vendor.py does.
ASSETS = Path(__file__).resolve().with_name("vendor_assets")

_BPMN = "bpmn-js/dist/assets"
# URL name under /static/vendor/ (and path in ASSETS) -> path inside node_modules.
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
    # The proceseigenaar's modeler with its properties panel: esbuild's bundle of web/modeler/
    # (scripts/build_assets.sh).
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

# Carried in the package but not served: the server's bpmnlint, run in V8 by web/bpmn_lint.py.
LINT_BUNDLE = "zvt/bpmnlint.js"
SERVER_FILES = {LINT_BUNDLE: ".zvt/bpmnlint.js"}
PACKAGED = {**FILES, **SERVER_FILES}


def missing(folder: Path = ASSETS) -> list[str]:
    """The names in PACKAGED that `folder` lacks."""
    return [name for name in PACKAGED if not (folder / name).is_file()]


def copy(node_modules: Path, folder: Path = ASSETS) -> None:
    """Replace `folder` by the files of PACKAGED from `node_modules`; all of them or, when one is
    missing, nothing (the folder stays as it was)."""
    absent = [target for target in PACKAGED.values() if not (node_modules / target).is_file()]
    if absent:
        raise FileNotFoundError(f"{node_modules} lacks {', '.join(absent)} (run 'npm ci' and "
                                "scripts/build_assets.sh, or 'make install')")
    # Filled next to the folder and renamed into place, so that the folder never holds half a copy.
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    stale = folder.with_name(f".{folder.name}.old")
    try:
        staging.chmod(0o755)  # mkdtemp makes it 0700: readable by the server's account too
        for name, target in PACKAGED.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / target, staging / name)
        shutil.rmtree(stale, ignore_errors=True)
        if folder.exists():
            folder.rename(stale)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules")
    try:
        copy(source)
    except OSError as exc:
        sys.exit(f"error: {exc}")
    print(f"{len(PACKAGED)} front-end files copied from {source} into {ASSETS}")
