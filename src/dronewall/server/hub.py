"""Fan-out of the live picture to WebSocket clients.

Messages are encoded once for all clients: frames as binary WebSocket messages — binary
columns (``columns.py``, what the web map asks for with ``/ws?format=columns``) or UTF-8 JSON
bytes (the default, no UTF-8 validation by the receiver) — the rest as JSON text. Frames are
conflated per client: a
client that is slower than the picture gets the newest frame and skips the ones in between
(counted), so one slow browser never holds up the others
or grows memory. Event and alert messages are never skipped; a client that lets
``MAX_PENDING`` of them pile up is disconnected (counted) and may reconnect.

Releasability (``runtime/release.py``): each client has a recipient (the signed-in user's
nation and clearance; None where no one signs in: the whole picture). Clients are grouped by
recipient; the feed cuts and encodes each frame and message once per distinct recipient
(``recipients``) and hands the hub one encoding per group (``publish_frames``,
``publish_messages``); a client receives only its group's."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.websockets import WebSocket, WebSocketDisconnect

from dronewall.core.release import Recipient
from dronewall.runtime.release import TrackLabels

Encoded = tuple[bytes, bytes | None]  # a frame as binary columns, and as JSON when wanted

MAX_PENDING = 1_000


class HubMetrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.clients = Gauge("dronewall_ws_clients", "Connected WebSocket clients", registry=r)
        self.sent = Counter("dronewall_ws_messages_sent", "Messages sent", ["type"], registry=r)
        self.conflated = Counter(
            "dronewall_ws_frames_conflated", "Frames a slow client skipped", registry=r
        )
        self.dropped_clients = Counter(
            "dronewall_ws_clients_dropped", "Clients dropped for falling behind", registry=r
        )
        self.http = Counter(
            "dronewall_http_responses",
            "HTTP responses by route and status class (4xx: rejected requests)",
            ["route", "status"],
            registry=r,
        )


class _Client:
    __slots__ = ("columns", "frame", "messages", "overflow", "recipient", "wake", "ws")

    def __init__(self, ws: WebSocket, columns: bool, recipient: Recipient | None = None):
        self.ws = ws
        self.columns = columns
        self.recipient = recipient
        self.frame: bytes | None = None
        self.messages: deque[str] = deque()
        self.wake = asyncio.Event()
        self.overflow = False


class Hub:
    """Lives on the server's event loop; ``publish_*`` must be called from that loop."""

    def __init__(self) -> None:
        self.metrics = HubMetrics()
        self._clients: set[_Client] = set()
        self.last_frame: bytes | None = None  # JSON
        self.last_columns: bytes | None = None
        self.json_clients = 0  # read by the feed's thread: encode JSON frames only if > 0
        self.greeting: list[str] = []  # sent first to every new client (hello, alerts)
        # Connected clients per recipient (read by the feed's thread: whom to encode for)
        # and the latest frame of each, for a client that joins.
        self.recipients: dict[Recipient | None, int] = {}
        self.last_by_recipient: dict[Recipient | None, Encoded] = {}
        self.track_labels = TrackLabels()  # each track's labels, for alerts and REST

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def publish_frame(self, columns: bytes, json: bytes | None) -> None:
        """A new frame in both encodings (``json`` None when no client wanted it)."""
        self.last_columns = columns
        self.last_frame = json
        for c in self._clients:
            data = columns if c.columns else json
            if data is None:
                continue
            if c.frame is not None:
                self.metrics.conflated.inc()
            c.frame = data
            c.wake.set()

    def publish_frames(self, encoded: Mapping[Recipient | None, Encoded]) -> None:
        """A new frame, encoded once per recipient group (a group missing gets nothing)."""
        self.last_by_recipient = dict(encoded)
        if None in encoded:
            self.last_columns, self.last_frame = encoded[None]
        for c in self._clients:
            pair = encoded.get(c.recipient)
            data = None if pair is None else (pair[0] if c.columns else pair[1])
            if data is None:
                continue
            if c.frame is not None:
                self.metrics.conflated.inc()
            c.frame = data
            c.wake.set()

    def publish_message(self, data: str) -> None:
        for c in self._clients:
            self._queue(c, data)

    def publish_messages(self, by_recipient: Mapping[Recipient | None, str]) -> None:
        """A message cut per recipient group (a group missing gets nothing)."""
        for c in self._clients:
            data = by_recipient.get(c.recipient)
            if data is not None:
                self._queue(c, data)

    def _queue(self, c: _Client, data: str) -> None:
        if len(c.messages) >= MAX_PENDING:
            c.overflow = True
        else:
            c.messages.append(data)
        c.wake.set()

    async def serve(
        self,
        ws: WebSocket,
        greeting: list[str],
        *,
        columns: bool = False,
        recipient: Recipient | None = None,
    ) -> None:
        """Run one client until it leaves: greeting, then the latest frame, then changes.
        ``columns``: frames as binary columns rather than JSON. ``recipient``: who it is
        (what it may receive); None: everything."""
        await ws.accept()
        client = _Client(ws, columns, recipient)
        client.messages.extend(greeting)
        if recipient is None:
            client.frame = self.last_columns if columns else self.last_frame
        elif (pair := self.last_by_recipient.get(recipient)) is not None:
            client.frame = pair[0] if columns else pair[1]
        client.wake.set()
        self._clients.add(client)
        self.recipients[recipient] = self.recipients.get(recipient, 0) + 1
        self.json_clients += not columns
        self.metrics.clients.set(len(self._clients))
        reader = asyncio.create_task(self._read(client))
        try:
            await self._write(client, reader)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            self._clients.discard(client)
            self.recipients[recipient] -= 1
            if not self.recipients[recipient]:
                del self.recipients[recipient]
            self.json_clients -= not columns
            self.metrics.clients.set(len(self._clients))

    async def _write(self, c: _Client, reader: asyncio.Task[None]) -> None:
        while not reader.done():
            await c.wake.wait()
            c.wake.clear()
            if c.overflow:
                self.metrics.dropped_clients.inc()
                await c.ws.close(code=1013, reason="too slow: reconnect")
                return
            while c.messages:
                await c.ws.send_text(c.messages.popleft())
                self.metrics.sent.labels("message").inc()
            if c.frame is not None:
                frame, c.frame = c.frame, None
                await c.ws.send_bytes(frame)
                self.metrics.sent.labels("frame").inc()

    async def _read(self, c: _Client) -> None:
        """Answer pings; notice when the client goes (ends the writer)."""
        try:
            while True:
                text = await c.ws.receive_text()
                if '"ping"' in text:
                    c.messages.append('{"type":"pong"}')
                    c.wake.set()
        finally:
            c.wake.set()
