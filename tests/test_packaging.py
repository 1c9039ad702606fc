"""The wheel an operator installs holds every file the app serves, and installed where there is
no Node and no node_modules it serves the app, its front-end files and the modeler's bundle.

The wheel is built as the container image's build stage builds it: the RUN lines of
deploy/Dockerfile that follow `COPY . .`, run in a copy of the repository whose node_modules is
that of `make install` (its `npm ci` is the same as the Dockerfile's). Built once per test run
and shared by the test workers; about 15 s, and installing it with its dependencies into a fresh
virtual environment about 25 s more. That environment is one of the newest Python the machine has
(tests/newer_python.py: 3.13 or 3.12, else the one running the tests), named in the test's id; the
whole suite runs on 3.11, so the installed product is proven on the newer one.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tests import newer_python
from tests.deploy_settings import DEPLOY, REPO, filled_in_example
from web import vendor_files

NODE_MODULES = REPO / "node_modules"
PACKAGES = ("engine", "web", "zvt")
# Sources of the modeler's bundle, which the wheel carries built (web/vendor_assets/zvt/modeler.js).
NOT_SHIPPED = ("web/modeler/",)


def source_files() -> list[str]:
    """The repository's files as `COPY . .` sees them: tracked or new, less what git ignores."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True).stdout.decode().split("\0")
    return [name for name in listed if name and (REPO / name).is_file()]


def build_stage_commands() -> list[str]:
    """The RUN lines of the Dockerfile's build stage after the sources are copied in."""
    lines = DEPLOY.joinpath("Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    commands, stage, copied = [], None, False
    for line in lines:
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "FROM":
            stage = words[3] if len(words) == 4 and words[2].upper() == "AS" else None
        elif stage == "build" and words[:3] == ["COPY", ".", "."]:
            copied = True
        elif stage == "build" and copied and words[0] == "RUN":
            commands.append(line.split(None, 1)[1])
    assert commands, "deploy/Dockerfile has no build stage that runs commands after COPY . ."
    return commands


def build(folder: Path) -> Path:
    source = folder / "source"
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    # The packages `npm ci` installed, without what a build wrote there: esbuild writes the bundle
    # into the copy.
    (source / "node_modules").mkdir()
    for entry in NODE_MODULES.iterdir():
        if entry.name not in (".zvt", ".installed"):
            (source / "node_modules" / entry.name).symlink_to(entry)
    for command in build_stage_commands():
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=source, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    [wheel] = (source / "dist").glob("zvt-*.whl")
    return wheel


def test_the_wheel_holds_every_file_the_app_serves_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        expected = {name for name in source_files()
                    if name.split("/")[0] in PACKAGES and not name.startswith(NOT_SHIPPED)}
        expected |= {f"web/vendor_assets/{name}" for name in vendor_files.PACKAGED}
        assert {"web/static/favicon.svg", "web/templates/auth/login.html", "engine/gegevensdeling.json",
                "web/vendor_assets/zvt/modeler.js", "engine/migrations/versions/0001_initial_schema.py"} <= expected
        assert sorted(expected - names) == []
        assert sorted(name for name in names - expected if not name.startswith("zvt-0.1.0.dist-info/")) == []
        # Exactly the bytes npm installed, and esbuild's bundle as `make install` makes it.
        for name, target in vendor_files.PACKAGED.items():
            assert archive.read(f"web/vendor_assets/{name}") == (NODE_MODULES / target).read_bytes(), name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def install(wheel: Path, venv: Path, python: newer_python.Python) -> Path:
    """A fresh virtual environment of `python` with the wheel installed and no Node; its bin folder."""
    print(f"the wheel is installed with Python {python.version} ({python.executable})")
    subprocess.run([python.executable, "-m", "venv", "--without-pip", venv], check=True)
    # This run's pip installs into the new environment: the pinned dependencies from its cache and
    # the package indexes, as the image's `pip install` does.
    subprocess.run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
                    "--no-compile", "--disable-pip-version-check", wheel], check=True, capture_output=True)
    bin_folder = venv / "bin"
    # The environment runs on the Python chosen, not on the one running the tests.
    said = newer_python.ask(str(bin_folder / "python"))
    assert said is not None and (said.version, said.base_prefix) == (python.version, python.base_prefix), said
    assert shutil.which("node", path=str(bin_folder)) is None
    return bin_folder


def test_an_installed_wheel_serves_the_app_without_node(wheel, venv_python, tmp_path):
    venv = tmp_path / "venv"
    bin_folder = install(wheel, venv, venv_python)
    # The image's working folder: the release's processes and forms, and nothing of the checkout.
    srv = tmp_path / "srv"
    shutil.copytree(REPO / "processes", srv / "processes")
    shutil.copytree(REPO / "forms", srv / "forms")
    env = {**filled_in_example(), "PATH": str(bin_folder), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "ZVT_DATABASE_URL": f"sqlite:///{tmp_path / 'zvt.sqlite3'}"}

    def run(*command: str) -> subprocess.CompletedProcess:
        result = subprocess.run([bin_folder / command[0], *command[1:]], cwd=srv, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    installed = Path(run("python", "-c", "import web; print(web.__file__)").stdout.strip())
    assert installed.is_relative_to(venv), installed
    run("zvt", "db", "upgrade")
    assert "zvt_casus version 1 (new)" in run("zvt", "deploy").stdout.splitlines()
    # A process draft's check runs bpmnlint without Node: an unnamed end event is found.
    broken = tmp_path / "klacht.bpmn"
    broken.write_text((srv / "processes" / "klacht.bpmn").read_text().replace(
        '<bpmn:endEvent id="einde_herinnering" name="Herinnering verstuurd">', '<bpmn:endEvent id="einde_herinnering">'))
    linted = run("python", "-c", "import sys; from pathlib import Path; from web.bpmn_lint import lint; "
                 "print([(p.element, p.reason) for p in lint([Path(sys.argv[1])])])", str(broken)).stdout
    assert "('einde_herinnering', 'bpmnlint label-required: Element is missing label/name')" in linted, linted

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as output:
        server = subprocess.Popen([bin_folder / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                   "--preload", "web.wsgi:app"], cwd=srv, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                login = get(f"{base}/inloggen")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        status, kind, body = login
        assert (status, kind) == (200, "text/html") and "<h1 class=\"utrecht-heading-1\">Inloggen</h1>" in body.decode()
        assert get(f"{base}/static/vendor/utrecht/component-library.css")[:2] == (200, "text/css")
        status, kind, _ = get(f"{base}/static/vendor/zvt/modeler.js")
        assert status == 200 and kind in ("text/javascript", "application/javascript")
        for name, target in vendor_files.FILES.items():
            assert get(f"{base}/static/vendor/{name}")[::2] == (200, (NODE_MODULES / target).read_bytes()), name
        assert get(f"{base}/static/vendor/{vendor_files.LINT_BUNDLE}")[0] == 404  # carried, not served
        for path in (REPO / "web" / "static").iterdir():
            assert get(f"{base}/static/{path.name}")[::2] == (200, path.read_bytes()), path.name
        assert "front-end files missing" not in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
