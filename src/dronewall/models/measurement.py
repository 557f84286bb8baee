"""Measurement models shared by the simulator and the tracker.

Three geometries, each a pure, vectorised function of target positions in ECEF and the sensor's
own geometry (one sensor per row):

* **Position fix** (Remote ID, ADS-B): the target's position with a covariance given by a
  horizontal and a vertical standard deviation in the local ENU frame.
* **Radar** (3-D surveillance radar): slant range, azimuth (clockwise from true north) and
  elevation (above the local horizontal) in the sensor's ENU frame.
* **Bearing** (RF direction finders, acoustic arrays, EO/IR): azimuth, and elevation when the
  sensor measures it.

The simulator draws noisy measurements with ``h(x) + noise(R)``; the tracker uses the same
``h``, its Jacobian and ``R``. Angles are degrees on the wire and in these functions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation

FloatArray = npt.NDArray[np.float64]


def _local(
    target_ecef: FloatArray, sensor_ecef: FloatArray, lat: FloatArray, lon: FloatArray
) -> FloatArray:
    rotation = ecef_to_enu_rotation(lat, lon)
    delta = np.asarray(target_ecef) - np.asarray(sensor_ecef)
    return np.asarray(np.einsum("nij,nj->ni", rotation, delta), float)


def radar_measure(
    target_ecef: FloatArray, sensor_ecef: FloatArray, sensor_lat: FloatArray, sensor_lon: FloatArray
) -> FloatArray:
    """Noise-free radar measurement, shape (N, 3): range m, azimuth° [0, 360), elevation°."""
    enu = _local(target_ecef, sensor_ecef, sensor_lat, sensor_lon)
    east, north, up = enu[:, 0], enu[:, 1], enu[:, 2]
    horizontal = np.hypot(east, north)
    rng = np.hypot(horizontal, up)
    azimuth = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    elevation = np.degrees(np.arctan2(up, horizontal))
    return np.stack([rng, azimuth, elevation], axis=-1)


def radar_to_ecef(
    measurement: FloatArray, sensor_ecef: FloatArray, sensor_lat: FloatArray, sensor_lon: FloatArray
) -> FloatArray:
    """Inverse of :func:`radar_measure`: (range, azimuth°, elevation°) → ECEF position."""
    rng, az, el = (np.asarray(measurement)[:, i] for i in range(3))
    az_r, el_r = np.radians(az), np.radians(el)
    enu = np.stack(
        [rng * np.cos(el_r) * np.sin(az_r), rng * np.cos(el_r) * np.cos(az_r), rng * np.sin(el_r)],
        axis=-1,
    )
    rotation = ecef_to_enu_rotation(sensor_lat, sensor_lon)
    return np.asarray(np.einsum("nji,nj->ni", rotation, enu), float) + np.asarray(sensor_ecef)


def bearing_measure(
    target_ecef: FloatArray, sensor_ecef: FloatArray, sensor_lat: FloatArray, sensor_lon: FloatArray
) -> FloatArray:
    """Noise-free bearing measurement, shape (N, 2): azimuth° [0, 360), elevation°."""
    return radar_measure(target_ecef, sensor_ecef, sensor_lat, sensor_lon)[:, 1:]


def radar_jacobian(
    target_ecef: FloatArray, sensor_ecef: FloatArray, sensor_lat: FloatArray, sensor_lon: FloatArray
) -> FloatArray:
    """Jacobian (N, 3, 3) of (range m, azimuth°, elevation°) with respect to ECEF position."""
    rotation = ecef_to_enu_rotation(sensor_lat, sensor_lon)
    return radar_with_jacobian(target_ecef, sensor_ecef, rotation)[1]


def radar_with_jacobian(
    target_ecef: FloatArray, sensor_ecef: FloatArray, rotation: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Radar measurement (N, 3) and its Jacobian (N, 3, 3) in one pass, given each sensor's
    ECEF→ENU rotation (N, 3, 3) — for callers that evaluate many times per sensor."""
    enu = np.einsum("nij,nj->ni", rotation, np.asarray(target_ecef) - np.asarray(sensor_ecef))
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    h2 = e * e + n * n
    h = np.sqrt(h2)
    r2 = h2 + u * u
    r = np.sqrt(r2)
    deg = np.degrees(1.0)
    measurement = np.empty((e.shape[0], 3))
    measurement[:, 0] = r
    measurement[:, 1] = np.mod(np.degrees(np.arctan2(e, n)), 360.0)
    measurement[:, 2] = np.degrees(np.arctan2(u, h))
    d_enu = np.empty((e.shape[0], 3, 3))
    d_enu[:, 0, 0], d_enu[:, 0, 1], d_enu[:, 0, 2] = e / r, n / r, u / r
    d_enu[:, 1, 0], d_enu[:, 1, 1], d_enu[:, 1, 2] = n / h2 * deg, -e / h2 * deg, 0.0
    d_enu[:, 2, 0] = -e * u / (r2 * h) * deg
    d_enu[:, 2, 1] = -n * u / (r2 * h) * deg
    d_enu[:, 2, 2] = h / r2 * deg
    return measurement, np.asarray(d_enu @ rotation, float)


def bearing_jacobian(
    target_ecef: FloatArray, sensor_ecef: FloatArray, sensor_lat: FloatArray, sensor_lon: FloatArray
) -> FloatArray:
    """Jacobian (N, 2, 3) of (azimuth°, elevation°) with respect to ECEF position."""
    return radar_jacobian(target_ecef, sensor_ecef, sensor_lat, sensor_lon)[:, 1:, :]


def angle_difference_deg(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Signed smallest difference a − b of two azimuths, in (−180, 180]."""
    d = np.mod(np.asarray(a, float) - np.asarray(b, float) + 180.0, 360.0) - 180.0
    return np.where(d == -180.0, 180.0, d)


def position_covariance_ecef(
    sigma_horizontal_m: FloatArray, sigma_vertical_m: FloatArray, lat: FloatArray, lon: FloatArray
) -> FloatArray:
    """ECEF covariance (N, 3, 3) of a position fix with ENU sigmas (σh on east and north)."""
    sh2 = np.asarray(sigma_horizontal_m, float) ** 2
    sv2 = np.asarray(sigma_vertical_m, float) ** 2
    enu_cov = np.zeros((sh2.shape[0], 3, 3))
    enu_cov[:, 0, 0] = sh2
    enu_cov[:, 1, 1] = sh2
    enu_cov[:, 2, 2] = sv2
    rotation = ecef_to_enu_rotation(lat, lon)
    return np.asarray(np.swapaxes(rotation, -1, -2) @ enu_cov @ rotation, float)


def diagonal_covariance(*sigmas: npt.ArrayLike) -> FloatArray:
    """Diagonal covariance (N, k, k) from k per-row standard deviations (e.g. range, az, el)."""
    stacked = np.stack([np.asarray(s, float) for s in sigmas], axis=-1)
    return np.asarray(np.einsum("ni,ij->nij", stacked**2, np.eye(stacked.shape[-1])), float)
