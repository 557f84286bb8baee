"""AVR text format: one Mode S frame per line in hex, as dump1090 and readsb serve it on TCP
port 30002 ("raw") and read it on 30001 (formats as dump1090-fa ``decodeHexMessage`` accepts):

* ``*8D4840D6202CC371C32CE0576098;`` — the frame (``:`` may stand for ``*``);
* ``@0123456789AB8D4840D6…;`` — a 12-hex-digit (48-bit) timestamp, then the frame;
  ``%…;`` is the same with the CRC already checked by the sender;
* ``<0123456789ABFF8D4840D6…;`` — timestamp, 2 hex digits of signal level, then the frame.

Frames are 4 (Mode A/C), 14 or 28 hex digits, either case; lines end in LF or CR LF; several
``;``-terminated frames on one line are each decoded. Rejects: "avr" (unknown prefix, no ``;``,
not hex, an over-long line), "length" (a frame of another size). The timestamp spaces the frames
of one read as for Beast (``timing.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewall.sensors.feed import FeedOutput
from dronewall.sensors.modes.decoder import ModeSDecoder
from dronewall.sensors.modes.settings import ReceiverSettings
from dronewall.sensors.modes.timing import frame_times

MAX_LINE = 1024  # a frame line is at most 1 + 12 + 2 + 28 + 1 characters; keep room for spaces
_PAYLOAD_BYTES = {2, 7, 14}  # Mode A/C, short and long Mode S
# Bytes before the frame: '*' / ':' none, '@' / '%' a 6-byte timestamp, '<' timestamp + signal.
_HEADER_BYTES = {ord("*"): 0, ord(":"): 0, ord("@"): 6, ord("%"): 6, ord("<"): 7}


@dataclass(frozen=True, slots=True)
class AvrFrame:
    ticks: int  # 48-bit timestamp, 0 when the line has none
    signal: int  # 0–255, or -1 when the line has none
    payload: bytes


def parse_message(text: bytes) -> AvrFrame | str:
    """One message (without its ';'), or a reject reason."""
    header = _HEADER_BYTES.get(text[0]) if text else None
    if header is None:
        return "avr"
    digits = text[1:]
    try:
        raw = bytes.fromhex(digits.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return "avr"
    if len(raw) * 2 != len(digits):
        return "avr"  # spaces inside: fromhex skips them
    payload = raw[header:]
    if len(payload) not in _PAYLOAD_BYTES:
        return "length"
    ticks = int.from_bytes(raw[:6], "big") if header else 0
    return AvrFrame(ticks, raw[6] if header == 7 else -1, payload)


class AvrFramer:
    """Splits an AVR text stream into messages; keeps a partial line between reads."""

    def __init__(self) -> None:
        self._partial = b""

    def feed(self, data: bytes) -> list[AvrFrame | str]:
        text = self._partial + data if self._partial else data
        lines = text.split(b"\n")
        self._partial = lines.pop()
        out: list[AvrFrame | str] = []
        if len(self._partial) > MAX_LINE:
            self._partial = b""
            out.append("avr")
        for line in lines:
            pieces = line.split(b";")
            for piece in pieces[:-1]:
                message = piece.strip()
                if message:
                    out.append(parse_message(message))
            if pieces[-1].strip():
                out.append("avr")  # text after the last ';' (or a line without one)
        return out


class AvrAdapter:
    """AVR text stream of one receiver → ``output`` (the feed contract).

    With ``decoder`` given (shared with another framing of the same receiver) its settings are
    used, not ``settings``.
    """

    def __init__(
        self,
        key: str,
        settings: ReceiverSettings | None = None,
        *,
        decoder: ModeSDecoder | None = None,
    ):
        self.decoder = decoder if decoder is not None else ModeSDecoder(key, settings)
        if self.decoder.key != key:
            raise ValueError(f"decoder is for receiver {self.decoder.key!r}, not {key!r}")
        self.key = key
        self.settings = self.decoder.settings
        self.output = FeedOutput()
        self.framer = AvrFramer()

    def receive(self, data: bytes, t_receive: float) -> None:
        """Decode the lines completed by ``data`` (bytes read at wall time ``t_receive``)."""
        out, decoder, settings = self.output, self.decoder, self.settings
        items = self.framer.feed(data)
        ticks = [item.ticks for item in items if not isinstance(item, str)]
        times = iter(frame_times(ticks, t_receive, settings.timestamp, settings.max_chunk_spread_s))
        for item in items:
            if isinstance(item, str):
                out.reject(item)
                continue
            t = next(times)
            if len(item.payload) == 2:
                out.messages += 1
                decoder.unused["mode_ac"] += 1
            else:
                decoder.decode(item.payload, t, out)
