"""The fusion node's protocol logic, without I/O: what to do with each frame a connection
delivers, and what to answer. ``FusionCore`` holds what all connections share (registry,
counters, rows waiting for the sink); a ``Session`` is one connection's state (the nodes that
registered on it). ``server.FusionNode`` is the thin asyncio stream around this.

Per BSI Flex 335 v2.0, a node first sends a Registration and is answered with a
RegistrationAck; until then anything else it sends is rejected (``unregistered``). Then:

=================  ============================================================
StatusReport       kept in the registry (health, mode, location, coverage)
DetectionReport    a ReportBatch row (``detections.py``) for the sink
TaskAck            handed to ``on_task_ack`` (the server resolves the waiting task)
Alert              handed to ``on_alert``; answered with AlertAck ACCEPTED
AlertAck, Error    counted (and an Error logged)
anything else      rejected as ``unexpected`` (a child does not task its fusion node)
=================  ============================================================

Every rejected frame is counted by reason and answered with a SAPIENT Error carrying the
offending packet — or, for a Registration that breaks the ICD, a RegistrationAck that refuses
it with the reason. The connection stays in step (frames are length-prefixed); only framing
errors end it (``server.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError as ProtobufDecodeError

from dronewall.core.clock import Clock
from dronewall.sensors.sapient import alerts, detections, status, tasks
from dronewall.sensors.sapient.binding import Content, RegistrationAck, SapientMessage
from dronewall.sensors.sapient.codec import Header, decode, encode_frame, envelope, time_of
from dronewall.sensors.sapient.ids import UlidFactory, is_uuid
from dronewall.sensors.sapient.nodes import traits_of
from dronewall.sensors.sapient.peek import Peek, peek
from dronewall.sensors.sapient.registry import SensorRegistry, canonical_uuid
from dronewall.sensors.sapient.rejects import Counters, Reason, SapientError, error_reply
from dronewall.sensors.sapient.rows import RowBuffer

log = logging.getLogger(__name__)
LOG_FIRST = 10  # rejections logged in full per connection before sampling
LOG_EVERY = 1000  # then one log line per this many rejections


@dataclass(slots=True)
class Session:
    """One connection: its peer address and the nodes that registered on it; ``identity``:
    its TLS client certificate's name ("" without TLS)."""

    peer: str
    registered: set[str] = field(default_factory=set)
    rejected: int = 0
    identity: str = ""


class FusionCore:
    """Shared protocol state of a fusion node; every method is synchronous and pure of I/O."""

    def __init__(
        self,
        node_id: str,
        registry: SensorRegistry,
        clock: Clock,
        ulids: UlidFactory,
        *,
        on_alert: Callable[[alerts.AlertEvent], None] | None = None,
        on_task_ack: Callable[[tasks.TaskOutcome], None] | None = None,
    ):
        self.node_id = canonical_uuid(node_id)
        self.registry = registry
        self.clock = clock
        self.ulids = ulids
        self.counters = Counters()
        self.rows = RowBuffer()
        self.routes: dict[str, Session] = {}  # node id → the connection it registered on
        self.owners: dict[str, str] = {}  # node id → the certificate name that first registered it
        self._on_alert = on_alert
        self._on_task_ack = on_task_ack

    def receive(self, session: Session, payload: bytes) -> list[bytes]:
        """Handle one frame payload; return the framed replies to send back."""
        early = peek(payload)
        if early is not None and (refusal := _unregistered(session, early)) is not None:
            return self.reject(session, refusal, payload, sender=early.node_id)
        message = decode(payload)
        if isinstance(message, SapientError):
            return self.reject(session, message, payload)
        try:
            return self._dispatch(session, message, payload)
        except SapientError as error:
            return self.reject(session, error, payload, message)

    def reject(
        self,
        session: Session,
        error: SapientError,
        payload: bytes = b"",
        message: SapientMessage | None = None,
        *,
        sender: str | None = None,
    ) -> list[bytes]:
        """Count and log a rejection; return the reply that tells the sender (if any).
        ``sender``: the node id the frame names, when known without parsing it (not a
        Registration, which is refused by a RegistrationAck)."""
        self.counters.reject(error.reason)
        session.rejected += 1
        if session.rejected <= LOG_FIRST or session.rejected % LOG_EVERY == 0:
            log.warning("SAPIENT %s: %s (rejection %d)", session.peer, error, session.rejected)
        if not payload or error.reason in (Reason.FRAME_TOO_LONG, Reason.TRUNCATED):
            return []  # nothing to echo (an Error must carry the packet), or the stream is gone
        if sender is None:
            message = message if message is not None else _parse_quietly(payload)
            if message is not None and message.WhichOneof("content") == Content.REGISTRATION:
                ack = RegistrationAck(acceptance=False, ack_response_reason=[str(error)])
                return [self._reply(_uuid_or_none(message.node_id), Content.REGISTRATION_ACK, ack)]
            sender = message.node_id if message is not None else ""
        return [self._reply(_uuid_or_none(sender), Content.ERROR, error_reply(error, payload))]

    def disconnected(self, session: Session) -> None:
        for node_id in session.registered:
            if self.routes.get(node_id) is session:
                del self.routes[node_id]
                self.registry.disconnected(node_id)

    # --- per content ---------------------------------------------------------------------

    def _dispatch(self, session: Session, message: SapientMessage, payload: bytes) -> list[bytes]:
        content = Content(message.WhichOneof("content"))
        node_id = canonical_uuid(message.node_id)
        if content is Content.REGISTRATION:
            return self._register(session, node_id, message)
        if node_id not in session.registered:
            raise SapientError(
                Reason.UNREGISTERED, f"{content.value} from a node that has not registered", node_id
            )
        entry = self.registry.get(node_id)
        assert entry is not None
        now = self.clock.now()
        entry.last_heard_s = now
        replies: list[bytes] = []
        if content is Content.DETECTION_REPORT:
            self._detection(node_id, message, now)
        elif content is Content.STATUS_REPORT:
            previous = entry.status.location if entry.status is not None else None
            entry.status = status.read_status(message.status_report, now, previous)
        elif content is Content.TASK_ACK:
            if self._on_task_ack is not None:
                self._on_task_ack(tasks.read_task_ack(node_id, message.task_ack))
        elif content is Content.ALERT:
            replies.append(self._alert(node_id, message))
        elif content is Content.ERROR:
            log.warning("SAPIENT node %s reports: %s", node_id, list(message.error.error_message))
        elif content is not Content.ALERT_ACK:
            raise SapientError(Reason.UNEXPECTED, f"a fusion node does not take {content.value}")
        self.counters.accept(content)
        return replies

    def _register(self, session: Session, node_id: str, message: SapientMessage) -> list[bytes]:
        _check_owner(self, session, node_id)
        traits = traits_of(message.registration)
        self.registry.register(node_id, message.registration, traits, self.clock.now())
        session.registered.add(node_id)
        self.routes[node_id] = session
        self.counters.accept(Content.REGISTRATION)
        ack = RegistrationAck(acceptance=True)
        return [self._reply(node_id, Content.REGISTRATION_ACK, ack)]

    def _detection(self, node_id: str, message: SapientMessage, now: float) -> None:
        report = message.detection_report
        if detections.is_ended(report):
            return
        entry = self.registry.get(node_id)
        assert entry is not None
        detection = detections.read_detection(report, entry.traits)
        self.rows.add(
            detection,
            sensor_index=entry.sensor_index,
            sensor_kind=entry.traits.sensor_kind,
            t_measured=time_of(message.timestamp),
            t_arrival=now,
            keys=(node_id, report.object_id, report.report_id),
        )

    def _alert(self, node_id: str, message: SapientMessage) -> bytes:
        event = alerts.read_alert(node_id, time_of(message.timestamp), message.alert)
        if self._on_alert is not None:
            self._on_alert(event)
        ack = alerts.alert_ack(event.alert_id, alerts.AlertAckStatus.ACCEPTED)
        return self._reply(node_id, Content.ALERT_ACK, ack)

    def _reply(self, destination: str, content: Content, body: object) -> bytes:
        message = envelope(Header(self.node_id, self.clock.now(), destination))
        getattr(message, content.value).CopyFrom(body)
        return encode_frame(message)


def _check_owner(core: FusionCore, session: Session, node_id: str) -> None:
    """Refuse a replayed registration: a node id is bound to the certificate name that first
    registered it (for the fusion node's life); without TLS, to the live connection it
    registered on, until that connection ends."""
    owner = core.owners.get(node_id)
    if session.identity:
        if owner is not None and owner != session.identity:
            raise SapientError(
                Reason.REPLAYED,
                f"node {node_id} is registered by certificate {owner!r}, not {session.identity!r}",
                node_id,
            )
        core.owners[node_id] = session.identity
        return
    if owner is not None:
        raise SapientError(
            Reason.REPLAYED,
            f"node {node_id} is registered by a certificate; this has none",
            node_id,
        )
    holder = core.routes.get(node_id)
    if holder is not None and holder is not session:
        raise SapientError(
            Reason.REPLAYED, f"node {node_id} is registered on another live connection", node_id
        )


def _unregistered(session: Session, early: Peek) -> SapientError | None:
    """The refusal of a message from a node not registered on this connection, decided from
    the envelope alone: such a message is refused whatever it holds, so it is not decoded."""
    if early.content is None or early.content is Content.REGISTRATION:
        return None
    node_id = early.node_id
    if is_uuid(node_id) and canonical_uuid(node_id) in session.registered:
        return None
    what = early.content.value
    return SapientError(Reason.UNREGISTERED, f"{what} from a node that has not registered", node_id)


def _uuid_or_none(node_id: str) -> str:
    return node_id if is_uuid(node_id) else ""


def _parse_quietly(payload: bytes) -> SapientMessage | None:
    message = SapientMessage()
    try:
        message.ParseFromString(payload)
    except ProtobufDecodeError:
        return None
    return message
