"""The tracker's swappable parts, as small protocols (after Stone Soup's component design:
hypothesiser, data associator, predictor/updater, initiator, deleter).

``Tracker(sensors, config, *, gater=..., associator=..., filter=..., initiator=...,
manager=..., late=...)`` takes any object that fits; the defaults are the vectorised
implementations here and in ``filtering``, ``initiation``, ``management`` and ``late``.
Every part works on index arrays over the whole track store, never one track at a time.

* ``Gater``: which (track, report) pairs of one measurement group are worth scoring, with their
  Mahalanobis distance and negative log-likelihood (default: grid/k-d-tree pre-gate, χ² gate).
* ``Associator``: which gated pairs to take (default: global nearest neighbour by sparse
  linear assignment, ``association.assign``).
* ``Filter``: IMM prediction to new times and the measurement update, in place in the store.
* ``Initiator``: tracks from the reports no track took (points; bearings by triangulation).
* ``TrackManager`` (deleter): confirmation and deletion after every slice.
* ``LateReports``: reports measured before ``tracker.now`` (out of sequence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch
from dronewall.tracking import association, gating
from dronewall.tracking.association import Assignment
from dronewall.tracking.gating import Candidates
from dronewall.tracking.measurements import Geometry, MeasurementGroup
from dronewall.tracking.store import TrackStore

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Gater(Protocol):
    def candidates(
        self,
        group: MeasurementGroup,
        times: FloatArray,
        max_range: FloatArray,
        store: TrackStore,
        track_rows: IntArray,
        combined: tuple[FloatArray, FloatArray],
        gate: float,
    ) -> Candidates:
        """Gated pairs of the group's reports (their times and sensor ranges) against the
        tracks ``track_rows`` (their combined estimates ``combined``) inside χ² ``gate``."""
        ...


class Associator(Protocol):
    def assign(
        self,
        node: IntArray,
        report: IntArray,
        cost: FloatArray,
        unassigned_cost: float,
        *,
        clusters: bool = True,
    ) -> Assignment:
        """One-to-one choice among gated (node, report) pairs of positive ``cost``; a node or
        a report left alone costs ``unassigned_cost``. A node is (track, sensor)."""
        ...


class Filter(Protocol):
    def predict(self, store: TrackStore, rows: IntArray, t: FloatArray) -> None:
        """Move the distinct tracks ``rows`` to times ``t`` in place (IMM mix and predict)."""
        ...

    def update(
        self, store: TrackStore, group: MeasurementGroup, member: IntArray, track_rows: IntArray
    ) -> FloatArray:
        """Update tracks (already predicted to their reports' times) by the group's
        ``member`` reports, in place; the log-likelihood of each innovation (one per track)."""
        ...


class Initiator(Protocol):
    def start(
        self, tracker: Tracker, batch: ReportBatch, left: dict[Geometry, MeasurementGroup]
    ) -> None:
        """Start tracks (``tracker.start``) from the reports of the slice ``batch`` that no
        track took, grouped by geometry in ``left``."""
        ...


class TrackManager(Protocol):
    def manage(self, tracker: Tracker, now: float) -> npt.NDArray[np.bool_]:
        """Confirm tracks in ``tracker.store`` as evidence allows; the rows to keep."""
        ...


class LateReports(Protocol):
    def record(
        self, tracker: Tracker, track_rows: IntArray, batch: ReportBatch, rows: IntArray
    ) -> None:
        """Called after every measurement update (``rows`` = the batch rows used for
        ``track_rows``, one per track) and after every track start."""
        ...

    def handle(self, tracker: Tracker, batch: ReportBatch) -> ReportBatch:
        """Given reports measured before ``tracker.now`` (late), use what it can; return the
        ones it did not use (the tracker buffers those still inside the reorder window and
        drops the older ones, counted as ``reports_too_late``)."""
        ...

    def forget(self, keep: npt.NDArray[np.bool_]) -> None:
        """The store dropped tracks (the same mask as ``TrackStore.keep``)."""
        ...


class ChiSquareGater:
    """The default gater: ``gating.candidates`` (spatial pre-gate, then χ² on Mahalanobis)."""

    def candidates(
        self,
        group: MeasurementGroup,
        times: FloatArray,
        max_range: FloatArray,
        store: TrackStore,
        track_rows: IntArray,
        combined: tuple[FloatArray, FloatArray],
        gate: float,
    ) -> Candidates:
        return gating.candidates(group, times, max_range, store, track_rows, combined, gate)


class NearestNeighbour:
    """The default associator: global nearest neighbour (``association.assign``)."""

    def assign(
        self,
        node: IntArray,
        report: IntArray,
        cost: FloatArray,
        unassigned_cost: float,
        *,
        clusters: bool = True,
    ) -> Assignment:
        return association.assign(node, report, cost, unassigned_cost, clusters=clusters)
