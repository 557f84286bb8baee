"""Encoder: decode(encode(record)) gives the record back within the standard's resolution
(ASTM F3411-22a Table 6: 0.25/0.75 m/s, 1°, 0.5 m/s, 1e-7°, 0.5 m, 0.1 s), encode(decode(bytes))
gives the published bytes back, and the transport wrappings unwrap to what was wrapped."""

from __future__ import annotations

import math
import random

import pytest

from dronewall.sensors.remoteid import decode_message
from dronewall.sensors.remoteid import encode as enc
from dronewall.sensors.remoteid.framing import unwrap_datagram
from dronewall.sensors.remoteid.messages import BasicId, Location, System
from dronewall.sensors.remoteid.transports import (
    strip_radiotap,
    unwrap_advertising_data,
    unwrap_beacon_frame,
    unwrap_nan_action_frame,
)
from tests.sensors.remoteid.helpers import beacon_frame, nan_action_frame
from tests.sensors.remoteid.test_golden import INOUT

NAN = math.nan


def _close(a: float, b: float, tol: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def _random_location(rng: random.Random) -> Location:
    def maybe(x: float) -> float:
        return NAN if rng.random() < 0.1 else x

    return Location(
        status=rng.randrange(5),
        height_type=rng.randrange(2),
        direction_deg=maybe(rng.uniform(0, 359.49)),
        speed_mps=maybe(rng.uniform(0, 254.25)),
        vertical_speed_mps=maybe(rng.uniform(-62, 62)),
        lat_deg=rng.uniform(-90, 90),
        lon_deg=rng.uniform(-180, 180),
        pressure_alt_m=maybe(rng.uniform(-999, 31000)),
        geodetic_alt_m=maybe(rng.uniform(-999, 31000)),
        height_m=maybe(rng.uniform(-999, 31000)),
        horizontal_accuracy=rng.randrange(13),
        vertical_accuracy=rng.randrange(7),
        baro_accuracy=rng.randrange(7),
        speed_accuracy=rng.randrange(5),
        timestamp_s=maybe(round(rng.uniform(0, 3600), 1)),
        timestamp_accuracy_s=maybe(rng.randrange(1, 16) / 10),
    )


def test_location_round_trip_within_resolution() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        loc = _random_location(rng)
        back = decode_message(enc.encode_location(loc))
        assert isinstance(back, Location)
        speed_step = 0.25 if loc.speed_mps <= 63.75 else 0.75
        assert _close(back.speed_mps, loc.speed_mps, speed_step / 2 + 1e-9)
        assert _close(back.direction_deg % 360, loc.direction_deg % 360, 0.5 + 1e-9) or (
            abs(back.direction_deg - loc.direction_deg) > 359
        )
        assert _close(back.vertical_speed_mps, loc.vertical_speed_mps, 0.25 + 1e-9)
        assert _close(back.lat_deg, loc.lat_deg, 0.5e-7 + 1e-12)
        assert _close(back.lon_deg, loc.lon_deg, 0.5e-7 + 1e-12)
        for name in ("pressure_alt_m", "geodetic_alt_m", "height_m"):
            assert _close(getattr(back, name), getattr(loc, name), 0.25 + 1e-9), name
        assert _close(back.timestamp_s, loc.timestamp_s, 0.05 + 1e-9)
        assert _close(back.timestamp_accuracy_s, loc.timestamp_accuracy_s, 1e-9)
        same_codes = ("status", "height_type", "horizontal_accuracy", "vertical_accuracy")
        assert all(getattr(back, n) == getattr(loc, n) for n in same_codes)


def test_system_and_basic_id_round_trip() -> None:
    system = System(1, 1, 50.1, -4.2, 3, 120.0, 300.0, 0.0, 2, 3, 88.5, 1_700_000_000.0)
    assert decode_message(enc.encode_system(system)) == system
    for basic in (
        BasicId(1, 2, "1581F5FJD229A00B0C"),
        BasicId(3, 1, "0f8fad5b-d9cb-469f-a165-70867728950e"),
        BasicId(4, 2, "E1A2B3C4D5"),
    ):
        assert decode_message(enc.encode_basic_id(basic)) == basic


@pytest.mark.parametrize("name", sorted(INOUT))
def test_published_bytes_are_reproduced(name: str) -> None:
    raw = bytes.fromhex(INOUT[name])
    assert enc.encode_message(decode_message(raw)) == raw


def test_clamping_instead_of_overflow() -> None:
    wild = Location(lat_deg=89.9, lon_deg=10.0, speed_mps=900.0, vertical_speed_mps=-400.0)
    back = decode_message(enc.encode_location(wild))
    assert isinstance(back, Location)
    assert (back.speed_mps, back.vertical_speed_mps) == (254.25, -62.0)


def test_transport_wrappings_unwrap_to_the_pack() -> None:
    messages = [
        enc.encode_basic_id(BasicId(1, 2, "SN1")),
        enc.encode_location(Location(lat_deg=1, lon_deg=2)),
    ]
    pack = enc.encode_pack(messages)
    beacon = unwrap_beacon_frame(beacon_frame("02:00:00:00:00:01", 200, pack))
    nan = unwrap_nan_action_frame(nan_action_frame("02:00:00:00:00:02", 201, pack))
    adv = unwrap_advertising_data(enc.ble_advertising_data(pack, 202), "c0:00:00:00:00:03")
    legacy = unwrap_advertising_data(enc.ble_advertising_data(messages[1], 203))
    assert (beacon.mac, beacon.counter, beacon.messages) == (
        "02:00:00:00:00:01",
        200,
        tuple(messages),
    )
    assert (nan.mac, nan.counter, nan.messages) == ("02:00:00:00:00:02", 201, tuple(messages))
    assert (adv.mac, adv.counter, adv.messages) == ("c0:00:00:00:00:03", 202, tuple(messages))
    assert (legacy.counter, legacy.messages, legacy.packed) == (203, (messages[1],), False)
    radiotap = bytes((0, 0, 8, 0, 0, 0, 0, 0))
    assert strip_radiotap(radiotap + b"frame") == b"frame"
    assert unwrap_datagram(enc.beacon_vendor_element(pack, 9)).counter == 9


def test_pack_limits() -> None:
    with pytest.raises(ValueError):
        enc.encode_pack([])
    with pytest.raises(ValueError):
        enc.encode_pack([b"\0" * 25] * 10)
