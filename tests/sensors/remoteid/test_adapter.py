"""RemoteIdAdapter: datagram framings, reports (altitude choice, sigmas, time), identities and
the joining of separate messages per aircraft (ASTM F3411-22a §5.4; docs/feeds-remoteid.md)."""

from __future__ import annotations

import math

import pytest

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors.remoteid import RemoteIdAdapter, RemoteIdSettings
from dronewall.sensors.remoteid import encode as enc
from dronewall.sensors.remoteid.messages import BasicId, Location, OperatorId, SelfId, System
from dronewall.sensors.remoteid.reports import HEIGHT_SIGMA_M, PRESSURE_ALT_SIGMA_M

HOUR = 1_700_002_800.0  # a full hour (POSIX seconds divisible by 3600)
SERIAL = "1581F5FJD229A00B0C"
NAN = math.nan


def basic(serial: str = SERIAL) -> bytes:
    return enc.encode_basic_id(BasicId(1, 2, serial))


def location(**fields: float) -> bytes:
    values: dict[str, float] = {
        "lat_deg": 52.2297,
        "lon_deg": 21.0122,
        "geodetic_alt_m": 150.0,
        "speed_mps": 12.25,
        "direction_deg": 270.0,
        "vertical_speed_mps": -1.5,
        "horizontal_accuracy": 10,
        "vertical_accuracy": 4,
        "timestamp_s": 600.0,
    }
    values.update(fields)
    ints = ("horizontal_accuracy", "vertical_accuracy", "baro_accuracy")
    return enc.encode_location(
        Location(**{k: int(v) if k in ints else v for k, v in values.items()})  # type: ignore[arg-type]
    )


def adapter(**settings: float) -> RemoteIdAdapter:
    return RemoteIdAdapter("rid-1", RemoteIdSettings(**settings))  # type: ignore[arg-type]


def test_the_receiver_is_announced() -> None:
    a = RemoteIdAdapter("rid-1", RemoteIdSettings(52.0, 21.0, 110.0, 3000.0, "PL", name="roof"))
    (info,) = a.output.sensors
    assert (info.key, info.kind, info.nation, info.name) == (
        "rid-1",
        SensorKind.REMOTE_ID,
        "PL",
        "roof",
    )
    assert (info.lat_deg, info.lon_deg, info.alt_m, info.max_range_m) == (52.0, 21.0, 110.0, 3000.0)


def test_location_report_fields() -> None:
    a = adapter()
    a.receive(enc.encode_pack([basic(), location()]), HOUR + 601.0)
    (r,) = a.output.reports
    assert (r.sensor, r.sensor_kind, r.measurement) == (
        "rid-1",
        SensorKind.REMOTE_ID,
        MeasurementKind.POSITION,
    )
    assert r.t_measured == HOUR + 600.0
    assert (r.lat_deg, r.lon_deg, r.alt_m) == (52.2297, 21.0122, 150.0)
    assert r.sigma_horizontal_m == pytest.approx(10.0 / 2.4477, rel=1e-4)  # 95 % radius, 2-D
    assert r.sigma_vertical_m == pytest.approx(10.0 / 1.96, rel=1e-3)  # 95 %, 1-D
    assert (r.speed_mps, r.course_deg, r.vertical_rate_mps) == (12.25, 270.0, -1.5)
    assert r.identity == SERIAL
    assert r.declared_class is ObjectClass.DRONE and r.class_confidence >= 0.9
    assert a.output.messages == 2 and not a.output.rejects


def test_altitude_falls_back_to_pressure_then_height() -> None:
    a = adapter(receiver_alt_m=120.0)
    a.receive(location(geodetic_alt_m=NAN, pressure_alt_m=140.0, baro_accuracy=5), HOUR + 600)
    a.receive(location(geodetic_alt_m=NAN, height_m=40.0), HOUR + 600)
    pressure, height = a.output.reports
    assert pressure.alt_m == 140.0
    assert pressure.sigma_vertical_m == pytest.approx(
        math.hypot(3.0 / 1.96, PRESSURE_ALT_SIGMA_M), rel=1e-3
    )
    assert height.alt_m == 160.0  # receiver 120 m + 40 m above takeoff
    assert height.sigma_vertical_m > HEIGHT_SIGMA_M


def test_no_altitude_or_no_position_gives_no_report_but_counts() -> None:
    a = adapter()  # receiver altitude unknown: a height alone is not enough
    a.receive(location(geodetic_alt_m=NAN, height_m=40.0), HOUR)
    a.receive(location(lat_deg=NAN, lon_deg=NAN), HOUR)
    assert a.output.reports == [] and a.output.messages == 2 and not a.output.rejects


def test_unknown_values_are_nan_and_unknown_accuracy_is_not_worst_case() -> None:
    a = adapter()
    raw = location(speed_mps=NAN, direction_deg=NAN, vertical_speed_mps=NAN, horizontal_accuracy=0)
    a.receive(raw, HOUR + 10)
    (r,) = a.output.reports
    assert math.isnan(r.speed_mps) and math.isnan(r.course_deg) and math.isnan(r.vertical_rate_mps)
    assert 10.0 < r.sigma_horizontal_m < 100.0


@pytest.mark.parametrize(
    ("t_receive", "stamp", "expected"),
    [
        (HOUR + 5.0, 3598.0, HOUR - 2.0),  # sent before the hour, received after it
        (HOUR + 3595.0, 2.5, HOUR + 3602.5),  # receiver clock a little behind the drone's
        (HOUR + 1200.0, 1190.0, HOUR + 1190.0),
        (HOUR + 1200.0, NAN, HOUR + 1200.0),  # unknown: the receive time
    ],
)
def test_timestamp_is_resolved_to_the_nearest_hour(
    t_receive: float, stamp: float, expected: float
) -> None:
    a = adapter()
    a.receive(location(timestamp_s=stamp), t_receive)
    assert a.output.reports[0].t_measured == pytest.approx(expected)


def test_out_of_range_values_are_rejected_and_counted() -> None:
    a = adapter()
    bad_lat = bytearray(location())
    bad_lat[5:9] = (950_000_000).to_bytes(4, "little", signed=True)  # 95°
    bad_track = bytearray(location())
    bad_track[1] |= 2
    bad_track[2] = 200  # 380°
    bad_stamp = bytearray(location())
    bad_stamp[21:23] = (36001).to_bytes(2, "little")
    for raw in (bad_lat, bad_track, bad_stamp):
        a.receive(bytes(raw), HOUR)
    assert a.output.rejects == {"range": 3} and a.output.messages == 0 and not a.output.reports


def test_positions_beyond_the_receiver_range_are_rejected() -> None:
    a = adapter(receiver_lat_deg=52.2297, receiver_lon_deg=21.0122, max_range_m=5000.0)
    a.receive(location(), HOUR)
    a.receive(location(lat_deg=52.40), HOUR)  # 19 km north
    assert len(a.output.reports) == 1 and a.output.rejects == {"far": 1}


def test_framings_of_a_datagram() -> None:
    loc, bid = location(), basic()
    pack = enc.encode_pack([bid, loc])
    datagrams = {
        "bare": loc,
        "concatenated": bid + loc,
        "counter + message": b"\x07" + loc,
        "pack": pack,
        "padded pack": pack + b"\0" * (3 + 9 * 25 - len(pack)),
        "counter + pack": b"\x07" + pack,
        "service data message": enc.ble_service_data(loc, 7),
        "service data pack": enc.ble_service_data(pack, 7),
        "vendor element": enc.beacon_vendor_element(pack, 7),
        "vendor element body": enc.beacon_vendor_element(pack, 7)[2:],
        "AD structure, message": enc.ble_advertising_data(loc, 7),
        "AD structure, pack": enc.ble_advertising_data(pack, 7),
    }
    for name, data in datagrams.items():
        a = adapter()
        a.receive(data, HOUR + 700)
        assert len(a.output.reports) == 1, name
        assert not a.output.rejects, name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "length"),
        (b"\x12" * 24, "length"),
        (b"\x12" * 27, "length"),
        (bytes((0xF2, 25, 3)) + b"\x12" * 50, "pack"),  # says 3, holds 2
        (bytes((0xF2, 25, 0)), "length"),
        (bytes((0xF2, 24, 1)) + b"\x12" * 24, "pack"),
        (bytes((0xF7, 25, 1)) + b"\x12" * 25, "version"),
    ],
)
def test_datagrams_that_fit_no_framing(data: bytes, reason: str) -> None:
    a = adapter()
    a.receive(data, HOUR)
    assert a.output.rejects == {reason: 1} and a.output.messages == 0


def test_bad_messages_in_a_pack_do_not_lose_the_good_ones() -> None:
    nested = enc.encode_pack([basic()])[:25]
    unknown_type = b"\x72" + b"\0" * 24
    a = adapter()
    a.receive(enc.encode_pack([basic(), unknown_type, nested, location()]), HOUR + 700)
    assert a.output.rejects == {"type": 1, "pack": 1}
    assert a.output.messages == 2 and a.output.reports[0].identity == SERIAL


def test_messages_in_separate_datagrams_join_by_source() -> None:
    a = adapter()
    a.receive(location(), HOUR + 700, source="aa:bb:cc:00:00:01")  # before any Basic ID
    a.receive(
        enc.encode_operator_id(OperatorId(0, "POL1234567890")),
        HOUR + 700,
        source="aa:bb:cc:00:00:01",
    )
    a.receive(basic(), HOUR + 701, source="aa:bb:cc:00:00:01")
    a.receive(location(), HOUR + 702, source="aa:bb:cc:00:00:01")
    a.receive(location(), HOUR + 702, source="aa:bb:cc:00:00:02")  # another transmitter
    first, second, other = a.output.reports
    assert (first.identity, second.identity, other.identity) == ("", SERIAL, "")
    assert a.output.identities[-1].operator_id == "POL1234567890"  # learnt before the ID
    aircraft = a.aircraft.get(f"id:{SERIAL}")
    assert aircraft is not None and a.aircraft.get("src:aa:bb:cc:00:00:01") is None


def test_basic_id_after_the_location_in_the_same_pack_still_names_it() -> None:
    a = adapter()
    a.receive(enc.encode_pack([location(), basic()]), HOUR + 700)
    assert a.output.reports[0].identity == SERIAL


def test_serial_is_preferred_and_registration_is_the_callsign() -> None:
    registration = enc.encode_basic_id(BasicId(2, 2, "POL-R-0042"))
    a = adapter()
    a.receive(enc.encode_pack([registration, basic(), location()]), HOUR + 700)
    (identity,) = a.output.identities
    assert (identity.identity, identity.callsign) == (SERIAL, "POL-R-0042")
    assert a.output.reports[0].identity == SERIAL


def test_identity_is_sent_on_change_and_refreshed() -> None:
    a = adapter(identity_refresh_s=10.0)
    system = enc.encode_system(System(operator_lat_deg=52.23, operator_lon_deg=21.01))
    a.receive(enc.encode_pack([basic(), system]), HOUR)
    a.receive(enc.encode_pack([basic(), system]), HOUR + 5)  # same: nothing
    a.receive(enc.encode_pack([basic(), enc.encode_self_id(SelfId(0, "Survey"))]), HOUR + 6)
    a.receive(enc.encode_pack([basic(), system]), HOUR + 17)  # refresh
    times = [i.t for i in a.output.identities]
    assert times == [HOUR, HOUR + 6, HOUR + 17]
    latest = a.output.identities[-1]
    assert (latest.description, latest.operator_lat_deg) == ("Survey", 52.23)
    assert latest.category == "helicopter_or_multirotor"


def test_memory_is_bounded() -> None:
    a = RemoteIdAdapter("rid-1", RemoteIdSettings(max_aircraft=50))
    for n in range(500):
        a.receive(enc.encode_pack([basic(f"SN{n:06d}"), location()]), HOUR + 700, source=f"s{n}")
    assert len(a.aircraft) == 50
    assert a.aircraft.get("id:SN000499") is not None and a.aircraft.get("id:SN000000") is None


def test_garbage_never_raises() -> None:
    a = adapter()
    for data in (b"\xff" * 25, b"\x0d" * 52, b"\xdd\x05\xfa\x0b\xbc\x0d\x00", bytes(range(256))):
        a.receive(data, HOUR)
    assert a.output.messages + a.output.rejects.total() >= 4
    assert "internal" not in a.output.rejects
