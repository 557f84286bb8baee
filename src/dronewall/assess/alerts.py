"""Alerts: one per object, with a lifecycle, hysteresis and "airspace clear".

``AlertManager.update(t, classes, threats)`` is called once per picture; ``t`` is the data's
time, never the wall clock, so a replay gives the same events. Rules (``docs/alerts.md``):

* **raise** when a track is a likely hostile drone — P(drone) ≥ ``p_on``, not a registered
  friendly — and threatens a site: inside one, or getting in within ``horizon_s``. A track has
  at most one active alert, whichever sensors and updates its reports came from.
* **hold** while P(drone) ≥ ``p_off`` (< ``p_on``) and a site is threatened. The condition is
  *off* otherwise; an alert **auto-clears** once it is at least ``min_hold_s`` old and its
  condition has been off, or its track unseen, for ``clear_after_s``. A track identified as
  friendly clears at once.
* **one alert per object, not per track**: the manager remembers each alert's object (its
  last measured fix, and the tracks known to be it: those that carried the alert, and those
  that appeared inside its gate — ``handover``). A threatening track known to be an alert's
  object takes the alert over (``TRACK_CHANGED``) when the alert's track is no longer
  measured or much less precise, stays silent beside it otherwise (a second track, or a
  ghost), and re-opens it (``REOPENED``) if it was auto-cleared. Operator-cleared and
  friendly-cleared alerts are never re-opened.
* **young tracks wait**: a new alert waits until its track is ``min_track_age_s`` old, unless
  the object would get into a site first.
* **escalate** when the priority rises ``escalation_step`` above the last announced value.
* operators **acknowledge** (NEW), **engage** (ACKNOWLEDGED) and **clear** (any active
  state); anything else raises ``IllegalTransitionError``. The tracks of an object cleared
  by an operator are not alerted again until their hold condition has dropped once.
* a site that an active alert threatened is declared **clear** (``SITE_CLEAR``) after
  ``airspace_clear_s`` with no active alert threatening it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from dronewall.assess.alert_types import (
    Alert,
    AlertConfig,
    AlertEvent,
    AlertState,
    AlertTable,
    EventKind,
    OperatorAction,
    SiteState,
)
from dronewall.assess.errors import AlertError, IllegalTransitionError, UnknownAlertError
from dronewall.assess.handover import ObjectMemory
from dronewall.assess.observe import ClassMemory, Observation, observe, young_fixes
from dronewall.assess.threat import ThreatBatch
from dronewall.core.tracks import ClassBatch

_ACTIVE = (AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.ENGAGED)
# action → (states it is allowed from, state it leads to, event it makes)
_TRANSITIONS: dict[str, tuple[tuple[AlertState, ...], AlertState, EventKind]] = {
    "acknowledge": ((AlertState.NEW,), AlertState.ACKNOWLEDGED, EventKind.ACKNOWLEDGED),
    "engage": ((AlertState.ACKNOWLEDGED,), AlertState.ENGAGED, EventKind.ENGAGED),
    "clear": (_ACTIVE, AlertState.CLEARED, EventKind.CLEARED),
}
_LOST, _OFF, _FRIENDLY = "track lost", "no longer a threat", "identified as friendly"


@dataclass(slots=True)
class _SiteMemory:
    t_last_threat: float
    announced_clear: bool = False


class AlertManager:
    """Keeps the alert table; every change comes back as an ``AlertEvent``."""

    def __init__(self, config: AlertConfig | None = None) -> None:
        self.config = config or AlertConfig()
        self._alerts: dict[int, Alert] = {}
        self._active: dict[int, int] = {}  # track id → alert id
        self._suppressed: dict[int, float] = {}  # track cleared by an operator → last seen
        self._sites: dict[str, _SiteMemory] = {}
        self._classes = ClassMemory.empty()
        self._t = -math.inf
        self._next_id = 1
        self._objects = ObjectMemory(self.config)  # which tracks are which alert's object

    # -- data ------------------------------------------------------------------------------

    def update(
        self, t: float, classes: ClassBatch | None, threats: ThreatBatch
    ) -> list[AlertEvent]:
        """Take one picture at time ``t``; return what changed, in a fixed order."""
        if t < self._t:
            raise AlertError(f"time went backwards: update at {t} after {self._t}")
        self._t = t
        cfg = self.config
        self._classes = self._classes.merged(classes, t - cfg.class_memory_s)
        wanted = set(self._active) | set(self._suppressed)
        events: list[AlertEvent] = []
        for seen in observe(threats, self._classes, cfg, wanted):
            events += self._observe(t, seen)
        young = young_fixes(threats, t, cfg.handover_birth_s)
        self._objects.adopt(t, young, self._active.values())
        events += self._auto_clear(t)
        events += self._airspace(t)
        self._forget(t)
        return events

    def _observe(self, t: float, seen: Observation) -> list[AlertEvent]:
        alert_id = self._active.get(seen.track_id)
        if seen.track_id in self._suppressed:
            self._suppressed[seen.track_id] = seen.t_seen
            if not seen.hold:
                del self._suppressed[seen.track_id]
            return []
        if alert_id is not None:
            return self._refresh(t, self._alerts[alert_id], seen)
        if not seen.on:
            return []
        owner = self._objects.owner(seen.track_id)
        if owner is None and seen.fix is not None and self._objects.young(t, seen.fix):
            match = self._objects.match(t, seen.track_id, seen.fix, self._active.values())
            if match is not None:  # it appeared where an alerted object is: it is that object
                self._objects.bind(seen.track_id, match.alert_id)
                owner = match.alert_id
        if owner is not None:
            events = self._known_track(t, self._alerts[owner], seen)
            if events is not None:
                return events
        return [self._raise(t, seen)] if self._ripe(t, seen) else []

    def _ripe(self, t: float, seen: Observation) -> bool:
        """A new alert waits until its track is ``min_track_age_s`` old and has taken
        ``min_track_updates`` measurements, unless the object
        would get into a site before then: a young track's class is still settling (an
        airliner's before its ADS-B joins, a bird's before enough of its flight is seen)."""
        if seen.fix is None:
            return True
        age = t - seen.fix.t_first
        wait = self.config.min_track_age_s - age
        missing = self.config.min_track_updates - seen.fix.n_updates
        if missing > 0 and seen.fix.n_updates > 0:  # at the pace the track has been updated
            wait = max(wait, missing * age / seen.fix.n_updates)
        elif missing > 0:
            wait = max(wait, self.config.min_track_age_s)
        return wait <= 0.0 or 0.0 < seen.time_to_site_s <= wait

    # -- one object, several tracks --------------------------------------------------------

    def _known_track(self, t: float, alert: Alert, seen: Observation) -> list[AlertEvent] | None:
        """A threatening track known to be ``alert``'s object, not carrying it. It re-opens
        the alert if auto-cleared. Otherwise, inside the gate of the alert's object it is a
        second track of it: it takes the alert over if the alert's track is no longer
        measured or much less precise, else stays silent. Outside the gate the much more
        precise of the two tracks is taken for the object: this one takes the alert over, or
        stays silent as a ghost. ``None``: apart and about as precise, it is released — it
        may be another object."""
        cfg = self.config
        if not alert.active:
            return self._take_over(t, alert, seen)
        ratio = self._objects.ratio(alert.alert_id, seen.fix)  # NaN compares false
        better, worse = ratio * cfg.handover_better_ratio < 1.0, ratio > cfg.handover_better_ratio
        match = self._objects.test(t, alert.alert_id, seen.track_id, seen.fix)
        if match is not None:
            return [] if match.duplicate and not better else self._take_over(t, alert, seen)
        if better:
            return self._take_over(t, alert, seen)
        if worse:
            return []
        self._objects.release(seen.track_id)
        return None

    def _take_over(self, t: float, alert: Alert, seen: Observation) -> list[AlertEvent]:
        """Hand ``alert`` to ``seen``'s track (re-opening it if it was auto-cleared). The
        track it leaves stays known to be the object."""
        previous = alert.track_id
        distance, gap = self._objects.separation(alert.alert_id, seen.fix)
        reopened = not alert.active
        track_ids = alert.track_ids
        if seen.track_id not in track_ids:
            track_ids = (*track_ids, seen.track_id)
        moved = replace(alert, track_id=seen.track_id, track_ids=track_ids)
        if reopened:
            recent = t - alert.t_cleared <= self.config.handover_window_s
            moved = replace(
                moved,
                state=_state_before_clear(alert) if recent else AlertState.NEW,
                t_cleared=math.nan,
                clear_reason="",
                t_condition_off=math.nan,
                t_last_seen=seen.t_seen,
            )
        elif self._active.get(previous) == alert.alert_id:
            del self._active[previous]
        self._objects.bind(previous, alert.alert_id)
        self._store(moved)
        events = self._refresh(t, moved, seen)
        if reopened:
            kind, words = EventKind.REOPENED, f"alert re-opened on track {seen.track_id}"
        else:
            kind, words = EventKind.TRACK_CHANGED, f"track {seen.track_id} takes over"
        if seen.track_id != previous:
            words += f" from track {previous}"
            if not math.isnan(distance):
                words += (
                    f" ({distance / 1000.0:.1f} km from its last measurement, {gap:.0f} s later)"
                )
        refreshed = self._alerts[alert.alert_id]
        return [_event(kind, t, refreshed, f"{words}: {seen.reasons}"), *events]

    # -- one alert -------------------------------------------------------------------------

    def _raise(self, t: float, seen: Observation) -> AlertEvent:
        alert = Alert(
            alert_id=self._next_id,
            track_id=seen.track_id,
            track_ids=(seen.track_id,),
            state=AlertState.NEW,
            site_id=seen.site_id,
            sites=seen.sites,
            priority=seen.priority,
            announced_priority=seen.priority,
            peak_priority=seen.priority,
            p_drone=seen.p_drone,
            time_to_site_s=seen.time_to_site_s,
            reasons=seen.reasons,
            t_raised=t,
            t_updated=t,
            t_last_seen=seen.t_seen,
            t_condition_off=math.nan,
        )
        self._next_id += 1
        self._store(alert)
        self._objects.carries(alert.alert_id, seen.track_id, seen.fix)
        self._mark_sites(alert.sites, t)
        return _event(EventKind.RAISED, t, alert, f"alert raised: {seen.reasons}")

    def _refresh(self, t: float, alert: Alert, seen: Observation) -> list[AlertEvent]:
        if seen.friendly:
            return [self._close(t, alert, AlertState.CLEARED, _FRIENDLY)]
        off = alert.t_condition_off if not math.isnan(alert.t_condition_off) else t
        alert = replace(
            alert,
            site_id=seen.site_id or alert.site_id,
            sites=seen.sites if seen.hold else alert.sites,
            priority=seen.priority,
            peak_priority=max(alert.peak_priority, seen.priority),
            p_drone=seen.p_drone,
            time_to_site_s=seen.time_to_site_s,
            reasons=seen.reasons,
            t_updated=t,
            t_last_seen=max(alert.t_last_seen, seen.t_seen),
            t_condition_off=math.nan if seen.hold else off,
        )
        self._objects.carries(alert.alert_id, seen.track_id, seen.fix)
        events: list[AlertEvent] = []
        if seen.priority >= alert.announced_priority + self.config.escalation_step:
            alert = replace(alert, announced_priority=seen.priority)
            message = f"priority up to {seen.priority:.0f}: {seen.reasons}"
            events.append(_event(EventKind.ESCALATED, t, alert, message))
        self._store(alert)
        if seen.hold:
            self._mark_sites(alert.sites, t)
        return events

    def _auto_clear(self, t: float) -> list[AlertEvent]:
        cfg = self.config
        events: list[AlertEvent] = []
        for alert_id in sorted(self._active.values()):
            alert = self._alerts[alert_id]
            if t - alert.t_raised < cfg.min_hold_s:
                continue
            if t - alert.t_last_seen >= cfg.clear_after_s:
                events.append(self._close(t, alert, AlertState.CLEARED, _LOST))
            elif t - alert.t_condition_off >= cfg.clear_after_s:  # NaN compares false
                events.append(self._close(t, alert, AlertState.CLEARED, _OFF))
        return events

    def _close(self, t: float, alert: Alert, state: AlertState, reason: str) -> AlertEvent:
        closed = replace(alert, state=state, t_cleared=t, clear_reason=reason, t_updated=t)
        self._store(closed)
        if reason == _FRIENDLY:
            self._objects.forget(alert.alert_id)
        else:
            self._objects.lost(alert.alert_id)
        self._mark_sites(alert.sites, t)
        return _event(EventKind.AUTO_CLEARED, t, closed, f"alert cleared: {reason}")

    def _airspace(self, t: float) -> list[AlertEvent]:
        threatened = {s for a in self._active.values() for s in self._alerts[a].sites}
        events: list[AlertEvent] = []
        for site_id in sorted(self._sites):
            memory = self._sites[site_id]
            quiet = t - memory.t_last_threat >= self.config.airspace_clear_s
            if site_id in threatened or memory.announced_clear or not quiet:
                continue
            memory.announced_clear = True
            message = f"airspace clear at {site_id}"
            events.append(
                AlertEvent(EventKind.SITE_CLEAR, t, None, None, site_id, 0.0, None, message)
            )
        return events

    def _mark_sites(self, sites: tuple[str, ...], t: float) -> None:
        for site_id in sites:
            memory = self._sites.setdefault(site_id, _SiteMemory(t))
            memory.t_last_threat = max(memory.t_last_threat, t)
            memory.announced_clear = False

    def _store(self, alert: Alert) -> None:
        self._alerts[alert.alert_id] = alert
        if alert.active:
            self._active[alert.track_id] = alert.alert_id
        elif self._active.get(alert.track_id) == alert.alert_id:
            del self._active[alert.track_id]

    def _forget(self, t: float) -> None:
        cfg = self.config
        old = [a for a, alert in self._alerts.items() if t - alert.t_cleared > cfg.keep_cleared_s]
        for alert_id in old:  # t - NaN > keep is false: active alerts stay
            del self._alerts[alert_id]
            self._objects.forget(alert_id)
        gone = [k for k, seen in self._suppressed.items() if t - seen > cfg.clear_after_s]
        for track_id in gone:
            del self._suppressed[track_id]
        self._objects.prune(t)

    # -- operators -------------------------------------------------------------------------

    def acknowledge(self, alert_id: int, operator: str, t: float, note: str = "") -> AlertEvent:
        """NEW → ACKNOWLEDGED."""
        return self._act("acknowledge", alert_id, operator, t, note)

    def engage(self, alert_id: int, operator: str, t: float, note: str = "") -> AlertEvent:
        """ACKNOWLEDGED → ENGAGED: an effector has been tasked against the object."""
        return self._act("engage", alert_id, operator, t, note)

    def clear(self, alert_id: int, operator: str, t: float, note: str = "") -> AlertEvent:
        """Any active state → CLEARED by an operator (dismissed, or the object is down)."""
        return self._act("clear", alert_id, operator, t, note)

    def _act(self, action: str, alert_id: int, operator: str, t: float, note: str) -> AlertEvent:
        alert = self.alert(alert_id)
        allowed, target, kind = _TRANSITIONS[action]
        if alert.state not in allowed:
            names = tuple(str(s) for s in allowed)
            raise IllegalTransitionError(alert_id, action, str(alert.state), names)
        if not operator.strip():
            raise AlertError(f"{action} alert {alert_id}: the operator must be named")
        if not t >= alert.t_raised:
            raise AlertError(f"{action} alert {alert_id} at {t}: before it was raised")
        record = OperatorAction(action, operator, t, note)
        changed = replace(alert, state=target, actions=(*alert.actions, record))
        if target is AlertState.CLEARED:  # judged by a person: never re-opened
            changed = replace(changed, t_cleared=t, clear_reason=f"cleared by {operator}")
            for track_id in {alert.track_id, *self._objects.forget(alert_id)}:
                self._suppressed[track_id] = alert.t_last_seen  # every track of the object
            self._mark_sites(alert.sites, t)
        self._store(changed)
        return _event(kind, t, changed, f"{action} by {operator}" + (f": {note}" if note else ""))

    # -- reading ---------------------------------------------------------------------------

    def alert(self, alert_id: int) -> Alert:
        """The alert with this id; ``UnknownAlertError`` if there is none (any more)."""
        try:
            return self._alerts[alert_id]
        except KeyError:
            raise UnknownAlertError(alert_id) from None

    def alerts(self, *, include_cleared: bool = False) -> tuple[Alert, ...]:
        """Alerts by id; active ones only unless ``include_cleared``."""
        chosen = (a for a in self._alerts.values() if include_cleared or a.active)
        return tuple(sorted(chosen, key=lambda a: a.alert_id))

    def table(self, *, include_cleared: bool = False) -> AlertTable:
        """The alert table, highest priority first."""
        return AlertTable.of(list(self.alerts(include_cleared=include_cleared)))

    def active_alert(self, track_id: int) -> Alert | None:
        alert_id = self._active.get(track_id)
        return None if alert_id is None else self._alerts[alert_id]

    def sites(self) -> tuple[SiteState, ...]:
        """Every site an active alert has threatened since the start, by id."""
        out = []
        for site_id in sorted(self._sites):
            alerts = tuple(
                sorted(a for a in self._active.values() if site_id in self._alerts[a].sites)
            )
            memory = self._sites[site_id]
            out.append(SiteState(site_id, alerts, memory.t_last_threat, memory.announced_clear))
        return tuple(out)


def _state_before_clear(alert: Alert) -> AlertState:
    """The active state an auto-cleared alert had: operator actions are never undone."""
    done = {a.action for a in alert.actions}
    if "engage" in done:
        return AlertState.ENGAGED
    return AlertState.ACKNOWLEDGED if "acknowledge" in done else AlertState.NEW


def _event(kind: EventKind, t: float, alert: Alert, message: str) -> AlertEvent:
    return AlertEvent(
        kind, t, alert.alert_id, alert.track_id, alert.site_id, alert.priority, alert.state, message
    )
