"""ASTERIX data blocks: one octet CAT, two octets LEN (the whole block, header included, big
endian), then records (EUROCONTROL-SPEC-0149 Part 1, edition 2.2, "Data Block"). A UDP datagram
holds one or more whole blocks; a raw recording is blocks back to back, cut anywhere by reads.

``decode_datagram`` cuts one datagram; ``BlockStream`` reassembles blocks from arbitrary
chunks. Both give, per block, its category, the records decoded before any error and that
error (``DecodedBlock``), or an ``AsterixError`` for bytes that cannot be framed as a block.
A record that fails ends its block: its FSPEC can no longer be trusted to find the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from dronewall.sensors.asterix.cat034 import CATEGORY_034, Cat034Record, decode_cat034_record
from dronewall.sensors.asterix.cat048 import CATEGORY_048, Cat048Record, decode_cat048_record
from dronewall.sensors.asterix.fields import CATEGORY, EMPTY, LENGTH, TRUNCATED, AsterixError

HEADER: Final = 3  # CAT + LEN octets
# The shortest block with a record: header, a one-octet FSPEC and a one-octet item.
MIN_BLOCK: Final = HEADER + 2

Record = Cat048Record | Cat034Record
DecodedBlock = tuple[int, list[Record], AsterixError | None]
Decoder = Callable[[bytes, int, int], tuple[Record, int]]
DECODERS: Final[dict[int, Decoder]] = {
    CATEGORY_048: decode_cat048_record,
    CATEGORY_034: decode_cat034_record,
}
# Categories EUROCONTROL has published (ASTERIX category list): a block found while searching
# a stream must be followed by one of these.
KNOWN_CATEGORIES: Final = frozenset(
    {1, 2, 4, 8, 9, 10, 11, 15, 16, 17, 18, 19, 20, 21, 23, 25, 30, 31, 32, 34, 48, 62, 63}
    | {65, 150, 205, 240, 247, 252}
)


def decode_records(category: int, buf: bytes, start: int, end: int) -> DecodedBlock:
    """The records of the block body ``buf[start:end]``, up to the first malformed one."""
    decode = DECODERS.get(category)
    if decode is None:
        return category, [], AsterixError(CATEGORY, f"CAT{category:03d} block")
    if start >= end:
        return category, [], AsterixError(EMPTY, f"CAT{category:03d} block with no record")
    records: list[Record] = []
    p = start
    try:
        while p < end:
            record, p = decode(buf, p, end)
            records.append(record)
    except AsterixError as error:
        error.detail = f"CAT{category:03d}: {error.detail}"
        return category, records, error
    return category, records, None


def decode_datagram(data: bytes) -> list[DecodedBlock | AsterixError]:
    """The blocks of one datagram, in order. A block whose LEN is below 3 or runs past the end
    of the datagram ends the datagram: nothing after it can be found again."""
    out: list[DecodedBlock | AsterixError] = []
    size = len(data)
    pos = 0
    while pos < size:
        if size - pos < HEADER:
            out.append(AsterixError(TRUNCATED, f"{size - pos} octets after the last block"))
            break
        length = (data[pos + 1] << 8) | data[pos + 2]
        if length < HEADER:
            out.append(AsterixError(LENGTH, f"block LEN {length} < 3"))
            break
        if pos + length > size:
            out.append(AsterixError(LENGTH, f"block LEN {length}, {size - pos} octets left"))
            break
        out.append(decode_records(data[pos], data, pos + HEADER, pos + length))
        pos += length
    return out


class BlockStream:
    """Blocks of a byte stream (a raw recording read in chunks, a TCP feed), kept across calls
    until complete.

    Only CAT048/CAT034 framing can be verified (their records must decode exactly to LEN), so
    only those blocks are followed by their LEN. Anything else — a block of another category,
    a LEN below the shortest block, a CAT048/CAT034 block that does not decode exactly — puts
    the stream out of step: one error is reported (``category`` or the decoding error), and
    the search moves on octet by octet, silently, until a CAT048/CAT034 block decodes exactly
    and is followed by a plausible header (an ASTERIX category, a LEN that can hold a record)
    or by nothing yet. Octets waiting for the end of a block are in ``pending``."""

    def __init__(self) -> None:
        self._tail = b""
        self._lost = False

    def feed(self, data: bytes) -> list[DecodedBlock | AsterixError]:
        """Append ``data``; every block now complete, in order."""
        buf = self._tail + data if self._tail else data
        out: list[DecodedBlock | AsterixError] = []
        pos, size = 0, len(buf)
        while size - pos >= HEADER:
            step = self._step(buf, pos, size, out)
            if step == 0:
                break
            pos += step
        self._tail = buf[pos:]
        return out

    def _step(self, buf: bytes, pos: int, size: int, out: list[DecodedBlock | AsterixError]) -> int:
        """Octets to move on from ``pos`` (0: wait for more data), appending what was found."""
        category = buf[pos]
        length = (buf[pos + 1] << 8) | buf[pos + 2]
        if category not in DECODERS:
            self._lose(out, AsterixError(CATEGORY, f"CAT{category:03d} block in a stream"))
            return 1
        if length < MIN_BLOCK:
            self._lose(out, AsterixError(LENGTH, f"block LEN {length} in a stream"))
            return 1
        end = pos + length
        if end > size:  # wait for the rest, unless what has come already cannot be a block
            error = decode_records(category, buf, pos + HEADER, size)[2]
            if error is None or error.reason in (TRUNCATED, EMPTY):
                return 0
            self._lose(out, error)
            return 1
        block = decode_records(category, buf, pos + HEADER, end)
        if block[2] is not None:
            if not self._lost:
                out.append(block)  # what decoded before the error, and the error
            self._lose(out, None)
            return 1
        if self._lost and _plausible_header(buf, end, size) is False:
            return 1  # decodes, but what follows is not a block: a coincidence in the garbage
        self._lost = False
        out.append(block)
        return length

    def _lose(self, out: list[DecodedBlock | AsterixError], error: AsterixError | None) -> None:
        if error is not None and not self._lost:
            out.append(error)
        self._lost = True

    @property
    def pending(self) -> int:
        """Octets held for a block not yet complete (or not yet confirmed)."""
        return len(self._tail)


def _plausible_header(buf: bytes, pos: int, size: int) -> bool | None:
    """Whether a block can start at ``pos``; None before its three octets have arrived."""
    if size - pos < HEADER:
        return None
    return buf[pos] in KNOWN_CATEGORIES and ((buf[pos + 1] << 8) | buf[pos + 2]) >= MIN_BLOCK
