"""Agreement with Stone Soup 1.9.1's own GOSPAMetric, TrackToTruth and SIAPMetrics.

The same truth and tracks are built as Stone Soup GroundTruthPath / Track objects (state
order x, vx, y, vy; Euclidean measures on (x, y) and (vx, vy), as the shared baseline scorer
does) and scored by Stone Soup's MultiManager. Every figure must agree to 1e-9.

Two kinds of scene: the shared synthetic scenario (swap, false track, broken track, drift) and
seeded "flicker" scenes where tracks with 25 m noise wander among truths 0-150 m apart, so
associations confirm, end and switch often and Stone Soup's counter quirks are exercised. No
scene has a track without a state inside its association: Stone Soup raises there (see
``dronewall.metrics.siap``), and no tie among associations in Stone Soup's NU walk arises.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pytest

from dronewall.metrics import (
    Trajectories,
    associate_tracks_to_truth,
    gospa_run,
    siap_metrics,
)

pytest.importorskip(
    "stonesoup", reason="stonesoup==1.9.1 (dev extra) is the reference implementation"
)

from stonesoup.dataassociator.tracktotrack import TrackToTruth
from stonesoup.measures import Euclidean
from stonesoup.metricgenerator.manager import MultiManager
from stonesoup.metricgenerator.ospametric import GOSPAMetric
from stonesoup.metricgenerator.tracktotruthmetrics import SIAPMetrics
from stonesoup.types.array import StateVector
from stonesoup.types.groundtruth import GroundTruthPath, GroundTruthState
from stonesoup.types.state import State
from stonesoup.types.track import Track

EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
THRESHOLD = 50.0
TOLERANCE = 1e-9
SIAP_TITLES = {
    "completeness": "SIAP Completeness",
    "ambiguity": "SIAP Ambiguity",
    "spuriousness": "SIAP Spuriousness",
    "position_accuracy": "SIAP Position Accuracy",
    "velocity_accuracy": "SIAP Velocity Accuracy",
    "rate_of_track_number_change": "SIAP Rate of Track Number Change",
    "longest_track_segment": "SIAP Longest Track Segment",
}


def _stamp(seconds: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=seconds)


def _stone_soup_paths(trajectories: Trajectories, path_type: Any, state_type: Any) -> list[Any]:
    """One path per id, states in time order, state vector interleaving position and velocity."""
    velocities = trajectories.velocities
    assert velocities is not None
    paths: dict[int, Any] = {}
    for row in np.lexsort((trajectories.times, trajectories.ids)):
        object_id = int(trajectories.ids[row])
        path = paths.setdefault(object_id, path_type(id=str(object_id)))
        vector = np.column_stack([trajectories.positions[row], velocities[row]]).reshape(-1)
        path.append(state_type(StateVector(vector), timestamp=_stamp(trajectories.times[row])))
    return list(paths.values())


def _measures(dimension: int) -> tuple[Any, Any]:
    return (
        Euclidean(mapping=tuple(range(0, 2 * dimension, 2))),
        Euclidean(mapping=tuple(range(1, 2 * dimension, 2))),
    )


def _manager(
    truth: Trajectories, tracks: Trajectories, generator: Any, associator: Any = None
) -> Any:
    manager = MultiManager([generator], associator=associator)
    manager.add_data(
        {
            "groundtruth_paths": _stone_soup_paths(truth, GroundTruthPath, GroundTruthState),
            "tracks": _stone_soup_paths(tracks, Track, State),
        }
    )
    return manager


def _flicker_scene(seed: int) -> tuple[Trajectories, Trajectories]:
    """5 truths 0-150 m apart, 7 tracks following random truths with 25 m noise."""
    rng = np.random.default_rng(seed)
    truth_rows = []
    for truth_id in range(5):
        first, last = int(rng.integers(0, 10)), int(rng.integers(25, 40))
        start, velocity = rng.uniform(0, 150, 2), rng.uniform(-3, 3, 2)
        truth_rows += [
            (t, truth_id, *(start + velocity * t), *velocity) for t in range(first, last)
        ]
    truth = np.array(truth_rows, dtype=float)
    track_rows = []
    for track_number in range(7):
        followed = truth[truth[:, 1] == rng.integers(0, 5)]
        first = int(rng.integers(0, len(followed) // 2))
        last = int(rng.integers(first + 3, len(followed) + 1))
        for row in followed[first:last]:
            noisy = np.concatenate(
                [row[2:4] + rng.normal(0, 25, 2), row[4:6] + rng.normal(0, 1, 2)]
            )
            track_rows.append((row[0], 100 + track_number, *noisy))
    tracks = np.array(track_rows, dtype=float)
    return (
        Trajectories.from_columns(truth[:, 0], truth[:, 1], truth[:, 2:4], truth[:, 4:6]),
        Trajectories.from_columns(tracks[:, 0], tracks[:, 1], tracks[:, 2:4], tracks[:, 4:6]),
    )


@pytest.mark.parametrize(("c", "p"), [(100.0, 1.0), (40.0, 2.0)])
def test_gospa_matches_gospametric_every_frame(
    synthetic_run: tuple[Trajectories, Trajectories], c: float, p: float
) -> None:
    truth, tracks = synthetic_run
    position, _ = _measures(2)
    manager = _manager(truth, tracks, GOSPAMetric(c=c, p=p, measure=position))
    frames = manager.generate_metrics()["gospa_generator"]["GOSPA Metrics"].value
    reference = np.array(
        [[m.value[k] for k in ("distance", "localisation", "missed", "false")] for m in frames]
    )
    run = gospa_run(truth, tracks, c=c, p=p)
    assert [m.timestamp for m in frames] == [_stamp(t) for t in run.times]
    ours = np.column_stack([run.distance, run.localisation, run.missed, run.false])
    np.testing.assert_allclose(ours, reference, rtol=0.0, atol=TOLERANCE)
    assert run.n_missed.sum() > 0 and run.n_false.sum() > 0


def test_gospa_matches_gospametric_in_3d() -> None:
    rng = np.random.default_rng(5)

    def scatter(count: int) -> Trajectories:
        times = rng.integers(0, 3, count).astype(float)
        ids = np.arange(count)
        return Trajectories.from_columns(
            times, ids, rng.uniform(0, 400, (count, 3)), np.zeros((count, 3))
        )

    truth, tracks = scatter(60), scatter(70)
    position, _ = _measures(3)
    manager = _manager(truth, tracks, GOSPAMetric(c=80.0, p=2.0, measure=position))
    frames = manager.generate_metrics()["gospa_generator"]["GOSPA Metrics"].value
    run = gospa_run(truth, tracks, c=80.0, p=2.0)
    assert len(frames) == run.times.size == 3
    for k, metric in enumerate(frames):
        for key in ("distance", "localisation", "missed", "false"):
            assert getattr(run, key)[k] == pytest.approx(metric.value[key], abs=TOLERANCE)


def _stone_soup_siap(
    truth: Trajectories, tracks: Trajectories
) -> tuple[dict[str, float], set[Any]]:
    position, velocity = _measures(truth.dimension)
    manager = _manager(
        truth,
        tracks,
        SIAPMetrics(position_measure=position, velocity_measure=velocity),
        TrackToTruth(association_threshold=THRESHOLD, measure=position),
    )
    metrics = manager.generate_metrics()["siap_generator"]
    values = {name: float(metrics[title].value) for name, title in SIAP_TITLES.items()}
    intervals = set()
    for association in manager.association_set:
        truth_path, track = SIAPMetrics.truth_track_from_association(association)
        time_range = association.time_range
        for part in getattr(time_range, "time_ranges", [time_range]):
            start = (part.start - EPOCH).total_seconds()
            end = (part.end - EPOCH).total_seconds()
            intervals.add((int(track.id), int(truth_path.id), start, end))
    return values, intervals


def _assert_siap_agrees(truth: Trajectories, tracks: Trajectories) -> None:
    reference, reference_intervals = _stone_soup_siap(truth, tracks)
    associations = associate_tracks_to_truth(truth, tracks, association_threshold=THRESHOLD)
    ours_intervals = set(
        zip(
            associations.track_id.tolist(),
            associations.truth_id.tolist(),
            associations.start.tolist(),
            associations.end.tolist(),
            strict=True,
        )
    )
    assert ours_intervals == reference_intervals
    result = siap_metrics(truth, tracks, association_threshold=THRESHOLD)
    for name, value in reference.items():
        assert getattr(result, name) == pytest.approx(value, rel=0.0, abs=TOLERANCE), name
    assert result.n_truths == len(np.unique(truth.ids))
    assert result.n_tracks == len(np.unique(tracks.ids))


def test_siap_matches_siapmetrics_on_the_synthetic_scenario(
    synthetic_run: tuple[Trajectories, Trajectories],
) -> None:
    truth, tracks = synthetic_run
    _assert_siap_agrees(truth, tracks)
    result = siap_metrics(truth, tracks)
    assert result.rate_of_track_number_change > 0.0 and result.spuriousness > 0.0


@pytest.mark.parametrize("seed", range(8))
def test_siap_matches_siapmetrics_on_flicker_scenes(seed: int) -> None:
    _assert_siap_agrees(*_flicker_scene(seed))
