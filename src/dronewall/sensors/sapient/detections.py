"""DetectionReport (BSI Flex 335 v2.0 ``detection_report.proto``) ⇄ one ``ReportBatch`` row.

Reading (``read_detection``), per field of the report:

* ``location`` → a position fix (``MeasurementKind.POSITION``); ``range_bearing`` with a
  range → radar (``RADAR``), without → a bearing (``BEARING``). Units as in ``units.py``.
* location errors → ``sigma_horizontal_m`` (RMS of east and north) and ``sigma_vertical_m``;
  range/bearing errors → ``sigma_range_m``, ``sigma_azimuth_deg``, ``sigma_elevation_deg``.
  Errors not given stay NaN: the tracker falls back on the node's registered performance.
* ``enu_velocity`` → ``speed_mps`` and ``course_deg``, its ``up_rate`` → ``vertical_rate_mps``;
  ``id`` (e.g. an ICAO address, read in upper case, or a Remote ID serial) → ``identity``;
  ``classification`` → ``declared_class`` and ``class_confidence`` (``classes.py``).
* The ICD has no field for radar cross-section or Doppler: an ``object_info`` (or
  ``track_info``) entry of type ``rcs`` / ``radar_cross_section`` (dBsm; ``rcs_m2`` in m²)
  → ``rcs_dbsm``, of type ``doppler`` / ``radial_velocity`` / ``range_rate`` (m/s, positive
  away from the node) → ``radial_velocity_mps``. A value that is not a number in range is
  refused (``out_of_range``).
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

from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, icao_identity
from dronewall.sensors.sapient import classes
from dronewall.sensors.sapient.binding import DetectionReport, ENUVelocity
from dronewall.sensors.sapient.nodes import NodeTraits
from dronewall.sensors.sapient.rejects import Reason, SapientError
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
    vertical_rate_mps: float = NAN
    rcs_dbsm: float = NAN
    radial_velocity_mps: float = NAN
    emitter_category: int = 0  # carried as object_info between dronewall nodes
    nic: int = 0
    nacp: int = 0


# object_info / track_info types read as radar cross-section and Doppler (lower case).
RCS_DBSM_TYPES = frozenset({"rcs", "rcs_dbsm", "radar_cross_section", "radar cross section"})
RCS_M2_TYPES = frozenset({"rcs_m2"})
DOPPLER_TYPES = frozenset({"doppler", "radial_velocity", "range_rate", "doppler_speed"})
RCS_DBSM_RANGE = (-80.0, 80.0)  # a 1 cm² insect (−40 dBsm) to a ship (+60): beyond is wrong
MAX_RADIAL_MPS = 2_000.0  # above any aircraft or missile a surveillance node reports
# ADS-B quality and category (report format 1.1 codes, docs/report-format.md) as object_info.
CODE_TYPES = ("emitter_category", "nic", "nacp")


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
    speed, course, climb = NAN, NAN, NAN
    if report.HasField("enu_velocity"):
        velocity = report.enu_velocity
        scale = traits.speed_scale
        speed, course = speed_and_course(velocity.east_rate * scale, velocity.north_rate * scale)
        if velocity.HasField("up_rate"):
            climb = _finite(velocity.up_rate * scale, "enu_velocity.up_rate")
    declared, confidence = classes.read_class(report)
    rcs, radial = _radar_info(report)
    identity = icao_identity(report.id)
    return Detection(
        measurement, fix, polar, speed, course, identity, declared, confidence, climb, rcs,
        radial, *_codes(report),
    )  # fmt: skip


def _codes(report: DetectionReport) -> tuple[int, int, int]:
    """(emitter category, NIC, NACp) given as object_info, 0 where not given."""
    found = dict.fromkeys(CODE_TYPES, 0)
    for info in report.object_info:
        kind = info.type.strip().lower()
        if kind in found:
            value = _number(info.value, f"object_info.{kind}")
            if value != int(value) or not 0 <= value <= 255:
                raise SapientError(Reason.OUT_OF_RANGE, "not a code 0–255", value, kind)
            found[kind] = int(value)
    return found["emitter_category"], found["nic"], found["nacp"]


def _radar_info(report: DetectionReport) -> tuple[float, float]:
    """(RCS dBsm, radial velocity m/s) from object_info / track_info, NaN where not given."""
    rcs, radial = NAN, NAN
    for info in (*report.object_info, *report.track_info):
        kind = info.type.strip().lower()
        if kind in RCS_DBSM_TYPES or kind in RCS_M2_TYPES:
            value = _number(info.value, f"object_info.{kind}")
            if kind in RCS_M2_TYPES:
                value = 10.0 * math.log10(value) if value > 0 else -math.inf
            rcs = _within(value, RCS_DBSM_RANGE, f"object_info.{kind}")
        elif kind in DOPPLER_TYPES:
            value = _number(info.value, f"object_info.{kind}")
            radial = _within(value, (-MAX_RADIAL_MPS, MAX_RADIAL_MPS), f"object_info.{kind}")
    return rcs, radial


def _number(text: str, field: str) -> float:
    try:
        return _finite(float(text), field)
    except ValueError:
        raise SapientError(Reason.OUT_OF_RANGE, f"{text!r} is not a number", text, field) from None


def _finite(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise SapientError(Reason.OUT_OF_RANGE, f"{value} is not finite", value, field)
    return value


def _within(value: float, bounds: tuple[float, float], field: str) -> float:
    if not bounds[0] <= value <= bounds[1]:
        raise SapientError(Reason.OUT_OF_RANGE, f"{value} outside {bounds}", value, field)
    return value


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
        if math.isfinite(climb := column["vertical_rate_mps"][row]):
            report.enu_velocity.up_rate = climb
    for kind, name in (("rcs", "rcs_dbsm"), ("radial_velocity", "radial_velocity_mps")):
        if math.isfinite(value := column[name][row]):
            report.object_info.add(type=kind, value=repr(value))
    for name in CODE_TYPES:
        if code := column[name][row]:
            report.object_info.add(type=name, value=str(code))
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
