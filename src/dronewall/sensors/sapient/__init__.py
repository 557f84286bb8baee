"""SAPIENT (BSI Flex 335 v2.0) for dronewall: any vendor's sensor in, tracks out to allies.

dronewall is a SAPIENT *fusion node*: sensor nodes (and child fusion nodes) connect over TCP,
register, report status and detections, take tasks and raise alerts; their detections become
``ReportBatch`` rows handed to a sink (the tracker). A dronewall node can itself report
upward to a parent fusion node as a child. See ``docs/sapient.md``.

Modules, one role each: ``framing`` (4-byte little-endian length), ``codec`` (pure
decode/encode per message type), ``peek`` (sender and content type without decoding),
``validation`` (the ICD's rules), ``units``, ``classes``,
``nodes`` (Registration), ``detections``, ``status``, ``tasks``, ``alerts``, ``tracks``,
``registry``, ``session`` (protocol logic, no I/O), ``server`` (the fusion node's asyncio
stream), ``client`` (a node's end), ``node`` (a sensor node's logic), ``upward`` (to a parent).
"""

from dronewall.sensors.sapient.alerts import AlertEvent, alert
from dronewall.sensors.sapient.binding import ICD_VERSION, Content, SapientMessage
from dronewall.sensors.sapient.client import RegistrationRefusedError, SapientLink
from dronewall.sensors.sapient.codec import Header, decode, encode, encode_frame
from dronewall.sensors.sapient.framing import FrameReader, frame
from dronewall.sensors.sapient.ids import node_uuid
from dronewall.sensors.sapient.node import SensorNode
from dronewall.sensors.sapient.nodes import SensorDescription
from dronewall.sensors.sapient.registry import SensorEntry, SensorRegistry
from dronewall.sensors.sapient.rejects import Counters, Reason, SapientError
from dronewall.sensors.sapient.rows import ReportKeys
from dronewall.sensors.sapient.server import FusionNode, FusionNodeConfig
from dronewall.sensors.sapient.status import Health, NodeStatus
from dronewall.sensors.sapient.tasks import TaskOutcome, TaskStatus, look_at
from dronewall.sensors.sapient.tracks import UpwardTracks
from dronewall.sensors.sapient.units import Fix
from dronewall.sensors.sapient.upward import ParentConfig, ParentLink

__all__ = [
    "ICD_VERSION",
    "AlertEvent",
    "Content",
    "Counters",
    "Fix",
    "FrameReader",
    "FusionNode",
    "FusionNodeConfig",
    "Header",
    "Health",
    "NodeStatus",
    "ParentConfig",
    "ParentLink",
    "Reason",
    "RegistrationRefusedError",
    "ReportKeys",
    "SapientError",
    "SapientLink",
    "SapientMessage",
    "SensorDescription",
    "SensorEntry",
    "SensorNode",
    "SensorRegistry",
    "TaskOutcome",
    "TaskStatus",
    "UpwardTracks",
    "alert",
    "decode",
    "encode",
    "encode_frame",
    "frame",
    "look_at",
    "node_uuid",
]
