"""Which tracks are which alert's object, so that one object keeps one alert across track
breaks and duplicate tracks (``docs/alerts.md``, "One alert per object, not per track").

``ObjectMemory`` remembers, for the alerts whose object may still turn up on another track:

* the object's last **fix**: where the track carrying the alert was last measured, how fast
  it moved and how precisely it was known;
* the tracks **known** to be the object: every track that has carried the alert, and every
  track that *appeared* (at most ``handover_birth_s`` old) inside its gate;
* the **lost** alerts: auto-cleared, with a last fix at most ``handover_window_s`` old.

The gate around a fix grows with the gap since it::

    handover_floor_m + max(handover_min_speed_mps, handover_speed_margin × speed) × gap
                     + handover_sigmas × √(σ_fix² + σ_track²)

A track is tested against an alert's fix only if it brings newer news of the object (its
own last measurement is later), unless the alert's track is still measured — then it is a
second track of the object at the same time. The manager decides what a known track means
(carry the alert, stay silent, or be released) and makes the events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.assess.alert_types import AlertConfig
from dronewall.assess.observe import Fix, Fixes

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Match:
    """A track inside the gate of an alert's object."""

    alert_id: int
    score: float  # distance / gate: the smallest wins
    distance_m: float
    gap_s: float  # from the alert's last fix to the track's
    duplicate: bool  # the alert's own track is still measured: a second, simultaneous track


class ObjectMemory:
    """Fixes, known tracks and lost alerts; see the module docstring."""

    def __init__(self, config: AlertConfig) -> None:
        self.config = config
        self._fix: dict[int, Fix] = {}  # alert → its object's last fix
        self._known: dict[int, int] = {}  # track → the alert whose object it is
        self._lost: set[int] = set()  # auto-cleared alerts a new track may still re-open

    # -- what the manager tells ------------------------------------------------------------

    def carries(self, alert_id: int, track_id: int, fix: Fix | None) -> None:
        """``track_id`` carries the alert now; ``fix`` is its object's latest."""
        self._known[track_id] = alert_id
        self._lost.discard(alert_id)
        if fix is not None:
            self._fix[alert_id] = fix

    def bind(self, track_id: int, alert_id: int) -> None:
        """``track_id`` is known to be the alert's object, without carrying the alert."""
        self._known[track_id] = alert_id

    def release(self, track_id: int) -> None:
        self._known.pop(track_id, None)

    def lost(self, alert_id: int) -> None:
        """The alert was auto-cleared: its object may come back on a new track."""
        self._lost.add(alert_id)

    def forget(self, alert_id: int) -> list[int]:
        """Forget the alert (cleared by an operator or as friendly, or dropped from the
        table); returns the tracks that were known to be its object."""
        self._fix.pop(alert_id, None)
        self._lost.discard(alert_id)
        tracks = sorted(k for k, a in self._known.items() if a == alert_id)
        for track_id in tracks:
            del self._known[track_id]
        return tracks

    def prune(self, t: float) -> None:
        """A lost alert whose last fix is older than the window can no longer be found by
        position (a track known to be its object still re-opens it)."""
        window = self.config.handover_window_s
        for alert_id in sorted(self._lost):
            fix = self._fix.get(alert_id)
            if fix is None or t - fix.t > window:
                self._lost.discard(alert_id)
                self._fix.pop(alert_id, None)

    # -- what the manager asks -------------------------------------------------------------

    def owner(self, track_id: int) -> int | None:
        """The alert whose object this track is known to be, if any."""
        return self._known.get(track_id)

    def young(self, t: float, fix: Fix | None) -> bool:
        """Whether a track with this fix is young enough to be matched by position."""
        return fix is not None and t - fix.t_first <= self.config.handover_birth_s

    def match(self, t: float, track_id: int, fix: Fix, active: Iterable[int]) -> Match | None:
        """The best of the active and lost alerts whose gate this track is in."""
        return self._best(t, Fixes.stack([track_id], [fix]), list(active), lost=True)[0]

    def test(self, t: float, alert_id: int, track_id: int, fix: Fix | None) -> Match | None:
        """Whether this track is in the gate of the (active) alert's object."""
        if fix is None:
            return None
        return self._best(t, Fixes.stack([track_id], [fix]), [alert_id], lost=False)[0]

    def adopt(self, t: float, fixes: Fixes | None, active: Iterable[int]) -> None:
        """Bind every young (``fixes`` holds them), unknown track inside the gate of an active
        or lost alert's object: it appeared where that object is (a duplicate, a ghost, or
        its new track) and will carry that alert, not a new one, when it threatens."""
        if fixes is None or not len(fixes):
            return
        known = np.fromiter(self._known, np.int64, len(self._known))
        new = fixes.take(np.flatnonzero(~np.isin(fixes.track_id, known)))
        found = self._best(t, new, list(active), lost=True)
        for track_id, match in zip(new.track_id.tolist(), found, strict=True):
            if match is not None:
                self._known[track_id] = match.alert_id

    def ratio(self, alert_id: int, fix: Fix | None) -> float:
        """This track's RMS position error over the alert's object's fix's (NaN unknown)."""
        old = self._fix.get(alert_id)
        if old is None or fix is None:
            return math.nan
        return fix.sigma_m / old.sigma_m if old.sigma_m > 0.0 else math.inf

    def separation(self, alert_id: int, fix: Fix | None) -> tuple[float, float]:
        """Distance (m) and gap (s) from the alert's object's last fix to this one."""
        old = self._fix.get(alert_id)
        if old is None or fix is None:
            return math.nan, math.nan
        return float(np.linalg.norm(fix.position - old.position)), fix.t - old.t

    # -- the gate --------------------------------------------------------------------------

    def _best(
        self, t: float, new: Fixes, active_ids: list[int], *, lost: bool
    ) -> list[Match | None]:
        """For each row of ``new``: the alert (of the active ``active_ids``, and the lost
        ones if ``lost``) whose gate it is in with the smallest distance / gate. Only pairs
        within the largest gate an alert's object can have are measured (a k-d tree)."""
        ids = [a for a in active_ids if a in self._fix and a not in self._lost]
        active = len(ids)
        if lost:
            ids += sorted(a for a in self._lost if a in self._fix)
        out: list[Match | None] = [None] * len(new)
        if not ids or not len(new):
            return out
        cfg = self.config
        old = Fixes.stack(ids, [self._fix[a] for a in ids])
        speed = np.maximum(cfg.handover_min_speed_mps, cfg.handover_speed_margin * old.speed)
        widest = cfg.handover_floor_m + speed * cfg.handover_window_s
        widest += cfg.handover_sigmas * np.hypot(old.sigma_m, new.sigma_m.max())
        widest = np.where(np.isfinite(widest), widest, 0.0)  # a NaN error matches nothing
        near = cKDTree(new.position).query_ball_point(old.position, widest)
        counts = np.fromiter(map(len, near), np.int64, len(near))
        j = np.repeat(np.arange(len(ids)), counts)  # pairs (new row i, alert j)
        i = np.fromiter(chain.from_iterable(near), np.int64, int(counts.sum()))
        measured = (np.arange(len(ids)) < active) & (t - old.t < cfg.handover_stale_s)
        gap = new.t[i] - old.t[j]
        fresh = (np.abs(gap) <= cfg.handover_window_s) & ((gap > 0.0) | measured[j])
        error = cfg.handover_sigmas * np.hypot(new.sigma_m[i], old.sigma_m[j])
        gate = cfg.handover_floor_m + speed[j] * np.abs(gap) + error
        distance = np.linalg.norm(new.position[i] - old.position[j], axis=1)
        keep = np.flatnonzero(fresh & (distance <= gate))
        score = distance[keep] / gate[keep]
        order = keep[np.lexsort((j[keep], score, i[keep]))]  # by row, best score, first alert
        first = order[np.append(True, i[order][1:] != i[order][:-1])] if order.size else order
        for k in first.tolist():
            out[int(i[k])] = Match(
                ids[int(j[k])],
                float(distance[k] / gate[k]),
                float(distance[k]),
                float(gap[k]),
                bool(measured[j[k]]),
            )
        return out
