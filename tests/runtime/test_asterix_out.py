"""The CAT062 output: settings read from a sharing-file table (one clear error line each),
frames turned into track records, and a real UDP socket on loopback receiving datagrams
that decode — in our decoder and in CROCO's — to the frame's tracks."""

from __future__ import annotations

import math
import socket
import time
from typing import Any

import asterix  # GPL oracle, tests only
import numpy as np
import pytest

from dronewall.core.errors import ConfigError, DronewallError
from dronewall.core.geodesy import geodetic_to_enu
from dronewall.core.release import Recipient
from dronewall.core.types import ObjectClass, ObjectKind, SensorKind
from dronewall.runtime.asterix_frames import Cat062Picture, PictureOptions
from dronewall.runtime.asterix_out import Cat062Sink, make_cat062_sink, parse_settings
from dronewall.runtime.sharing import parse_sharing
from dronewall.sensors.asterix.cat062 import (
    ECAT_UAV,
    SDS_COMBINED,
    SDS_NON_COOPERATIVE,
    SRC_3D_RADAR,
    SRC_GNSS,
    Cat062Record,
    decode_cat062_datagram,
)
from dronewall.store import PictureFrame

T0 = 1_759_429_800.0  # 2025-10-02 18:30 UTC
RECIPIENT = Recipient.make("POL", "SECRET", ["NATO"], name="PL-ADOC")
TIMEOUT_S = 10.0  # a hang guard only: every wait ends as soon as its datagrams arrive


def frame(t: float = T0, n: int = 3, step_deg: float = 0.01, speed: float = 20.0) -> PictureFrame:
    """``n`` tracks (ids 100, 101, …) a step apart: a radar drone, a Remote ID + radar drone with
    a serial, an ADS-B helicopter with an ICAO address, then radar unknowns."""
    labels = [ObjectClass.DRONE, ObjectClass.DRONE, ObjectClass.AIRCRAFT] + [
        ObjectClass.UNKNOWN
    ] * (n - 3)
    kinds = [ObjectKind.QUADCOPTER, ObjectKind.QUADCOPTER, ObjectKind.HELICOPTER] + [0] * (n - 3)
    identity = ["", "1581F5FJB22A0000XYZ", "3C6586"] + [""] * (n - 3)
    radar, rid, adsb = (1 << SensorKind.RADAR), (1 << SensorKind.REMOTE_ID), 1 << SensorKind.ADSB
    sensors = [radar, radar | rid, adsb] + [radar] * (n - 3)
    probs = np.zeros((n, 4))
    probs[np.arange(n), np.array(labels[:n], int)] = 0.9
    return PictureFrame(
        t=t,
        track_id=np.arange(100, 100 + n, dtype=np.int64),
        lat_deg=52.2 + step_deg * np.arange(n),
        lon_deg=np.full(n, 20.9),
        alt_m=np.full(n, 150.0),
        speed_mps=np.full(n, speed),
        course_deg=np.full(n, 90.0),
        climb_mps=np.full(n, 1.5),
        sigma_m=np.full(n, 12.0),
        label=np.array(labels[:n], np.uint8),
        probabilities=probs,
        drone_kind=np.array(kinds[:n], np.uint8),
        affiliation=np.array((["H", "S", "N"] + ["U"] * n)[:n]),
        priority=np.full(n, 70.0),
        site_id=np.full(n, ""),
        time_to_site_s=np.full(n, math.nan),
        identity=np.array(identity[:n], dtype=object),
        sensor_kinds=np.array(sensors[:n], np.uint16),
        alert_id=np.zeros(n, np.int64),
        class_reasons=[""] * n,
        threat_reasons=[""] * n,
    )


# ---- settings --------------------------------------------------------------------------


def _table(**kw: Any) -> dict[str, Any]:
    return {"kind": "asterix062-udp", "address": "239.2.3.1:8600", "sac": 25, "sic": 7} | kw


def test_a_full_table_is_read() -> None:
    s = parse_settings(
        RECIPIENT,
        _table(
            interval_s=4,
            max_datagram=1200,
            service=3,
            reference=[52.17, 20.97],
            ttl=4,
            simulated=True,
        ),
    )
    assert (s.host, s.port, s.sac, s.sic, s.interval_s, s.max_datagram) == (
        "239.2.3.1",
        8600,
        25,
        7,
        4.0,
        1200,
    )
    assert (s.service_id, s.reference, s.ttl, s.simulated, s.multicast) == (
        3,
        (52.17, 20.97),
        4,
        True,
        True,
    )
    assert parse_settings(RECIPIENT, _table(address="[::1]:9000")).host == "::1"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_table(colour="red"), "colour: unknown key (known: address, sac"),
        ({"address": "127.0.0.1:1", "sac": 1}, "sic: missing"),
        (_table(address="nohost"), "address: must be 'host:port'"),
        (_table(address="h:99999"), "address: must be 'host:port' with a port 1–65535"),
        (_table(sac=256), "sac: must be an integer 0–255, not 256"),
        (_table(sic="7"), "sic: must be an integer 0–255, not '7'"),
        (_table(interval_s=0), "interval_s: must be seconds"),
        (_table(max_datagram=100), "max_datagram: must be an integer 512–65507"),
        (_table(reference=[95, 0]), "reference: [95.0, 0.0] is not a latitude and longitude"),
        (_table(reference="52,20"), "reference: must be [lat, lon]"),
        (_table(simulated="yes"), "simulated: must be true or false"),
    ],
)
def test_a_bad_table_is_one_clear_line_naming_the_recipient(
    table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_cat062_sink(RECIPIENT, table)
    text = str(caught.value)
    assert text.startswith("asterix062-udp output for PL-ADOC: ") and "\n" not in text
    assert message in text and isinstance(caught.value, DronewallError)
    assert caught.value.field == message.split(":")[0]  # the sharing loader finds its line


# ---- frames to records -----------------------------------------------------------------


def test_frame_rows_become_records_with_identity_class_and_sources() -> None:
    picture = Cat062Picture(PictureOptions(reference=(52.2, 20.9), simulated=True, service_id=9))
    drone, rid_drone, helicopter = picture.records(frame())
    assert [r.track_number for r in (drone, rid_drone, helicopter)] == [100, 101, 102]
    assert drone.vx_mps == pytest.approx(20.0) and drone.vy_mps == pytest.approx(0.0, abs=1e-9)
    assert (drone.x_m, drone.y_m) == pytest.approx((0.0, 0.0), abs=1e-6)
    enu = geodetic_to_enu(52.21, 20.9, 150.0, 52.2, 20.9, 0.0)
    assert (rid_drone.x_m, rid_drone.y_m) == pytest.approx((enu[0], enu[1]))
    assert drone.emitter_category == rid_drone.emitter_category == ECAT_UAV
    assert helicopter.emitter_category == 10  # rotorcraft
    assert helicopter.address == 0x3C6586 and helicopter.callsign is None
    assert rid_drone.address is None and rid_drone.callsign is None  # 19 characters: SP only
    assert rid_drone.special is not None and rid_drone.special.identity == "1581F5FJB22A0000XYZ"
    assert (drone.altitude_source, rid_drone.altitude_source) == (SRC_3D_RADAR, SRC_GNSS)
    assert (drone.surveillance, rid_drone.surveillance) == (SDS_NON_COOPERATIVE, SDS_COMBINED)
    assert drone.first and drone.simulated and not drone.last and drone.service_id == 9
    assert drone.movement == (3, 3, 1) and drone.ax_mps2 is None  # first record: climb only
    assert drone.special is not None
    assert (drone.special.object_class, drone.special.affiliation) == (ObjectClass.DRONE, "H")
    assert drone.special.confidence_pct == 90


def test_later_records_carry_acceleration_turn_age_and_end_of_track() -> None:
    picture = Cat062Picture(PictureOptions())
    picture.records(frame(T0))
    later = frame(T0 + 2.0, speed=24.0)  # +2 m/s² east, now turning right 10°/s
    later.course_deg[:] = 110.0
    drone, *_ = picture.records(later)
    rad = math.radians(110.0)
    assert (drone.ax_mps2, drone.ay_mps2) == pytest.approx(
        ((24 * math.sin(rad) - 20) / 2, 24 * math.cos(rad) / 2)
    )
    assert drone.movement == (1, 1, 1) and not drone.first and drone.track_age_s == 2.0
    gone = picture.records(frame(T0 + 3.0, n=2).take([0]))  # tracks 101 and 102 left
    assert [r.track_number for r in gone] == [100, 101, 102]
    assert [r.last for r in gone] == [False, True, True]
    assert len(picture) == 1 and len(picture.numbers) == 1
    assert [r.last for r in picture.end()] == [True] and len(picture) == 0


# ---- the sink on a real socket ---------------------------------------------------------


@pytest.fixture
def receiver() -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(TIMEOUT_S)
    yield sock
    sock.close()


def _receive(sock: socket.socket, records: int) -> tuple[list[bytes], list[Cat062Record]]:
    datagrams: list[bytes] = []
    decoded: list[Cat062Record] = []
    while len(decoded) < records:
        data = sock.recv(65_536)
        got, errors = decode_cat062_datagram(data)
        assert errors == []
        datagrams.append(data)
        decoded += got
    return datagrams, decoded


def _sink(sock: socket.socket, **kw: Any) -> Cat062Sink:
    port = sock.getsockname()[1]
    sink = make_cat062_sink(RECIPIENT, _table(address=f"127.0.0.1:{port}") | kw)
    assert isinstance(sink, Cat062Sink)
    return sink


def test_records_received_on_loopback_decode_to_the_frames_tracks(receiver: socket.socket) -> None:
    sink = _sink(receiver, simulated=True)
    sink.start()
    try:
        sent = frame(n=3)
        sink.take_frame(sent, time.time(), 1)
        datagrams, records = _receive(receiver, 3)
    finally:
        sink.close()
    _, ended = _receive(receiver, 3)  # closing ends every live track
    assert [r.last for r in ended] == [True] * 3
    assert sink.name == f"asterix062-udp:127.0.0.1:{receiver.getsockname()[1]}"
    theirs = [o for d in datagrams for o in asterix.parse(d)]
    for i, (r, o) in enumerate(zip(records, theirs, strict=True)):
        assert (r.sac, r.sic, r.track_number) == (25, 7, 100 + i)
        assert r.time_of_day_s == pytest.approx(T0 % 86_400, abs=1 / 256)
        assert r.lat_deg == pytest.approx(sent.lat_deg[i], abs=1e-5)
        assert o["I105"]["Lat"]["val"] == pytest.approx(sent.lat_deg[i], abs=1e-5)
        assert r.geometric_alt_m == pytest.approx(150.0, abs=1.0)
        assert r.vx_mps == pytest.approx(20.0, abs=0.125) and r.simulated
        assert o["I080"]["SIM"]["val"] == 1 and o["I080"]["TSB"]["val"] == 1
        assert r.special is not None and r.special.object_class == sent.label[i]
    assert records[0].emitter_category == ECAT_UAV
    assert theirs[2]["I380"]["ADR"]["ADR"]["val"] == "3C6586"
    health = sink.health()
    assert (health["sent"], health["records"], health["errors"]) == (1, 6, 0)
    assert health["bytes"] > 0 and not health["connected"]


def test_frames_are_paced_by_data_time_and_big_pictures_split(receiver: socket.socket) -> None:
    sink = _sink(receiver, interval_s=1.0, max_datagram=512)
    sink.start()
    try:
        for k in range(5):  # 0, 0.5, …, 2.0 s: the ones at 0, 1 and 2 s go out
            sink.take_frame(frame(T0 + 0.5 * k, n=60), time.time(), k)
            datagrams, records = _receive(receiver, 60) if k % 2 == 0 else ([], [])
            assert all(len(d) <= 512 for d in datagrams) and (len(datagrams) > 1) == (k % 2 == 0)
            assert sorted(r.track_number for r in records) == (
                list(range(100, 160)) if k % 2 == 0 else []
            )
            if k % 2 == 0:
                assert {r.time_of_day_s for r in records} == {(T0 + 0.5 * k) % 86_400}
            guard = time.monotonic() + TIMEOUT_S
            while k % 2 and sink.frames_skipped + sink.frames_dropped < (k + 1) // 2:
                assert time.monotonic() < guard, "the sender never took the early frame"
                time.sleep(0.01)  # the sender takes the early frame and skips it
    finally:
        sink.close()
    assert sink.frames_sent == 3 and sink.frames_skipped + sink.frames_dropped == 2


def test_take_frame_never_waits_for_the_sender_and_keeps_the_latest() -> None:
    sink = Cat062Sink(RECIPIENT, parse_settings(RECIPIENT, _table(address="127.0.0.1:9")))
    for k in range(50):  # not started: nothing sends, every frame but the last is dropped
        sink.take_frame(frame(T0 + k), 0.0, k)
    sink.take_events([])
    assert sink.frames_dropped == 49 and sink.health()["dropped"] == 49


def test_a_nan_position_leaves_out_its_track_and_a_nan_height_its_item(
    receiver: socket.socket,
) -> None:
    sent = frame(n=3)
    sent.lat_deg[0] = math.nan
    sent.alt_m[1] = math.nan
    sent.speed_mps[1] = math.nan
    sink = _sink(receiver)
    sink.start()
    try:
        sink.take_frame(sent, time.time(), 1)
        _, records = _receive(receiver, 2)
    finally:
        sink.close()
    assert [r.track_number for r in records] == [101, 102]
    assert records[0].geometric_alt_m is None and records[0].vx_mps is None
    assert records[1].geometric_alt_m == pytest.approx(150.0, abs=1.0)
    assert sink.health()["unencodable"] == 2  # the NaN track, and its last record at close


def test_track_ids_a_multiple_of_65536_apart_get_distinct_numbers() -> None:
    sent = frame(n=3)
    sent.track_id[:] = [5, 65_536 + 5, 2 * 65_536 + 5]
    picture = Cat062Picture(PictureOptions())
    assert [r.track_number for r in picture.records(sent)] == [5, 6, 7]
    assert [r.track_number for r in picture.records(sent)] == [5, 6, 7]  # stable


def test_a_multicast_output_sets_its_hop_limit() -> None:
    sink = make_cat062_sink(RECIPIENT, _table(address="239.255.62.1:8600", ttl=3))
    assert isinstance(sink, Cat062Sink)
    sink.start()
    try:
        assert sink._socket is not None
        assert sink._socket.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 3
        assert sink.health()["connected"]
    finally:
        sink.close()
    assert not sink.health()["connected"]


def test_a_replay_that_restarts_is_sent_again_from_its_start(receiver: socket.socket) -> None:
    sink = _sink(receiver, interval_s=4.0)
    sink.start()
    try:
        for t in (T0 + 100.0, T0):  # the second is 100 s earlier: a restart, not a repeat
            sink.take_frame(frame(t, n=1), time.time(), 0)
            _, (record,) = _receive(receiver, 1)
            assert record.time_of_day_s == (t % 86_400)
    finally:
        sink.close()
    assert sink.frames_sent == 2 and sink.errors == 0


SHARE = """\
[[recipient]]
name = "PL-ADOC"
nation = "POL"
clearance = "SECRET"
  [[recipient.output]]
  kind = "asterix062-udp"
  address = "127.0.0.1:{port}"
  sac = 25
  sic = {sic}
"""


def test_the_sharing_file_makes_the_sink_and_points_at_a_bad_keys_line() -> None:
    (share,) = parse_sharing(SHARE.format(port=8600, sic=7), "share.toml").shares
    (sink,) = share.sinks
    assert isinstance(sink, Cat062Sink) and sink.recipient.name == "PL-ADOC"
    assert (sink.settings.sac, sink.settings.sic, sink.settings.port) == (25, 7, 8600)
    with pytest.raises(ConfigError) as caught:
        parse_sharing(SHARE.format(port=8600, sic=300), "share.toml")
    assert caught.value.field == "recipient[0].output[0].sic" and caught.value.line == 9
    assert "must be an integer 0–255, not 300" in str(caught.value)
