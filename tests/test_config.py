"""The mail settings read from ZVT_ variables: defaults per environment, clear refusals."""
import re

import pytest

from zvt.config import Config, ConfigError

PRODUCTION = {
    "ZVT_ENV": "production", "ZVT_DATABASE_URL": "postgresql+psycopg://zvt@db.gemeente.example/zvt",
    "ZVT_SECRET_KEY": "a-production-secret-of-its-own", "ZVT_SMTP_HOST": "smtp.gemeente.example",
    "ZVT_MAIL_FROM": "ZVT Heerenveen <zvt@gemeente.example>", "ZVT_BASE_URL": "https://zvt.gemeente.example/",
}


def test_development_points_links_at_zvt_serve_and_leaves_mail_queued_without_a_server():
    mail = Config.from_env({"ZVT_DATABASE_URL": "sqlite:///x.sqlite3"}).mail
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


def test_the_request_limit_defaults_to_two_megabytes_and_follows_zvt_max_request_kb():
    assert Config.from_env({}).max_request_bytes == 2048 * 1024
    assert Config.from_env({"ZVT_MAX_REQUEST_KB": "64"}).max_request_bytes == 64 * 1024
    for wrong in ("0", "-1", "2MB"):
        with pytest.raises(ConfigError, match="ZVT_MAX_REQUEST_KB must be"):
            Config.from_env({"ZVT_MAX_REQUEST_KB": wrong})
