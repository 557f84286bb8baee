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
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import select
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from dronewall.assess import AlertEvent, EventKind
from dronewall.core.clock import Clock, SystemClock
from dronewall.core.errors import ConfigError, DecodeError, DronewallError
from dronewall.core.release import Recipient
from dronewall.sensors.cot import (
    CotEvent,
    EventOptions,
    XmlEventReader,
    alarm_event,
    event_mesh,
    event_stream,
    event_xml,
    offered_versions,
    request_xml,
    response_status,
    track_events,
    track_uid,
)
from dronewall.store import PictureFrame

log = logging.getLogger(__name__)
KINDS: Final = ("cot-udp", "cot-tcp", "tak-udp", "tak-tcp")
DEFAULT_INTERVAL_S: Final = 1.0  # ATAK's own SA goes out every few s; drones move fast
STALE_INTERVALS: Final = 5.0  # default stale: a track survives four lost updates
PACE_SLACK_S: Final = 1e-3  # frames come at whole output intervals: float round-off
WAKE_S: Final = 0.2  # the sender looks at its TCP connection this often when idle
MAX_QUEUED_EVENTS: Final = 10_000  # alert events waiting for the sender; oldest dropped
_KEYS: Final = {
    "kind": "output kind",
    "address": "host:port (a multicast group for UDP)",
    "interval_s": "seconds between pictures sent",
    "stale_s": "seconds a track stays valid on the TAK map",
    "ttl": "multicast (or unicast) TTL, 0–255",
    "interface": "IPv4 address of the interface for multicast",
    "node": "this node's name in event uids",
    "callsign_prefix": "callsigns are <prefix>-<track id>",
    "birds": "send birds too",
    "alerts": "send alerts as alarm events",
    "group": "<__group name> for the events",
    "group_role": "<__group role>",
    "access": "the events' access attribute (a marking)",
    "negotiate": "tak-tcp: negotiate TAK Protocol v1 with the server",
    "negotiate_timeout_s": "tak-tcp: how long to wait for the server's offer/answer",
    "connect_timeout_s": "TCP connect timeout",
    "send_timeout_s": "TCP send timeout (a server not reading)",
    "backoff_min_s": "first reconnect delay",
    "backoff_max_s": "longest reconnect delay",
}


@dataclass(frozen=True, slots=True)
class CotOutSettings:
    """One CoT/TAK output, checked (``parse_settings``)."""

    kind: str
    host: str
    port: int
    interval_s: float = DEFAULT_INTERVAL_S
    stale_s: float = DEFAULT_INTERVAL_S * STALE_INTERVALS
    ttl: int = 1  # multicast stays on the local network unless asked
    interface: str = ""
    options: EventOptions = field(default_factory=EventOptions)
    alerts: bool = True
    negotiate: bool = True
    negotiate_timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    send_timeout_s: float = 5.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 30.0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def tcp(self) -> bool:
        return self.kind.endswith("-tcp")


def _fail(kind: str, key: str, message: str) -> ConfigError:
    return ConfigError(message, source=f"{kind} output", field=key)


def _number(kind: str, table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(kind, key, f"must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise _fail(kind, key, f"must be a finite number > 0, got {value!r}")
    return float(value)


def _text(kind: str, table: dict[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _fail(kind, key, f"must be a string, got {value!r}")
    return value


def _flag(kind: str, table: dict[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _fail(kind, key, f"must be true or false, got {value!r}")
    return value


def _address(kind: str, value: object) -> tuple[str, int]:
    if not isinstance(value, str) or ":" not in value:
        raise _fail(kind, "address", f"must be host:port, got {value!r}")
    host, _, port_text = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _fail(kind, "address", f"must be host:port with a port 1–65535, got {value!r}")
    return host, int(port_text)


def parse_settings(table: dict[str, Any]) -> CotOutSettings:
    """A sharing file's output table as settings; ConfigError naming the bad key."""
    kind = table.get("kind")
    if kind not in KINDS:
        raise _fail("cot", "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise _fail(kind, unknown[0], f"unknown key (known: {', '.join(_KEYS)})")
    host, port = _address(kind, table.get("address"))
    ttl = table.get("ttl", 1)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 255:
        raise _fail(kind, "ttl", f"must be an integer 0–255, got {ttl!r}")
    interval = _number(kind, table, "interval_s", DEFAULT_INTERVAL_S)
    stale = _number(kind, table, "stale_s", interval * STALE_INTERVALS)
    if stale < interval:
        raise _fail(kind, "stale_s", f"must be at least interval_s ({interval} s), got {stale}")
    interface = _text(kind, table, "interface", "")
    if interface:
        try:
            ipaddress.IPv4Address(interface)
        except ValueError:
            raise _fail(kind, "interface", f"must be an IPv4 address, got {interface!r}") from None
    backoff_min = _number(kind, table, "backoff_min_s", 1.0)
    backoff_max = _number(kind, table, "backoff_max_s", 30.0)
    if backoff_max < backoff_min:
        raise _fail(kind, "backoff_max_s", f"must be at least backoff_min_s ({backoff_min})")
    options = EventOptions(
        node=_text(kind, table, "node", socket.gethostname() or "dronewall"),
        callsign_prefix=_text(kind, table, "callsign_prefix", "DW"),
        stale_s=stale,
        birds=_flag(kind, table, "birds", False),
        group_name=_text(kind, table, "group", ""),
        group_role=_text(kind, table, "group_role", "Team Member"),
        access=_text(kind, table, "access", ""),
    )
    if not options.group_name:
        options = replace(options, group_role="")
    return CotOutSettings(
        kind=kind,
        host=host,
        port=port,
        interval_s=interval,
        stale_s=stale,
        ttl=ttl,
        interface=interface,
        options=options,
        alerts=_flag(kind, table, "alerts", True),
        negotiate=_flag(kind, table, "negotiate", True),
        negotiate_timeout_s=_number(kind, table, "negotiate_timeout_s", 10.0),
        connect_timeout_s=_number(kind, table, "connect_timeout_s", 5.0),
        send_timeout_s=_number(kind, table, "send_timeout_s", 5.0),
        backoff_min_s=backoff_min,
        backoff_max_s=backoff_max,
    )


def make_cot_sink(recipient: Recipient, table: dict[str, Any]) -> CotSink:
    """The sharing file's factory for kinds cot-udp, cot-tcp, tak-udp and tak-tcp."""
    return CotSink(parse_settings(table), recipient)


@dataclass(slots=True)
class _Alarm:
    track_id: int
    state: str
    site_id: str
    priority: float
    message: str
    last: CotEvent | None = None  # the alarm as last sent
    withdrawn: bool = False


class AlarmBook:
    """The alerts a recipient has been told of, from their events, as CoT alarms."""

    _ENDS = frozenset({EventKind.CLEARED, EventKind.AUTO_CLEARED})

    def __init__(self) -> None:
        self._alarms: dict[int, _Alarm] = {}

    def __len__(self) -> int:
        return len(self._alarms)

    def update(self, events: list[AlertEvent]) -> None:
        for e in events:
            if e.alert_id is None or e.kind is EventKind.SITE_CLEAR:
                continue
            known = self._alarms.get(e.alert_id)
            if e.kind in self._ENDS:
                if known is not None:
                    known.withdrawn = True
                    known.state = str(e.kind)
                continue
            track_id = e.track_id
            if track_id is None and known is not None:
                track_id = known.track_id
            if track_id is None:
                continue
            state = str(e.state) if e.state is not None else str(e.kind)
            alarm = _Alarm(int(track_id), state, e.site_id, e.priority, e.message)
            if known is not None:
                alarm.last = known.last
            self._alarms[e.alert_id] = alarm

    def events(
        self, tracks: dict[str, CotEvent], node: str, now_s: float, stale_s: float
    ) -> list[CotEvent]:
        """Alarms of alerts whose track is in this picture, and, once, a stale copy of each
        cleared one. An alarm whose track is withheld from this recipient is not sent."""
        out: list[CotEvent] = []
        for alert_id, a in list(self._alarms.items()):
            if a.withdrawn:
                if a.last is not None:
                    out.append(replace(a.last, time_s=now_s, stale_s=now_s))
                del self._alarms[alert_id]
                continue
            track = tracks.get(track_uid(node, a.track_id))
            if track is None:
                continue
            a.last = alarm_event(
                node=node,
                alert_id=alert_id,
                state=a.state,
                site_id=a.site_id,
                priority=a.priority,
                message=a.message,
                track=track,
                now_s=now_s,
                stale_s=stale_s,
            )
            out.append(a.last)
        return out


class _Link:
    """Where the bytes go: ``send`` one payload list, ``poll`` between sends."""

    connected: bool = False
    last_error: str = ""

    @property
    def protocol(self) -> str:
        """ "xml" or "tak": how events are encoded on this link now."""
        return "xml"

    def open(self) -> None: ...

    def poll(self, now: float) -> None: ...

    def ready(self) -> bool:
        return True

    def send(self, payloads: list[bytes]) -> int:
        raise NotImplementedError

    def close(self) -> None: ...


class UdpLink(_Link):
    """One datagram per event, to a multicast group or a unicast address."""

    def __init__(self, settings: CotOutSettings):
        self._settings = settings
        self._sock: socket.socket | None = None
        self._target: tuple[str, int] = (settings.host, settings.port)

    @property
    def protocol(self) -> str:
        return "tak" if self._settings.kind == "tak-udp" else "xml"

    def open(self) -> None:
        s = self._settings
        try:
            info = socket.getaddrinfo(s.host, s.port, socket.AF_INET, socket.SOCK_DGRAM)
            self._target = (str(info[0][4][0]), int(info[0][4][1]))
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            if ipaddress.IPv4Address(self._target[0]).is_multicast:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, s.ttl)
                if s.interface:
                    iface = socket.inet_aton(s.interface)
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, iface)
            else:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, max(s.ttl, 1))
        except OSError as e:
            raise DronewallError(f"{s.kind} output {s.address}: cannot open: {e}") from None
        self._sock = sock
        self.connected = True

    def send(self, payloads: list[bytes]) -> int:
        assert self._sock is not None
        sent = 0
        for payload in payloads:
            sent += self._sock.sendto(payload, self._target)
        return sent

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self.connected = False


class TcpLink(_Link):
    """A TCP client to a TAK server: connects with back-off, negotiates TAK Protocol v1 for
    ``tak-tcp``, drains what the server sends."""

    def __init__(self, settings: CotOutSettings, clock: Clock, count: Callable[[str], None]):
        self._settings = settings
        self._clock = clock
        self._count = count
        self._sock: socket.socket | None = None
        self._backoff = settings.backoff_min_s
        self._next_attempt = 0.0
        self._phase = "xml"  # xml | offer (waiting for one) | answer (asked) | tak
        self._deadline = math.inf
        self._reader = XmlEventReader()
        self.last_error = ""

    @property
    def protocol(self) -> str:
        return "tak" if self._phase == "tak" else "xml"

    def poll(self, now: float) -> None:
        if self._sock is None and now >= self._next_attempt:
            self._connect(now)
        if self._sock is not None:
            self._drain(now)

    def ready(self) -> bool:
        """Connected and not waiting for the server's answer (when nothing may be sent)."""
        return self._sock is not None and self._phase != "answer"

    def _connect(self, now: float) -> None:
        s = self._settings
        try:
            sock = socket.create_connection((s.host, s.port), timeout=s.connect_timeout_s)
        except OSError as e:
            self._drop(now, f"connect: {e}")
            return
        sock.settimeout(s.send_timeout_s)
        self._sock = sock
        self.connected = True
        self._backoff = s.backoff_min_s
        self._reader = XmlEventReader()
        self._count("connects")
        if s.kind == "tak-tcp":
            self._phase = "offer" if s.negotiate else "tak"
        self._deadline = now + s.negotiate_timeout_s
        log.info("%s output %s: connected (%s)", s.kind, s.address, self._phase)

    def _drop(self, now: float, why: str) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        self._sock = None
        self.connected = False
        self._phase = "xml"
        self.last_error = why
        self._count("errors")
        self._next_attempt = now + self._backoff
        log.warning(
            "%s output %s: %s; retrying in %.1f s",
            self._settings.kind,
            self._settings.address,
            why,
            self._backoff,
        )
        self._backoff = min(self._backoff * 2.0, self._settings.backoff_max_s)

    def _drain(self, now: float) -> None:
        assert self._sock is not None
        try:
            while select.select([self._sock], [], [], 0.0)[0]:
                data = self._sock.recv(65_536)
                if not data:
                    self._drop(now, "server closed the connection")
                    return
                if self._phase in ("offer", "answer"):
                    self._negotiate(data)
        except (OSError, DecodeError) as e:
            self._drop(now, f"receive: {e}")
            return
        if self._phase in ("offer", "answer") and now > self._deadline:
            if self._phase == "answer":  # the description: disconnect, start again
                self._drop(now, "no answer to the TAK Protocol request")
            else:
                self._phase = "xml"  # a server that offers nothing speaks XML only
                log.info("%s: no TAK Protocol offer; staying with XML", self._settings.address)

    def _negotiate(self, data: bytes) -> None:
        assert self._sock is not None
        for document in self._reader.feed(data):
            if self._phase == "offer" and 1 in (offered_versions(document) or set()):
                uid = f"dronewall-{self._settings.options.node}-takp"
                self._sock.sendall(request_xml(uid, 1, self._clock.now()))
                self._phase = "answer"
                self._deadline = self._clock.now() + self._settings.negotiate_timeout_s
            elif self._phase == "answer":
                status = response_status(document)
                if status is not None:
                    self._phase = "tak" if status else "xml"
                    log.info("%s: TAK Protocol v1 %s", self._settings.address, status)

    def send(self, payloads: list[bytes]) -> int:
        assert self._sock is not None
        data = b"".join(payloads)
        try:
            self._sock.sendall(data)
        except OSError as e:
            self._drop(self._clock.now(), f"send: {e}")
            raise
        return len(data)

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
        self._sock = None
        self.connected = False


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
        self._link: _Link = (
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
        alarms = self._alarms.events(by_uid, node, now, now + self.settings.stale_s)
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
