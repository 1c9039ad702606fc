"""gunicorn with the repository's gunicorn.conf.py, two workers, on SQLite and PostgreSQL: its lines
and the app's are JSON, /metrics adds up what every worker counted, and counters of an earlier
run do not count on."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from zvt.config import PROJECT_ROOT

REQUESTS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> int:
    """The status of a GET, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        return connection.getresponse().status
    finally:
        connection.close()


def requests_counted(url: str, endpoint: str, status: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        body = response.read().decode()
    return sum(sample.value for family in text_string_to_metric_families(body) for sample in family.samples
               if sample.name == "zvt_http_requests_total" and sample.labels == {
                   "endpoint": endpoint, "method": "GET", "status": status})


def stale_counter(folder: Path) -> None:
    """What a worker of an earlier run left: 1000 answered /health requests."""
    stale = MmapedDict(str(folder / "counter_99999.db"))
    stale.write_value(mmap_key("zvt_http_requests", "zvt_http_requests_total", ["endpoint", "method", "status"],
                               ["probes.health", "GET", "200"], "Requests answered"), 1000, 0)
    stale.close()


def test_gunicorn_logs_json_and_its_workers_count_together(database_url, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    stale_counter(folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ZVT_ENV="development", ZVT_DATABASE_URL=database_url, ZVT_LOG_FORMAT="json",
               ZVT_BIND=f"127.0.0.1:{port}", ZVT_WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(folder))
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "web.wsgi:app"],
                                  cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while get_or_none(f"{url}/health") != 200:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        before = requests_counted(url, "probes.health", "200")
        assert before < 1000  # the stale file of an earlier run was removed before the workers started
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(get, [f"{url}/health"] * REQUESTS)) == [200] * REQUESTS
            # Until both workers have answered some (one may still be starting on a busy machine).
            sent = 0
            while len(access_pids(log)) < 2 and sent < 20 * REQUESTS:
                assert list(pool.map(get, [f"{url}/bestaat-niet?zoek=Jansen"] * REQUESTS)) == [302] * REQUESTS
                sent += REQUESTS
        # A request line gunicorn refuses itself, and quotes in its own warning.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /bestaat-niet?zoek=Jansen\x7f HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 400")
        # Each scrape is answered by one worker or the other; each sees what both counted.
        for _ in range(6):
            assert requests_counted(url, "probes.health", "200") == before + REQUESTS
            assert requests_counted(url, "unmatched", "302") == sent
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    text = log.read_text()
    records = [json.loads(line) for line in text.splitlines()]  # gunicorn's lines too: all JSON
    assert {"gunicorn.error", "zvt.access"} <= {r["logger"] for r in records}
    assert any(r["message"].startswith("Booting worker with pid") for r in records)
    [refused] = [r for r in records if r["message"].startswith("Invalid request from ip=")]
    assert refused["level"] == "WARNING" and "/bestaat-niet" in refused["message"] and "?" not in refused["message"]
    access = [r for r in records if r["logger"] == "zvt.access"]
    assert len(access) == sent  # the /health probes answered 200 are not logged
    assert {(r["endpoint"], r.get("route"), r["status"]) for r in access} == {("unmatched", None, 302)}
    workers = {r["process"] for r in records if r["message"].startswith("Booting worker with pid")}
    # Both workers answered some of the requests (the totals above are theirs added up).
    assert {r["process"] for r in access} == workers and len(workers) == 2
    assert "Jansen" not in text and "zoek=" not in text
    assert not [r for r in access if "bestaat-niet" in json.dumps(r)]  # the app's lines: by route only
    assert list(folder.glob("*.db"))  # an operator's own folder is kept (and emptied at the next start)


def access_pids(log: Path) -> set[int]:
    """The workers that wrote a request's line so far (a line still being written not counted)."""
    whole = log.read_text().rpartition("\n")[0]
    return {record["process"] for record in map(json.loads, whole.splitlines()) if record["logger"] == "zvt.access"}


def get_or_none(url: str) -> int | None:
    try:
        return get(url)
    except OSError:
        return None
