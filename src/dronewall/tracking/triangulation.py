"""Position fixes from bearings of several sensors — how a drone heard only by cheap acoustic
nodes or RF direction finders gets a track.

Pairs of bearings from different sensors, close in time, are intersected in the horizontal
plane of the first sensor; a pair is kept when the rays cross in front of both sensors, within
their range, at a usable angle. Fixes are taken greedily, best crossing angle first, each
bearing used once; further bearings whose rays pass close to a fix join it. Each fix is then
refined by Gauss–Newton least squares over all its bearings (azimuths, and elevations where
measured; otherwise a prior on height so weak that the height stays unknown: σ 1 km), which
also gives its covariance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.models.measurement import angle_difference_deg, bearing_jacobian, bearing_measure

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MIN_CROSSING_DEG = 12.0  # shallower crossings give fixes too long along the rays to be useful
# When no bearing measures elevation the height is unknown: the fix keeps it at the assumed
# altitude only to stay well-posed, with a σ this large, so that nothing downstream reads it as
# measured (anything from a low drone to a light aircraft at 1,500 m lies within ±1σ).
HEIGHT_PRIOR_SIGMA_M = 1_000.0
GAUSS_NEWTON_STEPS = 5


@dataclass(frozen=True, slots=True)
class Bearings:
    """Unassigned bearing reports: one row each."""

    sensor: IntArray  # sensor index
    t: FloatArray
    sensor_ecef: FloatArray
    sensor_lat: FloatArray
    sensor_lon: FloatArray
    max_range: FloatArray
    azimuth: FloatArray
    elevation: FloatArray  # NaN when not measured
    sigma_azimuth: FloatArray
    sigma_elevation: FloatArray

    def __len__(self) -> int:
        return int(self.sensor.shape[0])


@dataclass(frozen=True, slots=True)
class Fix:
    position: FloatArray  # (3,) ECEF
    covariance: FloatArray  # (3, 3)
    t: float
    members: IntArray  # rows of the Bearings used


def triangulate(b: Bearings, window_s: float, default_alt: float, max_miss_m: float) -> list[Fix]:
    pairs = _candidate_pairs(b, window_s)
    if pairs.shape[0] == 0:
        return []
    points, quality = _intersect(b, pairs[:, 0], pairs[:, 1], default_alt)
    good = np.isfinite(quality)
    pairs, points, quality = pairs[good], points[good], quality[good]
    used = np.zeros(len(b), bool)
    fixes: list[Fix] = []
    for k in np.argsort(-quality, kind="stable"):
        i, j = pairs[k]
        if used[i] or used[j]:
            continue
        members = _gather(b, points[k], np.array([i, j]), used, window_s, max_miss_m)
        used[members] = True
        position, covariance = _refine(b, members, points[k], default_alt)
        fixes.append(Fix(position, covariance, float(np.mean(b.t[members])), members))
    return fixes


def _candidate_pairs(b: Bearings, window_s: float) -> IntArray:
    if len(b) < 2:
        return np.zeros((0, 2), np.int64)
    from scipy.spatial import cKDTree  # here: 0.25 s to import, needed for bearings only

    tree = cKDTree(b.sensor_ecef)
    pairs = tree.query_pairs(2.0 * float(b.max_range.max()), output_type="ndarray")
    if pairs.size == 0:
        return np.zeros((0, 2), np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    apart = np.linalg.norm(b.sensor_ecef[i] - b.sensor_ecef[j], axis=-1)
    ok = (b.sensor[i] != b.sensor[j]) & (np.abs(b.t[i] - b.t[j]) <= window_s)
    ok &= apart <= b.max_range[i] + b.max_range[j]
    return np.asarray(pairs[ok], np.int64)


def _intersect(
    b: Bearings, i: IntArray, j: IntArray, default_alt: float
) -> tuple[FloatArray, FloatArray]:
    """Crossing points (k, 3) ECEF of ray pairs and a quality (sine of the crossing angle, NaN
    when the rays do not cross usefully)."""
    rotation = ecef_to_enu_rotation(b.sensor_lat[i], b.sensor_lon[i])
    other = np.einsum("kij,kj->ki", rotation, b.sensor_ecef[j] - b.sensor_ecef[i])
    ua = _unit(b.azimuth[i])
    ub = _unit(b.azimuth[j])
    det = -ua[:, 0] * ub[:, 1] + ub[:, 0] * ua[:, 1]  # det [ua, -ub]
    safe = np.where(np.abs(det) > 1e-9, det, np.nan)
    sa = (-other[:, 0] * ub[:, 1] + ub[:, 0] * other[:, 1]) / safe
    sb = (ua[:, 0] * other[:, 1] - ua[:, 1] * other[:, 0]) / safe
    sine = np.abs(det)
    ok = (sa > 0) & (sb > 0) & (sa <= b.max_range[i]) & (sb <= b.max_range[j])
    ok &= sine >= np.sin(np.radians(MIN_CROSSING_DEG))
    height = _height(b, i, j, sa, np.linalg.norm(other[:, :2] - sa[:, None] * ua, axis=-1))
    height = np.where(np.isfinite(height), height, default_alt)
    enu = np.column_stack([sa * ua[:, 0], sa * ua[:, 1], height])
    points = np.einsum("kji,kj->ki", rotation, enu) + b.sensor_ecef[i]
    return points, np.where(ok, sine, np.nan)


def _height(b: Bearings, i: IntArray, j: IntArray, ra: FloatArray, rb: FloatArray) -> FloatArray:
    ha = ra * np.tan(np.radians(b.elevation[i]))
    hb = rb * np.tan(np.radians(b.elevation[j]))
    stacked = np.stack([ha, hb])
    finite = np.isfinite(stacked)
    count = finite.sum(axis=0)
    total = np.where(finite, stacked, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _unit(azimuth_deg: FloatArray) -> FloatArray:
    a = np.radians(azimuth_deg)
    return np.column_stack([np.sin(a), np.cos(a)])


def _gather(
    b: Bearings,
    point: FloatArray,
    members: IntArray,
    used: npt.NDArray[np.bool_],
    window_s: float,
    max_miss_m: float,
) -> IntArray:
    """Add unused bearings from other sensors whose rays pass within ``max_miss_m``."""
    t0 = float(np.mean(b.t[members]))
    free = np.flatnonzero(~used & (np.abs(b.t - t0) <= window_s))
    free = free[~np.isin(b.sensor[free], b.sensor[members]) & ~np.isin(free, members)]
    if free.size == 0:
        return members
    n = free.size
    rng = np.linalg.norm(point - b.sensor_ecef[free], axis=-1)
    free = free[rng <= b.max_range[free]]
    if free.size == 0:
        return members
    n = free.size
    predicted = bearing_measure(
        np.repeat(point[None], n, axis=0),
        b.sensor_ecef[free],
        b.sensor_lat[free],
        b.sensor_lon[free],
    )
    horizontal = np.linalg.norm(point - b.sensor_ecef[free], axis=-1)
    miss = np.abs(np.radians(angle_difference_deg(b.azimuth[free], predicted[:, 0]))) * horizontal
    close = free[miss <= max_miss_m]
    _, first = np.unique(b.sensor[close], return_index=True)  # one bearing per sensor
    return np.concatenate([members, close[first]])


def _refine(
    b: Bearings, members: IntArray, start: FloatArray, default_alt: float
) -> tuple[FloatArray, FloatArray]:
    """Gauss–Newton fit of a 3-D point to the bearings; covariance from the final Jacobian."""
    x = start.copy()
    n = members.size
    has_el = np.isfinite(b.elevation[members])
    info = np.eye(3) * 1e-12
    for _ in range(GAUSS_NEWTON_STEPS):
        pos = np.repeat(x[None], n, axis=0)
        args = (pos, b.sensor_ecef[members], b.sensor_lat[members], b.sensor_lon[members])
        pred = bearing_measure(*args)
        jac = bearing_jacobian(*args)
        residual = [angle_difference_deg(b.azimuth[members], pred[:, 0]) / b.sigma_azimuth[members]]
        rows = [jac[:, 0] / b.sigma_azimuth[members][:, None]]
        if has_el.any():
            el = has_el
            residual.append(
                (b.elevation[members][el] - pred[el, 1]) / b.sigma_elevation[members][el]
            )
            rows.append(jac[el, 1] / b.sigma_elevation[members][el][:, None])
        A = np.concatenate(rows)
        r = np.concatenate(residual)
        info = A.T @ A
        grad = A.T @ r
        if not has_el.any():  # weak prior holding the height near the assumed altitude
            lat, lon, alt = ecef_to_geodetic(x)
            up = ecef_to_enu_rotation(lat, lon)[2]
            info = info + np.outer(up, up) / HEIGHT_PRIOR_SIGMA_M**2
            grad = grad + up * (default_alt - float(alt)) / HEIGHT_PRIOR_SIGMA_M**2
        step = np.linalg.lstsq(info, grad, rcond=None)[0]
        x = x + step
        if np.linalg.norm(step) < 0.1:
            break
    covariance = np.linalg.pinv(info)
    return x, 0.5 * (covariance + covariance.T)
