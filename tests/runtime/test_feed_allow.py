"""Source allow-lists on UDP and TCP-listen feeds (``allow = [...]``): over real sockets on
loopback, datagrams from 127.0.0.1 (allowed) reach the adapter, those from 127.0.0.2 (not
allowed; Linux routes all of 127/8 to loopback) are dropped before decoding and counted as
``rejects["source"]``; bad lists are refused with the feeds file's line."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from dronewall.core.errors import ConfigError
from dronewall.runtime.feeds import FeedSource
from dronewall.runtime.feedspec import FeedSpec, load_feeds_file, parse_feed_url
from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.tls import SourceFilter, parse_networks
from tests.app.feeds_harness import free_port


class Collect:
    """An adapter that keeps what it is handed (the decoders are tested elsewhere)."""

    def __init__(self, spec: FeedSpec):
        self.output = FeedOutput()
        self.data: list[bytes] = []

    def receive(self, data: bytes, t_receive: float) -> None:
        self.data.append(data)
        self.output.messages += 1


def _wait(cond, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _send_from(source: str, port: int, payloads: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        for p in payloads:
            s.sendto(p, ("127.0.0.1", port))


def test_udp_datagrams_from_senders_not_allowed_are_dropped_and_counted() -> None:
    port = free_port(socket.SOCK_DGRAM)
    spec = parse_feed_url(f"asterix+udp://127.0.0.1:{port}", {"allow": ["127.0.0.1", "10.0.0.0/8"]})
    source = FeedSource([spec], {"asterix": Collect}, record_raw=False)
    metrics = CollectorRegistry()
    source.bind_metrics(metrics)
    source.open()
    try:
        adapter = source.feeds[spec.name].adapter
        assert isinstance(adapter, Collect)
        _send_from("127.0.0.2", port, [b"evil-%d" % i for i in range(7)])
        _send_from("127.0.0.1", port, [b"good-%d" % i for i in range(3)])

        def health() -> dict:  # type: ignore[type-arg]
            return source.feed_health()[0]

        _wait(lambda: health()["messages"] == 3 and health()["rejects"].get("source") == 7,
              "3 accepted and 7 refused")  # fmt: skip
        assert sorted(adapter.data) == [b"good-0", b"good-1", b"good-2"]
        assert "127.0.0.2" in health()["last_reject"]
        labels = {"feed": spec.name, "reason": "source"}
        _wait(lambda: metrics.get_sample_value("dronewall_feed_rejects_total", labels) == 7,
              "the refusals in /metrics")  # fmt: skip
    finally:
        source.close()


def test_without_an_allow_list_every_sender_is_taken() -> None:
    port = free_port(socket.SOCK_DGRAM)
    spec = parse_feed_url(f"asterix+udp://127.0.0.1:{port}")
    source = FeedSource([spec], {"asterix": Collect}, record_raw=False)
    source.open()
    try:
        _send_from("127.0.0.2", port, [b"a", b"b"])
        _wait(lambda: source.feed_health()[0]["messages"] == 2, "2 accepted")
        assert source.feed_health()[0]["rejects"] == {}
    finally:
        source.close()


def test_tcp_listen_connections_from_senders_not_allowed_are_closed() -> None:
    port = free_port()
    spec = parse_feed_url(f"sbs+listen://127.0.0.1:{port}?allow=127.0.0.1")
    source = FeedSource([spec], {"sbs": Collect}, record_raw=False)
    source.open()
    try:
        with socket.socket() as bad:
            bad.bind(("127.0.0.2", 0))
            bad.connect(("127.0.0.1", port))
            bad.settimeout(5)
            assert bad.recv(10) == b""  # closed by us, before reading anything
        with socket.create_connection(("127.0.0.1", port)) as good:
            good.sendall(b"taken\n")
            _wait(lambda: source.feed_health()[0]["messages"] >= 1, "the allowed sender")
        assert source.feed_health()[0]["rejects"] == {"source": 1}
    finally:
        source.close()


def test_filter_matches_networks_and_single_addresses() -> None:
    f = SourceFilter(parse_networks("10.0.0.0/8, 192.168.1.7,fd00::/8"))
    assert f.allows("10.200.3.4") and f.allows("192.168.1.7") and f.allows("fd00::5")
    assert not f.allows("192.168.1.8") and not f.allows("11.0.0.1") and not f.allows("nonsense")
    assert f.allows("10.200.3.4")  # remembered, same answer


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ('allow = ["10.0.0.0/8", "10.0.0.300"]', "allow: '10.0.0.300' is not an IP", 4),
        ("allow = []", "allow: an empty allow-list", 4),
        ("allow = 10", "allow: must be a list of addresses", 4),
    ],
)
def test_bad_allow_lists_name_file_key_and_line(
    tmp_path: Path, body: str, message: str, line: int
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f'[[feed]]\nname = "radar"\nurl = "asterix+udp://127.0.0.1:8600"\n{body}\n')
    with pytest.raises(ConfigError) as caught:
        load_feeds_file(path)
    text = str(caught.value)
    assert message in text and f"{path}:{line}" in text, text


def test_allow_is_refused_on_a_feed_that_connects_out(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nurl = "beast+tcp://10.0.0.5:30005"\nallow = ["10.0.0.5"]\n')
    with pytest.raises(ConfigError, match="allow: beast\\+tcp feeds connect out"):
        load_feeds_file(path)


def test_cost_of_the_check_per_datagram() -> None:
    """Measured, not bounded: the allow-list check on a known sender (the common case) and
    on a new one (parsed once, then remembered), in µs (printed)."""
    f = SourceFilter(parse_networks(["10.0.0.0/8", "192.168.1.7", "172.16.0.0/12"]))
    n = 200_000
    start = time.perf_counter()
    for _ in range(n):
        f.allows("192.168.1.7")
    known = (time.perf_counter() - start) / n
    hosts = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(4000)]
    start = time.perf_counter()
    for h in hosts:
        f.allows(h)
    new = (time.perf_counter() - start) / len(hosts)
    print(f"\nallow-list check: known sender {known * 1e6:.3f} µs, new sender {new * 1e6:.2f} µs")
    assert f.allows(hosts[-1]) and new > known
