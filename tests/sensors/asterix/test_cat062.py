"""CAT062 encoder against the independent CROCO decoder (``asterix-decoder``, GPL, a test
oracle only; its CAT062 definition is edition 1.18) and against our own decoder: every item
we write must decode, in both, to the value written within half its LSB. Our decoder is
fuzzed: malformed datagrams give counted ``AsterixError``s, never an exception."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import asterix  # GPL oracle, tests only
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewall.sensors.asterix import cat062
from dronewall.sensors.asterix.cat062 import (
    FT_M,
    LATLON_LSB,
    Cat062Record,
    SpecialPurpose,
    Track062,
    TrackNumbers,
    decode_cat062_datagram,
    encode_cat062_datagrams,
    encode_cat062_record,
)
from dronewall.sensors.asterix.encode import block
from dronewall.sensors.asterix.fields import (
    CATEGORY,
    EMPTY,
    FSPEC,
    ITEM,
    LENGTH,
    TRUNCATED,
    AsterixError,
)

SAC, SIC = 25, 201
ICAO_TEXT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
REASONS = {TRUNCATED, FSPEC, LENGTH, CATEGORY, EMPTY, ITEM}


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


specials = st.builds(
    SpecialPurpose,
    object_class=st.integers(0, 3),
    object_kind=st.integers(0, 10),
    confidence_pct=st.integers(0, 100),
    affiliation=st.sampled_from("FHSNU"),
    priority=st.integers(0, 100),
    identity=st.text(max_size=40),
)


@st.composite
def tracks(draw: st.DrawFn) -> Track062:
    xy = draw(_maybe(st.tuples(_floats(-4e6, 4e6), _floats(-4e6, 4e6))))
    v = draw(_maybe(st.tuples(_floats(-8000, 8000), _floats(-8000, 8000))))
    a = draw(_maybe(st.tuples(_floats(-40, 40), _floats(-40, 40))))
    sigma = draw(_maybe(_floats(0, 40_000)))
    callsign = draw(_maybe(st.text(ICAO_TEXT, min_size=1, max_size=8)))
    return Track062(
        time_of_day_s=draw(_floats(0, 86_399.99)),
        track_number=draw(st.integers(0, 65_535)),
        lat_deg=draw(_floats(-90, 89.9999)),
        lon_deg=draw(_floats(-180, 179.9999)),
        vx_mps=v[0] if v else None,
        vy_mps=v[1] if v else None,
        x_m=xy[0] if xy else None,
        y_m=xy[1] if xy else None,
        ax_mps2=a[0] if a else None,
        ay_mps2=a[1] if a else None,
        geometric_alt_m=draw(_maybe(_floats(-400, 40_000))),
        barometric_fl=draw(_maybe(_floats(-15, 1500))),
        measured_fl=draw(_maybe(_floats(-15, 1500))),
        climb_mps=draw(_maybe(_floats(-500, 500))),
        mode3a=draw(_maybe(st.integers(0, 0o7777))),
        address=draw(_maybe(st.integers(0, 0xFFFFFF))),
        callsign=callsign,
        emitter_category=draw(_maybe(st.integers(0, 24))),
        monosensor=draw(st.booleans()),
        spi=draw(st.booleans()),
        geometric_more_reliable=draw(st.booleans()),
        altitude_source=draw(st.integers(0, 7)),
        tentative=draw(st.booleans()),
        simulated=draw(st.booleans()),
        last=draw(st.booleans()),
        first=draw(st.booleans()),
        coasting=draw(st.booleans()),
        surveillance=draw(_maybe(st.integers(0, 3))),
        movement=draw(_maybe(st.tuples(*(st.integers(0, 3),) * 3))),
        track_age_s=draw(_maybe(_floats(0, 100))),
        sigma_x_m=sigma,
        sigma_y_m=sigma,
        service_id=draw(_maybe(st.integers(0, 255))),
        special=draw(_maybe(specials)),
    )


def _near(value: float | None, expected: float, lsb: float) -> bool:
    return value is not None and abs(value - expected) <= lsb / 2 + 1e-9 * max(1.0, abs(expected))


def _saturated(value: float, lsb: float, bits: int, *, is_signed: bool) -> float:
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if is_signed else (0, (1 << bits) - 1)
    return min(max(round(value / lsb), low), high) * lsb


def _val(item: dict[str, Any], *path: str) -> Any:
    node: Any = item
    for key in path:
        node = node[key]
    return node["val"]


def _check_status(t: Track062, o: dict[str, Any]) -> None:
    s = o["I080"]
    flags = ("MON", "SPI", "MRH", "CNF", "SIM", "TSE", "TSB", "CST")
    ours = (t.monosensor, t.spi, t.geometric_more_reliable, t.tentative, t.simulated, t.last)
    ours += (t.first, t.coasting)
    assert {f: _val(s, f) for f in flags if f in s} == {
        f: int(v) for f, v in zip(flags, ours, strict=True) if f in s
    }
    assert _val(s, "SRC") == t.altitude_source
    assert "TSB" in s  # the second extent always goes: SIM, TSE, TSB
    if t.coasting:
        assert _val(s, "CST") == 1
    if t.surveillance is not None:
        assert _val(s, "SDS") == t.surveillance


def _check_position(t: Track062, o: dict[str, Any]) -> None:
    assert (_val(o, "I010", "SAC"), _val(o, "I010", "SIC")) == (SAC, SIC)
    assert _near(_val(o, "I070", "ToT"), t.time_of_day_s, 1 / 128)
    assert _val(o, "I040", "TrkN") == t.track_number
    assert _near(_val(o, "I105", "Lat"), t.lat_deg, LATLON_LSB)
    assert _near(_val(o, "I105", "Lon"), t.lon_deg, LATLON_LSB)
    if t.x_m is not None and t.y_m is not None:
        assert _near(_val(o, "I100", "X"), t.x_m, 0.5) and _near(_val(o, "I100", "Y"), t.y_m, 0.5)
    if t.vx_mps is not None and t.vy_mps is not None:
        assert _near(_val(o, "I185", "Vx"), t.vx_mps, 0.25)
        assert _near(_val(o, "I185", "Vy"), t.vy_mps, 0.25)
    if t.ax_mps2 is not None and t.ay_mps2 is not None:
        assert _val(o, "I210", "Ax") == _saturated(t.ax_mps2, 0.25, 8, is_signed=True)
        assert _val(o, "I210", "Ay") == _saturated(t.ay_mps2, 0.25, 8, is_signed=True)


def _check_heights(t: Track062, o: dict[str, Any]) -> None:
    if t.geometric_alt_m is not None:
        assert _near(_val(o, "I130", "Alt") * FT_M, t.geometric_alt_m, 6.25 * FT_M)
    if t.barometric_fl is not None:
        assert _near(_val(o, "I135", "CTBA") / 100, t.barometric_fl, 0.25)
        assert _val(o, "I135", "QNH") == 0
    if t.measured_fl is not None:
        assert _near(_val(o, "I136", "MFL") / 100, t.measured_fl, 0.25)
    if t.climb_mps is not None:
        assert _near(_val(o, "I220", "RoC") * FT_M / 60, t.climb_mps, 6.25 * FT_M / 60)


def _check_identity(t: Track062, o: dict[str, Any]) -> None:
    if t.mode3a is not None:
        assert _val(o, "I060", "Mode3A") == f"{t.mode3a:04o}"
    derived = o.get("I380", {})
    assert ("ADR" in derived) == (t.address is not None)
    if t.address is not None:
        assert int(_val(derived, "ADR", "ADR"), 16) == t.address
    assert ("ID" in derived) == bool(t.callsign)
    if t.callsign:
        assert _val(derived, "ID", "ACID").rstrip() == t.callsign
    assert ("EMC" in derived) == (t.emitter_category is not None)
    if t.emitter_category is not None:
        assert _val(derived, "EMC", "ECAT") == t.emitter_category
    if t.special is not None:
        sent = bytes(int(part["TRI"]["val"], 16) for part in o["ISP"])
        assert sent == cat062.special_payload(t.special)


def _check_rest(t: Track062, o: dict[str, Any]) -> None:
    assert ("I015" in o) == (t.service_id is not None)
    if t.service_id is not None:
        assert _val(o, "I015", "SID") == t.service_id
    if t.movement is not None:
        got = (_val(o, "I200", "TRANSA"), _val(o, "I200", "LONGA"), _val(o, "I200", "VERTA"))
        assert got == t.movement
    if t.track_age_s is not None:
        assert _val(o, "I290", "TRK", "TRK") == _saturated(t.track_age_s, 0.25, 8, is_signed=False)
    if t.sigma_x_m is not None:
        want = _saturated(t.sigma_x_m, 0.5, 16, is_signed=False)
        assert _val(o, "I500", "APC", "APC_X") == _val(o, "I500", "APC", "APC_Y") == want


def _check_ours(t: Track062, r: Cat062Record) -> None:
    """Our decoder gives back every field written."""
    assert (r.sac, r.sic, r.track_number, r.service_id) == (SAC, SIC, t.track_number, t.service_id)
    assert _near(r.time_of_day_s, t.time_of_day_s, 1 / 128)
    assert _near(r.lat_deg, t.lat_deg, LATLON_LSB) and _near(r.lon_deg, t.lon_deg, LATLON_LSB)
    for mine, theirs, lsb in (
        (r.x_m, t.x_m, 0.5),
        (r.vx_mps, t.vx_mps, 0.25),
        (r.geometric_alt_m, t.geometric_alt_m, 6.25 * FT_M),
        (r.barometric_fl, t.barometric_fl, 0.25),
        (r.measured_fl, t.measured_fl, 0.25),
        (r.climb_mps, t.climb_mps, 6.25 * FT_M / 60),
    ):
        assert mine is None if theirs is None else _near(mine, theirs, lsb)
    assert (r.mode3a, r.address, r.emitter_category) == (t.mode3a, t.address, t.emitter_category)
    assert r.callsign == t.callsign
    assert (r.monosensor, r.spi, r.tentative, r.simulated, r.first, r.last, r.coasting) == (
        t.monosensor,
        t.spi,
        t.tentative,
        t.simulated,
        t.first,
        t.last,
        t.coasting,
    )
    assert (r.altitude_source, r.surveillance, r.movement) == (
        t.altitude_source,
        t.surveillance,
        t.movement,
    )
    assert r.special == (
        None
        if t.special is None
        else cat062.read_special(cat062.special_payload(t.special))  # identity cut at 240
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tracks(), min_size=1, max_size=12))
def test_every_item_written_decodes_to_the_same_value_in_croco_and_ours(
    written: list[Track062],
) -> None:
    datagrams = encode_cat062_datagrams(written, SAC, SIC, max_bytes=600)
    theirs = [r for d in datagrams for r in asterix.parse(d)]
    ours: list[Cat062Record] = []
    for d in datagrams:
        assert len(d) <= 600
        records, errors = decode_cat062_datagram(d)
        assert errors == []
        ours += records
    assert len(theirs) == len(ours) == len(written)
    for t, o, r in zip(written, theirs, ours, strict=True):
        assert o["category"] == 62 and "I040" in o, o  # CROCO decoded the record
        _check_position(t, o)
        _check_status(t, o)
        _check_heights(t, o)
        _check_identity(t, o)
        _check_rest(t, o)
        _check_ours(t, r)


def test_a_drone_is_an_unmanned_aerial_vehicle_to_croco() -> None:
    drone = Track062(3600.0, 7, 52.2, 20.9, emitter_category=cat062.ECAT_UAV)
    (parsed,) = asterix.parse(encode_cat062_datagrams([drone], SAC, SIC)[0])
    assert parsed["I380"]["EMC"]["ECAT"]["meaning"] == "unmanned aerial vehicle"


def test_values_an_item_cannot_hold_raise_and_saturating_items_saturate() -> None:
    base = Track062(10.0, 1, 0.0, 0.0)
    for bad in (
        Track062(86_400.0, 1, 0.0, 0.0),
        Track062(10.0, 65_536, 0.0, 0.0),
        Track062(10.0, 1, 0.0, 0.0, vx_mps=9000.0, vy_mps=0.0),
        Track062(10.0, 1, 0.0, 0.0, x_m=5e6, y_m=0.0),
        Track062(10.0, 1, 0.0, 0.0, geometric_alt_m=70_000.0),
    ):
        with pytest.raises(ValueError, match=r"does not fit|not within a day"):
            encode_cat062_record(bad, SAC, SIC)
    fast = Track062(10.0, 1, 0.0, 0.0, ax_mps2=99.0, ay_mps2=-99.0, track_age_s=1e6)
    (record,), _ = decode_cat062_datagram(block(62, [encode_cat062_record(fast, SAC, SIC)]))
    assert (record.ax_mps2, record.ay_mps2, record.track_age_s) == (31.75, -32.0, 63.75)
    assert encode_cat062_record(base, SAC, SIC)  # the minimal record encodes


def test_datagrams_stay_under_the_limit_and_hold_every_record() -> None:
    written = [Track062(10.0, n, 50.0, 20.0, vx_mps=1.0, vy_mps=2.0) for n in range(500)]
    datagrams = encode_cat062_datagrams(written, SAC, SIC, max_bytes=1400)
    assert len(datagrams) > 1 and all(len(d) <= 1400 for d in datagrams)
    numbers = [r.track_number for d in datagrams for r in decode_cat062_datagram(d)[0]]
    assert numbers == list(range(500))


def test_track_numbers_are_stable_distinct_and_wrap() -> None:
    numbers = TrackNumbers()
    assert numbers.number(5) == 5 and numbers.number(5) == 5
    assert numbers.number(65_536 + 5) == 6  # 5 is taken: the next free one
    assert numbers.number(6) == 7
    assert numbers.number(70_000) == 70_000 % 65_536
    numbers.release(5)
    assert numbers.number(65_536 * 2 + 5) == 5  # freed, reused
    assert numbers.number(65_536 + 5) == 6 and len(numbers) == 4


# ---- our decoder: structure and fuzz ------------------------------------------------------

CROCO_XML = Path(asterix.__file__).parent / "config" / "asterix_cat062_1_18.xml"


def _croco_subfields(item: str) -> tuple[int, ...]:
    """The subfields of a compound item in CROCO's definition, in our notation."""
    root = ET.parse(CROCO_XML).getroot()
    for data_item in root.iter("DataItem"):
        if data_item.get("id") == item:
            parts = list(data_item.find("DataItemFormat")[0])[1:]  # type: ignore[index]
            out = []
            for part in parts:
                if part.tag == "Fixed":
                    out.append(int(part.get("length", "0")))
                elif part.tag == "Repetitive":
                    out.append(-int(part[0].get("length", "8")))
                else:
                    out.append(0)  # Variable: FX-extended
            return tuple(out)
    raise AssertionError(item)


@pytest.mark.parametrize(
    ("item", "ours"),
    [
        ("110", cat062._I110),
        ("290", cat062._I290),
        ("295", cat062._I295),
        ("340", cat062._I340),
        ("380", cat062._I380),
        ("390", cat062._I390),
        ("500", cat062._I500),
    ],
)
def test_compound_structures_match_crocos_definition(item: str, ours: tuple[int, ...]) -> None:
    theirs = _croco_subfields(item)
    if item == "380":  # CROCO writes the MB subfield's 8-octet parts without a length
        theirs = tuple(-8 if i == 24 else s for i, s in enumerate(theirs))
    assert ours == theirs


def _valid() -> bytes:
    tracks_ = [
        Track062(
            100.0,
            n,
            52.0,
            21.0,
            vx_mps=3.0,
            vy_mps=4.0,
            address=0xABC000 + n,
            emitter_category=13,
            special=SpecialPurpose(1, 3, 90, "S", 40, f"serial-{n}"),
        )
        for n in range(4)
    ]
    return encode_cat062_datagrams(tracks_, SAC, SIC)[0]


def _check_errors(errors: list[AsterixError]) -> None:
    for error in errors:
        assert isinstance(error, AsterixError) and error.reason in REASONS, error


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    records, errors = decode_cat062_datagram(data)
    _check_errors(errors)
    assert records or errors or not data


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_mutated_blocks_give_counted_errors_never_exceptions(data: st.DataObject) -> None:
    good = bytearray(_valid())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(3, len(good) - 1))
        good[i] = data.draw(st.integers(0, 255))
    _, errors = decode_cat062_datagram(bytes(good))
    _check_errors(errors)


def test_malformed_datagrams_name_their_fault() -> None:
    good = _valid()
    assert decode_cat062_datagram(good)[1] == []
    truncated = good[:-5]
    assert [e.reason for e in decode_cat062_datagram(truncated)[1]] == [LENGTH]
    # LEN cut short: the last record runs past its block
    short = good[:1] + (len(good) - 5).to_bytes(2, "big") + good[3:-5]
    records, errors = decode_cat062_datagram(short)
    assert len(records) == 3 and [e.reason for e in errors] == [TRUNCATED]
    assert errors[0].detail.startswith("CAT062: I062/SP needs")
    assert [e.reason for e in decode_cat062_datagram(b"\x30\x00\x05\x80\x00")[1]] == [CATEGORY]
    assert [e.reason for e in decode_cat062_datagram(b"\x3e\x00\x03")[1]] == [EMPTY]
    spare_frn = b"\x3e\x00\x06" + bytes((0x40, 0, 0))  # FRN 2 is spare
    assert [e.reason for e in decode_cat062_datagram(spare_frn)[1]] == [FSPEC]
    assert math.isclose(decode_cat062_datagram(good)[0][0].vx_mps or 0.0, 3.0)
