"""Predicted paths for the map: where each track will be over the horizon, and how sure.

Constant velocity, like the threat geometry: the track keeps its ground speed along the
geodesic of its present course (``core.geodesy.destination``) and its vertical rate; the 1-σ
horizontal uncertainty grows from the track covariance and the NCV process noise
(``geometry.position_sigma``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dronewall.assess.geometry import position_sigma, spread_coefficients
from dronewall.core.geodesy import destination, ecef_to_enu_rotation, ecef_to_geodetic, up_vector
from dronewall.core.tracks import TrackBatch

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PredictedPath:
    """Positions at ``dt_s`` seconds after each track's time; arrays are (tracks, steps)."""

    track_id: npt.NDArray[np.int64]
    dt_s: FloatArray  # (steps,)
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray  # height above the WGS-84 ellipsoid
    sigma_m: FloatArray  # 1-σ horizontal uncertainty, one axis


def predict_path(
    tracks: TrackBatch, horizon_s: float, step_s: float, process_noise: float = 1.0
) -> PredictedPath:
    """The constant-velocity path of every track from now to ``horizon_s`` every ``step_s``."""
    if step_s <= 0.0 or horizon_s < 0.0:
        raise ValueError("step_s must be positive and horizon_s not negative")
    dt = np.arange(0.0, horizon_s + step_s / 2, step_s)
    position, velocity = tracks.state[:, :3], tracks.state[:, 3:]
    lat, lon, height = ecef_to_geodetic(position)
    enu = np.einsum("nij,nj->ni", ecef_to_enu_rotation(lat, lon).reshape(-1, 3, 3), velocity)
    course = np.degrees(np.arctan2(enu[:, 0], enu[:, 1]))
    ground = np.hypot(enu[:, 0], enu[:, 1])
    lat_t, lon_t = destination(
        lat[:, None], lon[:, None], course[:, None], ground[:, None] * dt[None, :]
    )
    up = up_vector(lat, lon).reshape(-1, 3)
    coefficients = spread_coefficients(tracks.covariance.reshape(-1, 6, 6), up)
    return PredictedPath(
        track_id=tracks.track_id.copy(),
        dt_s=dt,
        lat_deg=lat_t,
        lon_deg=lon_t,
        alt_m=height[:, None] + enu[:, 2:3] * dt[None, :],
        sigma_m=position_sigma(coefficients[:, None, :], process_noise, dt[None, :]),
    )
