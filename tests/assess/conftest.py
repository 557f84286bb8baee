"""Hand-made tracks, classes and sites for the assess tests.

Tracks are placed in a site's local east-north-up frame, so that distances and times along a
straight path can be worked out by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dronewall.core.geodesy import ecef_to_enu_rotation, enu_to_ecef, geodetic_to_ecef
from dronewall.core.tracks import KIND_COLUMNS, ClassBatch, TrackBatch, TrackStatus
from dronewall.world import Site, SiteKind
from dronewall.world.terrain import ground_height_m

T0 = 1_760_000_000.0  # a POSIX time in October 2025


def site(
    site_id: str = "plant",
    lat: float = 50.0,
    lon: float = 20.0,
    radius_m: float = 5_000.0,
    kind: SiteKind = SiteKind.NUCLEAR,
    name: str = "",
) -> Site:
    return Site(site_id, name or site_id.title(), kind, "POL", lat, lon, radius_m, "test")


@dataclass(frozen=True)
class Fly:
    """A track in the ENU frame of (lat, lon) on the ground there (``world.terrain``):
    position and velocity east, north, up — ``up_m`` is the height above that ground."""

    track_id: int
    east_m: float
    north_m: float
    up_m: float = 100.0
    v_east: float = 0.0
    v_north: float = 0.0
    v_up: float = 0.0
    sigma_m: float = 0.0  # position 1-σ per axis
    sigma_mps: float = 0.0  # velocity 1-σ per axis
    age_s: float = 60.0  # time since the track was started
    unmeasured_s: float = 0.0  # time since its last measurement (coasting when > 0)


def tracks(
    flights: Sequence[Fly], lat: float = 50.0, lon: float = 20.0, t: float = T0
) -> TrackBatch:
    """A TrackBatch of confirmed tracks at time ``t``, placed around (lat, lon)."""
    n = len(flights)
    ground = float(np.asarray(ground_height_m(lat, lon)).reshape(-1)[0])
    origin = geodetic_to_ecef(lat, lon, ground)
    enu = np.array([[f.east_m, f.north_m, f.up_m] for f in flights], float).reshape(n, 3)
    velocity_enu = np.array([[f.v_east, f.v_north, f.v_up] for f in flights], float)
    rotation = ecef_to_enu_rotation(lat, lon)
    state = np.zeros((n, 6))
    state[:, :3] = enu_to_ecef(enu, lat, lon, origin)
    state[:, 3:] = velocity_enu.reshape(n, 3) @ rotation
    covariance = np.zeros((n, 6, 6))
    for i, f in enumerate(flights):
        covariance[i, :3, :3] = np.eye(3) * f.sigma_m**2
        covariance[i, 3:, 3:] = np.eye(3) * f.sigma_mps**2
    return TrackBatch(
        track_id=np.array([f.track_id for f in flights], np.int64),
        t=np.full(n, t),
        status=np.full(n, TrackStatus.CONFIRMED, np.uint8),
        state=state,
        covariance=covariance,
        t_last_update=np.array([t - f.unmeasured_s for f in flights], float).reshape(n),
        n_updates=np.full(n, 10, np.int64),
        sensor_kinds=np.zeros(n, np.uint16),
        identity=np.full(n, "", "<U16"),
        t_first=np.array([t - f.age_s for f in flights], float).reshape(n),
        kind_updates=np.zeros((n, KIND_COLUMNS), np.int32),
        class_evidence=np.zeros((n, 4)),
        rf_stations=np.zeros(n, np.uint8),
    )


def classes(
    track_ids: Sequence[int],
    p_drone: float | Sequence[float],
    *,
    t: float = T0,
    friendly: bool | Sequence[bool] = False,
    drone_kind: int = 0,
    kind_probability: float = 0.0,
) -> ClassBatch:
    """Class rows: P(drone) as given, the rest of the probability on 'unknown'."""
    n = len(track_ids)
    p = np.broadcast_to(np.asarray(p_drone, float), (n,)).copy()
    probabilities = np.zeros((n, 4))
    probabilities[:, 1] = p
    probabilities[:, 0] = 1.0 - p
    return ClassBatch(
        track_id=np.array(track_ids, np.int64),
        t=np.full(n, t),
        probabilities=probabilities,
        label=np.where(p >= 0.5, 1, 0).astype(np.uint8),
        drone_kind=np.full(n, drone_kind, np.uint8),
        drone_kind_probability=np.full(n, kind_probability),
        friendly=np.broadcast_to(np.asarray(friendly, bool), (n,)).copy(),
        reasons=[""] * n,
    )
