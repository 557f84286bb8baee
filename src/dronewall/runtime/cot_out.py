"""The picture to TAK users (ATAK, WinTAK, TAK Server) as Cursor-on-Target (issue 15): the
``PictureSink``s of output kinds ``cot-udp``, ``cot-tcp``, ``tak-udp`` and ``tak-tcp`` in the
sharing file (``docs/cot.md``).

    pipeline thread ──take_frame/take_events──► latest frame, alert events (lock)
                                                   │ sender thread
                                                   ▼
              track events + alert alarms (sensors/cot) ──► UDP datagrams / TCP stream

``take_frame`` only stores the frame (one not yet sent when the next comes is dropped and
counted) and ``take_events`` only queues; the sender thread encodes and sends, so a slow or
absent TAK server never holds the pipeline. A frame is sent when its data time is
``interval_s`` past the last one sent (paced by data time, like ``UpwardReporter``).

* ``cot-udp``/``tak-udp``: one event per datagram — CoT XML, or TAK Protocol v1 "mesh"
  (``0xbf 0x01 0xbf`` + protobuf) — to a multicast group (TTL ``ttl``; ATAK's SA group is
  239.2.3.1:6969) or a unicast address.
* ``cot-tcp``/``tak-tcp``: a TCP client to a TAK server's streaming input, reconnecting with
  exponential back-off. ``cot-tcp`` streams XML documents back to back; ``tak-tcp`` negotiates
  TAK Protocol v1 as the protocol description says (starts in XML, asks for version 1 when
  the server offers it, streams ``0xbf`` + varint length + protobuf once accepted) or, with
  ``negotiate = false``, streams protobuf from the start. What the server sends is read and
  discarded, so its send buffer never fills.

The table's keys are read in ``cot_settings``, the sockets are ``cot_links``'; the events
themselves come from ``sensors/cot`` (pure encoders).
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from dronewall.assess import AlertEvent, EventKind
from dronewall.core.clock import Clock, SystemClock
from dronewall.core.release import Recipient
from dronewall.runtime.cot_links import Link, TcpLink, UdpLink
from dronewall.runtime.cot_settings import KINDS, CotOutSettings, parse_settings
from dronewall.sensors.cot import (
    CotEvent,
    alarm_event,
    event_mesh,
    event_stream,
    event_xml,
    track_events,
    track_uid,
)
from dronewall.store import PictureFrame

__all__ = ["KINDS", "AlarmBook", "CotOutSettings", "CotSink", "make_cot_sink", "parse_settings"]

log = logging.getLogger(__name__)
PACE_SLACK_S: Final = 1e-3  # frames come at whole output intervals: float round-off
WAKE_S: Final = 0.2  # the sender looks at its TCP connection this often when idle
MAX_QUEUED_EVENTS: Final = 10_000  # alert events waiting for the sender; oldest dropped


def make_cot_sink(recipient: Recipient, table: dict[str, Any]) -> CotSink:
    """The sharing file's factory for kinds cot-udp, cot-tcp, tak-udp and tak-tcp."""
    return CotSink(parse_settings(table), recipient)


@dataclass(frozen=True, slots=True)
class _Note:
    """What an alert's latest event said."""

    state: str
    message: str


class AlarmBook:
    """The alerts on a recipient's TAK map. An alarm is shown for each active alert on a track
    in the recipient's picture — the frame's ``alert_id`` column, so an alert whose events were
    withheld or came before the sink started is shown all the same — worded from the alert's
    latest event (state, message) and the frame (site, priority). An alarm shown before and
    gone now (cleared, or its track no longer in the picture) is sent once more, stale, so
    clients drop it. An alarm whose track is withheld is never sent: its position would leak."""

    _ENDS = frozenset({EventKind.CLEARED, EventKind.AUTO_CLEARED})
    MAX_NOTES = 10_000  # alerts remembered; an end event withheld would otherwise leak one

    def __init__(self) -> None:
        self._notes: dict[int, _Note] = {}
        self._shown: dict[int, CotEvent] = {}

    def __len__(self) -> int:
        return len(self._shown)

    def update(self, events: list[AlertEvent]) -> None:
        for e in events:
            if e.alert_id is None:  # site-clear: no CoT form
                continue
            self._notes.pop(e.alert_id, None)
            if e.kind not in self._ENDS:
                state = str(e.state) if e.state is not None else str(e.kind)
                self._notes[e.alert_id] = _Note(state, e.message)
        while len(self._notes) > self.MAX_NOTES:
            del self._notes[next(iter(self._notes))]

    def events(
        self,
        frame: PictureFrame,
        tracks: dict[str, CotEvent],
        node: str,
        now_s: float,
        stale_s: float,
    ) -> list[CotEvent]:
        """The alarms for this picture (``tracks``: its track events by uid)."""
        out: list[CotEvent] = []
        shown: dict[int, CotEvent] = {}
        for row in np.flatnonzero(frame.alert_id > 0).tolist():
            track = tracks.get(track_uid(node, int(frame.track_id[row])))
            if track is None:  # a bird, or no position
                continue
            alert_id = int(frame.alert_id[row])
            note = self._notes.get(alert_id, _Note("active", ""))
            shown[alert_id] = alarm_event(
                node=node,
                alert_id=alert_id,
                state=note.state,
                site_id=str(frame.site_id[row]),
                priority=float(frame.priority[row]),
                message=note.message,
                track=track,
                now_s=now_s,
                stale_s=stale_s,
            )
        for alert_id, last in self._shown.items():
            if alert_id not in shown:
                out.append(replace(last, time_s=now_s, stale_s=now_s))
        self._shown = shown
        return [*out, *shown.values()]


class CotSink:
    """One CoT/TAK output for one recipient (a ``PictureSink``)."""

    def __init__(
        self, settings: CotOutSettings, recipient: Recipient, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.recipient = recipient
        self.name = f"{settings.kind}:{settings.address}"
        self._clock: Clock = clock or SystemClock()
        self._cond = threading.Condition()
        self._frame: PictureFrame | None = None
        self._events: deque[AlertEvent] = deque(maxlen=MAX_QUEUED_EVENTS)
        self._stop = False
        self._thread: threading.Thread | None = None
        self._last_sent_t = -math.inf
        self._alarms = AlarmBook()
        self._counts: dict[str, int] = dict.fromkeys(
            (
                "frames_sent",
                "frames_dropped",
                "events_sent",
                "bytes_sent",
                "tracks_skipped",
                "alert_events",
                "errors",
                "connects",
            ),
            0,
        )
        self._link: Link = (
            TcpLink(settings, self._clock, self._count) if settings.tcp else UdpLink(settings)
        )
        self._encode = _encoder(settings.kind)

    def _count(self, key: str, n: int = 1) -> None:
        with self._cond:
            self._counts[key] += n

    def start(self) -> None:
        self._link.open()
        self._thread = threading.Thread(target=self._run, name=f"cot {self.name}", daemon=True)
        self._thread.start()

    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        with self._cond:
            if self._frame is not None:
                self._counts["frames_dropped"] += 1
            self._frame = frame
            self._cond.notify()

    def take_events(self, events: list[AlertEvent]) -> None:
        if not self.settings.alerts or not events:
            return
        with self._cond:
            self._events.extend(events)
            self._counts["alert_events"] += len(events)
            self._cond.notify()

    def close(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._link.close()

    def health(self) -> dict[str, Any]:
        with self._cond:
            counts = dict(self._counts)
        last_error = self._link.last_error
        return {
            "name": self.name,
            "recipient": self.recipient.name or self.recipient.nation,
            "connected": self._link.connected,
            "protocol": self._link.protocol,
            "alarms": len(self._alarms),
            "last_error": last_error,
            **counts,
            "sent": counts["frames_sent"],
            "dropped": counts["frames_dropped"],
        }

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._stop and self._frame is None and not self._events:
                    self._cond.wait(WAKE_S)
                frame, self._frame = self._frame, None
                events = list(self._events)
                self._events.clear()
                stopping = self._stop
            self._alarms.update(events)
            self._link.poll(self._clock.now())
            if frame is not None and self._due(frame.t):
                self._send(frame)
            if stopping:
                return

    def _due(self, t: float) -> bool:
        if t < self._last_sent_t:  # data time went back: a replay started again
            self._last_sent_t = -math.inf
        return t >= self._last_sent_t + self.settings.interval_s - PACE_SLACK_S

    def _send(self, frame: PictureFrame) -> None:
        if not self._link.ready():
            self._count("frames_dropped")
            return
        now = self._clock.now()
        node = self.settings.options.node
        tracks, skipped = track_events(frame, now, self.settings.options)
        by_uid = {e.uid: e for e in tracks}
        alarms = (
            self._alarms.events(frame, by_uid, node, now, now + self.settings.stale_s)
            if self.settings.alerts
            else []
        )
        protocol = self._link.protocol
        payloads = [self._encode(e, protocol) for e in tracks + alarms]
        try:
            sent = self._link.send(payloads) if payloads else 0
        except OSError as e:
            log.warning("%s: %s", self.name, e)
            self._count("frames_dropped")
            if not self.settings.tcp:
                self._count("errors")
            return
        self._last_sent_t = frame.t
        with self._cond:
            self._counts["frames_sent"] += 1
            self._counts["events_sent"] += len(payloads)
            self._counts["bytes_sent"] += sent
            self._counts["tracks_skipped"] += skipped


def _encoder(kind: str) -> Callable[[CotEvent, str], bytes]:
    """How one event becomes bytes for this output (the link's protocol: xml or tak)."""
    if kind == "tak-udp":
        return lambda event, _protocol: event_mesh(event)
    if kind == "tak-tcp":
        return lambda event, protocol: (
            event_stream(event) if protocol == "tak" else event_xml(event)
        )
    return lambda event, _protocol: event_xml(event)
