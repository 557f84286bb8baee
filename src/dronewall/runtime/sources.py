"""Where a pipeline's reports come from: a simulation running live, or a recorded run read
back from a store. A source yields arrival-ordered chunks of about one second of data."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch
from dronewall.sim import Simulation
from dronewall.store import Store

REPLAY_WINDOW_S = 60.0  # reports read from the store per query when replaying


class Source(Protocol):
    """``blocking``: the source can wait when the pipeline is full (a simulation or a replay
    can; live sensors cannot, so their overflow is shed and counted)."""

    @property
    def name(self) -> str: ...

    @property
    def sensors(self) -> SensorGeometry: ...

    @property
    def blocking(self) -> bool: ...

    def chunks(self) -> Iterator[ReportBatch]: ...


@dataclass
class SimulationSource:
    sim: Simulation
    name: str
    chunk_s: float = 1.0
    blocking: bool = True

    @property
    def sensors(self) -> SensorGeometry:
        return self.sim.sensors.geometry()

    def chunks(self) -> Iterator[ReportBatch]:
        for chunk in self.sim.run(flush_every_s=self.chunk_s):
            if len(chunk.reports):
                yield chunk.reports


@dataclass
class StoreSource:
    """A recorded run's reports, back through the pipeline (``replay:<run_id>``)."""

    store: Store
    run_id: str
    sensors: SensorGeometry
    chunk_s: float = 1.0
    blocking: bool = True

    @property
    def name(self) -> str:
        return f"replay:{self.run_id}"

    def chunks(self) -> Iterator[ReportBatch]:
        run = self.store.run(self.run_id)
        t = run.t_start
        end = run.t_end if np.isfinite(run.t_end) else np.inf
        while t <= end:
            batch = self.store.reports(self.run_id, t, t + REPLAY_WINDOW_S)
            if len(batch) == 0 and not np.isfinite(end):
                break
            yield from _slices(batch, self.chunk_s)
            t += REPLAY_WINDOW_S


def _slices(batch: ReportBatch, chunk_s: float) -> Iterator[ReportBatch]:
    if len(batch) == 0:
        return
    arrival = batch.t_arrival
    # Edges on whole multiples of chunk_s, as a simulation flushes (the same chunks again).
    first = math.floor(float(arrival[0]) / chunk_s) * chunk_s
    edges = np.arange(first + chunk_s, float(arrival[-1]) + chunk_s, chunk_s)
    bounds = np.concatenate([[0], np.searchsorted(arrival, edges, "left"), [len(batch)]])
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            yield batch.take(np.arange(lo, hi))


class Pacer:
    """Holds data time to ``speed`` × wall time (``speed`` ≤ 0 or infinite: no waiting)."""

    def __init__(self, speed: float):
        self.speed = speed
        self._origin: tuple[float, float] | None = None  # (data t, wall t)

    def wait(self, data_t: float) -> None:
        if not (self.speed > 0 and np.isfinite(self.speed)):
            return
        now = time.monotonic()
        if self._origin is None:
            self._origin = (data_t, now)
            return
        due = self._origin[1] + (data_t - self._origin[0]) / self.speed
        if due > now:
            time.sleep(due - now)
        elif now - due > 5.0:  # far behind: do not race to catch up later
            self._origin = (data_t, now)
