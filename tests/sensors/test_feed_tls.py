"""SAPIENT over TLS with client certificates, over real TLS connections on loopback: a node
with a certificate from our CA registers and its detections arrive, its certificate's name
the connection's identity; without a certificate, with one from another CA, or with a name
not allowed it is refused, counted and the server goes on; plain TCP is unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dronewall.core.errors import ConfigError
from dronewall.core.types import SensorKind
from dronewall.runtime.adapters import SapientFeed
from dronewall.runtime.feedspec import load_feeds_file
from dronewall.sensors.sapient import FusionNode, FusionNodeConfig, SapientLink, SensorNode
from dronewall.sensors.sapient.detections import ReportRows
from dronewall.sensors.sapient.ids import UlidFactory
from dronewall.sensors.tls import client_context, server_context
from tests.sensors.sapient.conftest import sensor
from tests.sensors.sapient.test_server import T0, _reports

LOOPBACK = "127.0.0.1"


def _cert(cn: str, key: Any, issuer: tuple[x509.Name, Any] | None, *, ca: bool) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )  # fmt: skip
    if not ca:
        import ipaddress

        san = x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]
        )
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(path: Path, cert: x509.Certificate, key: Any = None) -> Path:
    data = cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    path.write_bytes(data)
    return path


def make_pki(d: Path) -> dict[str, Path]:
    """Our CA and another: the server's certificate, clients "radar-1" and "radar-2" of our CA,
    "radar-1" of the other CA. Each certificate file holds its key too."""
    out: dict[str, Path] = {}
    cas = {}
    for ca_name in ("ca", "other-ca"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _cert(f"{ca_name} test", key, None, ca=True)
        cas[ca_name] = (cert, key)
        out[ca_name] = _pem(d / f"{ca_name}.pem", cert)
    for name, cn, ca_name in (
        ("server", "fusion.test", "ca"), ("radar-1", "radar-1", "ca"),
        ("radar-2", "radar-2", "ca"), ("forged", "radar-1", "other-ca"),
    ):  # fmt: skip
        key = ec.generate_private_key(ec.SECP256R1())
        ca_cert, ca_key = cas[ca_name]
        out[name] = _pem(
            d / f"{name}.pem", _cert(cn, key, (ca_cert.subject, ca_key), ca=False), key
        )
    return out


def _client(pki: dict[str, Path], who: str | None) -> ssl.SSLContext:
    return client_context(str(pki["ca"]), str(pki[who]) if who else None)


def _clock() -> Any:
    from dronewall.core.clock import ManualClock

    return ManualClock(T0 + 100.0)


async def _session(node: FusionNode, tls: ssl.SSLContext | None, name: str, n: int = 5) -> None:
    from dronewall.sensors.sapient import Content

    clock = _clock()
    sn = SensorNode(sensor(SensorKind.RADAR, name), UlidFactory(name))
    link = SapientLink(sn.node_id, clock)
    await link.connect(LOOPBACK, node.port, tls=tls)
    await link.register(sn.registration())
    await link.send(Content.STATUS_REPORT, sn.status(T0))
    batch = _reports(n)
    rows = ReportRows(batch)
    for row in range(n):
        link.write(Content.DETECTION_REPORT, sn.detection(rows, row), float(batch.t_measured[row]))
    await link.drain()
    await link.close()
    await node.wait_for_connections(0)


async def _still_connected(
    node: FusionNode, tls: ssl.SSLContext, name: str, names: list[str]
) -> None:
    """Register and, while connected, ask the fusion node for the node's identity."""
    sn = SensorNode(sensor(SensorKind.RADAR, name), UlidFactory(name))
    link = SapientLink(sn.node_id, _clock())
    await link.connect(LOOPBACK, node.port, tls=tls)
    await link.register(sn.registration())
    names.append(node.identity_of(sn.node_id))
    await link.close()
    await node.wait_for_connections(0)
    assert node.identity_of(sn.node_id) == ""  # gone with its connection


def _node(pki: dict[str, Path], **config: Any) -> tuple[FusionNode, list[Any]]:
    batches: list[Any] = []
    tls = server_context(str(pki["server"]), None, str(pki["ca"]))
    return FusionNode(batches.append, FusionNodeConfig(tls=tls, **config), clock=_clock()), batches


def test_a_node_with_a_certificate_of_our_ca_registers_and_its_detections_arrive(
    tmp_path: Path,
) -> None:
    pki = make_pki(tmp_path)
    node, batches = _node(pki)
    seen: list[dict[str, str]] = []
    names: list[str] = []

    async def scenario() -> None:
        async with node:
            original = node._admit

            async def spy(writer: Any, peer: str) -> str | None:
                identity = await original(writer, peer)
                seen.append({"identity": identity or ""})
                return identity

            node._admit = spy  # type: ignore[method-assign]
            await _session(node, _client(pki, "radar-1"), "r1", 5)
            await _still_connected(node, _client(pki, "radar-1"), "r1b", names)

    asyncio.run(scenario())
    assert sum(len(b) for b in batches) == 5
    assert seen == [{"identity": "radar-1"}] * 2
    assert names == ["radar-1"]
    assert node.refused == {}


@pytest.mark.parametrize(
    ("who", "allowed", "reason"),
    [
        (None, (), "tls_handshake"),  # no certificate
        ("forged", (), "tls_handshake"),  # a certificate of another CA
        ("radar-2", ("radar-1",), "tls_client"),  # our CA, a name not allowed
    ],
)
def test_refused_clients_are_counted_and_the_server_goes_on(
    tmp_path: Path, who: str | None, allowed: tuple[str, ...], reason: str
) -> None:
    pki = make_pki(tmp_path)
    node, batches = _node(pki, allowed_clients=frozenset(allowed))

    async def scenario() -> None:
        async with node:
            with pytest.raises(Exception):  # noqa: B017 (a TLS alert or a closed link)
                async with asyncio.timeout(5):
                    await _session(node, _client(pki, who), "bad", 3)
            for _ in range(100):
                if node.refused:
                    break
                await asyncio.sleep(0.02)
            await _session(node, _client(pki, "radar-1"), "good", 4)  # still serving

    asyncio.run(scenario())
    assert node.refused == {reason: 1}
    assert sum(len(b) for b in batches) == 4
    assert node.last_refused.startswith("127.0.0.1:")


def test_plain_tcp_is_unchanged(tmp_path: Path) -> None:
    batches: list[Any] = []
    node = FusionNode(batches.append, FusionNodeConfig(), clock=_clock())

    async def scenario() -> None:
        async with node:
            await _session(node, None, "plain", 6)

    asyncio.run(scenario())
    assert sum(len(b) for b in batches) == 6 and node.refused == {}


def test_sapient_feed_keys_in_a_feeds_file(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    good = tmp_path / "feeds.toml"
    good.write_text(
        f'[[feed]]\nname = "sapient"\nurl = "sapient://127.0.0.1:0"\ntls_cert = "{pki["server"]}"\n'
        f'tls_ca = "{pki["ca"]}"\nallowed_clients = ["radar-1"]\n'
    )
    (spec,) = load_feeds_file(good)
    feed = SapientFeed(spec)
    assert feed.node.config.tls is not None
    assert feed.node.config.tls.verify_mode == ssl.CERT_REQUIRED
    assert feed.node.config.allowed_clients == {"radar-1"}
    bad = [
        (f'tls_cert = "{tmp_path}/nope.pem"\ntls_ca = "{pki["ca"]}"', "tls_cert: '", 3),
        (f'tls_cert = "{pki["server"]}"', "tls_ca: required with tls_cert", 1),
        (
            f'tls_cert = "{pki["server"]}"\ntls_ca = "{pki["ca"]}"\nrequire_client_cert = "yes"',
            "require_client_cert: must be true or false",
            5,
        ),
        ('allowed_clients = ["a"]', "allowed_clients: needs tls_cert", 3),
    ]
    for body, message, line in bad:
        path = tmp_path / "bad.toml"
        path.write_text(f'[[feed]]\nurl = "sapient://127.0.0.1:0"\n{body}\n')
        with pytest.raises(ConfigError) as caught:
            load_feeds_file(path)
        text = str(caught.value)
        assert message in text and f"{path}:{line}" in text, text


def test_handshake_cost_on_loopback(tmp_path: Path) -> None:
    """Measured, not bounded: TLS connect + handshake + close against plain TCP (printed)."""
    pki = make_pki(tmp_path)
    node, _ = _node(pki)
    client = _client(pki, "radar-1")
    n = 30

    async def connect_many(tls: ssl.SSLContext | None, port: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            _r, w = await asyncio.open_connection(LOOPBACK, port, ssl=tls)
            w.close()
            await w.wait_closed()
        return (time.perf_counter() - start) / n

    async def scenario() -> tuple[float, float]:
        plain = FusionNode(lambda b: None, FusionNodeConfig(), clock=_clock())
        async with node, plain:
            t_tls = await connect_many(client, node.port)
            t_plain = await connect_many(None, plain.port)
            await node.wait_for_connections(0)
        return t_tls, t_plain

    t_tls, t_plain = asyncio.run(scenario())
    print(f"\nTLS connect+handshake {t_tls * 1e3:.2f} ms, plain TCP connect {t_plain * 1e3:.2f} ms")
    assert node.refused == {} and t_tls > t_plain


def test_a_refused_handshake_is_a_reject_in_the_feeds_health(tmp_path: Path) -> None:
    """Through ``FeedSource``: the refusal shows in ``/api/feeds``' rejects and last reject."""
    from dronewall.runtime.adapters import ADAPTERS
    from dronewall.runtime.feeds import FeedSource
    from tests.app.feeds_harness import free_port

    pki = make_pki(tmp_path)
    port = free_port()
    path = tmp_path / "feeds.toml"
    path.write_text(
        f'[[feed]]\nname = "sapient"\nurl = "sapient://127.0.0.1:{port}"\n'
        f'tls_cert = "{pki["server"]}"\ntls_ca = "{pki["ca"]}"\n'
    )
    source = FeedSource(load_feeds_file(path), ADAPTERS, record_raw=False)
    source.open()
    try:
        bare = client_context(str(pki["ca"]))
        with (
            socket.create_connection((LOOPBACK, port)) as raw,
            contextlib.suppress(ssl.SSLError, OSError),
            bare.wrap_socket(raw, server_hostname=LOOPBACK) as s,
        ):
            s.recv(1)  # TLS 1.3: the refusal arrives after the client's handshake
        chunks = source.chunks()
        for _ in range(100):
            next(chunks)
            health = source.feed_health()[0]
            if health["rejects"]:
                break
        assert health["rejects"] == {"tls_handshake": 1}, health
        assert "TLS handshake failed" in health["last_reject"]
        assert health["connection"] == "listening"
    finally:
        source.close()


def test_a_sapient_allow_list_refuses_other_addresses_before_any_handshake() -> None:
    from dronewall.sensors.tls import SourceFilter, parse_networks

    batches: list[Any] = []
    allow = SourceFilter(parse_networks(["127.0.0.2"]))
    node = FusionNode(batches.append, FusionNodeConfig(allow=allow), clock=_clock())

    async def scenario() -> None:
        async with node:
            with pytest.raises(Exception):  # noqa: B017 (the link is closed under it)
                async with asyncio.timeout(5):
                    await _session(node, None, "outsider", 2)

    asyncio.run(scenario())
    assert node.refused == {"source": 1} and not batches
    assert "not in the allow-list" in node.last_refused


def test_close_cuts_a_handshake_that_never_comes(tmp_path: Path) -> None:
    """A peer that connects and says nothing holds no TLS server open at shutdown."""
    pki = make_pki(tmp_path)
    node, _ = _node(pki)

    async def scenario() -> float:
        await node.start()
        _reader, writer = await asyncio.open_connection(LOOPBACK, node.port)  # no ClientHello
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        await node.close()
        writer.close()
        return time.perf_counter() - start

    took = asyncio.run(scenario())
    assert took < node.config.handshake_timeout_s / 2, took
    assert node.refused == {"tls_handshake": 1}
