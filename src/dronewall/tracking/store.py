"""The tracker's state: every track's IMM estimates and bookkeeping as parallel arrays.

No Python object per track: rows are appended in blocks and deleted by compaction, and every
filter step works on index arrays into these columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import WGS84_A, WGS84_B
from dronewall.core.tracks import CLASS_COLUMNS, KIND_COLUMNS, TrackBatch, TrackStatus
from dronewall.tracking import motion
from dronewall.tracking.motion import ModelSet

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# RF detectors remembered per track (the most recently heard ones): enough to tell one
# station from several; the airport and base laydowns have three DF stations each.
RF_STATION_SLOTS = 4


def up_vectors(position: FloatArray) -> FloatArray:
    """Ellipsoid normals (n, 3) near ECEF positions — the local vertical for turn models."""
    n = position / np.array([WGS84_A**2, WGS84_A**2, WGS84_B**2])
    return np.asarray(n / np.linalg.norm(n, axis=-1, keepdims=True), float)


@dataclass(slots=True)
class TrackStore:
    """Columns of all live tracks. ``x`` (N, M, 6), ``P`` (N, M, 6, 6), ``mu`` (N, M)."""

    models: ModelSet
    track_id: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    x: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 6)))
    P: FloatArray = field(default_factory=lambda: np.zeros((0, 1, 6, 6)))
    mu: FloatArray = field(default_factory=lambda: np.zeros((0, 1)))
    t: FloatArray = field(default_factory=lambda: np.zeros(0))
    t_last_update: FloatArray = field(default_factory=lambda: np.zeros(0))
    n_updates: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    status: npt.NDArray[np.uint8] = field(default_factory=lambda: np.zeros(0, np.uint8))
    sensor_kinds: npt.NDArray[np.uint16] = field(default_factory=lambda: np.zeros(0, np.uint16))
    identity: npt.NDArray[np.str_] = field(default_factory=lambda: np.zeros(0, "<U20"))
    t_first: FloatArray = field(default_factory=lambda: np.zeros(0))
    from_bearings: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    kind_updates: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.zeros((0, KIND_COLUMNS), np.int32)
    )
    class_evidence: FloatArray = field(default_factory=lambda: np.zeros((0, CLASS_COLUMNS)))
    # The RF detectors (sensor index, −1 for an empty slot) that last updated each track and
    # when (measurement time, −inf when empty): ``hear_rf`` fills them, ``snapshot`` counts
    # those heard within ``rf_station_window_s``.
    rf_station: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.full((0, RF_STATION_SLOTS), -1, np.int32)
    )
    rf_heard: FloatArray = field(default_factory=lambda: np.full((0, RF_STATION_SLOTS), -np.inf))
    # Existence score (log-likelihood ratio, ``existence``), its highest value so far, and the
    # expected revisit (s): a running mean of the intervals between the track's updates.
    score: FloatArray = field(default_factory=lambda: np.zeros(0))
    score_max: FloatArray = field(default_factory=lambda: np.zeros(0))
    revisit: FloatArray = field(default_factory=lambda: np.zeros(0))
    # The ADS-B emitter category of the latest report that gave one (0: none yet).
    emitter_category: npt.NDArray[np.uint8] = field(default_factory=lambda: np.zeros(0, np.uint8))
    # Radar cross-section (dBsm): running mean of the reports that gave one, and their count.
    rcs_dbsm: FloatArray = field(default_factory=lambda: np.zeros(0))
    rcs_reports: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    # Bits of the security labels of every sensor that updated the track (never cleared).
    label_mask: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    rf_station_window_s: float = 60.0
    next_id: int = 1

    def __post_init__(self) -> None:
        m = self.models.size
        self.x = np.zeros((0, m, 6))
        self.P = np.zeros((0, m, 6, 6))
        self.mu = np.zeros((0, m))

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    def add(self, state: FloatArray, covariance: FloatArray, t: FloatArray) -> IntArray:
        """Append tentative tracks with single estimates (n,6), (n,6,6); returns their rows."""
        n = state.shape[0]
        m = self.models.size
        first = len(self)
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        self.track_id = np.concatenate([self.track_id, ids])
        self.x = np.concatenate([self.x, np.repeat(state[:, None], m, axis=1)])
        self.P = np.concatenate([self.P, np.repeat(covariance[:, None], m, axis=1)])
        self.mu = np.concatenate([self.mu, self.models.initial_probabilities(n)])
        self.t = np.concatenate([self.t, t])
        self.t_last_update = np.concatenate([self.t_last_update, t])
        self.n_updates = np.concatenate([self.n_updates, np.ones(n, np.int64)])
        self.status = np.concatenate([self.status, np.zeros(n, np.uint8)])
        self.sensor_kinds = np.concatenate([self.sensor_kinds, np.zeros(n, np.uint16)])
        self.identity = np.concatenate([self.identity, np.full(n, "", self.identity.dtype)])
        self.t_first = np.concatenate([self.t_first, t])
        self.from_bearings = np.concatenate([self.from_bearings, np.zeros(n, bool)])
        self.kind_updates = np.concatenate(
            [self.kind_updates, np.zeros((n, KIND_COLUMNS), np.int32)]
        )
        self.class_evidence = np.concatenate([self.class_evidence, np.zeros((n, CLASS_COLUMNS))])
        self.rf_station = np.concatenate(
            [self.rf_station, np.full((n, RF_STATION_SLOTS), -1, np.int32)]
        )
        self.rf_heard = np.concatenate([self.rf_heard, np.full((n, RF_STATION_SLOTS), -np.inf)])
        self.score = np.concatenate([self.score, np.zeros(n)])
        self.score_max = np.concatenate([self.score_max, np.zeros(n)])
        self.revisit = np.concatenate([self.revisit, np.ones(n)])
        self.emitter_category = np.concatenate([self.emitter_category, np.zeros(n, np.uint8)])
        self.rcs_dbsm = np.concatenate([self.rcs_dbsm, np.full(n, np.nan)])
        self.rcs_reports = np.concatenate([self.rcs_reports, np.zeros(n, np.int64)])
        self.label_mask = np.concatenate([self.label_mask, np.zeros(n, np.int64)])
        return np.arange(first, first + n)

    def keep(self, mask: npt.NDArray[np.bool_]) -> None:
        """Drop the rows where ``mask`` is False."""
        for f in fields(self):
            if f.name in ("models", "next_id", "rf_station_window_s"):
                continue
            setattr(self, f.name, getattr(self, f.name)[mask])

    def set_identity(self, rows: IntArray, identity: npt.NDArray[np.str_]) -> None:
        """Give tracks ``rows`` their cooperative identities; the column widens to the longest
        identity seen (Remote ID serials run to 20 characters and more: never truncated)."""
        text = np.asarray(identity, dtype=str)  # fixed width of the longest (object arrays too)
        if text.dtype.itemsize > self.identity.dtype.itemsize:
            self.identity = self.identity.astype(text.dtype)
        self.identity[rows] = text

    def hear_rf(self, rows: IntArray, station: IntArray, t: FloatArray) -> None:
        """Record that RF detector ``station`` updated track ``rows`` at ``t`` (each row at most
        once per call): its slot is refreshed, or the least recently heard slot taken."""
        if rows.size == 0:
            return
        slots = self.rf_station[rows]
        same = slots == station[:, None]
        slot = np.where(same.any(axis=1), same.argmax(axis=1), self.rf_heard[rows].argmin(axis=1))
        heard = np.where(same.any(axis=1), np.maximum(self.rf_heard[rows, slot], t), t)
        self.rf_station[rows, slot] = station
        self.rf_heard[rows, slot] = heard

    def rf_stations(self, rows: IntArray, t: FloatArray) -> npt.NDArray[np.uint8]:
        """Distinct RF detectors that updated each track within the window before ``t``."""
        recent = self.rf_heard[rows] >= (t - self.rf_station_window_s)[:, None]
        return np.asarray(recent.sum(axis=1), np.uint8)

    def predict(self, rows: IntArray, t: FloatArray) -> None:
        """Move the given tracks' estimates to times ``t`` (IMM mix and predict), in place."""
        if rows.size == 0:
            return
        up = up_vectors(self.x[rows, 0, :3])
        motion.predict_in_place(self.models, self.x, self.P, self.mu, self.t, rows, t, up)

    def combined(self, rows: IntArray | slice) -> tuple[FloatArray, FloatArray]:
        if isinstance(rows, slice):
            rows = np.arange(len(self))[rows]
        return motion.combine_rows(self.x, self.P, self.mu, rows)

    def extrapolated(self, rows: IntArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Combined estimate moved to ``t`` by constant velocity, without changing the store."""
        x, P = self.combined(rows)
        return motion.constant_velocity_step(x, P, t - self.t[rows], float(self.models.q.max()))

    def snapshot(self, t: float | None = None, rows: IntArray | None = None) -> TrackBatch:
        """The tracks (all, or ``rows``) as a TrackBatch, extrapolated to ``t`` if given."""
        idx = np.arange(len(self)) if rows is None else rows
        if t is None:
            x, P = self.combined(idx)
            times = self.t[idx]
        else:
            times = np.full(idx.size, t)
            x, P = self.extrapolated(idx, times)
        return TrackBatch(
            track_id=self.track_id[idx].copy(),
            t=times,
            status=self.status[idx].copy(),
            state=x,
            covariance=P,
            t_last_update=self.t_last_update[idx].copy(),
            n_updates=self.n_updates[idx].copy(),
            sensor_kinds=self.sensor_kinds[idx].copy(),
            identity=self.identity[idx].copy(),
            t_first=self.t_first[idx].copy(),
            kind_updates=self.kind_updates[idx].copy(),
            class_evidence=self.class_evidence[idx].copy(),
            rf_stations=self.rf_stations(idx, times),
            existence=1.0 / (1.0 + np.exp(-np.clip(self.score[idx], -700.0, 700.0))),
            emitter_category=self.emitter_category[idx].copy(),
            rcs_dbsm=self.rcs_dbsm[idx].copy(),
            label_mask=self.label_mask[idx].copy(),
        )

    def confirmed(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.status == TrackStatus.CONFIRMED)
