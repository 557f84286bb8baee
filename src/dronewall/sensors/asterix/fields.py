"""ASTERIX record structure common to every category: the Field Specification (FSPEC) and the
lengths of the five kinds of data item, from EUROCONTROL-SPEC-0149 "EUROCONTROL Specification
for Surveillance Data Exchange — Part 1: All Purpose Structured EUROCONTROL Surveillance
Information Exchange (ASTERIX)", edition 2.2 (2014): the data block, the record, the FSPEC
with its FX bits, and the fixed, extended, repetitive, compound and explicit data fields.

Every function takes the whole block as ``bytes`` with a position and an end, and raises
``AsterixError`` (reason token, detail) when a field would run past the end — never
``IndexError``. Lengths are in octets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

# The reason tokens an ASTERIX adapter counts rejects by (FeedOutput.reject).
TRUNCATED: Final = "truncated"  # a record or item runs past the end of its block
FSPEC: Final = "fspec"  # empty FSPEC, or an FRN the category's UAP does not define
LENGTH: Final = "length"  # block LEN below 3 or beyond the bytes received
CATEGORY: Final = "category"  # a category this adapter does not decode
EMPTY: Final = "empty"  # a data block with no record
ITEM: Final = "item"  # an item whose own structure is impossible (explicit length 0, …)


class AsterixError(Exception):
    """A malformed block or record: ``reason`` is a short token for metrics."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_FRN_CACHE: dict[bytes, tuple[int, ...]] = {}
# Distinct FSPECs are few in practice (each radar sends a handful of item sets); the cache is
# cleared past this size so random input cannot grow it without bound.
_FRN_CACHE_MAX: Final = 4096


def read_fspec(buf: bytes, pos: int, end: int) -> tuple[tuple[int, ...], int]:
    """The field reference numbers (1-based, FX bits skipped) present in the FSPEC at ``pos``
    and the position of the first data item. An FSPEC with no item is malformed."""
    p = pos
    while True:
        if p >= end:
            raise AsterixError(TRUNCATED, "FSPEC runs past the end of the block")
        octet = buf[p]
        p += 1
        if not octet & 1:
            break
    key = bytes(buf[pos:p])
    frns = _FRN_CACHE.get(key)
    if frns is None:
        frns = tuple(
            7 * i + bit + 1
            for i, octet in enumerate(key)
            for bit in range(7)
            if octet & (0x80 >> bit)
        )
        if len(_FRN_CACHE) >= _FRN_CACHE_MAX:
            _FRN_CACHE.clear()
        _FRN_CACHE[key] = frns
    if not frns:
        raise AsterixError(FSPEC, "FSPEC announces no data item")
    return frns, p


def need(pos: int, size: int, end: int, name: str) -> int:
    """``pos + size`` when the item fits before ``end``; raises ``truncated`` otherwise."""
    stop = pos + size
    if stop > end:
        raise AsterixError(TRUNCATED, f"{name} needs {size} octets, {max(end - pos, 0)} left")
    return stop


def extended_end(buf: bytes, pos: int, end: int, name: str) -> int:
    """End of an extended item made of one-octet parts, each with FX in its last bit."""
    p = pos
    while True:
        if p >= end:
            raise AsterixError(TRUNCATED, f"{name} extends past the end of the block")
        octet = buf[p]
        p += 1
        if not octet & 1:
            return p


def repetitive_end(buf: bytes, pos: int, end: int, size: int, name: str) -> int:
    """End of a repetitive item: a one-octet repetition factor, then that many parts."""
    if pos >= end:
        raise AsterixError(TRUNCATED, f"{name} repetition factor missing")
    return need(pos + 1, buf[pos] * size, end, name)


def explicit_end(buf: bytes, pos: int, end: int, name: str) -> int:
    """End of an explicit-length item (SP, RE): its first octet counts itself and the rest."""
    if pos >= end:
        raise AsterixError(TRUNCATED, f"{name} length missing")
    length = buf[pos]
    if length == 0:
        raise AsterixError(ITEM, f"{name} with explicit length 0")
    return need(pos, length, end, name)


# A compound subfield: its length in octets, a negative value -n for a repetitive subfield
# of n-octet parts, 0 for an FX-extended subfield of one-octet parts (I062/380 TIS); None for
# a spare bit (present means malformed).
Subfield = int | None


def compound_end(
    buf: bytes, pos: int, end: int, subfields: Sequence[Subfield], name: str
) -> tuple[int, list[int]]:
    """End of a compound item and the start of each of its present subfields (or -1).

    The primary subfield is FX-extended, seven presence bits an octet, in the order of
    ``subfields``; a bit set for a spare or undefined subfield makes the item malformed."""
    p = extended_end(buf, pos, end, name)
    starts = [-1] * len(subfields)
    index = 0
    for octet in buf[pos:p]:
        for bit in range(7):
            if octet & (0x80 >> bit):
                size = subfields[index] if index < len(subfields) else None
                if size is None:
                    raise AsterixError(ITEM, f"{name} subfield {index + 1} is not defined")
                starts[index] = p
                if size < 0:
                    p = repetitive_end(buf, p, end, -size, name)
                elif size == 0:
                    p = extended_end(buf, p, end, name)
                else:
                    p = need(p, size, end, name)
            index += 1
    return p, starts


def signed(value: int, bits: int) -> int:
    """Two's complement value of the low ``bits`` bits of ``value``."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


# ICAO Annex 10 Vol. IV, 3.1.2.9.1.2: the 6-bit character set of aircraft identification
# (IA-5 subset): 1–26 letters, 32 space, 48–57 digits; other codes are undefined ("?").
_ICAO_CHARS: Final = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ????? ???????????????0123456789??????"


def icao_string(data: bytes) -> str:
    """The eight 6-bit characters packed in six octets (I048/240), trailing spaces removed."""
    value = int.from_bytes(data, "big")
    chars = [_ICAO_CHARS[(value >> (42 - 6 * i)) & 0x3F] for i in range(8)]
    return "".join(chars).rstrip()


def icao_pack(text: str) -> bytes:
    """Inverse of :func:`icao_string`: up to eight characters, padded with spaces."""
    value = 0
    for char in text.upper().ljust(8)[:8]:
        code = _ICAO_CHARS.find(char) if char != "?" else -1
        if code < 0:
            raise ValueError(f"{char!r} is not in the ICAO 6-bit character set")
        value = (value << 6) | code
    return value.to_bytes(6, "big")
