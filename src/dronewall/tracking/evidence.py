"""What each report says about its track beyond kinematics, kept in the track store: which
kinds of sensor saw it, its cooperative identity, the classes sensors declare and the RF
detectors that heard it — the evidence ``identify`` reads from ``TrackBatch``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import CLASS_COLUMNS
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.tracking.store import TrackStore

IntArray = npt.NDArray[np.int64]


def stamp(store: TrackStore, track_rows: IntArray, batch: ReportBatch, rows: IntArray) -> None:
    """Add the evidence of reports ``rows`` to tracks ``track_rows`` (distinct): the sensor
    kind, the cooperative identity (adopted by a track that has none), the ADS-B emitter
    category (the latest given) and any declared class
    (as log-likelihoods: log c for the declared class, log((1 − c)/2) for each other class,
    log ⅓ for "unknown")."""
    st = store
    kind = batch.sensor_kind[rows]
    st.sensor_kinds[track_rows] |= (1 << kind.astype(np.uint16)).astype(np.uint16)
    st.kind_updates[track_rows, kind.astype(np.int64)] += 1
    hear_rf(st, track_rows, batch, rows)
    identity = batch.identity[rows]
    adopt = (identity != "") & (st.identity[track_rows] == "")
    if adopt.any():
        st.set_identity(track_rows[adopt], identity[adopt])
    category = batch.emitter_category[rows]
    given = category > 0  # the latest category given wins (an aircraft may change its code)
    st.emitter_category[track_rows[given]] = category[given]
    rcs = batch.rcs_dbsm[rows]
    measured = np.isfinite(rcs)
    if measured.any():
        add_rcs(st, track_rows[measured], rcs[measured])
    declared = batch.declared_class[rows].astype(np.int64)
    has = (declared > 0) & (batch.class_confidence[rows] > 0)
    if has.any():
        c = np.clip(batch.class_confidence[rows][has].astype(float), 1e-3, 1 - 1e-3)
        evidence = np.zeros((int(has.sum()), CLASS_COLUMNS))
        evidence[:, 0] = np.log(1.0 / 3.0)  # "unknown" explains any declaration equally
        evidence[:, 1:] = np.log((1.0 - c) / 2.0)[:, None]
        evidence[np.arange(c.size), declared[has]] = np.log(c)
        st.class_evidence[track_rows[has]] += evidence


# A radar's RCS of one object swings by several dB from scan to scan (Swerling fluctuation);
# averaged over ten reports it settles within ~1–2 dB, while a track that jumps from a drone to
# an airliner takes the airliner's size within a few of them.
RCS_MEMORY = 10


def add_rcs(store: TrackStore, track_rows: IntArray, rcs_dbsm: npt.NDArray[np.float64]) -> None:
    """Fold radar cross-sections (dBsm) into the tracks' running means: the plain mean of the
    first ``RCS_MEMORY`` reports, then an exponential mean of that memory."""
    store.rcs_reports[track_rows] += 1
    gain = 1.0 / np.minimum(store.rcs_reports[track_rows], RCS_MEMORY)
    old = np.nan_to_num(store.rcs_dbsm[track_rows], nan=0.0)
    store.rcs_dbsm[track_rows] = old + gain * (rcs_dbsm - old)


def hear_rf(store: TrackStore, track_rows: IntArray, batch: ReportBatch, rows: IntArray) -> None:
    """Record the RF detectors among the reports' sensors (``TrackStore.hear_rf``); the track
    rows of one call are distinct."""
    rf = batch.sensor_kind[rows] == int(SensorKind.RF)
    heard = rows[rf]
    store.hear_rf(
        track_rows[rf], batch.sensor_index[heard].astype(np.int64), batch.t_measured[heard]
    )
