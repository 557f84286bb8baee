"""AVR text and SBS-1 CSV framing (``avr.py``, ``sbs.py``): line handling across reads, every
prefix, rejects by reason, the SBS time rule and the velocity merge."""

from __future__ import annotations

import calendar

import pytest

from dronewall.sensors.modes import AvrAdapter, ModeSDecoder, ReceiverSettings, SbsAdapter
from dronewall.sensors.modes.avr import AvrFrame, parse_message
from dronewall.sensors.modes.sbs import measurement_time
from tests.sensors.modes.encode import (
    ac12_q,
    avr,
    extended_squitter,
    me_airborne,
    me_identification,
    sbs,
)

T = calendar.timegm((2017, 1, 9, 20, 57, 5)) + 0.0
IDENT = extended_squitter(0x4840D6, me_identification("A3", "KLM1023"))


def test_avr_prefixes_parse() -> None:
    hexmsg = IDENT.hex().encode()
    assert parse_message(b"*" + hexmsg) == AvrFrame(0, -1, IDENT)
    assert parse_message(b":" + hexmsg) == AvrFrame(0, -1, IDENT)
    assert parse_message(b"@00000000000A" + hexmsg) == AvrFrame(10, -1, IDENT)
    assert parse_message(b"%00000000000A" + hexmsg) == AvrFrame(10, -1, IDENT)
    assert parse_message(b"<00000000000AFF" + hexmsg) == AvrFrame(10, 255, IDENT)
    assert parse_message(b"*1234") == AvrFrame(0, -1, b"\x12\x34")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"#8D4840D6202CC371C32CE0576098", "avr"),  # unknown prefix
        (b"*8D4840D6202CC371C32CE057609", "avr"),  # odd number of digits
        (b"*8D4840D6202CC371C32CE05760 8", "avr"),  # space inside
        (b"*8D4840D6202CC371C32CE05760ZZ", "avr"),  # not hex
        (b"*8D4840D6202CC371C32CE057609800", "length"),
        (b"@00000000", "length"),
        (b"*", "length"),
    ],
)
def test_avr_bad_messages(text: bytes, reason: str) -> None:
    assert parse_message(text) == reason


def test_avr_lines_split_anywhere_and_several_per_line() -> None:
    data = (
        avr(IDENT, end=b"\r\n")
        + avr(IDENT, ticks=5)
        + b"*"
        + IDENT.hex().encode()
        + b";"
        + avr(IDENT)
    )
    for cut in range(len(data)):
        adapter = AvrAdapter("rx")
        adapter.receive(data[:cut], T)
        adapter.receive(data[cut:], T + 1)
        assert adapter.output.messages == 4 and not adapter.output.rejects, cut


def test_avr_rejects_are_counted_and_good_lines_survive() -> None:
    adapter = AvrAdapter("rx")
    adapter.receive(b"hello\n" + avr(IDENT) + b"*8D40FF;\n" + b"*ZZ;junk\n" + avr(IDENT), T)
    out = adapter.output
    assert out.messages == 2 and out.rejects == {"avr": 3, "length": 1}


def test_avr_over_long_line_is_dropped() -> None:
    adapter = AvrAdapter("rx")
    adapter.receive(b"*" * 5000, T)
    adapter.receive(b"\n" + avr(IDENT), T)
    assert adapter.output.rejects == {"avr": 1} and adapter.output.messages == 1


def test_avr_mode_ac_is_accepted_unused() -> None:
    adapter = AvrAdapter("rx")
    adapter.receive(b"*7700;\n", T)
    assert adapter.output.messages == 1 and adapter.decoder.unused["mode_ac"] == 1


def test_sbs_time_rule() -> None:
    # UTC receiver (readsb), local-time receiver (dump1090-fa) at UTC+5:45, one with a wrong
    # clock, and unparsable dates.
    assert measurement_time("2017/01/09", "20:57:04.500", T, 2.0) == T - 0.5
    assert measurement_time("2017/01/10", "02:42:04.500", T, 2.0) == T - 0.5
    assert measurement_time("2017/01/09", "20:57:09.500", T, 2.0) == T
    assert measurement_time("2017/13/09", "20:57:04.500", T, 2.0) == T
    assert measurement_time("", "", T, 2.0) == T
    assert measurement_time("2017/01/09", "xx:57:04", T, 2.0) == T


def test_sbs_position_velocity_merge_and_expiry() -> None:
    adapter = SbsAdapter("rx")
    adapter.receive(
        sbs(4, "4951CD", "2017/01/09,20:57:04.000", gs="272", track="207", vr="-704"), T
    )
    adapter.receive(
        sbs(3, "4951CD", "2017/01/09,20:57:05.000", alt="6050", lat="38.8", lon="-9.2"), T
    )
    adapter.receive(
        sbs(3, "4951CD", "2017/01/09,20:57:15.000", alt="6050", lat="38.8", lon="-9.2"), T + 10
    )
    fresh, stale = adapter.output.reports
    assert fresh.speed_mps == pytest.approx(272 * 1852 / 3600) and fresh.course_deg == 207
    assert stale.speed_mps != stale.speed_mps  # NaN: the velocity is 11 s old


def test_sbs_gnss_height_and_altitude_fallback() -> None:
    adapter = SbsAdapter("rx")
    adapter.receive(sbs(3, "ABCDEF", alt="10000H", lat="50", lon="8"), T)
    adapter.receive(sbs(5, "ABCDEF", alt="9000"), T)
    adapter.receive(sbs(3, "ABCDEF", lat="50.01", lon="8"), T + 1)
    gnss, fallback = adapter.output.reports
    assert gnss.alt_m == pytest.approx(3048.0) and gnss.sigma_vertical_m == 30.0
    assert fallback.alt_m == pytest.approx(9000 * 0.3048) and fallback.sigma_vertical_m == 150.0


def test_sbs_rejects() -> None:
    settings = ReceiverSettings(lat_deg=38.7, lon_deg=-9.1, max_range_m=100_000)
    adapter = SbsAdapter("rx", settings)
    lines = [
        b"MSG,3,1,1,4951CD,1\n",  # too few fields
        b"MSG,9,1,1,4951CD,1,,,,,,,,,,,,,,,,\n",  # no such transmission type
        b"XYZ,3,1,1,4951CD,1,,,,,,,,,,,,,,,,\n",
        sbs(3, "49Z1CD", alt="1", lat="1", lon="1"),
        sbs(3, "4951CD", alt="abc", lat="38.8", lon="-9.2"),
        sbs(3, "4951CD", alt="100", lat="98.8", lon="-9.2"),
        sbs(3, "4951CD", alt="100", lat="nan", lon="-9.2"),
        sbs(3, "4951CD", alt="100", lat="45.0", lon="-9.2"),  # 700 km away
        b"MSG,3,\xff\xfe\n",
        b"STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\n",
        b"\r\n",
    ]
    adapter.receive(b"".join(lines), T)
    out = adapter.output
    assert out.rejects == {"sbs": 4, "address": 1, "number": 2, "position": 1, "range": 1}
    assert out.messages == 1 and not out.reports


def test_sbs_and_beast_of_one_receiver_share_the_aircraft() -> None:
    decoder = ModeSDecoder("rx")
    sbs_adapter = SbsAdapter("rx", decoder=decoder)
    avr_adapter = AvrAdapter("rx", decoder=decoder)
    avr_adapter.receive(
        avr(extended_squitter(0x4951CD, me_airborne(38.8, -9.2, False, ac12_q(6050)))), T
    )
    sbs_adapter.receive(sbs(1, "4951CD", callsign="TAP377  "), T)
    assert decoder.table.aircraft[0x4951CD].callsign == "TAP377"
    assert decoder.table.aircraft[0x4951CD].baro_ft == 6050
