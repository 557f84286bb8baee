"""Nodes and their Registration (BSI Flex 335 v2.0 ``registration.proto``).

* ``SensorKind`` ⇄ SAPIENT node type: radar → ``RADAR``, RF direction finder → ``PASSIVE_RF``,
  acoustic → ``ACOUSTIC``, EO/IR → ``CAMERA``. Remote ID and ADS-B receivers have no node
  type of their own: they are ``PASSIVE_RF`` with node sub-type ``Remote ID`` or ``ADS-B``.
  Other node types (lidar, human spotter, a child fusion node…) map to sensor kind 0,
  "other": their reports still flow, with the measurement kind their geometry implies.
* ``registration_for(sensor)`` writes the Registration dronewall's sensor nodes send:
  one default mode, detections as Location (position sensors) or RangeBearing, errors as
  one-sigma metres (declared in ``geometric_error``), ENU velocity in m/s, the class
  taxonomy of ``classes.py``, LOOK_AT tasking for cameras.
* ``fusion_registration(...)`` is the Registration of a dronewall child fusion node to its
  parent (node type ``FUSION_NODE``, dependent nodes, reporting region).
* ``traits_of(registration)`` reads what the fusion node needs to convert a node's reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import classes
from dronewall.sensors.sapient.binding import (
    ICD_VERSION,
    LocationOrRangeBearing,
    Registration,
    SpeedUnits,
)
from dronewall.sensors.sapient.ids import node_uuid
from dronewall.sensors.sapient.units import DEGREES_M, LAT_LNG_DEG_M, TRUE_NORTH, WGS84_E

NodeType = Registration.NodeType
OTHER_KIND = 0  # sensor_kind of a node whose type is not a dronewall SensorKind
REMOTE_ID_SUB_TYPE = "Remote ID"
ADSB_SUB_TYPE = "ADS-B"
_NODE_TYPES: dict[SensorKind, tuple[int, str]] = {
    SensorKind.RADAR: (NodeType.NODE_TYPE_RADAR, "Radar"),
    SensorKind.RF: (NodeType.NODE_TYPE_PASSIVE_RF, "RF Direction Finder"),
    SensorKind.ACOUSTIC: (NodeType.NODE_TYPE_ACOUSTIC, "Acoustic"),
    SensorKind.EOIR: (NodeType.NODE_TYPE_CAMERA, "EO/IR"),
    SensorKind.REMOTE_ID: (NodeType.NODE_TYPE_PASSIVE_RF, REMOTE_ID_SUB_TYPE),
    SensorKind.ADSB: (NodeType.NODE_TYPE_PASSIVE_RF, ADSB_SUB_TYPE),
}
_FROM_NODE_TYPE: dict[int, SensorKind] = {
    NodeType.NODE_TYPE_RADAR: SensorKind.RADAR,
    NodeType.NODE_TYPE_PASSIVE_RF: SensorKind.RF,
    NodeType.NODE_TYPE_ACOUSTIC: SensorKind.ACOUSTIC,
    NodeType.NODE_TYPE_CAMERA: SensorKind.EOIR,
}
_SUB_TYPES = {"remote id": SensorKind.REMOTE_ID, "remoteid": SensorKind.REMOTE_ID}
_SUB_TYPES |= {"ads-b": SensorKind.ADSB, "adsb": SensorKind.ADSB}
POSITION_KINDS = (SensorKind.REMOTE_ID, SensorKind.ADSB)
_METRES = {"m", "metre", "metres", "meter", "meters"}
_SECONDS = Registration.TimeUnits.TIME_UNITS_SECONDS
_SPEED_SCALE = {SpeedUnits.SPEED_UNITS_MS: 1.0, SpeedUnits.SPEED_UNITS_KPH: 1.0 / 3.6}


@dataclass(frozen=True, slots=True)
class SensorDescription:
    """What a sensor node says about itself when it registers and reports status."""

    name: str  # the sensor id, e.g. "eddm-cuas-000"
    kind: SensorKind
    lat_deg: float
    lon_deg: float
    alt_m: float
    model: str = ""
    max_range_m: float = math.nan
    sector_centre_deg: float = 0.0
    sector_width_deg: float = 360.0
    min_elevation_deg: float = math.nan
    max_elevation_deg: float = math.nan
    period_s: float = 1.0  # also the status (heartbeat) interval
    latency_s: float = math.nan
    node_id: str = ""  # defaults to node_uuid(name)

    @property
    def uuid(self) -> str:
        return self.node_id or node_uuid(self.name)


@dataclass(frozen=True, slots=True)
class NodeTraits:
    """What the fusion node reads from a Registration to interpret that node's messages."""

    name: str
    node_type: int
    sensor_kind: int  # a SensorKind value, or OTHER_KIND
    errors_in_metres: bool  # Location x/y errors are metres, not the coordinates' unit
    speed_scale: float  # ENU velocity × speed_scale = m/s
    utm_zone: str = ""
    dependent_nodes: tuple[str, ...] = ()
    commands: frozenset[int] = field(default_factory=frozenset)  # Registration.CommandType

    @property
    def is_fusion_node(self) -> bool:
        return self.node_type == NodeType.NODE_TYPE_FUSION_NODE


def sensor_kind_of(node_type: int, sub_types: list[str]) -> int:
    """The dronewall sensor kind of a SAPIENT node type and its sub-types."""
    if node_type == NodeType.NODE_TYPE_PASSIVE_RF:
        for sub_type in sub_types:
            if (kind := _SUB_TYPES.get(sub_type.strip().lower())) is not None:
                return int(kind)
    return int(_FROM_NODE_TYPE.get(node_type, OTHER_KIND))


def traits_of(registration: Registration) -> NodeTraits:
    definitions = list(registration.node_definition)
    first = definitions[0]
    kinds = [sensor_kind_of(d.node_type, list(d.node_sub_type)) for d in definitions]
    detection = [d for mode in registration.mode_definition for d in mode.detection_definition]
    errors = {
        d.geometric_error.units.strip().lower() for d in detection if d.HasField("geometric_error")
    }
    speeds = [
        d.velocity_type.enu_velocity_units.east_north_rate_units
        for d in detection
        if d.HasField("velocity_type") and d.velocity_type.HasField("enu_velocity_units")
    ]
    zones = [d.location_type.zone for d in detection if d.location_type.zone]
    commands = {c.type for mode in registration.mode_definition for c in mode.task.command}
    return NodeTraits(
        name=registration.name,
        node_type=first.node_type,
        sensor_kind=next((k for k in kinds if k != OTHER_KIND), OTHER_KIND),
        errors_in_metres=bool(errors) and errors <= _METRES,
        speed_scale=_SPEED_SCALE.get(speeds[0], 1.0) if speeds else 1.0,
        utm_zone=zones[0] if zones else "",
        dependent_nodes=tuple(registration.dependent_nodes),
        commands=frozenset(commands),
    )


def registration_for(sensor: SensorDescription) -> Registration:
    """The Registration a dronewall sensor node sends (see the module docstring)."""
    node_type, sub_type = _NODE_TYPES[sensor.kind]
    registration = Registration(icd_version=ICD_VERSION, name=sensor.name)
    registration.short_name = sensor.name[-12:]
    registration.node_definition.add(node_type=node_type, node_sub_type=[sub_type])
    _add_capabilities(registration, sensor)
    _add_status_definition(registration, sensor.period_s)
    camera = sensor.kind is SensorKind.EOIR
    mode = registration.mode_definition.add(
        mode_name="default", mode_type=Registration.ModeType.MODE_TYPE_DEFAULT
    )
    mode.settle_time.CopyFrom(_seconds(0.0))
    if math.isfinite(sensor.latency_s):
        mode.maximum_latency.CopyFrom(_seconds(sensor.latency_s))
    mode.scan_type = _scan_type(sensor.kind)
    mode.tracking_type = Registration.TrackingType.TRACKING_TYPE_NONE
    _add_detection_definition(mode, position=sensor.kind in POSITION_KINDS)
    _add_task_definition(mode, look_at=camera)
    registration.config_data.add(manufacturer="dronewall", model=sensor.model or "simulated")
    return registration


def fusion_registration(
    name: str,
    status_interval_s: float,
    dependent_nodes: list[str],
    reporting_region: list[LocationOrRangeBearing],
) -> Registration:
    """The Registration of a dronewall fusion node to its parent (tracks as detections)."""
    registration = Registration(icd_version=ICD_VERSION, name=name, short_name=name[-12:])
    registration.node_definition.add(node_type=NodeType.NODE_TYPE_FUSION_NODE)
    registration.capabilities.add(category="Fusion", type="Tracks", value="fused air picture")
    _add_status_definition(registration, status_interval_s)
    mode = registration.mode_definition.add(
        mode_name="default", mode_type=Registration.ModeType.MODE_TYPE_DEFAULT
    )
    mode.settle_time.CopyFrom(_seconds(0.0))
    mode.tracking_type = Registration.TrackingType.TRACKING_TYPE_TRACK
    _add_detection_definition(mode, position=True)
    _add_task_definition(mode, look_at=False)
    registration.dependent_nodes.extend(dependent_nodes)
    registration.reporting_region.extend(reporting_region)
    registration.config_data.add(manufacturer="dronewall", model="fusion node")
    return registration


def _seconds(value: float) -> Registration.Duration:
    return Registration.Duration(units=_SECONDS, value=value)


def _scan_type(kind: SensorKind) -> Registration.ScanType:
    if kind is SensorKind.RADAR:
        return Registration.ScanType.SCAN_TYPE_SCANNING
    if kind is SensorKind.EOIR:
        return Registration.ScanType.SCAN_TYPE_STEERABLE
    return Registration.ScanType.SCAN_TYPE_FIXED


def _add_capabilities(registration: Registration, sensor: SensorDescription) -> None:
    registration.capabilities.add(category="Sensor", type="Kind", value=sensor.kind.name)
    if math.isfinite(sensor.max_range_m):
        registration.capabilities.add(
            category="Sensor", type="Maximum Range", value=f"{sensor.max_range_m:g}", units="m"
        )


def _add_status_definition(registration: Registration, interval_s: float) -> None:
    status = registration.status_definition
    status.status_interval.CopyFrom(_seconds(interval_s))
    status.location_definition.location_units = LAT_LNG_DEG_M
    status.location_definition.location_datum = WGS84_E
    for cone in (status.coverage_definition, status.field_of_view_definition):
        cone.range_bearing_units = DEGREES_M
        cone.range_bearing_datum = TRUE_NORTH


def _add_detection_definition(mode: Registration.ModeDefinition, *, position: bool) -> None:
    detection = mode.detection_definition.add()
    if position:
        detection.location_type.location_units = LAT_LNG_DEG_M
        detection.location_type.location_datum = WGS84_E
        velocity = detection.velocity_type
        velocity.enu_velocity_units.east_north_rate_units = SpeedUnits.SPEED_UNITS_MS
        velocity.location_datum = WGS84_E
    else:
        detection.location_type.range_bearing_units = DEGREES_M
        detection.location_type.range_bearing_datum = TRUE_NORTH
    detection.geometric_error.type = "Standard Deviation"
    detection.geometric_error.units = "metres"
    detection.geometric_error.variation_type = "Per Report"
    _add_class_definition(detection)


def _add_class_definition(detection: Registration.DetectionDefinition) -> None:
    definition = detection.detection_class_definition.add(
        confidence_definition=Registration.ConfidenceDefinition.CONFIDENCE_DEFINITION_SINGLE_CLASS
    )
    air = definition.class_definition.add(type=classes.AIR_VEHICLE, units="probability")
    for sub in (classes.UAV, classes.MANNED):
        air.sub_class.add(type=sub, units="probability", level=1)
    animal = definition.class_definition.add(type="Animal", units="probability")
    animal.sub_class.add(type="Bird", units="probability", level=1)
    dock = definition.taxonomy_dock_definition.add(
        Dock_class_namespace="sapient_core", Dock_class=classes.AIR_VEHICLE
    )
    for sub in (classes.UAV, classes.MANNED):
        dock.Extension_subclass.add(
            Subclass_namespace=classes.TAXONOMY_NAMESPACE, Subclass_name=sub, units="probability"
        )


def _add_task_definition(mode: Registration.ModeDefinition, *, look_at: bool) -> None:
    task = mode.task
    task.concurrent_tasks = 1
    region = task.region_definition
    region.region_type.append(Registration.RegionType.REGION_TYPE_AREA_OF_INTEREST)
    area = region.region_area.add()
    area.location_units = LAT_LNG_DEG_M
    area.location_datum = WGS84_E
    command = task.command.add(units="status", type=Registration.CommandType.COMMAND_TYPE_REQUEST)
    command.completion_time.CopyFrom(_seconds(1.0))
    if look_at:
        command = task.command.add(
            units="location", type=Registration.CommandType.COMMAND_TYPE_LOOK_AT
        )
        command.completion_time.CopyFrom(_seconds(5.0))
