"""Reading a rules file the engine loads as JSON (process rules, retention rules), with one
English message per way it can fail: missing, unreadable, not JSON (naming the line)."""
from __future__ import annotations

import json
from pathlib import Path


def read(path: Path, what: str, error: type[Exception]):
    """The file's JSON value; else `error` with the path and `what` the file is, e.g. "the retention file"."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON: line {exc.lineno}: {exc.msg}") from None
