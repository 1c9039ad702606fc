"""Web load: 20 caseworkers working through their tasks in the web app, under gunicorn on PostgreSQL.

Target (issues): p95 under 100 ms for the inbox, for submitting a task, for the case list and for
a search by name (Casussen), and zero errors,
with 20 simulated caseworkers on this 2-core machine. A benchmark that prints figures, not a
timed test: PASS/FAIL is printed, never raised.

What happens:
1. A fresh PostgreSQL database (zvt_bench_<pid>), migrated, with the processes and forms of
   this project deployed, the covenant's partners, and one procesregisseur account per
   simulated caseworker (regisseur01..regisseurNN, municipality). Each caseworker gets a pool
   of zvt_casus cases at the privacycheck, assigned to them; the zorgoverleg that follows
   (answered "doorgaan") leads to the next privacycheck, so the work never runs out, and no
   two caseworkers ever touch the same case (a 409 would be an error).
2. gunicorn serves the app on 127.0.0.1:<free port> as web/wsgi.py would (--preload: built and
   warmed up once, then forked), 3 sync workers: on 2 cores shared with PostgreSQL and locust,
   more workers or threads only queue for the same CPU (measured: 4 workers x 2 threads gave a
   p95 about twice as high).
3. locust (bench/locustfile.py), headless: caseworkers arrive two a second; each logs in once,
   then loops inbox -> open a task of their own cases -> (claim it, when it is not yet theirs,
   and open it again) -> submit it -> Casussen -> search one of their cases by name, with a pause (exponential, mean --think-time) before opening
   and before submitting and after. The figures count from when all have arrived.
4. The percentiles per kind of request, then gunicorn is stopped and the database dropped.

    python bench/web_load.py [--users 20] [--run-time 60] [--think-time 1] [--workers 3 --threads 1]
    zvt bench                  (every benchmark; this one with the defaults)
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
ADMIN_URL = os.environ.get("ZVT_BENCH_POSTGRES_URL") or os.environ.get(
    "ZVT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# The target of the issue: these kinds of request, this percentile, this many milliseconds.
TARGET_KINDS = ("inbox", "submit", "caselist", "search")
TARGET_P95_MS = 100.0
TARGET_USERS = 20
KINDS = ("login", "inbox", "claim", "task", "submit", "caselist", "search")
SPAWN_RATE = 2  # caseworkers starting per second

PARTNER = "gemeente_heerenveen"
PASSWORD = "bench-wachtwoord-niet-geheim"
DEELNEMERS = ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"]


def username(number: int) -> str:
    return f"regisseur{number:02d}"


def fast_hasher():
    """Cheap argon2 parameters for the bench accounts and the app that checks them (as the
    web tests do): login happens once per user and its cost is not what is measured; with
    production parameters 20 simultaneous logins would only add a burst of hashing at the start."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def gunicorn_app():
    """The WSGI app gunicorn serves: as web/wsgi.py (configuration from the ZVT_ variables:
    development, a real secret key; warmed up before the fork), with the fast hasher above."""
    from web import create_app, warm_up
    from zvt.config import Config

    app = create_app(Config.from_env(), password_hasher=fast_hasher())
    warm_up(app)
    return app


# -- the database -------------------------------------------------------------------

def create_database(name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(ADMIN_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _aanmelding(number: int) -> dict:
    # Invented, like the demo data.
    return {
        "betrokkene_naam": f"Bench-persoon {number}", "betrokkene_geboortedatum": "1970-01-01",
        "betrokkene_adres": "Benchstraat 1, 8441 AA Heerenveen",
        "reden_aanmelding": "Huurachterstand en overlast; reageert niet op brieven.",
        "situaties": ["dreigende_huisuitzetting", "overlast"], "leefgebieden": ["wonen", "financien"],
        "zelfregie": False, "grote_maatschappelijke_impact": False, "betrokkene_op_de_hoogte": True,
        "toestemming": "ja", "grondslag_afgewogen": True,
    }


_TO_PRIVACYCHECK = (
    ("beoordeling", {"niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden.",
                     "deelnemende_partners": DEELNEMERS, "crisisoverleg": False, "informeren": "informeren"}),
    ("betrokkene_informeren", {"datum_geinformeerd": "2026-11-02", "manier": "gesprek", "gegevens_en_doel": True,
                               "bronnen_en_ontvangers": "WoonFriesland en GGZ Friesland", "rechten_uitgelegd": True,
                               "uitgenodigd_voor_plan": True}),
    ("privacycheck_plangesprek", {"uitgenodigde_partners": DEELNEMERS, "noodzaak_nagegaan": True}),
    ("plan_van_aanpak", {"doelen": "Huurachterstand oplossen.", "betrokkene_aanwezig": True,
                         "afspraken": [{"partner": "woonfriesland", "actie": "Betalingsregeling aanbieden",
                                        "uiterlijk_op": "2026-11-13"}],
                         "eerste_zorgoverleg_op": "2026-11-16", "evaluatie_op": "2026-12-14"}),
)


def populate(database_url: str, users: int, cases_per_user: int) -> dict[str, Any]:
    """Migrate, deploy, and add partners, accounts and each user's cases at the privacycheck.

    Returns each user's case numbers, and under "names" each case's betrokkene_naam."""
    from engine import Engine
    from engine.db import Account, Partner
    from engine.migrate import upgrade
    from zvt.demo import PARTNERS

    upgrade(database_url)
    engine = Engine(database_url)
    try:
        engine.deploy(ROOT / "processes", ROOT / "forms", actor="bench")
        hasher = fast_hasher()
        password_hash = hasher.hash(PASSWORD)  # one hash for all: argon2 salts it, the check is the same
        with engine.database.unit_of_work() as uow:
            for code, name, grondslag in PARTNERS:
                uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag=grondslag, active=True))
            uow.session.flush()
            for number in range(1, users + 1):
                uow.session.add(Account(
                    username=username(number), display_name=f"Bench Regisseur {number:02d}", partner_id=PARTNER,
                    roles=["procesregisseur"], password_hash=password_hash, totp_secret=None, active=True,
                    demo=False, created_at=engine.clock()))
            uow.commit()
        case = 0
        cases: dict[str, Any] = {}  # username -> case numbers; "names" -> case number -> name
        for number in range(1, users + 1):
            for _ in range(cases_per_user):
                case += 1
                instance = engine.start("zvt_casus", _aanmelding(case), actor="bench",
                                        context={"aanmelder_partner": "woonfriesland"})
                for bpmn_id, data in _TO_PRIVACYCHECK:
                    [task] = [t for t in engine.ready_tasks(instance) if t.bpmn_id == bpmn_id]
                    engine.complete(task.id, data, actor="bench")
                [task] = engine.ready_tasks(instance)
                assert task.bpmn_id == "privacycheck", task.bpmn_id
                engine.assign(task.id, username(number), expected=None)
                cases.setdefault(username(number), []).append(instance)
                # What a caseworker types to find the case by name (locustfile's search).
                cases.setdefault("names", {})[str(instance)] = _aanmelding(case)["betrokkene_naam"]
        return cases
    finally:
        engine.close()


# -- gunicorn -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_gunicorn(database_url: str, workers: int, threads: int, workdir: Path) -> Server:
    port = free_port()
    env = dict(os.environ)
    env.update(
        # Development configuration: production insists on TOTP at every login and refuses
        # accounts without it, which a load script cannot type. A real random secret key all
        # the same, so sessions and CSRF tokens are signed as in production.
        ZVT_ENV="development",
        ZVT_SECRET_KEY=secrets.token_urlsafe(32),
        ZVT_DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    log_path = workdir / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn", "bench.web_load:gunicorn_app()",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--log-level", "warning", "--no-control-socket", "--chdir", str(ROOT), "--preload",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_tail()}")


# -- locust -------------------------------------------------------------------------

def run_locust(host: str, users: int, run_time: int, think_time: float, workdir: Path,
               cases: dict[str, Any] | list, locustfile: Path = LOCUSTFILE) -> dict:
    prefix = workdir / "locust"
    cases_path = workdir / "cases.json"
    cases_path.write_text(json.dumps(cases), encoding="utf-8")
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
        # Caseworkers arrive two a second, and the figures count from when all are working
        # (--reset-stats): the steady state, not twenty logins in the same millisecond.
        "-u", str(users), "-r", str(SPAWN_RATE), "--reset-stats", "--run-time", f"{run_time}s", "--host", host,
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        "--think-time", str(think_time), "--bench-password", PASSWORD, "--bench-cases", str(cases_path),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    stats_path = Path(f"{prefix}_stats.csv")
    if not stats_path.is_file():
        raise RuntimeError(f"locust wrote no statistics (exit {result.returncode}):\n{result.stderr[-3000:]}")
    stats = {}
    with open(stats_path, newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = row
    failures = []
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.is_file():
        with open(failures_path, newline="") as handle:
            failures = list(csv.DictReader(handle))
    return {"stats": stats, "failures": failures}


# -- the report ---------------------------------------------------------------------

def _number(row: dict, column: str) -> float:
    value = row.get(column) or "0"
    return 0.0 if value == "N/A" else float(value)


def report(outcome: dict, config: dict) -> bool:
    stats, failures = outcome["stats"], outcome["failures"]
    print(f"web load: {config['users']} caseworkers, {config['run_time']} s, think time "
          f"{config['think_time']:g} s (mean, between requests), gunicorn {config['workers']} workers x "
          f"{config['threads']} threads, PostgreSQL, {config['cases_per_user']} cases per caseworker")
    print(f"  {'request':8} {'count':>7} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind in (*KINDS, "Aggregated"):
        row = stats.get(kind)
        if row is None:
            continue
        print(f"  {kind:8} {int(_number(row, 'Request Count')):7d} {int(_number(row, 'Failure Count')):5d} "
              f"{_number(row, 'Requests/s'):7.1f} {_number(row, '50%'):7.0f} {_number(row, '95%'):7.0f} "
              f"{_number(row, '99%'):7.0f} {_number(row, 'Max Response Time'):7.0f}")
    for failure in failures[:10]:
        print(f"  failure: {failure.get('Method')} {failure.get('Name')}: {failure.get('Error')} "
              f"x{failure.get('Occurrences')}")
    errors = int(_number(stats.get("Aggregated", {}), "Failure Count"))
    verdicts = []
    passed = errors == 0
    for kind in TARGET_KINDS:
        row = stats.get(kind)
        p95 = _number(row, "95%") if row else float("inf")
        ok = row is not None and _number(row, "Request Count") > 0 and p95 < TARGET_P95_MS
        passed = passed and ok
        verdicts.append(f"{kind} p95 {p95:.0f} ms")
    verdict = ("PASS" if passed else "FAIL") if config["users"] == TARGET_USERS else \
        f"not judged: the target is for {TARGET_USERS} caseworkers"
    print(f"  target: p95 under {TARGET_P95_MS:.0f} ms for {' and '.join(TARGET_KINDS)}, zero errors: "
          f"{verdict} ({', '.join(verdicts)}, {errors} errors)")
    return passed


def main(users: int = TARGET_USERS, run_time: int = 60, think_time: float = 1.0, workers: int = 3, threads: int = 1,
         cases_per_user: int = 3, keep: bool = False) -> dict:
    name = f"zvt_bench_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="zvt-web-load-"))
    server = None
    try:
        started = time.perf_counter()
        url = create_database(name)
        cases = populate(url, users, cases_per_user)
        print(f"set-up: database {name}, {users} accounts, {users * cases_per_user} cases "
              f"({time.perf_counter() - started:.1f} s)")
        server = start_gunicorn(url, workers, threads, workdir)
        outcome = run_locust(server.url, users, run_time, think_time, workdir, cases)
        config = dict(users=users, run_time=run_time, think_time=think_time, workers=workers, threads=threads,
                      cases_per_user=cases_per_user)
        passed = report(outcome, config)
        return {"passed": passed, **outcome, "config": config}
    finally:
        if server is not None:
            server.stop()
            problems = server.log_tail()
            if problems.strip():
                print("gunicorn said:\n" + problems)
        if keep:
            print(f"kept database {name} and {workdir}")
        else:
            drop_database(name)
            shutil.rmtree(workdir, ignore_errors=True)


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=TARGET_USERS)
    parser.add_argument("--run-time", type=int, default=60, help="seconds")
    parser.add_argument("--think-time", type=float, default=1.0,
                        help="mean seconds a caseworker pauses between requests (0: no pause)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cases-per-user", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database and locust's files")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _arguments()
    main(args.users, args.run_time, args.think_time, args.workers, args.threads, args.cases_per_user, args.keep)
