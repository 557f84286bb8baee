"""Geometry of a straight predicted path against a protected zone, vectorised over many pairs.

A track is predicted at constant velocity (the nearly-constant-velocity model of
``dronewall.models.motion`` without its noise) for ``horizon`` seconds. Against a zone the
questions are asked in the zone's local horizontal plane (flat Earth over the horizon: at 50 km
the plane departs from the sphere by about 200 m vertically and a few metres horizontally):

* **circle** (a protected site: a vertical cylinder of ``radius`` around its centre, no
  ceiling) — closest point of approach (CPA) to the centre, the first time the path is within
  ``radius`` (the root of ``|d + v t| = R``), and whether it is inside now;
* **polygon** (a user geofence, optional altitude band) — the same with distances to the
  polygon region, entry times from the crossings of the path with the polygon's edges
  (crossing-number rule, half-open edges) intersected with the times the altitude is in band.

Everything here is plain numpy on arrays of pairs; no geodesy, no Python loop over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_STILL_MPS2 = 1e-6  # squared speed (m²/s²) below which a track counts as not moving
_PARALLEL = 1e-9  # |v × e| below which a path and an edge count as parallel
_TIE_M = 1e-6  # distances closer than this are the same closest approach


@dataclass(frozen=True, slots=True)
class Approach:
    """One row per (track, zone) pair. Times are seconds after the track's state time."""

    range_m: FloatArray  # horizontal distance now (to a circle's centre; to a polygon, 0 inside)
    cpa_m: FloatArray  # closest horizontal approach within the horizon (same reference)
    t_cpa_s: FloatArray  # when the closest approach happens, in [0, horizon]
    time_to_enter_s: FloatArray  # first time inside the zone within the horizon; NaN if never
    inside: BoolArray  # inside the zone now
    miss_m: FloatArray  # by how much the predicted path misses the zone; 0 if it gets in


def horizontal(vectors: FloatArray, up: FloatArray) -> FloatArray:
    """The part of each vector (..., 3) perpendicular to the unit vector ``up`` (..., 3)."""
    along = np.einsum("...i,...i->...", vectors, up)
    return np.asarray(vectors - along[..., None] * up, float)


def circle_approach(
    offset: FloatArray, velocity: FloatArray, radius: FloatArray, horizon: float
) -> Approach:
    """Approach of paths to circles. ``offset`` (m, 3) is track minus centre and ``velocity``
    (m, 3) the track's velocity, both already horizontal; ``radius`` (m,) the circle's."""
    speed2 = np.einsum("ij,ij->i", velocity, velocity)
    along = np.einsum("ij,ij->i", offset, velocity)  # half the linear coefficient
    range2 = np.einsum("ij,ij->i", offset, offset)
    moving = speed2 > _STILL_MPS2
    t_cpa = np.where(moving, np.clip(-along / np.where(moving, speed2, 1.0), 0.0, horizon), 0.0)
    closest = offset + velocity * t_cpa[:, None]
    cpa = np.sqrt(np.einsum("ij,ij->i", closest, closest))
    excess = range2 - radius**2
    inside = excess <= 0.0
    discriminant = along**2 - speed2 * excess
    heading_in = moving & (along < 0.0) & (discriminant >= 0.0) & ~inside
    root = (-along - np.sqrt(np.maximum(discriminant, 0.0))) / np.where(moving, speed2, 1.0)
    enter = np.where(inside, 0.0, np.where(heading_in & (root <= horizon), root, np.nan))
    miss = np.where(np.isnan(enter), np.maximum(cpa - radius, 0.0), 0.0)
    return Approach(np.sqrt(range2), cpa, t_cpa, enter, inside, miss)


@dataclass(frozen=True, slots=True)
class Polygon:
    """A polygon in a local plane (east, north metres), with an altitude band (m)."""

    vertices: FloatArray  # (E, 2), not closed: the last vertex joins the first
    floor_m: float  # -inf when there is none
    ceiling_m: float  # +inf when there is none


def polygon_approach(
    position: FloatArray,
    velocity: FloatArray,
    height: FloatArray,
    climb: FloatArray,
    polygon: Polygon,
    horizon: float,
) -> Approach:
    """Approach of paths to one polygon. ``position`` and ``velocity`` (m, 2) are in the
    polygon's plane; ``height`` (m,) and ``climb`` (m,) are altitude and vertical rate."""
    start = polygon.vertices[None, :, :]
    edge = np.roll(polygon.vertices, -1, axis=0)[None, :, :] - start
    inside_h = _inside(position, start, edge)
    crossings = _crossing_times(position, velocity, start, edge, horizon)
    starts, ends = _inside_intervals(inside_h, crossings)
    band_lo, band_hi = _band_interval(height, climb, polygon, horizon)
    lo = np.maximum(starts, band_lo[:, None])
    hi = np.minimum(np.minimum(ends, band_hi[:, None]), horizon)
    valid = np.isfinite(starts) & (lo <= hi)
    enter = np.where(valid, lo, np.inf).min(axis=1)
    enter = np.where(np.isfinite(enter), enter, np.nan)
    inside = inside_h & (band_lo <= 0.0) & (band_hi >= 0.0)
    first_h = np.where(np.isfinite(starts[:, 0]) & (starts[:, 0] <= horizon), starts[:, 0], np.nan)
    range_m = np.where(inside_h, 0.0, _distance_to_edges(position, start, edge))
    cpa, t_cpa = _path_to_edges(position, velocity, start, edge, horizon)
    crosses = ~np.isnan(first_h)
    cpa = np.where(crosses, 0.0, cpa)
    t_cpa = np.where(crosses, first_h, t_cpa)
    gap = _band_gap(height + climb * np.nan_to_num(first_h), polygon)
    miss = np.where(~np.isnan(enter), 0.0, np.where(crosses, gap, cpa))
    return Approach(range_m, cpa, t_cpa, enter, inside, miss)


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], float)


def _inside(position: FloatArray, start: FloatArray, edge: FloatArray) -> BoolArray:
    """Crossing-number point-in-polygon test, (m,) from points (m, 2) and edges (1, E, 2)."""
    px, py = position[:, 0:1], position[:, 1:2]
    ay, by = start[..., 1], start[..., 1] + edge[..., 1]
    straddles = (ay > py) != (by > py)
    safe_dy = np.where(edge[..., 1] == 0.0, 1.0, edge[..., 1])
    x_at = start[..., 0] + (py - ay) * edge[..., 0] / safe_dy
    return np.asarray(np.count_nonzero(straddles & (px < x_at), axis=1) % 2 == 1)


def _crossing_times(
    position: FloatArray, velocity: FloatArray, start: FloatArray, edge: FloatArray, horizon: float
) -> FloatArray:
    """Sorted times in (0, horizon] at which each path crosses an edge; +inf pads (m, E)."""
    p, v = position[:, None, :], velocity[:, None, :]
    denominator = _cross(v, edge)
    parallel = np.abs(denominator) < _PARALLEL
    safe = np.where(parallel, 1.0, denominator)
    to_start = start - p
    t = _cross(to_start, edge) / safe
    s = _cross(to_start, v) / safe
    hit = ~parallel & (s >= 0.0) & (s < 1.0) & (t > 0.0) & (t <= horizon)
    return np.sort(np.where(hit, t, np.inf), axis=1)


def _inside_intervals(inside: BoolArray, crossings: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Start and end times (m, k) of the spells the path spends inside the polygon."""
    m, e = crossings.shape
    width = e + 2 + (e % 2)
    sequence = np.full((m, width), np.inf)
    sequence[inside, 0] = 0.0
    sequence[inside, 1 : e + 1] = crossings[inside]
    sequence[~inside, 0:e] = crossings[~inside]
    return sequence[:, 0::2], sequence[:, 1::2]


def _band_interval(
    height: FloatArray, climb: FloatArray, polygon: Polygon, horizon: float
) -> tuple[FloatArray, FloatArray]:
    """Times [lo, hi] within [0, horizon] when the altitude is in the band (lo > hi: never)."""
    level = np.abs(climb) < 1e-9
    safe = np.where(level, 1.0, climb)
    t_floor = (polygon.floor_m - height) / safe
    t_ceiling = (polygon.ceiling_m - height) / safe
    in_band = (height >= polygon.floor_m) & (height <= polygon.ceiling_m)
    lo = np.where(level, np.where(in_band, 0.0, np.inf), np.minimum(t_floor, t_ceiling))
    hi = np.where(level, np.where(in_band, horizon, -np.inf), np.maximum(t_floor, t_ceiling))
    return np.maximum(lo, 0.0), np.minimum(hi, horizon)


def _band_gap(height: FloatArray, polygon: Polygon) -> FloatArray:
    """Vertical distance (m) from each height to the altitude band, 0 inside it."""
    below = np.maximum(polygon.floor_m - height, 0.0)
    above = np.maximum(height - polygon.ceiling_m, 0.0)
    return np.asarray(below + above, float)


def _segment_distance(
    points: FloatArray, start: FloatArray, edge: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance from points (..., 2) to segments and the fraction along each segment, with
    broadcasting; written per coordinate, which is several times faster than einsum here."""
    dx, dy = points[..., 0] - start[..., 0], points[..., 1] - start[..., 1]
    ex, ey = edge[..., 0], edge[..., 1]
    length2 = ex * ex + ey * ey
    along = (dx * ex + dy * ey) / np.where(length2 > 0.0, length2, 1.0)
    fraction = np.clip(along, 0.0, 1.0)
    return np.hypot(dx - ex * fraction, dy - ey * fraction), fraction


def _distance_to_edges(position: FloatArray, start: FloatArray, edge: FloatArray) -> FloatArray:
    distance, _ = _segment_distance(position[:, None, :], start, edge)
    return np.asarray(distance.min(axis=1), float)


def _path_to_edges(
    position: FloatArray, velocity: FloatArray, start: FloatArray, edge: FloatArray, horizon: float
) -> tuple[FloatArray, FloatArray]:
    """Closest distance between each path segment and the polygon's edges, and its time.

    For two segments that do not intersect, the minimum distance is reached at an end point
    of one of them: the path's ends against every edge, every vertex against the path.
    """
    m, e = position.shape[0], edge.shape[1]
    end = position + velocity * horizon
    from_start, _ = _segment_distance(position[:, None, :], start, edge)
    from_end, _ = _segment_distance(end[:, None, :], start, edge)
    path_vector = (end - position)[:, None, :]
    from_vertex, fraction = _segment_distance(start, position[:, None, :], path_vector)
    candidates = np.stack([from_start, from_end, from_vertex], axis=2).reshape(m, 3 * e)
    times = np.stack(
        [np.zeros((m, e)), np.full((m, e), horizon), fraction * horizon], axis=2
    ).reshape(m, 3 * e)
    closest = candidates.min(axis=1)
    tied = candidates <= closest[:, None] + _TIE_M  # a path along an edge: take the first time
    return closest, np.where(tied, times, np.inf).min(axis=1)


def spread_coefficients(covariance: FloatArray, up: FloatArray) -> FloatArray:
    """(n, 3) coefficients (a, b, c) of the horizontal position variance of a constant-velocity
    prediction: the trace over the horizontal plane of ``P_pp + t (P_pv + P_vp) + t² P_vv``."""
    p = np.nan_to_num(covariance)

    def horizontal_trace(block: FloatArray) -> FloatArray:
        trace = np.trace(block, axis1=1, axis2=2)
        return np.asarray(trace - np.einsum("ni,nij,nj->n", up, block, up), float)

    cross = p[:, :3, 3:] + p[:, 3:, :3]
    return np.stack(
        [horizontal_trace(p[:, :3, :3]), horizontal_trace(cross), horizontal_trace(p[:, 3:, 3:])],
        axis=1,
    )


def position_sigma(coefficients: FloatArray, q: float, dt: npt.ArrayLike) -> FloatArray:
    """One-axis horizontal 1-σ (m) of the predicted position ``dt`` seconds ahead: the mean of
    the two horizontal variances plus the NCV process noise ``q dt³ / 3`` (spectral density
    ``q`` m²/s³, as ``models.motion.constant_velocity_noise``)."""
    t = np.asarray(dt, float)
    a, b, c = coefficients[..., 0], coefficients[..., 1], coefficients[..., 2]
    variance = (a + b * t + c * t**2) / 2.0 + q * t**3 / 3.0
    return np.asarray(np.sqrt(np.maximum(variance, 0.0)), float)
