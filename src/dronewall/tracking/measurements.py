"""Reports as measurements: each report becomes z, R and a measurement function h(x) with its
Jacobian, using the shared measurement models (``models.measurement``), grouped by geometry so
that every group is processed with one vectorised call.

* position fix (Remote ID, ADS-B): z is the ECEF point, R the ENU sigmas rotated to ECEF;
* radar: z = (range m, azimuth°, elevation°) from the sensor, extended Kalman filter;
* bearing with elevation, and bearing only (azimuth°).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import MeasurementKind, ReportBatch
from dronewall.models.measurement import (
    diagonal_covariance,
    position_covariance_ecef,
    radar_to_ecef,
    radar_with_jacobian,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Geometry(IntEnum):
    POSITION = 0
    RADAR = 1
    BEARING_ELEVATION = 2
    BEARING = 3


_ANGULAR = {
    Geometry.POSITION: np.array([False, False, False]),
    Geometry.RADAR: np.array([False, True, False]),
    Geometry.BEARING_ELEVATION: np.array([True, False]),
    Geometry.BEARING: np.array([True]),
}


@dataclass(frozen=True, slots=True)
class MeasurementGroup:
    """Reports of one geometry: ``rows`` index the batch they came from."""

    geometry: Geometry
    rows: IntArray
    z: FloatArray  # (n, m)
    R: FloatArray  # (n, m, m)
    sensor_ecef: FloatArray  # (n, 3)
    sensor_lat: FloatArray
    sensor_lon: FloatArray
    point: FloatArray  # (n, 3) ECEF point estimate; NaN for bearings
    rotation: FloatArray  # (n, 3, 3) ECEF→ENU at each report's sensor

    @property
    def angular(self) -> npt.NDArray[np.bool_]:
        return _ANGULAR[self.geometry]

    @property
    def dimension(self) -> int:
        return int(self.z.shape[1])

    def subset(self, members: IntArray) -> MeasurementGroup:
        """The same group restricted to some of its members (in that order)."""
        return MeasurementGroup(
            self.geometry,
            self.rows[members],
            self.z[members],
            self.R[members],
            self.sensor_ecef[members],
            self.sensor_lat[members],
            self.sensor_lon[members],
            self.point[members],
            self.rotation[members],
        )

    def position_covariance(self) -> FloatArray:
        """ECEF covariance (n, 3, 3) of each report's point estimate (position and radar)."""
        if self.geometry is Geometry.POSITION:
            return self.R.copy()
        n = self.rows.shape[0]
        _, jac = radar_with_jacobian(self.point, self.sensor_ecef, self.rotation)
        inv = np.linalg.inv(jac.reshape(n, 3, 3))
        return np.asarray(inv @ self.R @ np.swapaxes(inv, -1, -2), float)

    def predict(self, position: FloatArray, which: IntArray) -> tuple[FloatArray, FloatArray]:
        """Predicted measurement (k, m) and Jacobian (k, m, 6) for track positions (k, 3)
        against the group's reports ``which``."""
        k = which.shape[0]
        H = np.zeros((k, self.dimension, 6))
        if self.geometry is Geometry.POSITION:
            H[:, :, :3] = np.eye(3)
            return position.copy(), H
        full, jac = radar_with_jacobian(position, self.sensor_ecef[which], self.rotation[which])
        if self.geometry is Geometry.RADAR:
            H[:, :, :3] = jac
            return full, H
        dims = 2 if self.geometry is Geometry.BEARING_ELEVATION else 1
        H[:, :, :3] = jac[:, 1 : 1 + dims]
        return full[:, 1 : 1 + dims], H


def geometry_of(batch: ReportBatch) -> npt.NDArray[np.int64]:
    """The Geometry of each report (−1 where the measurement kind is unknown)."""
    kind = batch.measurement
    has_el = ~np.isnan(batch.elevation_deg) & ~np.isnan(batch.sigma_elevation_deg)
    out = np.full(len(batch), -1, np.int64)
    out[kind == MeasurementKind.POSITION] = Geometry.POSITION
    out[kind == MeasurementKind.RADAR] = Geometry.RADAR
    bearing = kind == MeasurementKind.BEARING
    out[bearing & has_el] = Geometry.BEARING_ELEVATION
    out[bearing & ~has_el] = Geometry.BEARING
    return out


def build_group(
    geometry: Geometry, rows: IntArray, batch: ReportBatch, sensors: SensorGeometry
) -> MeasurementGroup:
    s = batch.sensor_index[rows]
    s_ecef, s_lat, s_lon = sensors.ecef[s], sensors.lat_deg[s], sensors.lon_deg[s]
    n = rows.shape[0]
    point = np.full((n, 3), np.nan)
    if geometry is Geometry.POSITION:
        lat, lon = batch.lat_deg[rows], batch.lon_deg[rows]
        z = geodetic_to_ecef(lat, lon, batch.alt_m[rows]).reshape(n, 3)
        R = position_covariance_ecef(
            batch.sigma_horizontal_m[rows], batch.sigma_vertical_m[rows], lat, lon
        )
        point = z
    elif geometry is Geometry.RADAR:
        z = np.stack(
            [batch.range_m[rows], batch.azimuth_deg[rows], batch.elevation_deg[rows]], axis=-1
        )
        R = diagonal_covariance(
            batch.sigma_range_m[rows],
            batch.sigma_azimuth_deg[rows],
            batch.sigma_elevation_deg[rows],
        )
        point = radar_to_ecef(z, s_ecef, s_lat, s_lon)
    elif geometry is Geometry.BEARING_ELEVATION:
        z = np.stack([batch.azimuth_deg[rows], batch.elevation_deg[rows]], axis=-1)
        R = diagonal_covariance(batch.sigma_azimuth_deg[rows], batch.sigma_elevation_deg[rows])
    else:
        z = batch.azimuth_deg[rows][:, None]
        R = diagonal_covariance(batch.sigma_azimuth_deg[rows])
    rotation = ecef_to_enu_rotation(s_lat, s_lon)
    return MeasurementGroup(geometry, rows, z, R, s_ecef, s_lat, s_lon, point, rotation)


def valid_rows(batch: ReportBatch, sensors: SensorGeometry) -> npt.NDArray[np.bool_]:
    """Reports the tracker can use: known sensor, known geometry, finite values and sigmas."""
    ok = (batch.sensor_index >= 0) & (batch.sensor_index < len(sensors))
    geometry = geometry_of(batch)
    ok &= geometry >= 0
    ok &= np.isfinite(batch.t_measured)
    pos = geometry == Geometry.POSITION
    ok &= ~pos | (
        np.isfinite(batch.lat_deg)
        & np.isfinite(batch.lon_deg)
        & np.isfinite(batch.alt_m)
        & (batch.sigma_horizontal_m > 0)
        & (batch.sigma_vertical_m > 0)
    )
    radar = geometry == Geometry.RADAR
    ok &= ~radar | (
        np.isfinite(batch.range_m)
        & np.isfinite(batch.elevation_deg)
        & (batch.sigma_range_m > 0)
        & (batch.sigma_elevation_deg > 0)
    )
    angular = radar | (geometry >= Geometry.BEARING_ELEVATION)
    ok &= ~angular | (np.isfinite(batch.azimuth_deg) & (batch.sigma_azimuth_deg > 0))
    return np.asarray(ok)
