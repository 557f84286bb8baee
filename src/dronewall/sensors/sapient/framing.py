"""SAPIENT TCP framing: each protobuf ``SapientMessage`` is preceded by its length as a 4-byte
little-endian unsigned integer (as Dstl's Apex middleware, ``message_io.py``, and the BSI Flex
335 v2.0 test harness, ``ByteDataMessageBuilder.cs``, do).

``FrameReader`` is sans-I/O: feed it bytes as they arrive, take whole payloads out. A length
over the limit cannot be trusted to find the next frame, so it is fatal to the stream; an
empty frame is skipped (the stream stays in step); ``finish()`` at end of stream reports a
partial frame as truncated.
"""

from __future__ import annotations

import struct

from dronewall.sensors.sapient.rejects import Reason, SapientError

HEADER = struct.Struct("<I")
HEADER_BYTES = HEADER.size
# 1 MiB: the largest message in Dstl's test harness (a full Registration) is under 10 kB and a
# DetectionReport is a few hundred bytes; a megabyte leaves room for big coverage polygons.
DEFAULT_MAX_FRAME_BYTES = 1 << 20


def frame(payload: bytes) -> bytes:
    """The payload with its 4-byte little-endian length in front."""
    return HEADER.pack(len(payload)) + payload


class FrameReader:
    """Splits a byte stream into frame payloads; keeps at most one partial frame buffered."""

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES):
        if max_frame_bytes <= 0:
            raise ValueError(f"max_frame_bytes must be positive, not {max_frame_bytes}")
        self.max_frame_bytes = max_frame_bytes
        self._buffer = bytearray()
        self.broken = False  # a fatal error was seen: the stream cannot be trusted any more

    def feed(self, data: bytes) -> list[bytes | SapientError]:
        """Add bytes; return the payloads they complete, and errors where frames were bad.

        After a fatal error (``frame_too_long``) the reader is ``broken`` and ignores input.
        """
        if self.broken:
            return []
        self._buffer += data
        out: list[bytes | SapientError] = []
        start = 0  # consume by offset and trim once: deleting per frame would be quadratic
        end = len(self._buffer)
        while end - start >= HEADER_BYTES:
            (length,) = HEADER.unpack_from(self._buffer, start)
            if length > self.max_frame_bytes:
                self.broken = True
                header = bytes(self._buffer[start : start + HEADER_BYTES])
                message = f"frame of {length} bytes over the {self.max_frame_bytes}-byte limit"
                out.append(SapientError(Reason.FRAME_TOO_LONG, message, header))
                start = end
                break
            if end - start < HEADER_BYTES + length:
                break
            body = start + HEADER_BYTES
            if length == 0:
                out.append(SapientError(Reason.EMPTY_FRAME, "frame of zero bytes", b""))
            else:
                out.append(bytes(self._buffer[body : body + length]))
            start = body + length
        del self._buffer[:start]
        return out

    def finish(self) -> SapientError | None:
        """The stream ended: an error if it stopped inside a frame, else ``None``."""
        if self.broken or not self._buffer:
            return None
        partial = bytes(self._buffer)
        self._buffer.clear()
        return SapientError(
            Reason.TRUNCATED, f"stream ended {len(partial)} bytes into a frame", partial
        )

    @property
    def buffered(self) -> int:
        return len(self._buffer)
