"""Benchmark: tracking accuracy and speed on our own scenarios.

Usage:
  python bench/bench_tracking.py laydowns     # radar-only, acoustic-only and mixed laydowns
  python bench/bench_tracking.py raid         # real-time factor on eastern-flank-raid

``laydowns``: 40 Shahed-class drones cross the Polish–Belarusian border within 20 minutes,
watched by three laydowns of the same border (no birds or airliners, so that every truth is a
drone). Each run is simulated, tracked and scored (GOSPA c = 500 m, SIAP association 250 m)
inside a monitored zone — truth and tracks within 5 km and within 30 km of the border — since
no laydown claims to see beyond it. ``raid``:
simulate the whole eastern-flank-raid, then time the tracker over its reports on one core.
Prints Markdown rows for BENCHMARKS.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402

from dronewall.core.geodesy import (  # noqa: E402
    ecef_to_enu_rotation,
    ecef_to_geodetic,
    geodetic_to_ecef,
)
from dronewall.core.tracks import SensorGeometry, TrackBatch  # noqa: E402
from dronewall.core.types import ReportBatch  # noqa: E402
from dronewall.metrics import Trajectories  # noqa: E402
from dronewall.runtime.offline import track_reports  # noqa: E402
from dronewall.runtime.scoring import score  # noqa: E402
from dronewall.sim import Simulation, load_scenario, parse_scenario  # noqa: E402
from dronewall.tracking import Tracker  # noqa: E402
from dronewall.world import World, load_world  # noqa: E402

BASE = """
[scenario]
name = "laydown-{name}"
title = "Shaheds across the Polish-Belarusian border, {name}"
start = 2026-03-01T01:00:00Z
duration_s = 3600
seed = 41

[[drones]]
name = "shaheds"
kind = "one_way_attack"
count = 40
launch = {{ lat = 52.6, lon = 25.0, radius_km = 60, country = "BLR" }}
launch_window_s = [0, 1200]
targets = ["EPWA", "EPLB", "EPRZ", "EPMO"]
route_jitter_km = 15
"""

RADAR = """
[[sensor_line]]
id_prefix = "radar"
model = "surveillance-radar"
border = ["POL", "BLR"]
spacing_km = 60
inset_km = 15
"""

ACOUSTIC = """
[[sensor_line]]
id_prefix = "acoustic"
model = "acoustic-node"
border = ["POL", "BLR"]
spacing_km = 5
inset_km = 1
"""

RF = """
[[sensor_line]]
id_prefix = "rf"
model = "rf-df"
border = ["POL", "BLR"]
spacing_km = 20
inset_km = 3
"""

LAYDOWNS = {"radar-only": RADAR, "acoustic-only": ACOUSTIC, "mixed": RADAR + ACOUSTIC + RF}
ZONES_KM = (5.0, 30.0)


def _simulate(text: str, world: World) -> tuple[Simulation, ReportBatch, Trajectories]:
    sim = Simulation(parse_scenario(text), world)
    chunks = list(sim.run())
    reports = ReportBatch.concat([c.reports for c in chunks])
    lat = np.concatenate([c.truth.lat for c in chunks])
    lon = np.concatenate([c.truth.lon for c in chunks])
    alt = np.concatenate([c.truth.alt for c in chunks])
    enu = np.concatenate([c.truth.vel_enu for c in chunks])
    vel = np.einsum("nji,nj->ni", ecef_to_enu_rotation(lat, lon), enu)
    truth = Trajectories(
        np.concatenate([c.truth.t for c in chunks]),
        np.concatenate([c.truth.object_id for c in chunks]).astype(np.int64),
        geodetic_to_ecef(lat, lon, alt).reshape(-1, 3),
        vel,
    )
    return sim, reports, truth


def _geometry(sim: Simulation) -> SensorGeometry:
    s = sim.sensors
    return s.geometry()


def _in_zone(world: World, positions: np.ndarray, zone_km: float) -> np.ndarray:
    """Rows within ``zone_km`` of the Polish–Belarusian border (EPSG:3035 metres)."""
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_m.transform(xy[:, 0], xy[:, 1]))

    border = shapely.transform(world.border("POL", "BLR"), project)
    lat, lon, _ = ecef_to_geodetic(positions)
    px, py = to_m.transform(lon, lat)
    return np.asarray(shapely.distance(shapely.points(px, py), border) <= zone_km * 1000.0)


def _subset(t: Trajectories, keep: np.ndarray) -> Trajectories:
    return Trajectories(
        t.times[keep],
        t.ids[keep],
        t.positions[keep],
        None if t.velocities is None else t.velocities[keep],
    )


def laydowns() -> None:
    world = load_world()
    print(
        "| laydown | reports | track s | × real time | GOSPA/truth | completeness | "
        "spuriousness | pos. acc. m | breaks/target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, sensors in LAYDOWNS.items():
        sim, reports, truth = _simulate(BASE.format(name=name) + sensors, world)
        geometry = _geometry(sim)
        tracker = Tracker(geometry)
        started = time.perf_counter()
        tracks = TrackBatch.concat(list(track_reports(reports, geometry, tracker=tracker)))
        elapsed = time.perf_counter() - started
        track_traj = Trajectories(
            tracks.t, tracks.track_id, tracks.state[:, :3], tracks.state[:, 3:]
        )
        for zone in ZONES_KM:
            s = score(
                _subset(truth, _in_zone(world, truth.positions, zone)),
                _subset(track_traj, _in_zone(world, track_traj.positions, zone)),
                cutoff_m=500.0,
                threshold_m=250.0,
            )
            print(
                f"| {name} | {zone:.0f} | {len(reports):,} | {elapsed:.1f} | "
                f"{sim.duration_s / elapsed:.0f}× | {s.gospa_per_truth:.1f} | "
                f"{s.completeness:.2f} | {s.spuriousness:.2f} | {s.position_accuracy_m:.0f} | "
                f"{s.breaks_per_target:.2f} |"
            )


def raid() -> None:
    world = load_world()
    sim = Simulation(load_scenario("eastern-flank-raid"), world)
    reports = ReportBatch.concat([c.reports for c in sim.run()])
    geometry = _geometry(sim)
    tracker = Tracker(geometry)
    started = time.perf_counter()
    n = sum(len(b) for b in track_reports(reports, geometry, tracker=tracker))
    elapsed = time.perf_counter() - started
    print(tracker.stats)
    print(
        f"| eastern-flank-raid | {len(reports):,} | {sim.duration_s:.0f} | {elapsed:.0f} | "
        f"{len(reports) / elapsed:,.0f} | {sim.duration_s / elapsed:.1f}× | {n:,} track rows |"
    )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    what = sys.argv[1] if len(sys.argv) > 1 else "laydowns"
    {"laydowns": laydowns, "raid": raid}[what]()


if __name__ == "__main__":
    main()
