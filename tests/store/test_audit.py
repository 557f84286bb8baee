"""The audit log in both stores: append, read, the database refusing changes, and ``verify``
catching rows changed, deleted or reordered behind the triggers' back (as the database's
owner can), at the right entry; two writers on one database never fork the chain."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from dronewall.core.audit import (
    GAP,
    GENESIS_HASH,
    HASH_MISMATCH,
    PREV_MISMATCH,
    AuditRecord,
    chain_hash,
)
from dronewall.store import PostgresStore, SQLiteStore, StoreError
from dronewall.store.audit import entry_from_row
from dronewall.store.sql import SQLStore

PER_THREAD = 150  # entries each of two concurrent writers appends


@dataclass
class Db:
    """A fresh database: open stores on it, and run SQL on it directly as its owner."""

    kind: str
    open: Callable[[], SQLStore]
    sql: Callable[[str], None]  # one statement, committed, triggers not bypassed
    drop_guards: Callable[[], None]  # what a superuser or the file's owner can do


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    opened: list[SQLStore] = []
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")

        def make() -> SQLStore:
            return PostgresStore(dsn)

        def run_sql(statement: str) -> None:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(statement.encode())

        def drop() -> None:
            run_sql("ALTER TABLE audit DISABLE TRIGGER audit_append_only")
    else:
        path = tmp_path / "audit.db"

        def make() -> SQLStore:
            return SQLiteStore(path)

        def run_sql(statement: str) -> None:
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                conn.execute(statement)
            finally:
                conn.close()

        def drop() -> None:
            run_sql("DROP TRIGGER audit_no_update")
            run_sql("DROP TRIGGER audit_no_delete")

    def open_one() -> SQLStore:
        store = make()
        opened.append(store)
        return store

    yield Db(request.param, open_one, run_sql, drop)
    for store in opened:
        store.close()


def record(i: int, actor: str = "anna") -> AuditRecord:
    return AuditRecord(
        actor,
        "alert.acknowledge",
        f"alert:{i}",
        {"note": f"näher ✈ {i}", "i": i, "x": i / 3},
        ("operator", "viewer"),
        "DEU",
    )


def filled(db: Db, n: int) -> SQLStore:
    store = db.open()
    for i in range(1, n + 1):
        store.audit_log().append(record(i))
    return store


def test_appends_chain_and_read_back(db: Db) -> None:
    store = filled(db, 5)
    entries = store.audit_log().entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, entry in itertools.pairwise(entries):
        assert entry.prev_hash == before.hash
        assert entry.t >= before.t
    assert all(chain_hash(e.prev_hash, e) == e.hash for e in entries)
    assert entries[2].detail == {"note": "näher ✈ 3", "i": 3, "x": 1.0}
    assert entries[2].roles == ("operator", "viewer")
    assert entries[2].time.endswith("Z") and entries[2].nation == "DEU"
    assert store.audit_log().head() == (5, entries[-1].hash)
    verdict = store.audit_log().verify()
    assert verdict.ok and verdict.checked == 5 and verdict.head_hash == entries[-1].hash


def test_empty_log_verifies(db: Db) -> None:
    store = db.open()
    verdict = store.audit_log().verify()
    assert verdict.ok and verdict.checked == 0 and verdict.head_hash == GENESIS_HASH
    assert store.audit_log().head() == (0, GENESIS_HASH)


def test_reads_filter_by_actor_subject_and_time(db: Db) -> None:
    store = db.open()
    first = store.audit_log().append(record(42, "anna"))
    store.audit_log().append(AuditRecord("system", "server.start"))
    store.audit_log().append(record(7, "bob"))
    last = store.audit_log().append(record(42, "bob"))
    assert [e.seq for e in store.audit_log().entries(subject="alert:42")] == [1, 4]
    assert [e.seq for e in store.audit_log().entries(actor="bob")] == [3, 4]
    assert [e.seq for e in store.audit_log().entries(subject_prefix="alert:")] == [1, 3, 4]
    assert [e.seq for e in store.audit_log().entries(since=last.t)] == [4]
    assert [e.seq for e in store.audit_log().entries(limit=2, newest_first=True)] == [4, 3]
    assert store.audit_log().entries(actor="nobody") == []
    assert store.audit_log().find(first.hash) == 1
    assert store.audit_log().find("ab" * 32) is None


def test_the_database_refuses_update_and_delete(db: Db) -> None:
    store = filled(db, 3)
    for statement in ("UPDATE audit SET actor = 'mallory'", "DELETE FROM audit WHERE seq = 2"):
        with pytest.raises((sqlite3.Error, psycopg.Error), match="append-only"):
            db.sql(statement)
    assert store.audit_log().verify().checked == 3
    if db.kind == "postgres":
        with pytest.raises(psycopg.Error, match="append-only"):
            db.sql("TRUNCATE audit")


def test_a_reopened_store_continues_the_chain(db: Db) -> None:
    filled(db, 3).close()
    again = db.open()
    entry = again.audit_log().append(record(9))
    assert entry.seq == 4 and again.audit_log().verify().checked == 4


def test_verify_names_a_changed_entry(db: Db) -> None:
    store = filled(db, 8)
    assert store.audit_log().guarded()
    db.drop_guards()
    assert not store.audit_log().guarded()
    db.sql("UPDATE audit SET actor = 'mallory' WHERE seq = 5")
    verdict = store.audit_log().verify()
    assert (verdict.bad_seq, verdict.reason) == (5, HASH_MISMATCH)
    assert verdict.checked == 4 and verdict.head_seq == 4


def test_verify_names_a_changed_detail(db: Db) -> None:
    store = filled(db, 4)
    db.drop_guards()
    db.sql("""UPDATE audit SET detail = '{"i":2,"note":"nothing","x":0.5}' WHERE seq = 2""")
    verdict = store.audit_log().verify()
    assert (verdict.bad_seq, verdict.reason) == (2, HASH_MISMATCH)


def test_a_rehashed_entry_is_caught_at_the_next(db: Db) -> None:
    """Whoever changes an entry and recomputes its hash breaks the link to the next one."""
    store = filled(db, 6)
    old = store.audit_log().entries(subject="alert:3")[0]
    forged = entry_from_row(
        (
            3,
            old.t,
            old.time,
            "mallory",
            '["admin"]',
            "DEU",
            old.action,
            old.subject,
            "{}",
            old.prev_hash,
            "",
        )
    )
    db.drop_guards()
    db.sql(
        f"UPDATE audit SET actor = 'mallory', roles = '[\"admin\"]', detail = '{{}}',"
        f" hash = '{chain_hash(forged.prev_hash, forged)}' WHERE seq = 3"
    )
    verdict = store.audit_log().verify()
    assert (verdict.bad_seq, verdict.reason) == (4, PREV_MISMATCH)
    assert verdict.checked == 3


@pytest.mark.parametrize("gone", [1, 4])
def test_verify_names_a_deleted_entry(db: Db, gone: int) -> None:
    store = filled(db, 7)
    db.drop_guards()
    db.sql(f"DELETE FROM audit WHERE seq = {gone}")
    verdict = store.audit_log().verify()
    assert (verdict.bad_seq, verdict.reason) == (gone, GAP)
    assert verdict.checked == gone - 1


def test_verify_names_reordered_entries(db: Db) -> None:
    store = filled(db, 7)
    db.drop_guards()
    db.sql("UPDATE audit SET seq = -1 WHERE seq = 4")
    db.sql("UPDATE audit SET seq = 4 WHERE seq = 5")
    db.sql("UPDATE audit SET seq = 5 WHERE seq = -1")
    verdict = store.audit_log().verify()
    assert verdict.bad_seq == 4 and verdict.reason in (PREV_MISMATCH, HASH_MISMATCH)


def test_verify_names_an_unreadable_entry(db: Db) -> None:
    store = filled(db, 4)
    db.drop_guards()
    db.sql("UPDATE audit SET detail = 'not json' WHERE seq = 3")
    verdict = store.audit_log().verify()
    assert (verdict.bad_seq, verdict.reason) == (3, HASH_MISMATCH)
    assert "cannot be read" in verdict.explanation
    with pytest.raises(StoreError, match="audit entry 3"):
        store.audit_log().entries()


def test_a_cut_tail_shows_only_against_a_known_head(db: Db) -> None:
    store = filled(db, 5)
    _, head = store.audit_log().head()
    db.drop_guards()
    db.sql("DELETE FROM audit WHERE seq = 5")
    verdict = store.audit_log().verify()
    assert verdict.ok and verdict.checked == 4  # the chain alone cannot tell
    assert store.audit_log().find(head) is None  # the head written down elsewhere can


def test_two_writers_on_one_database_never_fork_the_chain(db: Db) -> None:
    """Two stores (two connections, as two server processes have) append at once. SQLite's
    busy handler lets the writer holding the lock take it again at once, so there the
    writers pause between entries, as requests do, to make them take turns."""
    stores = [db.open(), db.open()]
    pause_s = 0.005 if db.kind == "sqlite" else 0.0
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(store: SQLStore, actor: str) -> None:
        start.wait()
        try:
            for i in range(PER_THREAD):
                store.audit_log().append(record(i, actor))
                time.sleep(pause_s)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(s, name))
        for s, name in zip(stores, ("anna", "bob"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = stores[0].audit_log().verify()
    assert verdict.ok and verdict.checked == 2 * PER_THREAD
    actors = [e.actor for e in stores[1].audit_log().entries()]
    assert actors.count("anna") == actors.count("bob") == PER_THREAD
    switches = sum(a != b for a, b in itertools.pairwise(actors))
    assert switches > 1  # they really interleaved
