"""Alembic, driven from code so that `zvt db upgrade` and the tests need no alembic.ini."""
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str | None:
    from .db import MIGRATION_LIMITS, make_sql_engine

    engine = make_sql_engine(database_url, MIGRATION_LIMITS)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        engine.dispose()


def revision_of(connection) -> str | None:
    """The schema revision of the database on `connection` (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@cache
def head() -> str:
    """The newest revision this code has a migration for: where `zvt db upgrade` brings a database."""
    from alembic.script import ScriptDirectory

    newest = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert newest is not None, "engine/migrations/versions has migrations"
    return newest
