""" "Tracked" measured with the real tracker: ``dronewall.tracking`` fed the reports alone.

The reports of a run go to ``dronewall.tracking.Tracker`` in arrival order, in slices of
``FEED_SLICE_S`` of arrival time, as a live system would take them (the same feeding as
``dronewall track``). After each slice the confirmed tracks are read at every whole output
instant the tracker has passed. Only then is truth consulted, for scoring: at each instant
every confirmed track is given to the nearest true object within ``ASSOCIATION_DISTANCE_M``
(the nearest-truth rule of Stone Soup's ``TrackToTruth``, without its confirmation count), and
an object is **tracked** from the first instant a track is given to it. Its time is the arrival
time of the last report processed when that picture was made — when the system knew, as
"detected" is the arrival time of the first report.

Truth is recorded every few seconds (``evaluate.bridge.TRUTH_INTERVAL_S``); between two
recorded instants an object's position is interpolated linearly in ECEF (over 5 s a drone's
path is straight to well within the association distance).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.core.geodesy import geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.core.types import ReportBatch
from dronewall.evaluate.tracking import RunReports
from dronewall.sim.engine import TruthRows
from dronewall.sim.laydown import SensorArray
from dronewall.tracking import Tracker, TrackerConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# A confirmed track within 1 km holds the drone: several times the error of a fix from
# triangulated acoustic bearings at a few km, yet small against the spacing of drones in a
# raid (launched minutes apart), so a track is rarely credited to the wrong drone.
ASSOCIATION_DISTANCE_M = 1_000.0
OUTPUT_INTERVAL_S = 1.0  # the picture is compared with truth every second
FEED_SLICE_S = 1.0  # reports reach the tracker in 1-s slices of arrival time, as a live feed


def sensor_geometry(sensors: SensorArray) -> SensorGeometry:
    """The tracker's view of the simulator's sensors."""
    return sensors.geometry()


@dataclass(frozen=True, slots=True)
class RealTracker:
    """``evaluate.Tracker`` backed by ``dronewall.tracking``: tracks from reports only, then
    each object tracked from the first instant a confirmed track is nearest to it within
    ``association_distance_m``."""

    config: TrackerConfig | None = None  # None: the tracker's defaults
    association_distance_m: float = ASSOCIATION_DISTANCE_M
    stand_in: bool = False

    @property
    def description(self) -> str:
        return (
            "dronewall.tracking fed the reports only; a drone is tracked from the first "
            f"instant a confirmed track is nearest to it within "
            f"{self.association_distance_m / 1000.0:g} km"
        )

    def __call__(self, run: RunReports, sensors: SensorArray) -> dict[int, float]:
        tracker = Tracker(sensor_geometry(sensors), self.config)
        pictures = confirmed_pictures(run.reports, tracker, OUTPUT_INTERVAL_S)
        return first_held(
            pictures, TruthPositions.from_truth(run.truth), self.association_distance_m
        )


def confirmed_pictures(
    reports: ReportBatch, tracker: Tracker, interval_s: float
) -> Iterator[tuple[float, float, TrackBatch]]:
    """Feed ``reports`` to ``tracker`` in arrival order; yield (instant, known at, confirmed
    tracks at the instant) for each whole multiple of ``interval_s`` the tracker has passed."""
    next_instant = np.nan
    for known_at in _feed(reports, tracker):
        if not np.isfinite(tracker.now):
            continue
        if np.isnan(next_instant):
            next_instant = np.floor(tracker.now / interval_s) * interval_s
        while next_instant <= tracker.now:
            tracks = tracker.tracks(next_instant)
            if len(tracks):
                yield next_instant, known_at, tracks
            next_instant += interval_s


def _feed(reports: ReportBatch, tracker: Tracker) -> Iterator[float]:
    """Process ``reports`` slice by slice of arrival time, then flush; after each step yield
    the arrival time of the last report processed."""
    if len(reports) == 0:
        return
    reports = reports.take(np.argsort(reports.t_arrival, kind="stable"))
    arrival = reports.t_arrival
    edges = np.arange(float(arrival[0]), float(arrival[-1]) + FEED_SLICE_S, FEED_SLICE_S)
    low = 0
    for high in np.searchsorted(arrival, edges, "right").tolist():
        if high > low:
            tracker.process(reports.take(np.arange(low, high)))
            low = high
            yield float(arrival[high - 1])
    tracker.flush()
    yield float(arrival[-1])


def first_held(
    pictures: Iterator[tuple[float, float, TrackBatch]],
    truth: TruthPositions,
    distance_m: float,
) -> dict[int, float]:
    """Per object, the "known at" time of the first picture in which a confirmed track is
    nearest to it within ``distance_m`` (pictures come in order of "known at")."""
    out: dict[int, float] = {}
    for instant, known_at, tracks in pictures:
        objects, positions = truth.at(instant)
        if objects.size == 0:
            continue
        distance, nearest = cKDTree(positions).query(
            tracks.state[:, :3], distance_upper_bound=distance_m
        )
        for obj in objects[nearest[distance <= distance_m]].tolist():
            out.setdefault(int(obj), known_at)
    return out


@dataclass(frozen=True, slots=True)
class TruthPositions:
    """True ECEF positions of every object, at any instant between recorded ones."""

    instants: FloatArray  # sorted distinct recorded times
    bounds: IntArray  # rows of instant k are bounds[k]:bounds[k + 1]
    object_id: IntArray  # sorted by (time, object)
    ecef: FloatArray  # (n, 3)

    @classmethod
    def from_truth(cls, truth: TruthRows) -> Self:
        order = np.lexsort((truth.object_id, truth.t))
        t = truth.t[order]
        instants, first = np.unique(t, return_index=True)
        return cls(
            instants,
            np.append(first, t.size).astype(np.int64),
            truth.object_id[order].astype(np.int64),
            geodetic_to_ecef(truth.lat[order], truth.lon[order], truth.alt[order]),
        )

    def at(self, t: float) -> tuple[IntArray, FloatArray]:
        """(object ids, ECEF positions) of the objects recorded on both sides of ``t``."""
        k = int(np.searchsorted(self.instants, t, "right")) - 1
        if k < 0 or (k == self.instants.size - 1 and t > self.instants[k]):
            return np.zeros(0, np.int64), np.zeros((0, 3))
        before = np.arange(self.bounds[k], self.bounds[k + 1])
        if t == self.instants[k]:
            return self.object_id[before], self.ecef[before]
        after = np.arange(self.bounds[k + 1], self.bounds[k + 2])
        common, i, j = np.intersect1d(
            self.object_id[before], self.object_id[after], assume_unique=True, return_indices=True
        )
        weight = (t - self.instants[k]) / (self.instants[k + 1] - self.instants[k])
        positions = (1.0 - weight) * self.ecef[before[i]] + weight * self.ecef[after[j]]
        return common.astype(np.int64), positions
