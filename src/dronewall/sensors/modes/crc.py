"""Mode S parity: the 24-bit cyclic code of ICAO Annex 10 Vol IV §3.1.2.3.3, generator
polynomial 0x1FFF409 (x^24 + x^23 + … + x^10 + x^3 + 1).

``parity(data)`` is the remainder of data·x^24 divided by the generator: what a transponder
puts in the last 24 bits. For DF11/17/18 the receiver checks it against the PI field; for
DF0/4/5/16/20/21 the transponder XORs it with its address (AP field), so parity ⊕ AP gives the
address back (§3.1.2.3.3.2).
"""

from __future__ import annotations

GENERATOR = 0xFFF409  # the 24 low bits of the generator; x^24 is implicit


def _table() -> tuple[int, ...]:
    """Remainder of each byte value shifted into the top of the 24-bit register."""
    rows = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ GENERATOR) if crc & 0x800000 else (crc << 1)
        rows.append(crc & 0xFFFFFF)
    return tuple(rows)


_TABLE = _table()


def parity(data: bytes) -> int:
    """The 24-bit parity of ``data`` (the message without its last three bytes)."""
    crc = 0
    table = _TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
    return crc


def syndrome(message: bytes) -> int:
    """Parity of the message body XOR its last 24 bits: 0 for an intact DF11/17/18 with II=0;
    the transponder's address for DF0/4/5/16/20/21."""
    return parity(message[:-3]) ^ int.from_bytes(message[-3:], "big")
