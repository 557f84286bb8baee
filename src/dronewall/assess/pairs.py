"""Which (track, zone) pairs to examine, and their approach geometry.

The prefilter keeps a pair when the zone could be reached within the horizon: the straight
distance from the track to the zone's centre is at most the track's reach (speed × horizon,
plus ``near_sigmas`` predicted standard deviations, capped) plus the zone's radius plus the
track's height. Circle centres sit in a ``scipy.spatial.cKDTree`` in ECEF (a chord is never
longer than the arc, so the test never drops a reachable pair); the few geofences are tested
against every track directly. Only the kept pairs go through ``geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.assess.geometry import (
    Approach,
    circle_approach,
    horizontal,
    polygon_approach,
)
from dronewall.assess.zones import ProtectedZones

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_FIELDS = tuple(f.name for f in fields(Approach))


@dataclass(frozen=True, slots=True)
class Kinematics:
    """What the pair geometry needs of each track row, in ECEF and local terms."""

    position: FloatArray  # (n, 3) ECEF
    velocity: FloatArray  # (n, 3) ECEF
    height: FloatArray  # (n,) m above the ellipsoid
    climb: FloatArray  # (n,) m/s, up positive
    ground_speed: FloatArray  # (n,) m/s


class PairFinder:
    """Finds and measures candidate pairs against a fixed set of zones."""

    def __init__(self, zones: ProtectedZones) -> None:
        self.zones = zones
        circles = zones.ecef[: zones.n_circles]
        self._tree = cKDTree(circles) if len(circles) else None
        self._max_radius = float(zones.radius_m[: zones.n_circles].max(initial=0.0))

    def candidates(self, kinematics: Kinematics, reach: FloatArray) -> tuple[IntArray, IntArray]:
        """(track row, zone row) of every pair the prefilter keeps, sorted by track row."""
        rows: list[IntArray] = []
        zone_rows: list[IntArray] = []
        radius = reach + np.abs(kinematics.height)
        if self._tree is not None and len(radius):
            hits = self._tree.query_ball_point(kinematics.position, radius + self._max_radius)
            counts = np.fromiter(map(len, hits), np.int64, len(hits))
            rows.append(np.repeat(np.arange(len(hits), dtype=np.int64), counts))
            zone_rows.append(np.fromiter(chain.from_iterable(hits), np.int64, int(counts.sum())))
        for zone in range(self.zones.n_circles, len(self.zones)):
            gap = np.linalg.norm(kinematics.position - self.zones.ecef[zone], axis=1)
            near = np.flatnonzero(gap <= radius + self.zones.radius_m[zone])
            rows.append(near.astype(np.int64))
            zone_rows.append(np.full(near.size, zone, np.int64))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        row, zone_row = np.concatenate(rows), np.concatenate(zone_rows)
        order = np.lexsort((zone_row, row))
        return row[order], zone_row[order]

    def approach(
        self, kinematics: Kinematics, row: IntArray, zone: IntArray, horizon: float
    ) -> Approach:
        """Approach geometry of each pair, in the order given."""
        n = row.size
        out = {name: np.full(n, np.nan) for name in _FIELDS}
        out["inside"] = np.zeros(n, bool)
        circle = zone < self.zones.n_circles
        if circle.any():
            _fill(out, circle, self._circles(kinematics, row[circle], zone[circle], horizon))
        for z in np.unique(zone[~circle]):
            mask = zone == z
            _fill(out, mask, self._polygon(kinematics, row[mask], int(z), horizon))
        return Approach(**out)

    def _circles(
        self, kinematics: Kinematics, row: IntArray, zone: IntArray, horizon: float
    ) -> Approach:
        up = self.zones.up[zone]
        offset = horizontal(kinematics.position[row] - self.zones.ecef[zone], up)
        velocity = horizontal(kinematics.velocity[row], up)
        return circle_approach(offset, velocity, self.zones.radius_m[zone], horizon)

    def _polygon(
        self, kinematics: Kinematics, row: IntArray, zone: int, horizon: float
    ) -> Approach:
        rotation = self.zones.to_enu[zone]
        local = (kinematics.position[row] - self.zones.ecef[zone]) @ rotation.T
        velocity = kinematics.velocity[row] @ rotation.T
        polygon = self.zones.polygons[zone - self.zones.n_circles]
        return polygon_approach(
            local[:, :2],
            velocity[:, :2],
            kinematics.height[row],
            kinematics.climb[row],
            polygon,
            horizon,
        )


def _fill(
    out: dict[str, npt.NDArray[np.generic]], mask: npt.NDArray[np.bool_], part: Approach
) -> None:
    for name in _FIELDS:
        out[name][mask] = getattr(part, name)
