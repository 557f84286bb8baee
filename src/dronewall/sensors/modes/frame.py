"""Mode S downlink frames (ICAO Annex 10 Vol IV §3.1.2.3.2): the downlink format, the length it
implies (56 bits for DF0–15, 112 for DF16–24), the parity check and where the address is.

==========  ==================================================================  ==========
DF          what                                                                address
==========  ==================================================================  ==========
11          all-call reply; parity ⊕ PI leaves only the 7-bit II/SI code         AA field
17          extended squitter (ADS-B); parity must be exact                      AA field
18          non-transponder ES, TIS-B, ADS-R; parity exact; CF says the kind     AA field
0 4 5 16    surveillance / ACAS replies; parity ⊕ AP = address (unverified)      recovered
20 21 24    Comm-B / Comm-D replies; as above                                    recovered
19          military extended squitter; counted, not decoded                     —
others      not downlink formats in use (1–3, 6–10, 12–15, 22, 23): rejected      —
==========  ==================================================================  ==========

No error correction is attempted: dump1090 and readsb forward corrected frames on their
Beast and AVR outputs, and a frame that still fails its parity is rejected ("crc").
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewall.sensors.modes.crc import syndrome

SHORT_BYTES = 7  # 56 bits
LONG_BYTES = 14  # 112 bits
_ADDRESS_PARITY = (0, 4, 5, 16, 20, 21, 24)  # parity overlaid with the address (AP field)


@dataclass(frozen=True, slots=True)
class Frame:
    """A Mode S frame that passed its framing and parity checks."""

    df: int
    address: int  # 24 bits: the AA field (DF11/17/18) or the address recovered from AP
    verified: bool  # the parity proved the address (DF11/17/18)
    icao: bool  # a 24-bit ICAO address (False for DF18 anonymous / non-ICAO addresses)
    code: int  # DF18: CF; DF17/11: CA; DF0/4/5/16/20/21: the 13-bit AC or ID field
    me: int  # DF17/18: the 56-bit ME field; 0 otherwise


def downlink_format(first_byte: int) -> int:
    """DF from the first byte: the top five bits, except that "11" starts DF24 (Comm-D)."""
    df = first_byte >> 3
    return 24 if df >= 24 else df


def parse(msg: bytes) -> Frame | str:
    """The frame, or a reject reason: "length", "df", "crc"."""
    df = downlink_format(msg[0]) if msg else -1
    if len(msg) != (LONG_BYTES if df >= 16 else SHORT_BYTES):
        return "length"
    if df in (17, 18):
        if syndrome(msg) != 0:
            return "crc"
        code = msg[0] & 7
        me = int.from_bytes(msg[4:11], "big")
        # DF18 CF 1 (non-ICAO address) and 5 (TIS-B about a non-ICAO target) are not ICAO.
        icao = df == 17 or code not in (1, 5)
        return Frame(df, int.from_bytes(msg[1:4], "big"), True, icao, code, me)
    if df == 11:
        if syndrome(msg) & ~0x7F:
            return "crc"
        return Frame(df, int.from_bytes(msg[1:4], "big"), True, True, msg[0] & 7, 0)
    if df in _ADDRESS_PARITY:
        field13 = int.from_bytes(msg[2:4], "big") & 0x1FFF  # AC (DF0/4/16/20) or ID (5/21)
        return Frame(df, syndrome(msg), False, True, field13, 0)
    if df == 19:
        return Frame(df, 0, False, False, msg[0] & 7, 0)
    return "df"
