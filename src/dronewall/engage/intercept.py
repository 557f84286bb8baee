"""Intercept geometry: can effector e reach track t inside its envelope before t reaches its
site — when, where, and with what kill probability? Vectorised over effectors × tracks.

The target flies at constant velocity: ``x(t) = x₀ + v·t``. The effector (interceptor, round,
missile, aircraft) leaves its site ``p`` no earlier than its reaction time ``r`` and flies
straight at ``s``; it can be at the target's position at time ``t`` iff

    |x₀ − p + v·t| ≤ s·(t − r),  t ≥ r                                    (reach)

(a later launch makes up any slack, so "reach by t" and "meet at t" are the same condition).
Squaring gives the classic intercept quadratic (e.g. Isaacs, *Differential Games*, 1965, the
pursuit of a constant-velocity target; any fire-control text):

    (|v|² − s²)·t² + 2·(d·v + s²·r)·t + (|d|² − s²·r²) ≤ 0,   d = x₀ − p.

An engagement is **feasible** at ``t`` when, besides reach, the intercept point lies inside
the envelope — slant range in [min_range, max_range] and height above the site in
[min_altitude, max_altitude] — and ``t`` is no later than the track's time to its site. Each
condition holds on a union of at most two closed intervals of t whose ends are roots of a
quadratic (reach, range) or a linear function (height). So the earliest feasible time is the
earliest of these ≤ 8 ends, ``r`` and the time to site at which every condition holds, and
the latest feasible time is the latest of them (the room a shoot-look-shoot plan has). That
is what :func:`intercept` evaluates, in closed form, for every pair at once. RF effects (speed
``inf``) reach at once: reach is just ``t ≥ r``.

Frames: positions in metres in one local east-north-up frame (``core.geodesy``); heights are
the frame's up coordinate, and the altitude envelope applies to the target's height above the
effector's site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import (
    ecef_to_enu,
    ecef_to_enu_rotation,
    geodetic_to_ecef,
    geodetic_to_enu,
)
from dronewall.engage.effectors import Effector, EffectorCatalogue
from dronewall.engage.laydown import EffectorLaydown

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_ABS_TOL_M = 1e-6  # a root found in floating point may miss its boundary by ~1e-9 of its size
_REL_TOL = 1e-9
# Candidate times beyond this are dropped: no drone flies for 11 days, and squaring such
# times (roots of near-degenerate equations can be ~1e250 s) would overflow.
_HORIZON_S = 1e6


@dataclass(frozen=True, slots=True)
class EffectorGeometry:
    """What the geometry needs of E effector units, as columns."""

    position: FloatArray  # (E, 3) ENU metres
    speed_mps: FloatArray  # (E,), inf for RF
    reaction_s: FloatArray
    min_range_m: FloatArray
    max_range_m: FloatArray
    min_altitude_m: FloatArray
    max_altitude_m: FloatArray
    pk: FloatArray  # (E, 5) single-shot kill probability by ObjectKind value 0..4

    def __len__(self) -> int:
        return int(self.position.shape[0])

    @classmethod
    def of(cls, effectors: Sequence[Effector], position: npt.ArrayLike) -> EffectorGeometry:
        """From catalogue entries (one per unit) and their ENU positions (E, 3)."""

        def column(name: str) -> FloatArray:
            return np.array([getattr(e, name) for e in effectors], dtype=float)

        pk = np.array([[e.pk(kind) for kind in range(5)] for e in effectors], dtype=float)
        return cls(
            np.asarray(position, float).reshape(len(effectors), 3), column("speed_mps"),
            column("reaction_s"), column("min_range_m"), column("max_range_m"),
            column("min_altitude_m"), column("max_altitude_m"), pk.reshape(len(effectors), 5),
        )  # fmt: skip

    @classmethod
    def from_laydown(cls, laydown: EffectorLaydown, catalogue: EffectorCatalogue,
                     ref_lat: float, ref_lon: float, ref_height_m: float = 0.0,
                     ground_height_m: float = 0.0) -> EffectorGeometry:  # fmt: skip
        """One row per laydown site (its ``count`` units share the geometry), placed in the
        ENU frame at (ref_lat, ref_lon, ref_height_m); sites stand at ``ground_height_m``."""
        effectors = laydown.effectors(catalogue)
        heights = np.full(len(laydown), ground_height_m)
        enu = geodetic_to_enu(laydown.lat, laydown.lon, heights, ref_lat, ref_lon, ref_height_m)
        return cls.of(effectors, np.asarray(enu, float).reshape(len(laydown), 3))


@dataclass(frozen=True, slots=True)
class Threats:
    """T tracks flying at constant velocity towards their sites."""

    position: FloatArray  # (T, 3) ENU metres now
    velocity: FloatArray  # (T, 3) m/s
    time_to_site_s: FloatArray  # (T,), inf when no site is threatened
    drone_kind: npt.NDArray[np.int64]  # (T,) ObjectKind value, 0 when not known

    def __len__(self) -> int:
        return int(self.position.shape[0])

    @classmethod
    def from_ecef(cls, state: npt.ArrayLike, time_to_site_s: npt.ArrayLike,
                  drone_kind: npt.ArrayLike, ref_lat: float, ref_lon: float,
                  ref_height_m: float = 0.0) -> Threats:  # fmt: skip
        """From track states as the tracker keeps them (``TrackBatch.state``: (T, 6) ECEF
        position and velocity), in the ENU frame at (ref_lat, ref_lon, ref_height_m)."""
        rows = np.asarray(state, float).reshape(-1, 6)
        ref = geodetic_to_ecef(ref_lat, ref_lon, ref_height_m)
        position = ecef_to_enu(rows[:, :3], ref_lat, ref_lon, ref)
        velocity = rows[:, 3:] @ ecef_to_enu_rotation(ref_lat, ref_lon).T
        n = rows.shape[0]
        return cls(
            position.reshape(n, 3), np.asarray(velocity, float).reshape(n, 3),
            np.broadcast_to(np.asarray(time_to_site_s, float), (n,)).copy(),
            np.broadcast_to(np.asarray(drone_kind, np.int64), (n,)).copy(),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class InterceptSolution:
    """Per effector × track: can it, when (s from now), where (ENU), and P_k of one shot."""

    feasible: BoolArray  # (E, T)
    time_s: FloatArray  # (E, T), inf where not feasible
    last_time_s: FloatArray  # (E, T) latest feasible intercept (room to look and shoot again)
    point: FloatArray  # (E, T, 3) intercept point, NaN where not feasible
    pk: FloatArray  # (E, T) single-shot kill probability, 0 where not feasible


def intercept(effectors: EffectorGeometry, threats: Threats) -> InterceptSolution:
    """The earliest feasible intercept of every track by every effector (module docstring)."""
    d = threats.position[None, :, :] - effectors.position[:, None, :]  # (E, T, 3)
    v = threats.velocity[None, :, :]
    vv = np.einsum("etk,etk->et", v, v)  # (1, T)
    dv = np.einsum("etk,etk->et", d, v)  # (E, T)
    dd = np.einsum("etk,etk->et", d, d)
    s = effectors.speed_mps[:, None]
    r = effectors.reaction_s[:, None]
    dz, vz = d[:, :, 2], v[:, :, 2]
    horizon = np.minimum(threats.time_to_site_s, _HORIZON_S)[None, :]
    candidates = np.stack(
        [*_reach_roots(vv, dv, dd, s, r), *_roots(vv, dv, dd - effectors.max_range_m[:, None] ** 2),
         *_roots(vv, dv, dd - effectors.min_range_m[:, None] ** 2),
         _linear_root(dz, vz, effectors.min_altitude_m[:, None]),
         _linear_root(dz, vz, effectors.max_altitude_m[:, None]),
         np.broadcast_to(r, dd.shape), np.broadcast_to(horizon, dd.shape)]
    )  # fmt: skip
    horizon = horizon[None, :, :]
    in_time = (candidates >= 0) & (candidates <= horizon * (1 + _REL_TOL) + _REL_TOL)
    candidates = np.where(in_time, candidates, np.nan)
    ok = _holds(candidates, effectors, vv, dv, dd, dz, vz)
    time = np.where(ok, candidates, np.inf).min(axis=0)
    feasible = np.isfinite(time)
    time = np.where(feasible, np.maximum(time, r), np.inf)
    last = np.where(feasible, np.where(ok, candidates, -np.inf).max(axis=0), np.inf)
    t_col = np.where(feasible, time, np.nan)[:, :, None]
    point = threats.position[None, :, :] + threats.velocity[None, :, :] * t_col
    kinds = np.clip(threats.drone_kind, 0, 4)
    pk = np.where(feasible, effectors.pk[:, kinds], 0.0)
    return InterceptSolution(feasible, time, last, point, pk)


def _holds(
    t: FloatArray, eff: EffectorGeometry, vv: FloatArray, dv: FloatArray, dd: FloatArray,
    dz: FloatArray, vz: FloatArray,
) -> BoolArray:  # fmt: skip
    """(K, E, T) mask: reach, range and height hold at candidate time t, which ``intercept``
    has already kept within [0, time to site]. Distances are compared squared; the slack
    covers the round-off of a root (relative to the sizes in play). NaN fails every test."""
    r = eff.reaction_s[:, None]
    slack = _ABS_TOL_M + _REL_TOL * (np.sqrt(dd) + eff.max_range_m[:, None])  # (E, T)
    high = (eff.max_range_m[:, None] + slack) ** 2
    low = np.maximum(eff.min_range_m[:, None] - slack, 0.0) ** 2
    ok = t >= r - _REL_TOL * (r + 1.0)
    d2 = dd + t * (2.0 * dv + vv * t)
    ok &= (d2 <= high) & (d2 >= low)
    height = dz + vz * t
    ok &= height >= eff.min_altitude_m[:, None] - slack
    ok &= height <= eff.max_altitude_m[:, None] + slack
    with np.errstate(invalid="ignore", over="ignore"):  # inf speed × 0 s of flight
        reach = eff.speed_mps[:, None] * np.maximum(t - r, 0.0) + slack
        ok &= (d2 <= reach * reach) | np.isinf(eff.speed_mps)[:, None]
    return ok


def _roots(a: FloatArray, half_b: FloatArray, c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Both real roots of a·t² + 2·half_b·t + c = 0 (NaN where none), in the numerically
    stable form (Press et al., *Numerical Recipes* §5.6); a = 0 gives the linear root."""
    a, half_b, c = np.broadcast_arrays(a, half_b, c)
    disc = half_b * half_b - a * c
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        root = np.sqrt(disc)
        q = -(half_b + np.copysign(root, half_b))
        first = np.where(a != 0, q / a, np.nan)
        second = np.where(q != 0, c / q, np.where(a != 0, 0.0, np.nan))
    real = disc >= 0
    return np.where(real, first, np.nan), np.where(real, second, np.nan)


def _reach_roots(vv: FloatArray, dv: FloatArray, dd: FloatArray, s: FloatArray,
                 r: FloatArray) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Roots of the intercept quadratic; for RF (s = inf) reach starts at r."""
    finite = np.isfinite(s)
    s_f = np.where(finite, s, 0.0)
    first, second = _roots(vv - s_f * s_f, dv + s_f * s_f * r, dd - (s_f * r) ** 2)
    at_r = np.broadcast_to(r, first.shape)
    return np.where(finite, first, at_r), np.where(finite, second, at_r)


def _linear_root(z0: FloatArray, vz: FloatArray, level: FloatArray) -> FloatArray:
    """t where z0 + vz·t = level (NaN when vz = 0)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray(np.where(vz != 0, (level - z0) / vz, np.nan), float)
