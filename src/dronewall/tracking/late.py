"""The simple handling of late reports (measured before ``tracker.now``): the reorder window.
The tracker's default is ``retrodiction.Refiltering``; this one remains as the cheaper
alternative (``Tracker(..., late=ReorderWindow())``).

A late report still inside ``reorder_window_s`` goes back to the tracker's buffer and is
processed in a slice at its own time (the track is predicted back to it with the gap's
process noise, the IMM step taking |dt|); an older one is dropped and counted as
``reports_too_late``. ``retrodiction`` implements the same seam (``parts.LateReports``) with
exact out-of-sequence updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dronewall.core.types import ReportBatch

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker

IntArray = npt.NDArray[np.int64]


class ReorderWindow:
    """Uses no late report itself: all go back to the tracker (``parts.LateReports``)."""

    def record(
        self, tracker: Tracker, track_rows: IntArray, batch: ReportBatch, rows: IntArray
    ) -> None:
        return None

    def handle(self, tracker: Tracker, batch: ReportBatch) -> ReportBatch:
        return batch

    def forget(self, keep: npt.NDArray[np.bool_]) -> None:
        return None
