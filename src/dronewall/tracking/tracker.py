"""The multi-sensor tracker: reports in, one track per real object out.

Reports are held briefly in a reorder buffer (offline) or released by a per-sensor watermark
(live), then processed in time slices; a report later than that (out of sequence) is handed to
the late-reports part, by default ``retrodiction.Refiltering``: its track is re-filtered from
a short stored history as if the report had come in order. Within a slice, association runs in
rounds: every round gates all still-unassigned reports against all tracks, solves one global
nearest-neighbour assignment (``association``), and updates the assigned tracks with an IMM of
extended Kalman filters; a track may take at most one report per sensor per slice, so a target
seen by several sensors at once is updated by each. Position fixes and radar plots left over
start tentative tracks; bearings left over are pooled and triangulated across sensors into
fixes that start tracks. Tracks are confirmed and deleted by their existence score (a
sequential likelihood ratio against each sensor's clutter density, ``existence``), after an
expected revisit without update, or when their uncertainty blows up. Cooperative identities
(ICAO address, Remote ID serial) bind reports to the track that carries them.

Each step is a swappable part (``parts``): gater, associator, filter, initiator, track manager
and the handler of late reports, given to the constructor; the defaults are the vectorised
implementations in this package.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.core.types import ReportBatch
from dronewall.tracking import evidence, slices
from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.existence import ExistenceScorer
from dronewall.tracking.filtering import ImmFilter
from dronewall.tracking.gating import Candidates
from dronewall.tracking.initiation import PointsAndBearings
from dronewall.tracking.management import ScoreAndRevisit
from dronewall.tracking.measurements import (
    Geometry,
    MeasurementGroup,
    build_group,
    geometry_of,
    valid_rows,
)
from dronewall.tracking.motion import ModelSet
from dronewall.tracking.parts import (
    Associator,
    ChiSquareGater,
    Filter,
    Gater,
    Initiator,
    LateReports,
    NearestNeighbour,
    TrackManager,
)
from dronewall.tracking.plausibility import IdentityScreen
from dronewall.tracking.retrodiction import Refiltering
from dronewall.tracking.slices import SliceState
from dronewall.tracking.stats import TrackerStats
from dronewall.tracking.store import TrackStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CLUSTER_SAMPLING = 16  # count gate-graph clusters on one slice in this many (monitoring only)
# The expected revisit of a track: a running mean (gain 0.3, ~3 updates) of the intervals
# between its updates, within 0.1–30 s (several sensors at once; a long fade).
REVISIT_GAIN, REVISIT_MIN_S, REVISIT_MAX_S = 0.3, 0.1, 30.0
MAX_ROUNDS = 6  # association rounds per slice: more sensors than this seeing one target is rare


class Tracker:
    """Feed ``process`` with report batches in arrival order; read ``tracks``.

    The parts (``parts``) default to chi-square gating, global nearest neighbour, the IMM,
    point and bearing initiation, confirmation by count and deletion by timeout, and the
    reorder window for late reports."""

    def __init__(
        self,
        sensors: SensorGeometry,
        config: TrackerConfig | None = None,
        *,
        gater: Gater | None = None,
        associator: Associator | None = None,
        filter: Filter | None = None,
        initiator: Initiator | None = None,
        manager: TrackManager | None = None,
        late: LateReports | None = None,
        screen: IdentityScreen | bool | None = True,
    ):
        self._sensors = sensors
        self._label_bits = sensors.label_table.sensor_bits  # each sensor's label bit
        self.gater: Gater = gater or ChiSquareGater()
        self.associator: Associator = associator or NearestNeighbour()
        self.filter: Filter = filter or ImmFilter()
        self.initiator: Initiator = initiator or PointsAndBearings()
        self.manager: TrackManager = manager or ScoreAndRevisit()
        self.late: LateReports = late or Refiltering()
        # First part: cooperative fixes that jump impossibly for their identity (spoofed GNSS,
        # a bad decode) are flagged, counted and kept out of the tracks (``plausibility``).
        self.screen = IdentityScreen() if screen is True else (screen or None)
        self.config = config or TrackerConfig()
        self.store = TrackStore(
            ModelSet.from_config(self.config),
            rf_station_window_s=self.config.rf_station_window_s,
        )
        self.stats = TrackerStats()
        self.scorer = ExistenceScorer(sensors, self.config)
        self.now = -np.inf  # measurement time processed so far
        self._latest = -np.inf  # latest measurement time seen
        self.processed_to = -np.inf  # every report measured before this has been processed
        self._sensor_latest = np.zeros(0)  # by sensor index: latest measurement time seen
        self._buffer: list[ReportBatch] = []

    @property
    def sensors(self) -> SensorGeometry:
        """The sensor table; a live feed replaces it when a sensor joins (rows are only ever
        appended, so indices stay valid) and the parts that keep per-sensor state follow."""
        return self._sensors

    @sensors.setter
    def sensors(self, sensors: SensorGeometry) -> None:
        self._sensors = sensors
        self._label_bits = sensors.label_table.sensor_bits
        self.scorer.use(sensors)

    # ---- input -------------------------------------------------------------------------
    def process(self, batch: ReportBatch) -> None:
        """Take reports (any order); process those the reorder window has released."""
        self.stats.reports_in += len(batch)
        ok = valid_rows(batch, self.sensors)
        self.stats.reports_rejected += int((~ok).sum())
        batch = _select(batch, ok)
        if self.screen is not None and len(batch):
            plausible = self.screen.screen(batch).ok
            self.stats.reports_implausible += int((~plausible).sum())
            batch = _select(batch, plausible)
        if len(batch) == 0:
            return
        self._latest = max(self._latest, float(batch.t_measured.max()))
        late = batch.t_measured < self.now
        if late.any():
            batch = self._late(batch, late)
        self._buffer.append(batch)
        # Release whole slices only, so that how reports happen to be chunked on arrival never
        # changes which reports are associated together. Without a reorder window nothing
        # older is expected, so everything up to now goes (scan-by-scan input).
        step, window = self.config.batch_s, self.config.reorder_window_s
        if window <= 0:
            self._release(np.nextafter(self._latest, np.inf))
        elif not self.config.hold_back:
            self._heard(batch)
            self._release(np.nextafter(self._watermark(), np.inf))
        else:
            self._release(np.floor((self._latest - window) / step) * step)

    def _late(self, batch: ReportBatch, late: npt.NDArray[np.bool_]) -> ReportBatch:
        """Late reports go to the LateReports part; those it returns are buffered while inside
        the reorder window, dropped (counted) when older."""
        back = self.late.handle(self, batch.take(np.flatnonzero(late)))
        too_old = back.t_measured < self.now - self.config.reorder_window_s
        self.stats.reports_too_late += int(too_old.sum())
        self.stats.reports_late += int((~too_old).sum())
        return ReportBatch.concat([batch.take(np.flatnonzero(~late)), _select(back, ~too_old)])

    def _heard(self, batch: ReportBatch) -> None:
        """Each sensor's latest measurement time, for the live release horizon."""
        n = len(self.sensors)
        if self._sensor_latest.size < n:
            grown = np.full(n, -np.inf)
            grown[: self._sensor_latest.size] = self._sensor_latest
            self._sensor_latest = grown
        np.maximum.at(self._sensor_latest, batch.sensor_index, batch.t_measured)

    def _watermark(self) -> float:
        """The live release horizon: the time up to which every sensor still reporting (heard
        within the reorder window of the newest report) has reported. Only a sensor that is
        late holds the others back, and for no longer than its own lateness; a sensor that
        falls silent stops holding them once the window has passed."""
        latest = self._sensor_latest
        active = latest[latest >= self._latest - self.config.reorder_window_s]
        return float(active.min()) if active.size else self._latest

    def advance(self, t: float) -> None:
        """Time has reached ``t`` (live feeds, wall clock) whether or not reports came: release
        what the reorder window lets go, and coast and delete tracks up to that time."""
        if not np.isfinite(t):
            return
        self._latest = max(self._latest, t)
        step, window = self.config.batch_s, self.config.reorder_window_s
        if window > 0 and self.config.hold_back:
            horizon = np.floor((t - window) / step) * step
        else:
            horizon = self._watermark() if window > 0 else t
        self._release(np.nextafter(horizon, np.inf))
        if horizon > self.now:
            self.now = float(horizon)
            self._manage(self.now)

    def flush(self) -> None:
        """Process everything still buffered (end of a run)."""
        self._release(np.inf)

    def _release(self, horizon: float) -> None:
        self.processed_to = max(self.processed_to, float(horizon))
        if not self._buffer:
            return
        pending = self._buffer[0] if len(self._buffer) == 1 else ReportBatch.concat(self._buffer)
        ready = pending.t_measured < horizon
        self._buffer = [_select(pending, ~ready)] if (~ready).any() else []
        batch = _select(pending, ready)
        if len(batch) == 0:
            return
        order = np.argsort(batch.t_measured, kind="stable")
        if np.any(order != np.arange(order.size)):
            batch = batch.take(order)
        step = self.config.batch_s
        slot = np.floor(batch.t_measured / step)
        bounds = np.flatnonzero(np.diff(slot)) + 1
        if bounds.size == 0:
            self._slice(batch)
            return
        for rows in np.split(np.arange(len(batch)), bounds):
            self._slice(batch.take(rows))

    # ---- one slice ---------------------------------------------------------------------
    def _slice(self, batch: ReportBatch) -> None:
        self.stats.slices += 1
        geometry = geometry_of(batch)
        groups: dict[Geometry, MeasurementGroup] = {}
        for g in Geometry:
            rows = np.flatnonzero(geometry == g)
            if rows.size:
                groups[g] = build_group(g, rows, batch, self.sensors)
        members = {g: np.arange(grp.rows.size) for g, grp in groups.items()}
        state = SliceState(batch, groups, members, geometry)
        # A track takes one report per sensor per slice: with a single sensor in the slice a
        # second round could never assign anything.
        rounds = 1 if np.unique(batch.sensor_index).size == 1 else MAX_ROUNDS
        for _ in range(rounds):
            if not self._round(state):
                break
        left = {g: state.groups[g].subset(m) for g, m in state.pending.items() if m.size}
        t_end = float(batch.t_measured.max())
        self.scorer.note_left(batch, left, t_end)
        old = len(self.store)
        self.initiator.start(self, batch, left)
        used = np.concatenate(state.used_keys) if state.used_keys else np.zeros(0, np.int64)
        self.scorer.missed(self.store, batch, used, len(self.sensors) + 1, old)
        self.now = max(self.now, float(batch.t_measured.max()))
        self._manage(self.now)

    def _round(self, s: SliceState) -> bool:
        """One association round; False when nothing more could be assigned.

        After the first round only tracks already updated in this slice can gain a report: any
        other track with a report in its gate would have been given it already."""
        rows = slices.open_tracks(s, self.store, len(self.sensors) + 1)
        if rows.size == 0:
            return False
        combined = self.store.combined(rows)
        found: list[tuple[Geometry, Candidates]] = []
        for g, members in s.pending.items():
            if members.size == 0:
                continue
            group = s.groups[g].subset(members)
            times = s.batch.t_measured[group.rows]
            reach = self.sensors.max_range_m[s.batch.sensor_index[group.rows]]
            gate = self.config.gate(group.dimension)
            c = self.gater.candidates(group, times, reach, self.store, rows, combined, gate)
            found.append((g, Candidates(c.track, members[c.member], c.d2, c.nll)))
        tracks, reports, costs, _geoms = slices.costs(s, self.store, len(self.sensors) + 1, found)
        if tracks.size == 0:
            return False
        # One assignment node per (track, sensor): reports of different sensors never compete
        # for a track, so a target seen by several sensors at once takes one report from each.
        # Leaving a node or a report alone costs more than any gated pair: GNN takes as many
        # gated pairs as it can, then the likeliest (Blackman and Popoli §6.5).
        sensor = s.batch.sensor_index[reports].astype(np.int64)
        width = len(self.sensors) + 1
        sample = self.stats.slices % CLUSTER_SAMPLING == 0  # cluster sizes: a sampled statistic
        result = self.associator.assign(
            tracks * width + sensor, reports, costs, float(costs.max()) + 1.0, clusters=sample
        )
        if result.track.size == 0:
            return False
        self.stats.largest_cluster = max(self.stats.largest_cluster, result.largest_cluster)
        track_rows = result.track // width
        s.touched.append(track_rows)
        s.used_keys.append(
            slices.node_keys(
                self.store, len(self.sensors) + 1, track_rows, s.batch.sensor_index[result.report]
            )
        )
        for track_part, report_part in slices.in_passes(
            track_rows, result.report, s.batch.t_measured
        ):
            self.predict(track_part, s.batch.t_measured[report_part])  # one IMM step each
            report_geometry = s.geometry[report_part]
            for g in list(s.pending):
                taken = report_geometry == g
                if not taken.any():
                    continue
                member = np.searchsorted(s.groups[g].rows, report_part[taken])
                self._update_group(s.groups[g], member, track_part[taken], s.batch)
                s.pending[g] = s.pending[g][~np.isin(s.pending[g], member, assume_unique=True)]
        return True

    # ---- entry points for the parts ----------------------------------------------------
    def predict(self, track_rows: IntArray, t: FloatArray) -> None:
        """Move the distinct tracks ``track_rows`` to times ``t`` (the filter's predict)."""
        self.filter.predict(self.store, track_rows, t)

    def update(self, track_rows: IntArray, batch: ReportBatch, rows: IntArray) -> None:
        """Update the distinct tracks ``track_rows``, already predicted to the times of their
        reports ``rows`` of ``batch`` (one each), by those reports; any geometry."""
        geometry = geometry_of(batch.take(rows))
        for g in Geometry:
            mine = np.flatnonzero(geometry == g)
            if mine.size:
                group = build_group(g, rows[mine], batch, self.sensors)
                self._update_group(group, np.arange(mine.size), track_rows[mine], batch)

    def _update_group(
        self, group: MeasurementGroup, member: IntArray, track_rows: IntArray, batch: ReportBatch
    ) -> None:
        st = self.store
        rows = group.rows[member]
        points = group.geometry in (Geometry.POSITION, Geometry.RADAR)
        prior = st.combined(track_rows) if points else None
        loglik = self.filter.update(st, group, member, track_rows)
        t = batch.t_measured[rows]
        sensor = batch.sensor_index[rows].astype(np.int64)
        self.scorer.scored(st, group, member, track_rows, prior, loglik, sensor, float(t.max()))
        interval = np.clip(t - st.t_last_update[track_rows], REVISIT_MIN_S, REVISIT_MAX_S)
        st.revisit[track_rows] += REVISIT_GAIN * (interval - st.revisit[track_rows])
        st.t_last_update[track_rows] = t
        st.n_updates[track_rows] += 1
        st.label_mask[track_rows] |= self._label_bits[sensor]
        evidence.stamp(st, track_rows, batch, rows)
        self.stats.updates += track_rows.size
        self.late.record(self, track_rows, batch, rows)

    def start(
        self,
        state: FloatArray,
        covariance: FloatArray,
        batch: ReportBatch,
        rows: IntArray,
        *,
        t: FloatArray | None = None,
        also: IntArray | None = None,
    ) -> IntArray:
        """Start tentative tracks (n, 6), (n, 6, 6) from reports ``rows`` of ``batch`` (one
        each), at their times or ``t``. ``also``: further bearings of ``batch`` that made a
        single triangulated track (``rows`` one row) — their stations heard it too."""
        new = self.store.add(state, covariance, batch.t_measured[rows] if t is None else t)
        evidence.stamp(self.store, new, batch, rows)
        bits = self._label_bits
        self.store.label_mask[new] |= bits[batch.sensor_index[rows]]
        self.store.revisit[new] = self.sensors.revisit_s[batch.sensor_index[rows]]
        self.store.score[new] = self.scorer.initial(batch, rows, also is not None)
        self.store.score_max[new] = self.store.score[new]
        if also is not None:
            self.store.from_bearings[new] = True
            for member in also:  # the other stations whose bearings crossed here
                evidence.hear_rf(self.store, new, batch, member[None])
                self.store.label_mask[new] |= bits[batch.sensor_index[member]]
            self.store.n_updates[new] = 1 + also.size
        self.stats.tracks_started += new.size
        self.late.record(self, new, batch, rows)
        return new

    def drop(self, keep: npt.NDArray[np.bool_]) -> None:
        """Delete the tracks where ``keep`` is False."""
        self.stats.tracks_deleted += int((~keep).sum())
        self.store.keep(keep)
        self.late.forget(keep)

    def _manage(self, now: float) -> None:
        keep = self.manager.manage(self, now)
        if not keep.all():
            self.drop(keep)

    # ---- output ------------------------------------------------------------------------
    def tracks(self, t: float | None = None, confirmed_only: bool = True) -> TrackBatch:
        """Current tracks, extrapolated to ``t`` when given."""
        rows = np.flatnonzero(self.store.confirmed()) if confirmed_only else None
        return self.store.snapshot(t, rows)


def _select(batch: ReportBatch, mask: npt.NDArray[np.bool_]) -> ReportBatch:
    """Rows where ``mask`` holds — the batch itself when that is all of them (no copy)."""
    return batch if bool(mask.all()) else batch.take(np.flatnonzero(mask))
