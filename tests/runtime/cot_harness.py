"""Receivers for the CoT/TAK output tests: a UDP socket joined to a multicast group on the
loopback interface, and a TAK-server-like TCP listener that records what it is sent and can
offer TAK Protocol v1, stop reading, or go away and come back on the same port."""

from __future__ import annotations

import contextlib
import datetime
import io
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from takproto import delimited_protobuf
from takproto.proto import TakMessage

HANG_GUARD_S = 30.0  # a test waits at most this long for something that should come at once
LOOPBACK = "127.0.0.1"

OFFER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<event version="2.0" uid="protouid-1" type="t-x-takp-v" time="2026-12-08T00:00:00Z"'
    b' start="2026-12-08T00:00:00Z" stale="2026-12-08T00:01:00Z" how="m-g">'
    b'<point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/><detail><TakControl>'
    b'<TakProtocolSupport version="1"/></TakControl></detail></event>'
)
ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<event version="2.0" uid="protouid-1" type="t-x-takp-r" time="2026-12-08T00:00:00Z"'
    b' start="2026-12-08T00:00:00Z" stale="2026-12-08T00:01:00Z" how="m-g">'
    b'<point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/><detail><TakControl>'
    b'<TakResponse status="true"/></TakControl></detail></event>'
)


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def multicast_receiver(group: str, port: int) -> socket.socket:
    """A UDP socket bound to ``port`` and joined to ``group`` on the loopback interface."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # a frame's burst fits
    sock.bind(("", port))
    membership = socket.inet_aton(group) + socket.inet_aton(LOOPBACK)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    sock.settimeout(HANG_GUARD_S)
    return sock


def split_xml(data: bytes) -> list[bytes]:
    """XML documents back to back, cut after each ``</event>``."""
    parts = data.split(b"</event>")
    return [p + b"</event>" for p in parts[:-1]]


def split_stream(data: bytes) -> list[TakMessage]:
    """TAK Protocol stream messages read with takproto's own length-delimited reader."""
    bio = io.BytesIO(data)
    out: list[TakMessage] = []
    while bio.read(1) == b"\xbf":
        message = delimited_protobuf.read(bio, TakMessage)
        assert message is not None
        out.append(message)
    assert bio.read() == b"", "bytes after the last whole message"
    return out


class TakServer:
    """A TCP listener on loopback taking one client at a time, keeping what each sent."""

    def __init__(
        self,
        port: int = 0,
        *,
        offer: bool = False,
        read: bool = True,
        tls: ssl.SSLContext | None = None,
    ):
        self.offer = offer
        self.read = read
        self.port = port
        self.tls = tls
        self.peers: list[str] = []  # the client certificates' common names (TLS)
        self.refused = 0  # TLS handshakes that failed
        self.connections: list[bytearray] = []
        self.requests = 0
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._conn: socket.socket | None = None
        self._stop = threading.Event()

    def start(self) -> TakServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, self.port))
        listener.listen(4)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.tls is not None:
                try:
                    conn.settimeout(HANG_GUARD_S)
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except OSError:
                    self.refused += 1
                    conn.close()
                    continue
                self.peers.append(_common_name(conn.getpeercert()))
            self._conn = conn
            received = bytearray()
            self.connections.append(received)
            with contextlib.suppress(OSError):
                self._talk(conn, received)
            conn.close()

    def _talk(self, conn: socket.socket, received: bytearray) -> None:
        conn.settimeout(0.05)
        if self.offer:
            conn.sendall(OFFER)
        while not self._stop.is_set():
            if not self.read:
                time.sleep(0.05)
                continue
            try:
                data = conn.recv(65_536)
            except TimeoutError:
                continue
            if not data:
                return
            received += data
            if self.offer and b"t-x-takp-q" in received and not self.requests:
                self.requests += 1
                cut = received.index(b"</event>", received.index(b"t-x-takp-q")) + 8
                del received[:cut]  # what follows the request is the protobuf stream
                conn.sendall(ANSWER)

    def stop(self) -> None:
        """Close the listener and the connection at once (a server that dies)."""
        self._stop.set()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.shutdown(socket.SHUT_RDWR)
        if self._listener is not None:
            self._listener.close()
        if self._thread is not None:
            self._thread.join(HANG_GUARD_S)


def _common_name(cert: Any) -> str:
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return ""


def _certificate(
    name: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[x509.Name, Any] | None, ca: bool
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    pem = cert.public_bytes(serialization.Encoding.PEM)
    pem += key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)


def tls_files(directory: Path) -> dict[str, Path]:
    """A test authority, a server certificate for 127.0.0.1 and a client certificate
    ("dronewall-site-a"), as PEM files (certificate and key together): ca, server, client."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("dronewall test CA", ca_key, None, ca=True)
    files = {"ca": directory / "ca.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for name, cn in (("server", "tak.test"), ("client", "dronewall-site-a")):
        key = ec.generate_private_key(ec.SECP256R1())
        files[name] = directory / f"{name}.pem"
        _write(files[name], _certificate(cn, key, (ca.subject, ca_key), ca=False), key)
    return files


def server_tls(files: dict[str, Path]) -> ssl.SSLContext:
    """A TAK-server-like TLS context: our server certificate, client certificates required."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files["server"])
    context.load_verify_locations(cafile=files["ca"])
    context.verify_mode = ssl.CERT_REQUIRED
    return context
