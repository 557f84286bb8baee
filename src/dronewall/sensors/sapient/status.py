"""StatusReport (BSI Flex 335 v2.0 ``status_report.proto``): a node's heartbeat — health
(``system``), mode, location, field of view and coverage.

``read_status`` turns a report into a ``NodeStatus`` with coverage as polygons of
(latitude, longitude) degrees, whatever the node sent: a ``LocationList`` is taken point by
point, a ``RangeBearingCone`` (relative to the node) is drawn as a sector of geodesics
from the node's location (a full circle for a 360° cone). A cone without a range, or not
referred to true north, cannot be drawn and is left out.

``sensor_status`` writes a sensor node's report (its position and its coverage cone);
``fusion_status`` a fusion node's, whose ``coverage`` lists the polygons of all its children
— the "total coverage" a child fusion node reports to its parent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import cast

import numpy as np

from dronewall.core.geodesy import destination
from dronewall.sensors.sapient.binding import (
    Location,
    LocationOrRangeBearing,
    RangeBearingCone,
    StatusReport,
)
from dronewall.sensors.sapient.nodes import SensorDescription
from dronewall.sensors.sapient.rejects import SapientError
from dronewall.sensors.sapient.units import (
    DEGREES_M,
    LAT_LNG_DEG_M,
    TRUE_NORTH,
    WGS84_E,
    Fix,
    fix_from_location,
    location_from_fix,
)

Polygon = tuple[tuple[float, float], ...]  # (lat_deg, lon_deg) vertices, not closed
ARC_POINTS = 33  # vertices along a coverage arc: 11.25° apart on a full circle, ~0.5% short


class Health(IntEnum):
    """``StatusReport.System``: the node's own view of its health."""

    UNSPECIFIED = 0
    OK = 1
    WARNING = 2
    ERROR = 3
    GOODBYE = 5  # about to disconnect


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """What the fusion node keeps from a node's latest StatusReport."""

    time_s: float
    health: Health
    mode: str
    location: Fix | None
    coverage: tuple[Polygon, ...]
    field_of_view: tuple[Polygon, ...]
    active_task_id: str = ""
    power_level: int | None = None


def read_status(report: StatusReport, time_s: float, previous: Fix | None) -> NodeStatus:
    """A conformant StatusReport → ``NodeStatus``; cones are drawn from the node's location
    (this report's, else ``previous``). Raises ``SapientError`` for an unusable location."""
    location = previous
    if report.HasField("node_location"):
        location = fix_from_location(report.node_location, errors_in_metres=True)
    coverage = tuple(p for area in report.coverage for p in _polygons(area, location))
    field_of_view = (
        tuple(_polygons(report.field_of_view, location)) if report.HasField("field_of_view") else ()
    )
    return NodeStatus(
        time_s=time_s,
        health=Health(report.system),
        mode=report.mode,
        location=location,
        coverage=coverage,
        field_of_view=field_of_view,
        active_task_id=report.active_task_id,
        power_level=report.power.level if report.power.HasField("level") else None,
    )


def sensor_status(
    sensor: SensorDescription, report_id: str, health: Health = Health.OK
) -> StatusReport:
    """A sensor node's StatusReport: its location and its coverage cone."""
    report = StatusReport(
        report_id=report_id,
        system=_system(health),
        info=StatusReport.Info.INFO_NEW,
        mode="default",
    )
    report.node_location.CopyFrom(
        location_from_fix(Fix(sensor.lat_deg, sensor.lon_deg, sensor.alt_m))
    )
    if math.isfinite(sensor.max_range_m):
        cone = _cone(sensor)
        report.coverage.add(range_bearing=cone)
        report.field_of_view.range_bearing.CopyFrom(cone)
    return report


def fusion_status(
    report_id: str, coverage: list[Polygon], health: Health = Health.OK
) -> StatusReport:
    """A fusion node's StatusReport: the coverage polygons of everything beneath it."""
    report = StatusReport(
        report_id=report_id, system=_system(health), info=StatusReport.Info.INFO_NEW, mode="default"
    )
    for polygon in coverage:
        report.coverage.append(polygon_area(polygon))
    return report


def _system(health: Health) -> StatusReport.System:
    return cast("StatusReport.System", int(health))


def polygon_area(polygon: Polygon) -> LocationOrRangeBearing:
    """A polygon as a ``LocationOrRangeBearing`` location list (degrees, WGS-84)."""
    area = LocationOrRangeBearing()
    for lat, lon in polygon:
        area.location_list.locations.add(
            x=lon, y=lat, coordinate_system=LAT_LNG_DEG_M, datum=WGS84_E
        )
    return area


def cone_polygon(centre: Fix, azimuth_deg: float, width_deg: float, range_m: float) -> Polygon:
    """The sector of ``range_m`` around ``azimuth_deg`` ± ``width_deg``/2 seen from ``centre``."""
    full = width_deg >= 360.0
    start = azimuth_deg - (180.0 if full else width_deg / 2.0)
    count = ARC_POINTS - 1 if full else ARC_POINTS
    span = 360.0 if full else width_deg
    step = span / count if full else span / (count - 1)
    azimuths = start + step * np.arange(count)
    lat, lon = destination(centre.lat_deg, centre.lon_deg, azimuths, np.full(count, range_m))
    arc = tuple(zip(lat.tolist(), lon.tolist(), strict=True))
    return arc if full else ((centre.lat_deg, centre.lon_deg), *arc)


def _cone(sensor: SensorDescription) -> RangeBearingCone:
    cone = RangeBearingCone(
        azimuth=sensor.sector_centre_deg % 360.0,
        range=sensor.max_range_m,
        horizontal_extent=min(sensor.sector_width_deg, 360.0),
        coordinate_system=DEGREES_M,
        datum=TRUE_NORTH,
    )
    low, high = sensor.min_elevation_deg, sensor.max_elevation_deg
    if math.isfinite(low) and math.isfinite(high):
        cone.elevation = (low + high) / 2.0
        cone.vertical_extent = high - low
    return cone


def _polygons(area: LocationOrRangeBearing, centre: Fix | None) -> list[Polygon]:
    if area.HasField("location_list"):
        points = []
        for location in area.location_list.locations:
            fix = _point(location)
            if fix is None:
                return []
            points.append((fix.lat_deg, fix.lon_deg))
        return [tuple(points)]
    cone = area.range_bearing
    if centre is None or not cone.HasField("range") or cone.datum != TRUE_NORTH:
        return []
    radians = cone.coordinate_system in (2, 4)  # RADIANS_M, RADIANS_KM
    angle = math.degrees if radians else float
    length = 1000.0 if cone.coordinate_system in (3, 4) else 1.0
    width = angle(cone.horizontal_extent) if cone.HasField("horizontal_extent") else 360.0
    return [cone_polygon(centre, angle(cone.azimuth), width, cone.range * length)]


def _point(location: Location) -> Fix | None:
    try:
        return fix_from_location(location, errors_in_metres=True)
    except SapientError:
        return None
