"""Registrations dronewall writes are conformant, and reading them back gives the traits."""

from __future__ import annotations

import pytest

from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import ICD_VERSION, SapientError, decode
from dronewall.sensors.sapient.binding import Registration
from dronewall.sensors.sapient.codec import Header, encode_registration
from dronewall.sensors.sapient.nodes import (
    OTHER_KIND,
    fusion_registration,
    registration_for,
    sensor_kind_of,
    traits_of,
)
from dronewall.sensors.sapient.status import polygon_area
from tests.sensors.sapient import independent
from tests.sensors.sapient.conftest import sensor

NodeType = Registration.NodeType


@pytest.mark.parametrize("kind", list(SensorKind))
def test_every_sensor_kind_registers_conformantly_and_is_recognised(kind: SensorKind) -> None:
    description = sensor(kind)
    payload = encode_registration(Header(description.uuid, 0.0), registration_for(description))
    message = decode(payload)
    assert not isinstance(message, SapientError), str(message)
    assert message.registration.icd_version == ICD_VERSION
    traits = traits_of(message.registration)
    assert traits.sensor_kind == kind
    assert traits.errors_in_metres
    assert traits.speed_scale == 1.0
    assert not traits.is_fusion_node
    look_at = Registration.CommandType.COMMAND_TYPE_LOOK_AT
    assert (look_at in traits.commands) == (kind is SensorKind.EOIR)


def test_our_registration_parses_in_the_independent_binding() -> None:
    theirs = independent.message("Registration")
    theirs.ParseFromString(registration_for(sensor(SensorKind.RADAR)).SerializeToString())
    assert theirs.node_definition[0].node_type == NodeType.NODE_TYPE_RADAR
    assert theirs.mode_definition[0].detection_definition[0].geometric_error.units == "metres"


@pytest.mark.parametrize(
    ("node_type", "sub_types", "kind"),
    [
        (NodeType.NODE_TYPE_PASSIVE_RF, ["ADS-B"], SensorKind.ADSB),
        (NodeType.NODE_TYPE_PASSIVE_RF, ["adsb receiver", "ADSB"], SensorKind.ADSB),
        (NodeType.NODE_TYPE_PASSIVE_RF, ["Remote ID"], SensorKind.REMOTE_ID),
        (NodeType.NODE_TYPE_PASSIVE_RF, ["DJI AeroScope"], SensorKind.RF),
        (NodeType.NODE_TYPE_CAMERA, ["InfraredCamera"], SensorKind.EOIR),
        (NodeType.NODE_TYPE_LIDAR, [], OTHER_KIND),
        (NodeType.NODE_TYPE_HUMAN, [], OTHER_KIND),
        (NodeType.NODE_TYPE_FUSION_NODE, [], OTHER_KIND),
    ],
)
def test_vendor_node_types_map_to_sensor_kinds(
    node_type: int, sub_types: list[str], kind: int
) -> None:
    assert sensor_kind_of(node_type, sub_types) == kind


def test_the_harness_registration_reads_as_a_camera_with_metre_errors() -> None:
    message = decode(independent.corpus("registration_full").SerializeToString())
    assert not isinstance(message, SapientError)
    traits = traits_of(message.registration)
    assert (traits.sensor_kind, traits.errors_in_metres, traits.name) == (
        SensorKind.EOIR,
        True,
        "Car Park Camera at Entrance",
    )
    assert traits.dependent_nodes == ("6f582b41-6c88-481c-bb0f-6021a1739f57",)


def test_without_a_metre_geometric_error_location_errors_are_in_coordinate_units() -> None:
    message = decode(independent.corpus("registration_small").SerializeToString())
    assert not isinstance(message, SapientError)
    assert not traits_of(message.registration).errors_in_metres


def test_kilometres_per_hour_velocity_is_scaled() -> None:
    registration = registration_for(sensor(SensorKind.ADSB))
    velocity = registration.mode_definition[0].detection_definition[0].velocity_type
    velocity.enu_velocity_units.east_north_rate_units = 2  # SPEED_UNITS_KPH
    assert traits_of(registration).speed_scale == pytest.approx(1 / 3.6)


def test_a_fusion_node_registers_its_children_and_region() -> None:
    region = polygon_area(((52.0, 21.0), (52.0, 22.0), (53.0, 22.0)))
    children = ["6f582b41-6c88-481c-bb0f-6021a1739f57"]
    registration = fusion_registration("site Warsaw", 5.0, children, [region])
    message = decode(encode_registration(Header(children[0], 0.0), registration))
    assert not isinstance(message, SapientError), str(message)
    traits = traits_of(message.registration)
    assert traits.is_fusion_node
    assert traits.dependent_nodes == tuple(children)
    assert len(message.registration.reporting_region[0].location_list.locations) == 3
