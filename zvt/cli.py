"""The `zvt` command: database, deployment, web server, scheduler and benchmarks.

This is the composition root: it reads the configuration once and builds the engine,
the Flask app and the scheduler from it. The engine never imports Flask or click.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from engine import Conflict, DefinitionRefused, Engine, EngineError, NotFound, anchors, audit, chain, migrate, retention
from engine.api import default_owner
from engine.claims import DEFAULT_LEASE
from engine.heartbeat import Heartbeat

from . import logging_setup, partners_cli
from . import scheduler as rounds
from .backup import BackupError
from .config import PROJECT_ROOT, RETENTION_FILE, Config, ConfigError, log_format, open_engine, retention_rules

log = logging.getLogger("zvt")


class _Group(click.Group):
    """Turns the errors a user can act on into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DefinitionRefused as exc:
            # Multi-line on purpose: one "file: element: reason" line per problem.
            _fail(str(exc))
        except (EngineError, ConfigError, BackupError) as exc:
            _fail(f"error: {exc}")
        except DBAPIError as exc:
            message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if "no such table" in message or ("relation" in message and "does not exist" in message):
                message += " (run 'zvt db upgrade' first)"
            _fail(f"error: database {_safe_url(ctx)}: {message}")


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


def _safe_url(ctx: click.Context) -> str:
    config = ctx.find_root().meta.get("zvt.config")
    if config is None:
        return ""
    return make_url(config.database_url).render_as_string(hide_password=True)


def _config() -> Config:
    # Read on first use, so `zvt --help`, `zvt bench` and `zvt demo-data` work with any environment.
    meta = click.get_current_context().find_root().meta
    if "zvt.config" not in meta:
        meta["zvt.config"] = Config.from_env()
    return meta["zvt.config"]


def _engine() -> Engine:
    engine = open_engine(_config())
    click.get_current_context().call_on_close(engine.close)
    return engine


@click.group(cls=_Group, name="zvt")
def main():
    """ZVT: case workflow for a zorg- en veiligheidsteam."""
    logging_setup.configure(log_format())  # text in development, JSON elsewhere (ZVT_LOG_FORMAT)


# -- database --------------------------------------------------------------------

@main.group()
def db():
    """Create or inspect the database schema."""


@db.command("upgrade")
def db_upgrade():
    """Migrate the database to the newest schema."""
    url = _config().database_url
    migrate.upgrade(url)
    click.echo(f"database at revision {migrate.current(url)}")
    _seal(_engine())


def _seal(engine: Engine) -> None:
    """Seal the log rows from before the audit key (engine/audit.py), after checking them."""
    with engine.database.unit_of_work() as uow:
        try:
            sealed = audit.seal(uow.session, engine.database.audit_key)
        except audit.SealRefused as exc:
            _fail(f"error: {exc}")
        uow.commit()
    for name in sealed:
        click.echo(f"{name}: the rows from before the audit key are intact and now sealed with it")


@db.command("current")
def db_current():
    """Print the database's schema revision ("none" before the first upgrade)."""
    click.echo(migrate.current(_config().database_url) or "none")


@main.command(short_help="Write a consistent copy of the database to a file.")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, overwrite: bool):
    """Write a consistent copy of the database to FILE, safe while the web app and the scheduler
    run: SQLite's online backup, or pg_dump --format=custom for PostgreSQL.

    Do not `cp` a live SQLite file. FILE holds personal data: it is made readable by its owner
    only; keep it encrypted and off this machine.
    """
    from . import backup as backups

    result = backups.backup(_config().database_url, file, overwrite=overwrite)
    cases = "" if result.cases is None else f", {result.cases} cases"
    click.echo(f"backup written to {result.path}: schema revision {result.revision}{cases}, "
               f"{result.size / 1e6:.1f} MB")


@main.command(short_help="Replace the database by a backup. Stop the web app and scheduler first.")
@click.argument("file", type=click.Path(path_type=Path))
def restore(file: Path):
    """Replace the whole database by the backup in FILE (made by `zvt backup`).

    Stop the web app and every scheduler first, and start them again afterwards. Cases and
    changes made after the backup are lost; timers that came due meanwhile fire at the
    scheduler's next round; mails queued at backup time go out (again). FILE must be a ZVT backup
    at this version's schema revision; anything else is refused and the database left as it was.
    On PostgreSQL the restore is refused while other connections to the database are open.
    """
    from . import backup as backups

    result = backups.restore(_config().database_url, file)
    click.echo(f"database restored from {result.path}: schema revision {result.revision}, {result.cases} cases")


# -- processes -------------------------------------------------------------------

@main.command(short_help="Deploy the processes in a folder.")
@click.argument("directory", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path),
              help="Folder of JSON Schema forms (default: ZVT_FORMS_DIR or forms).")
def deploy(directory: Path | None, forms_dir: Path | None):
    """Deploy every process in DIR (default: ZVT_PROCESSES_DIR or processes).

    Unchanged processes keep their version; when any file has a problem nothing is stored. Every
    process needs a retention rule: in DIR/retention.json when DIR has one, else ZVT_RETENTION_FILE.
    """
    config = _config()
    directory = directory or config.processes_dir
    beside = directory / RETENTION_FILE
    if beside.is_file():
        config = dataclasses.replace(config, retention=retention_rules(beside, str(beside)))
    engine = open_engine(config)
    click.get_current_context().call_on_close(engine.close)
    deployed = engine.deploy(directory, forms_dir or config.forms_dir)
    for version in deployed:
        click.echo(f"{version.process_id} version {version.version} ({'new' if version.new else 'unchanged'})")


@main.command(short_help="Add a diagram to BPMN files.")
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Lay out a file that already has a diagram anew.")
def layout(files: tuple[Path, ...], replace: bool):
    """Draw each FILE's process as a pool with its lanes, rewriting the file in place.

    Only the diagram (and the pool it needs) is added; the process itself is left as it is.
    """
    from .layout import add_diagram

    for path in files:
        try:
            path.write_bytes(add_diagram(path.read_bytes(), replace=replace))
        except (ValueError, OSError) as exc:
            _fail(f"error: {path}: {exc}")
        click.echo(f"{path}: diagram added")


@main.command("demo-data")
def demo_data():
    """Load the partners, one demo account per role and three invented cases (development only)."""
    if _config().is_production:
        raise click.ClickException("demo data is for the development configuration only (ZVT_ENV=production)")
    from . import demo

    engine = _engine()
    loaded = demo.load(engine)
    click.echo(f"demo data: {loaded.partners} partners, {loaded.accounts} accounts, {loaded.cases} cases added")
    if loaded.accounts:
        click.echo("demo accounts (password demo-<role>): " + ", ".join(a.username for a in demo.ACCOUNTS))
    if demo.load_api_client(engine):
        click.echo(f"demo API client {demo.API_CLIENT} of {demo.API_CLIENT_PARTNER}, token {demo.API_TOKEN} "
                   "(docs/api.md)")


# -- web -------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload/--no-reload", default=False, show_default=True,
              help="Restart when a source file changes (development only).")
@click.option("--with-scheduler/--no-scheduler", default=None,
              help="Run the scheduler inside the server (default: yes in development, no in production).")
def serve(host: str, port: int, reload: bool, with_scheduler: bool | None):
    """Serve the web app with Flask's development server."""
    from web import create_app  # here, not at the top: only this command needs Flask

    config = _config()
    if config.is_production:
        log.warning("the Flask development server is not meant for production; use a WSGI server")
    app = create_app(config)
    if with_scheduler is None:
        with_scheduler = not config.is_production
    # Under the reloader this process only watches files and a child serves; start the
    # scheduler in the child alone, or every edit would leave one more running.
    if with_scheduler and (not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"):
        _embedded_scheduler(app.extensions["zvt_engine"], config)
    app.run(host=host, port=port, use_reloader=reload, debug=False, request_handler=_quiet_request_handler())


def _quiet_request_handler():
    """Werkzeug's request handler without its request line, which holds the query string: the app
    logs each request itself, by route (web/request_log.py)."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietRequestHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-") -> None:
            pass

    return QuietRequestHandler


def _embedded_scheduler(engine: Engine, config: Config) -> None:
    """`zvt serve`'s own scheduler thread in development: deadlines fire while you click."""
    from apscheduler.schedulers.background import BackgroundScheduler

    background = BackgroundScheduler(daemon=True)
    rounds.add_rounds(background, engine, config, default_owner(), DEFAULT_LEASE, config.scheduler_interval,
                      quiet_when_idle=True)
    background.start()
    log.info("embedded scheduler: firing due timers every %d seconds", config.scheduler_interval)


# -- scheduler -------------------------------------------------------------------

@main.command()
@click.option("--once", is_flag=True, help="Fire the due timers once and exit.")
@click.option("--interval", type=click.IntRange(min=1),
              help="Seconds between rounds (default: ZVT_SCHEDULER_INTERVAL or 30).")
@click.option("--lease", type=click.IntRange(min=1), default=int(DEFAULT_LEASE.total_seconds()), show_default=True,
              help="Seconds a claimed timer stays with this scheduler; if it dies, others fire the timer after this.")
def scheduler(once: bool, interval: int | None, lease: int):
    """Fire due timers and send queued mail now and then, until stopped. Several may run
    against one PostgreSQL."""
    config = _config()
    config.check_anchors()  # before touching the database
    engine = _engine()
    lease_time = timedelta(seconds=lease)
    owner = default_owner()

    interval = interval or config.scheduler_interval
    if once:
        done = rounds.recorded_round(engine, config, Heartbeat(engine.database, owner, interval), lease_time,
                                     rounds.anchor_watch(config), reraise=True)
        assert done is not None, "with reraise a failed round raises"
        click.echo(f"fired {done.fired} timers, sent {done.sent} mails")
        return

    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    # APScheduler only triggers. Due times live in our own timer rows, written in the
    # same transaction as the workflow step that made them, so a restart loses nothing
    # and several scheduler processes on PostgreSQL agree on what is due. APScheduler's
    # job store would be a second copy of that truth, pickled, and out of step after
    # every rollback - so its default in-memory store holds just the round and the heartbeat.
    blocking = BlockingScheduler(executors={"default": ThreadPoolExecutor(1)})
    rounds.add_rounds(blocking, engine, config, owner, lease_time, interval)

    # SIGTERM ends like Ctrl-C: shutdown() waits for a running round to commit or roll back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("scheduler started: firing due timers every %d seconds", interval)
    try:
        blocking.start()
    except (KeyboardInterrupt, SystemExit):
        blocking.shutdown()
        log.info("scheduler stopped")


# -- the logs' hash chains -------------------------------------------------------

@main.group("audit")
def audit_group():
    """Prove that the access log and the history are intact."""


@audit_group.command("verify")
@click.option("--anchor", "given", multiple=True, metavar="LINE",
              help="An anchor line from the FG's mail or a copy of the anchor file (repeatable).")
@click.option("--anchors", "anchor_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the anchors from this file instead of ZVT_AUDIT_ANCHOR_FILE: a copy of the anchor "
                   "file, or the zvt-anchor lines exported from syslog.")
def audit_verify(given: tuple[str, ...], anchor_file: Path | None):
    """Check every row of the access log and the history against the audit key and the anchors.

    Exits 0 when both are intact, 1 naming the first broken row and what is wrong with it."""
    config = _config()
    try:
        found = anchors.read(anchor_file or config.audit_anchor_file)
        found += [anchors.parse_line(line, "--anchor: ") for line in given]
    except anchors.AnchorFileError as exc:
        _fail(f"error: {exc}")
    engine = _engine()
    broken = False
    with engine.database.unit_of_work(write=False) as uow:
        for name in chain.CHAINS:
            report = audit.verify(uow.session, engine.database.audit_key, name, found)
            if report.intact:
                click.echo(f"{name}: intact, {report.rows} rows, last anchor {_anchor_text(report.last_anchor)}")
            else:
                broken = True
                click.echo(f"{name}: BROKEN at row {report.broken_row}: {report.problem}")
    if broken:
        raise SystemExit(1)


def _anchor_text(anchor: audit.Anchor | None) -> str:
    if anchor is None:
        return "none"
    when = anchor.at.isoformat(timespec="seconds") if anchor.at else "(no time)"
    return f"row {anchor.row_id} at {when}"


@audit_group.command("seal")
def audit_seal():
    """Seal the rows from before the audit key, after checking them (`zvt db upgrade` does this)."""
    _seal(_engine())


# -- moving running cases to a newer version --------------------------------------

@main.command("migrate", short_help="Move running cases to a newer version of their process.")
@click.argument("process_id")
@click.option("--to", "to_version", type=click.IntRange(min=1), help="The version to move to (default: the latest).")
@click.option("--case", "case_numbers", type=click.IntRange(min=1), multiple=True,
              help="Only this case (repeatable). Default: every running case on an older version.")
@click.option("--dry-run", is_flag=True, help="Say for each case whether it can move and what changes; change nothing.")
@click.option("--reason", default="", help="Why, for each case's history (required unless --dry-run).")
def migrate_cases(process_id: str, to_version: int | None, case_numbers: tuple[int, ...], dry_run: bool, reason: str):
    """Move running cases of PROCESS_ID to a newer version, each in its own transaction.

    A case moves only when every element it stands on or still needs is in the new version;
    its open tasks keep their ids and its deadlines their moments. Cases that cannot move stay
    on their version and say why. Exits 1 when a case could not move (not with --dry-run).
    """
    from engine.migrating import MigrationRefused

    if not dry_run and not reason.strip():
        _fail("error: give a --reason; it goes into each moved case's history", 2)
    engine = _engine()
    try:
        numbers = list(case_numbers) or engine.migration_candidates(process_id, to_version)
    except NotFound as exc:
        _fail(f"error: {exc}")
    if not numbers:
        click.echo(f"no running cases of {process_id} on an older version")
        return
    refused = 0
    for number in numbers:
        try:
            result = engine.migrate(number, to_version, actor="zvt migrate", reason=reason, dry_run=dry_run)
        except (MigrationRefused, NotFound, Conflict) as exc:
            refused += 1
            click.echo(f"case {number}: stays: {exc}")
            continue
        if not result.can_move:
            click.echo(f"case {number}: cannot move from version {result.from_version}: {result.reason}")
            continue
        verb = "can move" if dry_run else "moved"
        open_tasks = ", ".join(f"{t.bpmn_id} ({t.lane})" for t in result.after) or "none"
        click.echo(f"case {number}: {verb} from version {result.from_version} to {result.to_version}; "
                   f"open tasks: {open_tasks}"
                   + (f"; other lane now: {', '.join(result.lanes_changed)}" if result.lanes_changed else "")
                   + (f"; passes over: {', '.join(result.skipped)}" if result.skipped else ""))
    if refused:
        _fail(f"{refused} case(s) stayed on their version", 1)


# -- incidents -------------------------------------------------------------------

@main.group(invoke_without_command=True)
@click.pass_context
def incidents(ctx: click.Context):
    """Timers that failed too often and wait for a person; list them."""
    if ctx.invoked_subcommand is not None:
        return
    found = _engine().incidents()
    if not found:
        click.echo("no incidents")
        return
    for incident in found:
        click.echo(f"{incident.timer_id}  case {incident.instance_id} ({incident.process_id}) "
                   f"{incident.bpmn_id}: {incident.attempts} attempts, since "
                   f"{incident.incident_at.isoformat(timespec='seconds')}: {incident.last_error or ''}")


@incidents.command("retry")
@click.argument("timer_id")
def incidents_retry(timer_id: str):
    """Let the scheduler try the incident's timer again from its next round."""
    try:
        _engine().retry_incident(timer_id)
    except NotFound:
        _fail(f"error: there is no incident {timer_id}; `zvt incidents` lists them")
    click.echo(f"incident {timer_id} goes back to the scheduler")


# -- retention -------------------------------------------------------------------

@main.group("retention")
def retention_group():
    """Destroy the personal data of closed cases whose date has come (docs/bewaartermijnen.md)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed and pruned; change nothing.")
@click.option("--batch", type=click.IntRange(min=1), default=retention.BATCH, show_default=True,
              help="At most this many cases per run.")
def retention_run(dry_run: bool, batch: int):
    """Destroy the due cases' personal data now, as the scheduler does each round, and prune old
    login attempts and sent mails. Prints case numbers and counts, never a person's data."""
    engine = _engine()
    if engine.retention is None:
        _fail("error: no retention rules; set ZVT_RETENTION_FILE")
    report = retention.run(engine.database, engine.retention, engine.clock(), dry_run=dry_run,
                           actor="zvt retention run", batch=batch)
    verb = "would destroy" if dry_run else "destroyed"
    for due in report.destroyed:
        rows = ", ".join(f"{n} {table}" for table, n in due.counts.items() if n)
        click.echo(f"case {due.case} ({due.process_id}): {verb}; date {due.destroy_at.date().isoformat()}; "
                   f"rule {due.rule}; rows: {rows or 'none'}")
    for case in report.held:
        click.echo(f"case {case}: due, but on legal hold: kept")
    prune = "would prune" if dry_run else "pruned"
    click.echo(f"{verb} {len(report.destroyed)} cases, {len(report.held)} on hold; {prune} "
               f"{report.login_attempts} login attempts and {report.sent_mails} sent mails"
               + ("" if dry_run else f"; {report.dated} closed cases got their date"))


# -- accounts (zvt/accounts_cli.py) ------------------------------------------------

from .accounts_cli import accounts_group  # noqa: E402 - registered here, after the group exists

main.add_command(accounts_group)


# -- benchmarks ------------------------------------------------------------------

@main.command()
@click.option("--quick", is_flag=True, help="Fewer rounds: a smoke run, not figures to quote.")
@click.option("--scale", is_flag=True,
              help="Also the scale benchmark (bench/scale.py): 1,000,000 closed and 100,000 open cases in "
                   "PostgreSQL, about half an hour and 15 GB of disk; with --quick 20,000 and 2,000.")
def bench(quick: bool, scale: bool):
    """Run the benchmarks in bench/run_all.py and print their figures."""
    path = PROJECT_ROOT / "bench" / "run_all.py"
    if not path.is_file():
        _fail(f"error: {path} does not exist; the benchmarks are not written yet", code=2)
    # Like `python bench/run_all.py`: the bench folder and the project root are importable.
    for folder in (str(path.parent), str(PROJECT_ROOT)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("zvt_bench_run_all", path)
    if spec is None or spec.loader is None:
        _fail(f"error: {path} cannot be loaded as a module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The benchmarks print figures. At INFO the migrations of every fresh database they make
    # (some 1,400 lines a run) would bury them; warnings and errors still show.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        result = module.main(quick=quick, scale=scale)
    finally:
        root.setLevel(level)
    if isinstance(result, int) and not isinstance(result, bool) and result:
        raise SystemExit(result)


main.add_command(partners_cli.partners)

# -- single sign-on (zvt/sso_cli.py) -------------------------------------------------

from .sso_cli import sso as _sso  # noqa: E402 - the group uses this module's _engine and _config

main.add_command(_sso)

# -- API clients (zvt/api_clients_cli.py) ------------------------------------------

from .api_clients_cli import api_clients_group  # noqa: E402 - the group uses this module's _engine

main.add_command(api_clients_group)
