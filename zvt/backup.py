"""`zvt backup FILE` and `zvt restore FILE`: a consistent copy of the database, and back.

SQLite goes through SQLite's online backup API (Python's `Connection.backup`), PostgreSQL through
`pg_dump --format=custom` and `pg_restore`. Both read one consistent snapshot while the web app
and the scheduler go on writing; a plain `cp` of a live SQLite file does not (it can copy the
main file in the middle of a checkpoint, and misses what is still in the -wal file).

A restore accepts only a file that holds a ZVT database at this code's schema revision (the
Alembic head): an older or newer one is refused rather than migrated on the way in, because on
PostgreSQL `pg_restore --clean` drops only the objects in the dump, so tables a later migration
added would survive next to the older data. Restore such a backup with the ZVT release that
made it and then run `zvt db upgrade`.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from engine.db import make_sql_engine
from engine.migrate import alembic_config

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump --format=custom file
# pg_dump and pg_restore talk to the server for as long as the copy takes; this only bounds
# how long they may wait for a connection to an unreachable server.
PG_CONNECT_TIMEOUT = "10"


class BackupError(Exception):
    """The backup or restore did not happen; the message (one line) says why."""


@dataclass(frozen=True)
class Result:
    path: Path
    revision: str
    cases: int | None  # None for a PostgreSQL dump: counted only by restoring it
    size: int  # bytes


def backup(database_url: str, target: Path, overwrite: bool = False) -> Result:
    """Write a consistent copy of the database to `target`, readable by its owner only."""
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the name of the backup file to write")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already; choose a new name (or pass --overwrite)")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    url = make_url(database_url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_backup(_sqlite_path(url), target)
        if url.get_backend_name() == "postgresql":
            return _pg_backup(url, target)
    except OSError as exc:  # a full disk, a folder we may not write in
        raise BackupError(f"backup to {target} failed: {exc.strerror or exc}") from None
    raise BackupError(f"cannot back up a {url.get_backend_name()} database; ZVT runs on SQLite or PostgreSQL")


def restore(database_url: str, source: Path) -> Result:
    """Replace the database's whole content by the backup in `source`; all or nothing.
    The web app and the scheduler must be stopped (see the README, "Backups")."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_restore(_sqlite_path(url), source)
        if url.get_backend_name() == "postgresql":
            return _pg_restore(url, source)
    except OSError as exc:  # a file we may not read, a folder we may not write in
        raise BackupError(f"restore from {source} failed: {exc.strerror or exc}") from None
    raise BackupError(f"cannot restore into a {url.get_backend_name()} database; ZVT runs on SQLite or PostgreSQL")


@contextmanager
def _temporary_next_to(target: Path):
    """A new, empty file in the target's folder (so that os.replace is one rename on one file
    system), readable by its owner only: a backup holds personal data. Removed unless kept."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)  # mkstemp made it 0600
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _publish(temporary: Path, target: Path) -> None:
    # fsync before the rename, so that after a power cut the name holds the whole backup or
    # the old file, never a renamed but empty one.
    with open(temporary, "rb") as file:
        os.fsync(file.fileno())
    os.replace(temporary, target)


def _check_revision(revision: str | None, what: str) -> str:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    if revision is None:
        raise BackupError(f"{what} holds no ZVT schema (no Alembic revision)")
    if revision == head:
        return revision
    if revision in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(f"{what} has the older schema revision {revision}, this ZVT has {head}; restore it "
                          f"with the ZVT release that made it, then run 'zvt db upgrade'")
    raise BackupError(f"{what} has schema revision {revision}, which this ZVT (at {head}) does not know; "
                      f"it was made by a newer release")


# -- SQLite --------------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("the SQLite database must be a file named in ZVT_DATABASE_URL (sqlite:///path)")
    return Path(url.database)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)


def _inspect_sqlite(connection: sqlite3.Connection, what: str) -> tuple[str, int]:
    """(schema revision, number of cases) of a SQLite ZVT database that passes integrity_check."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{what} is damaged: integrity_check says {problems[0]}")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "instances"} <= tables:
            raise BackupError(f"{what} is a SQLite database but not a ZVT database")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        cases = connection.execute("SELECT count(*) FROM instances").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a usable SQLite database: {exc}") from None
    return _check_revision(revision[0] if revision else None, what), cases


def _sqlite_backup(database: Path, target: Path) -> Result:
    if not database.is_file():
        raise BackupError(f"there is no SQLite database at {database}")
    if target.exists() and target.resolve() == database.resolve():
        raise BackupError(f"{target} is the database itself; write the backup to another file")
    with _temporary_next_to(target) as temporary:
        try:
            # A plain connection, not read-only: SQLite may only open a WAL database read-only
            # when its -shm file is there, which it is not while nobody has the database open.
            with closing(sqlite3.connect(database, timeout=30)) as live, \
                    closing(sqlite3.connect(temporary)) as copy:
                # All pages in one step: that step reads under one read transaction, a snapshot
                # that in WAL mode never blocks the app's writers. Several smaller steps would
                # start over whenever another connection writes, and might never finish.
                live.backup(copy, pages=-1)
                # A self-contained file: no -wal beside it that a later copy could leave behind.
                copy.execute("PRAGMA journal_mode=DELETE")
                revision, cases = _inspect_sqlite(copy, f"the backup of {database}")
        except sqlite3.Error as exc:
            raise BackupError(f"backup of {database} failed: {exc}") from None
        _publish(temporary, target)
    return Result(target, revision, cases, target.stat().st_size)


def _sqlite_restore(database: Path, source: Path) -> Result:
    with open(source, "rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{source} is not a ZVT backup of a SQLite database")
    if database.exists() and database.resolve() == source.resolve():
        raise BackupError(f"{source} is the database itself")
    if not database.parent.is_dir():
        raise BackupError(f"folder {database.parent} does not exist")
    # First a checked copy next to the database: the backup file is only read, and a file that
    # is damaged, or changes while we read it, never reaches the database.
    with _temporary_next_to(database) as staged:
        with closing(sqlite3.connect(staged)) as copy:
            try:
                with closing(_read_only(source)) as backup_file:
                    backup_file.backup(copy, pages=-1)
            except sqlite3.Error as exc:
                raise BackupError(f"{source} is not a usable ZVT backup (damaged or cut short?): {exc}") from None
            revision, cases = _inspect_sqlite(copy, str(source))
            # Then into the live database through the backup API, not by renaming a file over
            # it: SQLite writes all pages in one write transaction (WAL or rollback journal), so
            # a crash halfway leaves the old database, a process that still has it open sees the
            # old or the new one, never a mix, and a -wal file left beside the database is not
            # replayed onto a file it does not belong to (which would corrupt it).
            try:
                with closing(sqlite3.connect(database, timeout=30)) as live:
                    copy.backup(live, pages=-1)
            except sqlite3.Error as exc:
                raise BackupError(f"restore into {database} failed, the database is as it was: {exc}") from None
    return Result(source, revision, cases, source.stat().st_size)


# -- PostgreSQL ----------------------------------------------------------------------------------

def _libpq(url: URL, tool: str) -> tuple[list[str], dict[str, str]]:
    """The tool's path, its --dbname argument and its environment: a libpq URL without the
    password (command lines are visible to every user of the machine in `ps`), which goes in
    PGPASSWORD instead."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed or not on PATH (Debian/Ubuntu: apt install postgresql-client)")
    netloc = quote(url.username or "", safe="")
    if url.host:
        host = f"[{url.host}]" if ":" in url.host else url.host
        netloc = f"{netloc}@{host}" if netloc else host
        if url.port:
            netloc += f":{url.port}"
    elif netloc:
        netloc += "@"
    query = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    query.setdefault("connect_timeout", PG_CONNECT_TIMEOUT)
    conninfo = f"postgresql://{netloc}/{quote(url.database or '', safe='')}?{urlencode(query)}"
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = url.password
    return [program, f"--dbname={conninfo}"], env


def _run(command: list[str], env: dict[str, str] | None, what: str) -> str:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit code {completed.returncode}'}")
    return completed.stdout


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _pg_backup(url: URL, target: Path) -> Result:
    dump, env = _libpq(url, "pg_dump")
    revision = _pg_revision(url)
    with _temporary_next_to(target) as temporary:
        # One transaction at REPEATABLE READ: a snapshot, taken while the app and scheduler write.
        _run([*dump, "--format=custom", f"--file={temporary}"], env, f"pg_dump of {_safe(url)}")
        # The revision read before the dump can only be older than the dump's if `zvt db upgrade`
        # ran in between; the dump's own word decides.
        dumped = _dump_revision(temporary, str(target))
        if dumped != revision:
            raise BackupError(f"the schema changed during the backup ({revision} -> {dumped}); run it again")
        _publish(temporary, target)
    return Result(target, revision, None, target.stat().st_size)


def _pg_revision(url: URL) -> str:
    engine = make_sql_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
                raise BackupError(f"the database {_safe(url)} holds no ZVT schema (run 'zvt db upgrade' first)")
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except BackupError:
        raise
    except Exception as exc:  # noqa: BLE001 - any connection failure ends as one line
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"cannot reach the database {_safe(url)}: {message}") from None
    finally:
        engine.dispose()
    return _check_revision(revision, f"the database {_safe(url)}")


def _dump_revision(path: Path, what: str) -> str | None:
    """The schema revision inside a custom-format dump, read by pg_restore without a server."""
    with open(path, "rb") as file:
        if file.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{what} is not a ZVT backup of a PostgreSQL database (not a pg_dump custom file)")
    restore_tool = shutil.which("pg_restore")
    if restore_tool is None:
        raise BackupError("pg_restore is not installed or not on PATH (Debian/Ubuntu: apt install postgresql-client)")
    # pg_restore without --dbname writes the SQL it would run; for one table's data that is a COPY.
    script = _run([restore_tool, "--data-only", "--table=alembic_version", "--file=-", str(path)], None,
                  f"reading {what}")
    lines = script.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            revision = lines[index + 1].strip()
            return None if revision == "\\." else revision
    raise BackupError(f"{what} is a PostgreSQL dump but not of a ZVT database")


def _pg_restore(url: URL, source: Path) -> Result:
    restore_tool, env = _libpq(url, "pg_restore")
    revision = _check_revision(_dump_revision(source, str(source)), str(source))
    _refuse_while_connected(url)
    # --single-transaction: all of it or, on the first error (--exit-on-error), none of it.
    # --clean --if-exists: drop each object of the dump before creating it again.
    # --no-owner: the objects belong to the user ZVT connects as, whoever owned them before.
    _run([*restore_tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          str(source)], env, f"pg_restore into {_safe(url)}")
    return Result(source, revision, _pg_cases(url), source.stat().st_size)


def _refuse_while_connected(url: URL) -> None:
    """Another session on the database is the web app, a scheduler or someone's psql: a restore
    would pull the tables away under it (or wait for its locks). Cheap to see on PostgreSQL."""
    engine = make_sql_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            others = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar()
    except Exception as exc:  # noqa: BLE001 - any connection failure ends as one line
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"cannot reach the database {_safe(url)}: {message}") from None
    finally:
        engine.dispose()
    if others:
        raise BackupError(f"{others} other connection(s) to {_safe(url)} are open; stop the web app and the "
                          f"scheduler before a restore")


def _pg_cases(url: URL) -> int:
    engine = make_sql_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM instances")).scalar_one()
    finally:
        engine.dispose()
