"""All settings, read from ZVT_ environment variables in this one place."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")

# Only ever good enough for a laptop: production refuses to start with it.
DEV_SECRET_KEY = "zvt-development-only-not-secret"


def dev_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'zvt.sqlite3'}"


class ConfigError(ValueError):
    """A ZVT_ variable is missing or wrong; the message says which and why."""


@dataclass(frozen=True)
class Config:
    database_url: str
    environment: str = "development"
    secret_key: str = field(default=DEV_SECRET_KEY, repr=False)
    processes_dir: Path = Path("processes")
    forms_dir: Path = Path("forms")
    scheduler_interval: int = 30  # seconds between two rounds of firing due timers
    # Minutes without a request after which a signed-in user is signed out: a screen left
    # open in a shared office must not show case data for long (BIO 9.4.2: session timeout).
    session_idle_minutes: int = 15
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto. Only these may
    # tell us the client's address, which the login limit per address and the access log use;
    # 0 (direct) means forwarded headers are ignored, since any client could forge them.
    trusted_proxies: int = 0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Config:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        environment = (get("ZVT_ENV") or "development").lower()
        if environment not in ENVIRONMENTS:
            raise ConfigError(f"ZVT_ENV must be 'development' or 'production', not {environment!r}")
        production = environment == "production"

        database_url = get("ZVT_DATABASE_URL")
        secret_key = get("ZVT_SECRET_KEY")
        if production:
            missing = [name for name, value in (("ZVT_DATABASE_URL", database_url),
                                                ("ZVT_SECRET_KEY", secret_key)) if value is None]
            if missing:
                raise ConfigError(f"production needs {' and '.join(missing)} to be set")
            if secret_key == DEV_SECRET_KEY:
                raise ConfigError("ZVT_SECRET_KEY is the development key; production needs a secret of its own")
            if database_url == dev_database_url():
                raise ConfigError("ZVT_DATABASE_URL is the development database; production needs its own")
        if database_url is None:
            # Only development gets here: the embedded SQLite file inside the project.
            (PROJECT_ROOT / "instance").mkdir(exist_ok=True)
            database_url = dev_database_url()

        return cls(
            database_url=database_url,
            environment=environment,
            secret_key=secret_key or DEV_SECRET_KEY,
            processes_dir=Path(get("ZVT_PROCESSES_DIR") or "processes"),
            forms_dir=Path(get("ZVT_FORMS_DIR") or "forms"),
            scheduler_interval=_positive_int("ZVT_SCHEDULER_INTERVAL", get("ZVT_SCHEDULER_INTERVAL"), 30),
            session_idle_minutes=_positive_int("ZVT_SESSION_IDLE_MINUTES", get("ZVT_SESSION_IDLE_MINUTES"), 15,
                                               unit="minutes"),
            trusted_proxies=_positive_int("ZVT_TRUSTED_PROXIES", get("ZVT_TRUSTED_PROXIES"), 0,
                                          unit="proxies", allow_zero=True),
        )


def _positive_int(name: str, value: str | None, default: int, *, unit: str = "seconds",
                  allow_zero: bool = False) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of {unit}, not {value!r}") from None
    if number < 0 or (number == 0 and not allow_zero):
        kind = "zero or more" if allow_zero else "a positive number of"
        raise ConfigError(f"{name} must be {kind} {unit}, not {number}")
    return number
