"""`zvt api-clients`: the partner systems that use the REST API (docs/api.md), for the beheerder.

A token is printed once, when it is made (`add`, `renew`), and never again: only its hash is kept.
"""
from __future__ import annotations

import logging

import click

from engine import api_clients

from .sso_cli import CLI_ACTOR

log = logging.getLogger("zvt.api_clients")


@click.group("api-clients")
def api_clients_group():
    """Partner systems with a token for the REST API (/api/v1)."""


@api_clients_group.command("add")
@click.argument("code")
@click.option("--partner", required=True, help="The partner's code in the register, e.g. woonfriesland.")
@click.option("--role", "roles", multiple=True, required=True,
              help="A role of its service account; repeat for more. One of: "
                   f"{', '.join(sorted(api_clients.API_ROLES))}.")
@click.option("--name", required=True, help="What the system is, e.g. 'Klantsysteem WoonFriesland'.")
@click.option("--reason", required=True,
              help="Why the system needs access; the partner's gemachtigde reads it before approving (Dutch).")
@click.option("--days", type=int, default=api_clients.DEFAULT_DAYS, show_default=True,
              help=f"Days until the token expires (at most {api_clients.MAX_DAYS}).")
@click.option("--per-minute", type=int, default=api_clients.DEFAULT_PER_MINUTE, show_default=True,
              help="Requests the client may make per minute.")
def add(code: str, partner: str, roles: tuple[str, ...], name: str, reason: str, days: int, per_minute: int):
    """Add the API client CODE (e.g. woonfriesland-crm) with its service account api-CODE, and
    print its token, once. The token works once the partner's gemachtigde approved the client
    through the link mailed to them."""
    from .cli import _engine

    engine = _engine()
    issued = api_clients.add(engine.database, code, name, partner, roles, CLI_ACTOR, engine.clock(), reason=reason,
                             days=days, per_minute=per_minute)
    log.info("API client %s added for partner %s", issued.code, partner)
    click.echo(f"API client {issued.code} added: service account {issued.username} of {partner}, "
               f"roles {', '.join(sorted(set(roles)))}, {per_minute} requests per minute; "
               f"its token works once the gemachtigde of {partner} approved it (the link is mailed to them)")
    _print_token(issued)


@api_clients_group.command("renew")
@click.argument("code")
@click.option("--days", type=int, default=api_clients.DEFAULT_DAYS, show_default=True,
              help=f"Days until the new token expires (at most {api_clients.MAX_DAYS}).")
def renew(code: str, days: int):
    """Give the client CODE a new token and print it, once; the old token stops working at once."""
    from .cli import _engine

    engine = _engine()
    issued = api_clients.renew(engine.database, code, CLI_ACTOR, engine.clock(), days=days)
    log.info("API client %s got a new token", issued.code)
    click.echo(f"API client {issued.code}: new token; the old one no longer works")
    _print_token(issued)


@api_clients_group.command("revoke")
@click.argument("code")
def revoke(code: str):
    """Refuse the client's token from now on and switch its service account off."""
    from .cli import _engine

    engine = _engine()
    if api_clients.revoke(engine.database, code, CLI_ACTOR, engine.clock()):
        log.warning("API client %s revoked", code)
        click.echo(f"API client {code} revoked; its service account is switched off")
    else:
        click.echo(f"API client {code} was revoked already; nothing changed")


@api_clients_group.command("list")
def list_clients():
    """Every API client: code, partner, service account, roles, state, expiry and last use."""
    from .cli import _engine

    engine = _engine()
    rows = api_clients.clients(engine.database, engine.clock())
    if not rows:
        click.echo("no API clients")
        return
    click.echo("code\tpartner\taccount\troles\tstate\texpires\tlast used\tper minute\tname")
    for row in rows:
        click.echo("\t".join([row.code, row.partner, row.username, ",".join(row.roles), row.state,
                              _moment(row.expires_at), _moment(row.last_used_at) or "never", str(row.per_minute),
                              row.name]))


def _print_token(issued: api_clients.Issued) -> None:
    click.echo(f"token (expires {_moment(issued.expires_at)}; shown only now, keep it in the partner system's "
               "secret store):")
    click.echo(issued.token)


def _moment(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""
