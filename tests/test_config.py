"""The settings read from ZVT_ variables: production unless development is asked for, a strong
secret key, the mail settings, clear refusals."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from engine.chain import DEV_AUDIT_KEY
from web import create_app
from zvt.config import DEV_SECRET_KEY, PROJECT_ROOT, Config, ConfigError

PRODUCTION = {
    "ZVT_ENV": "production", "ZVT_DATABASE_URL": "postgresql+psycopg://zvt@db.gemeente.example/zvt",
    "ZVT_SECRET_KEY": secrets.token_urlsafe(48), "ZVT_AUDIT_KEY": secrets.token_urlsafe(48), "ZVT_SMTP_HOST": "smtp.gemeente.example",
    "ZVT_MAIL_FROM": "ZVT Heerenveen <zvt@gemeente.example>", "ZVT_BASE_URL": "https://zvt.gemeente.example/",
}
DEVELOPMENT = {"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3"}


def test_development_points_links_at_zvt_serve_and_leaves_mail_queued_without_a_server():
    mail = Config.from_env({"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3"}).mail
    assert (mail.host, mail.port, mail.starttls, mail.sender, mail.base_url) == (
        None, 25, False, "zvt@localhost", "http://127.0.0.1:5000")


def test_production_sends_over_starttls_by_default_and_links_without_a_trailing_slash():
    mail = Config.from_env({**PRODUCTION, "ZVT_SMTP_PORT": "587", "ZVT_SMTP_USER": "zvt",
                            "ZVT_SMTP_PASSWORD": "geheim"}).mail
    assert (mail.host, mail.port, mail.user, mail.starttls, mail.base_url) == (
        "smtp.gemeente.example", 587, "zvt", True, "https://zvt.gemeente.example")
    assert "geheim" not in repr(mail)


@pytest.mark.parametrize("changes, message", [
    ({"ZVT_SMTP_HOST": ""}, "production needs ZVT_SMTP_HOST to be set"),
    ({"ZVT_BASE_URL": "", "ZVT_MAIL_FROM": ""}, "production needs ZVT_MAIL_FROM, ZVT_BASE_URL to be set"),
    ({"ZVT_BASE_URL": "http://zvt.gemeente.example"}, "ZVT_BASE_URL must start with https:// in production"),
    ({"ZVT_BASE_URL": "zvt.gemeente.example"}, "ZVT_BASE_URL must be the web address of the app"),
    ({"ZVT_SMTP_PORT": "smtp"}, "ZVT_SMTP_PORT must be a TCP port number from 1 to 65535, not 'smtp'"),
    ({"ZVT_SMTP_PORT": "0"}, "ZVT_SMTP_PORT must be a TCP port number"),
    ({"ZVT_SMTP_STARTTLS": "misschien"}, "ZVT_SMTP_STARTTLS must be on or off"),
    ({"ZVT_SMTP_USER": "zvt"}, "ZVT_SMTP_USER and ZVT_SMTP_PASSWORD go together"),
    ({"ZVT_SMTP_USER": "zvt", "ZVT_SMTP_PASSWORD": "geheim", "ZVT_SMTP_STARTTLS": "off"}, "only over STARTTLS"),
    ({"ZVT_MAIL_FROM": "zvt"}, "ZVT_MAIL_FROM must be an e-mail address"),
])
def test_a_bad_mail_setting_is_refused_saying_which_and_why(changes, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.from_env({**PRODUCTION, **changes})


def test_the_database_limits_default_to_seconds_under_a_web_request_and_can_be_set():
    from engine.db import DatabaseLimits

    assert Config.from_env({"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3"}).database_limits == DatabaseLimits(
        statement_timeout=10, connect_timeout=5, network_timeout=10)
    limits = Config.from_env({"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3", "ZVT_DB_STATEMENT_TIMEOUT_SECONDS": "20",
                              "ZVT_DB_CONNECT_TIMEOUT_SECONDS": "3",
                              "ZVT_DB_NETWORK_TIMEOUT_SECONDS": "15"}).database_limits
    assert (limits.statement_timeout, limits.connect_timeout, limits.network_timeout) == (20, 3, 15)


@pytest.mark.parametrize("name, value, message", [
    ("ZVT_DB_STATEMENT_TIMEOUT_SECONDS", "0", "ZVT_DB_STATEMENT_TIMEOUT_SECONDS must be a positive number of seconds"),
    ("ZVT_DB_CONNECT_TIMEOUT_SECONDS", "vijf", "ZVT_DB_CONNECT_TIMEOUT_SECONDS must be a whole number of seconds"),
    ("ZVT_DB_NETWORK_TIMEOUT_SECONDS", "-1", "ZVT_DB_NETWORK_TIMEOUT_SECONDS must be a positive number of seconds"),
])
def test_a_bad_database_limit_is_refused_saying_which(name, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.from_env({"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3", name: value})


# -- production unless development is asked for ----------------------------------------------

def test_without_zvt_env_the_production_rules_apply_and_no_key_is_refused():
    with pytest.raises(ConfigError, match=re.escape("production needs ZVT_DATABASE_URL, ZVT_SECRET_KEY and ZVT_AUDIT_KEY "
                                                    "to be set (ZVT_ENV is not set, so the production rules apply")):
        Config.from_env({})
    unset = {key: value for key, value in PRODUCTION.items() if key != "ZVT_ENV"}
    assert Config.from_env(unset).is_production
    with pytest.raises(ConfigError, match="ZVT_SECRET_KEY has 9 characters.*ZVT_ENV is not set"):
        Config.from_env({**unset, "ZVT_SECRET_KEY": "changeme!"})


def test_only_an_explicit_development_gets_the_development_key_and_defaults():
    config = Config.from_env({"ZVT_ENV": "development", "ZVT_DATABASE_URL": "sqlite:///x.sqlite3"})
    assert (config.is_production, config.secret_key) == (False, DEV_SECRET_KEY)
    for environment in ({}, {"ZVT_ENV": ""}, {"ZVT_ENV": "production"}):
        with pytest.raises(ConfigError, match="production needs"):
            Config.from_env({**environment, "ZVT_DATABASE_URL": "sqlite:///x.sqlite3"})
    with pytest.raises(ConfigError, match="ZVT_ENV must be 'development' or 'production', not 'dev'"):
        Config.from_env({"ZVT_ENV": "dev"})


def test_create_app_without_zvt_env_and_without_a_key_refuses_to_start(monkeypatch, tmp_path):
    for name in [name for name in os.environ if name.startswith("ZVT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ZVT_DATABASE_URL", f"sqlite:///{tmp_path / 'zvt.sqlite3'}")
    with pytest.raises(ConfigError, match="production needs ZVT_SECRET_KEY and ZVT_AUDIT_KEY to be set"):
        create_app()
    assert not (tmp_path / "zvt.sqlite3").exists()  # refused before touching the database


def test_the_wsgi_module_stops_with_one_line_and_no_traceback():
    environ = {name: value for name, value in os.environ.items() if not name.startswith("ZVT_")}
    result = subprocess.run([sys.executable, "-c", "import web.wsgi"], cwd=PROJECT_ROOT, env=environ,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: production needs ZVT_DATABASE_URL, ZVT_SECRET_KEY and ZVT_AUDIT_KEY to be set (ZVT_ENV is not set, "
        "so the "
        "production rules apply; on a development machine set ZVT_ENV=development)"]


@pytest.mark.parametrize("key, reason", [
    ("x", "has 1 characters"),
    ("changeme", "has 8 characters"),
    ("a" * 31, "has 31 characters"),
    ("x" * 64, "repeats a few characters"),
    ("ab" * 20, "repeats a few characters"),
    ("changeme" * 4, "repeats a few characters"),
    ("Sommige-Sleutel-" * 3, "repeats a few characters"),
    (DEV_SECRET_KEY + "-but-longer", "the development key"),
    ("192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf", "well-known example value"),
    ("192B9BDD22AB9ED4D12E236C78AFCB9A393EC15F71BBF5DC987D54727823BCBF", "well-known example value"),
    ("our-very-own-Production-Secret-2026", "looks like a placeholder"),
    ("please-CHANGEME-before-going-live-now", "looks like a placeholder"),
])
def test_production_refuses_a_secret_key_that_can_be_guessed_without_repeating_it(key, reason):
    with pytest.raises(ConfigError, match=re.escape(reason)) as refused:
        Config.from_env({**PRODUCTION, "ZVT_SECRET_KEY": key})
    assert key not in str(refused.value) and "secrets.token_urlsafe(48)" in str(refused.value)
    # A Config built in code follows the same rule.
    with pytest.raises(ConfigError, match=re.escape(reason)):
        Config(database_url="sqlite:///x.sqlite3", environment="production", secret_key=key,
               audit_key=PRODUCTION["ZVT_AUDIT_KEY"])
    # The audit key is checked the same way, and named.
    with pytest.raises(ConfigError, match=re.escape(f"ZVT_AUDIT_KEY {reason}" if reason.startswith("has") else reason)) \
            as refused:
        Config.from_env({**PRODUCTION, "ZVT_AUDIT_KEY": key})
    assert "ZVT_AUDIT_KEY" in str(refused.value) and key not in str(refused.value)


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(16),
                                  lambda: "Tl9#qv2Lx!m8Rz4Wb7Kc1Yp6Hd3Jf0Gs"], ids=["urlsafe-48", "hex-16", "typed"])
def test_production_takes_a_random_key_of_32_characters_or_more(make):
    key = make()
    assert Config.from_env({**PRODUCTION, "ZVT_SECRET_KEY": key}).secret_key == key


def test_production_needs_its_own_audit_key_and_development_has_a_public_one():
    without = {name: value for name, value in PRODUCTION.items() if name != "ZVT_AUDIT_KEY"}
    with pytest.raises(ConfigError, match=re.escape("production needs ZVT_AUDIT_KEY to be set")):
        Config.from_env(without)
    with pytest.raises(ConfigError, match="ZVT_AUDIT_KEY must differ from ZVT_SECRET_KEY"):
        Config.from_env({**PRODUCTION, "ZVT_AUDIT_KEY": PRODUCTION["ZVT_SECRET_KEY"]})
    with pytest.raises(ConfigError, match="ZVT_AUDIT_KEY is the development key"):
        Config.from_env({**PRODUCTION, "ZVT_AUDIT_KEY": DEV_AUDIT_KEY})
    assert Config.from_env(DEVELOPMENT).audit_key == DEV_AUDIT_KEY
    assert Config.from_env(PRODUCTION).audit_key == PRODUCTION["ZVT_AUDIT_KEY"]
    assert Config.from_env({**DEVELOPMENT, "ZVT_AUDIT_ANCHOR_FILE": "/var/lib/zvt/anchors"}).audit_anchor_file == \
        Path("/var/lib/zvt/anchors")


def test_a_config_built_in_code_is_production_unless_it_says_development():
    with pytest.raises(ConfigError, match="production needs ZVT_SECRET_KEY"):
        Config(database_url="sqlite:///x.sqlite3")
    assert Config(database_url="sqlite:///x.sqlite3", environment="development").secret_key == DEV_SECRET_KEY
    with pytest.raises(ConfigError, match="environment must be"):
        Config(database_url="sqlite:///x.sqlite3", environment="staging")


# -- session lifetime ---------------------------------------------------------------------------

def test_the_absolute_session_lifetime_is_twelve_hours_unless_set():
    assert Config.from_env(PRODUCTION).session_max_hours == 12
    assert Config.from_env({**PRODUCTION, "ZVT_SESSION_MAX_HOURS": "8"}).session_max_hours == 8


@pytest.mark.parametrize("value, message", [
    ("0", "ZVT_SESSION_MAX_HOURS must be a positive number of hours, not 0"),
    ("-3", "ZVT_SESSION_MAX_HOURS must be a positive number of hours, not -3"),
    ("1.5", "ZVT_SESSION_MAX_HOURS must be a whole number of hours, not '1.5'"),
    ("twaalf", "ZVT_SESSION_MAX_HOURS must be a whole number of hours, not 'twaalf'"),
])
def test_a_bad_session_lifetime_is_refused(value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.from_env({**PRODUCTION, "ZVT_SESSION_MAX_HOURS": value})
def test_the_request_limit_defaults_to_two_megabytes_and_follows_zvt_max_request_kb():
    assert Config.from_env(DEVELOPMENT).max_request_bytes == 2048 * 1024
    assert Config.from_env({**DEVELOPMENT, "ZVT_MAX_REQUEST_KB": "64"}).max_request_bytes == 64 * 1024
    for wrong in ("0", "-1", "2MB"):
        with pytest.raises(ConfigError, match="ZVT_MAX_REQUEST_KB must be"):
            Config.from_env({**DEVELOPMENT, "ZVT_MAX_REQUEST_KB": wrong})


@pytest.mark.parametrize("value, address", [
    ("/dev/log", "/dev/log"),
    ("127.0.0.1:5514", ("127.0.0.1", 5514)),
    ("syslog.gemeente.example", ("syslog.gemeente.example", 514)),
    ("[2001:db8::1]:514", ("2001:db8::1", 514)),
])
def test_the_anchor_syslog_is_a_local_socket_or_a_udp_host_and_port(value, address):
    assert Config.from_env({**DEVELOPMENT, "ZVT_AUDIT_ANCHOR_SYSLOG": value}).audit_anchor_syslog == address
    assert Config.from_env(DEVELOPMENT).audit_anchor_syslog is None


@pytest.mark.parametrize("value", ["dev/log", "syslog:udp", "syslog:0", "syslog:70000", "2001:db8::1", "a b:514",
                                   "syslog.gemeente.example:514/pad"])
def test_an_anchor_syslog_that_is_neither_is_refused_saying_what_it_should_be(value):
    with pytest.raises(ConfigError, match=re.escape("ZVT_AUDIT_ANCHOR_SYSLOG must be a local socket such as "
                                                    f"/dev/log, or host:port of a syslog server over UDP such as "
                                                    f"syslog.gemeente.example:514, not {value!r}")):
        Config.from_env({**DEVELOPMENT, "ZVT_AUDIT_ANCHOR_SYSLOG": value})


def test_production_starts_the_web_app_without_an_anchor_but_not_the_scheduler():
    config = Config.from_env(PRODUCTION)  # the web servers need no anchor: only the scheduler writes them
    with pytest.raises(ConfigError, match="production needs ZVT_AUDIT_ANCHOR_FILE or ZVT_AUDIT_ANCHOR_SYSLOG"):
        config.check_anchors()
    Config.from_env({**PRODUCTION, "ZVT_AUDIT_ANCHOR_SYSLOG": "/dev/log"}).check_anchors()
    Config.from_env({**PRODUCTION, "ZVT_AUDIT_ANCHOR_FILE": "/var/lib/zvt/anchors"}).check_anchors()
    Config.from_env(DEVELOPMENT).check_anchors()


def test_the_log_format_is_text_in_development_json_elsewhere_unless_chosen():
    from zvt.config import log_format

    assert log_format({"ZVT_ENV": "development"}) == "text"
    assert log_format({}) == "json" and log_format({"ZVT_ENV": "production"}) == "json"
    assert log_format({"ZVT_ENV": "development", "ZVT_LOG_FORMAT": "JSON"}) == "json"
    assert log_format({"ZVT_LOG_FORMAT": "text"}) == "text"
    with pytest.raises(ConfigError, match="ZVT_LOG_FORMAT must be json or text, not 'xml'"):
        log_format({"ZVT_LOG_FORMAT": "xml"})


def test_gunicorn_binds_to_this_machine_with_a_worker_per_core_and_one_more_unless_told():
    from zvt.config import server_settings

    default = server_settings({})
    assert default.bind == ("127.0.0.1:8000",) and default.workers == (os.cpu_count() or 1) + 1
    chosen = server_settings({"ZVT_BIND": "0.0.0.0:8000, unix:/run/zvt.sock", "ZVT_WORKERS": "5"})
    assert chosen.bind == ("0.0.0.0:8000", "unix:/run/zvt.sock") and chosen.workers == 5
    with pytest.raises(ConfigError, match="ZVT_WORKERS must be a positive number of processes, not 0"):
        server_settings({"ZVT_WORKERS": "0"})


def test_a_metrics_folder_that_does_not_exist_is_refused_before_a_step_could_fail_on_it(tmp_path):
    missing = tmp_path / "weg"
    with pytest.raises(ConfigError, match=f"PROMETHEUS_MULTIPROC_DIR={re.escape(str(missing))} is not a folder"):
        Config.from_env({**DEVELOPMENT, "PROMETHEUS_MULTIPROC_DIR": str(missing)})
    Config.from_env({**DEVELOPMENT, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})  # a folder: taken


def test_a_zvt_command_with_a_missing_metrics_folder_stops_with_one_line(tmp_path):
    environment = {**os.environ, **DEVELOPMENT, "ZVT_DATABASE_URL": f"sqlite:///{tmp_path / 'zvt.sqlite3'}",
                   "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "weg")}
    result = subprocess.run([sys.executable, "-c", "from zvt.cli import main; main()", "scheduler", "--once"], cwd=PROJECT_ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: PROMETHEUS_MULTIPROC_DIR=")
