"""The default track manager (deleter): confirmation and deletion after every slice.

A tentative track is confirmed after ``confirm_hits`` updates; a track is deleted after
``tentative_timeout_s`` / ``coast_timeout_s`` without an update, or when its position
uncertainty exceeds ``max_position_sigma_m`` (or is not finite).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import TrackStatus

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker


class CountAndTimeout:
    """Confirmation by count, deletion by quiet time and uncertainty (``parts.TrackManager``)."""

    def manage(self, tracker: Tracker, now: float) -> npt.NDArray[np.bool_]:
        st, cfg = tracker.store, tracker.config
        promote = (st.status == TrackStatus.TENTATIVE) & (st.n_updates >= cfg.confirm_hits)
        st.status[promote] = TrackStatus.CONFIRMED
        tracker.stats.tracks_confirmed += int(promote.sum())
        quiet = now - st.t_last_update
        confirmed = st.status == TrackStatus.CONFIRMED
        expired = np.where(confirmed, quiet > cfg.coast_timeout_s, quiet > cfg.tentative_timeout_s)
        _, P = st.combined(slice(None))
        sigma = np.sqrt(np.diagonal(P[:, :3, :3], axis1=1, axis2=2).max(axis=1))
        drop = expired | (sigma > cfg.max_position_sigma_m) | ~np.isfinite(sigma)
        return np.asarray(~drop)
