"""The picture for TAK users (ATAK, WinTAK, TAK Server): Cursor-on-Target events as XML and as
TAK Protocol Version 1 protobuf. Pure encoders, no sockets (``runtime/cot_out.py`` sends).

Modules, one role each: ``types`` (MIL-STD-2525 CoT type of a track), ``event`` (the event
model and a picture's track events, values checked once), ``xml`` (CoT XML), ``proto`` (TAK
protobuf, mesh and stream framing, ``tak.proto`` → ``tak_pb2``), ``alarm`` (an alert as a
``b-l`` event), ``negotiate`` (a TAK server stream's switch from XML to protobuf). See
``docs/cot.md``.
"""

from dronewall.sensors.cot.alarm import ALARM_TYPE, alarm_event, alarm_uid
from dronewall.sensors.cot.event import (
    UNKNOWN_ERROR,
    CotEvent,
    EventOptions,
    Link,
    TrackColumns,
    track_events,
    track_uid,
)
from dronewall.sensors.cot.negotiate import (
    XmlEventReader,
    offered_versions,
    request_xml,
    response_status,
)
from dronewall.sensors.cot.proto import (
    MESH_HEADER,
    StreamReader,
    event_mesh,
    event_stream,
    mesh_frame,
    stream_frame,
    tak_message,
)
from dronewall.sensors.cot.types import affiliation_atom, air_function, cot_type
from dronewall.sensors.cot.xml import XML_DECLARATION, cot_time, event_xml

__all__ = [
    "ALARM_TYPE",
    "MESH_HEADER",
    "UNKNOWN_ERROR",
    "XML_DECLARATION",
    "CotEvent",
    "EventOptions",
    "Link",
    "StreamReader",
    "TrackColumns",
    "XmlEventReader",
    "affiliation_atom",
    "air_function",
    "alarm_event",
    "alarm_uid",
    "cot_time",
    "cot_type",
    "event_mesh",
    "event_stream",
    "event_xml",
    "mesh_frame",
    "offered_versions",
    "request_xml",
    "response_status",
    "stream_frame",
    "tak_message",
    "track_events",
    "track_uid",
]
