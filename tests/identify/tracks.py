"""One-track TrackBatches for the identification tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, geodetic_to_ecef
from dronewall.core.tracks import CLASS_COLUMNS, KIND_COLUMNS, TrackBatch
from dronewall.core.types import SensorKind

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
) -> TrackBatch:
    """A confirmed track at LAT, LON, ``height`` m up, flying ``velocity_enu`` (m/s) with
    velocity σ ``sigma_v`` per axis; ``rf`` of its ``updates`` came from RF detectors, of which
    ``rf_stations`` heard it lately."""
    pos = geodetic_to_ecef(LAT, LON, height).reshape(1, 3)
    rotation = ecef_to_enu_rotation(np.array([LAT]), np.array([LON]))[0]
    vel = rotation.T @ np.array(velocity_enu)
    cov = np.eye(6) * 25.0
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
        identity=np.array([identity], "<U16"),
        t_first=np.array([t_first]),
        kind_updates=kinds,
        class_evidence=np.zeros((1, CLASS_COLUMNS)) if evidence is None else evidence[None],
        rf_stations=np.array([rf_stations], np.uint8),
    )
