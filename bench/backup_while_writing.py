"""`python bench/backup_while_writing.py [ROUNDS]`: `zvt backup` against `cp` of a live SQLite file.

A second engine starts cases without pause while we take ROUNDS backups each way. A copy is good
when it passes integrity_check and holds cases 0..k-1 with no gap, k at least the number
committed before the copy began. Prints figures; not a test (tests/test_backup.py is)."""
from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Engine
from engine.migrate import upgrade
from zvt import backup as backups

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "engine" / "fixtures"


def _good(path: Path, before: int) -> bool:
    try:
        with sqlite3.connect(path) as copy:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return False
            numbers = sorted(json.loads(row[0])["n"] for row in copy.execute("SELECT data FROM instances"))
    except sqlite3.DatabaseError:
        return False
    return numbers == list(range(len(numbers))) and len(numbers) >= before


def main(rounds: int = 20, cases: int = 1000) -> None:
    folder = Path(tempfile.mkdtemp(prefix="zvt-backup-bench-"))
    try:
        live = folder / "live.sqlite3"
        url = f"sqlite:///{live}"
        upgrade(url)
        engine = Engine(url)
        engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
        for n in range(cases):
            engine.start("proef_casus", {"n": n}, actor="bench")
        engine.close()

        committed, stop = cases, threading.Event()

        def write():
            nonlocal committed
            writer = Engine(url)
            while not stop.is_set():
                writer.start("proef_casus", {"n": committed}, actor="bench")
                committed += 1
            writer.close()

        thread = threading.Thread(target=write)
        thread.start()
        good_backups = good_copies = 0
        durations, during = [], []
        try:
            for index in range(rounds):
                time.sleep(0.1)
                before, started = committed, time.perf_counter()
                result = backups.backup(url, folder / f"backup{index}")
                durations.append(time.perf_counter() - started)
                during.append(committed - before)
                good_backups += _good(result.path, before)
                before = committed
                shutil.copyfile(live, folder / f"cp{index}")
                good_copies += _good(folder / f"cp{index}", before)
        finally:
            stop.set()
            thread.join()
        print(f"backup while writing ({cases} cases, {result.size / 1e6:.1f} MB, SQLite WAL):")
        print(f"  zvt backup: {good_backups}/{rounds} consistent and complete, median "
              f"{sorted(durations)[rounds // 2] * 1000:.0f} ms, cases committed meanwhile median "
              f"{sorted(during)[rounds // 2]}, max {max(during)}")
        print(f"  cp:         {good_copies}/{rounds} consistent and complete")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
