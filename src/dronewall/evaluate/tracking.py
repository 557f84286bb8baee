"""The seam where a tracker plugs into "prove a plan", and the stand-in rule it started with.

``Tracker`` is any callable ``track(run, sensors) -> {object id: first time tracked}``: given
every report of one simulated run and the sensor table, it says when each truth object was
first held by a confirmed track (POSIX seconds, when the system knew). It also carries a
one-line ``description`` for the report and says whether it is a ``stand_in``.
``RunReports`` holds what a run produced: the reports, which a tracker may read, and the
simulator's truth — the object behind each report and the true positions — which only the
scoring may read.

The default is ``evaluate.real_tracker.RealTracker``: ``dronewall.tracking`` fed the reports
alone, scored by position against truth. ``reports_in_window_stand_in`` is **not a tracker**:
it calls an object tracked once the system has received at least three reports of it from any
sensors within 10 s of measurement time, grouping reports by truth. It is kept, by name only,
to compare with the figures of earlier proofs; it is optimistic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch
from dronewall.sim.engine import TruthRows
from dronewall.sim.laydown import SensorArray

IntArray = npt.NDArray[np.int64]
STAND_IN_MIN_REPORTS = 3
STAND_IN_WINDOW_S = 10.0


@dataclass(frozen=True, slots=True)
class RunReports:
    """Every report of a run, in arrival order; for scoring only, the truth object behind each
    report (−1: clutter) and the true states of every object."""

    reports: ReportBatch
    report_object: IntArray
    truth: TruthRows


class Tracker(Protocol):
    """When each truth object was first tracked in one run (POSIX seconds, when known)."""

    @property
    def description(self) -> str:
        """One line for the report: what "tracked" means with this tracker."""
        ...

    @property
    def stand_in(self) -> bool:
        """True when this is not a real tracker; the report then warns."""
        ...

    def __call__(self, run: RunReports, sensors: SensorArray) -> Mapping[int, float]: ...


def first_report_by_object(run: RunReports) -> dict[int, float]:
    """Arrival time of the first report of each object ("detected")."""
    real = run.report_object >= 0
    objects, arrival = run.report_object[real], run.reports.t_arrival[real]
    out: dict[int, float] = {}
    for obj, t in zip(objects.tolist(), arrival.tolist(), strict=True):
        if obj not in out or t < out[obj]:
            out[obj] = t
    return out


def first_confirmation_by_object(
    confirmed_at: Sequence[float], report_ids: Sequence[IntArray], run: RunReports
) -> dict[int, float]:
    """Map confirmed tracks (their confirmation time and report ids) to truth objects by the
    majority of their reports, keeping the earliest confirmation of each object."""
    row_of = {int(r): k for k, r in enumerate(run.reports.report_id)}
    out: dict[int, float] = {}
    for t, ids in zip(confirmed_at, report_ids, strict=True):
        objects = np.array([run.report_object[row_of[int(r)]] for r in ids if int(r) in row_of])
        objects = objects[objects >= 0]
        if objects.size == 0:
            continue
        values, counts = np.unique(objects, return_counts=True)
        obj = int(values[np.argmax(counts)])
        out[obj] = min(out.get(obj, np.inf), float(t))
    return out


@dataclass(frozen=True, slots=True)
class ReportsInWindowStandIn:
    """STAND-IN, not a tracker: first time ≥3 reports of an object, from ≥1 sensor, fall
    within 10 s of measurement time; confirmed when the last of them arrives. Groups reports
    by truth, so it never confuses two objects and never loses one: optimistic."""

    description: str = (
        f"stand-in, not a tracker: >={STAND_IN_MIN_REPORTS} reports of a drone within "
        f"{STAND_IN_WINDOW_S:g} s, reports grouped by truth (optimistic)"
    )
    stand_in: bool = True

    def __call__(self, run: RunReports, sensors: SensorArray) -> dict[int, float]:
        del sensors  # the rule does not look at the sensors
        return _first_window(run)


def _first_window(run: RunReports) -> dict[int, float]:
    real = np.flatnonzero(run.report_object >= 0)
    obj = run.report_object[real].astype(np.int64)
    t_meas, t_arr = run.reports.t_measured[real], run.reports.t_arrival[real]
    order = np.lexsort((t_meas, obj))
    obj, t_meas, t_arr = obj[order], t_meas[order], t_arr[order]
    k = STAND_IN_MIN_REPORTS - 1
    if obj.size <= k:
        return {}
    same = obj[k:] == obj[:-k]
    close = t_meas[k:] - t_meas[:-k] <= STAND_IN_WINDOW_S
    windows = np.lib.stride_tricks.sliding_window_view(t_arr, STAND_IN_MIN_REPORTS).max(axis=1)
    out: dict[int, float] = {}
    for i in np.flatnonzero(same & close):
        o, t = int(obj[i]), float(windows[i])
        if o not in out or t < out[o]:
            out[o] = t
    return out


reports_in_window_stand_in = ReportsInWindowStandIn()
