"""The ranges, units and values BSI Flex 335 v2.0 states in prose, beside the ``.proto``
annotations ``validation.py`` reads: the ICD version string, confidences in [0, 1] (as Dstl's
test harness checks, ``CommonValidator.BeAValidScalar``), errors and ranges not negative,
battery levels in per cent, latitudes, longitudes and angles within their unit's range,
valid timestamps and UTM zones, the UUIDs of dependent nodes (``RegistrationValidator.cs``),
and the three fields the harness makes mandatory that the ``.proto`` files do not flag. Every
check raises ``Invalid``; ``validation.check`` turns it into a ``SapientError`` with the
field's path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import cast

from google.protobuf.message import Message

from dronewall.sensors.sapient.binding import ICD_VERSION
from dronewall.sensors.sapient.rejects import Reason

TIMESTAMP = "google.protobuf.Timestamp"
# google.protobuf.Timestamp's documented range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799
_UTM_ZONE = re.compile(r"(0?[1-9]|[1-5][0-9]|60)[C-HJ-NP-X]?", re.IGNORECASE)


class Invalid(Exception):  # noqa: N818 — internal; becomes SapientError in validation.check
    def __init__(self, reason: Reason, message: str, value: object, name: str):
        self.reason, self.message, self.value = reason, message, value
        self.path = [name] if name else []


def _between(low: float, high: float, what: str) -> Callable[[object], None]:
    """A check that a number is finite and within [low, high] (a NaN fails both)."""

    def check_range(value: object) -> None:
        number = cast(float, value)
        if not (low <= number <= high and math.isfinite(number)):
            raise Invalid(
                Reason.OUT_OF_RANGE, f"{what} {number} outside [{low:g}, {high:g}]", value, ""
            )

    return check_range


def _icd_version(value: object) -> None:
    if value != ICD_VERSION:
        raise Invalid(Reason.BAD_VERSION, f"ICD version must be {ICD_VERSION!r}", value, "")


_UNIT = _between(0.0, 1.0, "confidence")
_NOT_NEGATIVE = _between(0.0, math.inf, "value")
VALUE_CHECKS: dict[str, Callable[[object], None]] = {
    "Registration.icd_version": _icd_version,
    "DetectionReport.detection_confidence": _UNIT,
    "DetectionReport.DetectionReportClassification.confidence": _UNIT,
    "DetectionReport.SubClass.confidence": _UNIT,
    "DetectionReport.Behaviour.confidence": _UNIT,
    "Alert.ranking": _between(0.0, 1.0, "ranking"),
    "Alert.confidence": _UNIT,
    "StatusReport.Power.level": _between(0, 100, "battery level (%)"),
    "Registration.Duration.value": _NOT_NEGATIVE,
    "Registration.TaskDefinition.concurrent_tasks": _NOT_NEGATIVE,
    "Registration.SubClass.level": _NOT_NEGATIVE,
    "Registration.SubClassFilterDefinition.level": _NOT_NEGATIVE,
    "DetectionReport.SubClass.level": _NOT_NEGATIVE,
    "RangeBearing.range": _NOT_NEGATIVE,
    "RangeBearingCone.range": _NOT_NEGATIVE,
    "RangeBearingCone.horizontal_extent": _NOT_NEGATIVE,
    "RangeBearingCone.vertical_extent": _NOT_NEGATIVE,
} | {
    f"{message}.{error}": _between(0.0, math.inf, "error")
    for message, errors in {
        "Location": ("x_error", "y_error", "z_error"),
        "RangeBearing": ("elevation_error", "azimuth_error", "range_error"),
        "RangeBearingCone": (
            "elevation_error",
            "azimuth_error",
            "range_error",
            "horizontal_extent_error",
            "vertical_extent_error",
        ),
        "ENUVelocity": ("east_rate_error", "north_rate_error", "up_rate_error"),
    }.items()
    for error in errors
}
# Identifier fields the harness checks but the .proto does not flag (RegistrationValidator.cs).
EXTRA_UUID_FIELDS = frozenset({"Registration.dependent_nodes"})
# Mandatory fields the .proto files do not flag ``is_mandatory`` (identical in sapient-msg 0.2.1
# and Dstl's harness): the harness's validators require them and its False cases reject their
# absence. ``Error.error_message`` was mandatory as v1's string field 2 (its annotation is still
# there, commented out, in error.proto) and lost the flag when it became repeated field 3
# (ErrorValidator.cs; False/0170, 0171); TaskDefinitionValidator.cs, False/0074;
# DerivedDetectionValidator.cs, False/0129.
EXTRA_MANDATORY_FIELDS = frozenset(
    {
        "Error.error_message",
        "Registration.TaskDefinition.concurrent_tasks",
        "DetectionReport.DerivedDetection.timestamp",
    }
)


def _fail(name: str, message: str, value: object) -> Invalid:
    return Invalid(Reason.OUT_OF_RANGE, message, value, name)


def check_timestamp(message: Message) -> None:
    seconds, nanos = message.seconds, message.nanos  # type: ignore[attr-defined]
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        raise _fail("seconds", "timestamp outside years 1–9999", seconds)
    if not 0 <= nanos < 1_000_000_000:
        raise _fail("nanos", "nanoseconds outside [0, 10^9)", nanos)


def _check_location(message: Message) -> None:
    system = message.coordinate_system  # type: ignore[attr-defined]
    x, y = message.x, message.y  # type: ignore[attr-defined]
    if system == 1:  # LAT_LNG_DEG_M
        _limits(x, y, 180.0, 360.0, 90.0, "degrees")
    elif system == 2:  # LAT_LNG_RAD_M
        _limits(x, y, math.pi, 2 * math.pi, math.pi / 2, "radians")
    elif system == 5:  # UTM_M: easting within a zone, northing with its false origin
        if not 0.0 <= x <= 1_000_000.0:
            raise _fail("x", "UTM easting outside [0, 1,000,000] m", x)
        if not -10_000_000.0 <= y <= 10_000_000.0:
            raise _fail("y", "UTM northing outside ±10,000,000 m", y)
    zone = message.utm_zone  # type: ignore[attr-defined]
    if zone and _UTM_ZONE.fullmatch(zone) is None:
        raise _fail("utm_zone", "UTM zone must be 1–60 with an optional band letter", zone)


def _limits(x: float, y: float, west: float, east: float, pole: float, unit: str) -> None:
    if not -west <= x <= east:
        raise _fail("x", f"longitude outside [-{west:g}, {east:g}] {unit}", x)
    if not -pole <= y <= pole:
        raise _fail("y", f"latitude outside ±{pole:g} {unit}", y)


def _check_angles(message: Message) -> None:
    system = message.coordinate_system  # type: ignore[attr-defined]
    full_turn = 360.0 if system in (1, 3) else 2 * math.pi  # DEGREES_M/KM, else RADIANS_M/KM
    for name, limit in (("azimuth", full_turn), ("elevation", full_turn / 4)):
        if message.HasField(name) and abs(getattr(message, name)) > limit:
            raise _fail(name, f"{name} beyond ±{limit:g}", getattr(message, name))
    for name in ("horizontal_extent", "vertical_extent"):
        if name in message.DESCRIPTOR.fields_by_name and getattr(message, name) > full_turn:
            raise _fail(name, f"{name} wider than a full turn", getattr(message, name))


MESSAGE_CHECKS: dict[str, Callable[[Message], None]] = {
    "Location": _check_location,
    "RangeBearing": _check_angles,
    "RangeBearingCone": _check_angles,
}
