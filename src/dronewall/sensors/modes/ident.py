"""ADS-B aircraft identification and category (DO-260B §2.2.3.2.5, type codes 1–4; the same
character set serves Comm-B BDS 2,0, ICAO Annex 10 Vol III Part I Table 3-7).

The eight characters are 6-bit codes of the IA-5 subset: 1–26 → A–Z, 32 → space, 48–57 →
0–9; every other code is illegal. The emitter category set comes from the type code
(4 → A, 3 → B, 2 → C, 1 → D) and its number from the 3-bit CA subfield: "A3" is a large
aircraft, "B6" an unmanned aerial vehicle, "A0"/"B0"… mean "no category information".
"""

from __future__ import annotations

_CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
_CATEGORY_SET = {4: "A", 3: "B", 2: "C", 1: "D"}


def callsign(chars48: int) -> str | None:
    """The callsign of 8 six-bit characters (trailing spaces removed); None if any is illegal."""
    text = "".join(_CHARSET[(chars48 >> shift) & 0x3F] for shift in range(42, -1, -6))
    if "#" in text:
        return None
    return text.rstrip(" ")


def category(type_code: int, ca: int) -> str:
    """The emitter category code, e.g. "A3", of an identification message (TC 1–4)."""
    return f"{_CATEGORY_SET[type_code]}{ca}"
