"""Benchmark: the audit log — append cost per entry, and verify speed over 100,000 entries.

Usage: python bench/bench_audit.py [--postgres URL] [--appends N] [--entries N]

For each store (a SQLite file in a temporary directory; PostgreSQL in a fresh schema, dropped
afterwards): ``N`` appends one after another through ``AuditLog.append`` (each its own
transaction: lock, read the head, seal, insert, commit), median and p99 per entry; then the
log filled to ``--entries`` (sealed in Python and bulk-inserted, as a long-running server
would have appended them) and ``verify`` timed over the whole chain (wall and this process's
CPU time: on a loaded machine the CPU time is the steadier figure). Also the server hook's
cost to its caller (``server.audit_trail.AuditTrail``: build the record, queue it).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from dronewall.core.audit import AuditRecord, seal
from dronewall.store import PostgresStore, SQLiteStore
from dronewall.store.audit import COLUMNS, _row
from dronewall.store.sql import SQLStore

T0 = 1_796_688_000.0


def record(i: int) -> AuditRecord:
    return AuditRecord(
        "anna",
        "alert.acknowledge",
        f"alert:{i % 500}",
        {"alert_id": i % 500, "note": "seen on camera 3", "client": "10.0.0.7"},
        ("operator",),
        "DEU",
    )


def stores(postgres: str) -> Iterator[tuple[str, Callable[[], SQLStore]]]:
    with tempfile.TemporaryDirectory() as tmp:
        yield "SQLite", lambda: SQLiteStore(Path(tmp) / "audit.db")
    schema = f"dw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        dsn = make_conninfo(postgres, options=f"-c search_path={schema}")
        yield "PostgreSQL", lambda: PostgresStore(dsn)
    finally:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def append_us(store: SQLStore, n: int) -> tuple[float, float]:
    log = store.audit_log()
    times = []
    for i in range(n):
        start = time.perf_counter()
        log.append(record(i))
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def fill(store: SQLStore, total: int) -> None:
    """Bulk-insert sealed entries after the head until the log holds ``total``."""
    seq, prev = store.audit_log().head()
    rows = []
    for i in range(seq + 1, total + 1):
        entry = seal(record(i), i, T0 + i * 0.5, prev)
        rows.append(_row(entry))
        prev = entry.hash
    with store._backend.transaction(write=True) as s:  # a bench fills fast
        s.insert("audit", COLUMNS, rows)


def hook_us(n: int) -> float:
    from dronewall.server.audit_trail import AuditTrail

    trail = AuditTrail()
    start = time.perf_counter()
    for i in range(min(n, 9_000)):
        trail(None, "alert.acknowledge", str(i), {"note": "x"})
    return (time.perf_counter() - start) / min(n, 9_000) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--appends", type=int, default=2_000)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    print(
        "| store | append median µs | append p99 µs | verify entries | verify s"
        " | verify CPU s (this process) | entries/s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, make in stores(args.postgres):
        store = make()
        try:
            median, p99 = append_us(store, args.appends)
            fill(store, args.entries)
            start, cpu = time.perf_counter(), time.process_time()
            verdict = store.audit_log().verify()
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert verdict.ok and verdict.checked == args.entries, verdict
            print(
                f"| {name} | {median:.0f} | {p99:.0f} | {verdict.checked:,} | {took:.2f}"
                f" | {cpu:.2f} | {verdict.checked / took:,.0f} |"
            )
        finally:
            store.close()
    print(f"\nserver hook, cost to the caller: {hook_us(args.appends):.1f} µs per entry")


if __name__ == "__main__":
    main()
