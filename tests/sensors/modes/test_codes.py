"""CRC-24, altitude codes, Mode A codes and the callsign character set, checked exhaustively
against pyModeS 3 (GPL, test-only oracle) and against published examples."""

from __future__ import annotations

import random

import pytest
from pyModeS import util as pms_util
from pyModeS._altcode import altcode_to_altitude
from pyModeS._idcode import idcode_to_squawk

from dronewall.sensors.modes.altitude import ac12_ft, ac13_ft, gillham_ft, squawk
from dronewall.sensors.modes.crc import parity, syndrome
from dronewall.sensors.modes.ident import callsign, category
from tests.sensors.modes.encode import CHARSET, ac12_q


def test_crc_of_published_frames() -> None:
    # "The 1090 Megahertz Riddle" (J. Sun), ch. 3 and 9: intact DF17 frames have syndrome 0;
    # DF4 20001838CA3804 (same book, surveillance replies) recovers its address from AP.
    assert syndrome(bytes.fromhex("8D4840D6202CC371C32CE0576098")) == 0
    assert syndrome(bytes.fromhex("8D406B902015A678D4D220AA4BDA")) == 0
    assert syndrome(bytes.fromhex("8D4840D6202CC371C32CE0576099")) != 0
    assert syndrome(bytes.fromhex("20001838CA3804")) == 0xDBBB5F


def test_crc_matches_pymodes_on_random_frames() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        msg = bytes(rng.getrandbits(8) for _ in range(rng.choice((7, 14))))
        assert syndrome(msg) == pms_util.crc(msg.hex().upper())


def test_crc_detects_every_single_bit_error() -> None:
    msg = bytes.fromhex("8D40621D58C382D690C8AC2863A7")
    for bit in range(112):
        flipped = bytearray(msg)
        flipped[bit // 8] ^= 0x80 >> (bit % 8)
        assert syndrome(bytes(flipped)) != 0


def test_parity_of_body_is_the_transmitted_parity() -> None:
    msg = bytes.fromhex("8D485020994409940838175B284F")
    assert parity(msg[:-3]) == int.from_bytes(msg[-3:], "big")


def test_ac13_matches_pymodes_for_all_8192_codes() -> None:
    for code in range(1 << 13):
        assert ac13_ft(code) == altcode_to_altitude(code), code


def test_ac12_for_all_4096_codes_is_ac13_with_m_zero() -> None:
    for code in range(1 << 12):
        expected = altcode_to_altitude(((code >> 6) << 7) | (code & 0x3F)) if code else None
        assert ac12_ft(code) == expected, code


@pytest.mark.parametrize("alt", [-1000, -325, 0, 25, 1000, 5000, 38000, 39000, 50175])
def test_q_bit_altitudes_round_trip(alt: int) -> None:
    assert ac12_ft(ac12_q(alt)) == alt


def test_gillham_known_codes() -> None:
    # Mode C (Annex 10 Vol IV §3.1.1.7.12.2.3): C2 alone is 500-ft band 0, 100-ft Gray 010
    # (third step): -1300 + 300 = -1000 ft.
    c2_only = 1 << (12 - 2)
    assert gillham_ft(c2_only) == -1000
    assert gillham_ft(0) is None  # no C pulse: illegal


def test_altitude_examples_from_pymodes_tests() -> None:
    # pyModeS tests/test_bds05.py (v2 goldens): ADS-B altitudes around zero and 39000 ft.
    cases = {
        "8d484fde5803b647ecec4fcdd74f": -325,
        "8d4845575803c647bcec2a980abc": -300,
        "8d4401e458058645a8ea90496290": 0,
        "8d346355580b064116e70a269f97": 1000,
        "8D40058B58C901375147EFD09357": 39000,
    }
    for msg, alt in cases.items():
        me = int.from_bytes(bytes.fromhex(msg)[4:11], "big")
        assert ac12_ft((me >> 36) & 0xFFF) == alt


def test_squawk_matches_pymodes_for_all_codes() -> None:
    for code in range(1 << 13):
        assert squawk(code) == idcode_to_squawk(code)


def test_callsign_charset_and_illegal_codes() -> None:
    assert CHARSET[1] == "A" and CHARSET[32] == " " and CHARSET[48] == "0"
    # KLM1023 from "The 1090 Megahertz Riddle", ch. 4 (identification).
    me = int.from_bytes(bytes.fromhex("8D4840D6202CC371C32CE0576098")[4:11], "big")
    assert callsign(me & 0xFFFFFFFFFFFF) == "KLM1023"
    assert callsign(0) is None  # code 0 is not a character
    assert category(4, 3) == "A3" and category(3, 6) == "B6" and category(1, 0) == "D0"
