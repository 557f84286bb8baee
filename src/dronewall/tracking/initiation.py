"""The default initiator: tentative tracks from the reports no track took.

Position fixes and radar plots start a track each at their point estimate (velocity from
ADS-B / Remote ID where reported, else a wide prior). Bearings are pooled for
``triangulation_window_s`` and triangulated across sensors (``triangulation``); each fix
starts a track, counted as updated by every bearing that made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.types import ReportBatch
from dronewall.tracking.measurements import Geometry, MeasurementGroup
from dronewall.tracking.triangulation import Bearings, triangulate

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
VELOCITY_SIGMA_COOPERATIVE = 5.0  # m/s: velocity reported by ADS-B or Remote ID
VERTICAL_SPEED_SIGMA = 5.0  # m/s: climb of a track from bearings (drones climb at 2–6 m/s)


class PointsAndBearings:
    """Tracks from point reports at once and from bearings by triangulation
    (``parts.Initiator``). Keeps the pool of unassigned bearings between slices."""

    def __init__(self) -> None:
        self.pool = ReportBatch.empty()  # unassigned bearings awaiting triangulation

    def start(
        self, tracker: Tracker, batch: ReportBatch, left: dict[Geometry, MeasurementGroup]
    ) -> None:
        for g in (Geometry.POSITION, Geometry.RADAR):
            if g in left and left[g].rows.size:
                self._from_points(tracker, batch, left[g])
        bearings = [
            left[g].rows for g in (Geometry.BEARING_ELEVATION, Geometry.BEARING) if g in left
        ]
        self._from_bearings(tracker, batch, bearings)

    def _from_points(self, tracker: Tracker, batch: ReportBatch, group: MeasurementGroup) -> None:
        rows = group.rows
        n = rows.size
        state = np.zeros((n, 6))
        state[:, :3] = group.point
        cov = np.zeros((n, 6, 6))
        cov[:, :3, :3] = group.position_covariance()
        sigma_v = np.full(n, tracker.config.initial_speed_sigma)
        _cooperative_velocity(batch, rows, group, state, sigma_v)
        cov[:, [3, 4, 5], [3, 4, 5]] = sigma_v[:, None] ** 2
        tracker.start(state, cov, batch, rows)

    def _from_bearings(self, tracker: Tracker, batch: ReportBatch, left: list[IntArray]) -> None:
        cfg = tracker.config
        fresh = batch.take(np.concatenate(left)) if left else ReportBatch.empty()
        now = float(batch.t_measured.max())
        pool = ReportBatch.concat([self.pool, fresh])
        pool = pool.take(np.flatnonzero(pool.t_measured >= now - cfg.triangulation_window_s))
        if len(pool) < 2:
            self.pool = pool
            return
        fixes = triangulate(
            _bearings(tracker, pool),
            cfg.triangulation_window_s,
            cfg.default_altitude_m,
            cfg.max_bearing_miss_m,
        )
        used = np.zeros(len(pool), bool)
        for fix in fixes:
            state = np.concatenate([fix.position, np.zeros(3)])
            cov = np.zeros((6, 6))
            cov[:3, :3] = fix.covariance
            cov[3:, 3:] = _velocity_prior(fix.position, cfg.initial_speed_sigma)
            tracker.start(
                state[None],
                cov[None],
                pool,
                fix.members[:1],
                t=np.array([fix.t]),
                also=fix.members[1:],
            )
            used[fix.members] = True
        tracker.stats.triangulated += len(fixes)
        self.pool = pool.take(np.flatnonzero(~used))


def _cooperative_velocity(
    batch: ReportBatch,
    rows: IntArray,
    group: MeasurementGroup,
    state: FloatArray,
    sigma_v: FloatArray,
) -> None:
    """ADS-B and Remote ID report speed and course: start those tracks moving."""
    known = np.isfinite(batch.speed_mps[rows]) & np.isfinite(batch.course_deg[rows])
    if not known.any():
        return
    lat, lon, _ = ecef_to_geodetic(group.point[known])
    course = np.radians(batch.course_deg[rows][known])
    speed = batch.speed_mps[rows][known]
    enu = np.column_stack([speed * np.sin(course), speed * np.cos(course), np.zeros_like(speed)])
    rotation = ecef_to_enu_rotation(lat, lon)
    state[known, 3:] = np.einsum("nji,nj->ni", rotation, enu)
    sigma_v[known] = VELOCITY_SIGMA_COOPERATIVE


def _velocity_prior(position: FloatArray, sigma_horizontal: float) -> FloatArray:
    """ECEF velocity covariance of a track started from bearings: ``sigma_horizontal`` per
    horizontal axis, ``VERTICAL_SPEED_SIGMA`` vertically. Bearings without elevation cannot
    observe a climb, and a wide vertical prior would put a fictitious speed on the track."""
    lat, lon, _ = ecef_to_geodetic(position)
    rotation = np.asarray(ecef_to_enu_rotation(lat, lon)).reshape(3, 3)
    enu = np.diag([sigma_horizontal**2, sigma_horizontal**2, VERTICAL_SPEED_SIGMA**2])
    return np.asarray(rotation.T @ enu @ rotation, float)


def _bearings(tracker: Tracker, pool: ReportBatch) -> Bearings:
    s = pool.sensor_index
    sensors = tracker.sensors
    return Bearings(
        sensor=s.astype(np.int64),
        t=pool.t_measured,
        sensor_ecef=sensors.ecef[s],
        sensor_lat=sensors.lat_deg[s],
        sensor_lon=sensors.lon_deg[s],
        max_range=sensors.max_range_m[s],
        azimuth=pool.azimuth_deg,
        elevation=pool.elevation_deg,
        sigma_azimuth=pool.sigma_azimuth_deg,
        sigma_elevation=pool.sigma_elevation_deg,
    )
