"""Prove a plan: fly a raid against a laydown many times and count what was seen in time.

For each seed the simulator runs the raid with the laydown as its only sensors
(``evaluate.bridge``). A hostile drone *penetrates* when its truth position is inside a
defended country at least ``depth_km`` from the watched line (distances in LAEA metres). It
counts as **detected** if a report of it reached the system before that moment, and as
**tracked** if the tracker held it before then: by default the real multi-sensor tracker fed
the reports only (``evaluate.real_tracker``); the optimistic stand-in rule of
``evaluate.tracking`` only when asked for by name. At each target (a protected site or
airport named by the raid) the **warning time** is the time from the first detection (or
tracking) to the drone entering the site's protection radius.
Drones that never penetrate ``depth_km`` are reported but not in the shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from dronewall.core.geodesy import surface_distance_m
from dronewall.core.types import ObjectKind, ReportBatch
from dronewall.evaluate.bridge import with_laydown
from dronewall.evaluate.real_tracker import RealTracker
from dronewall.evaluate.tracking import RunReports, Tracker, first_report_by_object
from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.geometry import to_laea
from dronewall.planning.laydown import Laydown
from dronewall.sim import Simulation
from dronewall.sim.engine import TruthRows
from dronewall.sim.scenario import Scenario
from dronewall.world import DEFAULT_RADIUS_M, SiteKind, World

FloatArray = npt.NDArray[np.float64]
HOSTILE = (
    ObjectKind.ONE_WAY_ATTACK,
    ObjectKind.DECOY,
    ObjectKind.QUADCOPTER,
    ObjectKind.RECON_FIXED_WING,
)
REAL_TRACKER = RealTracker()  # the default "tracked": dronewall.tracking on the reports


@dataclass(frozen=True, slots=True)
class RunScore:
    """One seed: hostile drones, how many penetrated, and how many of those were seen in time."""

    seed: int
    drones: int
    penetrated: int
    detected: int
    tracked: int
    warnings: dict[str, list[tuple[float, float]]]  # target → (detected, tracked) minutes


@dataclass(frozen=True, slots=True)
class ProveResult:
    """Scores of every run; ``share`` pools them over runs. ``tracker`` says what "tracked"
    means; ``stand_in`` is true when it was not measured with a real tracker."""

    depth_km: float
    runs: tuple[RunScore, ...]
    tracker: str
    stand_in: bool

    def share(self, what: str) -> float:
        total = sum(r.penetrated for r in self.runs)
        return sum(getattr(r, what) for r in self.runs) / total if total else float("nan")


def prove(
    raid: Scenario,
    world: World,
    laydown: Laydown,
    catalogue: SensorCatalogue,
    geometry: AreaGeometry,
    *,
    seeds: list[int],
    depth_km: float = 10.0,
    tracker: Tracker = REAL_TRACKER,
    duration_s: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> ProveResult:
    """Run the raid once per seed against ``laydown`` and score each run."""
    scenario = with_laydown(raid, laydown, catalogue)
    targets = _targets(raid, world)
    runs = []
    for k, seed in enumerate(seeds):
        runs.append(
            _one_run(scenario, world, geometry, targets, seed, depth_km, tracker, duration_s)
        )
        if progress is not None:
            progress(k + 1)
    return ProveResult(depth_km, tuple(runs), tracker.description, tracker.stand_in)


def _one_run(
    scenario: Scenario,
    world: World,
    geometry: AreaGeometry,
    targets: dict[str, tuple[float, float, float]],
    seed: int,
    depth_km: float,
    tracker: Tracker,
    duration_s: float | None,
) -> RunScore:
    sim = Simulation(scenario, world, seed=seed, duration_s=duration_s)
    batches, objects, truths = [], [], []
    for chunk in sim.run(flush_every_s=600.0):
        batches.append(chunk.reports)
        objects.append(chunk.report_object.astype(np.int64))
        truths.append(chunk.truth)
    truth = _concat(truths)
    run = RunReports(
        ReportBatch.concat(batches),
        np.concatenate(objects) if objects else np.zeros(0, np.int64),
        truth,
    )
    detected = first_report_by_object(run)
    tracked = dict(tracker(run, sim.sensors))
    hostile = np.flatnonzero(np.isin(sim.population.kind, [int(k) for k in HOSTILE]))
    crossing = _penetration_times(truth, hostile, geometry, depth_km)
    warnings = _warnings(sim, truth, hostile, targets, detected, tracked)
    return RunScore(
        seed=seed,
        drones=int(hostile.size),
        penetrated=len(crossing),
        detected=sum(1 for o, t in crossing.items() if detected.get(o, np.inf) < t),
        tracked=sum(1 for o, t in crossing.items() if tracked.get(o, np.inf) < t),
        warnings=warnings,
    )


def _penetration_times(
    truth: TruthRows, hostile: npt.NDArray[np.int64], geometry: AreaGeometry, depth_km: float
) -> dict[int, float]:
    """Per hostile object, the first truth time ≥ ``depth_km`` inside a defended country."""
    rows = np.flatnonzero(np.isin(truth.object_id, hostile))
    x, y = to_laea(truth.lon[rows], truth.lat[rows])
    inside = shapely.contains_xy(geometry.home, x, y)
    lines = shapely.union_all(list(geometry.lines))
    deep = np.zeros(rows.size, bool)
    if np.any(inside):
        deep[inside] = (
            shapely.distance(shapely.points(x[inside], y[inside]), lines) >= depth_km * 1000.0
        )
    out: dict[int, float] = {}
    for obj, t in zip(
        truth.object_id[rows][deep].tolist(), truth.t[rows][deep].tolist(), strict=True
    ):
        if obj not in out or t < out[obj]:
            out[obj] = t
    return out


def _targets(raid: Scenario, world: World) -> dict[str, tuple[float, float, float]]:
    """Each target the raid names: (lat, lon, protection radius m)."""
    out = {}
    for group in raid.drones:
        for name in group.targets:
            lat, lon = world.place(name)
            radius = DEFAULT_RADIUS_M[SiteKind.AIRPORT]
            for site in world.sites:
                if site.id == name:
                    radius = site.radius_m
            out[name] = (float(lat), float(lon), float(radius))
    return out


def _warnings(
    sim: Simulation,
    truth: TruthRows,
    hostile: npt.NDArray[np.int64],
    targets: dict[str, tuple[float, float, float]],
    detected: dict[int, float],
    tracked: dict[int, float],
) -> dict[str, list[tuple[float, float]]]:
    """Minutes of warning (detected, tracked) for each drone that reached its target radius."""
    names = list(targets)
    centre = np.array([targets[n][:2] for n in names])
    out: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    pop = sim.population
    for obj in hostile.tolist():
        last = pop.waypoints[obj, pop.n_waypoints[obj] - 1]
        aim = np.argmin(surface_distance_m(last[0], last[1], centre[:, 0], centre[:, 1]))
        name = names[int(aim)]
        rows = np.flatnonzero(truth.object_id == obj)
        lat, lon, radius = targets[name]
        close = surface_distance_m(truth.lat[rows], truth.lon[rows], lat, lon) <= radius
        if not np.any(close):
            continue  # never reached its target (ran dry, or still flying)
        arrival = float(truth.t[rows][np.argmax(close)])
        minutes = [max(arrival - seen.get(obj, np.inf), 0.0) / 60.0 for seen in (detected, tracked)]
        out[name].append((minutes[0], minutes[1]))
    return out


def _concat(parts: list[TruthRows]) -> TruthRows:
    names = ("t", "object_id", "lat", "lon", "alt", "vel_enu")
    return TruthRows(*(np.concatenate([getattr(p, n) for p in parts]) for n in names))
