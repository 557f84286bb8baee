"""``UpwardTracks``: the minimal columnar form of a fusion node's tracks that it reports upward
to its parent (``upward.py``), and their conversion into SAPIENT DetectionReports.

Positions and velocities are ECEF, as a tracker on the WGS-84 ellipsoid keeps them, with the
3×3 position covariance and a class with its confidence. ``from_state`` takes a tracker's
(n, 6) ECEF state and (n, 6, 6) covariance directly; ``from_geodetic`` takes latitude,
longitude, height with ENU velocity and covariance.

On the wire (BSI Flex 335 v2.0) a track is a DetectionReport: ``object_id`` a ULID that stays
the same for the life of the track; ``location`` in degrees on the WGS-84 ellipsoid with
``x/y/z_error`` the one-sigma position errors east, north and up in metres (the diagonal of
the ENU covariance: the ICD has no cross-covariance, so correlations are lost);
``enu_velocity`` in m/s; ``classification`` as in ``classes.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic, geodetic_to_ecef
from dronewall.core.types import FloatArray, ObjectClass
from dronewall.sensors.sapient import classes
from dronewall.sensors.sapient.binding import DetectionReport, ENUVelocity
from dronewall.sensors.sapient.ids import UlidFactory, keyed_ulid
from dronewall.sensors.sapient.units import Fix, location_from_fix


@dataclass(frozen=True, slots=True)
class UpwardTracks:
    """Tracks at their latest update, one row per track, as parallel numpy arrays."""

    track_id: npt.NDArray[np.int64]  # the tracker's id, stable for the life of a track
    t: FloatArray  # POSIX seconds (UTC) of each state
    position_ecef_m: FloatArray  # (n, 3)
    velocity_ecef_mps: FloatArray  # (n, 3)
    position_covariance_ecef_m2: FloatArray  # (n, 3, 3)
    object_class: npt.NDArray[np.uint8]  # ObjectClass
    class_confidence: npt.NDArray[np.float32]  # 0..1

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def from_state(
        cls,
        track_id: npt.ArrayLike,
        t: npt.ArrayLike,
        state: npt.ArrayLike,
        covariance: npt.ArrayLike,
        object_class: npt.ArrayLike,
        class_confidence: npt.ArrayLike,
    ) -> Self:
        """Tracks from an (n, 6) ECEF position-velocity state and its (n, 6, 6) covariance."""
        state_array = np.asarray(state, np.float64)
        return cls(
            track_id=np.asarray(track_id, np.int64),
            t=np.asarray(t, np.float64),
            position_ecef_m=state_array[:, :3],
            velocity_ecef_mps=state_array[:, 3:6],
            position_covariance_ecef_m2=np.asarray(covariance, np.float64)[:, :3, :3],
            object_class=np.asarray(object_class, np.uint8),
            class_confidence=np.asarray(class_confidence, np.float32),
        )

    @classmethod
    def from_geodetic(
        cls,
        track_id: npt.ArrayLike,
        t: npt.ArrayLike,
        lat_deg: npt.ArrayLike,
        lon_deg: npt.ArrayLike,
        alt_m: npt.ArrayLike,
        velocity_enu_mps: npt.ArrayLike,
        covariance_enu_m2: npt.ArrayLike,
        object_class: npt.ArrayLike,
        class_confidence: npt.ArrayLike,
    ) -> Self:
        """Tracks given as latitude, longitude, height with ENU velocity and covariance."""
        lat, lon = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        to_ecef = np.swapaxes(ecef_to_enu_rotation(lat, lon), -1, -2)
        velocity = np.einsum("nij,nj->ni", to_ecef, np.asarray(velocity_enu_mps, float))
        covariance = to_ecef @ np.asarray(covariance_enu_m2, float) @ np.swapaxes(to_ecef, -1, -2)
        return cls(
            track_id=np.asarray(track_id, np.int64),
            t=np.asarray(t, np.float64),
            position_ecef_m=geodetic_to_ecef(lat, lon, alt_m),
            velocity_ecef_mps=velocity,
            position_covariance_ecef_m2=covariance,
            object_class=np.asarray(object_class, np.uint8),
            class_confidence=np.asarray(class_confidence, np.float32),
        )

    def geodetic(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """(lat°, lon°, height m, ENU velocity (n, 3), ENU position covariance (n, 3, 3))."""
        lat, lon, alt = ecef_to_geodetic(self.position_ecef_m)
        rotation = ecef_to_enu_rotation(lat, lon)
        velocity = np.einsum("nij,nj->ni", rotation, self.velocity_ecef_mps)
        covariance = rotation @ self.position_covariance_ecef_m2 @ np.swapaxes(rotation, -1, -2)
        return lat, lon, alt, velocity, covariance


class TrackReporter:
    """Writes tracks as DetectionReports, keeping one object ULID per track id."""

    def __init__(self, node_id: str, ulids: UlidFactory):
        self.node_id = node_id
        self._ulids = ulids
        self._object_ids: dict[int, str] = {}

    def object_id(self, track_id: int, time_s: float) -> str:
        if track_id not in self._object_ids:
            self._object_ids[track_id] = keyed_ulid(time_s, f"{self.node_id}/{track_id}")
        return self._object_ids[track_id]

    def reports(self, tracks: UpwardTracks) -> list[tuple[float, DetectionReport]]:
        """(time of the state, its DetectionReport) for every track."""
        lat, lon, alt, velocity, covariance = tracks.geodetic()
        sigma = np.sqrt(np.clip(np.diagonal(covariance, axis1=1, axis2=2), 0.0, None))
        out = []
        for i in range(len(tracks)):
            t = float(tracks.t[i])
            report = DetectionReport(
                report_id=self._ulids.new(t), object_id=self.object_id(int(tracks.track_id[i]), t)
            )
            fix = Fix(lat[i], lon[i], alt[i], sigma[i, 0], sigma[i, 1], sigma[i, 2])
            report.location.CopyFrom(location_from_fix(fix))
            east, north, up = (float(v) for v in velocity[i])
            report.enu_velocity.CopyFrom(ENUVelocity(east_rate=east, north_rate=north, up_rate=up))
            confidence = float(tracks.class_confidence[i])
            classes.write_class(report, ObjectClass(int(tracks.object_class[i])), confidence)
            out.append((t, report))
        return out
