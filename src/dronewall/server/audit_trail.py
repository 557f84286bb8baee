"""The server's audit trail: the ``AuditHook`` that records sign-ins, alert actions, user and
sharing changes and refusals into the store's audit log, and the routes that read it back
(``docs/audit.md``).

``AuditTrail`` is the hook (``server.auth.audit`` calls it from the event loop and from
worker threads). It never blocks its caller on the database: it turns the call into an
``AuditRecord`` (the signed-in user's name, roles and nation; ``"anonymous"`` when nobody is
signed in) and queues it for one writer thread, which appends entries in the order they were
queued. Reads flush the queue first, so an action is in the trail its answer reports. The
writer records ``server.start`` when it starts and ``server.stop`` when the server stops.

Subjects are typed: ``alert:42``, ``user:anna``, ``route:/api/x`` (a refused request),
``recipient:PL-ADOC``; a bare subject is given its type by the action's first word.

Routes:

* ``GET /api/alerts/{alert_id}/audit`` — who did what and when on one alert, oldest first
  (every role that reads the picture: the map shows it in the alert panel).
* ``GET /api/audit`` — the trail, filtered by actor, subject, time; admins and commanders see
  every entry, other roles only entries on alerts.
* ``GET /api/admin/audit/verify`` — the chain checked (admins).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, Query, Request
from prometheus_client import CollectorRegistry, Counter
from pydantic import Field

from dronewall.core.audit import SERVER_START, SYSTEM_ACTOR, AuditError, AuditRecord
from dronewall.core.errors import NotFoundError
from dronewall.runtime.release import TrackLabels
from dronewall.server.auth import Principal
from dronewall.server.feed import Feed, recipient_of, release_for, released_alerts
from dronewall.server.schemas import Out, errors
from dronewall.store import AuditLog, Store, StoreError

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"  # the actor when nobody is signed in (a failed sign-in, a refusal)
# ``"system"`` is the actor of server.* and sharing.* entries made with nobody signed in (the
# server starting, a sharing file loaded at start-up).
SERVER_STOP = "server.stop"
QUEUE_MAX = 10_000  # entries waiting for the writer; beyond it they are dropped and counted
FLUSH_TIMEOUT_S = 5.0  # a read waits at most this long for queued entries to be written
RETRY_S = 1.0  # a failed append is tried once more after this pause, then dropped
LIST_LIMIT = 200  # entries ``GET /api/audit`` returns unless asked for more
LIST_MAX = 10_000
SEE_ALL = frozenset({"admin", "commander"})  # roles that read the whole trail
# The type of a bare subject, by the action's first word ("alert.engage", "42" → "alert:42").
SUBJECT_TYPES = {
    "alert": "alert",
    "auth": "user",
    "user": "user",
    "access": "route",
    "sharing": "recipient",
}
BY_SERVER = frozenset({"server", "sharing"})  # with nobody signed in, the server did them
_STOP = object()


def subject_of(action: str, subject: str) -> str:
    """``subject`` with its type: unchanged when it has one (or is empty)."""
    if not subject or ":" in subject:
        return subject
    kind = SUBJECT_TYPES.get(action.partition(".")[0])
    return f"{kind}:{subject}" if kind else subject


def record_of(
    who: Principal | None, action: str, subject: str, detail: dict[str, Any]
) -> AuditRecord:
    """The hook's arguments as a record (AuditError when they cannot be one)."""
    if who is None:
        actor = SYSTEM_ACTOR if action.partition(".")[0] in BY_SERVER else ANONYMOUS
        return AuditRecord(actor, action, subject_of(action, subject), detail)
    return AuditRecord(
        who.user,
        action,
        subject_of(action, subject),
        detail,
        tuple(sorted(who.roles)),
        who.recipient.nation,
    )


class AuditTrail:
    """An ``AuditHook`` writing to a store's audit log on its own thread (``start``)."""

    def __init__(self, registry: CollectorRegistry | None = None):
        self._queue: queue.Queue[object] = queue.Queue(QUEUE_MAX)
        self._done = threading.Condition()
        self._queued = 0  # records put in the queue
        self._handled = 0  # of them, written, failed or dropped on the writer's side
        self._thread: threading.Thread | None = None
        self.log: AuditLog | None = None
        self.entries = Counter(
            "dronewall_audit_entries",
            "Audit entries by outcome: written; failed (the store refused them twice); "
            "dropped (the queue was full); invalid (not a record)",
            ["outcome"],
            registry=registry,
        )

    def __call__(
        self, who: Principal | None, action: str, subject: str, detail: dict[str, Any]
    ) -> None:
        try:
            record = record_of(who, action, subject, detail)
        except AuditError as exc:
            self.entries.labels("invalid").inc()
            log.error("audit entry %s on %s not recorded: %s", action, subject, exc)
            return
        self._put(record)

    def start(self, audit_log: AuditLog, detail: dict[str, Any] | None = None) -> None:
        """Write to ``audit_log`` from now on, beginning with ``server.start``."""
        self.log = audit_log
        self._put(AuditRecord(SYSTEM_ACTOR, SERVER_START, detail=detail or {}))
        self._thread = threading.Thread(target=self._write, name="dronewall-audit", daemon=True)
        self._thread.start()

    def flush(self, timeout_s: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until what was queued before the call is written; False on timeout."""
        with self._done:
            target = self._queued
            if self._thread is None:
                return target == self._handled
            return self._done.wait_for(lambda: self._handled >= target, timeout_s)

    def close(self, timeout_s: float = 30.0) -> None:
        """Record ``server.stop``, write what is queued, stop the writer."""
        if self._thread is None:
            return
        self._put(AuditRecord(SYSTEM_ACTOR, SERVER_STOP))
        self._queue.put(_STOP)
        self._thread.join(timeout_s)
        self._thread = None

    def _put(self, record: AuditRecord) -> None:
        with self._done:
            try:
                self._queue.put_nowait(record)
            except queue.Full:
                self.entries.labels("dropped").inc()
                log.error("audit queue full: %s on %s dropped", record.action, record.subject)
                return
            self._queued += 1

    def _write(self) -> None:
        assert self.log is not None
        while (item := self._queue.get()) is not _STOP:
            assert isinstance(item, AuditRecord)
            self.entries.labels(self._append(self.log, item)).inc()
            with self._done:
                self._handled += 1
                self._done.notify_all()

    def _append(self, audit_log: AuditLog, record: AuditRecord) -> str:
        for attempt in (1, 2):
            try:
                audit_log.append(record)
                return "written"
            except StoreError as exc:
                log.error("audit entry %s (attempt %d): %s", record.action, attempt, exc)
                if attempt == 1:
                    time.sleep(RETRY_S)
        return "failed"


# ---- reading it back ------------------------------------------------------------------------
class AuditEntry(Out):
    """One entry of the audit trail (``core.audit.AuditEntry.to_json``)."""

    seq: int = Field(description="1, 2, 3, … in the order recorded")
    t: float = Field(description="when, POSIX seconds (UTC)")
    time: str = Field(description="when, ISO 8601 UTC")
    actor: str = Field(description="the user; 'system' for the server, 'anonymous' if none")
    roles: list[str] = Field(description="the actor's roles when they acted")
    nation: str = Field(description="the actor's nation (ISO 3166-1 alpha-3), '' if none")
    action: str = Field(description="e.g. auth.login, alert.acknowledge, user.roles")
    subject: str = Field(description="e.g. alert:42, user:anna, route:/api/x")
    detail: dict[str, Any] = Field(description="what else was recorded (note, client, why)")
    prev_hash: str = Field(description="the hash of the entry before (SHA-256, hex)")
    hash: str = Field(description="SHA-256 of prev_hash and this entry's canonical JSON")


class AuditVerdict(Out):
    """The audit chain checked: whole, or the first entry that does not fit and why."""

    ok: bool
    checked: int = Field(description="entries checked and whole")
    head_seq: int = Field(description="the last whole entry")
    head_hash: str
    bad_seq: int | None = Field(description="the first entry that does not fit")
    reason: str = Field(description="'gap', 'prev mismatch', 'hash mismatch' or ''")
    explanation: str
    guarded: bool = Field(description="the triggers refusing changes are in place and enabled")


AlertId = Annotated[int, Path(ge=0, lt=2**63, description="an alert number")]


class AlertsSeen:
    """Which alerts a request's user may see: those on tracks their nation and clearance are
    cleared for (``server.feed.released_alerts``), among the live feed's alerts; every alert
    when the request is for the whole picture (no sign-in) or nothing is live."""

    def __init__(self, feed: Callable[[], Feed | None], labels: Callable[[], TrackLabels]):
        self._feed = feed
        self._labels = labels

    def ids(self, request: Request) -> set[int] | None:
        """The alert ids the user may see; None: every alert."""
        f = self._feed()
        release = release_for(f.sensors, recipient_of(request)) if f is not None else None
        if f is None or release is None:
            return None
        mine = released_alerts(f.alerts(include_cleared=True), release, self._labels())
        return {a.alert_id for a in mine}


def add_audit_routes(
    router: FastAPI, store: Callable[[], Store], trail: AuditTrail | None, seen: AlertsSeen
) -> None:
    """The audit routes on the app, reading ``store()``'s log (after flushing ``trail``, if
    the app writes through one), entries on alerts only as far as ``seen`` lets each user
    see them. On the app itself, like the auth routes: one flat list of routes for the
    access guard."""

    def read() -> AuditLog:
        if trail is not None and not trail.flush():
            log.warning("audit entries still queued after %.0f s", FLUSH_TIMEOUT_S)
        return store().audit_log()

    @router.get(
        "/api/alerts/{alert_id}/audit",
        response_model=list[AuditEntry],
        tags=["audit"],
        responses=errors(401, 403, 404, 422, 503),
    )
    def alert_audit(request: Request, alert_id: AlertId) -> list[dict[str, Any]]:
        """Who did what and when on one alert, oldest first: acknowledgements, engagement
        requests, clearing, and refused attempts (``alert.engage.refused``). 404 for an
        alert on a track the user may not see."""
        visible = seen.ids(request)
        if visible is not None and alert_id not in visible:
            raise NotFoundError("alert", alert_id)
        return [e.to_json() for e in read().entries(subject=f"alert:{alert_id}")]

    @router.get(
        "/api/audit",
        response_model=list[AuditEntry],
        tags=["audit"],
        responses=errors(401, 403, 422, 503),
    )
    def audit_list(
        request: Request,
        actor: str | None = None,
        subject: str | None = None,
        since: Annotated[float | None, Query(allow_inf_nan=False)] = None,
        limit: Annotated[int, Query(ge=1, le=LIST_MAX)] = LIST_LIMIT,
    ) -> list[dict[str, Any]]:
        """The newest ``limit`` entries (shown oldest first) with this actor, subject and
        ``t >= since`` (POSIX s). Admins and commanders see all; other roles entries on
        alerts they may see only (403 for any other subject)."""
        who = getattr(request.state, "principal", None)
        sees_all = isinstance(who, Principal) and bool(who.roles & SEE_ALL)
        if not sees_all and subject is not None and not subject.startswith("alert:"):
            raise HTTPException(403, "only admins and commanders read entries not on alerts")
        audit_log = read()
        visible = None if sees_all else seen.ids(request)
        if visible is None:
            found = audit_log.entries(
                actor=actor,
                subject=subject,
                subject_prefix=None if sees_all else "alert:",
                since=since,
                limit=limit,
                newest_first=True,
            )
        else:  # alert by alert (the subject index), the user's alerts only
            wanted = sorted(visible) if subject is None else [_alert_id(subject)]
            found = []
            for alert_id in (i for i in wanted if i in visible):
                found += audit_log.entries(
                    actor=actor, subject=f"alert:{alert_id}", since=since, limit=limit,
                    newest_first=True,
                )  # fmt: skip
            found = sorted(found, key=lambda e: e.seq, reverse=True)[:limit]
        return [e.to_json() for e in reversed(found)]

    @router.get(
        "/api/admin/audit/verify",
        response_model=AuditVerdict,
        tags=["audit"],
        responses=errors(401, 403, 503),
    )
    def audit_verify() -> dict[str, Any]:
        """Walk the whole chain (about 0.1 s per 10,000 entries) and say whether it is whole."""
        audit_log = read()
        verdict = audit_log.verify()
        return {
            "guarded": audit_log.guarded(),
            "ok": verdict.ok,
            "checked": verdict.checked,
            "head_seq": verdict.head_seq,
            "head_hash": verdict.head_hash,
            "bad_seq": verdict.bad_seq,
            "reason": verdict.reason,
            "explanation": verdict.explanation,
        }


def _alert_id(subject: str) -> int | None:
    """The number of an ``alert:N`` subject (None for anything else)."""
    kind, _, number = subject.partition(":")
    return int(number) if kind == "alert" and number.isdigit() else None
