"""Columnar types for tracks and for the sensor geometry the tracker needs.

``TrackBatch`` is what the tracker publishes: one row per track at one instant, state in ECEF
(position m, velocity m/s) with the 6×6 covariance. Identify, assess, the server and the
outbound adapters read it. ``SensorGeometry`` tells where each sensor stands, indexed by a
report's ``sensor_index``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Self

import numpy as np
import numpy.typing as npt

from dronewall.core.release import UNKNOWN_MASK, LabelTable, SecurityLabel, default_label

FloatArray = npt.NDArray[np.float64]


def _unset() -> FloatArray:
    """A column not given: filled in by ``__post_init__``."""
    return np.zeros(0)


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
    # Probability that the track follows a real object, from its existence score (sequential
    # log-likelihood ratio of target against clutter, Blackman and Popoli §6.2): p = 1/(1+e^−L).
    # NaN where not known (tables written before the column existed).
    existence: FloatArray = field(default_factory=_unset)
    # The ADS-B emitter category (report format 1.1 code, e.g. 0xB1 glider, 0xA7 rotorcraft,
    # 0xB6 UAV) of the latest report that gave one, 0 when none did.
    emitter_category: npt.NDArray[np.uint8] = field(default_factory=lambda: np.zeros(0, np.uint8))
    # Radar cross-section (dBsm) averaged over the radar reports that gave one (the latest
    # ten weigh most: a track that jumps to another object soon takes its size); NaN: none.
    rcs_dbsm: FloatArray = field(default_factory=_unset)
    # The security labels of every sensor whose reports updated the track (started it,
    # updated it, or were re-filtered into it), as bits over the sensor table's
    # ``label_table`` (``core.release``); never cleared while the track lives. −1 (every
    # label) where not known (tables written before the column existed).
    label_mask: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        n = self.track_id.shape[0]
        if self.label_mask.shape[0] != n:
            object.__setattr__(self, "label_mask", np.full(n, UNKNOWN_MASK, np.int64))
        if self.rcs_dbsm.shape[0] != n:
            object.__setattr__(self, "rcs_dbsm", np.full(n, np.nan))
        if self.existence.shape[0] != n:
            object.__setattr__(self, "existence", np.full(n, np.nan))
        if self.emitter_category.shape[0] != n:
            object.__setattr__(self, "emitter_category", np.zeros(n, np.uint8))

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
            existence=np.zeros(0),
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


# What a sensor that declares nothing is assumed to do, by SensorKind value (index 0 unused):
# probability of detecting an object it can see in one look; false reports per look and per
# unit of measurement space (per m² of ground for radar and cooperative position fixes, per
# degree of azimuth for bearing sensors); seconds between looks at one object.
DEFAULT_PD = np.array([0.9, 0.8, 0.7, 0.6, 0.8, 0.9, 0.95])
# radar: a few false plots per scan over ~1,000 km² (the simulated C-UAS and surveillance
# radars: 2–5 per scan); RF/acoustic/EO-IR: a false bearing per ~100 looks spread over 360°;
# cooperative position fixes: almost never false (spoofing is plausibility's concern).
DEFAULT_CLUTTER = np.array([1e-9, 1e-9, 3e-5, 3e-5, 3e-5, 1e-13, 1e-13])
DEFAULT_REVISIT_S = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])  # most sensors look each second


@dataclass(frozen=True, slots=True)
class SensorGeometry:
    """Where each sensor stands (row = a report's ``sensor_index``), how far it sees, and —
    when the sensor declares them — its detection probability, clutter density (false reports
    per look per m² for point sensors, per degree of azimuth for bearing sensors) and revisit
    time; columns not given take the defaults of the sensor's kind (``DEFAULT_PD`` …)."""

    sensor_id: list[str]
    kind: npt.NDArray[np.uint8]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    ecef: FloatArray  # (n, 3)
    max_range_m: FloatArray
    pd: FloatArray = field(default_factory=_unset)
    clutter_density: FloatArray = field(default_factory=_unset)
    revisit_s: FloatArray = field(default_factory=_unset)
    # Each sensor's security label (``core.release``); not given: ``default_label()``.
    labels: tuple[SecurityLabel, ...] = ()

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.sensor_id):
            given = tuple(self.labels)[: len(self.sensor_id)]
            fill = (default_label(),) * (len(self.sensor_id) - len(given))
            object.__setattr__(self, "labels", given + fill)
        object.__setattr__(self, "labels", tuple(self.labels))
        LabelTable.of(self.labels)  # refused here (LabelError) when there are too many
        kind = np.clip(np.asarray(self.kind, np.int64), 0, DEFAULT_PD.size - 1)
        for name, default in (
            ("pd", DEFAULT_PD),
            ("clutter_density", DEFAULT_CLUTTER),
            ("revisit_s", DEFAULT_REVISIT_S),
        ):
            if getattr(self, name).shape[0] != kind.shape[0]:
                object.__setattr__(self, name, default[kind].astype(float))

    def __len__(self) -> int:
        return len(self.sensor_id)

    @property
    def label_table(self) -> LabelTable:
        """The distinct labels and each sensor's bit in a track's ``label_mask`` (computed
        on each call: users keep it while the table is the same object)."""
        return LabelTable.of(self.labels)
