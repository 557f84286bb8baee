"""The simulation loop: spawn, sense, record, step — one second at a time, as fast as the
machine allows. Deterministic for a given scenario and seed.

Three independent random streams (population, laydown, sensing) come from one seed, so that
changing the sensors does not change what flies. Reports are released in arrival order: at
tick t every report that has arrived before t is final, because later measurements cannot
arrive earlier than they are made.

The ground comes from ``world.terrain`` (ETOPO5 and EGM96) unless another ``GroundModel`` is
given, e.g. ``FlatGround()`` for a smooth Earth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch
from dronewall.sim.dynamics import FlightState, Snapshot, snapshot, spawn, step
from dronewall.sim.laydown import SensorArray, build_laydown
from dronewall.sim.population import Population, build_population
from dronewall.sim.scenario import Scenario
from dronewall.sim.sensing import sense
from dronewall.world import World
from dronewall.world.terrain import GroundModel, load_terrain

FloatArray = npt.NDArray[np.float64]
# A batch of reports with the row of the object behind each report (-1 for a false alarm).
_Reports = tuple[ReportBatch, npt.NDArray[np.int64]]
TICK_S = 1.0


@dataclass(frozen=True, slots=True)
class TruthRows:
    """True states of live objects at recorded instants (POSIX seconds)."""

    t: FloatArray
    object_id: npt.NDArray[np.int32]
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    vel_enu: FloatArray  # (n, 3)


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one stretch of simulated time produced, ready to write or to feed a tracker."""

    t: float  # seconds since the scenario start reached so far
    reports: ReportBatch  # arrival order, report ids assigned
    report_object: npt.NDArray[np.int32]  # object id that caused each report, −1 false alarm
    truth: TruthRows


class Simulation:
    """A scenario made ready to run: objects drawn, sensors placed."""

    def __init__(
        self,
        scenario: Scenario,
        world: World,
        *,
        seed: int | None = None,
        duration_s: float | None = None,
        ground: GroundModel | None = None,
    ):
        self.scenario = scenario
        self.ground: GroundModel = load_terrain() if ground is None else ground
        self.seed = scenario.scenario.seed if seed is None else seed
        self.duration_s = float(scenario.scenario.duration_s if duration_s is None else duration_s)
        self.start = scenario.start_posix
        streams = np.random.SeedSequence(self.seed).spawn(3)
        self.population: Population = build_population(
            scenario, world, np.random.default_rng(streams[0]), self.ground
        )
        self.sensors: SensorArray = build_laydown(
            scenario, world, np.random.default_rng(streams[1]), self.ground
        )
        self._rng = np.random.default_rng(streams[2])
        self.state = FlightState.empty(len(self.population))
        self._next_report_id = 0

    def run(self, flush_every_s: float = 60.0) -> Iterator[Chunk]:
        """Run to the end, yielding a chunk about every ``flush_every_s`` simulated seconds."""
        pending: list[_Reports] = []
        truth: list[TruthRows] = []
        interval = max(1, round(self.scenario.scenario.truth_interval_s / TICK_S))  # in ticks
        last_flush = 0.0
        ticks = int(np.ceil(self.duration_s / TICK_S))
        for k in range(ticks):
            t = k * TICK_S
            spawn(self.population, self.state, t, self.ground)
            snap = snapshot(self.state, t, self.ground)
            if k % interval == 0:
                truth.append(self._truth(snap))
            for sensed in sense(self.sensors, self.population, snap, self._rng, self.ground):
                pending.append((sensed.reports, sensed.object_row))
            step(self.population, self.state, snap, TICK_S)
            if t - last_flush >= flush_every_s:
                pending, ready = self._release(pending, t)
                yield self._chunk(t, ready, truth)
                truth, last_flush = [], t
        _, ready = self._release(pending, np.inf)
        yield self._chunk(self.duration_s, ready, truth)

    def _truth(self, snap: Snapshot) -> TruthRows:
        v_enu = np.einsum("nij,nj->ni", snap.rotation, snap.velocity)
        return TruthRows(
            np.full(snap.index.size, self.start + snap.t),
            snap.index.astype(np.int32),
            snap.lat,
            snap.lon,
            snap.alt,
            v_enu,
        )

    def _release(self, pending: list[_Reports], t: float) -> tuple[list[_Reports], _Reports]:
        if not pending:
            return [], (ReportBatch.empty(), np.zeros(0, np.int64))
        batch = ReportBatch.concat([p[0] for p in pending])
        objects = np.concatenate([p[1] for p in pending])
        done = batch.t_arrival < t
        order = np.flatnonzero(done)[np.argsort(batch.t_arrival[done], kind="stable")]
        rest = np.flatnonzero(~done)
        keep = [(batch.take(rest), objects[rest])] if rest.size else []
        return keep, (batch.take(order), objects[order])

    def _chunk(self, t: float, ready: _Reports, truth: list[TruthRows]) -> Chunk:
        reports, objects = ready
        n = len(reports)
        reports.report_id[:] = np.arange(self._next_report_id, self._next_report_id + n)
        self._next_report_id += n
        reports.t_measured[:] += self.start
        reports.t_arrival[:] += self.start
        return Chunk(t, reports, objects.astype(np.int32), _concat_truth(truth))


def _concat_truth(rows: list[TruthRows]) -> TruthRows:
    if not rows:
        z = np.zeros(0)
        return TruthRows(z, np.zeros(0, np.int32), z, z, z, np.zeros((0, 3)))
    return TruthRows(
        np.concatenate([r.t for r in rows]),
        np.concatenate([r.object_id for r in rows]),
        np.concatenate([r.lat for r in rows]),
        np.concatenate([r.lon for r in rows]),
        np.concatenate([r.alt for r in rows]),
        np.concatenate([r.vel_enu for r in rows]),
    )
