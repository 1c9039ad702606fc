from alembic import context

from engine.db import MIGRATION_LIMITS, Base, make_sql_engine

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None, "engine/migrate.py sets the URL"
    engine = make_sql_engine(url, MIGRATION_LIMITS)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    # Batch mode lets the same migrations alter tables on SQLite, which has almost no ALTER TABLE.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run 'zvt db upgrade'")
run_migrations_online()
