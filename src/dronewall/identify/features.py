"""Kinematic features over each track's history, kept as exponential moving averages so that
memory per track is constant and every update is one vectorised call.

Per track: horizontal speed, height above ground (``world.terrain``: ground height above the
ellipsoid, which tracks' heights are; above the ellipsoid if the terrain grids are not
installed), |climb rate|, |turn rate|, straightness (the length of the
averaged velocity vector over the averaged speed: 1 for a straight flight, near 0 for a
wandering or circling one; also over two minutes, ``route_straightness``: 1 for a drone
flying its route, lower for an aircraft flying circuits or orbiting), hovering (share of
time below 2 m/s), and the uncertainty of the averaged speed and height. Features are
computed in each track's local ENU frame.

Speed and height are averaged with weights 1/σ² from the filter's covariance, so the first,
poorly known seconds of a track (a two-point start can be off by tens of m/s) do not hold the
average for a whole time constant. The uncertainty of an average of filter estimates is smaller
than that of one estimate, but not by √N: a tracking filter's errors are correlated over a few
updates. For errors with correlation time τ_c averaged over a window w the variance shrinks by
τ_c / (w + τ_c) (first-order low-pass of a first-order Gauss–Markov process); w is the track's
age up to the time constant.

A track's history starts again (as if the track were new) when it adopts a new cooperative
identity or its speed jumps by more than any aircraft or drone accelerates
(``JUMP_SPEED_MPS`` + ``MAX_ACCELERATION_MPS2`` per second, beyond 4 σ of the filter's speed):
a drone's track that jumps onto an aircraft, or onto a ghost beside one, does not keep the
drone's averages.

The share of a track's recent updates that came from RF detectors is averaged the same way over
a longer time constant (``rf_tau_s``, ``RF_TIME_CONSTANT_S``): an emitter is heard for as long
as it is in range of a detector, while a bird takes stray bearings only while it sits on a
drone's ray, and a track that has swapped from a drone to a bird should lose the drone's
emission. Two more RF features use the tracker's count of the RF stations that heard the track
(``TrackBatch.rf_stations``): the share of those recent RF updates taken while two or more
stations heard it (their bearings cross at the track), and the duty — RF updates per DF period
per station heard, over a minute (an emitter in range is reported on most periods; a track
near where rays towards different emitters happen to cross takes a bearing now and then).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.tracks import TrackBatch
from dronewall.core.types import SensorKind
from dronewall.identify.models import HEIGHT_UNKNOWN_SIGMA_M
from dronewall.world.terrain import TerrainDataMissingError, ground_height_m

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
HOVER_SPEED_MPS = 2.0
# A 1 Hz tracking filter's velocity error decorrelates within a few updates (the closed-loop
# time constant of an α–β filter is about T/√β, 2–3 s for β = 0.1–0.3); 5 s is on the safe
# side, so averages are given at most √(5 / 25) ≈ 0.45 of one estimate's σ at τ = 20 s.
ERROR_CORRELATION_S = 5.0
# Floors on the weights' σ: a cooperative report (ADS-B) can make the filter very sure, and
# one such second should not outweigh the rest of the window.
SPEED_SIGMA_FLOOR_MPS = 0.5
HEIGHT_SIGMA_FLOOR_M = 5.0
# Five minutes: an emitter is heard for as long as it is in range of a DF station (minutes to
# hours for a drone over a site, with gaps as it turns or dips behind a building), while a
# bird stays on the ray from one station to a moving drone for a minute or two; over five
# minutes such an episode is a small share of the track's updates.
RF_TIME_CONSTANT_S = 300.0
# A DF station reports an emitter in its range every period (1 s) it detects it; the duty — RF
# updates per second per station heard — is averaged over a minute, the tracker's window for
# counting the stations (``TrackerConfig.rf_station_window_s``).
RF_DUTY_TIME_CONSTANT_S = 60.0
DF_PERIOD_S = 1.0
# A speed change per snapshot beyond JUMP_SPEED_MPS + MAX_ACCELERATION_MPS2 · Δt (and beyond
# 4 σ of the filter's speed) is no flight but a track that moved to another object: light
# aircraft and helicopters accelerate under 3 m/s², a quadcopter's dash about 5 m/s²; 25 m/s
# is well above what a 1 Hz filter's speed does between two updates on one object.
# Two minutes: an airfield circuit (legs of 1–2 min, 3–6°/s turns) or an orbit turns the
# velocity by well over 90° in this time; a strike drone's route legs last tens of kilometres.
ROUTE_TIME_CONSTANT_S = 120.0
JUMP_SPEED_MPS = 25.0
MAX_ACCELERATION_MPS2 = 5.0
_SCALARS = (
    "t",
    "t_start",  # when the history started: the track's start, or its last reset
    "last_speed",
    "speed_route",  # speed averaged over ROUTE_TIME_CONSTANT_S
    "identity",  # CRC-32 of the cooperative identity at the last snapshot (0: none)
    "samples",  # decayed sums (see ``_accumulate``) of 1, w and w·x for speed and height
    "w_speed",
    "speed",
    "w_height",
    "height",
    "climb",
    "turn",
    "hover",
    "heading",
    "updates_seen",  # the track's update counts at its last snapshot
    "rf_seen",
    "updates_recent",  # decayed sums of new updates per snapshot
    "rf_recent",
    "rf_crossed",  # … of new RF updates taken while two or more RF stations heard the track
    "rf_duty_heard",  # decayed sums (``RF_DUTY_TIME_CONSTANT_S``) of new RF updates …
    "rf_duty_periods",  # … and of station-seconds (stations heard × seconds)
)


@dataclass(frozen=True, slots=True)
class Features:
    """Feature values of the tracks of one batch (rows aligned with it)."""

    speed: FloatArray
    speed_sigma: FloatArray  # of the averaged speed
    height: FloatArray
    height_sigma: FloatArray  # of the averaged height
    climb: FloatArray
    turn_rate: FloatArray  # rad/s
    straightness: FloatArray
    route_straightness: FloatArray  # the same over ROUTE_TIME_CONSTANT_S
    hovering: FloatArray
    age: FloatArray  # seconds of history: since the track started, or its history was reset
    height_known: npt.NDArray[np.bool_]  # vertical σ of the filter under HEIGHT_UNKNOWN_SIGMA_M
    reset: npt.NDArray[np.bool_]  # the history started again at this snapshot
    rf_share: FloatArray  # share of recent updates from RF detectors
    rf_crossed: FloatArray  # share of those RF updates heard by two or more RF stations
    rf_duty: FloatArray  # RF updates per DF period per station heard, over the last minute


class FeatureHistory:
    """Moving averages of features per track id, with time constant ``tau_s``."""

    def __init__(self, tau_s: float = 20.0, rf_tau_s: float = RF_TIME_CONSTANT_S):
        self.tau_s = tau_s
        self.rf_tau_s = rf_tau_s
        self._rows: dict[int, int] = {}
        self._columns: dict[str, FloatArray] = {name: np.zeros(0) for name in _SCALARS}
        self.velocity = np.zeros((0, 4))  # averaged east, north velocity: τ, then the route's

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
        grow = len(self._rows) - self._columns["t"].size
        if grow > 0:
            for name, values in self._columns.items():
                self._columns[name] = np.concatenate([values, np.zeros(grow)])
            self.velocity = np.concatenate([self.velocity, np.zeros((grow, 4))])
        return rows, new

    def update(self, tracks: TrackBatch) -> Features:
        """Fold one snapshot of tracks into the averages and return their features."""
        rows, new = self._rows_of(tracks.track_id)
        col = self._columns
        lat, lon, height = ecef_to_geodetic(tracks.state[:, :3])
        height = height - ground(lat, lon)
        rotation = ecef_to_enu_rotation(lat, lon)
        v = np.einsum("nij,nj->ni", rotation, tracks.state[:, 3:])
        cov_v = rotation @ tracks.covariance[:, 3:, 3:] @ np.swapaxes(rotation, -1, -2)
        cov_p = rotation @ tracks.covariance[:, :3, :3] @ np.swapaxes(rotation, -1, -2)
        speed_var = np.maximum(cov_v[:, 0, 0] + cov_v[:, 1, 1], 0.0) / 2.0  # per axis
        height_var = np.maximum(cov_p[:, 2, 2], 0.0)
        speed = np.hypot(v[:, 0], v[:, 1])
        heading = np.arctan2(v[:, 0], v[:, 1])
        reset = self._jumped(tracks, rows, new, speed, speed_var)
        fresh = new | reset
        col["t_start"][rows] = np.where(
            fresh, np.where(new, tracks.t_first, tracks.t), col["t_start"][rows]
        )
        since = np.where(new, 0.0, tracks.t - col["t"][rows])  # since the last snapshot
        dt = np.where(fresh, 0.0, since)
        turn = np.where(
            fresh | (dt <= 0),
            0.0,
            np.abs(np.angle(np.exp(1j * (heading - col["heading"][rows])))) / np.maximum(dt, 1e-6),
        )
        alpha = np.where(fresh, 1.0, 1.0 - np.exp(-np.maximum(dt, 0.0) / self.tau_s))

        def blend(name: str, value: FloatArray) -> FloatArray:
            old = col[name][rows]
            mixed = old + alpha * (value - old)
            col[name][rows] = mixed
            return np.asarray(mixed, float)

        w_speed = 1.0 / (speed_var + SPEED_SIGMA_FLOOR_MPS**2)
        w_height = 1.0 / (height_var + HEIGHT_SIGMA_FLOOR_M**2)
        decay = np.where(fresh, 0.0, np.exp(-np.maximum(dt, 0.0) / self.tau_s))
        samples = self._accumulate("samples", rows, decay, np.ones(len(tracks)))
        sum_w_speed = self._accumulate("w_speed", rows, decay, w_speed)
        avg_speed = self._accumulate("speed", rows, decay, w_speed * speed) / sum_w_speed
        sum_w_height = self._accumulate("w_height", rows, decay, w_height)
        avg_height = self._accumulate("height", rows, decay, w_height * height) / sum_w_height
        avg_climb = blend("climb", np.abs(v[:, 2]))
        avg_turn = blend("turn", turn)
        avg_hover = blend("hover", (speed < HOVER_SPEED_MPS).astype(float))
        route = np.where(fresh, 1.0, 1.0 - np.exp(-np.maximum(dt, 0.0) / ROUTE_TIME_CONSTANT_S))
        old_v = self.velocity[rows]
        mix = np.concatenate([np.repeat(alpha[:, None], 2, 1), np.repeat(route[:, None], 2, 1)], 1)
        self.velocity[rows] = old_v + mix * (np.concatenate([v[:, :2], v[:, :2]], 1) - old_v)
        old_route_speed = col["speed_route"][rows]
        route_speed = old_route_speed + route * (speed - old_route_speed)
        col["speed_route"][rows] = route_speed
        col["t"][rows] = tracks.t
        col["heading"][rows] = heading
        straight = np.linalg.norm(self.velocity[rows, :2], axis=1) / np.maximum(avg_speed, 1e-3)
        on_route = np.linalg.norm(self.velocity[rows, 2:], axis=1) / np.maximum(route_speed, 1e-3)
        col["last_speed"][rows] = speed
        age = tracks.t - np.maximum(col["t_start"][rows], tracks.t_first)
        rf_share, rf_crossed, rf_duty = self._rf_share(tracks, rows, new, reset, since)
        shrink = averaging_shrink(age, self.tau_s)
        return Features(
            speed=avg_speed,
            speed_sigma=shrink * np.sqrt(samples / sum_w_speed),
            height=avg_height,
            height_sigma=shrink * np.sqrt(samples / sum_w_height),
            climb=avg_climb,
            turn_rate=avg_turn,
            straightness=np.clip(straight, 0.0, 1.0),
            route_straightness=np.clip(on_route, 0.0, 1.0),
            hovering=avg_hover,
            age=age,
            height_known=np.sqrt(height_var) <= HEIGHT_UNKNOWN_SIGMA_M,
            reset=reset,
            rf_share=rf_share,
            rf_crossed=rf_crossed,
            rf_duty=rf_duty,
        )

    def _rf_share(
        self,
        tracks: TrackBatch,
        rows: npt.NDArray[np.int64],
        new: npt.NDArray[np.bool_],
        reset: npt.NDArray[np.bool_],
        dt: FloatArray,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(share of recent updates from RF detectors, share of those recent RF updates taken
        while two or more RF stations heard the track, RF updates per DF period per station
        heard over the last minute). A reset history keeps only the updates since the last
        snapshot."""
        col = self._columns
        updates = tracks.n_updates.astype(float)
        rf = tracks.kind_updates[:, int(SensorKind.RF)].astype(float)
        fresh_updates = np.maximum(updates - np.where(new, 0.0, col["updates_seen"][rows]), 0.0)
        fresh_rf = np.maximum(rf - np.where(new, 0.0, col["rf_seen"][rows]), 0.0)
        decay = np.where(new | reset, 0.0, np.exp(-np.maximum(dt, 0.0) / self.rf_tau_s))
        recent = self._accumulate("updates_recent", rows, decay, fresh_updates)
        recent_rf = self._accumulate("rf_recent", rows, decay, fresh_rf)
        crossed = self._accumulate("rf_crossed", rows, decay, fresh_rf * (tracks.rf_stations >= 2))
        # A new track's RF updates so far came over its age; later ones over the time since
        # the last snapshot.
        seconds = np.maximum(np.where(new, tracks.t - tracks.t_first, dt), DF_PERIOD_S)
        duty_decay = np.where(
            new | reset, 0.0, np.exp(-np.maximum(dt, 0.0) / RF_DUTY_TIME_CONSTANT_S)
        )
        heard = self._accumulate("rf_duty_heard", rows, duty_decay, fresh_rf)
        periods = self._accumulate(
            "rf_duty_periods", rows, duty_decay, tracks.rf_stations * seconds / DF_PERIOD_S
        )
        col["updates_seen"][rows] = updates
        col["rf_seen"][rows] = rf
        share = np.clip(recent_rf / np.maximum(recent, 1e-9), 0.0, 1.0)
        crossed_share = np.clip(crossed / np.maximum(recent_rf, 1e-9), 0.0, 1.0)
        duty = np.clip(heard / np.maximum(periods, 1e-9), 0.0, 1.0)
        return np.asarray(share, float), np.asarray(crossed_share, float), np.asarray(duty, float)

    def _jumped(
        self,
        tracks: TrackBatch,
        rows: npt.NDArray[np.int64],
        new: npt.NDArray[np.bool_],
        speed: FloatArray,
        speed_var: FloatArray,
    ) -> npt.NDArray[np.bool_]:
        """Tracks whose history must start again: a new cooperative identity, or a speed jump
        no aircraft or drone flies (module docstring). Records each track's identity."""
        col = self._columns
        identity = np.array(
            [zlib.crc32(i.upper().encode()) if i else 0 for i in tracks.identity.tolist()], float
        )
        adopted = (identity != 0) & (identity != col["identity"][rows])
        col["identity"][rows] = identity
        dt = np.maximum(tracks.t - col["t"][rows], 0.0)
        limit = JUMP_SPEED_MPS + MAX_ACCELERATION_MPS2 * dt + 4.0 * np.sqrt(speed_var)
        jumped = np.abs(speed - col["last_speed"][rows]) > limit
        return np.asarray(~new & (adopted | jumped), bool)

    def _accumulate(
        self, name: str, rows: npt.NDArray[np.int64], decay: FloatArray, value: FloatArray
    ) -> FloatArray:
        """Exponentially decayed sum S ← S·e^(−Δt/τ) + x. A ratio of two such sums is an
        average in which every sample of the same age weighs the same — unlike a moving
        average started at the first sample, which gives that sample τ/Δt times the weight."""
        column = self._columns[name]
        column[rows] = column[rows] * decay + value
        return np.asarray(column[rows], float)

    def forget(self, keep_ids: npt.NDArray[np.int64]) -> None:
        """Drop tracks that are no longer reported (bounded memory on long runs)."""
        keep = set(keep_ids.tolist())
        old = sorted((r, i) for i, r in self._rows.items() if i in keep)
        idx = np.array([r for r, _ in old], np.int64)
        self._columns = {name: values[idx] for name, values in self._columns.items()}
        self.velocity = self.velocity[idx]
        self._rows = {i: k for k, (_, i) in enumerate(old)}


def ground(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Ground height above the ellipsoid (``world.terrain``), or 0 when its grids are not
    installed (heights are then above the ellipsoid, as before terrain; logged once)."""
    global _TERRAIN_MISSING
    if _TERRAIN_MISSING:
        return np.zeros_like(lat)
    try:
        return np.asarray(ground_height_m(lat, lon), float)
    except TerrainDataMissingError as exc:
        _TERRAIN_MISSING = True
        log.warning("heights judged above the ellipsoid, not the ground: %s", exc)
        return np.zeros_like(lat)


_TERRAIN_MISSING = False


def averaging_shrink(age_s: FloatArray, tau_s: float) -> FloatArray:
    """Factor on σ for an average of correlated filter errors over min(age, τ) seconds."""
    window = np.clip(age_s, 0.0, tau_s)
    return np.asarray(np.sqrt(ERROR_CORRELATION_S / (window + ERROR_CORRELATION_S)), float)
