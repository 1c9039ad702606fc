"""ZVT as an operator runs it (README.md, "In productie"): the wheel installed into a fresh virtual
environment without Node, of the newest Python the machine has (tests/test_packaging.py), gunicorn
with `gunicorn.conf.py` (two workers) and `zvt scheduler` against PostgreSQL, production settings
from deploy/zvt.env.example, mail over SMTP on loopback.
A teamleider signs in with password and authenticator code, starts a convenantzaak and completes
its first task; `/metrics` and `/ready` answer, and the logs are JSON lines that hold no address.

The reverse proxy is played by the test: it talks plain HTTP to gunicorn and sends the
X-Forwarded-Proto and -For headers nginx sends (deploy/nginx/zvt.conf, ZVT_TRUSTED_PROXIES=1),
and, as a browser does for a Secure cookie, keeps the session cookie itself.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from pathlib import Path

import pyotp
import pytest
import requests
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import Engine
from engine.db import Account
from tests.conftest import POSTGRES_URL
from tests.deploy_settings import REPO, filled_in_example
from tests.test_packaging import free_port, install

PASSWORD = "een-lang-wachtwoord-voor-de-test"
PARTNERS = [{"code": "gemeente_heerenveen", "name": "Gemeente Heerenveen", "kind": "convenant",
             "grondslag": "AVG art. 6 lid 1 sub e", "directs": True, "joined_on": "2026-01-01"},
            {"code": "politie", "name": "Politie", "kind": "convenant", "grondslag": "Art. 20 Wet politiegegevens",
             "joined_on": "2026-01-01"}]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def database():
    """A PostgreSQL database of this test's own, dropped after it."""
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"zvt_production_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Proxy:
    """What nginx and a browser do between a person and gunicorn, over plain HTTP on loopback."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10",
                   "Referer": f"https://127.0.0.1:{self.base.rsplit(':', 1)[1]}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, self.base + path, headers=headers, allow_redirects=False, timeout=30,
                                     **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict) -> requests.Response:
        token = _CSRF.search(self.get(path).text).group(1)
        return self.request("POST", path, data={**data, "csrf_token": token})


def started(process: subprocess.Popen, log: Path, ready, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"{what} stopped:\n{log.read_text()[-3000:]}"
        try:
            if ready():
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"{what} did not start:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)


def test_the_installed_wheel_runs_under_gunicorn_and_the_scheduler_on_postgresql(wheel, venv_python, database,
                                                                                   smtp, tmp_path):
    bin_folder = install(wheel, tmp_path / "venv", venv_python)
    # The release beside the wheel: processes, forms and gunicorn.conf.py (README.md, "In productie").
    srv = tmp_path / "srv"
    shutil.copytree(REPO / "processes", srv / "processes")
    shutil.copytree(REPO / "forms", srv / "forms")
    shutil.copy(REPO / "gunicorn.conf.py", srv)
    (srv / "partners.json").write_text(json.dumps(PARTNERS))
    port = free_port()
    env = {**filled_in_example(), "PATH": str(bin_folder), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "ZVT_DATABASE_URL": database, "ZVT_BIND": f"127.0.0.1:{port}", "ZVT_WORKERS": "2",
           "ZVT_BASE_URL": f"https://127.0.0.1:{port}", "ZVT_SMTP_HOST": "127.0.0.1",
           "ZVT_SMTP_PORT": str(smtp.port), "ZVT_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.log"),
           "ZVT_SCHEDULER_INTERVAL": "2"}

    def run(*command: str) -> str:
        result = subprocess.run([bin_folder / command[0], *command[1:]], cwd=srv, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("zvt", "db", "upgrade")
    run("zvt", "deploy", "processes")
    run("zvt", "partners", "import", "partners.json")
    # The teamleider's account as the approval flow leaves it (docs/beheer.md): there is no
    # command that makes a caseworker's account without the gemachtigde.
    secret = pyotp.random_base32()
    engine = Engine(database)
    with engine.database.unit_of_work() as uow:
        uow.session.add(Account(username="t.leider", display_name="Tineke Leider", partner_id="gemeente_heerenveen",
                                roles=["teamleider"], password_hash=PasswordHasher().hash(PASSWORD),
                                totp_secret=secret, active=True, demo=False, created_at=datetime.now(timezone.utc)))
        uow.commit()
    engine.close()

    web_log, scheduler_log = tmp_path / "gunicorn.log", tmp_path / "scheduler.log"
    with open(web_log, "w") as web_out, open(scheduler_log, "w") as scheduler_out:
        web = subprocess.Popen([bin_folder / "gunicorn", "-c", "gunicorn.conf.py", "web.wsgi:app"], cwd=srv,
                               env=env, stdout=web_out, stderr=subprocess.STDOUT)
        scheduler = subprocess.Popen([bin_folder / "zvt", "scheduler"], cwd=srv, env=env, stdout=scheduler_out,
                                     stderr=subprocess.STDOUT)
    proxy = Proxy(port)
    try:
        started(web, web_log, lambda: proxy.get("/health").status_code == 200, "gunicorn")
        started(scheduler, scheduler_log, lambda: proxy.get("/ready").status_code == 200, "the scheduler")
        assert proxy.get("/ready").json() == {"status": "ready"}

        # Sign in: password, then the authenticator app's code.
        signed = proxy.post_form("/inloggen", {"gebruikersnaam": "t.leider", "wachtwoord": PASSWORD})
        assert signed.status_code == 302 and signed.headers["Location"].endswith("/inloggen/code")
        coded = proxy.post_form("/inloggen/code", {"code": pyotp.TOTP(secret).now()})
        assert coded.status_code == 302, coded.text[-2000:]
        assert "Tineke Leider" in proxy.get("/").text

        # A convenantzaak started, and its first task done.
        begun = proxy.post_form("/convenant/nieuw", {"soort_wijziging": "wijziging",
                                                     "aanleiding": "Afspraak uit de jaarlijkse evaluatie"})
        assert begun.status_code == 302, begun.text[-2000:]
        inbox = proxy.get("/taken").text
        [task] = re.findall(r'href="/taken/([0-9a-f-]{36})"', inbox)
        done = proxy.post_form(f"/taken/{task}", {"wijziging_betreft": "werkwijze",
                                                  "wijziging_omschrijving": "Het zorgoverleg is voortaan om de week."})
        assert done.status_code == 302, done.text[-2000:]
        assert f'href="/taken/{task}"' not in proxy.get("/taken").text

        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        completed = re.search(r'zvt_http_requests_total\{endpoint="tasks.submit",method="POST",status="302"\} (\S+)',
                              metrics)
        assert completed and float(completed.group(1)) >= 1, "\n".join(line for line in metrics.splitlines() if "requests_total" in line)
        assert re.search(r'zvt_scheduler_rounds_total\{[^}]*\} [1-9]', metrics), metrics[:3000]
    finally:
        for process in (web, scheduler):
            process.terminate()
            process.wait(timeout=30)

    # JSON lines only, from the app's request log and from the scheduler; no address or name in them.
    lines = [json.loads(line) for line in web_log.read_text().splitlines() if line.strip()]
    requests_logged = [line for line in lines if line.get("logger") == "zvt.access"]
    assert {"time", "level", "logger", "message", "process", "request_id", "endpoint", "status"} <= set(
        next(line for line in requests_logged if line["endpoint"] == "tasks.submit" and line["method"] == "POST"))
    assert all("192.0.2.10" not in json.dumps(line) and task not in json.dumps(line) for line in lines)
    rounds = [json.loads(line) for line in scheduler_log.read_text().splitlines() if line.strip()]
    assert any(line["logger"] == "zvt" and line["message"].startswith("scheduler started") for line in rounds)
    assert all("Tineke" not in json.dumps(line) for line in lines + rounds)
