"""A Remote ID Location/Vector message as a dronewall position ``Report``: ASTM F3411-22a
§5.4.5.7 (Table 6: timestamp in tenths of a second after the full hour, UTC) and Table 7
(accuracy classes, each a 95 % bound), with the receiver's settings.

Altitude: the geodetic altitude (WGS-84 height above the ellipsoid, the ``Report`` datum)
when known, with the vertical accuracy; else the pressure altitude (1013.25 hPa reference),
whose offset from the ellipsoid height is unknown (weather: ±10 hPa ≈ ±80 m; geoid 40–50 m in
Europe), so its sigma adds ``PRESSURE_ALT_SIGMA_M``; else the height above takeoff or
ground added to the receiver's altitude (``HEIGHT_SIGMA_M``); else no report.

Report format 1.1: the vertical speed (Table 6, up positive) is the report's vertical rate,
and the Basic ID's UA type (Table 5) becomes an ADS-B emitter category (``UA_CATEGORY``):
every Remote ID sender is unmanned, so B6 (UAV) unless the type is a lighter-than-air (B2),
a parachute (B3), a rocket (B7) or a tethered or ground obstacle (C3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors.feed import Report
from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.decode import RemoteIdError
from dronewall.sensors.remoteid.messages import Location

NAN = math.nan
CLASS_CONFIDENCE = 0.95  # the transmitter declares itself an unmanned aircraft (F3411 Table 5)
UNKNOWN_HORIZONTAL_BOUND_M = 92.6  # unknown/reserved class read as the 0.05 NM class: a GNSS
# position that does not state its accuracy, not the 10 NM worst case that would gate nothing
UNKNOWN_VERTICAL_BOUND_M = 45.0  # unknown vertical class read as the 45 m class, same reason
PRESSURE_ALT_SIGMA_M = 100.0  # pressure altitude vs ellipsoid height: QNH spread + geoid
HEIGHT_SIGMA_M = 50.0  # height above takeoff/ground vs receiver altitude: terrain unknown
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), for the receiver range check
HALF_HOUR_S = 1800.0
UAV = 0xB6  # DO-260B emitter category B6, as report format 1.1 codes it
# UA type (F3411 Table 5) → emitter category code (DO-260B set/number as hex digits).
UA_CATEGORY = (
    UAV, UAV, UAV, UAV, UAV, UAV, UAV,  # none, aeroplane, multirotor, gyro, hybrid, ornith., glider
    0xC3,  # kite: a tethered obstacle
    0xB2, 0xC3, 0xB2,  # free balloon, captive balloon (C3 includes tethered balloons), airship
    0xB3, 0xB7,  # free fall / parachute, rocket
    0xC3, 0xC3, UAV,  # tethered powered aircraft, ground obstacle, other
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RemoteIdSettings:
    """A Remote ID receiver: where it is (WGS-84, height above the ellipsoid), how far it can
    hear (positions farther are rejected as ``far``: spoofed or wrong), its owner nation."""

    receiver_lat_deg: float = NAN
    receiver_lon_deg: float = NAN
    receiver_alt_m: float = NAN
    max_range_m: float = NAN
    nation: str = ""  # ISO 3166-1 alpha-2
    name: str = ""
    vendor: str = ""
    max_aircraft: int = 4096  # aircraft remembered at once (the least recently heard go)
    identity_refresh_s: float = 10.0  # an unchanged Identity is sent again after this


def horizontal_sigma(code: int) -> float:
    """One standard deviation of the horizontal position error from its accuracy class."""
    bound = f.HORIZONTAL_BOUND_M[code & 0x0F] or UNKNOWN_HORIZONTAL_BOUND_M
    return bound / f.HORIZONTAL_95_PER_SIGMA


def vertical_sigma(code: int) -> float:
    """One standard deviation of a vertical error from its (vertical or baro) class."""
    bound = f.VERTICAL_BOUND_M[code & 0x0F] or UNKNOWN_VERTICAL_BOUND_M
    return bound / f.VERTICAL_95_PER_SIGMA


def altitude(loc: Location, receiver_alt_m: float) -> tuple[float, float, str]:
    """(altitude above the ellipsoid, its sigma, which field gave it) or (NaN, NaN, "")."""
    if not math.isnan(loc.geodetic_alt_m):
        return loc.geodetic_alt_m, vertical_sigma(loc.vertical_accuracy), "geodetic"
    if not math.isnan(loc.pressure_alt_m):
        sigma = math.hypot(vertical_sigma(loc.baro_accuracy), PRESSURE_ALT_SIGMA_M)
        return loc.pressure_alt_m, sigma, "pressure"
    if not math.isnan(loc.height_m) and math.isfinite(receiver_alt_m):
        sigma = math.hypot(vertical_sigma(loc.vertical_accuracy), HEIGHT_SIGMA_M)
        return receiver_alt_m + loc.height_m, sigma, "height"
    return NAN, NAN, ""


def resolve_time(seconds_after_hour: float, t_receive: float) -> float:
    """The POSIX time of a "seconds after the full hour" stamp: the one nearest to
    ``t_receive`` (the hour before or after when the reception straddles an hour)."""
    if math.isnan(seconds_after_hour) or not math.isfinite(t_receive):
        return t_receive
    t = math.floor(t_receive / 3600.0) * 3600.0 + seconds_after_hour
    if t - t_receive > HALF_HOUR_S:
        t -= 3600.0
    elif t_receive - t > HALF_HOUR_S:
        t += 3600.0
    return t


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the mean sphere (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def location_report(
    sensor: str,
    loc: Location,
    identity: str,
    t_receive: float,
    settings: RemoteIdSettings,
    ua_type: int = 0,
) -> tuple[Report | None, str]:
    """The report of a Location message and the altitude field used; (None, "") when it has
    no position or no altitude. Raises ``RemoteIdError("far")`` beyond the receiver's range."""
    if math.isnan(loc.lat_deg):
        return None, ""
    alt, sigma_v, source = altitude(loc, settings.receiver_alt_m)
    if not source:
        return None, ""
    if math.isfinite(settings.max_range_m) and math.isfinite(settings.receiver_lat_deg):
        far = distance_m(
            settings.receiver_lat_deg, settings.receiver_lon_deg, loc.lat_deg, loc.lon_deg
        )
        if far > settings.max_range_m:
            raise RemoteIdError("far", f"{far:.0f} m from the receiver ({identity or '?'})", loc)
    report = Report(
        sensor=sensor,
        sensor_kind=SensorKind.REMOTE_ID,
        measurement=MeasurementKind.POSITION,
        t_measured=resolve_time(loc.timestamp_s, t_receive),
        lat_deg=loc.lat_deg,
        lon_deg=loc.lon_deg,
        alt_m=alt,
        sigma_horizontal_m=horizontal_sigma(loc.horizontal_accuracy),
        sigma_vertical_m=sigma_v,
        speed_mps=loc.speed_mps,
        course_deg=loc.direction_deg,
        vertical_rate_mps=loc.vertical_speed_mps,
        identity=identity,
        declared_class=ObjectClass.DRONE,
        class_confidence=CLASS_CONFIDENCE,
        emitter_category=UA_CATEGORY[ua_type & 0x0F],
    )
    return report, source
