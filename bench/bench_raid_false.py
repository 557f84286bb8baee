"""Benchmark: tracks started and confirmed false tracks per hour on the eastern-flank raid,
with the tracker's existence score and clutter map against the count-based management it
replaced (issue 14).

Usage: python bench/bench_raid_false.py [DURATION_S]   (default 900: the first 15 minutes)

The raid (``eastern-flank-raid``: 800 drones and decoys, civil traffic, birds; acoustic, RF,
radar and ADS-B lines) is simulated once, shortened to DURATION_S, and tracked twice on one
core, the sensors declaring period and false-alarm rate as the simulator's catalogue gives
them (``declared``): with the default ``TrackerConfig`` and with ``LEGACY`` (confirmation at 3
updates, fixed 10 s / 2.5 s timeouts, the ±4°/s turn models only — the tracker before issue
14). A
confirmed track is false when fewer than half its output instants lie within FALSE_M of any
simulated object (drone, decoy, aircraft or bird) at that instant.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from dronewall.core.geodesy import geodetic_to_ecef  # noqa: E402
from dronewall.core.tracks import SensorGeometry, TrackBatch  # noqa: E402
from dronewall.core.types import ReportBatch, SensorKind  # noqa: E402
from dronewall.runtime.offline import track_reports  # noqa: E402
from dronewall.sim import Simulation, parse_scenario  # noqa: E402
from dronewall.sim.scenario import scenario_text  # noqa: E402
from dronewall.tracking import Tracker, TrackerConfig  # noqa: E402
from dronewall.world import load_world  # noqa: E402

FALSE_M = 500.0  # a radar's error at 100 km (0.3° ≈ 500 m): farther from every object is on none
LEGACY = TrackerConfig(
    existence=False, fast_turn_rate_deg_s=0.0, coast_revisits=0.0, cooperative_timeout_s=0.0
)


def simulate(duration_s: int) -> tuple[Simulation, ReportBatch, np.ndarray, np.ndarray]:
    _, text = scenario_text("eastern-flank-raid")
    text = re.sub(r"duration_s = \d+", f"duration_s = {duration_s}", text, count=1)
    sim = Simulation(parse_scenario(text), load_world())
    chunks = list(sim.run())
    reports = ReportBatch.concat([c.reports for c in chunks])
    t = np.concatenate([c.truth.t for c in chunks])
    pos = geodetic_to_ecef(
        np.concatenate([c.truth.lat for c in chunks]),
        np.concatenate([c.truth.lon for c in chunks]),
        np.concatenate([c.truth.alt for c in chunks]),
    ).reshape(-1, 3)
    return sim, reports, t, pos


def declared(sim: Simulation) -> SensorGeometry:
    """The sensors as the simulator's catalogue describes them: revisit = their period, radar
    false alarms per scan spread over their coverage, bearing sensors' false alarms per hour
    spread over 360° (what ``sim.laydown``'s geometry should declare)."""
    g = sim.sensors.geometry()
    period = sim.sensors.param("period_s")
    area = np.pi * g.max_range_m**2
    radar = g.kind == int(SensorKind.RADAR)
    per_look = sim.sensors.param("false_alarms_per_hour") * period / 3600.0
    clutter = np.where(
        radar,
        np.maximum(sim.sensors.param("false_alarms_per_scan"), 0.1) / area,
        np.maximum(per_look, 1e-3) / 360.0,
    )
    cooperative = np.isin(g.kind, [int(SensorKind.ADSB), int(SensorKind.REMOTE_ID)])
    clutter = np.where(cooperative, g.clutter_density, clutter)
    return replace(g, clutter_density=clutter, revisit_s=period)


def false_tracks(tracks: TrackBatch, truth_t: np.ndarray, truth_pos: np.ndarray) -> int:
    near = np.zeros(len(tracks), bool)
    for t in np.unique(tracks.t):
        here = np.flatnonzero(tracks.t == t)
        k = np.argmin(np.abs(np.unique(truth_t) - t))
        at = np.unique(truth_t)[k]
        objects = truth_pos[truth_t == at]
        if len(objects):
            d, _ = cKDTree(objects).query(tracks.state[here, :3])
            near[here] = d <= FALSE_M
    _, inverse = np.unique(tracks.track_id, return_inverse=True)
    share = np.bincount(inverse, near) / np.bincount(inverse)
    return int(np.count_nonzero(share < 0.5))


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    duration = int(sys.argv[1]) if len(sys.argv) > 1 else 900
    sim, reports, truth_t, truth_pos = simulate(duration)
    hours = duration / 3600.0
    print(f"eastern-flank-raid, first {duration} s: {len(reports):,} reports")
    print("| tracker | tracks started | confirmed | confirmed false | false/h | CPU s |")
    print("|---|---|---|---|---|---|")
    for name, config in (("before (count-based)", LEGACY), ("existence score", TrackerConfig())):
        geometry = declared(sim)
        tracker = Tracker(geometry, config)
        started = time.process_time()
        tracks = TrackBatch.concat(list(track_reports(reports, geometry, tracker=tracker)))
        cpu = time.process_time() - started
        n_false = false_tracks(tracks, truth_t, truth_pos)
        s = tracker.stats
        print(
            f"| {name} | {s.tracks_started:,} | {len(np.unique(tracks.track_id)):,} | "
            f"{n_false:,} | {n_false / hours:,.0f} | {cpu:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
