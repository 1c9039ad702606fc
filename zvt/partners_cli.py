"""`zvt partners`: the partner register from the server, for a new installation (engine/partner_import.py)."""
from __future__ import annotations

from pathlib import Path

import click

from engine import partner_import


@click.group("partners")
def partners():
    """Fill the partner register (after that the covenant process and the beheerder keep it)."""


@partners.command("import", short_help="Add or update the partners in a JSON file.")
@click.argument("file", metavar="FILE.json", type=click.Path(path_type=Path, dir_okay=False))
def import_partners(file: Path):
    """Add the partners in FILE.json to the register, or bring those with the same code in line
    with it; exactly one of them directs the team. Running it again changes nothing. A file with
    any mistake is refused whole, each mistake on its own line, and nothing is saved (exit 1)."""
    from .cli import _engine, _fail  # the CLI's own helpers; imported here, as cli.py adds this group

    try:
        rows = partner_import.read(file)
    except partner_import.ImportRefused as exc:
        _fail("error: the file is refused, nothing was saved:\n" + "\n".join(exc.problems))
    result = partner_import.apply(_engine().database, rows)
    for label, codes in (("added", result.added), ("changed", result.changed), ("unchanged", result.unchanged)):
        if codes:
            click.echo(f"{label}: {', '.join(codes)}")
    click.echo(f"directing partner: {result.directing}")
