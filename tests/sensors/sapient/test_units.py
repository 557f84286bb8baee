"""Units and coordinate systems: what is converted and what is refused."""

from __future__ import annotations

import math

import pytest

from dronewall.core.geodesy import surface_distance_m
from dronewall.sensors.sapient import Reason, SapientError
from dronewall.sensors.sapient.binding import Location, RangeBearing
from dronewall.sensors.sapient.units import (
    Fix,
    Polar,
    east_north,
    fix_from_location,
    location_from_fix,
    polar_from_range_bearing,
    range_bearing_from_polar,
    speed_and_course,
)

DEG, RAD, UTM = 1, 2, 5
ELLIPSOID, GEOID = 1, 2


def test_degrees_are_taken_as_they_are() -> None:
    location = Location(x=21.0, y=52.0, z=150.0, coordinate_system=DEG, datum=ELLIPSOID)
    fix = fix_from_location(location, errors_in_metres=True)
    assert (fix.lat_deg, fix.lon_deg, fix.alt_m) == (52.0, 21.0, 150.0)
    assert math.isnan(fix.sigma_east_m) and math.isnan(fix.sigma_up_m)


def test_longitudes_east_of_180_are_wrapped() -> None:
    location = Location(x=350.0, y=10.0, coordinate_system=DEG, datum=ELLIPSOID)
    assert fix_from_location(location, errors_in_metres=True).lon_deg == -10.0


def test_radians_become_degrees() -> None:
    location = Location(x=math.radians(21.0), y=math.radians(52.0), coordinate_system=RAD, datum=1)
    fix = fix_from_location(location, errors_in_metres=True)
    assert fix.lat_deg == pytest.approx(52.0, abs=1e-12)
    assert fix.lon_deg == pytest.approx(21.0, abs=1e-12)
    assert math.isnan(fix.alt_m)


def test_utm_with_a_band_letter_is_converted() -> None:
    # 500 000 E is the central meridian of zone 34 (21° E); 5 762 000 N is about 52.0° N.
    location = Location(
        x=500_000.0, y=5_762_000.0, z=150.0, coordinate_system=UTM, datum=1, utm_zone="34U"
    )
    fix = fix_from_location(location, errors_in_metres=False)
    assert fix.lon_deg == pytest.approx(21.0, abs=1e-9)
    assert fix.lat_deg == pytest.approx(52.0, abs=0.01)
    south = Location(x=500_000.0, y=5_762_000.0, coordinate_system=UTM, datum=1, utm_zone="34H")
    assert fix_from_location(south, errors_in_metres=False).lat_deg < 0.0


def test_utm_takes_the_registered_zone_when_the_location_has_none() -> None:
    location = Location(x=500_000.0, y=5_762_000.0, coordinate_system=UTM, datum=1)
    assert fix_from_location(location, errors_in_metres=True, zone_hint="34").lon_deg == (
        pytest.approx(21.0)
    )
    with pytest.raises(SapientError) as caught:
        fix_from_location(location, errors_in_metres=True)
    assert (caught.value.reason, caught.value.field) == (Reason.UNSUPPORTED, "utm_zone")


def test_errors_in_degrees_become_metres_on_the_ellipsoid() -> None:
    # 0.001° of latitude at 52° N ≈ 111.3 m; 0.001° of longitude ≈ 68.7 m.
    location = Location(
        x=21.0, y=52.0, x_error=0.001, y_error=0.001, coordinate_system=DEG, datum=1
    )
    fix = fix_from_location(location, errors_in_metres=False)
    north = surface_distance_m(52.0, 21.0, 52.001, 21.0)
    east = surface_distance_m(52.0, 21.0, 52.0, 21.001)
    assert fix.sigma_north_m == pytest.approx(north, rel=1e-4)
    assert fix.sigma_east_m == pytest.approx(east, rel=1e-4)
    assert fix.sigma_horizontal_m == pytest.approx(math.sqrt((north**2 + east**2) / 2), rel=1e-4)


def test_errors_declared_in_metres_are_taken_as_metres() -> None:
    location = Location(
        x=21.0, y=52.0, x_error=5.0, y_error=5.0, z_error=9.0, coordinate_system=1, datum=1
    )
    fix = fix_from_location(location, errors_in_metres=True)
    assert (fix.sigma_horizontal_m, fix.sigma_up_m) == (5.0, 9.0)


def test_geoid_heights_are_refused() -> None:
    with pytest.raises(SapientError) as caught:
        fix_from_location(
            Location(x=1, y=2, coordinate_system=1, datum=GEOID), errors_in_metres=True
        )
    assert caught.value.reason is Reason.UNSUPPORTED


def test_a_fix_survives_location_and_back_exactly() -> None:
    fix = Fix(48.123456789, 11.987654321, 512.25, 7.5, 7.5, 12.0)
    assert fix_from_location(location_from_fix(fix), errors_in_metres=True) == fix


def test_kilometres_and_radians_become_metres_and_degrees() -> None:
    bearing = RangeBearing(
        azimuth=math.pi,
        elevation=0.1,
        range=2.5,
        range_error=0.01,
        azimuth_error=0.01,
        coordinate_system=4,
        datum=1,
    )  # RADIANS_KM
    polar = polar_from_range_bearing(bearing)
    assert polar.range_m == 2500.0 and polar.sigma_range_m == 10.0
    assert polar.azimuth_deg == pytest.approx(180.0)
    assert polar.elevation_deg == pytest.approx(math.degrees(0.1))
    assert polar.sigma_azimuth_deg == pytest.approx(math.degrees(0.01))


def test_negative_azimuths_are_brought_into_0_360() -> None:
    bearing = RangeBearing(azimuth=-90.0, coordinate_system=1, datum=1)
    assert polar_from_range_bearing(bearing).azimuth_deg == 270.0


@pytest.mark.parametrize("datum", [2, 3, 4])  # MAGNETIC, GRID, PLATFORM
def test_bearings_not_from_true_north_are_refused(datum: int) -> None:
    with pytest.raises(SapientError) as caught:
        polar_from_range_bearing(RangeBearing(azimuth=10.0, coordinate_system=1, datum=datum))
    assert caught.value.reason is Reason.UNSUPPORTED


def test_a_range_bearing_without_azimuth_is_refused() -> None:
    with pytest.raises(SapientError):
        polar_from_range_bearing(RangeBearing(range=100.0, coordinate_system=1, datum=1))


def test_a_polar_survives_range_bearing_and_back_exactly() -> None:
    polar = Polar(11061.33, 306.73, 4.31, 10.0, 0.5, 0.7)
    assert polar_from_range_bearing(range_bearing_from_polar(polar)) == polar
    bearing_only = Polar(math.nan, 12.5, math.nan, math.nan, 3.0, math.nan)
    back = polar_from_range_bearing(range_bearing_from_polar(bearing_only))
    assert (back.azimuth_deg, back.sigma_azimuth_deg) == (12.5, 3.0)
    assert math.isnan(back.range_m) and math.isnan(back.elevation_deg)


@pytest.mark.parametrize("course", [0.0, 45.0, 90.0, 179.9, 270.0, 359.5])
def test_speed_and_course_survive_enu_rates(course: float) -> None:
    speed, back = speed_and_course(*east_north(51.4, course))
    assert speed == pytest.approx(51.4, rel=1e-12)
    assert back == pytest.approx(course, abs=1e-9)


def test_horizontal_sigma_of_huge_declared_errors_does_not_overflow() -> None:
    """Found by the atheris fuzz run: east/north sigmas near 1e200 overflowed a² + b²."""
    fix = Fix(55.0, 12.0, sigma_east_m=3e200, sigma_north_m=4e200)
    assert fix.sigma_horizontal_m == pytest.approx(5e200 / math.sqrt(2.0))
    assert Fix(55.0, 12.0, sigma_east_m=3.0, sigma_north_m=4.0).sigma_horizontal_m == (
        pytest.approx(math.sqrt(12.5))
    )
