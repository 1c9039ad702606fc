"""`zvt sso`: a partner's single sign-on settings and the links between accounts and the people
at the partner's OpenID Connect provider (docs/sso.md). The settings are checked whole before
they are stored; the client secret is never among them (zvt/config.py)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy import func, select

from engine import account_state
from engine import sso as engine_sso
from engine.db import Account, Partner
from engine.sso_settings import SsoSettingsInvalid, parse

# Who acted, in the account's record (engine/account_state.py), for a link made on the server.
CLI_ACTOR = account_state.CLI_ACTOR


@click.group("sso")
def sso():
    """Single sign-on with OpenID Connect: settings per partner, account links."""


@sso.command("show")
@click.argument("partner", required=False)
def show(partner: str | None):
    """Print the settings of PARTNER (or of every partner with single sign-on) as JSON."""
    from .cli import _config, _engine

    engine, config = _engine(), _config()
    with engine.database.unit_of_work(write=False) as uow:
        query = select(Partner).where(Partner.sso.is_not(None)).order_by(Partner.id)
        if partner:
            query = select(Partner).where(Partner.id == partner)
        rows = uow.session.scalars(query).all()
        if partner and not rows:
            raise click.ClickException(f"no partner {partner!r}")
        result = {row.id: {
            "settings": row.sso,
            "client_secret_set": config.oidc_client_secrets.get(row.id) is not None,
            "linked_accounts": uow.session.scalar(select(func.count()).select_from(Account).where(
                Account.partner_id == row.id, Account.external_subject.is_not(None))),
        } for row in rows}
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@sso.command("set")
@click.argument("partner")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def set_settings(partner: str, file: Path):
    """Store the settings in FILE (JSON, docs/sso.md) for PARTNER, after checking them whole."""
    from .cli import _config, _engine

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        settings = parse(data)
    except (ValueError, SsoSettingsInvalid) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    if settings is None:
        raise click.ClickException(f"{file}: holds no settings; use 'zvt sso clear {partner}' to switch it off")
    config = _config()
    config.check_oidc_issuer(settings.issuer)
    _store(_engine(), partner, data)
    secret = "" if config.oidc_client_secrets.get(partner) else (
        f"; set its client secret in ZVT_OIDC_CLIENT_SECRET_{partner.upper()} or ZVT_OIDC_SECRETS_FILE")
    click.echo(f"{partner}: single sign-on through {settings.issuer}{secret}")


@sso.command("clear")
@click.argument("partner")
def clear(partner: str):
    """Switch single sign-on off for PARTNER (its people then sign in with a local account only)."""
    from .cli import _engine

    _store(_engine(), partner, None)
    click.echo(f"{partner}: single sign-on off")


def _store(engine, partner: str, settings: dict | None) -> None:
    """Put the (checked) settings on the partner's register row; None switches single sign-on off."""
    with engine.database.unit_of_work() as uow:
        row = uow.session.get(Partner, partner)
        if row is None:
            raise click.ClickException(f"no partner {partner!r}")
        row.sso = settings
        uow.commit()


@sso.command("link")
@click.argument("username")
@click.argument("subject")
def link(username: str, subject: str):
    """Link account USERNAME to SUBJECT, the person at its partner's provider (the code the
    refused login page showed them)."""
    from .cli import _engine

    engine = _engine()
    try:
        engine_sso.link(engine, username, subject, engine.clock(), CLI_ACTOR)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username}: linked")


@sso.command("unlink")
@click.argument("username")
def unlink(username: str):
    """Remove the link of account USERNAME to its provider (and end its sessions)."""
    from .cli import _engine

    engine = _engine()
    try:
        changed = engine_sso.unlink(engine, username, engine.clock(), CLI_ACTOR)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username}: {'unlinked' if changed else 'was not linked'}")
