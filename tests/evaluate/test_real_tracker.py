"""Scoring the real tracker's confirmed tracks against truth: interpolated truth, nearest truth
within the association distance, first time known."""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import TrackBatch
from dronewall.evaluate import ASSOCIATION_DISTANCE_M, REAL_TRACKER, RealTracker
from dronewall.evaluate.real_tracker import TruthPositions, first_held
from dronewall.sim.engine import TruthRows

LAT, LON, ALT = 51.7, 23.5, 150.0
METRES_PER_DEG_LAT = 111_250.0  # near 51.7° N, good to 0.1 %


def _truth(rows: list[tuple[float, int, float]]) -> TruthPositions:
    """(time, object, metres north of the reference point) rows."""
    t, obj, north = (np.array(c) for c in zip(*rows, strict=True))
    n = t.size
    lat = LAT + north / METRES_PER_DEG_LAT
    return TruthPositions.from_truth(
        TruthRows(t, obj.astype(np.int32), lat, np.full(n, LON), np.full(n, ALT), np.zeros((n, 3)))
    )


def _tracks(*north_m: float) -> TrackBatch:
    """Confirmed tracks at these metres north of the reference point; other columns zero."""
    empty = TrackBatch.empty()
    columns = {
        name: np.zeros((len(north_m), *getattr(empty, name).shape[1:]), getattr(empty, name).dtype)
        for name in TrackBatch.column_names()
    }
    lat = LAT + np.asarray(north_m) / METRES_PER_DEG_LAT
    columns["state"][:, :3] = geodetic_to_ecef(lat, LON, ALT)
    return TrackBatch(**columns)


def test_truth_is_interpolated_between_recorded_instants() -> None:
    truth = _truth([(0.0, 1, 0.0), (0.0, 2, 0.0), (5.0, 1, 1000.0)])
    objects, positions = truth.at(2.0)
    assert objects.tolist() == [1]  # object 2 was not recorded at 5 s: gone
    expected = geodetic_to_ecef(LAT + 400.0 / METRES_PER_DEG_LAT, LON, ALT)
    assert np.linalg.norm(positions[0] - expected) < 1.0
    assert truth.at(0.0)[0].tolist() == [1, 2]
    assert truth.at(5.0)[0].tolist() == [1]
    assert truth.at(-1.0)[0].size == 0 and truth.at(5.5)[0].size == 0


def test_a_track_holds_the_nearest_drone_within_the_association_distance() -> None:
    drones = ((1, 0.0), (2, 3000.0))  # (object, metres north at t = 0), flying north at 50 m/s
    truth = _truth([(t, obj, north + 50.0 * t) for t in (0.0, 10.0) for obj, north in drones])
    pictures = iter(
        [
            (0.0, 2.5, _tracks(1500.0)),  # 1.5 km from both: holds neither
            (5.0, 7.5, _tracks(250.0 + 600.0)),  # 600 m from drone 1
            (6.0, 8.5, _tracks(300.0, 3300.0)),  # both; drone 1 already held
        ]
    )
    assert first_held(pictures, truth, ASSOCIATION_DISTANCE_M) == {1: 7.5, 2: 8.5}


def test_one_track_between_two_close_drones_holds_only_the_nearer() -> None:
    truth = _truth([(0.0, 1, 0.0), (0.0, 2, 400.0)])
    found = first_held(iter([(0.0, 1.0, _tracks(100.0))]), truth, ASSOCIATION_DISTANCE_M)
    assert found == {1: 1.0}


@pytest.mark.parametrize("distance_m", [500.0, 2000.0])
def test_the_association_distance_is_a_parameter(distance_m: float) -> None:
    truth = _truth([(0.0, 1, 0.0)])
    found = first_held(iter([(0.0, 1.0, _tracks(1000.0))]), truth, distance_m)
    assert found == ({1: 1.0} if distance_m > 1000.0 else {})


def test_the_real_tracker_is_the_default_and_says_so() -> None:
    assert RealTracker() == REAL_TRACKER and not REAL_TRACKER.stand_in
    assert "dronewall.tracking" in REAL_TRACKER.description
    assert "1 km" in REAL_TRACKER.description
