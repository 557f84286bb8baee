"""Packet capture files read as a stream of timestamped link-layer frames: the pcap format
(draft-ietf-opsawg-pcap §4 file header, §5 packet records; both byte orders, microsecond magic
0xA1B2C3D4 and nanosecond magic 0xA1B23C4D) and pcapng (draft-ietf-opsawg-pcapng §4.1
Section Header, §4.2 Interface Description with ``if_tsresol`` and ``if_tsoffset``, §4.3
Enhanced Packet, §4.4 Simple Packet, Appendix A Obsolete Packet; several sections, each with
its own byte order). ``packets`` turns the frames into UDP datagrams.

Reading never raises past the file's first header: a file that is not a capture, whose header
is cut short or whose (pcap) link type cannot be read is a ``CaptureError`` at once; after
that every problem is counted in ``problems`` by a short token and reading goes on when it can
(``truncated_record``: the file ends inside a record; ``corrupt_record``/``corrupt_block``: a
length that cannot be, after which nothing more can be found in step; ``interface``: a packet
of an interface never described; ``no_time``: a Simple Packet before any timestamped one).
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal

from dronewall.core.errors import DataError
from dronewall.records.packets import LINK_TYPES

PCAP_MICRO: Final = 0xA1B2C3D4
PCAP_NANO: Final = 0xA1B23C4D
PCAPNG_SHB: Final = 0x0A0D0D0A
PCAPNG_BOM: Final = 0x1A2B3C4D
IDB, SPB, OPB, EPB = 1, 3, 2, 6
MAX_RECORD: Final = 1 << 24  # 16 MiB: far above any snapshot length (262,144 by default)
_OPT_END, _OPT_TSRESOL, _OPT_TSOFFSET = 0, 9, 14
_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
ByteOrder = Literal["little", "big"]


class CaptureError(DataError):
    """The file is not a capture this reader can read (said at its first header)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured frame: capture time (POSIX s), link type, the captured bytes."""

    t: float
    link: int
    data: bytes


def is_capture(head: bytes) -> bool:
    """Whether the first bytes of a file are a pcap or pcapng magic number."""
    return head[:4] in _MAGICS or head[:4] == b"\x0a\x0d\x0d\x0a"


class CaptureReader:
    """Frames of a pcap or pcapng file, in file order. ``kind`` is "pcap" or "pcapng";
    ``frames`` counts the records read, ``problems`` what could not be read; ``position`` is
    the bytes consumed so far."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.problems: Counter[str] = Counter()
        self.frames = 0
        self.position = 0
        self._last_time: float | None = None
        self._bytes: ByteOrder = "little"
        head = self._read(4)
        if head in _MAGICS:
            self.kind = "pcap"
            self._init_pcap(head)
        elif head == b"\x0a\x0d\x0d\x0a":
            self.kind = "pcapng"
            self._interfaces: list[tuple[int, float, float]] = []  # link, resolution, offset
            self._order, self._bytes = "<", "little"
            if not self._section_header(head):
                raise CaptureError("truncated pcapng section header")
        elif len(head) < 4:
            raise CaptureError("not a pcap or pcapng file: shorter than a file header")
        else:
            raise CaptureError(f"not a pcap or pcapng file (starts {head.hex()})")

    def _read(self, n: int) -> bytes:
        data = self._stream.read(n)
        self.position += len(data)
        return data

    def __iter__(self) -> Iterator[Frame]:
        return self._pcap() if self.kind == "pcap" else self._pcapng()

    # ---- pcap ----------------------------------------------------------------------------
    def _init_pcap(self, magic: bytes) -> None:
        order, self._unit = _MAGICS[magic]
        rest = self._read(20)
        if len(rest) < 20:
            raise CaptureError("truncated pcap file header")
        _major, _minor, _zone, _sigfigs, _snaplen, network = struct.unpack(order + "HHiIII", rest)
        self._link = network & 0xFFFF  # upper bits: FCS length flags (draft §4)
        if self._link not in LINK_TYPES:
            raise CaptureError(f"pcap link type {self._link} is not one this reader knows")
        self._record = struct.Struct(order + "IIII")

    def _pcap(self) -> Iterator[Frame]:
        record, unit, link = self._record, self._unit, self._link
        while True:
            header = self._read(16)
            if not header:
                return
            if len(header) < 16:
                self.problems["truncated_record"] += 1
                return
            seconds, fraction, captured, _original = record.unpack(header)
            if captured > MAX_RECORD:
                self.problems["corrupt_record"] += 1
                return
            data = self._read(captured)
            if len(data) < captured:
                self.problems["truncated_record"] += 1
                return
            self.frames += 1
            yield Frame(seconds + fraction * unit, link, data)

    # ---- pcapng --------------------------------------------------------------------------
    def _section_header(self, head: bytes) -> bool:
        """Read a Section Header Block whose first bytes ``head`` (its type, maybe its
        length) are read; False when the file ends inside it."""
        rest = head[4:] + self._read(12 - len(head))
        if len(rest) < 8:
            return False
        bom = rest[4:8]
        if bom == PCAPNG_BOM.to_bytes(4, "little"):
            self._order, self._bytes = "<", "little"
        elif bom == PCAPNG_BOM.to_bytes(4, "big"):
            self._order, self._bytes = ">", "big"
        else:
            raise CaptureError("pcapng section header has no byte-order magic")
        length = int.from_bytes(rest[:4], self._bytes)
        if length < 28 or length % 4 or length > MAX_RECORD:
            raise CaptureError(f"pcapng section header length {length} is impossible")
        body = self._read(length - 12)
        if len(body) < length - 12:
            return False
        self._interfaces = []  # interface ids are per section
        return True

    def _pcapng(self) -> Iterator[Frame]:
        while True:
            head = self._read(8)
            if not head:
                return
            if len(head) < 8:
                self.problems["truncated_record"] += 1
                return
            if head[:4] == b"\x0a\x0d\x0d\x0a":
                try:
                    complete = self._section_header(head)
                except CaptureError:
                    self.problems["corrupt_block"] += 1
                    return
                if not complete:
                    self.problems["truncated_record"] += 1
                    return
                continue
            kind, length = struct.unpack(self._order + "II", head)
            if length < 12 or length % 4 or length > MAX_RECORD:
                self.problems["corrupt_block"] += 1
                return
            body = self._read(length - 8)
            if len(body) < length - 8:
                self.problems["truncated_record"] += 1
                return
            if int.from_bytes(body[-4:], self._bytes) != length:
                self.problems["corrupt_block"] += 1
                return
            frame = self._block(kind, body[:-4])
            if frame is not None:
                self.frames += 1
                yield frame

    def _block(self, kind: int, body: bytes) -> Frame | None:
        if kind == IDB:
            self._interface(body)
        elif kind == EPB:
            return self._enhanced(body)
        elif kind == SPB:
            return self._simple(body)
        elif kind == OPB:
            return self._obsolete(body)
        return None  # name resolution, statistics, journal, custom blocks: nothing to read

    def _interface(self, body: bytes) -> None:
        if len(body) < 8:
            self.problems["corrupt_block"] += 1
            self._interfaces.append((-1, 1e-6, 0.0))  # keep later interface ids in step
            return
        link = int.from_bytes(body[0:2], self._bytes)
        resolution, offset = 1e-6, 0.0
        for code, value in _options(body[8:], self._bytes):
            if code == _OPT_TSRESOL and len(value) >= 1:
                exponent = value[0] & 0x7F
                resolution = 2.0**-exponent if value[0] & 0x80 else 10.0**-exponent
            elif code == _OPT_TSOFFSET and len(value) >= 8:
                offset = float(struct.unpack(self._order + "q", value[:8])[0])
        self._interfaces.append((link, resolution, offset))

    def _enhanced(self, body: bytes) -> Frame | None:
        if len(body) < 20:
            self.problems["corrupt_block"] += 1
            return None
        interface, high, low, captured, _original = struct.unpack_from(self._order + "IIIII", body)
        return self._packet(interface, (high << 32) | low, body[20 : 20 + captured], captured)

    def _obsolete(self, body: bytes) -> Frame | None:
        if len(body) < 20:
            self.problems["corrupt_block"] += 1
            return None
        interface, _drops, high, low, captured, _original = struct.unpack_from(
            self._order + "HHIIII", body
        )
        return self._packet(interface, (high << 32) | low, body[20 : 20 + captured], captured)

    def _packet(self, interface: int, ticks: int, data: bytes, captured: int) -> Frame | None:
        if len(data) < captured:
            self.problems["corrupt_block"] += 1
            return None
        if interface >= len(self._interfaces):
            self.problems["interface"] += 1
            return None
        link, resolution, offset = self._interfaces[interface]
        if link < 0:
            self.problems["interface"] += 1
            return None
        t = ticks * resolution + offset
        self._last_time = t
        return Frame(t, link, data)

    def _simple(self, body: bytes) -> Frame | None:
        """A Simple Packet Block carries no time: it gets the last packet's."""
        if len(body) < 4 or not self._interfaces:
            self.problems["corrupt_block" if len(body) < 4 else "interface"] += 1
            return None
        t = self._last_time
        if t is None:
            self.problems["no_time"] += 1
            return None
        link = self._interfaces[0][0]
        original = int.from_bytes(body[0:4], self._bytes)
        if link < 0:
            self.problems["interface"] += 1
            return None
        return Frame(t, link, body[4 : 4 + original])


def _options(data: bytes, byteorder: ByteOrder) -> Iterator[tuple[int, bytes]]:
    """(code, value) of a block's options, up to opt_endofopt or a malformed option."""
    i = 0
    while i + 4 <= len(data):
        code = int.from_bytes(data[i : i + 2], byteorder)
        size = int.from_bytes(data[i + 2 : i + 4], byteorder)
        if code == _OPT_END or i + 4 + size > len(data):
            return
        yield code, data[i + 4 : i + 4 + size]
        i += 4 + (size + 3) // 4 * 4
