"""The settings an operator writes into deploy/zvt.env.example, filled in as the file says, for the
tests of the deployment kit and of the installed wheel."""
from __future__ import annotations

import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
ENV_EXAMPLE = DEPLOY / "zvt.env.example"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile and Compose's env_file read this file (no
    quotes, no interpolation); comments and blank lines skipped."""
    settings = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, separator, value = line.partition("=")
        assert separator and key.isidentifier() and key == key.strip(), f"{path.name}:{number}: not KEY=value"
        settings[key] = value
    return settings


def filled_in_example() -> dict[str, str]:
    """The example with each empty value made as its comment says: a random token."""
    return {key: value or secrets.token_urlsafe(48) for key, value in read_env_file(ENV_EXAMPLE).items()}
