"""The node side of a SAPIENT connection: connect to a fusion node, register, send status,
detections and alerts, and answer the tasks it sends. Used by dronewall's sensor-node
simulator and by a dronewall fusion node reporting upward to its parent.

``SapientLink`` is a thin asyncio stream: a reader task splits incoming frames, decodes them
(``codec.decode``) and routes them — RegistrationAck and AlertAck to whoever awaits them,
Tasks to the ``on_task`` handler whose TaskAck is sent back, Errors to ``errors``. Incoming
frames that break the ICD are counted in ``counters`` and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from google.protobuf.message import Message

from dronewall.core.clock import Clock
from dronewall.sensors.sapient.binding import (
    Alert,
    AlertAck,
    Content,
    Registration,
    SapientMessage,
    Task,
    TaskAck,
)
from dronewall.sensors.sapient.codec import Header, decode, encode_frame, envelope
from dronewall.sensors.sapient.framing import DEFAULT_MAX_FRAME_BYTES, FrameReader
from dronewall.sensors.sapient.rejects import Counters, Reason, SapientError

log = logging.getLogger(__name__)
TaskHandler = Callable[[Task], TaskAck]


class RegistrationRefusedError(SapientError):
    """The fusion node answered a Registration with ``acceptance: false``."""

    def __init__(self, reasons: list[str]):
        super().__init__(Reason.UNEXPECTED, f"registration refused: {'; '.join(reasons)}", reasons)


class SapientLink:
    """One node's connection to a fusion node."""

    def __init__(
        self,
        node_id: str,
        clock: Clock,
        *,
        on_task: TaskHandler | None = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        validate: bool = True,
    ):
        self.node_id = node_id
        self.clock = clock
        self.counters = Counters()
        self.errors: list[list[str]] = []  # error_message lists of Error messages received
        self.tasks: list[Task] = []  # every task received, in order
        self.fusion_node_id = ""  # learnt from the RegistrationAck
        self._on_task = on_task
        self._max_frame_bytes = max_frame_bytes
        self._validate = validate  # check outgoing messages against the ICD before sending
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._listener: asyncio.Task[None] | None = None
        self._registered: asyncio.Future[SapientMessage] | None = None
        self._alert_acks: dict[str, asyncio.Future[AlertAck]] = {}

    async def connect(self, host: str, port: int) -> None:
        self._reader, self._writer = await asyncio.open_connection(host, port)
        self._listener = asyncio.create_task(self._listen())

    async def register(self, registration: Registration, timeout_s: float = 10.0) -> None:
        """Send the Registration and wait for the RegistrationAck; raises if refused."""
        self._registered = asyncio.get_running_loop().create_future()
        await self.send(Content.REGISTRATION, registration)
        reply = await asyncio.wait_for(self._registered, timeout_s)
        self.fusion_node_id = reply.node_id
        if not reply.registration_ack.acceptance:
            raise RegistrationRefusedError(list(reply.registration_ack.ack_response_reason))

    def write(self, content: Content, body: Message, time_s: float | None = None) -> None:
        """Queue one message (the envelope time is ``time_s``, else now)."""
        assert self._writer is not None, "not connected"
        when = self.clock.now() if time_s is None else time_s
        message = envelope(Header(self.node_id, when, self.fusion_node_id))
        getattr(message, content.value).CopyFrom(body)
        self._writer.write(encode_frame(message, validate=self._validate))

    def write_raw(self, data: bytes) -> None:
        """Queue bytes as they are (already framed): for replay and for tests of bad input."""
        assert self._writer is not None, "not connected"
        self._writer.write(data)

    async def drain(self) -> None:
        assert self._writer is not None, "not connected"
        await self._writer.drain()

    async def send(self, content: Content, body: Message, time_s: float | None = None) -> None:
        self.write(content, body, time_s)
        await self.drain()

    async def raise_alert(self, alert: Alert, timeout_s: float = 10.0) -> AlertAck:
        """Send an Alert and wait for its AlertAck."""
        alert_id = alert.alert_id
        future: asyncio.Future[AlertAck] = asyncio.get_running_loop().create_future()
        self._alert_acks[alert_id] = future
        await self.send(Content.ALERT, alert)
        try:
            return await asyncio.wait_for(future, timeout_s)
        finally:
            self._alert_acks.pop(alert_id, None)

    async def close(self) -> None:
        """Finish writing, close the connection and stop listening."""
        if self._writer is not None:
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.drain()
                if self._writer.can_write_eof():
                    self._writer.write_eof()
        if self._listener is not None:
            with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
                await self._listener
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()

    async def _listen(self) -> None:
        assert self._reader is not None
        frames = FrameReader(self._max_frame_bytes)
        while not frames.broken:
            data = await self._reader.read(65_536)
            if not data:
                return
            for item in frames.feed(data):
                if isinstance(item, SapientError):
                    self.counters.reject(item.reason)
                else:
                    await self._route(item)

    async def _route(self, payload: bytes) -> None:
        message = decode(payload)
        if isinstance(message, SapientError):
            self.counters.reject(message.reason)
            log.warning(
                "SAPIENT node %s: bad message from the fusion node: %s", self.node_id, message
            )
            return
        content = Content(message.WhichOneof("content"))
        self.counters.accept(content)
        if content is Content.REGISTRATION_ACK and self._registered is not None:
            if not self._registered.done():
                self._registered.set_result(message)
        elif content is Content.ALERT_ACK:
            future = self._alert_acks.get(message.alert_ack.alert_id)
            if future is not None and not future.done():
                future.set_result(message.alert_ack)
        elif content is Content.TASK:
            await self._answer(message)
        elif content is Content.ERROR:
            self.errors.append(list(message.error.error_message))

    async def _answer(self, message: SapientMessage) -> None:
        self.tasks.append(message.task)
        if self._on_task is None:
            return
        ack = self._on_task(message.task)
        self.write(Content.TASK_ACK, ack)
        with contextlib.suppress(ConnectionError, OSError):
            await self.drain()
