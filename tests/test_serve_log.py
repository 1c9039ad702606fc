"""`zvt serve` in development: text lines for a person, one per request by route, and werkzeug's
own request line (which holds the query string) left out."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from engine.migrate import upgrade
from zvt.config import PROJECT_ROOT


def test_the_development_server_logs_each_request_by_route_in_text_without_the_query(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    upgrade(url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, ZVT_DATABASE_URL=url, ZVT_ENV="development")
    env.pop("ZVT_LOG_FORMAT", None)
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-c", "from zvt.cli import main; main()", "serve", "--port",
                                   str(port), "--no-scheduler"], cwd=PROJECT_ROOT, env=env, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen?next=/casussen?zoek=Jansen", timeout=5).close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert " INFO zvt.access: GET /inloggen 200 " in text
    assert "Jansen" not in text and "zoek" not in text and "HTTP/1.1" not in text
    assert "/health" not in text  # a probe answered 200 is not logged
