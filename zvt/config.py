"""All settings, read from ZVT_ environment variables in this one place."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

from engine.chain import DEV_AUDIT_KEY
from engine.db import DatabaseLimits
from engine.outbox import MailSettings
from engine.process_rules import FILE_NAME as PROCESS_RULES_FILE
from engine.process_rules import ProcessRules, ProcessRulesInvalid
from engine.process_rules import load as load_process_rules
from engine.retention_rules import RetentionRules, RetentionRulesInvalid
from engine.retention_rules import load as load_retention_rules

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")

# Only ever good enough for a laptop, and only with ZVT_ENV=development set: the key is public,
# and a cookie signed with it logs in as anyone. Production refuses to start with it.
DEV_SECRET_KEY = "zvt-development-only-not-secret"
# The secret key signs the session cookie; whoever can guess it can be anyone. 32 characters
# of a random token (token_urlsafe(48) gives 64) are far beyond guessing; a human-chosen
# phrase of that length is not, hence the checks in `check_secret_key`.
MIN_SECRET_KEY_LENGTH = 32
MAKE_SECRET_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
# Keys of 32 characters or more that are public all the same: examples from documentation
# that people copy. Shorter well-known values (changeme, secret, ...) fail on length.
WELL_KNOWN_SECRET_KEYS = frozenset({
    DEV_SECRET_KEY,
    "a-production-secret-for-tests-only",  # this project's tests used it once
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",  # Flask's documentation
    "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",  # FastAPI's JWT tutorial
})
# Words that mark a placeholder someone meant to replace; a random token never spells them.
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "secret", "password", "example", "replace",
                     "placeholder", "insecure", "development")
# Where `zvt serve` listens by default: the links in development mails point there.
DEV_BASE_URL = "http://127.0.0.1:5000"
DEV_MAIL_FROM = "zvt@localhost"
# The development OpenID Connect provider (scripts/oidc_provider.mjs, started by `make run` with
# scripts/demo_oidc.json) and its client's secret: both public, so production refuses a partner
# whose single sign-on names this issuer, and every issuer that is not https.
DEMO_OIDC_ISSUER = "http://127.0.0.1:5055"
DEMO_OIDC_CLIENT_SECRET = "zvt-demo-sso-not-secret"
# ZVT_OIDC_CLIENT_SECRET_<PARTNER>: a partner's client secret at its provider (code in capitals).
OIDC_SECRET_PREFIX = "ZVT_OIDC_CLIENT_SECRET_"
_TRUE, _FALSE = {"1", "true", "yes", "on", "ja"}, {"0", "false", "no", "off", "nee"}


def dev_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'zvt.sqlite3'}"


class ConfigError(ValueError):
    """A ZVT_ variable is missing or wrong; the message says which and why."""


@dataclass(frozen=True)
class Config:
    """The settings. Built directly (tests, scripts) it fails closed as `from_env` does: the
    environment is production unless it says development, and production needs a strong key."""

    database_url: str
    environment: str = "production"
    # None: the development key, in development only.
    secret_key: str | None = field(default=None, repr=False)
    # The key of the access log's and history's hash chains (engine/chain.py), kept outside the
    # database: whoever can write the database but lacks it cannot forge a row. None: the
    # public development key, in development only.
    audit_key: str | None = field(default=None, repr=False)
    # Where the scheduler appends the chains' heads (engine/anchors.py); None: no file.
    audit_anchor_file: Path | None = None
    # The syslog the scheduler sends the chains' heads to as well (engine/anchors.py): a local
    # socket's path (/dev/log) or (host, port) over UDP; None: no syslog.
    audit_anchor_syslog: str | tuple[str, int] | None = None
    processes_dir: Path = Path("processes")
    forms_dir: Path = Path("forms")
    scheduler_interval: int = 30  # seconds between two rounds of firing due timers
    # Minutes without a request after which a signed-in user is signed out: a screen left
    # open in a shared office must not show case data for long (BIO 9.4.2: session timeout).
    session_idle_minutes: int = 15
    # Hours after logging in after which a session ends even when it is in use: a stolen or
    # forgotten session cookie cannot be kept alive by clicking now and then (one working day).
    session_max_hours: int = 12
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto. Only these may
    # tell us the client's address, which the login limit per address and the access log use;
    # 0 (direct) means forwarded headers are ignored, since any client could forge them.
    trusted_proxies: int = 0
    # E-mail notifications (engine/outbox.py): the SMTP server the scheduler sends through, and
    # the address of the web app that the links in the mails point to.
    mail: MailSettings = MailSettings(host=None, sender=DEV_MAIL_FROM, base_url=DEV_BASE_URL)
    # How long a statement, a new connection and a silent network may keep a request waiting
    # before it gets "probeer het zo opnieuw" (engine/db.py explains each).
    database_limits: DatabaseLimits = DatabaseLimits()
    # CPU seconds that the scripts, conditions, timer expressions and DMN cells of one step may
    # use together (engine/budget.py): a normal step needs milliseconds; a runaway script fails
    # its step after this, well within a web request's time.
    step_cpu_seconds: int = 3
    # How long closed cases keep their personal data (engine/retention_rules.py), read from
    # ZVT_RETENTION_FILE at start. None (a Config built in code): closing sets no destruction
    # date, deploy checks no rules and the retention job refuses to run.
    retention: RetentionRules | None = None
    # Single sign-on: each partner's client secret at its OpenID Connect provider, by partner
    # code (ZVT_OIDC_CLIENT_SECRET_<PARTNER> and ZVT_OIDC_SECRETS_FILE); never in the database.
    oidc_client_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Who takes part in, starts and directs each process's cases (engine/process_rules.py), read
    # from process_rules.json in ZVT_PROCESSES_DIR at start. None (a Config built in code): the
    # file shipped with the processes.
    process_rules: ProcessRules | None = None

    def __post_init__(self):
        if self.environment not in ENVIRONMENTS:
            raise ConfigError(f"environment must be 'development' or 'production', not {self.environment!r}")
        if self.secret_key is None:
            if self.environment != "development":
                raise ConfigError(f"production needs ZVT_SECRET_KEY to be set; make one with: {MAKE_SECRET_KEY}")
            object.__setattr__(self, "secret_key", DEV_SECRET_KEY)
        elif self.environment == "production":
            check_secret_key(self.secret_key)
        if self.audit_key is None:
            if self.environment != "development":
                raise ConfigError(f"production needs ZVT_AUDIT_KEY to be set; make one with: {MAKE_SECRET_KEY}")
            object.__setattr__(self, "audit_key", DEV_AUDIT_KEY)
        elif self.environment == "production":
            check_secret_key(self.audit_key, "ZVT_AUDIT_KEY")
            if self.audit_key == self.secret_key:
                raise ConfigError("ZVT_AUDIT_KEY must differ from ZVT_SECRET_KEY: the web servers need the secret "
                                  f"key, the audit key protects the logs against them too; make one with: {MAKE_SECRET_KEY}")
        self._check_monitoring()
    # The largest request body the web app reads (413 above it): forms are text, the longest a
    # few times 4000 characters, so a few MB leaves room and keeps a flood out of memory.
    max_request_kb: int = 2048
    # Who may read /metrics, and what /ready asks of the scheduler (docs/monitoring.md).
    monitoring: Monitoring = field(default_factory=lambda: Monitoring())

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def _check_monitoring(self) -> None:
        token = self.monitoring.metrics_token
        if token is not None and self.is_production:
            check_secret_key(token, "ZVT_METRICS_TOKEN")
            if token in (self.secret_key, self.audit_key):
                raise ConfigError("ZVT_METRICS_TOKEN must differ from ZVT_SECRET_KEY and ZVT_AUDIT_KEY: whoever "
                                  f"scrapes the metrics needs it; make one with: {MAKE_SECRET_KEY}")

    def check_anchors(self) -> None:
        """The scheduler's check before it starts: in production the chains' heads must go
        somewhere outside the database that its account cannot rewrite (engine/anchors.py); the
        FG's daily mail alone leaves the hours between two mails unanchored and `zvt audit
        verify` nothing to compare with. The web app needs neither: only the scheduler anchors."""
        if self.is_production and self.audit_anchor_file is None and self.audit_anchor_syslog is None:
            raise ConfigError("production needs ZVT_AUDIT_ANCHOR_FILE or ZVT_AUDIT_ANCHOR_SYSLOG (or both) for the "
                              "scheduler: an append-only file or a syslog the database's account cannot rewrite, "
                              "where it writes the heads of the logs' hash chains every hour")

    def oidc_client_secret(self, partner: str) -> str | None:
        """The partner's client secret at its provider; in development the demo provider's
        public one when none is set, so `make run` works without setting anything."""
        secret = self.oidc_client_secrets.get(partner)
        if secret is None and not self.is_production:
            return DEMO_OIDC_CLIENT_SECRET
        return secret

    def check_oidc_issuer(self, issuer: str) -> None:
        """Refuse, in production, a provider that is the public demo provider or is reached
        without TLS (the client secret and the tokens would cross the network readable)."""
        if not self.is_production:
            return
        if issuer.rstrip("/") == DEMO_OIDC_ISSUER:
            raise ConfigError(f"the single sign-on issuer {issuer} is the development demo provider; "
                              "production refuses it")
        if urlsplit(issuer).scheme != "https":
            raise ConfigError(f"the single sign-on issuer {issuer} must start with https:// in production")

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_kb * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Config:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        # Fail closed: without ZVT_ENV the production rules apply. A server started without it
        # (gunicorn web.wsgi:app) then refuses to run on the public development key; a laptop
        # says ZVT_ENV=development once (`make run` does).
        environment = (get("ZVT_ENV") or "production").lower()
        if environment not in ENVIRONMENTS:
            raise ConfigError(f"ZVT_ENV must be 'development' or 'production', not {environment!r}")
        production = environment == "production"
        unset = "" if get("ZVT_ENV") else " (ZVT_ENV is not set, so the production rules apply; " \
                                           "on a development machine set ZVT_ENV=development)"

        database_url = get("ZVT_DATABASE_URL")
        secret_key = get("ZVT_SECRET_KEY")
        audit_key = get("ZVT_AUDIT_KEY")
        if production:
            missing = [name for name, value in (("ZVT_DATABASE_URL", database_url), ("ZVT_SECRET_KEY", secret_key),
                                                ("ZVT_AUDIT_KEY", audit_key)) if value is None]
            if missing:
                raise ConfigError(f"production needs {', '.join(missing[:-1]) + ' and ' if len(missing) > 1 else ''}"
                                  f"{missing[-1]} to be set{unset}")
            assert secret_key is not None and audit_key is not None, "missing names them"
            try:
                check_secret_key(secret_key)
                check_secret_key(audit_key, "ZVT_AUDIT_KEY")
            except ConfigError as exc:
                raise ConfigError(f"{exc}{unset}") from None
            if database_url == dev_database_url():
                raise ConfigError("ZVT_DATABASE_URL is the development database; production needs its own")
        try:
            mail = _mail_settings(get, production)
        except ConfigError as exc:
            raise ConfigError(f"{exc}{unset}") from None
        if database_url is None:
            # Only development gets here: the embedded SQLite file inside the project.
            (PROJECT_ROOT / "instance").mkdir(exist_ok=True)
            database_url = dev_database_url()

        processes_dir = Path(get("ZVT_PROCESSES_DIR") or "processes")
        return cls(
            database_url=database_url,
            environment=environment,
            secret_key=secret_key,
            audit_key=audit_key,
            audit_anchor_file=Path(anchor_file) if (anchor_file := get("ZVT_AUDIT_ANCHOR_FILE")) else None,
            audit_anchor_syslog=_syslog_address(get("ZVT_AUDIT_ANCHOR_SYSLOG")),
            processes_dir=processes_dir,
            forms_dir=Path(get("ZVT_FORMS_DIR") or "forms"),
            scheduler_interval=_positive_int("ZVT_SCHEDULER_INTERVAL", get("ZVT_SCHEDULER_INTERVAL"), 30),
            session_idle_minutes=_positive_int("ZVT_SESSION_IDLE_MINUTES", get("ZVT_SESSION_IDLE_MINUTES"), 15,
                                               unit="minutes"),
            session_max_hours=_positive_int("ZVT_SESSION_MAX_HOURS", get("ZVT_SESSION_MAX_HOURS"), 12,
                                            unit="hours"),
            trusted_proxies=_positive_int("ZVT_TRUSTED_PROXIES", get("ZVT_TRUSTED_PROXIES"), 0,
                                          unit="proxies", allow_zero=True),
            mail=mail,
            database_limits=_database_limits(get),
            step_cpu_seconds=_positive_int("ZVT_STEP_CPU_SECONDS", get("ZVT_STEP_CPU_SECONDS"), 3),
            max_request_kb=_positive_int("ZVT_MAX_REQUEST_KB", get("ZVT_MAX_REQUEST_KB"), 2048, unit="kilobytes"),
            retention=retention_rules(Path(get("ZVT_RETENTION_FILE") or processes_dir / RETENTION_FILE),
                                      "ZVT_RETENTION_FILE"),
            oidc_client_secrets=_oidc_client_secrets(environ, get("ZVT_OIDC_SECRETS_FILE")),
            monitoring=_monitoring(get),
            process_rules=process_rules(processes_dir / PROCESS_RULES_FILE, "ZVT_PROCESSES_DIR"),
        )


RETENTION_FILE = "retention.json"
LOG_FORMATS = ("json", "text")
# /metrics from this machine only, unless ZVT_METRICS_ALLOW or ZVT_METRICS_TOKEN says otherwise.
LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


@dataclass(frozen=True)
class Monitoring:
    """Who may read /metrics (web/metrics.py): a client address in `metrics_allow`, or whoever
    shows `metrics_token` as a bearer token; and how many of its intervals /ready waits for a
    scheduler's heartbeat (0: /ready does not ask)."""

    metrics_allow: tuple = LOOPBACK  # of ipaddress networks
    metrics_token: str | None = field(default=None, repr=False)
    ready_scheduler_intervals: int = 2


def log_format(environ: Mapping[str, str] = os.environ) -> str:
    """ZVT_LOG_FORMAT: "json" (one object per line) or "text"; by default text in development,
    where a person reads the lines, and JSON elsewhere, where a log collector does."""
    value = environ.get("ZVT_LOG_FORMAT", "").strip().lower()
    if not value:
        return "text" if environ.get("ZVT_ENV", "").strip().lower() == "development" else "json"
    if value not in LOG_FORMATS:
        raise ConfigError(f"ZVT_LOG_FORMAT must be json or text, not {value!r}")
    return value


@dataclass(frozen=True)
class ServerSettings:
    """gunicorn's settings from ZVT_BIND and ZVT_WORKERS (gunicorn.conf.py)."""

    bind: tuple[str, ...]
    workers: int


def server_settings(environ: Mapping[str, str] = os.environ) -> ServerSettings:
    """Behind a reverse proxy on the same machine by default; one sync worker per core and one
    more: the app is CPU-bound, so more workers would only wait for each other."""
    bind = tuple(re.split(r"[\s,]+", environ.get("ZVT_BIND", "").strip() or "127.0.0.1:8000"))
    workers = _positive_int("ZVT_WORKERS", environ.get("ZVT_WORKERS", "").strip() or None,
                            (os.cpu_count() or 1) + 1, unit="processes")
    return ServerSettings(bind, workers)


def _monitoring(get) -> Monitoring:
    metrics_dir = get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir is not None and not Path(metrics_dir).is_dir():
        # prometheus-client writes every count into this folder: without it a step's metric would fail the step.
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR={metrics_dir} is not a folder; leave it unset (gunicorn.conf.py "
                          "makes one for gunicorn's workers) or make the folder first")
    allow = get("ZVT_METRICS_ALLOW")
    networks: tuple[IPv4Network | IPv6Network, ...] = LOOPBACK
    if allow is not None:
        try:
            networks = () if allow.lower() == "none" else tuple(
                ip_network(part, strict=False) for part in re.split(r"[\s,]+", allow) if part)
        except ValueError:
            raise ConfigError("ZVT_METRICS_ALLOW must list IP addresses or networks such as 127.0.0.1, ::1 or "
                              f"10.0.5.0/24, separated by commas, or none; not {allow!r}") from None
    return Monitoring(metrics_allow=networks, metrics_token=get("ZVT_METRICS_TOKEN"),
                      ready_scheduler_intervals=_positive_int(
                          "ZVT_READY_SCHEDULER_INTERVALS", get("ZVT_READY_SCHEDULER_INTERVALS"), 2,
                          unit="intervals", allow_zero=True))


def retention_rules(path: Path, setting: str) -> RetentionRules:
    """The retention rules in `path`, checked whole; a problem is a ConfigError naming the setting."""
    try:
        return load_retention_rules(path)
    except RetentionRulesInvalid as exc:
        raise ConfigError(f"{setting}: {exc}") from None


def _oidc_client_secrets(environ: Mapping[str, str], secrets_file: str | None) -> dict[str, str]:
    """The partners' client secrets: ZVT_OIDC_SECRETS_FILE, a JSON object {"<partner>": "<secret>"}
    readable by the app's account alone, then ZVT_OIDC_CLIENT_SECRET_<PARTNER> (which wins)."""
    secrets: dict[str, str] = {}
    if secrets_file is not None:
        path = Path(secrets_file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"ZVT_OIDC_SECRETS_FILE: cannot read {path} as JSON: "
                              f"{type(exc).__name__}") from None
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in data.items()):
            raise ConfigError('ZVT_OIDC_SECRETS_FILE must hold one JSON object {"<partner code>": "<client secret>"}')
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"ZVT_OIDC_SECRETS_FILE {path} is readable by others than its owner; chmod 600 it")
        secrets.update({k: v.strip() for k, v in data.items()})
    for name, value in environ.items():
        if name.startswith(OIDC_SECRET_PREFIX) and value.strip():
            secrets[name[len(OIDC_SECRET_PREFIX):].lower()] = value.strip()
    return secrets
def process_rules(path: Path, setting: str) -> ProcessRules:
    """The process rules in `path`, checked whole; a problem is a ConfigError naming the setting."""
    try:
        return load_process_rules(path)
    except ProcessRulesInvalid as exc:
        raise ConfigError(f"{setting}: {exc}") from None


def _database_limits(get) -> DatabaseLimits:
    defaults = DatabaseLimits()
    return DatabaseLimits(
        statement_timeout=_positive_int("ZVT_DB_STATEMENT_TIMEOUT_SECONDS", get("ZVT_DB_STATEMENT_TIMEOUT_SECONDS"),
                                        int(defaults.statement_timeout or 0)),  # 10 seconds
        connect_timeout=_positive_int("ZVT_DB_CONNECT_TIMEOUT_SECONDS", get("ZVT_DB_CONNECT_TIMEOUT_SECONDS"),
                                      defaults.connect_timeout),
        network_timeout=_positive_int("ZVT_DB_NETWORK_TIMEOUT_SECONDS", get("ZVT_DB_NETWORK_TIMEOUT_SECONDS"),
                                      defaults.network_timeout),
    )


def check_secret_key(key: str, name: str = "ZVT_SECRET_KEY") -> None:
    """Refuse a production key (`name`: ZVT_SECRET_KEY or ZVT_AUDIT_KEY) that could be guessed.
    The message never repeats the key."""
    advice = f"make one with: {MAKE_SECRET_KEY}"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"{name} has {len(key)} characters; production needs at least "
                          f"{MIN_SECRET_KEY_LENGTH} random ones; {advice}")
    folded = key.casefold()
    if key in (DEV_SECRET_KEY, DEV_AUDIT_KEY) or DEV_SECRET_KEY in key or DEV_AUDIT_KEY in key:
        raise ConfigError(f"{name} is the development key, which is public; {advice}")
    if key in WELL_KNOWN_SECRET_KEYS or folded in {known.casefold() for known in WELL_KNOWN_SECRET_KEYS}:
        raise ConfigError(f"{name} is a well-known example value, which is public; {advice}")
    # 'x' * 40, 'ab' * 16, 'changeme' * 4: one short piece repeated.
    if folded in (folded + folded)[1:-1] or len(set(folded)) < 8:
        raise ConfigError(f"{name} repeats a few characters and can be guessed; {advice}")
    if any(word in folded for word in PLACEHOLDER_WORDS):
        raise ConfigError(f"{name} looks like a placeholder (it contains a word such as 'secret' "
                          f"or 'changeme'); {advice}")


def _mail_settings(get, production: bool) -> MailSettings:
    """ZVT_SMTP_*, ZVT_MAIL_FROM and ZVT_BASE_URL. Production needs a mail server, a sender and
    the public https address of the app; development may leave the server out (mails then stay
    queued) and links point at `zvt serve`."""
    host, sender, base_url = get("ZVT_SMTP_HOST"), get("ZVT_MAIL_FROM"), get("ZVT_BASE_URL")
    user, password = get("ZVT_SMTP_USER"), get("ZVT_SMTP_PASSWORD")
    if production:
        missing = [name for name, value in (("ZVT_SMTP_HOST", host), ("ZVT_MAIL_FROM", sender),
                                            ("ZVT_BASE_URL", base_url)) if value is None]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} to be set (e-mail notifications)")
    port = _port("ZVT_SMTP_PORT", get("ZVT_SMTP_PORT"), 25)
    if (user is None) != (password is None):
        raise ConfigError("ZVT_SMTP_USER and ZVT_SMTP_PASSWORD go together: set both or neither")
    starttls = _boolean("ZVT_SMTP_STARTTLS", get("ZVT_SMTP_STARTTLS"), default=production)
    if production and user is not None and not starttls:
        raise ConfigError("production sends the SMTP password only over STARTTLS; "
                          "do not set ZVT_SMTP_STARTTLS=off together with ZVT_SMTP_USER")
    sender = sender or DEV_MAIL_FROM
    address = parseaddr(sender)[1]
    if "@" not in address or any(c.isspace() for c in address):
        raise ConfigError(f"ZVT_MAIL_FROM must be an e-mail address such as zvt@gemeente.example, not {sender!r}")
    return MailSettings(host=host, sender=sender, base_url=_base_url(base_url or DEV_BASE_URL, production),
                        port=port, user=user, password=password, starttls=starttls)


def _base_url(value: str, production: bool) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"ZVT_BASE_URL must be the web address of the app, such as https://zvt.gemeente.example, "
                          f"not {value!r}")
    if production and parts.scheme != "https":
        raise ConfigError(f"ZVT_BASE_URL must start with https:// in production (the links make users log in), "
                          f"not {value!r}")
    return value.rstrip("/")


SYSLOG_UDP_PORT = 514
_SYSLOG_HOST = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:/\[\]@?#]+))(?::(?P<port>\d{1,5}))?")


def _syslog_address(value: str | None) -> str | tuple[str, int] | None:
    """ZVT_AUDIT_ANCHOR_SYSLOG: a local socket's path (/dev/log), or host[:port] over UDP
    (port 514 unless given; an IPv6 address in brackets: [2001:db8::1]:514)."""
    if value is None:
        return None
    if value.startswith("/"):
        return value
    match = _SYSLOG_HOST.fullmatch(value)
    port = int(match["port"]) if match and match["port"] else SYSLOG_UDP_PORT
    if match is None or not 1 <= port <= 65535:
        raise ConfigError(f"ZVT_AUDIT_ANCHOR_SYSLOG must be a local socket such as /dev/log, or host:port of a "
                          f"syslog server over UDP such as syslog.gemeente.example:514, not {value!r}")
    return match["ipv6"] or match["host"], port


def _port(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{name} must be a TCP port number from 1 to 65535, not {value!r}")
    return int(value)


def _boolean(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be on or off (1/0, true/false, yes/no), not {value!r}")


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


def open_engine(config: Config, clock=None):
    """The engine on the configured database, with the configured database limits."""
    from engine import Engine, process_rules
    from engine.clock import utcnow

    if config.process_rules is not None:
        process_rules.install(config.process_rules)  # the policy reads them: one set per process
    assert config.audit_key is not None, "Config sets the development key when none is given"
    return Engine(config.database_url, clock=clock or utcnow, database_limits=config.database_limits,
                  step_seconds=config.step_cpu_seconds, retention=config.retention, audit_key=config.audit_key)
