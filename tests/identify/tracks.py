"""One-track TrackBatches for the identification tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, geodetic_to_ecef
from dronewall.core.tracks import CLASS_COLUMNS, KIND_COLUMNS, TrackBatch
from dronewall.core.types import SensorKind
from dronewall.identify.features import ground

LAT, LON = 52.2, 21.0


def one_track(
    *,
    t: float,
    t_first: float,
    velocity_enu: tuple[float, float, float],
    height: float,
    sigma_v: float,
    updates: int,
    rf: int = 0,
    rf_stations: int = 0,
    track_id: int = 1,
    identity: str = "",
    evidence: npt.NDArray[np.float64] | None = None,
    lat: float = LAT,
    lon: float = LON,
    sigma_up: float = 5.0,
) -> TrackBatch:
    """A confirmed track at ``lat``, ``lon``, ``height`` m above the ground, flying
    ``velocity_enu`` (m/s) with velocity σ ``sigma_v`` per axis and vertical σ ``sigma_up``;
    ``rf`` of its ``updates`` came from RF detectors, of which ``rf_stations`` heard it
    lately."""
    ground_m = float(ground(np.array([lat]), np.array([lon]))[0])
    pos = geodetic_to_ecef(lat, lon, height + ground_m).reshape(1, 3)
    rotation = ecef_to_enu_rotation(np.array([lat]), np.array([lon]))[0]
    vel = rotation.T @ np.array(velocity_enu)
    cov = np.eye(6) * 25.0
    cov[:3, :3] = rotation.T @ np.diag([25.0, 25.0, sigma_up**2]) @ rotation
    cov[3:, 3:] = np.eye(3) * sigma_v**2
    kinds = np.zeros((1, KIND_COLUMNS), np.int32)
    kinds[0, int(SensorKind.RF)] = rf
    return TrackBatch(
        track_id=np.array([track_id]),
        t=np.array([t]),
        status=np.array([1], np.uint8),
        state=np.concatenate([pos, vel[None]], axis=1),
        covariance=cov[None],
        t_last_update=np.array([t]),
        n_updates=np.array([updates]),
        sensor_kinds=np.zeros(1, np.uint16),
        identity=np.array([identity], "<U20"),
        t_first=np.array([t_first]),
        kind_updates=kinds,
        class_evidence=np.zeros((1, CLASS_COLUMNS)) if evidence is None else evidence[None],
        rf_stations=np.array([rf_stations], np.uint8),
    )
