"""Prove a plan: drones crossing a watched border are detected only where sensors are, and
tracked only where the real tracker can hold them — never before they are detected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pytest

from dronewall.core.types import SensorKind
from dronewall.evaluate import (
    REAL_TRACKER,
    ProveResult,
    RunReports,
    RunScore,
    first_report_by_object,
    prove,
    reports_in_window_stand_in,
    sim_params,
    with_laydown,
)
from dronewall.evaluate.report import to_html, to_json
from dronewall.planning import border_area, load_catalogue, resolve
from dronewall.planning.laydown import Laydown
from dronewall.sim import parse_scenario
from dronewall.sim.catalogue import SENSOR_MODELS
from dronewall.sim.laydown import SensorArray
from dronewall.world import load_world

# Three decoys from Belarus to Lublin, each crossing the border where the laydown below sees it
# differently. Launch latitudes identify them in truth.
LAUNCH_LAT = {"paired": 51.80, "single": 52.00, "unseen": 52.30}
RAID = """
[scenario]
name = "three-decoys"
title = "three decoys from Belarus to Lublin"
start = 2026-01-01T00:00:00Z
duration_s = 2200
seed = 1

[[drones]]
name = "paired"
kind = "decoy"
count = 1
launch = { lat = 51.80, lon = 23.675, radius_km = 0 }
targets = ["EPLB"]
route_jitter_km = 0
altitude_m = [150, 150]
rcs_m2 = [0.1, 0.1]

[[drones]]
name = "single"
kind = "decoy"
count = 1
launch = { lat = 52.00, lon = 23.80, radius_km = 0 }
targets = ["EPLB"]
route_jitter_km = 0
altitude_m = [150, 150]
rcs_m2 = [0.1, 0.1]

[[drones]]
name = "unseen"
kind = "decoy"
count = 1
launch = { lat = 52.30, lon = 23.80, radius_km = 0 }
targets = ["EPLB"]
route_jitter_km = 0
altitude_m = [150, 150]
rcs_m2 = [0.1, 0.1]

[[birds]]
region = { lat_min = 51.0, lat_max = 52.0, lon_min = 22.0, lon_max = 23.0 }
flocks = 5
"""
# Two acoustic nodes 1.5 km either side of the "paired" decoy's path where it crosses the
# border (bearings from two sensors triangulate into a track); one on the "single" decoy's
# path 1 km inside (bearings from one sensor never make a fix); none near the "unseen" one.
LAYDOWN = Laydown(
    "three-nodes",
    ("paired-north", "paired-south", "single"),
    ("acoustic-node",) * 3,
    np.array([51.733, 51.713, 51.847]),
    np.array([23.534, 23.564, 23.581]),
)

KIND = {
    "radar": SensorKind.RADAR,
    "acoustic": SensorKind.ACOUSTIC,
    "eoir": SensorKind.EOIR,
    "rf": SensorKind.RF,
}


def test_every_planning_type_maps_to_a_simulator_model_of_its_kind() -> None:
    for sensor_type in load_catalogue().types.values():
        model = SENSOR_MODELS[sensor_type.sim_model]
        assert model.kind is KIND[sensor_type.sensor_class.value]
        assert set(sim_params(sensor_type)) <= {f for f in model.__dataclass_fields__}


def test_laydown_replaces_the_raid_sensors_and_background() -> None:
    raid = parse_scenario(RAID)
    lay = Laydown("l", ("r",), ("cuas-radar",), np.array([51.8]), np.array([23.3]))
    scenario = with_laydown(raid, lay, load_catalogue())
    assert [s.model for s in scenario.sensor] == ["cuas-radar"]
    assert scenario.sensor[0].params["range_pd50_m"] == 9000
    assert scenario.birds == [] and scenario.drones == raid.drones


@dataclass
class Recording:
    """The real tracker, recording per drone what it and the stand-in found, and detection."""

    description: str = REAL_TRACKER.description
    stand_in: bool = False
    runs: list[dict[str, dict[str, float]]] = field(default_factory=list)

    def __call__(self, run: RunReports, sensors: SensorArray) -> Mapping[int, float]:
        found = REAL_TRACKER(run, sensors)
        name = _names(run)
        seen = {
            "detected": first_report_by_object(run),
            "tracked": found,
            "stand-in": reports_in_window_stand_in(run, sensors),
        }
        self.runs.append({what: {name[o]: t for o, t in got.items()} for what, got in seen.items()})
        return found


def _names(run: RunReports) -> dict[int, str]:
    """Each decoy's group, from where it was first seen in truth."""
    first = np.unique(run.truth.object_id, return_index=True)
    return {
        int(obj): min(LAUNCH_LAT, key=lambda n: abs(LAUNCH_LAT[n] - run.truth.lat[row]))
        for obj, row in zip(*first, strict=True)
    }


@pytest.fixture(scope="module")
def proof() -> tuple[ProveResult, dict[str, dict[str, float]]]:
    world = load_world()
    geometry = resolve(border_area(["POL-BLR"]), world)
    recording = Recording()
    result = prove(
        parse_scenario(RAID),
        world,
        LAYDOWN,
        load_catalogue(),
        geometry,
        seeds=[1],
        tracker=recording,
    )
    return result, recording.runs[0]


def test_a_drone_no_sensor_sees_is_neither_detected_nor_tracked(
    proof: tuple[ProveResult, dict[str, dict[str, float]]],
) -> None:
    _, seen = proof
    assert all("unseen" not in found for found in seen.values())


def test_the_real_tracker_never_tracks_a_drone_before_detecting_it(
    proof: tuple[ProveResult, dict[str, dict[str, float]]],
) -> None:
    result, seen = proof
    assert set(seen["tracked"]) <= set(seen["detected"])
    assert all(t >= seen["detected"][name] for name, t in seen["tracked"].items())
    assert all(r.tracked <= r.detected for r in result.runs)


def test_two_bearing_sensors_track_a_drone_but_one_only_detects_it(
    proof: tuple[ProveResult, dict[str, dict[str, float]]],
) -> None:
    result, seen = proof
    assert set(seen["detected"]) == {"paired", "single"}
    assert set(seen["tracked"]) == {"paired"}
    assert "single" in seen["stand-in"]  # the stand-in rule would have called it tracked
    assert [(r.penetrated, r.detected, r.tracked) for r in result.runs] == [(3, 2, 1)]
    assert result.share("tracked") == pytest.approx(1 / 3)


def test_warning_runs_from_detection_and_from_tracking_to_the_target(
    proof: tuple[ProveResult, dict[str, dict[str, float]]],
) -> None:
    result, _ = proof
    (detected, tracked), *others = result.runs[0].warnings["EPLB"]
    assert not others  # only the "paired" decoy reaches Lublin within the run
    assert detected >= tracked > 10.0


def _result(stand_in: bool) -> ProveResult:
    tracker = reports_in_window_stand_in if stand_in else REAL_TRACKER
    run = RunScore(seed=1, drones=3, penetrated=2, detected=2, tracked=1, warnings={"EPLB": []})
    return ProveResult(10.0, (run,), tracker.description, tracker.stand_in)


@pytest.mark.parametrize("stand_in", [False, True])
def test_the_report_warns_only_when_the_stand_in_is_used(stand_in: bool) -> None:
    page = to_html(_result(stand_in), "l", "raid")
    assert ("STAND-IN" in page) == stand_in
    assert ("measured with the real tracker" in page) == (not stand_in)
    summary = to_json(_result(stand_in), "l", "raid")
    assert summary["tracker_is_stand_in"] == stand_in
    assert ("dronewall.tracking" in summary["tracker"]) == (not stand_in)
