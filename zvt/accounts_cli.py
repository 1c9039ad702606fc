"""`zvt accounts`: account administration on the server, for when the web pages cannot help.

`break-glass` makes or re-enables a beheerder account when no beheerder can sign in any more, and
is how the first account of a new installation is made (docs/beheer.md). It prints a one-time
activation link instead of mailing it: whoever runs it on the server is trusted with the database
anyway, and the mail may be what is broken.
"""
from __future__ import annotations

import logging

import click

from engine import account_admin

log = logging.getLogger("zvt.accounts")


@click.group("accounts")
def accounts_group():
    """Account administration on the server."""


@accounts_group.command("break-glass")
@click.option("--partner", "partner", required=True, help="The partner's code in the register, e.g. gemeente_heerenveen.")
@click.option("--username", required=True, help="The beheerder account to make, or to re-enable.")
@click.option("--email", required=True, help="The person's own e-mail address.")
@click.option("--name", "display_name", help="The person's name as the pages show it (a new account).")
@click.option("--partner-name", help="New installation only: add the partner to the empty register with this name.")
def break_glass(partner: str, username: str, email: str, display_name: str | None, partner_name: str | None):
    """Make or re-enable a beheerder account and print a one-time activation link (1 hour).

    The account gets the role beheerder, and loses its password and two-factor secret: the person
    chooses both anew through the link. The other beheerders are mailed."""
    from .cli import _config, _engine

    config, engine = _config(), _engine()
    result = account_admin.break_glass(engine.database, partner, username, email, engine.clock(),
                                       display_name=display_name, partner_name=partner_name)
    # An operator's alarm should see every use; the account's id, never a person's name or address.
    log.warning("break-glass: beheerder account %s of partner %s %s; %d other beheerders mailed",
                result.account_id, partner, "created" if result.created else "re-enabled", result.beheerders_told)
    click.echo(f"beheerder account {username.strip().lower()} {'created' if result.created else 're-enabled'}; "
               f"{result.beheerders_told} other beheerders will be mailed")
    click.echo("open this link within 1 hour to choose a password (it works once):")
    click.echo(f"{config.mail.base_url}/account/activeren/{result.token}")
