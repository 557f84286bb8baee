"""The picture to TAK users (``runtime/cot_out.py``) over real sockets on loopback: CoT XML and
TAK mesh datagrams to a multicast group, XML and negotiated TAK Protocol streams to a TCP
server, read back by the standard library's XML parser and by takproto (MIT); a TAK server
that dies mid-stream and comes back; one that stops reading while the pipeline goes on."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import takproto
from takproto.proto import TakMessage

from dronewall.assess import AlertEvent, EventKind
from dronewall.assess.alert_types import AlertState
from dronewall.core.errors import ConfigError
from dronewall.core.release import Recipient
from dronewall.runtime.cot_out import CotSink, make_cot_sink, parse_settings
from dronewall.store import PictureFrame
from tests.app.feeds_harness import free_port
from tests.runtime.cot_harness import (
    HANG_GUARD_S,
    LOOPBACK,
    TakServer,
    multicast_receiver,
    server_tls,
    split_stream,
    split_xml,
    tls_files,
    wait_until,
)
from tests.sensors.cot.frames import T0, Row, frame_of, mixed_frame

RECIPIENT = Recipient.make("POL", "SECRET", ["NATO"], name="PL-ADOC")
GROUP = "239.255.42.99"  # organisation-local scope; the sender is pinned to loopback
TRACKS = 4  # mixed_frame's tracks less its bird


def _sink(kind: str, address: str, **keys: Any) -> CotSink:
    table = {"kind": kind, "address": address, "node": "site-a", **keys}
    if kind.endswith("-udp"):
        table.setdefault("interface", LOOPBACK)  # multicast never leaves this machine
    sink = make_cot_sink(RECIPIENT, table)
    sink.start()
    return sink


def quiet_frame(t: float = T0) -> PictureFrame:
    """``mixed_frame`` with no alert active (an alert adds an alarm event)."""
    frame = mixed_frame(t)
    return replace(frame, alert_id=np.zeros(len(frame), np.int64))


def _send(sink: CotSink, n: int, *, t0: float = T0, alerts: bool = False) -> None:
    """``n`` frames a second of data time apart, each waited for."""
    for i in range(n):
        before = sink.health()["frames_sent"]
        sink.take_frame(mixed_frame(t0 + i) if alerts else quiet_frame(t0 + i), time.time(), i)
        wait_until(lambda b=before: sink.health()["frames_sent"] > b, "a frame sent")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "cot-udp"}, "address: must be host:port"),
        ({"kind": "cot-udp", "address": "h:0"}, "port 1–65535"),
        ({"kind": "cot-udp", "address": "h:1", "ttl": 300}, "ttl: must be an integer 0–255"),
        ({"kind": "cot-udp", "address": "h:1", "interval_s": 0}, "interval_s: must be a finite"),
        ({"kind": "cot-udp", "address": "h:1", "stale_s": 0.5}, "stale_s: must be at least"),
        ({"kind": "cot-udp", "address": "h:1", "colour": "red"}, "colour: unknown key"),
        ({"kind": "cot-udp", "address": "h:1", "birds": "yes"}, "birds: must be true or false"),
        ({"kind": "cot-udp", "address": "h:1", "interface": "eth0"}, "interface: must be an IPv4"),
        ({"kind": "cot-carrier-pigeon", "address": "h:1"}, "kind: must be one of cot-udp"),
    ],
)
def test_bad_tables_get_one_clear_line(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_settings(table)
    assert "\n" not in str(caught.value)


def test_defaults() -> None:
    s = parse_settings({"kind": "tak-tcp", "address": "tak.example:8087"})
    assert (s.host, s.port, s.interval_s, s.stale_s, s.ttl) == ("tak.example", 8087, 1.0, 5.0, 1)
    assert s.negotiate and s.alerts and not s.options.birds and s.options.callsign_prefix == "DW"


def test_cot_xml_to_a_multicast_group() -> None:
    port = free_port(2)
    with multicast_receiver(GROUP, port) as receiver:
        sink = _sink("cot-udp", f"{GROUP}:{port}", ttl=1, stale_s=7.0)
        try:
            _send(sink, 2)
            documents = [receiver.recv(65_536) for _ in range(2 * TRACKS)]
        finally:
            sink.close()
    roots = [ET.fromstring(d) for d in documents]
    assert [r.get("uid") for r in roots[:TRACKS]] == [
        f"dronewall-site-a-{i}" for i in (7, 8, 9, 10)
    ]
    assert roots[0].get("type") == "a-h-A-M-H-Q" and roots[1].get("type") == "a-s-A-M-F-Q"
    health = sink.health()
    assert health["frames_sent"] == 2 and health["events_sent"] == 2 * TRACKS
    assert health["bytes_sent"] == sum(map(len, documents)) and health["errors"] == 0


def test_tak_mesh_to_a_multicast_group() -> None:
    port = free_port(2)
    with multicast_receiver(GROUP, port) as receiver:
        sink = _sink("tak-udp", f"{GROUP}:{port}")
        try:
            _send(sink, 1)
            datagrams = [receiver.recv(65_536) for _ in range(TRACKS)]
        finally:
            sink.close()
    assert all(d[:3] == b"\xbf\x01\xbf" for d in datagrams)
    parsed = [takproto.parse_proto(bytearray(d)) for d in datagrams]
    assert all(isinstance(m, TakMessage) for m in parsed)
    cot = parsed[2].cotEvent  # the airliner
    assert cot.type == "a-n-A-C" and cot.detail.contact.callsign == "DW-9 48AE21"
    assert cot.staleTime - cot.sendTime == 5000  # stale after five intervals


def test_cot_xml_stream_to_a_tak_server() -> None:
    server = TakServer().start()
    sink = _sink("cot-tcp", f"{LOOPBACK}:{server.port}")
    try:
        _send(sink, 3)
        wait_until(lambda: len(split_xml(bytes(server.connections[0]))) == 3 * TRACKS, "events")
    finally:
        sink.close()
        server.stop()
    data = bytes(server.connections[0])
    assert data.startswith(b'<?xml version="1.0"') and b"</event>\n" not in data
    for document in split_xml(data):
        assert ET.fromstring(document).tag == "event"


def test_tak_stream_after_negotiation() -> None:
    server = TakServer(offer=True).start()
    sink = _sink("tak-tcp", f"{LOOPBACK}:{server.port}")
    try:
        wait_until(lambda: sink.health()["protocol"] == "tak", "TAK Protocol agreed")
        _send(sink, 2)
        wait_until(lambda: bytes(server.connections[0]).count(b"dronewall-site-a-7") == 2, "two")
    finally:
        sink.close()
        server.stop()
    assert server.requests == 1
    messages = split_stream(bytes(server.connections[0]))
    assert len(messages) == 2 * TRACKS
    assert messages[0].cotEvent.type == "a-h-A-M-H-Q"
    assert messages[0].cotEvent.detail.track.speed == 12.5


def test_tak_stream_without_negotiation() -> None:
    server = TakServer().start()
    sink = _sink("tak-tcp", f"{LOOPBACK}:{server.port}", negotiate=False)
    try:
        _send(sink, 1)
        wait_until(lambda: len(server.connections[0]) > 0, "bytes")
        wait_until(lambda: len(split_stream(bytes(server.connections[0]))) == TRACKS, "all")
    finally:
        sink.close()
        server.stop()


def test_server_dies_mid_stream_and_comes_back() -> None:
    server = TakServer().start()
    port = server.port
    sink = _sink("cot-tcp", f"{LOOPBACK}:{port}", backoff_min_s=0.05, backoff_max_s=0.2)
    try:
        _send(sink, 2)
        server.stop()
        # the pipeline goes on while nobody listens: frames are taken and dropped, never waited
        # for, and the sink keeps trying to reconnect
        for i in range(200):
            sink.take_frame(quiet_frame(T0 + 10 + i), time.time(), i)
            time.sleep(0.002)
        wait_until(lambda: sink.health()["errors"] >= 2, "failed reconnects")
        assert not sink.health()["connected"]
        server = TakServer(port).start()
        wait_until(lambda: sink.health()["connected"], "reconnected")
        _send(sink, 2, t0=T0 + 1000)
        wait_until(lambda: bytes(server.connections[0]).count(b"dronewall-site-a-7") == 2, "2")
    finally:
        sink.close()
        server.stop()
    health = sink.health()
    assert health["connects"] == 2 and health["frames_dropped"] > 0
    assert "server closed" in health["last_error"] or "connect" in health["last_error"]


def test_a_server_that_stops_reading_never_holds_the_pipeline() -> None:
    """The sender blocks in send (up to send_timeout_s); take_frame does not."""
    server = TakServer(read=False).start()
    sink = _sink("cot-tcp", f"{LOOPBACK}:{server.port}", send_timeout_s=3.0)
    taken = threading.Event()
    big = frame_of([Row(i, class_reasons="x" * 200) for i in range(3000)])  # ~1.3 MB of XML

    def pipeline() -> None:  # a frame every few milliseconds, as a busy pipeline would
        for i in range(200):
            sink.take_frame(replace(big, t=T0 + i), time.time(), i)
            time.sleep(0.002)
        taken.set()

    try:
        thread = threading.Thread(target=pipeline)
        thread.start()
        thread.join(HANG_GUARD_S)
        assert taken.is_set(), "take_frame blocked"
        health = sink.health()
        # the socket buffers filled and the sender stalled, yet every frame was taken
        assert health["frames_dropped"] > health["frames_sent"]
        wait_until(lambda: sink.health()["errors"] >= 1, "the send timing out")
    finally:
        sink.close()
        server.stop()


def _event(kind: EventKind, state: AlertState | None) -> AlertEvent:
    return AlertEvent(kind, T0, 3, 7, "Airport EPWA", 80.0, state, f"{kind}")


def test_alerts_are_alarms_beside_their_track_and_withdrawn_when_cleared() -> None:
    port = free_port(2)
    on_alert = mixed_frame()
    cleared = replace(on_alert, alert_id=np.zeros(len(on_alert), np.int64))
    with multicast_receiver(GROUP, port) as receiver:
        sink = _sink("cot-udp", f"{GROUP}:{port}")

        def picture(frame: PictureFrame, t: float, n: int) -> list[ET.Element]:
            before = sink.health()["frames_sent"]
            sink.take_frame(replace(frame, t=t), time.time(), 0)
            wait_until(lambda: sink.health()["frames_sent"] > before, "a frame sent")
            return [ET.fromstring(receiver.recv(65_536)) for _ in range(n)]

        try:
            sink.take_events([_event(EventKind.ACKNOWLEDGED, AlertState.ACKNOWLEDGED)])
            first = picture(on_alert, T0, TRACKS + 1)
            sink.take_events([_event(EventKind.CLEARED, AlertState.CLEARED)])
            second = picture(cleared, T0 + 1, TRACKS + 1)
            third = picture(cleared, T0 + 2, TRACKS)
        finally:
            sink.close()
    alarm = first[-1]
    assert alarm.get("type") == "b-l" and alarm.get("uid") == "dronewall-site-a-alert-3"
    remarks = alarm.findtext("detail/remarks") or ""
    assert remarks == "ALERT 3 acknowledged: Airport EPWA, priority 0; acknowledged"
    link = alarm.find("detail/link")
    assert link is not None and link.get("uid") == "dronewall-site-a-7"
    withdrawn = second[-1]  # after the tracks
    assert withdrawn.get("uid") == alarm.get("uid")
    assert withdrawn.get("stale") == withdrawn.get("time")  # stale at once: clients drop it
    assert all(r.get("type") != "b-l" for r in third)


def test_an_alert_is_shown_from_the_picture_without_its_events() -> None:
    """The frame says which track carries an active alert: an alarm even when the events
    came before the sink started (or were withheld), worded "active"."""
    port = free_port(2)
    with multicast_receiver(GROUP, port) as receiver:
        sink = _sink("cot-udp", f"{GROUP}:{port}")
        try:
            _send(sink, 1, alerts=True)
            received = [ET.fromstring(receiver.recv(65_536)) for _ in range(TRACKS + 1)]
        finally:
            sink.close()
    assert (received[-1].findtext("detail/remarks") or "").startswith("ALERT 3 active")
    assert sink.health()["alarms"] == 1


def test_an_alarm_whose_track_is_withheld_is_not_sent() -> None:
    port = free_port(2)
    with multicast_receiver(GROUP, port) as receiver:
        sink = _sink("cot-udp", f"{GROUP}:{port}")
        try:
            sink.take_events([_event(EventKind.RAISED, AlertState.NEW)])
            frame = mixed_frame()
            sink.take_frame(frame.take([1, 2, 3]), time.time(), 0)  # track 7 filtered out
            wait_until(lambda: sink.health()["frames_sent"] == 1, "a frame")
            received = [ET.fromstring(receiver.recv(65_536)) for _ in range(TRACKS - 1)]
            receiver.settimeout(0.3)
            with pytest.raises(TimeoutError):
                receiver.recv(65_536)
        finally:
            sink.close()
    assert all(r.get("type") != "b-l" for r in received)


def test_frames_are_paced_by_data_time() -> None:
    port = free_port(2)
    with multicast_receiver(GROUP, port):
        sink = _sink("cot-udp", f"{GROUP}:{port}", interval_s=2.0)
        try:
            for i in range(6):  # half a second apart in data time
                sink.take_frame(quiet_frame(T0 + 0.5 * i), time.time(), i)
                time.sleep(0.05)
            wait_until(lambda: sink.health()["frames_sent"] >= 2, "frames")
        finally:
            sink.close()
    assert sink.health()["frames_sent"] == 2  # at T0 and T0 + 2 s


SHARING = """
[[recipient]]
name = "PL-ADOC"
nation = "POL"
clearance = "SECRET"
communities = ["NATO"]
  [[recipient.output]]
  kind = "tak-udp"
  address = "239.2.3.1:6969"
  node = "site-a"
  [[recipient.output]]
  kind = "cot-tcp"
  address = "tak.example:8087"
  ttl = 1000
"""


def test_the_sharing_file_makes_these_sinks_and_names_a_bad_key() -> None:
    from dronewall.runtime.sharing import parse_sharing

    good = parse_sharing(SHARING.rsplit("  [[recipient.output]]", 1)[0], "share.toml")
    (sink,) = good.shares[0].sinks
    assert isinstance(sink, CotSink) and sink.name == "tak-udp:239.2.3.1:6969"
    assert sink.recipient.name == "PL-ADOC" and sink.settings.options.node == "site-a"
    with pytest.raises(ConfigError) as caught:
        parse_sharing(SHARING, "share.toml")
    assert str(caught.value) == (
        "share.toml:14: recipient[0].output[1].ttl: must be an integer 0–255, got 1000"
    )


def test_tak_tcp_stays_with_xml_when_the_server_offers_nothing() -> None:
    server = TakServer().start()  # a plain CoT input: no t-x-takp-v
    sink = _sink("tak-tcp", f"{LOOPBACK}:{server.port}", negotiate_timeout_s=0.2)
    try:
        _send(sink, 1)  # XML while waiting for an offer: the protocol allows it
        time.sleep(0.4)
        _send(sink, 1, t0=T0 + 1)
        wait_until(lambda: len(split_xml(bytes(server.connections[0]))) == 2 * TRACKS, "XML")
    finally:
        sink.close()
        server.stop()
    assert sink.health()["protocol"] == "xml" and sink.health()["connects"] == 1


def test_tak_tcp_without_an_answer_disconnects_and_tries_again() -> None:
    server = TakServer(offer=True, read=False).start()  # offers, never reads the request
    sink = _sink(
        "tak-tcp", f"{LOOPBACK}:{server.port}", negotiate_timeout_s=0.2, backoff_min_s=0.05
    )
    try:
        wait_until(lambda: sink.health()["connects"] >= 2, "a second try")
    finally:
        sink.close()
        server.stop()
    assert "no answer to the TAK Protocol request" in sink.health()["last_error"]


def test_tls_to_a_tak_server_that_asks_for_our_certificate(tmp_path: Path) -> None:
    files = tls_files(tmp_path)
    server = TakServer(offer=True, tls=server_tls(files)).start()
    keys = {"tls": True, "ca_file": str(files["ca"]), "cert_file": str(files["client"])}
    sink = _sink("tak-tcp", f"{LOOPBACK}:{server.port}", **keys)
    try:
        wait_until(lambda: sink.health()["protocol"] == "tak", "TAK Protocol agreed over TLS")
        _send(sink, 2)
        wait_until(lambda: bytes(server.connections[0]).count(b"dronewall-site-a-7") == 2, "two")
    finally:
        sink.close()
        server.stop()
    assert server.peers == ["dronewall-site-a"]  # the server saw our certificate
    messages = split_stream(bytes(server.connections[0]))
    assert len(messages) == 2 * TRACKS and messages[0].cotEvent.type == "a-h-A-M-H-Q"


def test_tls_refused_without_a_certificate_and_with_a_wrong_authority(tmp_path: Path) -> None:
    files = tls_files(tmp_path)
    (tmp_path / "other").mkdir()
    other = tls_files(tmp_path / "other")  # an authority the server's certificate is not from
    server = TakServer(tls=server_tls(files)).start()
    address = f"{LOOPBACK}:{server.port}"
    no_cert = _sink("cot-tcp", address, tls=True, ca_file=str(files["ca"]), backoff_min_s=0.05)
    wrong_ca = _sink(
        "cot-tcp",
        address,
        tls=True,
        ca_file=str(other["ca"]),
        cert_file=str(files["client"]),
        backoff_min_s=0.05,
    )
    try:
        _send_nowait(no_cert, wrong_ca)
        wait_until(lambda: "TLS" in wrong_ca.health()["last_error"], "our check refusing it")
        wait_until(lambda: server.refused >= 1, "the server refusing a client without one")
        wait_until(lambda: no_cert.health()["errors"] >= 1, "the client seeing it")
    finally:
        no_cert.close()
        wrong_ca.close()
        server.stop()
    assert server.peers == [] and all(not c for c in server.connections)
    assert "CERTIFICATE_VERIFY_FAILED" in wrong_ca.health()["last_error"]


def _send_nowait(*sinks: CotSink) -> None:
    for sink in sinks:
        sink.take_frame(quiet_frame(), time.time(), 0)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"tls": True, "ca_file": "/nonexistent/ca.pem"}, "ca_file: cannot load"),
        ({"tls": True, "cert_file": "/nonexistent/c.pem"}, "cert_file: cannot load"),
        ({"ca_file": "ca.pem"}, "ca_file: needs tls = true"),
        ({"tls": True, "key_file": "k.pem"}, "key_file: needs cert_file"),
    ],
)
def test_bad_tls_keys(keys: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_cot_sink(RECIPIENT, {"kind": "cot-tcp", "address": "h:1", **keys})
    with pytest.raises(ConfigError, match="tls: TLS is for the TCP outputs"):
        make_cot_sink(RECIPIENT, {"kind": "cot-udp", "address": "h:1", "tls": True})
