"""Mode S altitude and identity codes: the 13-bit AC field of DF0/4/16/20 (ICAO Annex 10
Vol IV §3.1.2.6.5.4), the 12-bit ALT subfield of ADS-B airborne position (DO-260B
§2.2.3.2.3.4, the AC field without its M bit), and the 13-bit ID field (Mode A code) of
DF5/21 (§3.1.2.6.7.1) and ADS-B TC 28.

AC13 bit order, most significant first: C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4. With Q = 1 the
other eleven bits are a binary count of 25 ft from −1000 ft; with Q = 0 the pulses are the
Gillham (Mode C) code in 100 ft steps (Annex 10 Vol IV §3.1.1.7.12.2.3). M = 1 (metric) is
not in use by civil transponders and is returned as unknown.
"""

from __future__ import annotations

_M_BIT = 0x0040
_Q_BIT = 0x0010


def _bit(code: int, index_from_msb: int) -> int:
    return (code >> (12 - index_from_msb)) & 1


def _gray_to_binary(gray: int) -> int:
    value = gray
    shift = gray >> 1
    while shift:
        value ^= shift
        shift >>= 1
    return value


def gillham_ft(ac13: int) -> int | None:
    """Altitude in feet of a Gillham-coded AC13 (Q = 0, M = 0); None for an illegal code."""
    c1, a1, c2, a2, c4, a4 = (_bit(ac13, i) for i in range(6))
    b1, b2, d2, b4, d4 = (
        _bit(ac13, 7),
        _bit(ac13, 9),
        _bit(ac13, 10),
        _bit(ac13, 11),
        _bit(ac13, 12),
    )
    # 500 ft Gray code D1 D2 D4 A1 A2 A4 B1 B2 B4 (D1 is never transmitted: it is Q's slot).
    gray500 = (d2 << 7) | (d4 << 6) | (a1 << 5) | (a2 << 4) | (a4 << 3) | (b1 << 2) | (b2 << 1) | b4
    n500 = _gray_to_binary(gray500)
    # 100 ft "five-state" code C1 C2 C4: Gray values 1, 2, 3, 4, 7 stand for 1…5.
    n100 = _gray_to_binary((c1 << 2) | (c2 << 1) | c4)
    if n100 in (0, 5, 6):
        return None
    if n100 == 7:
        n100 = 5
    if n500 % 2:
        n100 = 6 - n100  # the 100 ft code runs backwards in odd 500 ft bands
    return n500 * 500 + n100 * 100 - 1300


def ac13_ft(ac13: int) -> int | None:
    """Altitude in feet of a 13-bit AC field; None when absent (0), metric or illegal."""
    if ac13 == 0 or ac13 & _M_BIT:
        return None
    if ac13 & _Q_BIT:
        n = ((ac13 & 0x1F80) >> 2) | ((ac13 & 0x0020) >> 1) | (ac13 & 0x000F)
        return n * 25 - 1000
    return gillham_ft(ac13)


def ac12_ft(ac12: int) -> int | None:
    """Altitude in feet of the 12-bit ADS-B ALT subfield; None when absent (0) or illegal."""
    if ac12 == 0:
        return None
    return ac13_ft(((ac12 & 0x0FC0) << 1) | (ac12 & 0x003F))


def squawk(id13: int) -> str:
    """The Mode A code (four octal digits) of a 13-bit ID field:
    C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4."""
    a = (_bit(id13, 5) << 2) | (_bit(id13, 3) << 1) | _bit(id13, 1)
    b = (_bit(id13, 11) << 2) | (_bit(id13, 9) << 1) | _bit(id13, 7)
    c = (_bit(id13, 4) << 2) | (_bit(id13, 2) << 1) | _bit(id13, 0)
    d = (_bit(id13, 12) << 2) | (_bit(id13, 10) << 1) | _bit(id13, 8)
    return f"{a}{b}{c}{d}"
