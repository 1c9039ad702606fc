"""Setting up single sign-on on the server: the settings checked whole (`zvt sso set`), account
links, the client secrets read from the environment or a secrets file, and production refusing
the demo provider, on both databases."""
from __future__ import annotations

import json
import secrets

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import Engine
from engine.db import Account, AccountEvent, Partner
from engine.sso_settings import SsoSettingsInvalid, parse
from web import create_app
from zvt import demo
from zvt.cli import main
from zvt.config import DEMO_OIDC_ISSUER, Config, ConfigError

ENTRA = {
    "issuer": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
    "client_id": "66666666-7777-8888-9999-000000000000",
    "claims": {"subject": "oid", "name": "name", "email": "preferred_username"},
    "roles_from_idp": True, "roles_claim": "roles", "role_map": {"ZVT.Procesregisseur": "procesregisseur"},
    "mfa": {"amr": ["mfa"]},
}


@pytest.mark.parametrize("change, problem", [
    ({"issuer": "ftp://idp.example"}, "issuer must be"),
    ({"client_secret": "x"}, "unknown key 'client_secret'"),
    ({"scopes": "profile email"}, "must include 'openid'"),
    ({"role_map": {"Admin": "superuser"}}, "no ZVT role"),
    ({"roles_claim": None, "roles_from_idp": True}, "needs roles_claim"),
    ({"mfa": {"amr": "mfa"}}, "mfa must be"),
    ({"link_by_email": "yes"}, "link_by_email must be true or false"),
    ({"partner_claim": {"claim": "org"}}, "partner_claim must be"),
])
def test_settings_are_checked_whole(change, problem):
    data = {key: value for key, value in {**ENTRA, **change}.items() if value is not None}
    with pytest.raises(SsoSettingsInvalid, match=problem):
        parse(data)


def test_the_mfa_rule_and_the_role_mapping():
    settings = parse(ENTRA)
    assert settings.subject_claim == "oid" and settings.email_claim == "preferred_username"
    assert settings.shows_mfa({"amr": ["pwd", "mfa"]})
    assert not settings.shows_mfa({"amr": ["pwd"]}) and not settings.shows_mfa({})
    assert not settings.shows_mfa({"acr": "mfa"})  # acr values are not amr values
    assert settings.roles_in({"roles": ["ZVT.Procesregisseur", "Other"]}) == {"procesregisseur"}
    assert settings.roles_in({"roles": "Other"}) == set()
    assert settings.discovery_url == ENTRA["issuer"] + "/.well-known/openid-configuration"


@pytest.fixture
def zvt(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("ZVT_DATABASE_URL", database_url)
    monkeypatch.setenv("ZVT_ENV", "development")
    engine = Engine(database_url)
    demo.load(engine)
    engine.close()

    def run(*args, env=None):
        return CliRunner().invoke(main, list(args), env=env)

    return run


def test_zvt_sso_set_show_link_and_clear(zvt, tmp_path, database_url):
    path = tmp_path / "entra.json"
    path.write_text(json.dumps(ENTRA), encoding="utf-8")
    result = zvt("sso", "set", "woonfriesland", str(path))
    assert result.exit_code == 0, result.output
    assert "ZVT_OIDC_CLIENT_SECRET_WOONFRIESLAND" in result.output
    result = zvt("sso", "show", "woonfriesland", env={"ZVT_OIDC_CLIENT_SECRET_WOONFRIESLAND": "s3cr3t-of-a-test"})
    shown = json.loads(result.output)["woonfriesland"]
    assert shown["settings"] == ENTRA and shown["client_secret_set"] is True
    assert "s3cr3t-of-a-test" not in result.output

    result = zvt("sso", "link", "partnermedewerker", "oid-of-a-person")
    assert result.exit_code == 0, result.output
    result = zvt("sso", "link", "fg_woonfriesland", "oid-of-a-person")
    assert result.exit_code == 1 and "linked to that subject already" in result.output
    engine = Engine(database_url)
    with engine.database.unit_of_work(write=False) as uow:
        account = uow.session.scalar(select(Account).where(Account.username == "partnermedewerker"))
        assert (account.external_issuer, account.external_subject) == (ENTRA["issuer"], "oid-of-a-person")
        event = uow.session.scalar(select(AccountEvent).where(AccountEvent.account_id == account.id))
        assert (event.action, event.actor) == ("sso_gekoppeld", "beheer-cli")
    engine.close()
    assert "unlinked" in zvt("sso", "unlink", "partnermedewerker").output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**ENTRA, "client_secret": "never here"}), encoding="utf-8")
    result = zvt("sso", "set", "elkien", str(bad))
    assert result.exit_code == 1 and "unknown key 'client_secret'" in result.output
    assert zvt("sso", "clear", "woonfriesland").exit_code == 0
    assert "woonfriesland" not in json.loads(zvt("sso", "show").output)


def test_production_refuses_the_demo_provider(database_url, monkeypatch, tmp_path):
    engine = Engine(database_url)
    with engine.database.unit_of_work() as uow:
        for code, name, grondslag in demo.PARTNERS:
            uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag=grondslag, active=True))
        uow.commit()
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "gemeente_heerenveen").sso = dict(demo.SSO_SETTINGS)
        uow.commit()
    engine.close()
    config = Config(database_url=database_url, environment="production", secret_key=secrets.token_urlsafe(48),
                    audit_key=secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="gemeente_heerenveen: the single sign-on issuer .* demo provider"):
        create_app(config)
    # and `zvt sso set` in production refuses it too
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(demo.SSO_SETTINGS), encoding="utf-8")
    for name, value in {"ZVT_ENV": "production", "ZVT_DATABASE_URL": database_url, "ZVT_SECRET_KEY": config.secret_key,
                        "ZVT_AUDIT_KEY": config.audit_key, "ZVT_SMTP_HOST": "127.0.0.1", "ZVT_MAIL_FROM": "zvt@gemeente.example",
                        "ZVT_BASE_URL": "https://zvt.gemeente.example"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["sso", "set", "politie", str(path)])
    assert result.exit_code == 1 and "demo provider" in result.output
    assert DEMO_OIDC_ISSUER in result.output


def test_client_secrets_from_a_secrets_file_and_the_environment(tmp_path):
    path = tmp_path / "oidc-secrets.json"
    path.write_text(json.dumps({"politie": "from-the-file", "elkien": "also-from-the-file"}), encoding="utf-8")
    path.chmod(0o600)
    environ = {"ZVT_ENV": "development", "ZVT_OIDC_SECRETS_FILE": str(path),
               "ZVT_OIDC_CLIENT_SECRET_ELKIEN": "from-the-environment"}
    config = Config.from_env(environ)
    assert config.oidc_client_secret("politie") == "from-the-file"
    assert config.oidc_client_secret("elkien") == "from-the-environment"
    assert "from-the" not in repr(config)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        Config.from_env(environ)
    path.write_text("not json", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="cannot read"):
        Config.from_env(environ)
