"""Golden corpus: published Remote ID examples with their published (or independently
decoded) values. Sources:

* ODID-INOUT — opendroneid-core-c (Apache-2.0, commit beb5639) ``test/test_inout.c``: the
  values it encodes, turned into bytes by that library's own encoder
  (``corpus/reference/opendroneid_golden.c``); expected values are its inputs after the
  quantisation the standard prescribes (e.g. 215.7° → 216°, 5.4 m/s → 5.5 m/s).
* ODID-BEACON — opendroneid-core-c ``test/unit_odid_wifi_beacon.cpp``: the expected beacon
  frame bytes written out in that test (MAC 12:34:56:21:43:65, counter 0x55, "USS-Enterprise").
* LIBRID — librid by Mika Tuupola (MIT, commit 20c5032), the hex dumps and decoded values
  printed in ``examples/*/README.md`` (basic_id, location, cli, system, operator_id, self_id,
  auth, auth_page).
* CAPTURES — bkerler/DroneID ``examples/`` captures (``corpus/captures.jsonl``): a DJI Air 3
  beaconing over Wi-Fi, Open Drone ID test transmitters over Wi-Fi beacon, NAN and Bluetooth 5
  long range; expected values as opendroneid-core-c and librid decode the same bytes.
"""

from __future__ import annotations

import math

import pytest

from dronewall.sensors.remoteid import RemoteIdAdapter, RemoteIdError, decode_message
from dronewall.sensors.remoteid.decode import split_pack
from dronewall.sensors.remoteid.fields import SYSTEM_EPOCH_POSIX
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    OperatorId,
    SelfId,
    System,
)
from dronewall.sensors.remoteid.transports import (
    unwrap_advertising_data,
    unwrap_beacon_frame,
    unwrap_nan_action_frame,
)
from tests.sensors.remoteid.helpers import jsonl

NAN = math.nan

# ODID-INOUT: test_inout.c, encoded by opendroneid-core-c.
INOUT = {
    "basic_id": "02223132333435363738393031323334353637383930000000",
    "location": "122624160a42bf241b6ed1b4b69808ac0870086b53150e0200",
    "auth0": "22100128003fab013132333435363738393031323334353637",
    "auth1": "22113132333435363738393031323334353637383930313233",
    "self_id": "320044726f6e65735255533a205265616c2045737461746500",
    "system": "4204a6bf241bd2d1b4b62300073109230824f907003fab0100",
    "operator_id": "52003938373635343332313030313233343536373839000000",
}
INOUT_PACK = "f21907" + "".join(INOUT.values())


def _eq(a: float, b: float, tol: float = 1e-9) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def test_inout_basic_id() -> None:
    msg = decode_message(bytes.fromhex(INOUT["basic_id"]))
    assert msg == BasicId(id_type=2, ua_type=2, uas_id="12345678901234567890", version=2)


def test_inout_location() -> None:
    msg = decode_message(bytes.fromhex(INOUT["location"]))
    assert isinstance(msg, Location)
    assert (msg.status, msg.height_type) == (2, 1)  # airborne, height over ground
    assert msg.direction_deg == 216.0 and msg.speed_mps == 5.5
    assert msg.vertical_speed_mps == 5.0  # 5.25 m/s truncated to the 0.5 m/s step
    assert _eq(msg.lat_deg, 45.539309) and _eq(msg.lon_deg, -122.966389)
    assert (msg.pressure_alt_m, msg.geodetic_alt_m, msg.height_m) == (100.0, 110.0, 80.0)
    assert (msg.horizontal_accuracy, msg.vertical_accuracy) == (11, 6)  # < 3 m, < 1 m
    assert (msg.baro_accuracy, msg.speed_accuracy) == (5, 3)  # < 3 m, < 1 m/s
    assert msg.timestamp_s == 360.5 and msg.timestamp_accuracy_s == 0.2


def test_inout_authentication_pages() -> None:
    page0 = decode_message(bytes.fromhex(INOUT["auth0"]))
    page1 = decode_message(bytes.fromhex(INOUT["auth1"]))
    assert page0 == AuthPage(
        auth_type=1,
        page=0,
        data=b"12345678901234567",
        last_page=1,
        length=40,
        timestamp=SYSTEM_EPOCH_POSIX + 28_000_000,
    )
    assert isinstance(page1, AuthPage) and (page1.page, page1.auth_type) == (1, 1)
    assert page1.data == b"12345678901234567890123"


def test_inout_self_id_operator_id_system() -> None:
    assert decode_message(bytes.fromhex(INOUT["self_id"])) == SelfId(0, "DronesRUS: Real Estate")
    operator = decode_message(bytes.fromhex(INOUT["operator_id"]))
    assert operator == OperatorId(0, "98765432100123456789")
    system = decode_message(bytes.fromhex(INOUT["system"]))
    assert isinstance(system, System)
    assert (system.operator_location_type, system.classification_type) == (0, 1)
    assert _eq(system.operator_lat_deg, 45.539319) and _eq(system.operator_lon_deg, -122.966379)
    assert (system.area_count, system.area_radius_m) == (35, 70.0)  # 75 m in 10 m steps
    assert (system.area_ceiling_m, system.area_floor_m) == (176.5, 41.5)
    assert (system.category_eu, system.class_eu) == (2, 4)  # specific, class C3
    assert system.operator_alt_m == 20.5
    assert system.timestamp == SYSTEM_EPOCH_POSIX + 28_000_000


def test_inout_pack_through_the_adapter() -> None:
    adapter = RemoteIdAdapter("rx")
    adapter.receive(bytes.fromhex(INOUT_PACK), 1_700_000_000.0)
    out = adapter.output
    assert out.messages == 7 and not out.rejects
    (report,) = out.reports
    assert report.identity == "12345678901234567890"
    assert report.alt_m == 110.0 and report.course_deg == 216.0
    assert report.t_measured == 1_699_999_200.0 + 360.5  # the hour before 1_700_000_000
    (identity,) = out.identities
    assert identity.operator_id == "98765432100123456789"
    assert identity.description == "DronesRUS: Real Estate"
    assert identity.category == "helicopter_or_multirotor"
    aircraft = adapter.aircraft.get("id:12345678901234567890")
    assert aircraft is not None and aircraft.authentication is not None
    assert aircraft.authentication.data == (b"12345678901234567" + b"12345678901234567890123")


# ODID-BEACON: unit_odid_wifi_beacon.cpp's expected frame (through the Location's flags byte;
# the rest of the Location and the System message as opendroneid-core-c encodes that test's
# data: direction 0.25°, 62 m/s both ways, System timestamp 0x12345678).
BEACON = bytes.fromhex(
    "80000000ffffffffffff123456214365123456214365"
    "0000ffffffffffffffff64002004"
    "0014" + b"testSSID_0123456789A".hex() + "01018c"
    "dd53fa0bbc0d55f21903"
    "0214" + b"USS-Enterprise".hex() + "00" * 9 + "1220"
    "00f87c0000000000000000000000000000000000000000"
    "42000000000000000000010000000000000000007856341200"
)


def test_beacon_frame_of_core_c_unit_test() -> None:
    frame = unwrap_beacon_frame(BEACON)
    assert (frame.mac, frame.counter, frame.packed) == ("12:34:56:21:43:65", 0x55, True)
    basic, location, system = (decode_message(m) for m in frame.messages)
    assert basic == BasicId(id_type=1, ua_type=4, uas_id="USS-Enterprise")
    assert isinstance(location, Location) and location.status == 2
    assert location.direction_deg == 0.0 and location.speed_mps == 62.0
    assert location.vertical_speed_mps == 62.0 and math.isnan(location.lat_deg)
    assert isinstance(system, System) and system.timestamp == SYSTEM_EPOCH_POSIX + 0x12345678


# LIBRID: examples/*/README.md.
def test_librid_basic_id() -> None:
    raw = bytes.fromhex("0212314142434432333435454636373858595a000000000000")
    assert decode_message(raw) == BasicId(1, 2, "1ABCD2345EF678XYZ")


@pytest.mark.parametrize(
    ("hex_msg", "pressure_alt", "baro_acc"),
    [
        ("12202d3e0420bd5c25401c190d9b08c10834084a5339300100", 101.5, 5),  # examples/location
        ("12202d3e0420bd5c25401c190d0000c10834084a0339300100", NAN, 0),  # examples/cli
    ],
)
def test_librid_location(hex_msg: str, pressure_alt: float, baro_acc: int) -> None:
    msg = decode_message(bytes.fromhex(hex_msg))
    assert isinstance(msg, Location)
    assert (msg.status, msg.height_type) == (2, 0)  # airborne, above takeoff
    assert msg.direction_deg == 45.0 and msg.speed_mps == 15.5
    assert msg.vertical_speed_mps == 2.0
    assert _eq(msg.lat_deg, 62.683472) and _eq(msg.lon_deg, 21.974944)
    assert _eq(msg.pressure_alt_m, pressure_alt)
    assert (msg.geodetic_alt_m, msg.height_m) == (120.5, 50.0)
    assert (msg.horizontal_accuracy, msg.vertical_accuracy) == (10, 4)  # 10 m, 10 m
    assert (msg.speed_accuracy, msg.baro_accuracy) == (3, baro_acc)  # 1 m/s, 3 m or unknown
    assert msg.timestamp_s == 1234.5 and msg.timestamp_accuracy_s == 0.1


def test_librid_system() -> None:
    msg = decode_message(bytes.fromhex("42043412ef23c376a00e01000ac008d007123408100e000000"))
    assert isinstance(msg, System)
    assert (msg.operator_location_type, msg.classification_type) == (0, 1)
    assert _eq(msg.operator_lat_deg, 60.2870324) and _eq(msg.operator_lon_deg, 24.5397187)
    assert (msg.area_count, msg.area_radius_m) == (1, 100.0)
    assert (msg.area_ceiling_m, msg.area_floor_m) == (120.0, 0.0)
    assert (msg.category_eu, msg.class_eu) == (1, 2)
    assert msg.operator_alt_m == 50.0 and msg.timestamp == 1_546_304_400.0


def test_librid_operator_and_self_id() -> None:
    operator = bytes.fromhex("520046494e38376173747264676531326b3800000000000000")
    assert decode_message(operator) == OperatorId(0, "FIN87astrdge12k8")
    self_id = bytes.fromhex("320044726f6e652064656c69766572792074657374000000" + "00")
    assert decode_message(self_id) == SelfId(0, "Drone delivery test")


LIBRID_AUTH_PACK = (
    "f21909020000000000000000000000000000000000000000000000001203b5ff7e0000000000000000000000"
    "00000000000000000032000000000000000000000000000000000000000000000000520000000000000000"
    "000000000000000000000000000000004200000000000000000001000000000000000000000000000022"
    "300340cae6bd0db0555e6f4ceea24cb901b10a0105bcf0262231b235e640188fb0ed8d592755e25132cb69"
    "ab38c9a0312222325cca62dc0c9fc935ddbe18d7b0bd26c24dd8329c3d159922330900000000000000000000"
    "000000000000000000000000"
)
LIBRID_SIGNATURE = bytes.fromhex(
    "b0555e6f4ceea24cb901b10a0105bcf026b235e640188fb0ed8d592755e25132"
    "cb69ab38c9a031225cca62dc0c9fc935ddbe18d7b0bd26c24dd8329c3d159909"
)


def test_librid_auth_pack_reassembles_the_signature() -> None:
    pack = bytes.fromhex(LIBRID_AUTH_PACK)
    assert len(split_pack(pack)) == 9
    adapter = RemoteIdAdapter("rx")
    adapter.receive(pack, 1_700_000_000.0, source="10.0.0.7")
    assert adapter.output.messages == 9 and not adapter.output.rejects
    aircraft = adapter.aircraft.get("src:10.0.0.7")
    assert aircraft is not None and aircraft.authentication is not None
    auth = aircraft.authentication
    assert (auth.auth_type, auth.timestamp) == (3, SYSTEM_EPOCH_POSIX + 230_549_194)
    assert auth.data == LIBRID_SIGNATURE


def test_librid_auth_pages_example() -> None:
    pages = [
        "223002388086480b30820122300d06092a864886f70d010101",
        "223105000382010f003082010a0282010100bb6a8c7e5f2a9b",
        "2232c57b993a1d036681f49e2c87ab4fe01200000000000000",
    ]
    first = decode_message(bytes.fromhex(pages[0]))
    assert isinstance(first, AuthPage)
    assert (first.auth_type, first.last_page, first.length) == (3, 2, 56)
    assert first.timestamp == SYSTEM_EPOCH_POSIX + 189_302_400
    adapter = RemoteIdAdapter("rx")
    for page in pages:
        adapter.receive(bytes.fromhex(page), 1.0e9, source="ble")
    aircraft = adapter.aircraft.get("src:ble")
    assert aircraft is not None and aircraft.authentication is not None
    assert len(aircraft.authentication.data) == 56
    assert aircraft.authentication.data.endswith(bytes.fromhex("c57b993a1d036681f49e2c87ab4fe012"))


# CAPTURES: bkerler/DroneID examples.
def _frames(file: str) -> list[tuple[str, bytes]]:
    return [
        (r["kind"], bytes.fromhex(r["hex"])) for r in jsonl("captures.jsonl") if r["file"] == file
    ]


UNWRAP = {
    "wifi_beacon": unwrap_beacon_frame,
    "wifi_nan": unwrap_nan_action_frame,
    "ble_adv": unwrap_advertising_data,
}


def test_dji_air3_beacons() -> None:
    frames = _frames("dji_air3.pcapng")
    assert len(frames) == 9
    adapter = RemoteIdAdapter("rx")
    for kind, raw in frames:
        adapter.receive_frame(UNWRAP[kind](raw), 1_728_307_400.0)
    out = adapter.output
    assert out.messages == 27 and not out.rejects
    first = out.reports[0]
    assert first.identity == "1581F6N8A23B2ML3Y3KR"
    assert _eq(first.lat_deg, 33.6652717) and _eq(first.lon_deg, -82.1918334)
    assert first.alt_m == 82.0 and math.isnan(first.course_deg) and first.speed_mps == 0.0
    assert first.t_measured == 1_728_306_000.0 + 1373.5  # 13:22:53.5 UTC, 2024-10-07
    assert first.sigma_horizontal_m == pytest.approx(1.0 / 2.4477, rel=1e-3)  # < 1 m class
    identity = out.identities[0]  # again only when the live operator position moves
    assert {i.identity for i in out.identities} == {"1581F6N8A23B2ML3Y3KR"}
    assert len(out.identities) < len(frames)
    assert identity.category == "helicopter_or_multirotor"
    assert _eq(identity.operator_lat_deg, 33.6632364)
    assert _eq(identity.operator_lon_deg, -82.1916647)


def test_open_drone_id_wifi_beacon_sample() -> None:
    frame = unwrap_beacon_frame(_frames("odid_wifi_bcn_sample.pcap")[0][1])
    basic, location, self_id, system, operator = (decode_message(m) for m in frame.messages)
    assert frame.mac == "84:cc:a8:60:43:24"
    assert basic == BasicId(id_type=0, ua_type=0, uas_id="MFG1A0123456789", version=0)
    assert isinstance(location, Location)
    assert _eq(location.lat_deg, 45.5457468) and _eq(location.lon_deg, -122.9681496)
    assert location.geodetic_alt_m == 237.0 and location.height_m == 100.0
    assert location.speed_mps == 20.5 and location.direction_deg == 92.0
    assert math.isnan(location.vertical_speed_mps)
    assert self_id == SelfId(0, "Recreational", version=0)
    assert isinstance(system, System) and system.class_eu == 5 and system.area_radius_m == 500
    assert operator == OperatorId(0, "GBR-OP-123ABCD", version=0)


def test_open_drone_id_nan_sample_joins_by_mac() -> None:
    adapter = RemoteIdAdapter("rx")
    for kind, raw in _frames("odid_wifi_sample.pcap"):
        adapter.receive_frame(UNWRAP[kind](raw), 1_600_000_000.0)
    out = adapter.output
    assert out.messages == 16 and not out.rejects
    assert len(out.reports) == 12 and {r.identity for r in out.reports} == {""}  # no Basic ID
    assert {r.sensor for r in out.reports} == {"rx"}
    aircraft = adapter.aircraft.get("mac:84:cc:a8:60:43:24")
    assert aircraft is not None
    assert aircraft.operator_id == "GBR-OP-123ABCD" and aircraft.description == "Recreational"


def test_linux_transmitter_pack_with_two_basic_ids_and_authentication() -> None:
    adapter = RemoteIdAdapter("rx")
    kind, raw = _frames("wireless_RID_test_linux_transmitter.pcapng")[0]
    adapter.receive_frame(UNWRAP[kind](raw), 1_574_357_700.0)
    out = adapter.output
    assert out.messages == 9 and not out.rejects
    (report,) = out.reports
    assert report.identity == "112624150A90E3AE1EC0"  # the serial, not the session ID
    assert _eq(report.lat_deg, 51.4791) and _eq(report.lon_deg, -0.0013)
    aircraft = adapter.aircraft.get("id:112624150A90E3AE1EC0")
    assert aircraft is not None and aircraft.authentication is not None
    assert aircraft.authentication.data == b"12345678901234567" + b"12345678901234567890123" * 2


def test_bluetooth_5_long_range_sample() -> None:
    frames = _frames("odid_bt5_lr_sample.pcapng")
    adapter = RemoteIdAdapter("rx")
    for kind, raw in frames:
        try:
            frame = UNWRAP[kind](raw)
        except RemoteIdError as err:
            adapter.output.reject(err.reason, str(err))
            continue
        adapter.receive_frame(frame, 1_600_000_000.0)
    out = adapter.output
    assert out.rejects["pack"] >= 25  # the transmitter's empty packs (count 0) and damage
    assert out.rejects.total() == 35  # and 10 damaged packets: version, text, range
    reports = out.reports
    assert reports and {r.identity for r in reports} == {"SSEVTFG93700070"}
    identity = out.identities[-1]
    assert identity.description == "Drone ID demo" and identity.operator_id == "FIN87astrdge12kxyz8"
