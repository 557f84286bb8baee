"""Track existence: a sequential log-likelihood ratio score per track, and the clutter map
whose densities it is scored against.

The score L of a track is the log of the likelihood ratio "a real object" : "clutter"
(Blackman and Popoli, *Design and Analysis of Modern Tracking Systems*, §6.2; Bar-Shalom's
track score). A track starts at L₀ = ln(β_NT / λ), new-object density against the clutter
density where its first report fell. Each update adds ln(P_D · g(ν) / λ), the report's
innovation likelihood g against the clutter density λ of its sensor in its cell; each look of a
sensor that covers the track and reported without updating it adds ln(1 − P_D), weighted by
the share of the track's expected revisit the slice spans. Wald's sequential test
(``thresholds``) confirms a track when L reaches ln((1 − β)/α) and deletes it when L falls
ln((1 − α)/β) below the highest L it reached (α: a false track confirmed; β: a real one
deleted).

Point reports (radar plots, position fixes) are scored on the horizontal plane at their
sensor (per m² of ground, the unit sensors declare clutter in); bearings on their angles (per
degree). λ comes from the ``ClutterMap``: decayed counts of the reports no track took, per
sensor and ground cell (or azimuth sector), over the sensor's decayed number of looks — the
Gamma–Poisson posterior mean with the sensor's declared density as prior. A wind farm,
motorway or sea surface that keeps producing plots raises λ in its cells only, so tracks there
need more evidence to confirm; elsewhere the sensor's own rate is learnt online.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import ReportBatch, SensorKind
from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.measurements import Geometry, MeasurementGroup
from dronewall.tracking.store import TrackStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_CELL_BITS = 20  # per horizontal axis of a ground cell index: ±2^19 cells
_SECTOR_FLAG = 1 << 41  # keys of azimuth sectors (bearing sensors) apart from ground cells
ELEVATION_SPAN_DEG = 90.0  # false bearings with elevation spread over this (per deg² = /90)
# Kinds whose silence counts against a track they cover: radars see everything in range.
# Passive sensors (RF, acoustic, EO/IR's narrow view) hear only some objects, so their
# silence says nothing; cooperative receivers count only for tracks that carry an identity.
_MISS_KINDS = (int(SensorKind.RADAR),)
_COOPERATIVE = (int(SensorKind.ADSB), int(SensorKind.REMOTE_ID))


def thresholds(config: TrackerConfig) -> tuple[float, float]:
    """(confirm at L ≥ this, delete at L − max L ≤ this): Wald's SPRT thresholds."""
    a, b = config.false_confirm_probability, config.false_delete_probability
    return math.log((1.0 - b) / a), math.log(b / (1.0 - a))


class ClutterMap:
    """Decayed counts of unassociated reports per (sensor, cell), and per sensor the decayed
    number of looks; densities as false reports per look per m² (points) or degree."""

    def __init__(self, sensors: SensorGeometry, config: TrackerConfig):
        self.sensors = sensors
        self.cell_m = config.clutter_cell_m
        self.sector_deg = config.clutter_sector_deg
        self.memory_s = config.clutter_memory_s
        self.prior = config.clutter_prior_looks
        self.keys = np.zeros(0, np.int64)  # sorted
        self.count = np.zeros(0)
        self.t = np.zeros(0)
        self.looks = np.zeros(len(sensors))
        self.t_looks = np.full(len(sensors), -np.inf)

    def use(self, sensors: SensorGeometry) -> None:
        """A sensor table with more rows (a sensor joined): its looks start at none."""
        grow = len(sensors) - self.looks.size
        if grow > 0:
            self.looks = np.concatenate([self.looks, np.zeros(grow)])
            self.t_looks = np.concatenate([self.t_looks, np.full(grow, -np.inf)])
        self.sensors = sensors

    def keys_of(self, group: MeasurementGroup, members: IntArray, sensor: IntArray) -> IntArray:
        """The cell (points: ground cell in the sensor's ENU frame) or azimuth sector
        (bearings) of each of the group's ``members``, made unique per sensor."""
        if group.geometry in (Geometry.POSITION, Geometry.RADAR):
            d = group.point[members] - group.sensor_ecef[members]
            enu = np.einsum("kij,kj->ki", group.rotation[members], d)
            cell = np.floor(enu[:, :2] / self.cell_m).astype(np.int64) + (1 << (_CELL_BITS - 1))
            cell = np.clip(cell, 0, (1 << _CELL_BITS) - 1)
            local = (cell[:, 0] << _CELL_BITS) | cell[:, 1]
        else:
            az = np.mod(group.z[members, 0], 360.0)
            local = np.floor(az / self.sector_deg).astype(np.int64) | _SECTOR_FLAG
        return np.asarray((sensor.astype(np.int64) << 42) | local, np.int64)

    def looked(self, sensor: IntArray, weight: FloatArray, t: float) -> None:
        """Sensors ``sensor`` (distinct) looked once more (``weight`` of a full look)."""
        decay = np.exp(-np.maximum(t - self.t_looks[sensor], 0.0) / self.memory_s)
        self.looks[sensor] = np.where(np.isfinite(decay), self.looks[sensor] * decay, 0.0) + weight
        self.t_looks[sensor] = t

    def add(self, keys: IntArray, t: float) -> None:
        """Reports no track took, at cells ``keys``."""
        if keys.size == 0:
            return
        new, counts = np.unique(keys, return_counts=True)
        merged = np.union1d(self.keys, new)
        if merged.size != self.keys.size:
            at = np.searchsorted(merged, self.keys)
            count, when = np.zeros(merged.size), np.full(merged.size, t)
            count[at], when[at] = self.count, self.t
            self.keys, self.count, self.t = merged, count, when
        at = np.searchsorted(self.keys, new)
        self.count[at] = self.count[at] * np.exp(-(t - self.t[at]) / self.memory_s) + counts
        self.t[at] = t

    def density(self, keys: IntArray, sensor: IntArray, geometry: Geometry, t: float) -> FloatArray:
        """Clutter density at cells ``keys`` of sensors ``sensor``: per m² (points), per degree
        (bearings) or per deg² (bearings with elevation), per look."""
        at = np.clip(np.searchsorted(self.keys, keys), 0, max(self.keys.size - 1, 0))
        count = np.zeros(keys.size)
        if self.keys.size:
            hit = self.keys[at] == keys
            count[hit] = self.count[at[hit]] * np.exp(-(t - self.t[at[hit]]) / self.memory_s)
        looks = self.looks[sensor] * np.exp(
            -np.maximum(t - self.t_looks[sensor], 0) / self.memory_s
        )
        looks = np.where(np.isfinite(looks), looks, 0.0)
        point = geometry in (Geometry.POSITION, Geometry.RADAR)
        area = self.cell_m**2 if point else self.sector_deg
        declared = self.sensors.clutter_density[sensor]
        density = (count + self.prior * declared * area) / ((looks + self.prior) * area)
        if geometry is Geometry.BEARING_ELEVATION:
            density = density / ELEVATION_SPAN_DEG
        return np.asarray(np.maximum(density, 1e-300), float)


def horizontal_loglik(
    x: FloatArray, P: FloatArray, group: MeasurementGroup, member: IntArray
) -> FloatArray:
    """Log-likelihood of point reports ``member`` against predicted estimates (x, P), on the
    horizontal plane at each report's sensor (the unit of declared clutter densities)."""
    sub = group.subset(member)
    d = sub.point - x[:, :3]
    C = P[:, :3, :3] + sub.position_covariance()
    R = sub.rotation[:, :2]  # ECEF → east, north
    dh = np.einsum("kij,kj->ki", R, d)
    Ch = R @ C @ np.swapaxes(R, -1, -2)
    a, b, c = Ch[:, 0, 0], 0.5 * (Ch[:, 0, 1] + Ch[:, 1, 0]), Ch[:, 1, 1]
    det = np.maximum(a * c - b * b, 1e-12)
    d2 = (c * dh[:, 0] ** 2 - 2.0 * b * dh[:, 0] * dh[:, 1] + a * dh[:, 1] ** 2) / det
    return np.asarray(-0.5 * d2 - 0.5 * np.log((2.0 * np.pi) ** 2 * det), float)


def miss_candidates(
    sensors: SensorGeometry, sensor: int, position: FloatArray, identified: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Tracks (positions (n, 3)) that sensor ``sensor`` covers and should have seen."""
    kind = int(sensors.kind[sensor])
    if kind in _COOPERATIVE:
        eligible = identified
    elif kind in _MISS_KINDS:
        eligible = np.ones(position.shape[0], bool)
    else:
        return np.zeros(position.shape[0], bool)
    reach = np.linalg.norm(position - sensors.ecef[sensor], axis=1) <= sensors.max_range_m[sensor]
    return np.asarray(eligible & reach)


class ExistenceScorer:
    """Keeps every track's score (``TrackStore.score``) and the clutter map up to date; the
    tracker calls it on each update, start and slice."""

    def __init__(self, sensors: SensorGeometry, config: TrackerConfig):
        self.sensors = sensors
        self.config = config
        self.map = ClutterMap(sensors, config)
        self._batch: object = None  # the slice whose leftover reports were noted
        self._density = np.zeros(0)  # clutter density at each of its rows (NaN: not noted)

    def use(self, sensors: SensorGeometry) -> None:
        """Follow a replaced sensor table (``Tracker.sensors``)."""
        self.sensors = sensors
        self.map.use(sensors)

    def scored(
        self,
        store: TrackStore,
        group: MeasurementGroup,
        member: IntArray,
        track_rows: IntArray,
        prior: tuple[FloatArray, FloatArray] | None,
        loglik: FloatArray,
        sensor: IntArray,
        t: float,
    ) -> None:
        """Add ln(P_D g / λ) for updates of ``track_rows`` by the group's ``member`` reports;
        ``prior``: the tracks' predicted estimates (point reports are scored on them on the
        horizontal plane), else the filter's ``loglik`` is used (bearings)."""
        if prior is not None:
            loglik = horizontal_loglik(prior[0], prior[1], group, member)
        keys = self.map.keys_of(group, member, sensor)
        density = self.map.density(keys, sensor, group.geometry, t)
        score = store.score[track_rows] + np.log(self.sensors.pd[sensor]) + loglik
        score -= np.log(density)
        store.score[track_rows] = score
        store.score_max[track_rows] = np.maximum(store.score_max[track_rows], score)

    def note_left(
        self, batch: ReportBatch, left: dict[Geometry, MeasurementGroup], t: float
    ) -> None:
        """The slice's reports that no track took: their clutter densities (for the scores of
        the tracks they start), then counted into the clutter map."""
        self._batch = batch
        self._density = np.full(len(batch), np.nan)
        for group in left.values():
            members = np.arange(group.rows.size)
            sensor = batch.sensor_index[group.rows].astype(np.int64)
            keys = self.map.keys_of(group, members, sensor)
            self._density[group.rows] = self.map.density(keys, sensor, group.geometry, t)
            self.map.add(keys, t)

    def initial(self, batch: ReportBatch, rows: IntArray, triangulated: bool) -> FloatArray:
        """L₀ of tracks started from reports ``rows``: ln(P_D β_NT / λ); a fix triangulated
        from several sensors' bearings starts at 0 (even odds)."""
        if triangulated:
            return np.zeros(rows.size)
        sensor = batch.sensor_index[rows].astype(np.int64)
        density = self.sensors.clutter_density[sensor]
        if batch is self._batch:
            noted = self._density[rows]
            density = np.where(np.isfinite(noted), noted, density)
        pd = self.sensors.pd[sensor]
        return np.asarray(np.log(pd * self.config.new_target_density / density), float)

    def missed(
        self, store: TrackStore, batch: ReportBatch, used: IntArray, width: int, old: int
    ) -> None:
        """Each sensor of the slice that covers a track (of the first ``old`` rows: not started
        in this slice) and did not update it (``used``: track id × width + sensor) adds
        w·ln(1 − P_D), w the share of a look the slice spans; the sensors' looks are counted."""
        sensors = np.unique(batch.sensor_index).astype(np.int64)
        look = np.minimum(1.0, self.config.batch_s / self.sensors.revisit_s[sensors])
        self.map.looked(sensors, look, float(batch.t_measured.max()))
        if old == 0:
            return
        position = store.x[:old, 0, :3]
        identified = store.identity[:old] != ""
        for s in sensors:
            covered = miss_candidates(self.sensors, int(s), position, identified)
            if not covered.any():
                continue
            rows = np.flatnonzero(covered)
            rows = rows[~np.isin(store.track_id[rows] * width + s, used)]
            pace = np.maximum(self.sensors.revisit_s[s], 0.8 * store.revisit[rows])
            w = np.minimum(1.0, self.config.batch_s / pace)
            store.score[rows] += w * np.log1p(-min(float(self.sensors.pd[s]), 0.999))
