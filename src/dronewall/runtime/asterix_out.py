"""The picture to one ally as ASTERIX CAT062 system tracks over UDP (issue 15): the
``PictureSink`` of output kind ``asterix062-udp`` in the sharing file.

    pipeline thread ──take_frame──► latest frame ──sender thread──► Cat062Picture ──► UDP
                                    (lock, replaced if unsent)        (encode, split)

``take_frame`` only stores the frame (a frame not yet sent when the next comes is dropped
and counted); the sender thread encodes and sends. A frame is sent when its data time is
``interval_s`` past the last one sent — paced by data time, like ``UpwardReporter``, so the
recipient's updates come exactly an interval apart. Each send is one or more datagrams of
one CAT062 data block each, none over ``max_datagram`` octets. Tracks that leave the
picture get a last record (I062/080 TSE), and so does every live track when the sink
closes. Alert events have no CAT062 item: they are counted and not sent.

The table keys (docs/feeds-asterix.md, "Sharing the picture as CAT062"): ``address``
host:port (unicast or multicast), ``sac``, ``sic``, ``interval_s``, ``max_datagram``,
``service``, ``reference`` [lat, lon], ``ttl``, ``simulated``.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

from dronewall.assess import AlertEvent
from dronewall.core.errors import ConfigError
from dronewall.core.release import Recipient
from dronewall.runtime.asterix_frames import Cat062Picture, PictureOptions
from dronewall.runtime.sinks import PictureSink
from dronewall.sensors.asterix.cat062 import (
    CATEGORY_062,
    Track062,
    encode_cat062_record,
    pack_datagrams,
)
from dronewall.store import PictureFrame

log = logging.getLogger(__name__)
KIND: Final = "asterix062-udp"
DEFAULT_INTERVAL_S: Final = 1.0  # an ARTAS-fed display updates every 4 s; 1 s suits drones
DEFAULT_DATAGRAM: Final = 1400  # no fragmentation on an Ethernet path, with room for tunnels
# A record is at most ~330 octets (a 240-octet identity in SP): every record fits in one.
MIN_DATAGRAM: Final = 512
MAX_DATAGRAM: Final = 65_507  # largest UDP payload over IPv4
PACE_SLACK_S: Final = 1e-3  # frames come at whole output intervals: float round-off
_KEYS: Final = (
    "kind",
    "address",
    "sac",
    "sic",
    "interval_s",
    "max_datagram",
    "service",
    "reference",
    "ttl",
    "simulated",
)


@dataclass(frozen=True, slots=True)
class Cat062Settings:
    """One CAT062 output, as its sharing-file table gives it."""

    host: str
    port: int
    sac: int
    sic: int
    interval_s: float = DEFAULT_INTERVAL_S
    max_datagram: int = DEFAULT_DATAGRAM
    service_id: int | None = None
    reference: tuple[float, float] | None = None
    ttl: int = 1  # multicast hops; 1 keeps it on the local network
    simulated: bool = False

    @property
    def multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False


def _fail(recipient: Recipient, key: str, message: str) -> ConfigError:
    """One line, "asterix062-udp output for NAME: key: message"; the sharing file's loader
    reads ``field`` to point at the key's line."""
    who = f" for {recipient.name}" if recipient.name else ""
    return ConfigError(message, source=f"{KIND} output{who}", field=key)


def _int(table: dict[str, Any], key: str, low: int, high: int, recipient: Recipient) -> int:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(recipient, key, f"must be an integer {low}–{high}, not {value!r}")
    return value


def _address(text: object, recipient: Recipient) -> tuple[str, int]:
    if not isinstance(text, str) or ":" not in text:
        raise _fail(recipient, "address", f"must be 'host:port', not {text!r}")
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise _fail(recipient, "address", f"must be 'host:port' with a port 1–65535, not {text!r}")
    return host, int(port)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reference(value: object, recipient: Recipient) -> tuple[float, float]:
    if not (isinstance(value, list | tuple) and len(value) == 2 and all(map(_number, value))):
        raise _fail(recipient, "reference", f"must be [lat, lon] in degrees, not {value!r}")
    lat, lon = float(value[0]), float(value[1])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
        raise _fail(recipient, "reference", f"[{lat}, {lon}] is not a latitude and longitude")
    return lat, lon


def parse_settings(recipient: Recipient, table: dict[str, Any]) -> Cat062Settings:
    """The settings of one ``asterix062-udp`` output table; ConfigError naming the bad key."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise _fail(recipient, unknown[0], f"unknown key (known: {', '.join(_KEYS[1:])})")
    for key in ("address", "sac", "sic"):
        if key not in table:
            raise _fail(recipient, key, "missing")
    host, port = _address(table["address"], recipient)
    interval = table.get("interval_s", DEFAULT_INTERVAL_S)
    if not _number(interval) or not 0.0 < interval <= 3600.0:
        raise _fail(recipient, "interval_s", f"must be seconds in (0, 3600], not {interval!r}")
    simulated = table.get("simulated", False)
    if not isinstance(simulated, bool):
        raise _fail(recipient, "simulated", f"must be true or false, not {simulated!r}")
    return Cat062Settings(
        host=host,
        port=port,
        sac=_int(table, "sac", 0, 255, recipient),
        sic=_int(table, "sic", 0, 255, recipient),
        interval_s=float(interval),
        max_datagram=(
            _int(table, "max_datagram", MIN_DATAGRAM, MAX_DATAGRAM, recipient)
            if "max_datagram" in table
            else DEFAULT_DATAGRAM
        ),
        service_id=_int(table, "service", 0, 255, recipient) if "service" in table else None,
        reference=_reference(table["reference"], recipient) if "reference" in table else None,
        ttl=_int(table, "ttl", 1, 255, recipient) if "ttl" in table else 1,
        simulated=simulated,
    )


def make_cat062_sink(recipient: Recipient, table: dict[str, Any]) -> PictureSink:
    """The ``asterix062-udp`` output factory of the sharing file."""
    return Cat062Sink(recipient, parse_settings(recipient, table))


class Cat062Sink:
    """CAT062 system tracks to one recipient over UDP, on a thread of its own."""

    def __init__(self, recipient: Recipient, settings: Cat062Settings) -> None:
        self.recipient = recipient
        self.settings = settings
        self.name = f"{KIND}:{settings.host}:{settings.port}"
        self.picture = Cat062Picture(
            PictureOptions(settings.reference, settings.simulated, settings.service_id)
        )
        self._lock = threading.Condition()
        self._frame: PictureFrame | None = None  # latest frame not yet taken by the sender
        self._stop = False
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._target: tuple[Any, ...] = ()
        self._sent_t = -math.inf
        self.frames_sent = 0
        self.frames_dropped = 0  # replaced before the sender took them
        self.frames_skipped = 0  # taken, but within interval_s of the last one sent
        self.records_encoded = 0
        self.datagrams_sent = 0
        self.bytes_sent = 0
        self.unencodable = 0  # tracks an item could not hold (logged): left out
        self.errors = 0  # sends that failed (logged): the sink goes on
        self.events_ignored = 0  # alert events: CAT062 has no item for them
        self.last_sent_s = math.nan

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        s = self.settings
        try:
            info = socket.getaddrinfo(s.host, s.port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(info[0], socket.SOCK_DGRAM)
        except OSError as error:
            raise _fail(
                self.recipient, "address", f"cannot open {s.host}:{s.port}: {error}"
            ) from None
        if s.multicast:
            level, option = (
                (socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS)
                if info[0] == socket.AF_INET6
                else (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL)
            )
            sock.setsockopt(level, option, s.ttl)
        self._socket, self._target = sock, info[4]
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self, timeout_s: float = 5.0) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self._socket is not None:
            self._socket.close()

    # ---- from the pipeline's thread ----------------------------------------------------
    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        with self._lock:
            if self._frame is not None:
                self.frames_dropped += 1
            self._frame = frame
            self._lock.notify()

    def take_events(self, events: list[AlertEvent]) -> None:
        self.events_ignored += len(events)

    def health(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "recipient": self.recipient.name,
            "connected": self._thread is not None and self._thread.is_alive(),
            "sent": self.frames_sent,
            "records": self.records_encoded,
            "datagrams": self.datagrams_sent,
            "bytes": self.bytes_sent,
            "dropped": self.frames_dropped,
            "skipped": self.frames_skipped,
            "unencodable": self.unencodable,
            "errors": self.errors,
            "events_ignored": self.events_ignored,
            "tracks": len(self.picture),
            "last_sent_s": self.last_sent_s,
        }

    # ---- the sender thread -------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._lock:
                while self._frame is None and not self._stop:
                    self._lock.wait()
                frame, self._frame, stop = self._frame, None, self._stop
            if frame is not None:
                try:
                    self._maybe_send(frame, final=stop)
                except Exception:  # a bug must not end the share: count, log, go on
                    self.errors += 1
                    log.exception("%s: frame at %.3f not sent", self.name, frame.t)
            if stop:
                self._send(self.picture.end())  # every live track's last record
                return

    def _maybe_send(self, frame: PictureFrame, final: bool) -> None:
        if frame.t < self._sent_t:  # data time went back (a replay restarted): start again
            self._sent_t = -math.inf
        if frame.t < self._sent_t + self.settings.interval_s - PACE_SLACK_S and not final:
            self.frames_skipped += 1
            return
        self._sent_t = frame.t
        self._send(self.picture.records(frame))
        self.frames_sent += 1

    def _send(self, tracks: list[Track062]) -> None:
        s = self.settings
        records: list[bytes] = []
        for track in tracks:
            try:
                records.append(encode_cat062_record(track, s.sac, s.sic))
            except ValueError as error:
                self.unencodable += 1
                log.warning("%s: track %d left out: %s", self.name, track.track_number, error)
        for datagram in pack_datagrams(CATEGORY_062, records, s.max_datagram):
            try:
                assert self._socket is not None
                self._socket.sendto(datagram, self._target)
            except OSError as error:
                self.errors += 1
                if self.errors == 1 or self.errors % 100 == 0:
                    log.warning("%s: send failed (%d so far): %s", self.name, self.errors, error)
                continue
            self.datagrams_sent += 1
            self.bytes_sent += len(datagram)
        self.records_encoded += len(records)
        self.last_sent_s = time.time()
