"""Front-end files from npm packages, served by name from an explicit list (web/vendor_files.py).

Only the files named there are reachable, at /static/vendor/<name>, from the copy the build put
into the package (web/vendor_assets/): the server needs neither Node nor node_modules.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, send_from_directory

from . import vendor_files

log = logging.getLogger(__name__)

bp = Blueprint("vendor", __name__)


@bp.get("/static/vendor/<path:name>")
def file(name: str):
    if name not in vendor_files.FILES:
        abort(404)
    return send_from_directory(vendor_files.ASSETS, name)


def missing_files() -> list[str]:
    return vendor_files.missing()


def init_app(app) -> None:
    app.register_blueprint(bp)
    missing = missing_files()
    if missing:
        # The app still works without them, unstyled: say how to fix it rather than fail.
        log.warning("front-end files missing from %s (run 'make install', or install a wheel built by it): %s",
                    vendor_files.ASSETS, ", ".join(missing))
