"""Gliders, helicopters, light aircraft and ultralights fly within their catalogue envelopes,
measured from the truth they leave (speed, height above the terrain, turn rate)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest

from dronewall.core.types import ObjectKind
from dronewall.sim import Simulation, parse_scenario
from dronewall.sim.catalogue import OBJECT_DEFAULTS
from dronewall.world import World, load_terrain

# Every kind airborne from the start over the Bavarian foothills (ground 500–1,100 m), plus
# helicopters that always hover at their stops and light aircraft in circuits at an airfield.
AVIATION = """
[scenario]
name = "aviation"
title = "general aviation envelopes"
start = 2026-06-20T11:00:00Z
duration_s = 1500
seed = 11

[[aircraft]]
name = "gliders"
kind = "glider"
count = 6
area = { lat = 47.85, lon = 11.3, radius_km = 30 }
spawn_window_s = [0, 0]
flight_time_s = [3600, 3600]

[[aircraft]]
name = "helicopters"
kind = "helicopter"
count = 4
area = { lat = 48.1, lon = 11.5, radius_km = 30 }
hover_fraction = 1.0
spawn_window_s = [0, 0]
flight_time_s = [1200, 1200]

[[aircraft]]
name = "circuits"
kind = "light_aircraft"
count = 3
area = { lat = 48.2, lon = 11.4, radius_km = 20 }
bases = ["EDMD"]
spawn_window_s = [0, 0]

[[aircraft]]
name = "touring"
kind = "light_aircraft"
count = 3
area = { lat = 48.0, lon = 11.5, radius_km = 60 }
activity = "cross_country"
spawn_window_s = [0, 0]

[[aircraft]]
name = "ultralights"
kind = "ultralight"
count = 4
area = { lat = 47.9, lon = 11.6, radius_km = 30 }
spawn_window_s = [0, 0]
"""


@dataclass(frozen=True)
class Flown:
    kind: npt.NDArray[np.uint8]  # per truth row
    group: npt.NDArray[np.str_]
    speed: npt.NDArray[np.float64]
    above_ground: npt.NDArray[np.float64]
    turn_deg_s: npt.NDArray[np.float64]  # heading change to the next second (NaN at the end)


@pytest.fixture(scope="module")
def flown(world: World) -> Flown:
    sim = Simulation(parse_scenario(AVIATION), world)
    truth = [chunk.truth for chunk in sim.run()]
    obj = np.concatenate([t.object_id for t in truth])
    order = np.lexsort((np.concatenate([t.t for t in truth]), obj))
    obj = obj[order]
    lat, lon, alt = (
        np.concatenate([getattr(t, f) for t in truth])[order] for f in ["lat", "lon", "alt"]
    )
    vel = np.concatenate([t.vel_enu for t in truth])[order]
    heading = np.degrees(np.arctan2(vel[:, 0], vel[:, 1]))
    turn = np.abs(np.mod(np.diff(heading) + 180.0, 360.0) - 180.0)
    turn = np.where(obj[1:] == obj[:-1], turn, np.nan)
    return Flown(
        kind=sim.population.kind[obj],
        group=np.array(sim.population.group)[obj],
        speed=np.hypot(vel[:, 0], vel[:, 1]),
        above_ground=alt - load_terrain().ground_height_m(lat, lon),
        turn_deg_s=np.append(turn, np.nan),
    )


def _of(flown: Flown, kind: ObjectKind) -> npt.NDArray[np.bool_]:
    mask = np.asarray(flown.kind == kind, bool)
    assert mask.sum() > 1000, kind  # enough seconds flown to judge
    return mask


def test_gliders_thermal_and_glide_within_their_envelope(flown: Flown) -> None:
    mine = _of(flown, ObjectKind.GLIDER)
    low, high = (v / 3.6 for v in OBJECT_DEFAULTS[ObjectKind.GLIDER].speed_kmh)
    assert np.all((flown.speed[mine] > 0.85 * low) & (flown.speed[mine] < 1.02 * high))
    assert np.all((flown.above_ground[mine] > 250.0) & (flown.above_ground[mine] < 2550.0))
    turn = flown.turn_deg_s[mine]
    turn = turn[np.isfinite(turn)]
    assert 12.0 < np.percentile(turn, 90) <= 20.5  # thermalling circles, up to ~20°/s
    assert turn.max() <= 22.5
    assert 0.25 < np.mean(turn > 10.0) < 0.9  # circling for minutes, gliding between
    assert np.mean(turn < 1.0) > 0.05  # straight glides


def test_helicopters_cruise_hover_and_stay_low(flown: Flown) -> None:
    mine = _of(flown, ObjectKind.HELICOPTER)
    assert flown.speed[mine].max() <= 75.5
    assert np.mean(flown.speed[mine] < 10.0) > 0.05  # hover and slow phases
    assert np.mean(flown.speed[mine] > 50.0) > 0.2  # transits
    assert np.all(flown.above_ground[mine] > -1.0)
    assert flown.above_ground[mine].max() < 950.0
    assert np.nanmax(flown.turn_deg_s[mine]) <= 15.5


def test_light_aircraft_fly_circuits_and_tours(flown: Flown) -> None:
    mine = _of(flown, ObjectKind.LIGHT_AIRCRAFT)
    airborne = mine & (flown.above_ground > 20.0)
    assert np.all(flown.speed[airborne] < 70.0)
    assert np.percentile(flown.speed[airborne], 5) > 30.0
    assert flown.above_ground[mine].max() < 2050.0
    circuits = mine & (flown.group == "circuits")
    assert 250.0 < np.percentile(flown.above_ground[circuits], 90) < 320.0  # ~1,000 ft circuits
    assert np.mean(flown.above_ground[circuits] < 50.0) > 0.02  # touch-and-goes
    assert np.nanmax(flown.turn_deg_s[mine]) <= 6.5


def test_ultralights_are_slow_and_low(flown: Flown) -> None:
    mine = _of(flown, ObjectKind.ULTRALIGHT)
    assert np.all((flown.speed[mine] > 13.0) & (flown.speed[mine] < 30.5))
    assert np.all((flown.above_ground[mine] > 90.0) & (flown.above_ground[mine] < 620.0))
