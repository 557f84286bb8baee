"""The one place that imports the SAPIENT protobuf bindings (PyPI ``sapient-msg``, generated
from Dstl's BSI Flex 335 v2.0 ``.proto`` files). Everything else imports the message classes
from here, so a change of binding touches one file.
"""

from __future__ import annotations

from enum import StrEnum

from sapient_msg import proto_options_pb2
from sapient_msg.bsi_flex_335_v2_0.alert_ack_pb2 import AlertAck
from sapient_msg.bsi_flex_335_v2_0.alert_pb2 import Alert
from sapient_msg.bsi_flex_335_v2_0.associated_detection_pb2 import AssociatedDetection
from sapient_msg.bsi_flex_335_v2_0.detection_report_pb2 import DetectionReport
from sapient_msg.bsi_flex_335_v2_0.error_pb2 import Error
from sapient_msg.bsi_flex_335_v2_0.location_pb2 import (
    Location,
    LocationCoordinateSystem,
    LocationDatum,
    LocationList,
)
from sapient_msg.bsi_flex_335_v2_0.range_bearing_pb2 import (
    LocationOrRangeBearing,
    RangeBearing,
    RangeBearingCone,
    RangeBearingCoordinateSystem,
    RangeBearingDatum,
)
from sapient_msg.bsi_flex_335_v2_0.registration_ack_pb2 import RegistrationAck
from sapient_msg.bsi_flex_335_v2_0.registration_pb2 import Registration
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage
from sapient_msg.bsi_flex_335_v2_0.status_report_pb2 import StatusReport
from sapient_msg.bsi_flex_335_v2_0.task_ack_pb2 import TaskAck
from sapient_msg.bsi_flex_335_v2_0.task_pb2 import Task
from sapient_msg.bsi_flex_335_v2_0.velocity_pb2 import ENUVelocity, SpeedUnits

ICD_VERSION = "BSI Flex 335 v2.0"  # the exact string Registration.icd_version must carry
FIELD_OPTIONS = proto_options_pb2.field_options  # (field_options) extension: is_mandatory…
ONEOF_OPTIONS = proto_options_pb2.oneof_options


class Content(StrEnum):
    """The ``SapientMessage.content`` oneof: which message an envelope carries."""

    REGISTRATION = "registration"
    REGISTRATION_ACK = "registration_ack"
    STATUS_REPORT = "status_report"
    DETECTION_REPORT = "detection_report"
    TASK = "task"
    TASK_ACK = "task_ack"
    ALERT = "alert"
    ALERT_ACK = "alert_ack"
    ERROR = "error"


__all__ = [
    "FIELD_OPTIONS",
    "ICD_VERSION",
    "ONEOF_OPTIONS",
    "Alert",
    "AlertAck",
    "AssociatedDetection",
    "Content",
    "DetectionReport",
    "ENUVelocity",
    "Error",
    "Location",
    "LocationCoordinateSystem",
    "LocationDatum",
    "LocationList",
    "LocationOrRangeBearing",
    "RangeBearing",
    "RangeBearingCone",
    "RangeBearingCoordinateSystem",
    "RangeBearingDatum",
    "Registration",
    "RegistrationAck",
    "SapientMessage",
    "SpeedUnits",
    "StatusReport",
    "Task",
    "TaskAck",
]
