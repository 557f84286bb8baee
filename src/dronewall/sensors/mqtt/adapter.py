"""``MqttAdapter``: MQTT messages of cheap acoustic and RF nodes (``docs/feeds-mqtt.md``) in,
``FeedOutput`` filled. MQTT is message-based, so ``receive_message(topic, payload, t,
retained)`` takes each message; ``receive(data, t)`` takes a raw recording (JSON lines,
``recording.py``) for replay.

Per message: the topic names the node and the channel; a ``register`` payload gives a
``SensorInfo`` (and the node's sigma defaults), a ``status`` payload a ``SensorStatus`` (a
node's last will says ``offline``), a ``detections`` payload ``Report``s. Detections of a node
with no registration yet (nor one in ``settings.known``) wait up to ``pending_s`` for it, then
are rejected as ``unregistered``. Every message ends counted once: accepted
(``output.messages``) or rejected with its reason; nothing raises out.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass

import orjson

from dronewall.sensors.feed import FeedOutput, SensorStatus
from dronewall.sensors.mqtt.detections import Assumed, Detection, read_detections, report_for
from dronewall.sensors.mqtt.recording import LineSplitter, parse_line
from dronewall.sensors.mqtt.registration import (
    NodeRegistration,
    read_registration,
    read_status,
)
from dronewall.sensors.mqtt.settings import MqttSettings
from dronewall.sensors.mqtt.topics import Channel, parse_topic
from dronewall.sensors.mqtt.values import Invalid, Obj

LINE_OVERHEAD = 4_096  # the time, topic and JSON punctuation of a recording line
LINE_EXPANSION = 6  # a control character in a payload is written as 6 ("\u0001")


@dataclass(frozen=True, slots=True)
class _Held:
    node_id: str
    detections: list[Detection]
    t_receive: float


class MqttAdapter:
    """Decodes dronewall's MQTT sensor-node schema; one per broker subscription."""

    def __init__(self, settings: MqttSettings | None = None):
        self.settings = settings or MqttSettings()
        self.output = FeedOutput()
        self.registrations: dict[str, NodeRegistration] = dict(self.settings.known)
        self._assumed = Assumed(
            self.settings.assumed_target_height_m, self.settings.assumed_sigma_el_deg
        )
        self._held: deque[_Held] = deque()
        self._held_nodes: Counter[str] = Counter()
        max_line = self.settings.max_payload_bytes * LINE_EXPANSION + LINE_OVERHEAD
        self._lines = LineSplitter(max_line)

    # ---- input ---------------------------------------------------------------------------
    def receive_message(
        self, topic: str, payload: bytes, t_receive: float, retained: bool = False
    ) -> None:
        """One MQTT message received at ``t_receive`` (POSIX s); ``retained`` when the broker
        delivered it from its retained store."""
        self.expire(t_receive)
        try:
            self._message(topic, payload, t_receive, retained)
        except Invalid as exc:
            self.output.reject(exc.reason, exc.detail)
        except Exception as exc:  # a bug must not stop the feed: counted, visible in tests
            self.output.reject("internal", repr(exc)[:200])

    def receive(self, data: bytes, t_receive: float) -> None:
        """Bytes of a raw recording (JSON lines); each message is taken at its recorded
        receive time, so a replay decides as the live run did. ``t_receive`` is unused."""
        for line in self._lines.feed(data):
            if line is None:
                self.output.reject("line_too_long", "recording line over the limit")
            elif line.strip():
                try:
                    recorded = parse_line(line)
                except Invalid as exc:
                    self.output.reject(exc.reason, exc.detail)
                    continue
                self.receive_message(
                    recorded.topic, recorded.payload, recorded.t, recorded.retained
                )

    def expire(self, now: float) -> None:
        """Reject held detections that waited longer than ``pending_s`` at ``now``
        (``math.inf``: all of them — at the end of a replay)."""
        limit = now - self.settings.pending_s
        while self._held and self._held[0].t_receive < limit:
            held = self._held.popleft()
            self._held_nodes[held.node_id] -= 1
            if not self._held_nodes[held.node_id]:
                del self._held_nodes[held.node_id]
            self.output.reject("unregistered", f"node {held.node_id!r} never registered")

    @property
    def pending(self) -> int:
        """Messages waiting for their node's registration."""
        return len(self._held)

    # ---- per channel ---------------------------------------------------------------------
    def _message(self, topic: str, payload: bytes, t_receive: float, retained: bool) -> None:
        where = parse_topic(topic, self.settings.prefix)
        if len(payload) > self.settings.max_payload_bytes:
            raise Invalid("too_large", f"{len(payload)} bytes from {where.node_id!r}")
        if where.channel is Channel.DETECTIONS:
            self._detections(where.node_id, payload, t_receive, retained)
        elif where.channel is Channel.REGISTER:
            self._register(where.node_id, payload, t_receive)
        else:
            self._status(where.node_id, payload, t_receive)

    def _register(self, node_id: str, payload: bytes, t_receive: float) -> None:
        if not payload:  # the retained registration was cleared: the node is withdrawn
            known = self.settings.known.get(node_id)
            if known is None:
                self.registrations.pop(node_id, None)
            else:
                self.registrations[node_id] = known
            self.output.statuses.append(
                SensorStatus(node_id, t_receive, False, "offline: registration withdrawn")
            )
            self.output.messages += 1
            return
        registration = read_registration(_object(payload), node_id)
        self.registrations[node_id] = registration
        self.output.sensors.append(registration.sensor_info(node_id))
        self.output.messages += 1
        self._release(node_id, registration)

    def _status(self, node_id: str, payload: bytes, t_receive: float) -> None:
        if payload:  # an empty one clears a retained status: nothing to say
            self.output.statuses.append(read_status(_object(payload), node_id, t_receive))
        self.output.messages += 1

    def _detections(self, node_id: str, payload: bytes, t_receive: float, retained: bool) -> None:
        if retained:
            raise Invalid("retained", f"a retained detection of {node_id!r} is stale")
        if not payload:
            raise Invalid("empty", f"empty detections payload from {node_id!r}")
        detections = read_detections(_parse(payload), node_id, self.settings.max_batch)
        registration = self.registrations.get(node_id)
        if registration is not None:
            self._emit(node_id, detections, registration, t_receive)
        elif len(self._held) >= self.settings.max_pending:
            raise Invalid("unregistered", f"node {node_id!r} not registered, queue full")
        else:
            self._held.append(_Held(node_id, detections, t_receive))
            self._held_nodes[node_id] += 1

    def _emit(
        self,
        node_id: str,
        detections: list[Detection],
        registration: NodeRegistration,
        t_receive: float,
    ) -> None:
        reports = [
            report_for(node_id, d, registration, self._measured(d, t_receive), self._assumed)
            for d in detections
        ]
        self.output.reports.extend(reports)
        self.output.messages += 1

    def _measured(self, detection: Detection, t_receive: float) -> float:
        t = detection.t
        if math.isnan(t):
            return t_receive
        if t < t_receive - self.settings.max_past_s:
            raise Invalid("time_past", f"t is {t_receive - t:.1f} s before receipt")
        if t > t_receive + self.settings.max_future_s:
            raise Invalid("time_future", f"t is {t - t_receive:.1f} s after receipt")
        return t

    def _release(self, node_id: str, registration: NodeRegistration) -> None:
        if not self._held_nodes.get(node_id):
            return
        del self._held_nodes[node_id]
        kept: deque[_Held] = deque()
        for held in self._held:
            if held.node_id != node_id:
                kept.append(held)
                continue
            try:
                self._emit(node_id, held.detections, registration, held.t_receive)
            except Invalid as exc:
                self.output.reject(exc.reason, exc.detail)
        self._held = kept


def _parse(payload: bytes) -> object:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise Invalid("json", "payload is not UTF-8 JSON (NaN and Infinity are not JSON)") from None


def _object(payload: bytes) -> Obj:
    obj = _parse(payload)
    if type(obj) is not dict:
        raise Invalid("type", "payload is not a JSON object")
    return obj
