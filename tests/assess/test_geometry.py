"""Closest approach and time to site against cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dronewall.assess import AssessConfig, Geofence, ThreatAssessor, build_zones
from dronewall.assess.geometry import Polygon, circle_approach, polygon_approach
from dronewall.core.geodesy import destination, geodetic_to_ecef, initial_bearing_deg
from dronewall.world import SiteKind
from tests.assess.conftest import Fly, classes, site, tracks


def assess(flights: list[Fly], radius_m: float = 5_000.0, **config: float):
    assessor = ThreatAssessor(build_zones([site(radius_m=radius_m)]), AssessConfig(**config))
    ids = [f.track_id for f in flights]
    return assessor.assess(tracks(flights), classes(ids, 0.9))


def test_straight_at_the_site() -> None:
    # 20 km west, 50 m/s east: the 5 km circle is reached after 15 km = 300 s, the centre
    # (closest approach 0) after 400 s.
    threat = assess([Fly(1, -20_000.0, 0.0, v_east=50.0)])
    assert threat.site_id[0] == "plant"
    assert threat.range_m[0] == pytest.approx(20_000.0, abs=0.01)
    assert threat.time_to_site_s[0] == pytest.approx(300.0, abs=1e-6)
    assert threat.cpa_m[0] == pytest.approx(0.0, abs=1e-6)
    assert threat.t_cpa_s[0] == pytest.approx(400.0, abs=1e-6)
    assert not threat.inside[0]


def test_passing_abeam() -> None:
    # 10 km west and 3 km north, flying east at 50 m/s: abeam at 3 km after 200 s. A 1 km
    # circle is missed by 2 km; a 5 km circle is entered where east² + 3² = 5², east = -4 km,
    # after (10 - 4) km / 50 m/s = 120 s.
    small = assess([Fly(1, -10_000.0, 3_000.0, v_east=50.0)], radius_m=1_000.0)
    assert small.cpa_m[0] == pytest.approx(3_000.0, abs=1e-6)
    assert small.t_cpa_s[0] == pytest.approx(200.0, abs=1e-6)
    assert math.isnan(small.time_to_site_s[0])
    assert small.approaches.miss_m[0] == pytest.approx(2_000.0, abs=1e-6)
    large = assess([Fly(1, -10_000.0, 3_000.0, v_east=50.0)], radius_m=5_000.0)
    assert large.time_to_site_s[0] == pytest.approx(120.0, abs=1e-6)
    assert large.cpa_m[0] == pytest.approx(3_000.0, abs=1e-6)


def test_inside_receding_and_beyond_the_horizon() -> None:
    threat = assess(
        [
            Fly(1, 2_000.0, 0.0, v_east=30.0),  # inside, flying out
            Fly(2, 8_000.0, 0.0, v_east=30.0),  # outside, flying away
            Fly(3, -60_000.0, 0.0, v_east=50.0),  # heading in, arrives after 1100 s
            Fly(4, -8_000.0, 0.0),  # hovering outside
        ],
        horizon_s=900.0,
    )
    assert threat.inside.tolist() == [True, False, False, False]
    assert threat.time_to_site_s[0] == 0.0
    assert math.isnan(threat.time_to_site_s[1])
    assert threat.cpa_m[1] == pytest.approx(8_000.0) and threat.t_cpa_s[1] == 0.0
    assert math.isnan(threat.time_to_site_s[2])
    assert threat.t_cpa_s[2] == pytest.approx(900.0)  # still closing at the horizon
    assert threat.cpa_m[2] == pytest.approx(15_000.0, abs=1e-6)
    assert math.isnan(threat.time_to_site_s[3])


def test_the_circle_is_a_cylinder_without_ceiling() -> None:
    threat = assess([Fly(1, 0.0, 1_000.0, up_m=3_000.0)])
    assert threat.inside[0]


def test_on_real_geography_a_geodesic_approach() -> None:
    # Placed with the WGS-84 geodesic 30 km west-south-west of the site, flying along the
    # initial bearing to it at 45 m/s (Gerbera-class): reaches 5 km after 25 km / 45 m/s.
    lat, lon = destination(50.0, 20.0, 250.0, 30_000.0)
    bearing = float(initial_bearing_deg(lat, lon, 50.0, 20.0))
    zones = build_zones([site()])
    azimuth = math.radians(bearing)
    east, north = 45.0 * math.sin(azimuth), 45.0 * math.cos(azimuth)
    flight = tracks(
        [Fly(1, 0.0, 0.0, up_m=150.0, v_east=east, v_north=north)], lat=float(lat), lon=float(lon)
    )
    threat = ThreatAssessor(zones).assess(flight)
    assert threat.range_m[0] == pytest.approx(30_000.0, rel=1e-4)
    assert threat.time_to_site_s[0] == pytest.approx(25_000.0 / 45.0, rel=2e-3)
    assert threat.cpa_m[0] < 50.0


def test_circle_approach_directly() -> None:
    offset = np.array([[-20_000.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    velocity = np.array([[50.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    result = circle_approach(offset, velocity, np.array([5_000.0, 1.0]), 900.0)
    assert result.time_to_enter_s[0] == pytest.approx(300.0)
    assert result.inside.tolist() == [False, True]


SQUARE = Polygon(
    vertices=np.array(
        [[-5_000.0, -5_000.0], [5_000.0, -5_000.0], [5_000.0, 5_000.0], [-5_000.0, 5_000.0]]
    ),
    floor_m=-math.inf,
    ceiling_m=500.0,
)


def polygon(position, velocity, height, climb, shape: Polygon = SQUARE, horizon: float = 900.0):
    return polygon_approach(
        np.array(position, float),
        np.array(velocity, float),
        np.array(height, float),
        np.array(climb, float),
        shape,
        horizon,
    )


def test_polygon_entry_cpa_and_band() -> None:
    result = polygon(
        [[-20_000.0, 0.0], [-20_000.0, 8_000.0], [0.0, 0.0], [-10_000.0, 0.0], [-10_000.0, 0.0]],
        [[50.0, 0.0], [50.0, 0.0], [0.0, 0.0], [50.0, 0.0], [50.0, 0.0]],
        [100.0, 100.0, 100.0, 1_000.0, 1_200.0],
        [0.0, 0.0, 0.0, 0.0, -5.0],
    )
    # 1: 15 km to the west edge at 50 m/s; 2: passes 3 km north of the north edge, abeam
    # of the north-west corner after 300 s; 3: inside; 4: over the 500 m ceiling, crosses
    # the square (cpa 0) and misses it by 500 m; 5: over the square after 100 s but under
    # the ceiling only after (1200 - 500) / 5 = 140 s.
    assert result.time_to_enter_s[0] == pytest.approx(300.0)
    assert result.range_m[0] == pytest.approx(15_000.0)
    assert math.isnan(result.time_to_enter_s[1])
    assert result.cpa_m[1] == pytest.approx(3_000.0) and result.t_cpa_s[1] == pytest.approx(300.0)
    assert result.inside.tolist() == [False, False, True, False, False]
    assert result.range_m[2] == 0.0
    assert math.isnan(result.time_to_enter_s[3])
    assert result.cpa_m[3] == 0.0 and result.miss_m[3] == pytest.approx(500.0)
    assert result.time_to_enter_s[4] == pytest.approx(140.0)


def test_polygon_climbing_into_the_band_while_over_it() -> None:
    band = Polygon(SQUARE.vertices, floor_m=200.0, ceiling_m=500.0)
    result = polygon([[0.0, 0.0]], [[0.0, 0.0]], [50.0], [3.0], shape=band)
    assert not result.inside[0]
    assert result.time_to_enter_s[0] == pytest.approx(50.0)


def test_polygon_leaving_and_re_entering_a_concave_shape() -> None:
    # A "U": the path goes through the left arm, the gap, then the right arm.
    u_shape = Polygon(
        np.array(
            [
                [0, 0],
                [3_000, 0],
                [3_000, 3_000],
                [2_000, 3_000],
                [2_000, 1_000],
                [1_000, 1_000],
                [1_000, 3_000],
                [0, 3_000],
            ],
            float,
        ),
        floor_m=-math.inf,
        ceiling_m=math.inf,
    )
    result = polygon([[500.0, 2_000.0]], [[10.0, 0.0]], [100.0], [0.0], shape=u_shape)
    assert result.inside[0]
    outside = polygon([[1_500.0, 2_000.0]], [[10.0, 0.0]], [100.0], [0.0], shape=u_shape)
    assert not outside.inside[0]
    assert outside.time_to_enter_s[0] == pytest.approx(50.0)


def test_geofence_through_the_assessor() -> None:
    fence = Geofence(
        "box", "Box", SiteKind.MILITARY, ((49.9, 19.9), (49.9, 20.1), (50.1, 20.1), (50.1, 19.9))
    )
    assessor = ThreatAssessor(build_zones([], [fence]))
    threat = assessor.assess(tracks([Fly(1, -20_000.0, 0.0, v_east=50.0)]))
    edge = float(
        np.linalg.norm(geodetic_to_ecef(50.0, 19.9, 0.0) - geodetic_to_ecef(50.0, 20.0, 0.0))
    )
    assert threat.site_id[0] == "box"
    assert threat.time_to_site_s[0] == pytest.approx((20_000.0 - edge) / 50.0, rel=1e-3)
    assert threat.cpa_m[0] == 0.0
