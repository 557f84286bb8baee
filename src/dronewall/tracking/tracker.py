"""The multi-sensor tracker: reports in, one track per real object out.

Reports are held briefly in a reorder buffer so that late and out-of-order reports are used in
time order; then they are processed in time slices. Within a slice, association runs in
rounds: every round gates all still-unassigned reports against all tracks, solves one global
nearest-neighbour assignment (``association``), and updates the assigned tracks with an IMM of
extended Kalman filters; a track may take at most one report per sensor per slice, so a target
seen by several sensors at once is updated by each. Position fixes and radar plots left over
start tentative tracks; bearings left over are pooled and triangulated across sensors into
fixes that start tracks. Tracks are confirmed after ``confirm_hits`` updates and deleted after a
quiet time or when their uncertainty blows up. Cooperative identities (ICAO address, Remote ID
serial) bind reports to the track that carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.geodesy import ecef_to_enu_rotation, ecef_to_geodetic
from dronewall.core.tracks import CLASS_COLUMNS, SensorGeometry, TrackBatch, TrackStatus
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.tracking import kalman
from dronewall.tracking.association import assign
from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.gating import Candidates, candidates
from dronewall.tracking.measurements import (
    Geometry,
    MeasurementGroup,
    build_group,
    geometry_of,
    valid_rows,
)
from dronewall.tracking.motion import ModelSet
from dronewall.tracking.store import TrackStore
from dronewall.tracking.triangulation import Bearings, triangulate

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CLUSTER_SAMPLING = 16  # count gate-graph clusters on one slice in this many (monitoring only)
MAX_ROUNDS = 6  # association rounds per slice: more sensors than this seeing one target is rare
VELOCITY_SIGMA_COOPERATIVE = 5.0  # m/s: velocity reported by ADS-B or Remote ID


@dataclass(slots=True)
class TrackerStats:
    """Counters for monitoring (exported as metrics by the runtime)."""

    reports_in: int = 0
    reports_rejected: int = 0  # malformed or from an unknown sensor
    reports_late: int = 0  # arrived after their slice was processed, still used
    reports_too_late: int = 0  # older than the reorder window allows: not used
    updates: int = 0
    tracks_started: int = 0
    tracks_confirmed: int = 0
    tracks_deleted: int = 0
    triangulated: int = 0
    largest_cluster: int = 0  # largest gate-graph cluster seen (sampled on 1 slice in 16)
    slices: int = 0


@dataclass(slots=True)
class _Slice:
    batch: ReportBatch
    groups: dict[Geometry, MeasurementGroup]
    pending: dict[Geometry, IntArray]
    geometry: IntArray  # Geometry of each batch row
    used_keys: list[IntArray] = field(default_factory=list)
    touched: list[IntArray] = field(default_factory=list)  # track rows updated in this slice


class Tracker:
    """Feed ``process`` with report batches in arrival order; read ``tracks``."""

    def __init__(self, sensors: SensorGeometry, config: TrackerConfig | None = None):
        self.sensors = sensors
        self.config = config or TrackerConfig()
        self.store = TrackStore(
            ModelSet.from_config(self.config),
            rf_station_window_s=self.config.rf_station_window_s,
        )
        self.stats = TrackerStats()
        self.now = -np.inf  # measurement time processed so far
        self._latest = -np.inf  # latest measurement time seen
        self.processed_to = -np.inf  # every report measured before this has been processed
        self._sensor_latest = np.zeros(0)  # by sensor index: latest measurement time seen
        self._buffer: list[ReportBatch] = []
        self._pool = ReportBatch.empty()  # unassigned bearings awaiting triangulation

    # ---- input -------------------------------------------------------------------------
    def process(self, batch: ReportBatch) -> None:
        """Take reports (any order); process those the reorder window has released."""
        self.stats.reports_in += len(batch)
        ok = valid_rows(batch, self.sensors)
        self.stats.reports_rejected += int((~ok).sum())
        batch = _select(batch, ok)
        if len(batch) == 0:
            return
        too_old = batch.t_measured < self.now - self.config.reorder_window_s
        self.stats.reports_too_late += int(too_old.sum())
        late = ~too_old & (batch.t_measured < self.now)
        self.stats.reports_late += int(late.sum())
        self._buffer.append(_select(batch, ~too_old))
        self._latest = max(self._latest, float(batch.t_measured.max()))
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
        state = _Slice(batch, groups, members, geometry)
        # A track takes one report per sensor per slice: with a single sensor in the slice a
        # second round could never assign anything.
        rounds = 1 if np.unique(batch.sensor_index).size == 1 else MAX_ROUNDS
        for _ in range(rounds):
            if not self._round(state):
                break
        self._start_from_points(state)
        self._start_from_bearings(state)
        self.now = max(self.now, float(batch.t_measured.max()))
        self._manage(self.now)

    def _round(self, s: _Slice) -> bool:
        """One association round; False when nothing more could be assigned.

        After the first round only tracks already updated in this slice can gain a report: any
        other track with a report in its gate would have been given it already."""
        rows = self._open_tracks(s)
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
            c = candidates(group, times, reach, self.store, rows, combined, gate)
            found.append((g, Candidates(c.track, members[c.member], c.d2, c.nll)))
        tracks, reports, costs, _geoms = self._costs(s, found)
        if tracks.size == 0:
            return False
        # One assignment node per (track, sensor): reports of different sensors never compete
        # for a track, so a target seen by several sensors at once takes one report from each.
        # Leaving a node or a report alone costs more than any gated pair: GNN takes as many
        # gated pairs as it can, then the likeliest (Blackman and Popoli §6.5).
        sensor = s.batch.sensor_index[reports].astype(np.int64)
        width = len(self.sensors) + 1
        sample = self.stats.slices % CLUSTER_SAMPLING == 0  # cluster sizes: a sampled statistic
        result = assign(
            tracks * width + sensor, reports, costs, float(costs.max()) + 1.0, clusters=sample
        )
        if result.track.size == 0:
            return False
        self.stats.largest_cluster = max(self.stats.largest_cluster, result.largest_cluster)
        track_rows = result.track // width
        s.touched.append(track_rows)
        s.used_keys.append(self._keys(track_rows, s.batch.sensor_index[result.report]))
        for track_part, report_part in _in_passes(track_rows, result.report, s.batch.t_measured):
            self.store.predict(track_part, s.batch.t_measured[report_part])  # one IMM step each
            report_geometry = s.geometry[report_part]
            for g in list(s.pending):
                taken = report_geometry == g
                if not taken.any():
                    continue
                member = np.searchsorted(s.groups[g].rows, report_part[taken])
                self._update(s.groups[g], member, track_part[taken], s.batch)
                s.pending[g] = s.pending[g][~np.isin(s.pending[g], member, assume_unique=True)]
        return True

    def _open_tracks(self, s: _Slice) -> IntArray:
        """Tracks that may still take a report in this slice: all in the first round; later,
        only tracks already updated in it that have not yet used every pending sensor."""
        if not s.touched:
            return np.arange(len(self.store))
        rows = np.unique(np.concatenate(s.touched))
        sensors = np.unique(
            np.concatenate(
                [s.batch.sensor_index[s.groups[g].rows[m]] for g, m in s.pending.items()]
            )
        )
        if sensors.size == 0:
            return np.zeros(0, np.int64)
        keys = self._keys(np.repeat(rows, sensors.size), np.tile(sensors, rows.size))
        free = ~np.isin(keys, np.concatenate(s.used_keys)).reshape(rows.size, sensors.size)
        return rows[free.any(axis=1)]

    def _keys(self, track_rows: IntArray, sensor: npt.NDArray[np.int32]) -> IntArray:
        return self.store.track_id[track_rows] * (len(self.sensors) + 1) + sensor.astype(np.int64)

    def _costs(
        self, s: _Slice, found: list[tuple[Geometry, Candidates]]
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
            keys = self._keys(tracks, s.batch.sensor_index[reports])
            ok &= ~np.isin(keys, np.concatenate(s.used_keys))
        report_id = s.batch.identity[reports]
        track_id = self.store.identity[tracks]
        both = (report_id != "") & (track_id != "")
        ok &= ~both | (report_id == track_id)  # a different cooperative identity never matches
        # A bearing cannot confirm a track started from a plot: along its ray it fits any
        # tentative track, so such tracks wait for plots or position fixes.
        bearing = geoms >= int(Geometry.BEARING_ELEVATION)
        plot_born = (
            self.store.status[tracks] == TrackStatus.TENTATIVE
        ) & ~self.store.from_bearings[tracks]
        ok &= ~(bearing & plot_born)
        tracks, reports, costs, geoms = tracks[ok], reports[ok], costs[ok], geoms[ok]
        if costs.size:
            costs = costs - costs.min() + 1e-3  # positive, same order: the optimum is unchanged
            known = (s.batch.identity[reports] != "") & (
                s.batch.identity[reports] == self.store.identity[tracks]
            )
            costs[known] = 1e-3  # a matching cooperative identity is the best evidence there is
        return tracks, reports, costs, geoms

    # ---- filtering ---------------------------------------------------------------------
    def _update(
        self, group: MeasurementGroup, member: IntArray, track_rows: IntArray, batch: ReportBatch
    ) -> None:
        """Measurement update of tracks already predicted to their reports' times."""
        st = self.store
        t = batch.t_measured[group.rows[member]]
        k, m = track_rows.size, st.models.size
        position = st.x[track_rows, :, :3].reshape(k * m, 3)
        rep = np.repeat(member, m)
        z_pred, H = group.predict(position, rep)
        nu = kalman.innovation(group.z[rep], z_pred, group.angular)
        ll = kalman.update_rows(st.x, st.P, track_rows, nu, H, group.R[rep])
        if m > 1:
            weights = st.mu[track_rows] * np.exp(ll - ll.max(axis=1, keepdims=True))
            st.mu[track_rows] = weights / weights.sum(axis=1, keepdims=True)
        rows = group.rows[member]
        st.t_last_update[track_rows] = t
        st.n_updates[track_rows] += 1
        self._evidence(track_rows, batch, rows)
        self.stats.updates += k

    # ---- initiation --------------------------------------------------------------------
    def _start_from_points(self, s: _Slice) -> None:
        for g in (Geometry.POSITION, Geometry.RADAR):
            if g not in s.groups or s.pending[g].size == 0:
                continue
            group = s.groups[g].subset(s.pending[g])
            rows = group.rows
            n = rows.size
            state = np.zeros((n, 6))
            state[:, :3] = group.point
            cov = np.zeros((n, 6, 6))
            cov[:, :3, :3] = group.position_covariance()
            sigma_v = np.full(n, self.config.initial_speed_sigma)
            self._cooperative_velocity(s.batch, rows, group, state, sigma_v)
            cov[:, [3, 4, 5], [3, 4, 5]] = sigma_v[:, None] ** 2
            new = self.store.add(state, cov, s.batch.t_measured[rows])
            self._stamp(new, s.batch, rows)
            s.pending[g] = np.zeros(0, np.int64)

    def _cooperative_velocity(
        self,
        batch: ReportBatch,
        rows: IntArray,
        group: MeasurementGroup,
        state: FloatArray,
        sigma_v: FloatArray,
    ) -> None:
        """ADS-B and Remote ID report speed and course: start those tracks moving."""
        known = np.isfinite(batch.speed_mps[rows]) & np.isfinite(batch.course_deg[rows])
        if not known.any():
            return
        lat, lon, _ = ecef_to_geodetic(group.point[known])
        course = np.radians(batch.course_deg[rows][known])
        speed = batch.speed_mps[rows][known]
        enu = np.column_stack(
            [speed * np.sin(course), speed * np.cos(course), np.zeros_like(speed)]
        )
        rotation = ecef_to_enu_rotation(lat, lon)
        state[known, 3:] = np.einsum("nji,nj->ni", rotation, enu)
        sigma_v[known] = VELOCITY_SIGMA_COOPERATIVE

    def _start_from_bearings(self, s: _Slice) -> None:
        leftovers = [
            s.groups[g].rows[s.pending[g]]
            for g in (Geometry.BEARING_ELEVATION, Geometry.BEARING)
            if g in s.groups
        ]
        fresh = s.batch.take(np.concatenate(leftovers)) if leftovers else ReportBatch.empty()
        now = float(s.batch.t_measured.max())
        pool = ReportBatch.concat([self._pool, fresh])
        pool = pool.take(
            np.flatnonzero(pool.t_measured >= now - self.config.triangulation_window_s)
        )
        if len(pool) < 2:
            self._pool = pool
            return
        fixes = triangulate(
            self._bearings(pool),
            self.config.triangulation_window_s,
            self.config.default_altitude_m,
            self.config.max_bearing_miss_m,
        )
        used = np.zeros(len(pool), bool)
        for fix in fixes:
            state = np.concatenate([fix.position, np.zeros(3)])
            cov = np.zeros((6, 6))
            cov[:3, :3] = fix.covariance
            cov[[3, 4, 5], [3, 4, 5]] = self.config.initial_speed_sigma**2
            new = self.store.add(state[None], cov[None], np.array([fix.t]))
            self.store.from_bearings[new] = True
            self._stamp(new, pool, fix.members[:1])
            for member in fix.members[1:]:  # the other stations whose bearings crossed here
                self._hear_rf(new, pool, member[None])
            self.store.n_updates[new] = fix.members.size
            used[fix.members] = True
        self.stats.triangulated += len(fixes)
        self._pool = pool.take(np.flatnonzero(~used))

    def _bearings(self, pool: ReportBatch) -> Bearings:
        s = pool.sensor_index
        return Bearings(
            sensor=s.astype(np.int64),
            t=pool.t_measured,
            sensor_ecef=self.sensors.ecef[s],
            sensor_lat=self.sensors.lat_deg[s],
            sensor_lon=self.sensors.lon_deg[s],
            max_range=self.sensors.max_range_m[s],
            azimuth=pool.azimuth_deg,
            elevation=pool.elevation_deg,
            sigma_azimuth=pool.sigma_azimuth_deg,
            sigma_elevation=pool.sigma_elevation_deg,
        )

    def _stamp(self, new: IntArray, batch: ReportBatch, rows: IntArray) -> None:
        self._evidence(new, batch, rows)
        self.stats.tracks_started += new.size

    def _evidence(self, track_rows: IntArray, batch: ReportBatch, rows: IntArray) -> None:
        """What each report says about its track beyond kinematics: which kind of sensor saw
        it, its cooperative identity, and any class the sensor declares (as log-likelihoods:
        log c for the declared class, log((1 − c)/2) for each other class, log ⅓ for
        "unknown")."""
        st = self.store
        kind = batch.sensor_kind[rows]
        st.sensor_kinds[track_rows] |= (1 << kind.astype(np.uint16)).astype(np.uint16)
        st.kind_updates[track_rows, kind.astype(np.int64)] += 1
        self._hear_rf(track_rows, batch, rows)
        identity = batch.identity[rows]
        adopt = (identity != "") & (st.identity[track_rows] == "")
        st.identity[track_rows[adopt]] = identity[adopt]
        declared = batch.declared_class[rows].astype(np.int64)
        has = (declared > 0) & (batch.class_confidence[rows] > 0)
        if has.any():
            c = np.clip(batch.class_confidence[rows][has].astype(float), 1e-3, 1 - 1e-3)
            evidence = np.zeros((int(has.sum()), CLASS_COLUMNS))
            evidence[:, 0] = np.log(1.0 / 3.0)  # "unknown" explains any declaration equally
            evidence[:, 1:] = np.log((1.0 - c) / 2.0)[:, None]
            evidence[np.arange(c.size), declared[has]] = np.log(c)
            st.class_evidence[track_rows[has]] += evidence

    def _hear_rf(self, track_rows: IntArray, batch: ReportBatch, rows: IntArray) -> None:
        """Record the RF detectors among the reports' sensors (``TrackStore.hear_rf``); the
        track rows of one call are distinct."""
        rf = batch.sensor_kind[rows] == int(SensorKind.RF)
        heard = rows[rf]
        self.store.hear_rf(
            track_rows[rf], batch.sensor_index[heard].astype(np.int64), batch.t_measured[heard]
        )

    # ---- management --------------------------------------------------------------------
    def _manage(self, now: float) -> None:
        st, cfg = self.store, self.config
        promote = (st.status == TrackStatus.TENTATIVE) & (st.n_updates >= cfg.confirm_hits)
        st.status[promote] = TrackStatus.CONFIRMED
        self.stats.tracks_confirmed += int(promote.sum())
        quiet = now - st.t_last_update
        confirmed = st.status == TrackStatus.CONFIRMED
        expired = np.where(confirmed, quiet > cfg.coast_timeout_s, quiet > cfg.tentative_timeout_s)
        _, P = st.combined(slice(None))
        sigma = np.sqrt(np.diagonal(P[:, :3, :3], axis1=1, axis2=2).max(axis=1))
        drop = expired | (sigma > cfg.max_position_sigma_m) | ~np.isfinite(sigma)
        if drop.any():
            self.stats.tracks_deleted += int(drop.sum())
            st.keep(~drop)

    # ---- output ------------------------------------------------------------------------
    def tracks(self, t: float | None = None, confirmed_only: bool = True) -> TrackBatch:
        """Current tracks, extrapolated to ``t`` when given."""
        rows = np.flatnonzero(self.store.confirmed()) if confirmed_only else None
        return self.store.snapshot(t, rows)


def _in_passes(
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


def _select(batch: ReportBatch, mask: npt.NDArray[np.bool_]) -> ReportBatch:
    """Rows where ``mask`` holds — the batch itself when that is all of them (no copy)."""
    return batch if bool(mask.all()) else batch.take(np.flatnonzero(mask))
