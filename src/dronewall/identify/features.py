"""Kinematic features over each track's history, kept as exponential moving averages so that
memory per track is constant and every update is one vectorised call.

Per track: horizontal speed, height, |climb rate|, |turn rate|, straightness (the length of the
averaged velocity vector over the averaged speed: 1 for a straight flight, near 0 for a
wandering or circling one), hovering (share of time below 2 m/s), and the speed's uncertainty
from the filter's velocity covariance. Features are computed in each track's local ENU frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.tracks import TrackBatch

FloatArray = npt.NDArray[np.float64]
HOVER_SPEED_MPS = 2.0


@dataclass(frozen=True, slots=True)
class Features:
    """Feature values of the tracks of one batch (rows aligned with it)."""

    speed: FloatArray
    speed_sigma: FloatArray
    height: FloatArray
    height_sigma: FloatArray
    climb: FloatArray
    turn_rate: FloatArray  # rad/s
    straightness: FloatArray
    hovering: FloatArray
    age: FloatArray  # seconds since the track started


class FeatureHistory:
    """Moving averages of features per track id, with time constant ``tau_s``."""

    def __init__(self, tau_s: float = 20.0):
        self.tau_s = tau_s
        self._rows: dict[int, int] = {}
        n = 0
        self.t = np.zeros(n)
        self.speed = np.zeros(n)
        self.height = np.zeros(n)
        self.climb = np.zeros(n)
        self.turn = np.zeros(n)
        self.velocity = np.zeros((n, 2))
        self.hover = np.zeros(n)
        self.heading = np.zeros(n)

    def _rows_of(
        self, ids: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        rows = np.empty(ids.size, np.int64)
        new = np.zeros(ids.size, bool)
        for k, i in enumerate(ids.tolist()):
            row = self._rows.get(i)
            if row is None:
                row = len(self._rows)
                self._rows[i] = row
                new[k] = True
            rows[k] = row
        grow = len(self._rows) - self.t.size
        if grow > 0:
            for name in ("t", "speed", "height", "climb", "turn", "hover", "heading"):
                setattr(self, name, np.concatenate([getattr(self, name), np.zeros(grow)]))
            self.velocity = np.concatenate([self.velocity, np.zeros((grow, 2))])
        return rows, new

    def update(self, tracks: TrackBatch) -> Features:
        """Fold one snapshot of tracks into the averages and return their features."""
        rows, new = self._rows_of(tracks.track_id)
        lat, lon, height = ecef_to_geodetic(tracks.state[:, :3])
        rotation = ecef_to_enu_rotation(lat, lon)
        v = np.einsum("nij,nj->ni", rotation, tracks.state[:, 3:])
        cov_v = rotation @ tracks.covariance[:, 3:, 3:] @ np.swapaxes(rotation, -1, -2)
        cov_p = rotation @ tracks.covariance[:, :3, :3] @ np.swapaxes(rotation, -1, -2)
        speed = np.hypot(v[:, 0], v[:, 1])
        heading = np.arctan2(v[:, 0], v[:, 1])
        dt = np.where(new, 0.0, tracks.t - self.t[rows])
        turn = np.where(
            new | (dt <= 0),
            0.0,
            np.abs(np.angle(np.exp(1j * (heading - self.heading[rows])))) / np.maximum(dt, 1e-6),
        )
        alpha = np.where(new, 1.0, 1.0 - np.exp(-np.maximum(dt, 0.0) / self.tau_s))

        def blend(name: str, value: FloatArray) -> FloatArray:
            old = getattr(self, name)[rows]
            mixed = old + alpha * (value - old)
            getattr(self, name)[rows] = mixed
            return np.asarray(mixed, float)

        avg_speed = blend("speed", speed)
        avg_height = blend("height", height)
        avg_climb = blend("climb", np.abs(v[:, 2]))
        avg_turn = blend("turn", turn)
        avg_hover = blend("hover", (speed < HOVER_SPEED_MPS).astype(float))
        old_v = self.velocity[rows]
        self.velocity[rows] = old_v + alpha[:, None] * (v[:, :2] - old_v)
        self.t[rows] = tracks.t
        self.heading[rows] = heading
        straight = np.linalg.norm(self.velocity[rows], axis=1) / np.maximum(avg_speed, 1e-3)
        horizontal_var = np.maximum(cov_v[:, 0, 0] + cov_v[:, 1, 1], 0.0) / 2.0
        return Features(
            speed=avg_speed,
            speed_sigma=np.sqrt(horizontal_var),
            height=avg_height,
            height_sigma=np.sqrt(np.maximum(cov_p[:, 2, 2], 0.0)),
            climb=avg_climb,
            turn_rate=avg_turn,
            straightness=np.clip(straight, 0.0, 1.0),
            hovering=avg_hover,
            age=tracks.t - tracks.t_first,
        )

    def forget(self, keep_ids: npt.NDArray[np.int64]) -> None:
        """Drop tracks that are no longer reported (bounded memory on long runs)."""
        keep = set(keep_ids.tolist())
        old = sorted((r, i) for i, r in self._rows.items() if i in keep)
        idx = np.array([r for r, _ in old], np.int64)
        for name in ("t", "speed", "height", "climb", "turn", "hover", "heading"):
            setattr(self, name, getattr(self, name)[idx])
        self.velocity = self.velocity[idx]
        self._rows = {i: k for k, (_, i) in enumerate(old)}
