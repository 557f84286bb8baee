"""Columnar types for tracks and for the sensor geometry the tracker needs.

``TrackBatch`` is what the tracker publishes: one row per track at one instant, state in ECEF
(position m, velocity m/s) with the 6×6 covariance. Identify, assess, the server and the
outbound adapters read it. ``SensorGeometry`` tells where each sensor stands, indexed by a
report's ``sensor_index``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Self

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
KIND_COLUMNS = 7  # SensorKind values 1..6, indexed directly
CLASS_COLUMNS = 4  # ObjectClass values 0..3


class TrackStatus(IntEnum):
    TENTATIVE = 0
    CONFIRMED = 1
    DELETED = 2


@dataclass(frozen=True, slots=True)
class TrackBatch:
    """Tracks at one or more instants, one row per (track, instant)."""

    track_id: npt.NDArray[np.int64]
    t: FloatArray  # POSIX seconds of the state
    status: npt.NDArray[np.uint8]  # TrackStatus
    state: FloatArray  # (n, 6) ECEF position and velocity
    covariance: FloatArray  # (n, 6, 6)
    t_last_update: FloatArray
    n_updates: npt.NDArray[np.int64]
    sensor_kinds: npt.NDArray[np.uint16]  # bit (1 << SensorKind) set for each kind that updated it
    identity: npt.NDArray[np.str_]  # ICAO address or Remote ID serial once seen, else ""
    t_first: FloatArray  # when the track was started
    kind_updates: npt.NDArray[np.int32]  # (n, 7) updates by SensorKind value (column 0 unused)
    class_evidence: FloatArray  # (n, 4) summed log-likelihoods of sensor-declared classes
    # Distinct RF detectors (DF stations) whose reports updated the track within the tracker's
    # ``rf_station_window_s`` before ``t``: an emitter in range of several stations is heard by
    # several, whose bearings cross at it; a bird on one station's ray towards an emitter by one.
    rf_stations: npt.NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def empty(cls) -> Self:
        return cls(
            track_id=np.zeros(0, np.int64),
            t=np.zeros(0),
            status=np.zeros(0, np.uint8),
            state=np.zeros((0, 6)),
            covariance=np.zeros((0, 6, 6)),
            t_last_update=np.zeros(0),
            n_updates=np.zeros(0, np.int64),
            sensor_kinds=np.zeros(0, np.uint16),
            identity=np.zeros(0, "<U20"),
            t_first=np.zeros(0),
            kind_updates=np.zeros((0, KIND_COLUMNS), np.int32),
            class_evidence=np.zeros((0, CLASS_COLUMNS)),
            rf_stations=np.zeros(0, np.uint8),
        )

    @classmethod
    def concat(cls, batches: list[Self]) -> Self:
        if not batches:
            return cls.empty()
        return cls(
            **{n: np.concatenate([getattr(b, n) for b in batches]) for n in cls.column_names()}
        )

    def take(self, index: npt.ArrayLike) -> Self:
        idx = np.asarray(index)
        return type(self)(**{n: getattr(self, n)[idx] for n in self.column_names()})


@dataclass(frozen=True, slots=True)
class ClassBatch:
    """What identify says of each track: class probabilities (columns in ObjectClass order:
    unknown, drone, bird, aircraft), the drone type where evidence allows, and whether the
    track is a registered friendly drone (never alerted)."""

    track_id: npt.NDArray[np.int64]
    t: FloatArray
    probabilities: FloatArray  # (n, 4), rows sum to 1
    label: npt.NDArray[np.uint8]  # ObjectClass of the largest probability
    drone_kind: npt.NDArray[np.uint8]  # ObjectKind value (1..4) or 0 when not known
    drone_kind_probability: FloatArray
    friendly: npt.NDArray[np.bool_]
    reasons: list[str]  # one short explanation per row, for operators

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    def p_drone(self) -> FloatArray:
        return np.asarray(self.probabilities[:, 1], float)


@dataclass(frozen=True, slots=True)
class SensorGeometry:
    """Where each sensor stands (row = a report's ``sensor_index``) and how far it sees."""

    sensor_id: list[str]
    kind: npt.NDArray[np.uint8]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    ecef: FloatArray  # (n, 3)
    max_range_m: FloatArray

    def __len__(self) -> int:
        return len(self.sensor_id)
