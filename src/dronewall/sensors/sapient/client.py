"""The node side of a SAPIENT connection: connect to a fusion node, register, send status,
detections and alerts, and answer the tasks it sends. Used by dronewall's sensor-node
simulator and by a dronewall fusion node reporting upward to its parent (``upward.py``).

``SapientLink`` is a thin asyncio stream: a reader task splits incoming frames, decodes them
(``codec.decode``) and routes them — RegistrationAck and AlertAck to whoever awaits them,
Tasks to the ``on_task`` handler whose TaskAck is sent back (a link without a handler keeps
its tasks unanswered: a mute node, for tests), Errors to ``errors``. A node takes only those
four message types (as Dstl's ASM simulator, ``AsmMainProcess.cs``); any other type is refused
from its envelope (``peek.py``) without decoding it. Every refused frame is counted in
``counters`` and answered with a SAPIENT Error carrying the packet (BSI Flex 335 v2.0
``error.proto``), as the fusion node answers its nodes (``session.py``).

``close()`` is bounded: it sends what is queued (giving up when the peer reads nothing for
``timeout_s``), half-closes (EOF), waits ``timeout_s`` for the peer to close its end, then
aborts the connection. When the connection ends, whatever waits for an answer gets a
``ConnectionError``; ``closed`` tells, ``wait_closed()`` waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
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
from dronewall.sensors.sapient.peek import peek
from dronewall.sensors.sapient.rejects import Counters, Reason, SapientError, error_reply
from dronewall.sensors.sapient.session import LOG_EVERY, LOG_FIRST
from dronewall.sensors.sapient.tasks import TaskStatus, task_ack

log = logging.getLogger(__name__)
TaskHandler = Callable[[Task], TaskAck]
READ_CHUNK = 65_536  # bytes per read, as the fusion node reads
# What a node takes from its fusion node; anything else is refused unread.
NODE_TAKES = frozenset({Content.REGISTRATION_ACK, Content.TASK, Content.ALERT_ACK, Content.ERROR})
# Seconds the peer gets to read what we send, and then to close after our EOF, when closing:
# a fusion node answers within milliseconds; one silent this long has gone or is stuck.
CLOSE_TIMEOUT_S = 2.0


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
        self._refused = 0

    async def connect(self, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> None:
        """Connect; with ``tls`` over TLS (presenting its client certificate, if it has one)."""
        self._reader, self._writer = await asyncio.open_connection(
            host, port, limit=READ_CHUNK, ssl=tls
        )
        self._listener = asyncio.create_task(self._listen())

    @property
    def closed(self) -> bool:
        """Whether the connection has ended (or never started)."""
        return self._listener is None or self._listener.done()

    async def wait_closed(self) -> None:
        """Wait until the connection ends (the peer closed it, it broke, or it was aborted)."""
        if self._listener is not None:
            await asyncio.wait([self._listener])

    def _check_open(self) -> None:
        if self.closed:
            raise ConnectionError("the SAPIENT connection is not open")

    def abort(self) -> None:
        """Drop the connection at once, without flushing or a goodbye."""
        if self._writer is not None:
            self._writer.transport.abort()

    async def register(self, registration: Registration, timeout_s: float = 10.0) -> None:
        """Send the Registration and wait for the RegistrationAck; raises
        ``RegistrationRefusedError`` if refused, ``ConnectionError`` if the connection ends."""
        self._check_open()
        self._registered = asyncio.get_running_loop().create_future()
        async with asyncio.timeout(timeout_s):  # a peer that stops reading times out too
            await self.send(Content.REGISTRATION, registration)
            reply = await self._registered
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

    async def flush(self, stall_s: float) -> bool:
        """Wait until the peer has taken what was written; ``False`` if it read nothing for
        ``stall_s`` (``drain`` would wait for ever)."""
        assert self._writer is not None, "not connected"
        return await _flush(self._writer, stall_s)

    async def send(self, content: Content, body: Message, time_s: float | None = None) -> None:
        self.write(content, body, time_s)
        await self.drain()

    async def raise_alert(self, alert: Alert, timeout_s: float = 10.0) -> AlertAck:
        """Send an Alert and wait for its AlertAck (``ConnectionError`` if the connection ends)."""
        self._check_open()
        alert_id = alert.alert_id
        future: asyncio.Future[AlertAck] = asyncio.get_running_loop().create_future()
        self._alert_acks[alert_id] = future
        try:
            async with asyncio.timeout(timeout_s):
                await self.send(Content.ALERT, alert)
                return await future
        finally:
            self._alert_acks.pop(alert_id, None)

    async def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Send what is queued, half-close, let the peer close its end; abort a peer that
        reads nothing or keeps the connection open for ``timeout_s``."""
        writer = self._writer
        if writer is None:
            return
        with contextlib.suppress(ConnectionError, OSError):
            if await _flush(writer, timeout_s) and writer.can_write_eof():
                writer.write_eof()
        if self._listener is not None and not self._listener.done():
            await asyncio.wait([self._listener], timeout=timeout_s)
        if self._listener is not None and not self._listener.done():
            log.info("SAPIENT node %s: the peer kept the connection open; aborted", self.node_id)
            writer.transport.abort()
            self._listener.cancel()
            await asyncio.wait([self._listener])
        writer.close()
        with contextlib.suppress(ConnectionError, OSError, TimeoutError):
            async with asyncio.timeout(timeout_s):
                await writer.wait_closed()

    async def _listen(self) -> None:
        assert self._reader is not None
        frames = FrameReader(self._max_frame_bytes)
        try:
            while not frames.broken:
                data = await self._reader.read(READ_CHUNK)
                if not data:
                    if (error := frames.finish()) is not None:
                        self.counters.reject(error.reason)
                    return
                for item in frames.feed(data):
                    if isinstance(item, SapientError):
                        self._refuse(item, b"")
                    else:
                        await self._route(item)
        except (ConnectionError, OSError) as exc:
            log.info("SAPIENT node %s: connection lost (%s)", self.node_id, exc)
        finally:
            if frames.broken and self._writer is not None:
                self._writer.transport.abort()  # the stream cannot be resynchronised
            self._fail_waiters()

    def _fail_waiters(self) -> None:
        lost = ConnectionError("the SAPIENT connection ended")
        waiting = [self._registered, *self._alert_acks.values()]
        for future in waiting:
            if future is not None and not future.done():
                future.set_exception(lost)

    async def _route(self, payload: bytes) -> None:
        early = peek(payload)
        if early is not None and early.content is not None and early.content not in NODE_TAKES:
            what = early.content.value
            self._refuse(SapientError(Reason.UNEXPECTED, f"a node does not take {what}"), payload)
            return
        message = decode(payload)
        if isinstance(message, SapientError):
            self._refuse(message, payload)
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

    def _refuse(self, error: SapientError, payload: bytes) -> None:
        """Count a refused frame and answer it with an Error (when there is a packet to echo)."""
        self.counters.reject(error.reason)
        self._refused += 1
        if self._refused <= LOG_FIRST or self._refused % LOG_EVERY == 0:
            log.warning("SAPIENT node %s: refused from the fusion node: %s", self.node_id, error)
        if payload and self._writer is not None and not self._writer.is_closing():
            self.write(Content.ERROR, error_reply(error, payload))

    async def _answer(self, message: SapientMessage) -> None:
        self.tasks.append(message.task)
        if self._on_task is None:
            return
        try:
            ack = self._on_task(message.task)
        except Exception:  # a failing handler must not stop the link: the task is refused
            log.exception("SAPIENT node %s: the task handler failed", self.node_id)
            reason = ("the node failed handling the task",)
            ack = task_ack(message.task.task_id, TaskStatus.REJECTED, reason)
        self.write(Content.TASK_ACK, ack)
        with contextlib.suppress(ConnectionError, OSError):
            await self.drain()


async def _flush(writer: asyncio.StreamWriter, stall_s: float) -> bool:
    """Wait until the write buffer is drained; ``False`` if the peer read nothing for
    ``stall_s`` (a peer that reads slowly but steadily is waited for)."""
    transport = writer.transport
    while True:
        before = transport.get_write_buffer_size()
        try:
            async with asyncio.timeout(stall_s):  # not wait_for: it can swallow a cancellation
                await writer.drain()
            return True
        except TimeoutError:
            if transport.get_write_buffer_size() >= before:
                return False
