"""The server runs the store's retention while a pipeline records (``ServerSettings.retention``),
counted in ``/metrics``; not for a replay, whose frames must not be thinned under it."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import PipelineSettings
from dronewall.runtime.player import FramePlayer
from dronewall.server import ServerSettings, create_app
from dronewall.store import RetentionPolicy
from dronewall.store.sqlite import SQLiteStore
from tests.runtime.test_retention_task import NO_SENSORS
from tests.store.conftest import RUN, T0
from tests.store.test_retention import frame_times, record

DAY = 86_400.0
POLICY = RetentionPolicy(pause_s=0.0)  # the defaults: 30 days
# These apps run without sign-in (create_app's default, ``serve --auth none``): the runs
# recorded here carry no sensor table, so a signed-in user of any nation would be shown
# nothing (releasability, safe by default); retention is what is tested.


def metric(client: TestClient, line_start: str) -> float | None:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_a_live_server_applies_retention_and_counts_it(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    record(store, wall=time.time() - 40 * DAY)  # a run recorded 40 days ago: its frames go
    record(store, "thinned", wall=time.time() - 2 * DAY)  # two days ago: one frame a minute
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=0.0), duration_s=20.0
    )
    settings = ServerSettings(retention=POLICY)
    with TestClient(create_app(settings, store=store, feed=pipeline)) as c:
        deadline = time.monotonic() + 60.0  # liveness only: the first pass runs at start
        while not metric(c, "dronewall_retention_passes_total"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        frames = metric(c, 'dronewall_retention_deleted_total{table="frames"}')
        minutes = len({t // 60 for t in frame_times()})  # thinned: one frame a minute
        assert frames == len(frame_times()) + len(frame_times()) - minutes
        assert pipeline.join(120.0)
        # the slider and a track's history cope with the gaps
        kept = store.frame_times("thinned")
        assert len(kept) == len({t // 60 for t in kept}) == minutes
        between = c.get("/api/runs/thinned/frame", params={"t": kept[5] + 30.0}).json()
        assert between["t"] == kept[5]
        history = c.get("/api/tracks/1/history", params={"run_id": "thinned"}).json()
        assert set(history["t"]) <= set(kept) and len(history["t"]) > 100
        assert c.get("/api/runs/thinned").json()["frames"] == minutes
    assert store.frame_times(RUN) == []
    assert len(store.frame_times(pipeline.run_id)) > 10  # the new run is young: all kept
    store.close()


def test_a_replay_server_deletes_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "dw.db")
    record(store, wall=time.time() - 40 * DAY)
    player = FramePlayer(store, RUN, NO_SENSORS, speed=1e6)
    settings = ServerSettings(replay_run=RUN, retention=POLICY)
    with TestClient(create_app(settings, store=store, feed=player)) as c:
        assert c.get("/api/health").json()["mode"] == "replay"
        assert metric(c, "dronewall_retention_passes_total") is None
    assert store.frame_times(RUN) == frame_times()
    assert store.run(RUN).t_start == T0
    store.close()
