"""Shared scenario for the metrics tests: 10 truths, 12 tracks over 30 one-second frames.

Built so that every SIAP term is exercised: a track swap between two parallel truths, a false
track, a broken track (two track numbers on one truth with a gap), a track that drifts off its
truth for two frames and comes back, late starts, a truth that dies early and one born late.
"""

from __future__ import annotations

import numpy as np
import pytest

from dronewall.metrics import Trajectories

N_FRAMES = 30
SEED = 20250101


def _truth_rows() -> list[tuple[float, int, float, float, float, float]]:
    """(t, id, x, y, vx, vy): truths 0-7 a kilometre apart, 8 and 9 parallel 200 m apart."""
    rows = []
    lifetimes = {6: range(0, 20), 7: range(5, N_FRAMES)}
    for truth_id in range(10):
        x0 = 1000.0 * truth_id if truth_id < 9 else 8200.0
        kind = min(truth_id, 8)  # 8 and 9 share a velocity: they stay 200 m apart
        vx, vy = 3.0 * (kind % 3) - 3.0, 20.0 + 2.0 * kind
        for t in lifetimes.get(truth_id, range(N_FRAMES)):
            rows.append((float(t), truth_id, x0 + vx * t, 500.0 + vy * t, vx, vy))
    return rows


# (track id, followed truth, frames): who follows whom, when
FOLLOWERS = [
    (100, 0, range(0, 30)),
    (101, 1, range(1, 30)),
    (102, 2, range(0, 30)),
    (103, 3, range(0, 30)),  # drifts 80 m off at t = 20, 21
    (104, 4, range(3, 27)),
    (105, 5, range(0, 12)),  # broken: 110 takes over after a gap
    (110, 5, range(15, 30)),
    (106, 6, range(2, 20)),
    (107, 7, range(8, 30)),
]
SWAP_AT = 15  # tracks 108 and 109 exchange truths 8 and 9 here


def _track_rows(
    truth: dict[tuple[int, int], tuple[float, float, float, float]], rng: np.random.Generator
) -> list[tuple[float, int, float, float, float, float]]:
    plan = [(track, target, t) for track, target, frames in FOLLOWERS for t in frames]
    plan += [(108, 8 if t < SWAP_AT else 9, t) for t in range(2, N_FRAMES)]
    plan += [(109, 9 if t < SWAP_AT else 8, t) for t in range(2, N_FRAMES)]
    rows = []
    for track, target, t in plan:
        x, y, vx, vy = truth[(target, t)]
        dx, dy = rng.normal(0.0, 6.0, 2)
        if track == 103 and t in (20, 21):
            dx += 80.0
        dvx, dvy = rng.normal(0.0, 1.5, 2)
        rows.append((float(t), track, x + dx, y + dy, vx + dvx, vy + dvy))
    for t in range(10, 26):  # 111: a false track far from everything
        rows.append((float(t), 111, 20000.0 + 15.0 * t, 20000.0, 15.0, 0.0))
    return rows


def _as_trajectories(rows: list[tuple[float, int, float, float, float, float]]) -> Trajectories:
    table = np.array(rows, dtype=float)
    return Trajectories.from_columns(table[:, 0], table[:, 1], table[:, 2:4], table[:, 4:6])


@pytest.fixture(scope="session")
def synthetic_run() -> tuple[Trajectories, Trajectories]:
    """(truth, tracks) of the shared synthetic scenario, seeded."""
    truth_rows = _truth_rows()
    by_key = {(int(r[1]), int(r[0])): (r[2], r[3], r[4], r[5]) for r in truth_rows}
    track_rows = _track_rows(by_key, np.random.default_rng(SEED))
    return _as_trajectories(truth_rows), _as_trajectories(track_rows)
