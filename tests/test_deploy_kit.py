"""The deployment kit in deploy/ holds together: the compose file starts the app, the scheduler and
PostgreSQL with the settings the app needs in production; the image runs as an account that is not
root and without Node; systemd accepts the units, hardened. (Docker is not on the development
machine: the image's build commands run in tests/test_packaging.py; nginx's example is checked
by hand with `nginx -t`, see README.md.)"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.deploy_settings import DEPLOY, REPO, filled_in_example, read_env_file
from zvt.config import Config

COMPOSE = DEPLOY / "compose.yaml"
UNITS = DEPLOY / "systemd"
# ${NAME}, ${NAME:?message} and ${NAME:-default}, as Compose interpolates them.
_VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: str, settings: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if settings.get(name):
            return settings[name]
        assert kind == "-", f"{name} is not set: {rest}"
        return rest
    return _VARIABLE.sub(one, value)


def environment(service: dict, dotenv: dict[str, str]) -> dict[str, str]:
    """A service's environment as Compose makes it: env_file, then environment over it."""
    assert service["env_file"] == ".env"
    return {**dotenv, **{name: interpolate(str(value), dotenv) for name, value in service["environment"].items()}}


def test_compose_starts_app_scheduler_and_postgresql_each_with_a_healthcheck():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app", "scheduler"}
    for name in ("migrate", "app", "scheduler"):
        build = services[name]["build"]
        assert (DEPLOY / build["context"]).resolve() == REPO
        assert (REPO / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"]
    # The one-off migration first; the app and the scheduler only after it succeeded.
    assert services["migrate"]["command"] == ["sh", "-c", "zvt db upgrade && zvt deploy"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("app", "scheduler"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert "command" not in services["app"]  # the image's: gunicorn
    assert services["scheduler"]["command"] == ["zvt", "scheduler"]
    # PostgreSQL keeps its data in a named volume.
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"] and "pgdata" in compose["volumes"]
    checks = {name: " ".join(services[name]["healthcheck"]["test"]) for name in ("db", "app", "scheduler")}
    assert "pg_isready" in checks["db"]
    assert "http://127.0.0.1:8000/health" in checks["app"]
    assert "http://app:8000/ready" in checks["scheduler"]
    # The app answers the proxy on the host only.
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]


def test_compose_gives_the_app_and_the_scheduler_a_production_configuration():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    dotenv = filled_in_example()
    # Every ${...} in the file is one the example defines.
    used = {match[0] for match in _VARIABLE.findall(COMPOSE.read_text(encoding="utf-8"))}
    assert used and used <= set(read_env_file(DEPLOY / "zvt.env.example"))
    # The image sets where the processes and forms are; here they are the repository's.
    image = {"ZVT_PROCESSES_DIR": str(REPO / "processes"), "ZVT_FORMS_DIR": str(REPO / "forms")}
    for name in ("migrate", "app", "scheduler"):
        config = Config.from_env({**environment(compose["services"][name], dotenv), **image})
        assert config.is_production and config.trusted_proxies == 1
        assert config.database_url == f"postgresql+psycopg://zvt:{dotenv['POSTGRES_PASSWORD']}@db:5432/zvt"
    scheduler = compose["services"]["scheduler"]
    config = Config.from_env({**environment(scheduler, dotenv), **image})
    config.check_anchors()
    # The anchor file is in the folder the scheduler's volume mounts.
    mounted = [volume.split(":")[1] for volume in scheduler["volumes"]]
    assert str(config.audit_anchor_file.parent) in mounted


def stages(dockerfile: Path) -> list[list[str]]:
    lines = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    result: list[list[str]] = []
    for line in lines:
        if line.startswith("FROM "):
            result.append([])
        if result and line.strip() and not line.lstrip().startswith("#"):
            result[-1].append(line.strip())
    return result


def test_the_image_has_python_pango_and_no_node_and_runs_as_another_account_than_root():
    build, final = stages(DEPLOY / "Dockerfile")
    assert build[0].startswith("FROM node:") and build[0].endswith(" AS build")
    assert final[0].startswith("FROM python:")
    text = "\n".join(final)
    assert not re.search(r"\bnode", text, re.IGNORECASE)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "postgresql-client"):
        assert package in text
    [user] = [line for line in final if line.startswith("USER ")]
    assert user.split()[1].split(":")[0] not in ("root", "0")
    assert final[-1] == 'CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "web.wsgi:app"]'


def unit_root(tmp_path: Path) -> Path:
    """A file system root that holds systemd's own units, ours, and the programs ours start (as
    empty scripts): `systemd-analyze verify --root` checks that each exists and can run."""
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    shutil.copytree(UNITS, root / "etc/systemd/system")
    for program in ("opt/zvt/bin/gunicorn", "opt/zvt/bin/zvt", "bin/sh", "bin/kill", "usr/bin/find"):
        (root / program).parent.mkdir(parents=True, exist_ok=True)
        (root / program).write_text("#!/bin/sh\n")
        (root / program).chmod(0o755)
    return root


def test_systemd_accepts_the_units_and_rates_the_services_well_hardened(tmp_path):
    root = unit_root(tmp_path)
    units = sorted(path.name for path in UNITS.iterdir())
    assert units == ["zvt-backup.service", "zvt-backup.timer", "zvt-scheduler.service", "zvt-web.service"]
    for unit in units:
        # verify logs an unknown or misspelt setting and goes on; the test wants no word from it.
        result = subprocess.run(["systemd-analyze", "verify", f"--root={root}", f"/etc/systemd/system/{unit}"],
                                capture_output=True, text=True)
        assert (result.returncode, result.stdout + result.stderr) == (0, ""), unit
    for unit in units:
        if unit.endswith(".service"):
            # The exposure score from 0 (locked down) to 10; above 2.0 would say "MEDIUM".
            result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
                                     f"--root={root}", f"/etc/systemd/system/{unit}"], capture_output=True, text=True)
            assert result.returncode == 0, result.stdout[-2000:]
            text = (UNITS / unit).read_text(encoding="utf-8")
            assert "NoNewPrivileges=yes" in text and "ProtectSystem=strict" in text and "User=zvt" in text
