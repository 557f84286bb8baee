"""Fail loudly: a pipeline stage that dies or stalls turns the pipeline unhealthy with the
reason (logged once), and reports that still come in are recorded, not lost."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from dronewall.assess import protected_zones
from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.store import open_store
from dronewall.world import load_world


def _receiver() -> SensorGeometry:
    ecef = np.asarray(geodetic_to_ecef(np.array([52.0]), np.array([21.0]), np.array([0.0])))
    return SensorGeometry(["rx"], np.array([SensorKind.ADSB], np.uint8), np.array([52.0]),
                          np.array([21.0]), np.array([0.0]), ecef.reshape(1, 3),
                          np.array([np.inf]))  # fmt: skip


def _chunk(t: float, first_id: int) -> ReportBatch:
    b = ReportBatch.allocate(1)
    b.report_id[:] = first_id
    b.sensor_kind[:] = SensorKind.ADSB
    b.measurement[:] = MeasurementKind.POSITION
    b.t_measured[:] = b.t_arrival[:] = t
    b.lat_deg[:], b.lon_deg[:], b.alt_m[:] = 52.0, 21.0 + (t - 1e9) * 3e-4, 1000.0
    b.sigma_horizontal_m[:] = b.sigma_vertical_m[:] = 30.0
    b.identity[:] = "48AE01"
    return b


@dataclass
class _Gated:
    """A source that gives one chunk a second of data time each time it is let go."""

    n: int
    gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    name: str = "gated"
    blocking: bool = True

    @property
    def sensors(self) -> SensorGeometry:
        return _receiver()

    def chunks(self) -> Iterator[ReportBatch]:
        for i in range(self.n):
            self.gate.acquire()
            yield _chunk(1e9 + i, i)


def _wait(predicate: object, timeout: float = 5.0) -> float:
    began = time.monotonic()
    while not predicate() and time.monotonic() - began < timeout:  # type: ignore[operator]
        time.sleep(0.02)
    return time.monotonic() - began


def test_a_dead_stage_is_unhealthy_with_its_reason_and_later_reports_are_still_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store("sqlite:///:memory:")
    source = _Gated(20)
    pipeline = Pipeline(source, protected_zones(load_world()), store,
                        PipelineSettings(speed=math.inf))  # fmt: skip
    calls = {"n": 0}
    real_step = pipeline.picture.step

    def step(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("identify exploded")
        return real_step(*args, **kwargs)  # type: ignore[arg-type]

    pipeline.picture.step = step  # type: ignore[method-assign]
    pipeline.start()
    for _ in range(10):
        source.gate.release()
    took = _wait(lambda: not pipeline.health()[0])
    assert took < 2.0
    ok, reason = pipeline.health()
    assert not ok and "identify exploded" in reason
    for _ in range(10):  # the feeds go on after the failure
        source.gate.release()
    assert pipeline.join(10)
    assert len(store.reports(pipeline.run_id)) == 20  # nothing lost
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sum("identify exploded" in r.getMessage() or r.exc_info is not None
               for r in failures) >= 1  # fmt: skip
    pipeline.health()
    assert sum("pipeline unhealthy" in r.getMessage() for r in caplog.records) == 1  # once
    store.close()


def test_a_stalled_process_stage_is_unhealthy_then_recovers() -> None:
    store = open_store("sqlite:///:memory:")
    source = _Gated(3)
    pipeline = Pipeline(source, protected_zones(load_world()), store,
                        PipelineSettings(speed=math.inf))  # fmt: skip
    stall = threading.Event()
    real_process = pipeline.tracker.process

    def process(batch: ReportBatch) -> None:
        if batch.report_id[0] == 1:
            stall.wait(10)  # stuck until the test lets go
        real_process(batch)

    pipeline.tracker.process = process  # type: ignore[method-assign]
    pipeline.start()
    source.gate.release()
    source.gate.release()
    _wait(lambda: not pipeline.health()[0], timeout=6.0)
    ok, reason = pipeline.health()
    assert not ok and "process stage has not moved" in reason
    stall.set()
    assert _wait(lambda: pipeline.health()[0], timeout=5.0) < 5.0
    source.gate.release()
    assert pipeline.join(10)
    assert pipeline.summary.state == "finished"
    store.close()
