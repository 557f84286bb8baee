"""One time slice's association bookkeeping: the reports still unassigned, which tracks may
still take one, and the cost of every gated pair (negative log-likelihood, with the rules that
a track takes at most one report per sensor per slice and that cooperative identities bind).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import TrackStatus
from dronewall.core.types import ReportBatch
from dronewall.tracking.gating import Candidates
from dronewall.tracking.measurements import Geometry, MeasurementGroup
from dronewall.tracking.store import TrackStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class SliceState:
    """What one slice's association rounds share: its reports, grouped by geometry, those still
    unassigned (members of each group), and the (track, sensor) keys already used."""

    batch: ReportBatch
    groups: dict[Geometry, MeasurementGroup]
    pending: dict[Geometry, IntArray]
    geometry: IntArray  # Geometry of each batch row
    used_keys: list[IntArray] = field(default_factory=list)
    touched: list[IntArray] = field(default_factory=list)  # track rows updated in this slice


def open_tracks(s: SliceState, store: TrackStore, width: int) -> IntArray:
    """Tracks that may still take a report in this slice: all in the first round; later,
    only tracks already updated in it that have not yet used every pending sensor."""
    if not s.touched:
        return np.arange(len(store))
    rows = np.unique(np.concatenate(s.touched))
    sensors = np.unique(
        np.concatenate([s.batch.sensor_index[s.groups[g].rows[m]] for g, m in s.pending.items()])
    )
    if sensors.size == 0:
        return np.zeros(0, np.int64)
    keys = node_keys(store, width, np.repeat(rows, sensors.size), np.tile(sensors, rows.size))
    free = ~np.isin(keys, np.concatenate(s.used_keys)).reshape(rows.size, sensors.size)
    return rows[free.any(axis=1)]


def node_keys(
    store: TrackStore, width: int, track_rows: IntArray, sensor: npt.NDArray[np.int32]
) -> IntArray:
    return store.track_id[track_rows] * width + sensor.astype(np.int64)


def costs(
    s: SliceState, store: TrackStore, width: int, found: list[tuple[Geometry, Candidates]]
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Normalised costs of all gated pairs, as (track row, batch row, cost, geometry)."""
    if not found:
        z = np.zeros(0, np.int64)
        return z, z, np.zeros(0), z
    tracks = np.concatenate([c.track for _, c in found])
    reports = np.concatenate([s.groups[g].rows[c.member] for g, c in found])
    costs = np.concatenate([c.nll for _, c in found])
    geoms = np.concatenate([np.full(c.track.size, int(g)) for g, c in found])
    ok = np.ones(tracks.size, bool)
    if s.used_keys:  # at most one report per sensor per track in a slice
        keys = node_keys(store, width, tracks, s.batch.sensor_index[reports])
        ok &= ~np.isin(keys, np.concatenate(s.used_keys))
    report_id = s.batch.identity[reports]
    track_id = store.identity[tracks]
    both = (report_id != "") & (track_id != "")
    ok &= ~both | (report_id == track_id)  # a different cooperative identity never matches
    # A bearing cannot confirm a track started from a plot: along its ray it fits any
    # tentative track, so such tracks wait for plots or position fixes.
    bearing = geoms >= int(Geometry.BEARING_ELEVATION)
    plot_born = (store.status[tracks] == TrackStatus.TENTATIVE) & ~store.from_bearings[tracks]
    ok &= ~(bearing & plot_born)
    tracks, reports, costs, geoms = tracks[ok], reports[ok], costs[ok], geoms[ok]
    if costs.size:
        costs = costs - costs.min() + 1e-3  # positive, same order: the optimum is unchanged
        known = (s.batch.identity[reports] != "") & (
            s.batch.identity[reports] == store.identity[tracks]
        )
        costs[known] = 1e-3  # a matching cooperative identity is the best evidence there is
    return tracks, reports, costs, geoms


def in_passes(
    track_rows: IntArray, report_rows: IntArray, t: FloatArray
) -> list[tuple[IntArray, IntArray]]:
    """Split assigned pairs into passes in which every track appears once, in time order of
    its reports, so that a track given reports from several sensors is updated sequentially."""
    order = np.lexsort((t[report_rows], track_rows))
    tr, rp = track_rows[order], report_rows[order]
    first = np.r_[True, tr[1:] != tr[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(tr.size), 0))
    rank = np.arange(tr.size) - start
    return [(tr[rank == k], rp[rank == k]) for k in range(int(rank.max()) + 1 if tr.size else 0)]
