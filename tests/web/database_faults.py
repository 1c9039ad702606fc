"""Real database trouble for tests: a lock held by another connection, a database that refuses
a write, and a PostgreSQL that stops answering (a TCP proxy on loopback that goes silent)."""
from __future__ import annotations

import socket
import sqlite3
import threading
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


def _sqlite_path(database_url: str) -> str:
    return make_url(database_url).database


def _psycopg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def case_locked(database_url: str, instance_id: int):
    """Another connection holds the lock a write to the case needs, until the block ends:
    on PostgreSQL the case's row (SELECT ... FOR UPDATE), on SQLite the database's write lock."""
    with _holding(database_url, "SELECT id FROM instances WHERE id = %s FOR UPDATE", (instance_id,)):
        yield


@contextmanager
def timers_locked(database_url: str):
    """Another connection holds the timers table (PostgreSQL: LOCK TABLE, as a long migration
    would; SQLite: the write lock), so even a scheduler's claim has to wait."""
    with _holding(database_url, "LOCK TABLE timers IN ACCESS EXCLUSIVE MODE"):
        yield


@contextmanager
def _holding(database_url: str, postgresql_lock: str, parameters: tuple | None = None):
    """A second connection in an open transaction: on SQLite holding the write lock, on
    PostgreSQL holding what `postgresql_lock` takes. Rolled back when the block ends."""
    if database_url.startswith("sqlite"):
        other = sqlite3.connect(_sqlite_path(database_url), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        other = psycopg.connect(_psycopg_dsn(database_url))
        other.execute(postgresql_lock, parameters)
    try:
        yield
    finally:
        other.rollback()
        other.close()


@contextmanager
def history_refused(database_url: str):
    """Inside the block the database refuses every new history row (what a finished task writes).
    On PostgreSQL a CHECK constraint, whose error quotes the failing row: the worst case for a log.
    Taken away after: the PostgreSQL test database is shared by the tests of a worker."""
    if database_url.startswith("sqlite"):
        create = "CREATE TRIGGER refuse_history BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'refused'); END"
        drop = "DROP TRIGGER refuse_history"
    else:
        create = "ALTER TABLE history ADD CONSTRAINT refuse_history CHECK (false) NOT VALID"
        drop = "ALTER TABLE history DROP CONSTRAINT refuse_history"
    _run(database_url, create)
    try:
        yield
    finally:
        _run(database_url, drop)


def _run(database_url: str, statement: str) -> None:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as connection:
            connection.execute(statement)
        connection.close()
    else:
        with psycopg.connect(_psycopg_dsn(database_url)) as connection:
            connection.execute(statement)


class StallingProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until stall(). Then the connections it carried are
    cut, and a new connection is accepted and held open but never answered: a server behind a
    network that has stopped answering, as far as a new connection can tell."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.target = (url.host or "127.0.0.1", url.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.stalled = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                self.sockets.append(client)
                if self.stalled.is_set():
                    continue  # held open, never read, never answered
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
                self.sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, destination: socket.socket) -> None:
        try:
            while not self.stalled.is_set() and (chunk := source.recv(65536)):
                destination.sendall(chunk)
        except OSError:
            pass

    def stall(self) -> None:
        with self.lock:
            self.stalled.set()
            carried, self.sockets = self.sockets, []
        for connection in carried:
            _close(connection)

    def close(self) -> None:
        self.stalled.set()
        _close(self.listener)
        with self.lock:
            for connection in self.sockets:
                _close(connection)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()
