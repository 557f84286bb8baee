"""One database connection per thread, opened on a thread's first use.

A store is shared by one writer thread and any number of reader threads; neither sqlite3 nor
psycopg connections may run two statements at once, so each thread gets its own. ``close``
closes every connection that was opened, from whichever thread calls it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from dronewall.store.errors import StoreError

C = TypeVar("C")


class PerThread(Generic[C]):
    """``connect`` opens a connection, ``usable`` says whether one still works (a broken one
    is replaced), ``disconnect`` closes one."""

    def __init__(
        self,
        connect: Callable[[], C],
        disconnect: Callable[[C], None],
        usable: Callable[[C], bool] = lambda _: True,
    ):
        self._connect = connect
        self._disconnect = disconnect
        self._usable = usable
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[C] = []
        self._closed = False

    def get(self) -> C:
        """This thread's connection."""
        if self._closed:
            raise StoreError("the store is closed")
        conn: C | None = getattr(self._local, "conn", None)
        if conn is not None and self._usable(conn):
            return conn
        conn = self._connect()
        with self._lock:
            if self._closed:  # closed while this thread was connecting
                self._disconnect(conn)
                raise StoreError("the store is closed")
            self._open.append(conn)
        self._local.conn = conn
        return conn

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._open = self._open, []
        for conn in conns:
            self._disconnect(conn)
