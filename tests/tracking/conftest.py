"""Small simulated runs tracked once per session, and helpers to compare tracks with truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.sim import Simulation, parse_scenario
from dronewall.world import World, load_world


@dataclass(frozen=True)
class Run:
    reports: ReportBatch
    report_object: np.ndarray
    sensors: SensorGeometry
    truth_t: np.ndarray
    truth_id: np.ndarray
    truth_ecef: np.ndarray


HEADER = """
[scenario]
name = "t"
title = "t"
start = 2026-01-01T00:00:00Z
duration_s = {duration}
seed = {seed}
"""


def simulate(text: str, world: World) -> Run:
    sim = Simulation(parse_scenario(text), world)
    chunks = list(sim.run())
    reports = ReportBatch.concat([c.reports for c in chunks])
    obj = np.concatenate([c.report_object for c in chunks])
    s = sim.sensors
    sensors = s.geometry()
    t = np.concatenate([c.truth.t for c in chunks])
    ids = np.concatenate([c.truth.object_id for c in chunks])
    lat = np.concatenate([c.truth.lat for c in chunks])
    lon = np.concatenate([c.truth.lon for c in chunks])
    alt = np.concatenate([c.truth.alt for c in chunks])
    return Run(reports, obj, sensors, t, ids, geodetic_to_ecef(lat, lon, alt))


def nearest_track_ids(run: Run, tracks: TrackBatch, object_id: int, within_m: float) -> np.ndarray:
    """For every truth instant of an object, the id of the nearest track within ``within_m``
    (−1 when none)."""
    out = []
    rows = np.flatnonzero(run.truth_id == object_id)
    for k in rows:
        here = np.flatnonzero(np.abs(tracks.t - run.truth_t[k]) < 1e-6)
        if here.size == 0:
            out.append(-1)
            continue
        d = np.linalg.norm(tracks.state[here, :3] - run.truth_ecef[k], axis=1)
        j = int(np.argmin(d))
        out.append(int(tracks.track_id[here[j]]) if d[j] <= within_m else -1)
    return np.array(out)


@pytest.fixture(scope="session")
def world() -> World:
    return load_world()


CROSSING = (
    HEADER.format(duration=900, seed=11)
    + """
[[drones]]
name = "crosser"
kind = "one_way_attack"
count = 1
launch = { lat = 52.20, lon = 22.70, radius_km = 0 }
targets = ["EPWA"]
route_jitter_km = 0
altitude_m = [300, 300]

[[sensor]]
id = "radar-east"
model = "cuas-radar"
lat = 52.20
lon = 22.55

[[sensor]]
id = "radar-west"
model = "cuas-radar"
lat = 52.20
lon = 22.30
"""
)

ACOUSTIC = (
    HEADER.format(duration=2400, seed=3)
    + """
[[drones]]
name = "shaheds"
kind = "one_way_attack"
count = 4
launch = { lat = 52.6, lon = 24.6, radius_km = 30, country = "BLR" }
launch_window_s = [0, 300]
targets = ["EPWA"]
route_jitter_km = 5

[[sensor_line]]
id_prefix = "ac"
model = "acoustic-node"
border = ["POL", "BLR"]
spacing_km = 4
inset_km = 1
"""
)

ADSB = (
    HEADER.format(duration=300, seed=5)
    + """
[[traffic]]
region = { lat_min = 50.0, lat_max = 54.0, lon_min = 17.0, lon_max = 23.0 }
airborne = 6
airports = ["EPWA", "EPKK", "EPGD", "EPPO"]

[[sensor_ring]]
id_prefix = "adsb"
model = "adsb-receiver"
around = "EPWA"
"""
)


@pytest.fixture(scope="session")
def crossing(world: World) -> Run:
    return simulate(CROSSING, world)


@pytest.fixture(scope="session")
def acoustic(world: World) -> Run:
    return simulate(ACOUSTIC, world)


@pytest.fixture(scope="session")
def adsb(world: World) -> Run:
    return simulate(ADSB, world)


def kinds(run: Run) -> set[SensorKind]:
    return {SensorKind(k) for k in np.unique(run.reports.sensor_kind)}
