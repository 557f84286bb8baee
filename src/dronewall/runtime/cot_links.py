"""Where a CoT/TAK output's bytes go: ``UdpLink`` (one datagram per event, to a multicast group
with a TTL, or to a unicast address) and ``TcpLink`` (a TCP client to a TAK server's streaming
input, in the clear or over TLS with a client certificate (``tls_context``): connects with
exponential back-off, negotiates TAK Protocol v1 for ``tak-tcp`` as the
TAK protocol description's "Streaming Connection Protocol Negotiation" says, and reads and
discards what the server sends so that its send buffer never fills). Both are used from the
sink's sender thread only (``runtime/cot_out.py``)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import socket
import ssl
from collections.abc import Callable

from dronewall.core.clock import Clock
from dronewall.core.errors import ConfigError, DecodeError, DronewallError
from dronewall.runtime.cot_settings import CotOutSettings
from dronewall.sensors.cot import XmlEventReader, offered_versions, request_xml, response_status

log = logging.getLogger(__name__)


def tls_context(settings: CotOutSettings) -> ssl.SSLContext | None:
    """The client's TLS context when ``tls = true``: the server checked against ``ca_file``
    (or the system's authorities) and its name unless ``verify = false``; our certificate
    from ``cert_file``/``key_file`` (a TAK server's port 8089 asks for one). Files are read
    here, once: a missing or unreadable one is a ConfigError naming its key."""
    if not settings.tls:
        return None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    where = f"{settings.kind} output"
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as e:
            raise ConfigError(f"cannot load: {e}", source=where, field="ca_file") from None
    if settings.cert_file:
        try:
            context.load_cert_chain(settings.cert_file, settings.key_file or None)
        except (OSError, ssl.SSLError) as e:
            message = f"cannot load the certificate or its key: {e}"
            raise ConfigError(message, source=where, field="cert_file") from None
    if not settings.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class Link:
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


class UdpLink(Link):
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


class TcpLink(Link):
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
        self._tls = tls_context(settings)

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
        if self._tls is not None:
            try:  # the handshake, within the connect timeout
                sock = self._tls.wrap_socket(sock, server_hostname=s.server_name or s.host)
            except OSError as e:  # ssl.SSLError is one
                sock.close()
                self._drop(now, f"TLS: {e}")
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
        """Read what the server has sent, without waiting (a TLS record not yet whole is
        left for next time)."""
        sock = self._sock
        assert sock is not None
        try:
            sock.settimeout(0.0)
            while True:
                try:
                    data = sock.recv(65_536)
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    break
                if not data:
                    self._drop(now, "server closed the connection")
                    return
                if self._phase in ("offer", "answer"):
                    sock.settimeout(self._settings.send_timeout_s)  # the request is sent whole
                    self._negotiate(data)
                    sock.settimeout(0.0)
            sock.settimeout(self._settings.send_timeout_s)
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
