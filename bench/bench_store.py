"""Benchmark: write and read speed of the SQLite and PostgreSQL stores.

Usage: python bench/bench_store.py [--postgres URL] [--frames N]

For each store: picture frames of 1,000 and 10,000 rows written one per call (the pipeline
writes one frame per second of data, so frames/s is also the most real-time speed-up the
store sustains at that picture size), report batches of 5,000 rows, then the time to read one
10,000-row frame (``frame_at``) and one 5,000-report window (``reports``), median of 10.
SQLite is a file in a temporary directory; PostgreSQL is a fresh schema, dropped afterwards.
The Python process is pinned to one core (the PostgreSQL server runs in its own processes).
Prints a Markdown table.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

from dronewall.core.types import ReportBatch  # noqa: E402
from dronewall.store import PictureFrame, PostgresStore, RunInfo, SQLiteStore  # noqa: E402
from dronewall.store.sql import SQLStore  # noqa: E402

T0 = 1_757_780_000.0
RUN = "bench"
REPORT_BATCH = 5_000


def frame(t: float, n: int, rng: np.random.Generator) -> PictureFrame:
    """A frame of ``n`` tracks with every column filled as the pipeline fills it."""
    p = rng.dirichlet(np.ones(4), n)
    tts = rng.uniform(0.0, 600.0, n)
    tts[rng.random(n) < 0.8] = np.nan
    return PictureFrame(
        t=t,
        track_id=np.arange(1, n + 1, dtype=np.int64),
        lat_deg=rng.uniform(45.0, 60.0, n),
        lon_deg=rng.uniform(5.0, 30.0, n),
        alt_m=rng.uniform(0.0, 12_000.0, n),
        speed_mps=rng.uniform(0.0, 300.0, n),
        course_deg=rng.uniform(0.0, 360.0, n),
        climb_mps=rng.normal(0.0, 3.0, n),
        sigma_m=rng.uniform(5.0, 500.0, n),
        label=np.argmax(p, axis=1).astype(np.uint8),
        probabilities=p,
        drone_kind=rng.integers(0, 5, n).astype(np.uint8),
        affiliation=rng.choice(np.array(["H", "S", "N", "U"]), n),
        priority=rng.uniform(0.0, 100.0, n),
        site_id=rng.choice(np.array(["", "EKCH", "EPWA", "LOWW"]), n),
        time_to_site_s=tts,
        identity=rng.choice(np.array(["", "4ca123", "1581F5FJD23"]), n),
        sensor_kinds=rng.integers(0, 128, n).astype(np.uint16),
        alert_id=np.where(rng.random(n) < 0.05, np.arange(n), 0).astype(np.int64),
        class_reasons=["P(drone) 0.97: RF Mavic link, 14 m/s at 120 m"] * n,
        threat_reasons=["enters EKCH 5 km zone in 2 min"] * n,
    )


def reports(first: int, n: int, rng: np.random.Generator) -> ReportBatch:
    batch = ReportBatch.allocate(n)
    batch.report_id[:] = np.arange(first, first + n)
    batch.sensor_index[:] = rng.integers(0, 800, n)
    batch.sensor_kind[:] = rng.integers(1, 7, n)
    batch.measurement[:] = rng.integers(1, 4, n)
    batch.t_arrival[:] = T0 + (first + np.arange(n)) / 5_000.0
    batch.t_measured[:] = batch.t_arrival - 0.2
    for name in ("lat_deg", "lon_deg", "alt_m", "range_m", "azimuth_deg"):
        getattr(batch, name)[rng.random(n) < 0.5] = rng.uniform(0.0, 50.0)
    batch.identity[rng.random(n) < 0.1] = "4ca123"
    return batch


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def bench(name: str, store: SQLStore, n_frames: int) -> list[str]:
    rng = np.random.default_rng(1)
    store.start_run(RunInfo(RUN, "bench", T0, math.nan, 0.0))
    rows: list[str] = []
    t = T0
    for size, count in ((1_000, n_frames), (10_000, max(n_frames // 3, 3))):
        frames = [frame(t + i, size, rng) for i in range(count)]
        t += count
        started = time.perf_counter()
        for f in frames:
            store.add_frame(RUN, f)
        seconds = time.perf_counter() - started
        rows.append(
            f"| {name} | write frames of {size:,} rows | {count / seconds:,.1f} frames/s | "
            f"{count * size / seconds:,.0f} rows/s |"
        )
    batches = [reports(k * REPORT_BATCH, REPORT_BATCH, rng) for k in range(n_frames // 2)]
    started = time.perf_counter()
    for b in batches:
        store.add_reports(RUN, b)
    seconds = time.perf_counter() - started
    rows.append(
        f"| {name} | write report batches of {REPORT_BATCH:,} | "
        f"{len(batches) / seconds:,.1f} batches/s | {len(batches) * REPORT_BATCH / seconds:,.0f} "
        "reports/s |"
    )
    last = t - 1  # a 10,000-row frame
    reads = [timed(lambda: store.frame_at(RUN, last)) for _ in range(10)]
    rows.append(
        f"| {name} | read one 10,000-row frame | {statistics.median(reads) * 1e3:.0f} ms | |"
    )
    window = (T0, T0 + REPORT_BATCH / 5_000.0)
    reads = [timed(lambda: store.reports(RUN, *window)) for _ in range(10)]
    rows.append(f"| {name} | read 5,000 reports | {statistics.median(reads) * 1e3:.0f} ms | |")
    return rows


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    schema = f"dw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield make_conninfo(url, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--frames", type=int, default=30, help="1,000-row frames to write")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"{dt.datetime.now(dt.UTC).date().isoformat()}, {platform.machine()}")
    print("| store | what | rate or time | rows |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "bench.db") as store:
        print("\n".join(bench("SQLite (WAL file)", store, args.frames)), flush=True)
    with postgres_schema(args.postgres) as dsn, PostgresStore(dsn) as store:
        print("\n".join(bench("PostgreSQL 15 (local)", store, args.frames)), flush=True)


if __name__ == "__main__":
    main()
