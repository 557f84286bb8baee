"""The values the alert manager hands out: alerts, events, operator actions, settings and the
columnar alert table. All frozen; the manager replaces an alert when it changes.

Lifecycle (``docs/alerts.md``)::

    NEW ──acknowledge──► ACKNOWLEDGED ──engage──► ENGAGED
     │                        │                      │
     └────────────── clear (operator) or auto-clear ─┴──► CLEARED

An auto-cleared alert whose object threatens again is re-opened (``REOPENED``); an alert
cleared by an operator is final.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import ConfigError


class AlertState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ENGAGED = "engaged"
    CLEARED = "cleared"


class EventKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"  # priority rose by at least the escalation step
    ACKNOWLEDGED = "acknowledged"
    ENGAGED = "engaged"
    CLEARED = "cleared"  # by an operator
    AUTO_CLEARED = "auto-cleared"
    TRACK_CHANGED = "track-changed"  # an active alert follows its object to a new track
    REOPENED = "reopened"  # an auto-cleared alert's object is back (same or new track)
    SITE_CLEAR = "site-clear"  # airspace clear at a site after the quiet time


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Thresholds and times of the alert manager (seconds, probabilities)."""

    p_on: float = 0.7  # P(drone) at or above which an alert may be raised
    p_off: float = 0.5  # P(drone) below which a raised alert's condition is off
    horizon_s: float = 600.0  # a site is threatened if the track gets in within this
    min_hold_s: float = 30.0  # an alert lives at least this long
    clear_after_s: float = 60.0  # condition off (or track gone) this long → auto-clear
    airspace_clear_s: float = 300.0  # quiet time before a site is declared clear
    escalation_step: float = 10.0  # priority rise that is announced again
    keep_cleared_s: float = 3600.0  # cleared alerts stay in the table this long
    class_memory_s: float = 300.0  # a track's last class is used this long without news
    # A new alert waits this long for its track's class to settle: longer than the update
    # interval of real cooperative sources (ADS-B positions at 0.5–10 s as received, FLARM and
    # Mode S multilateration up to 7–10 s), so an aircraft's identity can arrive first.
    min_track_age_s: float = 12.0
    # … and until its track has taken this many measurements (0: age alone): a radar track
    # three scans old has a speed from three fixes, and a bird flock's or a false track's
    # can read as a decoy's. Chosen between 0 and 5 on validation seed 2201 (civil-only false
    # alerts 0.57 → 0.29 per hour, drones alerted unchanged: bench/EVALUATION.md).
    min_track_updates: int = 5
    # One alert per object, not per track (docs/alerts.md has the reasons for each default):
    # another track of an alert's object carries that alert instead of raising a new one.
    handover_window_s: float = 90.0  # object's last measurement → another track: clear_after_s+30
    handover_stale_s: float = 5.0  # an alert's track unmeasured this long is no longer live
    handover_birth_s: float = 10.0  # a track this young is matched to an object by position
    handover_floor_m: float = 300.0  # gate at no gap: duplicates start within ~200 m
    handover_min_speed_mps: float = 20.0  # the gate grows at least this fast (hover → dash)
    handover_speed_margin: float = 1.25  # … or this × the alert track's ground speed
    handover_sigmas: float = 2.0  # … plus this × √(σ_fix² + σ_track²), RMS position errors
    handover_better_ratio: float = 2.0  # "much more precise": RMS error this many times smaller

    def __post_init__(self) -> None:
        if not 0.0 <= self.p_off <= self.p_on <= 1.0:
            raise ConfigError("need 0 <= p_off <= p_on <= 1", field="p_off")
        for name in (
            "horizon_s",
            "min_hold_s",
            "clear_after_s",
            "airspace_clear_s",
            "min_track_age_s",
            "handover_window_s",
            "handover_birth_s",
            "handover_stale_s",
            "handover_floor_m",
            "handover_min_speed_mps",
            "handover_speed_margin",
            "handover_sigmas",
            "handover_better_ratio",
        ):
            value = getattr(self, name)
            if not (value >= 0.0 and math.isfinite(value)):
                raise ConfigError("must be a finite number >= 0", field=name)


@dataclass(frozen=True, slots=True)
class OperatorAction:
    action: str  # "acknowledge", "engage" or "clear"
    operator: str
    t: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert on one object. ``track_id`` is the track carrying it now; ``track_ids``
    every track that has, oldest first (a track break or a better track hands it on).
    Times are POSIX seconds from the data."""

    alert_id: int
    track_id: int  # the track following the object now
    track_ids: tuple[int, ...]  # every track that has carried the alert, oldest first
    state: AlertState
    site_id: str  # the site it threatens most, at the last update
    sites: tuple[str, ...]  # every site it threatens, at the last update
    priority: float
    announced_priority: float  # priority in the last raised/escalated event
    peak_priority: float
    p_drone: float
    time_to_site_s: float  # 0 inside; NaN when no longer threatening
    reasons: str
    t_raised: float
    t_updated: float
    t_last_seen: float  # time of the track's latest threat row
    t_condition_off: float  # since when the condition is off; NaN while it holds
    actions: tuple[OperatorAction, ...] = ()
    t_cleared: float = math.nan
    clear_reason: str = ""

    @property
    def active(self) -> bool:
        return self.state is not AlertState.CLEARED


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """Something that happened to an alert, or a site declared clear (no alert, no track)."""

    kind: EventKind
    t: float
    alert_id: int | None
    track_id: int | None
    site_id: str
    priority: float
    state: AlertState | None
    message: str


@dataclass(frozen=True, slots=True)
class AlertTable:
    """Alerts as columns, highest priority first."""

    alert_id: npt.NDArray[np.int64]
    track_id: npt.NDArray[np.int64]
    state: npt.NDArray[np.str_]
    site_id: npt.NDArray[np.str_]
    priority: npt.NDArray[np.float64]
    time_to_site_s: npt.NDArray[np.float64]
    t_raised: npt.NDArray[np.float64]
    t_updated: npt.NDArray[np.float64]
    reasons: list[str]

    def __len__(self) -> int:
        return int(self.alert_id.shape[0])

    @classmethod
    def of(cls, alerts: list[Alert]) -> Self:
        ordered = sorted(alerts, key=lambda a: (-a.priority, a.alert_id))
        return cls(
            alert_id=np.array([a.alert_id for a in ordered], np.int64),
            track_id=np.array([a.track_id for a in ordered], np.int64),
            state=np.array([str(a.state) for a in ordered], np.str_),
            site_id=np.array([a.site_id for a in ordered], np.str_),
            priority=np.array([a.priority for a in ordered], float),
            time_to_site_s=np.array([a.time_to_site_s for a in ordered], float),
            t_raised=np.array([a.t_raised for a in ordered], float),
            t_updated=np.array([a.t_updated for a in ordered], float),
            reasons=[a.reasons for a in ordered],
        )


@dataclass(frozen=True, slots=True)
class SiteState:
    """A site that has been threatened since the manager started."""

    site_id: str
    alerts: tuple[int, ...]  # active alerts threatening it now
    t_last_threat: float  # last time an active alert threatened it
    clear: bool  # "airspace clear" has been declared since
