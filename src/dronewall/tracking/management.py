"""The default track manager (deleter): confirmation and deletion after every slice.

With ``existence`` (the default) a tentative track is confirmed when its existence score
reaches Wald's threshold (``existence.thresholds``) and it has at least ``confirm_hits``
updates; any track is deleted when its score falls the test's deletion margin below the highest
it reached (Blackman and Popoli §6.2). Without, it is confirmed at ``confirm_hits`` updates.
Either way a track also dies when quiet for too long: a tentative one after
``tentative_timeout_s`` or 1.5 expected revisits, a confirmed one after ``coast_timeout_s`` or
``coast_revisits`` expected revisits (the running mean interval between its updates), one
with a cooperative identity after ``cooperative_timeout_s`` at least — or when its position
uncertainty exceeds ``max_position_sigma_m`` (or is not finite).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dronewall.core.tracks import TrackStatus
from dronewall.tracking import existence

if TYPE_CHECKING:
    from dronewall.tracking.tracker import Tracker

TENTATIVE_REVISITS = 1.5  # a tentative track may miss one look, not two


class ScoreAndRevisit:
    """Confirmation and deletion by existence score, expected revisit and uncertainty
    (``parts.TrackManager``)."""

    def manage(self, tracker: Tracker, now: float) -> npt.NDArray[np.bool_]:
        st, cfg = tracker.store, tracker.config
        tentative = st.status == TrackStatus.TENTATIVE
        promote = tentative & (st.n_updates >= cfg.confirm_hits)
        fallen = np.zeros(len(st), bool)
        if cfg.existence:
            confirm_at, drop_by = existence.thresholds(cfg)
            promote &= st.score >= confirm_at
            fallen = st.score - st.score_max <= drop_by
        st.status[promote] = TrackStatus.CONFIRMED
        tracker.stats.tracks_confirmed += int(promote.sum())
        quiet = now - st.t_last_update
        confirmed = st.status == TrackStatus.CONFIRMED
        coast = np.maximum(cfg.coast_timeout_s, cfg.coast_revisits * st.revisit)
        coast = np.where(st.identity != "", np.maximum(coast, cfg.cooperative_timeout_s), coast)
        wait = np.maximum(cfg.tentative_timeout_s, TENTATIVE_REVISITS * st.revisit)
        expired = np.where(confirmed | (st.identity != ""), quiet > coast, quiet > wait)
        _, P = st.combined(slice(None))
        sigma = np.sqrt(np.diagonal(P[:, :3, :3], axis1=1, axis2=2).max(axis=1))
        drop = expired | fallen | (sigma > cfg.max_position_sigma_m) | ~np.isfinite(sigma)
        return np.asarray(~drop)
