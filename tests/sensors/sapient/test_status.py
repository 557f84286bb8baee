"""Status reports: health, location and coverage as polygons."""

from __future__ import annotations

import math

import pytest

from dronewall.core.geodesy import surface_distance_m
from dronewall.core.types import SensorKind
from dronewall.sensors.sapient import SapientError, decode
from dronewall.sensors.sapient.codec import Header, encode_status_report
from dronewall.sensors.sapient.status import (
    ARC_POINTS,
    Health,
    cone_polygon,
    fusion_status,
    read_status,
    sensor_status,
)
from dronewall.sensors.sapient.units import Fix
from tests.sensors.sapient import independent
from tests.sensors.sapient.conftest import sensor

ID = "01K6H3Z8QW5N9R2V7XJ4C1M0TB"


def test_a_sensor_reports_its_location_and_coverage_conformantly() -> None:
    radar = sensor(SensorKind.RADAR, sector_centre_deg=90.0, sector_width_deg=120.0)
    payload = encode_status_report(Header(radar.uuid, 10.0), sensor_status(radar, ID))
    message = decode(payload)
    assert not isinstance(message, SapientError), str(message)
    status = read_status(message.status_report, 10.0, None)
    assert status.health is Health.OK
    assert status.location == Fix(radar.lat_deg, radar.lon_deg, radar.alt_m)
    (sector,) = status.coverage
    assert sector[0] == (radar.lat_deg, radar.lon_deg)  # a sector starts at the sensor
    assert len(sector) == ARC_POINTS + 1
    for lat, lon in sector[1:]:
        assert surface_distance_m(radar.lat_deg, radar.lon_deg, lat, lon) == pytest.approx(5000.0)


def test_a_full_circle_has_no_apex() -> None:
    circle = cone_polygon(Fix(52.0, 21.0), 0.0, 360.0, 1000.0)
    assert len(circle) == ARC_POINTS - 1
    assert all(
        surface_distance_m(52.0, 21.0, lat, lon) == pytest.approx(1000.0) for lat, lon in circle
    )


def test_the_harness_status_report_is_read_with_km_cones_and_location_lists() -> None:
    message = decode(independent.corpus("status_report_full").SerializeToString())
    assert not isinstance(message, SapientError)
    status = read_status(message.status_report, 5.0, None)
    assert status.mode == "Default" and status.power_level == 87
    (coverage,) = status.coverage  # a 20 km circle around the node
    lat, lon = coverage[0]
    assert surface_distance_m(48.3672, 11.7861, lat, lon) == pytest.approx(20_000.0)
    assert len(status.field_of_view) == 1


def test_a_cone_is_drawn_from_the_last_known_location() -> None:
    message = decode(independent.corpus("status_report_full").SerializeToString())
    assert not isinstance(message, SapientError)
    report = message.status_report
    report.ClearField("node_location")
    assert read_status(report, 0.0, None).coverage == ()
    assert len(read_status(report, 0.0, Fix(50.0, 10.0)).coverage) == 1


def test_goodbye_is_read_as_such() -> None:
    message = decode(independent.corpus("status_report_goodbye").SerializeToString())
    assert not isinstance(message, SapientError)
    assert read_status(message.status_report, 0.0, None).health is Health.GOODBYE


def test_a_fusion_node_reports_polygons_as_coverage() -> None:
    triangle = ((52.0, 21.0), (52.0, 22.0), (53.0, 22.0))
    report = fusion_status(ID, [triangle, triangle])
    payload = encode_status_report(Header("5b9a2c4e-0b7d-4c1e-9f0a-2d6f1e8b7c31", 0.0), report)
    message = decode(payload)
    assert not isinstance(message, SapientError)
    status = read_status(message.status_report, 0.0, None)
    assert status.coverage == (triangle, triangle)
    assert status.location is None and not math.isnan(status.time_s)
