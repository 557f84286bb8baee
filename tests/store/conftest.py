"""Stores to run the contract suite against, and hand-made values to record in them.

``store`` is parametrised: a SQLite file, SQLite in memory, and the real PostgreSQL server at
127.0.0.1:5432 (``DRONEWALL_TEST_POSTGRES`` overrides the URL), each test in a fresh schema
``dw_test_<random>`` that is dropped afterwards.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from dronewall.core.types import ReportBatch
from dronewall.store import PictureFrame, PostgresStore, RunInfo, SQLiteStore
from dronewall.store.sql import SQLStore

POSTGRES_URL = os.environ.get(
    "DRONEWALL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
T0 = 1_757_780_000.0  # a POSIX time in September 2025
RUN = "r-test"
# Strings that a careless encoding would break: empty, non-ASCII, COPY's escape characters.
AWKWARD = ["", "4ca123", "Ærø-ø✈", "tab\there", "new\nline", "back\\slash", "quote'\"", "N"]
# Identities no fixed width may cut: an ANSI/CTA-2063-A serial (20) and a UTM UUID (32).
LONG_IDENTITIES = ["1581F5FJD23190000K7Z", "0f8e2b7c5d4a49f6b1e3a2c4d5e6f708"]

Opener = Callable[[], SQLStore]


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema ``dw_test_<random>`` in the test database, dropped after the test."""
    schema = f"dw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def postgres_dsn(postgres_schema: str) -> str:
    """A DSN whose search_path is the fresh schema."""
    return make_conninfo(POSTGRES_URL, options=f"-c search_path={postgres_schema}")


@pytest.fixture(params=["sqlite", "sqlite-memory", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores on one fresh database (in memory: one store only); closes them after."""
    opened: list[SQLStore] = []
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")

        def make() -> SQLStore:
            return PostgresStore(dsn)
    else:
        path = ":memory:" if request.param == "sqlite-memory" else tmp_path / "dw.db"

        def make() -> SQLStore:
            if opened and path == ":memory:":
                pytest.skip("an in-memory database cannot be opened twice")
            return SQLiteStore(path)

    def open_one() -> SQLStore:
        store = make()
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Opener) -> SQLStore:
    return opener()


@pytest.fixture
def run_store(store: SQLStore) -> SQLStore:
    """A store with the run ``RUN`` started."""
    store.start_run(run_info())
    return store


def run_info(
    run_id: str = RUN,
    *,
    t_start: float = T0,
    wall: float = 1_764_250_000.0,
    settings: dict[str, object] | None = None,
) -> RunInfo:
    settings = {"speed": 60.0, "interval_s": 1.0} if settings is None else settings
    return RunInfo(run_id, "simulation:test", t_start, math.nan, wall, settings)


def reports(n: int, first_id: int = 0, t: float = T0) -> ReportBatch:
    """``n`` reports whose every column is a function of the report id, NaN where a kind of
    measurement does not fill a column, and awkward identities."""
    batch = ReportBatch.allocate(n)
    ids = np.arange(first_id, first_id + n)
    batch.report_id[:] = ids * 1_000_003  # beyond 32 bits
    batch.sensor_index[:] = ids % 11
    batch.sensor_kind[:] = ids % 6 + 1
    batch.measurement[:] = ids % 3 + 1
    batch.t_measured[:] = t + ids * 0.01 - 0.2
    batch.t_arrival[:] = t + ids * 0.01
    radar = batch.measurement == 2
    batch.lat_deg[~radar] = 55.0 + ids[~radar] * 1e-4
    batch.lon_deg[~radar] = 12.0 - ids[~radar] * 1e-4
    batch.alt_m[~radar] = 100.0 + ids[~radar] / 3.0
    batch.range_m[radar] = 1000.0 + ids[radar] / 7.0
    batch.azimuth_deg[radar] = (ids[radar] * 3.3) % 360.0
    batch.speed_mps[::5] = np.inf  # non-finite values other than NaN survive too
    names = AWKWARD + LONG_IDENTITIES
    batch.identity[:] = [names[i % len(names)] for i in ids]
    batch.declared_class[:] = ids % 4
    batch.class_confidence[:] = (ids % 10) / 9.0  # float32 values
    fix = ~radar
    batch.emitter_category[fix] = 0xA0 + ids[fix] % 8  # format 1.1 columns
    batch.nic[fix] = ids[fix] % 12
    batch.nacp[fix] = (ids[fix] + 5) % 12
    batch.vertical_rate_mps[fix] = (ids[fix] % 41) * 0.5 - 10.0
    batch.rcs_dbsm[radar] = -20.0 + ids[radar] / 11.0
    batch.radial_velocity_mps[radar] = ids[radar] / 13.0 - 40.0
    return batch


def frame(t: float, n: int, seed: int = 0, first_track: int = 1) -> PictureFrame:
    """A frame of ``n`` tracks with every column filled (random floats, awkward strings, NaN
    where a track threatens nothing)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(first_track, first_track + n, dtype=np.int64)
    tts = rng.uniform(0.0, 600.0, n)
    tts[::3] = np.nan
    p = rng.dirichlet(np.ones(4), n)
    words = [AWKWARD[i % len(AWKWARD)] for i in range(n)]
    return PictureFrame(
        t=t,
        track_id=ids,
        lat_deg=rng.uniform(35.0, 70.0, n),
        lon_deg=rng.uniform(-10.0, 40.0, n),
        alt_m=rng.uniform(-50.0, 12_000.0, n),
        speed_mps=rng.uniform(0.0, 300.0, n),
        course_deg=rng.uniform(0.0, 360.0, n),
        climb_mps=rng.normal(0.0, 5.0, n),
        sigma_m=rng.uniform(1.0, 500.0, n),
        label=np.argmax(p, axis=1).astype(np.uint8),
        probabilities=p,
        drone_kind=rng.integers(0, 5, n).astype(np.uint8),
        affiliation=np.array([("F", "H", "S", "N", "U")[i % 5] for i in range(n)], "<U1"),
        priority=rng.uniform(0.0, 100.0, n),
        site_id=np.array([w.upper() for w in words], np.str_),
        time_to_site_s=tts,
        identity=np.array(words[::-1], np.str_),
        sensor_kinds=rng.integers(0, 1 << 7, n).astype(np.uint16),
        alert_id=np.where(rng.random(n) < 0.3, ids * 7, 0).astype(np.int64),
        class_reasons=[f"class {w} of {i}" for i, w in enumerate(words)],
        threat_reasons=[f"threat {i}: {w}" for i, w in enumerate(words)],
    )


def assert_frames_equal(actual: PictureFrame | None, expected: PictureFrame) -> None:
    assert actual is not None
    assert actual.t == expected.t
    for name in PictureFrame.__slots__:
        got, want = getattr(actual, name), getattr(expected, name)
        if isinstance(want, np.ndarray):
            assert got.dtype.kind == want.dtype.kind, name
            if want.dtype.kind in "iu":
                assert got.dtype == want.dtype, name
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            assert got == want, name


def assert_runs_equal(actual: list[RunInfo], expected: list[RunInfo]) -> None:
    """Equal, NaN times included (a NaN read back is not the same object as ``math.nan``)."""

    def key(run: RunInfo) -> tuple[object, ...]:
        times = tuple("nan" if math.isnan(t) else t for t in (run.t_start, run.t_end))
        return (run.run_id, run.source, *times, run.wall_started, run.settings)

    assert [key(r) for r in actual] == [key(r) for r in expected]


def assert_reports_equal(actual: ReportBatch, expected: ReportBatch) -> None:
    for name in ReportBatch.column_names():
        got, want = getattr(actual, name), getattr(expected, name)
        assert got.dtype.kind == want.dtype.kind, name
        if want.dtype.kind != "U":
            assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)
