"""Late reports used exactly: re-filtering from a short stored history.

A report measured before the tracker's current time (beyond the reorder window, or a live
straggler behind the watermark) would, processed in time order, have updated its track between
two updates the track has already had. This part keeps, for ``history_s`` seconds, every
posterior of every track — the IMM's model-conditioned states, covariances and probabilities at
the time of the report that made it — and a reference to that report. A late report is
associated with a track at its own time (gated against the track's posterior just before it,
extrapolated, global nearest neighbour among the late reports); the track is then restored to
that posterior and the stored reports after it are run again, with the late one in its place,
through the tracker's own predict and update: the result is the state in-order processing would
have reached (re-filtering; the exact alternative to Bar-Shalom's one-step-lag retrodiction,
"Update with out-of-sequence measurements in tracking: exact solution", IEEE TAES 38(3), 2002,
which is exact for a single Kalman filter but not for an IMM, whose mixing depends on every
update in between).

The history itself, bounded in time and size, is ``history.History``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import TrackStatus
from dronewall.core.types import ReportBatch
from dronewall.tracking.history import HISTORY_S, MAX_ENTRIES, Entries, History
from dronewall.tracking.measurements import Geometry, build_group, geometry_of
from dronewall.tracking.store import TrackStore

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Late reports (rows of the late batch) assigned to tracks (store rows)."""

    track: IntArray
    report: IntArray


class Refiltering:
    """Late reports re-filtered into their tracks from the stored history
    (``parts.LateReports``). Reports older than the history, and those no track takes, go back
    to the tracker (which buffers them while inside its reorder window, and counts the older
    ones as too late)."""

    def __init__(self, history_s: float = HISTORY_S, max_entries: int = MAX_ENTRIES):
        self.history = History(history_s, max_entries)

    def record(
        self, tracker: Tracker, track_rows: IntArray, batch: ReportBatch, rows: IntArray
    ) -> None:
        st = tracker.store
        state = (st.x[track_rows], st.P[track_rows], st.mu[track_rows])
        self.history.add(st.track_id[track_rows], st.t[track_rows], state, batch, rows)

    def forget(self, keep: BoolArray) -> None:
        """Nothing to do: entries are keyed by track id (never reused), so those of deleted
        tracks are never looked up again and leave with age."""
        return None

    def handle(self, tracker: Tracker, batch: ReportBatch) -> ReportBatch:
        covered = batch.t_measured >= tracker.now - self.history.history_s
        used = np.zeros(len(batch), bool)
        if covered.any() and len(self.history):
            pairs = self._associate(tracker, batch, np.flatnonzero(covered))
            if pairs.track.size:
                self._refilter(tracker, batch, pairs)
                used[pairs.report] = True
        tracker.stats.reports_retrodicted += int(used.sum())
        return batch if not used.any() else batch.take(np.flatnonzero(~used))

    def _associate(self, tracker: Tracker, batch: ReportBatch, late: IntArray) -> _Pairs:
        """Late reports to tracks, slice by slice of their measurement times (as the tracker
        slices reports in order), each slice by one global nearest-neighbour assignment."""
        slot = np.floor(batch.t_measured[late] / tracker.config.batch_s)
        found = [
            _associate_slice(tracker, self.history, batch, late[slot == s]) for s in np.unique(slot)
        ]
        return _Pairs(
            np.concatenate([p.track for p in found]), np.concatenate([p.report for p in found])
        )

    def _refilter(self, tracker: Tracker, batch: ReportBatch, pairs: _Pairs) -> None:
        """Restore each track to its posterior just before its earliest late report, then run
        its stored reports after that and its late reports through the tracker's predict and
        update in time order. The stored ones update the state only (their evidence is already
        counted); the late ones go through ``tracker.update`` (state, evidence, count and
        ``record``), once."""
        plan = _plan(self.history, tracker.store.track_id, batch, pairs)
        st = tracker.store
        last_update = st.t_last_update[plan.tracks].copy()
        x, P, mu, t = self.history.posteriors(plan.entries, plan.restore)
        st.x[plan.tracks], st.P[plan.tracks], st.mu[plan.tracks] = x, P, mu
        st.t[plan.tracks] = t
        self.history.supersede(plan.entries, plan.replaced)
        replay, geometry = plan.batch, geometry_of(plan.batch)
        groups = {
            g: build_group(g, np.flatnonzero(geometry == g), replay, tracker.sensors)
            for g in Geometry
            if (geometry == g).any()
        }
        for k in range(int(plan.rank.max()) + 1):
            step = np.flatnonzero(plan.rank == k)
            rows, items = plan.tracks[plan.owner[step]], plan.row[step]
            tracker.predict(rows, replay.t_measured[items])
            stored = items < plan.stored
            for g, group in groups.items():
                mine = stored & (geometry[items] == g)
                if mine.any():
                    member = np.searchsorted(group.rows, items[mine])
                    tracker.filter.update(st, group, member, rows[mine])
            self.record(tracker, rows[stored], replay, items[stored])
            if (~stored).any():
                tracker.update(rows[~stored], replay, items[~stored])
        st.t_last_update[plan.tracks] = np.maximum(last_update, st.t_last_update[plan.tracks])


def _rank_within(sorted_keys: IntArray) -> IntArray:
    """Position of each element within its run of equal keys (keys sorted)."""
    n = sorted_keys.size
    if n == 0:
        return np.zeros(0, np.int64)
    first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    return np.asarray(np.arange(n) - start, np.int64)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to re-filter: per track (store rows ``tracks``) the entry to restore; the entries
    replaced; and the reports to run, stored ones then late ones in ``batch``, as items
    (``owner`` index into ``tracks``, ``row`` in ``batch``) ranked in time within each track."""

    entries: Entries
    tracks: IntArray
    restore: IntArray
    replaced: IntArray
    batch: ReportBatch
    stored: int  # rows of ``batch`` below this are stored reports, the rest late ones
    owner: IntArray
    row: IntArray
    rank: IntArray


def _plan(history: History, track_id: IntArray, batch: ReportBatch, pairs: _Pairs) -> _Plan:
    entries = history.entries()
    tracks, inverse = np.unique(pairs.track, return_inverse=True)
    t_late = batch.t_measured[pairs.report]
    t_first = np.full(tracks.size, np.inf)
    np.minimum.at(t_first, inverse, t_late)
    ids = track_id[tracks]  # ascending: store rows keep the order ids were given in
    mine = np.flatnonzero(np.isin(entries.track_id, ids))
    owner = np.searchsorted(ids, entries.track_id[mine])
    before = entries.t[mine] <= t_first[owner]
    restore = np.full(tracks.size, -1, np.int64)
    np.maximum.at(restore, owner[before], mine[before])  # the latest, in record order
    after = mine > restore[owner]
    replaced = mine[after]
    replay = ReportBatch.concat([history.reports(entries, replaced), batch.take(pairs.report)])
    item_owner = np.concatenate([owner[after], inverse])
    item_t = np.concatenate([entries.t[replaced], t_late])
    is_late = np.r_[np.zeros(replaced.size, bool), np.ones(pairs.report.size, bool)]
    order = np.lexsort((is_late, item_t, item_owner))
    return _Plan(
        entries,
        tracks,
        restore,
        replaced,
        replay,
        replaced.size,
        item_owner[order],
        order.astype(np.int64),
        _rank_within(item_owner[order]),
    )


def _references(entries: Entries, track_id: IntArray, t: float) -> tuple[IntArray, IntArray]:
    """Store rows of the live tracks with an entry at or before ``t``, and their latest such
    entry."""
    idx = np.flatnonzero(entries.t <= t)[::-1]
    ids, first = np.unique(entries.track_id[idx], return_index=True)
    last = idx[first]
    pos = np.minimum(np.searchsorted(track_id, ids), max(track_id.size - 1, 0))
    live = track_id[pos] == ids if track_id.size else np.zeros(ids.size, bool)
    return pos[live].astype(np.int64), last[live].astype(np.int64)


def _associate_slice(
    tracker: Tracker, history: History, batch: ReportBatch, members: IntArray
) -> _Pairs:
    """Gate the late reports ``members`` (one slice) against each track's latest posterior
    before the earliest of them, then one GNN over (track, sensor) nodes, as the tracker's."""
    st, entries = tracker.store, history.entries()
    empty = _Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64))
    ref_rows, ref_entries = _references(
        entries, st.track_id, float(batch.t_measured[members].min())
    )
    if ref_rows.size == 0:
        return empty
    scratch = TrackStore(st.models)
    scratch.x, scratch.P, scratch.mu, scratch.t = history.posteriors(entries, ref_entries)
    local = np.arange(ref_rows.size)
    combined = scratch.combined(local)
    geometry = geometry_of(batch)
    track, report, cost, bearing = [], [], [], []
    for g in Geometry:
        rows = members[geometry[members] == g]
        if rows.size == 0:
            continue
        group = build_group(g, rows, batch, tracker.sensors)
        reach = tracker.sensors.max_range_m[batch.sensor_index[rows]]
        gate = tracker.config.gate(group.dimension)
        c = tracker.gater.candidates(
            group, batch.t_measured[rows], reach, scratch, local, combined, gate
        )
        track.append(ref_rows[c.track])
        report.append(rows[c.member])
        cost.append(c.nll)
        bearing.append(np.full(c.track.size, g >= Geometry.BEARING_ELEVATION))
    if not track:
        return empty
    pairs, costs = _allowed(
        tracker,
        history,
        batch,
        _Pairs(np.concatenate(track), np.concatenate(report)),
        np.concatenate(cost),
        np.concatenate(bearing),
    )
    if costs.size == 0:
        return empty
    width = len(tracker.sensors) + 1
    node = pairs.track * width + batch.sensor_index[pairs.report].astype(np.int64)
    result = tracker.associator.assign(
        node, pairs.report, costs, float(costs.max()) + 1.0, clusters=False
    )
    return _Pairs(result.track // width, result.report)


def _allowed(
    tracker: Tracker,
    history: History,
    batch: ReportBatch,
    pairs: _Pairs,
    cost: FloatArray,
    bearing: BoolArray,
) -> tuple[_Pairs, FloatArray]:
    """The tracker's rules on gated pairs: a different cooperative identity never matches (a
    matching one is the best evidence there is); a bearing does not feed a tentative track
    started from a plot; a track takes one report per sensor per slice, counting the ones it
    already had in the history."""
    st, entries = tracker.store, history.entries()
    if pairs.track.size == 0:
        return pairs, cost
    report_id, track_id = batch.identity[pairs.report], st.identity[pairs.track]
    both = (report_id != "") & (track_id != "")
    ok = ~both | (report_id == track_id)
    plot_born = (st.status[pairs.track] == TrackStatus.TENTATIVE) & ~st.from_bearings[pairs.track]
    ok &= ~(bearing & plot_born)
    width = len(tracker.sensors) + 1
    step = tracker.config.batch_s
    slot = np.floor(float(batch.t_measured[pairs.report].min()) / step)  # one slice
    here = np.floor(entries.t / step) == slot
    had = entries.track_id[here] * width + entries.sensor[here]
    keys = st.track_id[pairs.track] * width + batch.sensor_index[pairs.report].astype(np.int64)
    ok &= ~np.isin(keys, had)
    kept = _Pairs(pairs.track[ok], pairs.report[ok])
    costs = cost[ok]
    if costs.size:
        costs = costs - costs.min() + 1e-3  # positive, same order: the optimum is unchanged
        costs[(report_id[ok] != "") & (report_id[ok] == track_id[ok])] = 1e-3
    return kept, costs
