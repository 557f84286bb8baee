"""The store stage's writes in a child process, so that encoding and inserting thousands of
rows a second does not hold the pipeline's interpreter lock. The child opens the store by
URL (SQLite file or PostgreSQL); readers in the parent open their own connection."""

from __future__ import annotations

import logging
import multiprocessing as mp
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from dronewall.store import Store, open_store

log = logging.getLogger(__name__)


class StoreWriterProcess:
    """``write(kind, run_id, value)`` hands an item to the child (blocking when its queue of
    ``capacity`` items is full); ``close`` ends the run there and waits for the child."""

    def __init__(self, url: str, capacity: int = 16):
        ctx = mp.get_context("spawn")  # no inherited threads or connections
        self._q: Any = ctx.Queue(capacity)
        self.errors: Synchronized[int] = ctx.Value("i", 0)
        self._proc = ctx.Process(
            target=_serve, args=(url, self._q, self.errors), name="dronewall-store-writer"
        )
        self._proc.start()

    def write(self, kind: str, run_id: str, value: Any) -> None:
        self._q.put((kind, run_id, value))

    def close(self, timeout: float = 60.0) -> None:
        self._q.put(None)
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.terminate()

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()


def write_item(store: Store, kind: str, run_id: str, value: Any) -> None:
    """One item of the store stage: ``reports``, ``raw``, ``frame``, ``events``, ``action``,
    ``end``."""
    if kind == "reports":
        store.add_reports(run_id, value)
    elif kind == "raw":
        store.add_raw(run_id, value)
    elif kind == "frame":
        store.add_frame(run_id, value)
    elif kind == "events":
        store.add_events(run_id, value)
    elif kind == "action":
        store.add_action(run_id, value)
    elif kind == "end":
        store.end_run(run_id, value)
    else:
        raise ValueError(f"unknown store item {kind!r}")


def _serve(url: str, q: Any, errors: Synchronized[int]) -> None:
    store = open_store(url)
    try:
        while (item := q.get()) is not None:
            kind, run_id, value = item
            try:
                write_item(store, kind, run_id, value)
            except Exception:
                log.exception("store writer failed on %s", kind)
                with errors.get_lock():
                    errors.value += 1
    finally:
        store.close()
