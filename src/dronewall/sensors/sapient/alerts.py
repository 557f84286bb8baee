"""Alert and AlertAck (BSI Flex 335 v2.0 ``alert.proto``, ``alert_ack.proto``): a node raises
an alert for an operator; the node it reports to answers ACCEPTED, REJECTED or CANCELLED.
A child fusion node raises its alerts to its parent the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import cast

from dronewall.sensors.sapient.binding import Alert, AlertAck, AssociatedDetection
from dronewall.sensors.sapient.rejects import SapientError
from dronewall.sensors.sapient.units import Fix, fix_from_location, location_from_fix


class AlertType(IntEnum):
    UNSPECIFIED = 0
    INFORMATION = 1
    WARNING = 2
    CRITICAL = 3
    ERROR = 4
    FATAL = 5
    MODE_CHANGE = 6


class AlertStatus(IntEnum):
    UNSPECIFIED = 0
    ACTIVE = 1
    ACKNOWLEDGE = 2
    REJECT = 3
    IGNORE = 4
    CLEAR = 5


class AlertAckStatus(IntEnum):
    UNSPECIFIED = 0
    ACCEPTED = 1
    REJECTED = 2
    CANCELLED = 3


class Priority(IntEnum):
    UNSPECIFIED = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An alert as the fusion node received it."""

    node_id: str
    time_s: float
    alert_id: str
    alert_type: AlertType
    status: AlertStatus
    description: str
    location: Fix | None
    priority: Priority
    confidence: float
    objects: tuple[tuple[str, str], ...]  # associated detections: (node_id, object_id)


def alert(
    alert_id: str,
    description: str,
    *,
    alert_type: AlertType = AlertType.WARNING,
    status: AlertStatus = AlertStatus.ACTIVE,
    location: Fix | None = None,
    priority: Priority = Priority.HIGH,
    confidence: float = math.nan,
    objects: tuple[tuple[str, str], ...] = (),
) -> Alert:
    message = Alert(
        alert_id=alert_id,
        alert_type=cast("Alert.AlertType", int(alert_type)),
        status=cast("Alert.AlertStatus", int(status)),
        description=description,
        priority=cast("Alert.DiscretePriority", int(priority)),
    )
    if location is not None:
        message.location.CopyFrom(location_from_fix(location))
    if math.isfinite(confidence):
        message.confidence = confidence
    for node_id, object_id in objects:
        message.associated_detection.append(
            AssociatedDetection(node_id=node_id, object_id=object_id)
        )
    return message


def read_alert(node_id: str, time_s: float, message: Alert) -> AlertEvent:
    """A conformant Alert → ``AlertEvent`` (a location that cannot be converted is dropped)."""
    location = None
    if message.HasField("location"):
        try:
            location = fix_from_location(message.location, errors_in_metres=True)
        except SapientError:
            location = None
    return AlertEvent(
        node_id=node_id,
        time_s=time_s,
        alert_id=message.alert_id,
        alert_type=AlertType(message.alert_type),
        status=AlertStatus(message.status),
        description=message.description,
        location=location,
        priority=Priority(message.priority),
        confidence=message.confidence if message.HasField("confidence") else math.nan,
        objects=tuple((d.node_id, d.object_id) for d in message.associated_detection),
    )


def alert_ack(alert_id: str, status: AlertAckStatus, reasons: tuple[str, ...] = ()) -> AlertAck:
    code = cast("AlertAck.AlertAckStatus", int(status))
    return AlertAck(alert_id=alert_id, alert_ack_status=code, reason=list(reasons))
