"""The IMM's fast turn models hold a thermalling glider (circling at ~18°/s), which the
gentle ±4°/s models alone track with far larger errors."""

from __future__ import annotations

import numpy as np

from dronewall.records.stonesoup_csv import (
    PlanarDetections,
    planar_reports,
    planar_sensor,
    planar_tracks,
)
from dronewall.tracking import Tracker, TrackerConfig

SPEED_MPS, RATE_DEG_S, SIGMA_M, SCANS = 25.0, 18.0, 10.0, 120


def _circling(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(SCANS, dtype=float)
    w = np.radians(RATE_DEG_S)
    r = SPEED_MPS / w
    truth = np.column_stack([5_000.0 + r * np.cos(w * t), 5_000.0 + r * np.sin(w * t)])
    return truth, truth + rng.normal(0, SIGMA_M, truth.shape)


def _errors(config: TrackerConfig) -> tuple[np.ndarray, set[int]]:
    truth, z = _circling(np.random.default_rng(3))
    k = np.arange(SCANS)
    dets = PlanarDetections(k, k.astype(float), z[:, 0].copy(), z[:, 1].copy())
    tracker = Tracker(planar_sensor(), config)
    errors, ids = [], set()
    for i in range(SCANS):
        tracker.process(planar_reports(dets, np.array([i]), SIGMA_M))
        tracks = tracker.tracks()
        if i >= 10 and len(tracks):
            pos, _ = planar_tracks(tracks)
            d = np.linalg.norm(pos - truth[i], axis=1)
            errors.append(float(d.min()))
            ids.add(int(tracks.track_id[int(np.argmin(d))]))
        elif i >= 10:
            errors.append(np.inf)
    return np.array(errors), ids


def test_fast_turn_models_hold_a_thermalling_glider() -> None:
    base = TrackerConfig(reorder_window_s=0.0)
    fast, fast_ids = _errors(base)
    slow, _ = _errors(TrackerConfig(reorder_window_s=0.0, fast_turn_rate_deg_s=0.0))
    assert np.isfinite(fast).all() and len(fast_ids) == 1  # one track all the way round
    rms_fast = float(np.sqrt(np.mean(fast**2)))
    rms_slow = float(np.sqrt(np.mean(np.where(np.isfinite(slow), slow, 1e3) ** 2)))
    assert rms_fast < 0.8 * rms_slow, (rms_fast, rms_slow)
