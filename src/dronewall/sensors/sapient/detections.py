"""DetectionReport (BSI Flex 335 v2.0 ``detection_report.proto``) ⇄ one ``ReportBatch`` row.

Reading (``read_detection``), per field of the report:

* ``location`` → a position fix (``MeasurementKind.POSITION``); ``range_bearing`` with a
  range → radar (``RADAR``), without → a bearing (``BEARING``). Units as in ``units.py``.
* location errors → ``sigma_horizontal_m`` (RMS of east and north) and ``sigma_vertical_m``;
  range/bearing errors → ``sigma_range_m``, ``sigma_azimuth_deg``, ``sigma_elevation_deg``.
  Errors not given stay NaN: the tracker falls back on the node's registered performance.
* ``enu_velocity`` → ``speed_mps`` and ``course_deg``; ``id`` (e.g. an ICAO address or a
  Remote ID serial) → ``identity``; ``classification`` → ``declared_class`` and
  ``class_confidence`` (``classes.py``).
* ``object_id`` (the node's own track id) and ``report_id`` have no ReportBatch column; the
  fusion node hands them on beside the batch (``ReportKeys``).
* A report whose ``state`` says the object is gone (``lost``, ``deleted``…) is not a
  measurement and gives no row.

The envelope time is the time of the content (the test harness: "UTC time of the content of
the message"), so it becomes ``t_measured``; ``t_arrival`` is stamped by the receiver.
Writing (``detection_for_row``) is the inverse, in degrees, metres and m/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch
from dronewall.sensors.sapient import classes
from dronewall.sensors.sapient.binding import DetectionReport, ENUVelocity
from dronewall.sensors.sapient.nodes import NodeTraits
from dronewall.sensors.sapient.units import (
    NAN,
    Fix,
    Polar,
    east_north,
    fix_from_location,
    location_from_fix,
    polar_from_range_bearing,
    range_bearing_from_polar,
    speed_and_course,
)

ENDED_STATES = frozenset({"lost", "deleted", "dropped", "ended", "terminated"})


@dataclass(frozen=True, slots=True)
class Detection:
    """One detection report in dronewall units (see the module docstring)."""

    measurement: MeasurementKind
    fix: Fix | None
    polar: Polar | None
    speed_mps: float = NAN
    course_deg: float = NAN
    identity: str = ""
    declared_class: ObjectClass = ObjectClass.UNKNOWN
    class_confidence: float = 0.0


def is_ended(report: DetectionReport) -> bool:
    return report.state.strip().lower() in ENDED_STATES


def read_detection(report: DetectionReport, traits: NodeTraits) -> Detection:
    """A conformant DetectionReport → a ``Detection``; raises ``SapientError`` (unsupported)."""
    fix: Fix | None = None
    polar: Polar | None = None
    if report.HasField("location"):
        fix = fix_from_location(
            report.location, errors_in_metres=traits.errors_in_metres, zone_hint=traits.utm_zone
        )
        measurement = MeasurementKind.POSITION
    else:
        polar = polar_from_range_bearing(report.range_bearing)
        measurement = (
            MeasurementKind.BEARING if math.isnan(polar.range_m) else MeasurementKind.RADAR
        )
    speed, course = NAN, NAN
    if report.HasField("enu_velocity"):
        velocity = report.enu_velocity
        scale = traits.speed_scale
        speed, course = speed_and_course(velocity.east_rate * scale, velocity.north_rate * scale)
    declared, confidence = classes.read_class(report)
    return Detection(measurement, fix, polar, speed, course, report.id, declared, confidence)


class ReportRows:
    """A ReportBatch as Python lists, for writing it one row at a time without numpy scalars."""

    def __init__(self, batch: ReportBatch):
        self.columns: dict[str, list[Any]] = {
            name: getattr(batch, name).tolist() for name in ReportBatch.column_names()
        }
        self.count = len(batch)

    def __len__(self) -> int:
        return self.count


def detection_for_row(
    rows: ReportRows, row: int, report_id: str, object_id: str
) -> DetectionReport:
    """Row ``row`` as a DetectionReport (its envelope carries ``t_measured``)."""
    column = rows.columns
    report = DetectionReport(report_id=report_id, object_id=object_id)
    if column["measurement"][row] == MeasurementKind.POSITION:
        sigma_h = column["sigma_horizontal_m"][row]
        fix = Fix(
            column["lat_deg"][row],
            column["lon_deg"][row],
            column["alt_m"][row],
            sigma_h,
            sigma_h,
            column["sigma_vertical_m"][row],
        )
        report.location.CopyFrom(location_from_fix(fix))
    else:
        polar = Polar(*(column[name][row] for name in _POLAR_COLUMNS))
        report.range_bearing.CopyFrom(range_bearing_from_polar(polar))
    speed, course = column["speed_mps"][row], column["course_deg"][row]
    if math.isfinite(speed) and math.isfinite(course):
        east, north = east_north(speed, course)
        report.enu_velocity.CopyFrom(ENUVelocity(east_rate=east, north_rate=north))
    if identity := column["identity"][row]:
        report.id = identity
    declared = ObjectClass(column["declared_class"][row])
    classes.write_class(report, declared, column["class_confidence"][row])
    return report


_POLAR_COLUMNS = (
    "range_m",
    "azimuth_deg",
    "elevation_deg",
    "sigma_range_m",
    "sigma_azimuth_deg",
    "sigma_elevation_deg",
)
