"""Track existence: the score, the clutter map, confirmation and deletion by it."""

from __future__ import annotations

import dataclasses

import numpy as np

from dronewall.core.tracks import DEFAULT_PD, SensorGeometry, TrackStatus
from dronewall.core.types import SensorKind
from dronewall.records.stonesoup_csv import PlanarDetections, planar_reports, planar_sensor
from dronewall.runtime.offline import STONESOUP_CONFIG
from dronewall.tracking import Tracker, TrackerConfig
from dronewall.tracking.existence import thresholds

SIGMA_M = 10.0


def _scan(x: np.ndarray, y: np.ndarray, k: int) -> PlanarDetections:
    n = x.size
    return PlanarDetections(
        np.full(n, k, np.int64), np.full(n, float(k)), np.asarray(x, float), np.asarray(y, float)
    )


def _feed(tracker: Tracker, scans: list[PlanarDetections]) -> list[int]:
    confirmed = []
    for d in scans:
        tracker.process(planar_reports(d, np.arange(d.scan.size), SIGMA_M))
        confirmed.append(len(tracker.tracks()))
    return confirmed


def _clutter(rng: np.random.Generator, k: int, n: int, side: float) -> PlanarDetections:
    return _scan(rng.uniform(0, side, n), rng.uniform(0, side, n), k)


def test_clutter_confirms_far_fewer_tracks_by_score_than_by_count() -> None:
    """Dense uniform clutter (30 per km² per scan): counting three hits confirms tracks
    that chain clutter; the score, against the clutter density it learns, confirms few."""
    rng = np.random.default_rng(5)
    scans = [_clutter(rng, k, 750, 5_000.0) for k in range(30)]
    by_count = Tracker(planar_sensor(), dataclasses.replace(STONESOUP_CONFIG, existence=False))
    by_score = Tracker(planar_sensor(), STONESOUP_CONFIG)
    _feed(by_count, scans)
    _feed(by_score, scans)
    assert by_count.stats.tracks_confirmed > 20
    assert by_score.stats.tracks_confirmed < 0.2 * by_count.stats.tracks_confirmed


def test_a_real_target_in_clutter_is_confirmed_and_kept() -> None:
    rng = np.random.default_rng(6)
    scans = []
    for k in range(20):
        c = _clutter(rng, k, 200, 5_000.0)
        x = np.r_[c.x, 1_000.0 + 30.0 * k + rng.normal(0, SIGMA_M)]
        y = np.r_[c.y, 2_000.0 + rng.normal(0, SIGMA_M)]
        scans.append(_scan(x, y, k))
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    _feed(tracker, scans)
    tracks = tracker.tracks()
    near = np.flatnonzero(tracks.existence > 0.99)
    assert near.size >= 1
    assert tracks.existence.min() >= 0.0 and tracks.existence.max() <= 1.0


def test_the_clutter_map_learns_a_stationary_clutter_patch() -> None:
    """A 'wind farm' cell that gives plots every scan: its density rises far above the rest."""
    rng = np.random.default_rng(7)
    scans = []
    for k in range(40):
        c = _clutter(rng, k, 20, 20_000.0)
        farm = 10_000.0 + rng.uniform(0, 500.0, (5, 2))
        scans.append(_scan(np.r_[c.x, farm[:, 0]], np.r_[c.y, farm[:, 1]], k))
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    _feed(tracker, scans)
    cmap = tracker.scorer.map
    now = 39.0 + float(planar_reports(scans[0], np.arange(1), SIGMA_M).t_measured[0])
    densities = cmap.count * np.exp(-(now - cmap.t) / cmap.memory_s)
    assert densities.max() > 20 * np.median(densities)


def test_misses_count_only_when_the_covering_sensor_reported() -> None:
    config = dataclasses.replace(STONESOUP_CONFIG, confirm_hits=2)
    tracker = Tracker(planar_sensor(), config)
    _feed(tracker, [_scan(np.array([1_000.0 + 30 * k]), np.array([500.0]), k) for k in range(3)])
    before = float(tracker.store.score[0])
    tracker.advance(float(tracker.now) + 1.0)  # time passes, no report: no miss
    assert float(tracker.store.score[0]) == before
    _feed(tracker, [_scan(np.array([4_000.0]), np.array([4_000.0]), 4)])  # elsewhere: a miss
    pd = float(tracker.sensors.pd[0])
    assert np.isclose(float(tracker.store.score[0]), before + np.log(1 - pd))


def test_sprt_thresholds_and_sensor_defaults() -> None:
    confirm, delete = thresholds(TrackerConfig())
    assert confirm > 0 > delete
    s = planar_sensor()
    assert s.pd[0] == DEFAULT_PD[int(SensorKind.RADAR)]
    declared = SensorGeometry(
        s.sensor_id, s.kind, s.lat_deg, s.lon_deg, s.alt_m, s.ecef, s.max_range_m,
        pd=np.array([0.5]),
    )  # fmt: skip
    assert declared.pd[0] == 0.5 and declared.clutter_density[0] == s.clutter_density[0]


def test_a_track_whose_object_vanished_ends_after_three_misses() -> None:
    tracker = Tracker(planar_sensor(), STONESOUP_CONFIG)
    _feed(tracker, [_scan(np.array([1_000.0 + 30 * k]), np.array([500.0]), k) for k in range(4)])
    assert (tracker.store.status == TrackStatus.CONFIRMED).all()
    # the object vanishes while the sensor keeps reporting elsewhere: three misses end it
    _feed(tracker, [_scan(np.array([9_000.0]), np.array([9_000.0]), k) for k in range(4, 7)])
    assert not (tracker.store.track_id == 1).any()
