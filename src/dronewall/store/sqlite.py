"""The embedded default store: one SQLite file (stdlib ``sqlite3``) in WAL mode.

WAL (write-ahead logging, https://sqlite.org/wal.html) lets readers run while the one writer
writes: each thread has its own connection, a write is one ``BEGIN IMMEDIATE`` transaction and
a read one deferred transaction, so a reader sees a frame whole or not at all. ``:memory:``
holds one private database, so there all threads share one connection, one transaction at a
time. Rows go in with ``executemany``.

A new file is created with incremental auto-vacuum
(https://sqlite.org/pragma.html#pragma_auto_vacuum) so that retention can give the pages it
frees back to the file system (``PRAGMA incremental_vacuum``, a bounded step per transaction);
a file created before that (``auto_vacuum`` NONE) keeps its size and reuses the freed pages.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from dronewall.store.audit import SQLITE
from dronewall.store.errors import StoreError
from dronewall.store.rows import Row
from dronewall.store.schema import SQLITE_SEQ, create_schema
from dronewall.store.sql import SQLStore
from dronewall.store.threads import PerThread

BUSY_TIMEOUT_S = 30.0  # a writer waits this long for another process's write to finish
INCREMENTAL = 2  # PRAGMA auto_vacuum's value for incremental
MEMORY = ":memory:"


class SQLiteStore(SQLStore):
    """A store in the SQLite file at ``path`` (created, with its folder and tables, when
    missing), or in memory for ``":memory:"``."""

    def __init__(self, path: str | Path):
        backend = _SQLiteBackend(str(path))
        super().__init__(backend, SQLITE)
        try:
            backend.create_schema()
        except BaseException:
            backend.close()
            raise


class _Session:
    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        marks = ", ".join("?" * len(columns))
        self._conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


class _SQLiteBackend:
    def __init__(self, path: str):
        self._path = path
        self._memory = path == MEMORY
        self._lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        self._connections = PerThread(self._connect, sqlite3.Connection.close)

    def create_schema(self) -> None:
        with self.transaction(write=True) as s:
            create_schema(s, SQLITE_SEQ)

    def release_space(self, max_pages: int) -> int:
        with self.transaction(write=True) as s:
            if s.query("PRAGMA auto_vacuum")[0][0] != INCREMENTAL:
                return 0
            (before,) = s.query("PRAGMA freelist_count")[0]
            (page_size,) = s.query("PRAGMA page_size")[0]
            if before == 0:
                return 0
            # Each step of the pragma frees one page, and Python's sqlite3 steps a statement
            # that returns no columns only once: so once per page.
            for _ in range(min(max_pages, before)):
                s.execute("PRAGMA incremental_vacuum")
            (after,) = s.query("PRAGMA freelist_count")[0]
        return int(before - after) * int(page_size)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[_Session]:
        with self._serialised():
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield _Session(conn)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise StoreError(f"SQLite {self._path}: {exc}") from exc
            except BaseException:
                _rollback(conn)
                raise

    def close(self) -> None:
        with self._lock:
            self._shared = None
            self._connections.close()

    def _serialised(self) -> AbstractContextManager[object]:
        return self._lock if self._memory else nullcontext()

    def _connection(self) -> sqlite3.Connection:
        if not self._memory:
            return self._connections.get()
        if self._shared is None:
            self._shared = self._connections.get()
        return self._shared

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._memory:
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open SQLite database {self._path}: {exc}") from exc
        try:
            # Takes effect only while the database has no table (a new file): first, as
            # setting the journal mode writes the header.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            if not self._memory:
                conn.execute("PRAGMA journal_mode = WAL")
                # With WAL, NORMAL never corrupts; a power cut may lose the last commits.
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open SQLite database {self._path}: {exc}") from exc
        return conn


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
