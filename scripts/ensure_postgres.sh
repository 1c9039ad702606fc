#!/usr/bin/env bash
# Makes sure the test suite's PostgreSQL answers: checks it, starts the local cluster
# once if it is down, and fails with a clear message if it still does not answer.
# Used by `make test` and, through it, by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-.venv/bin/python}"
url="${ZVT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
url="${url/+psycopg/}"  # psycopg wants a plain libpq URL, without SQLAlchemy's driver part

error=""
reachable() {
  # One line of error, however many libpq gives.
  error="$("$python" -c '
import sys
try:
    import psycopg
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception as exc:
    sys.exit(" ".join(str(exc).split()))
' "$url" 2>&1)"
}

if reachable; then
  exit 0
fi
echo "PostgreSQL does not answer at $url: $error" >&2

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "starting the local PostgreSQL $version cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if reachable; then
      echo "PostgreSQL is up" >&2
      exit 0
    fi
    sleep 1
  done
fi

echo "error: PostgreSQL is not reachable at $url ($error)." >&2
echo "Start it, or point ZVT_TEST_POSTGRES_URL at one (trust auth, database 'test')." >&2
exit 1
