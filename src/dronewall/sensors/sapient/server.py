"""dronewall as a SAPIENT fusion node: an asyncio TCP server that sensor nodes (and child
fusion nodes) connect to. A thin stream around ``session.FusionCore``.

Each connection reads bytes, splits them into frames (``framing.FrameReader``), hands each
frame to the core and writes the replies. Detections decoded in one turn of the event loop —
from every connection — are handed to the sink as one ``ReportBatch`` at the end of that
turn (or sooner, when ``max_batch_rows`` are waiting), numbered by ``report_id`` in the order
they were accepted. A frame over the size limit or a stream that ends inside a frame closes
that connection; nothing else is affected. An exception in the sink is logged and counted,
never allowed to stop the server.

With ``tls`` (an ``ssl.SSLContext``, ``sensors/tls.py``) every connection first completes a
TLS handshake — the context decides whether a client certificate is required — and the
verified certificate's subject CN (else DNS SAN) is the connection's identity, logged with
each connection, kept in ``identities`` and told by ``identity_of(node_id)`` for the nodes
registered on it; with ``allowed_clients``, only those names.
A refused handshake or name closes that connection, is counted (``refused`` by reason) and
logged in one line; the server goes on. ``allow`` (a ``SourceFilter``) refuses other
addresses before any handshake.

Usage::

    node = FusionNode(tracker.add_reports, FusionNodeConfig(node_id=my_uuid, port=12000))
    async with node:
        ...  # sensors connect; node.registry, node.counters.snapshot(), node.send_task(...)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from dronewall.core.clock import Clock, SystemClock
from dronewall.core.types import ReportBatch
from dronewall.sensors.sapient.alerts import AlertEvent
from dronewall.sensors.sapient.binding import Task
from dronewall.sensors.sapient.codec import Header, encode_task
from dronewall.sensors.sapient.framing import DEFAULT_MAX_FRAME_BYTES, FrameReader, frame
from dronewall.sensors.sapient.ids import UlidFactory, node_uuid
from dronewall.sensors.sapient.registry import SensorRegistry, canonical_uuid
from dronewall.sensors.sapient.rejects import Counters, SapientError
from dronewall.sensors.sapient.rows import ReportKeys
from dronewall.sensors.sapient.session import FusionCore, Session
from dronewall.sensors.sapient.tasks import TaskOutcome, TaskStatus
from dronewall.sensors.tls import SourceFilter, peer_identity

log = logging.getLogger(__name__)
READ_CHUNK = 65_536  # bytes per read: a few hundred detection reports


@dataclass(frozen=True, slots=True)
class FusionNodeConfig:
    """Settings of a fusion node, read once at the edge and passed in."""

    node_id: str = field(default_factory=lambda: node_uuid("dronewall fusion node"))
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port (see FusionNode.port once started)
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    max_batch_rows: int = 8192  # hand rows to the sink at the latest at this many
    first_report_id: int = 0
    known_nodes: Mapping[str, int] = field(default_factory=dict)  # node UUID → sensor_index
    task_timeout_s: float = 10.0
    seed: int = 0  # for the ULIDs the node makes
    tls: ssl.SSLContext | None = None  # TLS on every connection (sensors/tls.py)
    allowed_clients: frozenset[str] = frozenset()  # certificate names let in (none: any)
    allow: SourceFilter | None = None  # peer addresses let in (None: any)
    handshake_timeout_s: float = 10.0


class FusionNode:
    """A SAPIENT fusion node handing decoded detections to ``sink`` as ReportBatches."""

    def __init__(
        self,
        sink: Callable[[ReportBatch], None],
        config: FusionNodeConfig | None = None,
        *,
        clock: Clock | None = None,
        on_keys: Callable[[ReportKeys], None] | None = None,
        on_alert: Callable[[AlertEvent], None] | None = None,
        on_task_ack: Callable[[TaskOutcome], None] | None = None,
    ):
        self.config = config or FusionNodeConfig()
        self._sink = sink
        self._on_keys = on_keys
        self._on_task_ack = on_task_ack
        self.registry = SensorRegistry(self.config.known_nodes)
        self.core = FusionCore(
            self.config.node_id,
            self.registry,
            clock or SystemClock(),
            UlidFactory(self.config.seed),
            on_alert=on_alert,
            on_task_ack=self._task_ack,
        )
        self._next_report_id = self.config.first_report_id
        self._server: asyncio.Server | None = None
        self._writers: dict[int, asyncio.StreamWriter] = {}
        self._sessions: dict[int, Session] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self._flush_scheduled = False
        self._waiting: dict[tuple[str, str], asyncio.Future[TaskOutcome]] = {}
        self._changed = asyncio.Condition()  # notified when a connection opens or closes
        self.refused: Counter[str] = Counter()  # connections refused, by reason
        self.last_refused = ""
        self.identities: dict[str, str] = {}  # peer "host:port" → certificate name
        self._admitting: set[asyncio.Task[None]] = set()  # handlers in a TLS handshake

    @property
    def counters(self) -> Counters:
        return self.core.counters

    @property
    def node_id(self) -> str:
        return self.core.node_id

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the fusion node is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def connections(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.config.host, self.config.port, limit=READ_CHUNK
        )  # TLS per connection (_admit), so a refused handshake is ours to count
        log.info(
            "SAPIENT fusion node %s on %s:%d%s", self.node_id, self.config.host, self.port,
            " (TLS)" if self.config.tls is not None else "",
        )  # fmt: skip

    async def close(self) -> None:
        """Stop accepting, close every connection, hand the last rows to the sink."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers.values()):
            writer.close()
        for handler in list(self._admitting):
            handler.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self.flush()

    async def __aenter__(self) -> FusionNode:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def identity_of(self, node_id: str) -> str:
        """The certificate name of the connection ``node_id`` registered on ("" without TLS,
        or when it is not connected)."""
        session = self.core.routes.get(canonical_uuid(node_id))
        if session is None:
            return ""
        peer = session.peer.rpartition("@")[2]
        return self.identities.get(peer, "")

    async def wait_for_connections(self, count: int) -> None:
        """Wait until at least ``count`` connections are open (with 0: until all are closed)."""
        async with self._changed:
            if count:
                await self._changed.wait_for(lambda: self.connections >= count)
            else:
                await self._changed.wait_for(lambda: self.connections == 0)

    def flush(self) -> None:
        """Hand every buffered row to the sink now."""
        self._flush_scheduled = False
        if not len(self.core.rows):
            return
        batch, keys = self.core.rows.take(self._next_report_id)
        self._next_report_id += len(batch)
        self.counters.rows += len(batch)
        try:
            self._sink(batch)
            if self._on_keys is not None:
                self._on_keys(keys)
        except Exception:
            self.counters.sink_failures += 1
            log.exception("the sink failed on a batch of %d reports", len(batch))

    async def send_task(self, node_id: str, task: Task) -> TaskOutcome:
        """Send ``task`` to a registered node; return its first answer (ACCEPTED/REJECTED…).
        A node that does not answer within ``task_timeout_s`` gives a FAILED outcome."""
        node_id = canonical_uuid(node_id)
        session = self.core.routes.get(node_id)
        if session is None:
            raise KeyError(f"node {node_id} is not connected")
        writer = self._writers[id(session)]
        header = Header(self.node_id, self.core.clock.now(), node_id)
        future: asyncio.Future[TaskOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[(node_id, task.task_id)] = future
        writer.write(frame(encode_task(header, task)))
        await writer.drain()
        try:
            async with asyncio.timeout(self.config.task_timeout_s):
                return await future
        except TimeoutError:
            reason = f"no TaskAck within {self.config.task_timeout_s} s"
            return TaskOutcome(node_id, task.task_id, TaskStatus.FAILED, (reason,))
        finally:
            self._waiting.pop((node_id, task.task_id), None)

    # --- the stream ------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        peer = _peer(writer)
        self._handlers.add(handler)  # close() waits for a handshake under way too
        self._admitting.add(handler)  # … after cutting it short
        try:
            identity = await self._admit(writer, peer)
        except asyncio.CancelledError:  # close() during the handshake
            self._refuse(writer, peer, "tls_handshake", "the fusion node closed first")
            self._handlers.discard(handler)
            raise
        finally:
            self._admitting.discard(handler)
        if identity is None:
            self._handlers.discard(handler)
            return
        if identity:
            self.identities[peer] = identity
        session = Session(f"{identity}@{peer}" if identity else peer, identity=identity)
        self._sessions[id(session)] = session
        self._writers[id(session)] = writer
        await self._notify()
        try:
            await self._read_frames(reader, writer, session)
        except (ConnectionError, OSError) as exc:
            log.info("SAPIENT %s: connection lost (%s)", peer, exc)
        except Exception:
            log.exception("SAPIENT %s: closing the connection after an internal error", peer)
        finally:
            self.core.disconnected(session)
            del self._sessions[id(session)], self._writers[id(session)]
            self.identities.pop(peer, None)
            self._handlers.discard(handler)
            self.flush()
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            await self._notify()

    async def _admit(self, writer: asyncio.StreamWriter, peer: str) -> str | None:
        """The connection's identity ("" without TLS), or None when it is refused (closed,
        counted, logged in one line)."""
        config = self.config
        if config.allow is not None and not config.allow.allows(peer.rpartition(":")[0]):
            self._refuse(writer, peer, "source", "address not in the allow-list")
            return None
        if config.tls is None:
            return ""
        try:
            await writer.start_tls(config.tls, ssl_handshake_timeout=config.handshake_timeout_s)
        except (ssl.SSLError, ConnectionError, OSError, TimeoutError) as exc:
            why = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
            self._refuse(writer, peer, "tls_handshake", f"TLS handshake failed: {why}")
            return None
        identity = peer_identity(writer.get_extra_info("peercert"))
        log.info("SAPIENT %s: TLS client %r", peer, identity)
        if config.allowed_clients and identity not in config.allowed_clients:
            self._refuse(writer, peer, "tls_client", f"certificate {identity!r} not allowed")
            return None
        return identity

    def _refuse(self, writer: asyncio.StreamWriter, peer: str, reason: str, why: str) -> None:
        self.refused[reason] += 1
        self.last_refused = f"{peer}: {why}"
        log.warning("SAPIENT %s refused: %s", peer, why)
        writer.transport.abort()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _read_frames(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: Session
    ) -> None:
        frames = FrameReader(self.config.max_frame_bytes)
        while not frames.broken:
            data = await reader.read(READ_CHUNK)
            if not data:
                if (error := frames.finish()) is not None:
                    self.core.reject(session, error)
                return
            replies: list[bytes] = []
            for item in frames.feed(data):
                if isinstance(item, SapientError):
                    replies += self.core.reject(session, item)
                else:
                    replies += self.core.receive(session, item)
            self._rows_arrived()
            if replies:
                writer.write(b"".join(replies))
                await writer.drain()

    def _rows_arrived(self) -> None:
        if len(self.core.rows) >= self.config.max_batch_rows:
            self.flush()
        elif len(self.core.rows) and not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def _task_ack(self, outcome: TaskOutcome) -> None:
        future = self._waiting.get((outcome.node_id, outcome.task_id))
        if future is not None and not future.done():
            future.set_result(outcome)
        if self._on_task_ack is not None:
            self._on_task_ack(outcome)


def _peer(writer: asyncio.StreamWriter) -> str:
    address = writer.get_extra_info("peername")
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)
