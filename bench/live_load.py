"""A synthetic live load for the server benchmarks: N objects flying straight lines over
eastern Poland, each seen once a second by a radar that reports positions (σ 30 m), paced in
real time, through the real pipeline (tracker, identify, assess, alerts, SQLite store) and
the real server (uvicorn, WebSocket). Used by bench_live.py and the browser frame-time bench.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

import numpy as np
import uvicorn
from fastapi import FastAPI

from dronewall.assess import protected_zones
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.release import SecurityLabel
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.server import ServerSettings, create_app
from dronewall.server.auth import Authenticator
from dronewall.server.serving import uvicorn_config
from dronewall.store.sqlite import SQLiteStore
from dronewall.world import load_world

CENTRE = (52.2, 22.5)  # eastern Poland
HALF_BOX_DEG = (2.5, 4.0)
SIGMA_M = 30.0
M_PER_DEG = 111_320.0
EPOCH = 1_780_000_000.0


@dataclass
class CrowdSource:
    """``n`` objects, one position report each per second of data."""

    n: int
    seconds: int
    seed: int = 7
    spread: bool = False  # reports spread through each second (a rotating radar), 0.1 s chunks
    name: str = "synthetic crowd"
    blocking: bool = True
    # One radar per label (object i is seen by radar i mod k); none: one unlabelled radar.
    labels: tuple[SecurityLabel, ...] = ()
    sensors: SensorGeometry = field(init=False)

    def __post_init__(self) -> None:
        k = max(1, len(self.labels))
        lat, lon = np.full(k, CENTRE[0]), np.full(k, CENTRE[1])
        ecef = np.asarray(geodetic_to_ecef(lat, lon, np.full(k, 30.0))).reshape(-1, 3)
        ids = ["radar-1"] if k == 1 and not self.labels else [f"radar-{i + 1}" for i in range(k)]
        self.sensors = SensorGeometry(
            ids, np.full(k, SensorKind.RADAR, np.uint8), lat, lon,
            np.full(k, 30.0), ecef, np.full(k, np.inf), labels=self.labels,
            # Several radars cover every object but each sees only its own: a long revisit
            # keeps the others' misses from deleting the tracks.
            revisit_s=np.full(k, 1.0 if k == 1 else 1e4),
        )  # fmt: skip

    def chunks(self) -> Iterator[ReportBatch]:
        rng = np.random.default_rng(self.seed)
        n = self.n
        lat0 = CENTRE[0] + rng.uniform(-1, 1, n) * HALF_BOX_DEG[0]
        lon0 = CENTRE[1] + rng.uniform(-1, 1, n) * HALF_BOX_DEG[1]
        speed = rng.uniform(20, 60, n)
        heading = rng.uniform(0, 2 * np.pi, n)
        v_north, v_east = speed * np.cos(heading), speed * np.sin(heading)
        alt = rng.uniform(100, 3000, n)
        phase = rng.uniform(0, 1, n) if self.spread else np.zeros(n)
        parts = 10 if self.spread else 1
        for k in range(self.seconds):
            t = EPOCH + k + phase
            north = v_north * (t - EPOCH) + rng.normal(0, SIGMA_M, n)
            east = v_east * (t - EPOCH) + rng.normal(0, SIGMA_M, n)
            b = ReportBatch.allocate(n)
            b.report_id[:] = np.arange(k * n, (k + 1) * n)
            b.sensor_index[:] = np.arange(n) % len(self.sensors)
            b.sensor_kind[:] = int(SensorKind.RADAR)
            b.measurement[:] = int(MeasurementKind.POSITION)
            b.t_measured[:] = t
            b.t_arrival[:] = t + 0.05
            b.lat_deg[:] = lat0 + north / M_PER_DEG
            b.lon_deg[:] = lon0 + east / (M_PER_DEG * np.cos(np.radians(lat0)))
            b.alt_m[:] = alt + rng.normal(0, SIGMA_M, n)
            b.sigma_horizontal_m[:] = SIGMA_M
            b.sigma_vertical_m[:] = SIGMA_M
            slot = np.floor(phase * parts)
            for j in range(parts):
                rows = np.flatnonzero(slot == j)
                if rows.size:
                    part = b.take(rows[np.argsort(t[rows])])
                    yield part


# What `dronewall serve` runs: the pipeline's default tracker (reports tracked as they come,
# late ones out of sequence within the 2 s reorder window; docs/live-api.md, latency).
LIVE_TRACKER = PipelineSettings().tracker


class _Served:
    """An app served by uvicorn on 127.0.0.1:``port`` in a thread, as a context manager."""

    def __init__(self, app: FastAPI, port: int, store: SQLiteStore):
        self.port = port
        self.store = store
        self.server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port))
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(30)
        self.store.close()


def _load_pipeline(n: int, seconds: int, store: SQLiteStore, db: Path,
                   settings: PipelineSettings, spread: bool = False,
                   labels: tuple[SecurityLabel, ...] = ()) -> Pipeline:  # fmt: skip
    return Pipeline(
        CrowdSource(n, seconds, spread=spread, labels=labels), protected_zones(load_world()),
        store, settings, run_id=f"load-{n}", writer_url=f"sqlite:///{db}",
    )  # fmt: skip


class LoadServer(_Served):
    """The pipeline over a CrowdSource and the server, on 127.0.0.1:``port``, in threads."""

    def __init__(
        self, n: int, seconds: int, port: int, db: Path, speed: float = 1.0, imm: bool = True,
        spread: bool = False, labels: tuple[SecurityLabel, ...] = (),
        auth: Authenticator | None = None,
    ):  # fmt: skip
        """``labels``: one radar per label (the tracks of each carry its bit); ``auth``: who
        may sign in (None: no sign-in, the whole picture, as ``serve --auth none``)."""
        store = SQLiteStore(db)
        tracker = LIVE_TRACKER if imm else replace(LIVE_TRACKER, imm=False)
        settings = PipelineSettings(speed=speed, tracker=tracker)
        self.pipeline = _load_pipeline(n, seconds, store, db, settings, spread, labels)
        app = create_app(ServerSettings(), store=store, feed=self.pipeline, auth=auth)
        super().__init__(app, port, store)

    def __exit__(self, *exc: object) -> None:
        self.pipeline.stop()
        self.pipeline.join(60)  # what is queued is stored before the store closes
        super().__exit__(*exc)


class ReplayServer(_Served):
    """The real server replaying a recorded load run (``dronewall serve --replay RUN``)."""

    def __init__(self, db: Path, port: int, run_id: str, speed: float = 1.0):
        store = SQLiteStore(db)
        settings = ServerSettings(store_url=f"sqlite:///{db}", replay_run=run_id,
                                  replay_speed=speed)  # fmt: skip
        super().__init__(create_app(settings, store=store), port, store)

    @staticmethod
    def record(n: int, seconds: int, db: Path) -> None:
        """Run the load through the pipeline as fast as it goes into ``db``."""
        store = SQLiteStore(db)
        try:
            settings = PipelineSettings(speed=0.0, tracker=LIVE_TRACKER)
            pipeline = _load_pipeline(n, seconds, store, db, settings)
            pipeline.start()
            pipeline.join()
        finally:
            store.close()
