"""A lean WebSocket client for the latency benchmark (RFC 6455, client side, over asyncio).

The clients of bench_live.py share the server's two cores, which real map clients on their
own machines do not. The ``websockets`` library copies and reassembles every 0.65 MB frame
in Python; this protocol only counts the payload bytes of each message as they arrive, keeps
the first bytes (enough for the frame's header) and stamps the time the message's last byte
was read — the same instant a full client would have the whole message. It answers pings
(masked pongs, as a client must) and checks the handshake; it does not decode the columns.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time
from collections.abc import Callable

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
KEEP = 64 * 1024  # bytes kept from the start of each message: its header (~5 KB at 10k tracks)

OnMessage = Callable[[int, bytes, int, float], None]  # opcode, first bytes, size, receive time


class HandshakeError(RuntimeError):
    pass


class LeanClient(asyncio.Protocol):
    def __init__(self, on_message: OnMessage):
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._key = base64.b64encode(os.urandom(16))
        self._buf = b""  # unparsed bytes: handshake response, then frame headers
        self._handshaken = False
        self._left = 0  # payload bytes of the current frame still to come
        self._opcode = 0  # of the current message (continuations keep it)
        self._fin = False
        self._head = bytearray()  # first KEEP bytes of the current message
        self._size = 0
        self._control = bytearray()  # payload of a control frame (ping)
        self._in_control = False
        self._control_opcode = 0

    # ---- asyncio -----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or HandshakeError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def request(self, host: str, port: int, path: str) -> None:
        assert self.transport is not None
        self.transport.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self._key.decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        if not self._handshaken:
            self._buf += data
            end = self._buf.find(b"\r\n\r\n")
            if end < 0:
                return
            self._check_handshake(self._buf[:end])
            data, self._buf = self._buf[end + 4 :], b""
        self._consume(memoryview(data))

    def _consume(self, view: memoryview) -> None:
        while view:
            if self._left:
                take = min(self._left, len(view))
                self._payload(view[:take])
                self._left -= take
                view = view[take:]
                if not self._left:
                    self._frame_done()
                continue
            take = 14 - len(self._buf)  # the longest frame header
            self._buf += bytes(view[:take])
            view = view[take:]
            rest = self._parse_header()
            if rest:
                self._consume(memoryview(rest))

    # ---- frames ------------------------------------------------------------------------
    def _check_handshake(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise HandshakeError(f"no upgrade: {lines[0]!r}")
        want = base64.b64encode(hashlib.sha1(self._key + GUID).digest()).decode()
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
        if headers.get("sec-websocket-accept") != want:
            raise HandshakeError("wrong Sec-WebSocket-Accept")
        self._handshaken = True
        self.opened.set_result(None)

    def _parse_header(self) -> bytes | None:
        """Parse one frame header from ``_buf``; the bytes after it, or None if incomplete."""
        b = self._buf
        if len(b) < 2:
            return None
        fin, opcode, masked, n = b[0] & 0x80, b[0] & 0x0F, b[1] & 0x80, b[1] & 0x7F
        at = 2
        if n == 126:
            if len(b) < 4:
                return None
            (n,) = struct.unpack_from("!H", b, 2)
            at = 4
        elif n == 127:
            if len(b) < 10:
                return None
            (n,) = struct.unpack_from("!Q", b, 2)
            at = 10
        if masked:
            raise HandshakeError("a server frame is masked")
        self._buf = b""
        self._fin = bool(fin)
        self._in_control = opcode >= 0x8
        if self._in_control:
            self._control, self._control_opcode = bytearray(), opcode
        elif opcode != 0:  # a new message (0 continues the current one)
            self._opcode, self._head, self._size = opcode, bytearray(), 0
        self._left = n
        if n == 0:
            self._frame_done()
        return b[at:]

    def _payload(self, chunk: memoryview) -> None:
        if self._in_control:
            self._control += chunk
            return
        if len(self._head) < KEEP:
            self._head += chunk[: KEEP - len(self._head)]
        self._size += len(chunk)

    def _frame_done(self) -> None:
        if self._in_control:
            if self._control_opcode == 0x9:  # ping
                self._send(0xA, bytes(self._control))
            elif self._control_opcode == 0x8 and self.transport is not None:  # close
                self.transport.close()
            return
        if self._fin:
            self.on_message(self._opcode, bytes(self._head), self._size, time.time())

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None and len(payload) < 126
        mask = os.urandom(4)
        masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(0x8, struct.pack("!H", 1000))
            self.transport.close()


async def connect(host: str, port: int, path: str, on_message: OnMessage) -> LeanClient:
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_connection(lambda: LeanClient(on_message), host, port)
    proto.request(host, port, path)
    await proto.opened
    return proto
