"""Units and coordinate systems of BSI Flex 335 v2.0 (``location.proto``,
``range_bearing.proto``, ``velocity.proto``) ⇄ dronewall's (degrees, metres, WGS-84 ellipsoid
heights, azimuth clockwise from true north, metres per second).

What is converted, and what is refused as ``unsupported`` (valid SAPIENT that dronewall
cannot turn into a measurement without guessing):

* ``Location``: lat/lon in degrees or radians, or UTM metres (zone from ``utm_zone``, else
  the node's registered zone; a band letter C–M is southern, N–X northern, as MGRS). Datum
  ``WGS84_E`` (ellipsoid heights). ``WGS84_G`` (geoid heights) is refused: converting needs
  a geoid model (EGM96/2008) that is not bundled.
* Location errors are one standard deviation per axis (the ICD has no cross-covariance).
  Their unit is the coordinate's unit, unless the node's registration declares a geometric
  error in metres, in which case x/y errors are metres east/north. Degree and radian errors
  become metres through the WGS-84 meridian and prime-vertical radii of curvature.
* ``RangeBearing``: degrees or radians, metres or kilometres; north ``TRUE`` only.
  ``MAGNETIC`` needs a field model, ``GRID`` the grid convergence, ``PLATFORM`` the
  platform's heading: all refused.
* ``ENUVelocity``: m/s or km/h as registered (default m/s) → ground speed and course.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from pyproj import Transformer

from dronewall.core.geodesy import WGS84_A, WGS84_F
from dronewall.sensors.sapient.binding import (
    Location,
    LocationCoordinateSystem,
    LocationDatum,
    RangeBearing,
    RangeBearingCoordinateSystem,
    RangeBearingDatum,
)
from dronewall.sensors.sapient.rejects import Reason, SapientError

LAT_LNG_DEG_M = LocationCoordinateSystem.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
LAT_LNG_RAD_M = LocationCoordinateSystem.LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M
UTM_M = LocationCoordinateSystem.LOCATION_COORDINATE_SYSTEM_UTM_M
WGS84_E = LocationDatum.LOCATION_DATUM_WGS84_E
DEGREES_M = RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M
TRUE_NORTH = RangeBearingDatum.RANGE_BEARING_DATUM_TRUE
_RADIAN_SYSTEMS = (
    RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M,
    RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM,
)
_KM_SYSTEMS = (
    RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM,
    RangeBearingCoordinateSystem.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM,
)
_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared
_ZONE = re.compile(r"0?([1-9]|[1-5][0-9]|60)([C-HJ-NP-X]?)", re.IGNORECASE)
NAN = math.nan


@dataclass(frozen=True, slots=True)
class Fix:
    """A position fix in dronewall units; sigmas are one standard deviation in metres."""

    lat_deg: float
    lon_deg: float
    alt_m: float = NAN
    sigma_east_m: float = NAN
    sigma_north_m: float = NAN
    sigma_up_m: float = NAN

    @property
    def sigma_horizontal_m(self) -> float:
        """One horizontal sigma: the root mean square of east and north (exact if equal)."""
        if self.sigma_east_m == self.sigma_north_m:
            return self.sigma_east_m
        # hypot, not sqrt(a² + b²): a huge declared error must not overflow (found by fuzzing)
        return math.hypot(self.sigma_east_m, self.sigma_north_m) / math.sqrt(2.0)


@dataclass(frozen=True, slots=True)
class Polar:
    """Range (m, NaN for a bearing), azimuth and elevation (degrees, NaN if absent) + sigmas."""

    range_m: float
    azimuth_deg: float
    elevation_deg: float
    sigma_range_m: float
    sigma_azimuth_deg: float
    sigma_elevation_deg: float


def _unsupported(message: str, value: object, field: str) -> SapientError:
    return SapientError(Reason.UNSUPPORTED, message, value, field)


def fix_from_location(location: Location, *, errors_in_metres: bool, zone_hint: str = "") -> Fix:
    """A SAPIENT ``Location`` (already ICD-valid) → a ``Fix``; raises ``SapientError``."""
    if location.datum != WGS84_E:
        raise _unsupported("geoid (WGS84_G) heights need a geoid model", location.datum, "datum")
    x, y = location.x, location.y
    alt = location.z if location.HasField("z") else NAN
    system = location.coordinate_system
    if system == UTM_M:
        lat, lon = _utm_to_geodetic(x, y, location.utm_zone or zone_hint)
        errors_in_metres = True  # UTM coordinates, and so their errors, are metres
    elif system == LAT_LNG_RAD_M:
        lat, lon = math.degrees(y), math.degrees(x)
    else:
        lat, lon = y, x
    lon = lon - 360.0 if lon > 180.0 else lon
    east, north = _optional(location, "x_error"), _optional(location, "y_error")
    if not errors_in_metres:
        scale = 1.0 if system == LAT_LNG_RAD_M else math.pi / 180.0
        east, north = _angle_errors_to_metres(lat, east * scale, north * scale)
    return Fix(lat, lon, alt, east, north, _optional(location, "z_error"))


def location_from_fix(fix: Fix) -> Location:
    """A ``Fix`` → a SAPIENT ``Location`` in degrees on the WGS-84 ellipsoid, errors in metres
    (the sender registers its geometric error in metres: see ``nodes.registration_for``)."""
    location = Location(
        x=fix.lon_deg, y=fix.lat_deg, coordinate_system=LAT_LNG_DEG_M, datum=WGS84_E
    )
    for name, value in (
        ("z", fix.alt_m),
        ("x_error", fix.sigma_east_m),
        ("y_error", fix.sigma_north_m),
        ("z_error", fix.sigma_up_m),
    ):
        if math.isfinite(value):
            setattr(location, name, value)
    return location


def polar_from_range_bearing(bearing: RangeBearing) -> Polar:
    """A SAPIENT ``RangeBearing`` (already ICD-valid) → a ``Polar``; raises ``SapientError``."""
    if bearing.datum != TRUE_NORTH:
        raise _unsupported("only true-north bearings are converted", bearing.datum, "datum")
    if not bearing.HasField("azimuth"):
        raise _unsupported("a range/bearing without an azimuth", None, "azimuth")
    angle = math.degrees if bearing.coordinate_system in _RADIAN_SYSTEMS else float
    length = 1000.0 if bearing.coordinate_system in _KM_SYSTEMS else 1.0
    return Polar(
        range_m=_optional(bearing, "range") * length,
        azimuth_deg=angle(bearing.azimuth) % 360.0,
        elevation_deg=angle(_optional(bearing, "elevation")),
        sigma_range_m=_optional(bearing, "range_error") * length,
        sigma_azimuth_deg=angle(_optional(bearing, "azimuth_error")),
        sigma_elevation_deg=angle(_optional(bearing, "elevation_error")),
    )


def range_bearing_from_polar(polar: Polar) -> RangeBearing:
    """A ``Polar`` → a SAPIENT ``RangeBearing`` in degrees and metres from true north."""
    bearing = RangeBearing(coordinate_system=DEGREES_M, datum=TRUE_NORTH)
    for name, value in (
        ("range", polar.range_m),
        ("azimuth", polar.azimuth_deg),
        ("elevation", polar.elevation_deg),
        ("range_error", polar.sigma_range_m),
        ("azimuth_error", polar.sigma_azimuth_deg),
        ("elevation_error", polar.sigma_elevation_deg),
    ):
        if math.isfinite(value):
            setattr(bearing, name, value)
    return bearing


def speed_and_course(east: float, north: float) -> tuple[float, float]:
    """Ground speed and course (degrees clockwise from north, [0, 360)) from ENU rates."""
    course = math.degrees(math.atan2(east, north)) % 360.0
    return math.hypot(east, north), course


def east_north(speed: float, course_deg: float) -> tuple[float, float]:
    course = math.radians(course_deg)
    return speed * math.sin(course), speed * math.cos(course)


def _optional(message: Location | RangeBearing, name: str) -> float:
    return float(getattr(message, name)) if message.HasField(name) else NAN


def _angle_errors_to_metres(
    lat_deg: float, east_rad: float, north_rad: float
) -> tuple[float, float]:
    """Errors in radians of longitude and latitude → metres east and north (WGS-84 radii)."""
    sin_lat = math.sin(math.radians(lat_deg))
    w = math.sqrt(1.0 - _E2 * sin_lat**2)
    prime_vertical = WGS84_A / w
    meridian = WGS84_A * (1.0 - _E2) / w**3
    return east_rad * prime_vertical * math.cos(math.radians(lat_deg)), north_rad * meridian


def _utm_to_geodetic(easting: float, northing: float, zone: str) -> tuple[float, float]:
    match = _ZONE.fullmatch(zone.strip())
    if match is None:
        raise _unsupported("UTM location without a usable zone", zone, "utm_zone")
    number, band = int(match.group(1)), match.group(2).upper()
    southern = bool(band) and band < "N"
    lon, lat = _utm_transformer(number, southern).transform(easting, northing)
    return float(lat), float(lon)


@cache
def _utm_transformer(zone: int, southern: bool) -> Transformer:
    epsg = (32700 if southern else 32600) + zone
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
