"""RemoteIdJsonAdapter: the JSON lines open Remote ID receivers publish (docs/feeds-remoteid.md).

The DroneID lines (``corpus/droneid_json.jsonl``) are what bkerler/DroneID's Wi-Fi receiver
published for the public captures; the ESP32 line follows the ``printf`` format of the
colonelpanichacks / lukeswitz Mesh-Detect "Sky-Spy" scanner firmware; the list with MAC and
RSSI inside "Basic ID" is the alphafox02 DragonSync / WarDragon re-publication of DroneID.
"""

from __future__ import annotations

import base64
import json
import math

import pytest

from dronewall.sensors.feed import Report
from dronewall.sensors.remoteid import RemoteIdAdapter, RemoteIdJsonAdapter
from dronewall.sensors.remoteid import encode as enc
from dronewall.sensors.remoteid.messages import BasicId, Location
from dronewall.sensors.remoteid.transports import unwrap_beacon_frame, unwrap_nan_action_frame
from tests.sensors.remoteid.helpers import beacon_frame, jsonl, nan_action_frame

HOUR = 1_700_002_800.0
SERIAL = "1581F5FJD229A00B0C"
LOC = Location(
    lat_deg=52.2297,
    lon_deg=21.0122,
    geodetic_alt_m=150.0,
    speed_mps=12.25,
    direction_deg=270.0,
    horizontal_accuracy=10,
    vertical_accuracy=4,
    timestamp_s=600.0,
)
PACK = enc.encode_pack([enc.encode_basic_id(BasicId(1, 2, SERIAL)), enc.encode_location(LOC)])


def feed(*lines: object, t: float = HOUR + 601.0) -> RemoteIdJsonAdapter:
    a = RemoteIdJsonAdapter("rid-json")
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    a.receive(text.encode(), t)
    return a


def test_raw_hex_line_with_metadata() -> None:
    a = feed({"mac": "AA-BB-CC-00-11-22", "rssi": -71, "t": HOUR + 620.5, "hex": PACK.hex()})
    (r,) = a.output.reports
    assert (r.identity, r.lat_deg, r.alt_m, r.t_measured) == (SERIAL, 52.2297, 150.0, HOUR + 600.0)
    assert a.messages.aircraft.get(f"id:{SERIAL}") is not None
    assert a.output.messages == 2 and not a.output.rejects


def test_raw_base64_and_separated_hex() -> None:
    spaced = " ".join(f"{b:02X}" for b in PACK)
    a = feed({"b64": base64.b64encode(PACK).decode()}, {"payload": spaced})
    assert len(a.output.reports) == 2 and not a.output.rejects


def test_raw_radio_frames() -> None:
    adv = enc.ble_advertising_data(PACK, 3)
    a = feed(
        {"format": "ble_adv", "hex": adv.hex(), "mac": "c0:ff:ee:00:00:01"},
        {"format": "wifi_beacon", "hex": beacon_frame("12:34:56:78:9a:bc", 9, PACK).hex()},
        {"format": "wifi_nan", "hex": nan_action_frame("12:34:56:78:9a:bd", 9, PACK).hex()},
    )
    assert len(a.output.reports) == 3 and not a.output.rejects


def test_flat_schema_of_our_own() -> None:
    line = {
        "id": SERIAL,
        "ua_type": "helicopter_or_multirotor",
        "lat": 52.2297,
        "lon": 21.0122,
        "alt": 150.0,
        "speed": 12.0,
        "direction": 90.0,
        "vspeed": 1.5,
        "h_acc": 3.0,
        "v_acc": 10.0,
        "t": HOUR + 123.25,
        "operator_id": "POL1234567890",
        "operator_lat": 52.23,
        "operator_lon": 21.01,
        "description": "Survey",
        "mac": "aa:bb:cc:dd:ee:ff",
    }
    a = feed(line)
    (r,) = a.output.reports
    assert (r.identity, r.t_measured, r.alt_m) == (SERIAL, HOUR + 123.25, 150.0)
    assert (r.speed_mps, r.course_deg, r.vertical_rate_mps) == (12.0, 90.0, 1.5)
    assert r.sigma_horizontal_m == pytest.approx(3.0 / 2.4477, rel=1e-3)
    (identity,) = a.output.identities
    assert (identity.operator_id, identity.description) == ("POL1234567890", "Survey")
    assert identity.category == "helicopter_or_multirotor"
    assert a.output.messages == 5


def test_esp32_scanner_line() -> None:
    line = (
        '{"mac":"60:60:1f:71:93:3b","rssi":-67,"drone_lat":33.665272,"drone_long":-82.191833,'
        '"drone_altitude":82,"pilot_lat":33.663236,"pilot_long":-82.191665,'
        '"basic_id":"1581F6N8A23B2ML3Y3KR"}'
    )
    a = feed(line, t=1_728_307_373.5)
    (r,) = a.output.reports
    assert (r.identity, r.lat_deg, r.lon_deg, r.alt_m) == (
        "1581F6N8A23B2ML3Y3KR",
        33.665272,
        -82.191833,
        82.0,
    )
    assert r.t_measured == 1_728_307_373.5
    assert a.output.identities[0].operator_lat_deg == 33.663236


def test_esp32_line_without_a_fix_is_an_identity_only() -> None:
    line = {"mac": "aa:bb:cc:dd:ee:01", "drone_lat": 0.0, "drone_long": 0.0, "basic_id": SERIAL}
    a = feed(line)
    assert a.output.reports == [] and a.output.identities[0].identity == SERIAL


def _raw_reports(records: list[dict[str, object]]) -> list[Report]:
    adapter = RemoteIdAdapter("rid-json")
    for rec in records:
        raw = bytes.fromhex(str(rec["hex"]))
        frame = (
            unwrap_beacon_frame(raw)
            if rec["kind"] == "wifi_beacon"
            else unwrap_nan_action_frame(raw)
        )
        adapter.receive_frame(frame, 1_728_307_400.0)
    return adapter.output.reports


def test_droneid_receiver_output_gives_the_reports_of_the_raw_frames() -> None:
    """bkerler/DroneID's published JSON for the captures, against our decoding of the same
    frames: same identities, positions, altitudes, motion and times."""
    published = jsonl("droneid_json.jsonl")
    captures = {(r["file"], r["index"]): r for r in jsonl("captures.jsonl")}
    frames = [captures[(p["_source"]["file"], p["_source"]["index"])] for p in published]
    a = feed(*published, t=1_728_307_400.0)
    assert not a.output.rejects
    expected = _raw_reports(frames)
    assert len(a.output.reports) == len(expected) >= 20
    for got, want in zip(a.output.reports, expected, strict=True):
        assert got.identity == want.identity
        assert got.lat_deg == pytest.approx(want.lat_deg, abs=1e-7)
        assert got.lon_deg == pytest.approx(want.lon_deg, abs=1e-7)
        assert (got.alt_m, got.t_measured) == (want.alt_m, want.t_measured)
        assert got.sigma_horizontal_m == pytest.approx(want.sigma_horizontal_m)
        for name in ("speed_mps", "course_deg", "vertical_rate_mps"):
            g, w = getattr(got, name), getattr(want, name)
            assert (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w), name


def test_dragonsync_list_with_mac_inside_the_basic_id() -> None:
    line = [
        {"Basic ID": {"id_type": "Serial Number (ANSI/CTA-2063-A)", "ua_type": 2, "id": SERIAL,
                      "MAC": "AA:BB:CC:DD:EE:FF", "RSSI": -65}},
        {"Location/Vector Message": {"latitude": 39.7392, "longitude": -104.9903,
                                     "geodetic_altitude": 1655.5, "height_agl": 50.0,
                                     "speed": 12.5, "vert_speed": 2.0, "direction": 180,
                                     "horizontal_accuracy": "< 10 m", "timestamp": "36 min 5.0 s"}},
        {"System Message": {"latitude": 39.74, "longitude": -104.99}},
        {"Self-ID Message": {"text": "Inspection", "text_type": "Text Description"}},
        {"Operator ID Message": {"operator_id": "USA-OP-42"}},
    ]  # fmt: skip
    a = feed(line, t=HOUR + 2170.0)
    (r,) = a.output.reports
    assert (r.identity, r.alt_m, r.course_deg, r.t_measured) == (
        SERIAL,
        1655.5,
        180.0,
        HOUR + 2165.0,
    )
    assert r.sigma_horizontal_m == pytest.approx(10.0 / 2.4477, rel=1e-3)
    identity = a.output.identities[-1]
    assert (identity.operator_id, identity.description) == ("USA-OP-42", "Inspection")
    assert a.messages.aircraft.get(f"id:{SERIAL}") is not None


def test_location_vector_with_wire_integers() -> None:
    line = [
        {"Basic ID": {"id_type": "Serial Number (ANSI/CTA-2063-A)", "id": "18656A24303"}},
        {"Location Vector": {"op_status": "Airborne", "ew_dir_segment": "East",
                             "speed_multiplier": "0.25",
                             "coord": {"direction": 94, "speed": 1, "vert_speed": 0,
                                       "latitude": 336577004, "longitude": -822156164,
                                       "pressure_altitude": 0, "geodetic_altitude": 2152,
                                       "height_agl": 1982, "horizontal_accuracy": "<1 m",
                                       "vertical_accuracy": "<10 m", "timestamp": 5470,
                                       "timestamp_accuracy": 2}}},
    ]  # fmt: skip
    a = feed(line, t=HOUR + 550.0)
    (r,) = a.output.reports
    assert (r.lat_deg, r.lon_deg, r.alt_m) == (33.6577004, -82.2156164, 76.0)
    assert (r.course_deg, r.speed_mps, r.t_measured) == (94.0, 0.25, HOUR + 547.0)


def test_partial_lines_across_reads_and_crlf() -> None:
    text = json.dumps({"hex": PACK.hex()}) + "\r\n\n" + json.dumps({"hex": PACK.hex()}) + "\n"
    a = RemoteIdJsonAdapter("rid-json")
    for i in range(0, len(text), 7):
        a.receive(text[i : i + 7].encode(), HOUR + 601)
    assert len(a.output.reports) == 2 and not a.output.rejects


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "json"),
        ('"just a string"', "schema"),
        ('{"rssi": -50}', "schema"),
        ('{"hex": "zz12"}', "hex"),
        ('{"b64": "***"}', "hex"),
        ('{"lat": 95.0, "lon": 10.0}', "range"),
        ('{"lat": "north", "lon": 10.0}', "schema"),
        ('{"hex": "1234"}', "length"),
        ('{"format": "morse", "hex": "00"}', "schema"),
        ('[{"Basic ID": 5}]', "schema"),
    ],
)
def test_rejected_lines(line: str, reason: str) -> None:
    a = feed(line, {"hex": PACK.hex()})
    assert a.output.rejects == {reason: 1}
    assert len(a.output.reports) == 1  # the good line after it is kept


def test_an_over_long_line_is_dropped_and_the_stream_recovers() -> None:
    a = RemoteIdJsonAdapter("rid-json")
    a.receive(b"{" + b"x" * 70_000, HOUR)
    a.receive(
        b"still the same line\n" + json.dumps({"hex": PACK.hex()}).encode() + b"\n", HOUR + 601
    )
    assert a.output.rejects == {"length": 1} and len(a.output.reports) == 1
