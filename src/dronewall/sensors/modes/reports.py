"""ADS-B positions as ``Report``s (the feed contract, ``dronewall.sensors.feed``).

* Horizontal σ: from the aircraft's NACp (version 1–2, TC 29/31), else version 0's NUCp from
  the type code, else the containment radius of the position's NIC, else the receiver's
  default (``accuracy.py`` says how a 95 % bound becomes a σ).
* Height: TC 20–22 give GNSS height above the ellipsoid (σ from GVA when known). TC 9–18 give
  pressure altitude (1013.25 hPa), which is not ellipsoid height: when the aircraft's own
  GNSS-minus-baro difference (TC 19) is recent it is added (σ ``sigma_vertical_geo_m``),
  otherwise the pressure altitude is reported as it is with the wide ``sigma_vertical_baro_m``.
* Speed, course and vertical rate: the aircraft's latest airborne velocity (subtypes 1–2 over
  ground; subtypes 3–4 give airspeed and heading, which are not ground velocity and are not
  reported) if not older than ``VELOCITY_AGE_S``.
* Report format 1.1: the emitter category as its code (``category_code``: "A3" → 0xA3), NIC
  from the position's containment radius, NACp (versions 1–2) — beside the σ they give.
* Declared class from the emitter category: B6 (unmanned aerial vehicle) → drone; A1–A7, B1
  (glider), B2 (lighter than air), B4 (ultralight) → aircraft; other categories (parachutist,
  space vehicle, surface vehicles, obstacles) → unknown; no category yet → aircraft, with less
  confidence. The transponder declares it, nothing proves it.
"""

from __future__ import annotations

import math

from dronewall.core.types import MeasurementKind, ObjectClass, SensorKind
from dronewall.sensors.feed import Report
from dronewall.sensors.modes import accuracy
from dronewall.sensors.modes.aircraft import Aircraft
from dronewall.sensors.modes.settings import ReceiverSettings

FT = 0.3048  # metres per foot
KT = 1852.0 / 3600.0  # m/s per knot
FPM = FT / 60.0  # m/s per foot per minute
# ADS-B velocity is broadcast twice a second; after 5 s without one the speed is stale.
VELOCITY_AGE_S = 5.0
# The GNSS-minus-baro difference moves with the weather, slowly: one a minute old still holds.
GEO_DELTA_AGE_S = 60.0
# A Mode S altitude reply (DF0/4/16/20) stands in for a position without altitude this long.
BARO_FALLBACK_AGE_S = 10.0
DECLARED_CONFIDENCE = 0.95  # the aircraft's own category, set at installation
UNDECLARED_CONFIDENCE = 0.8  # an ADS-B transmitter without a category yet: most are aircraft
_AIRCRAFT_CATEGORIES = frozenset({"A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2", "B4"})


def declared_class(category: str) -> tuple[ObjectClass, float]:
    """Class and confidence the emitter category declares."""
    if category == "B6":
        return ObjectClass.DRONE, DECLARED_CONFIDENCE
    if category in _AIRCRAFT_CATEGORIES:
        return ObjectClass.AIRCRAFT, DECLARED_CONFIDENCE
    if category == "" or category.endswith("0"):
        return ObjectClass.AIRCRAFT, UNDECLARED_CONFIDENCE
    return ObjectClass.UNKNOWN, 0.0


def category_code(category: str) -> int:
    """The emitter category as report format 1.1's code: set letter and number read as two
    hex digits ("A3" → 0xA3, "B6" → 0xB6); 0 when not heard (docs/report-format.md)."""
    if len(category) != 2 or category[0] not in "ABCD" or category[1] not in "01234567":
        return 0
    return int(category, 16)


def _quality(report: Report, ac: Aircraft) -> Report:
    """``report`` with the aircraft's category, NIC and NACp (format 1.1) filled."""
    report.emitter_category = category_code(ac.category)
    report.nic = accuracy.nic_from_rc(ac.rc_m)
    report.nacp = accuracy.reported_nacp(ac.nacp) if ac.version >= 1 else 0
    return report


def sigma_horizontal(
    ac: Aircraft, type_code: int, surface: bool, settings: ReceiverSettings
) -> float:
    """Per-axis horizontal σ (m) of a position of this aircraft."""
    if ac.version >= 1 and ac.nacp >= 0:
        return accuracy.sigma_from_nacp(ac.nacp, surface)
    if ac.version == 0:
        sigma = accuracy.sigma_from_nucp(type_code, surface)
        if math.isfinite(sigma):
            return sigma
    if math.isfinite(ac.rc_m):
        return min(accuracy.sigma_from_rc(ac.rc_m, surface), settings.default_sigma_horizontal_m)
    return settings.default_sigma_horizontal_m


def height(
    ac: Aircraft, alt_ft: float, gnss: bool, t: float, settings: ReceiverSettings
) -> tuple[float, float]:
    """(height m, σ m) of an airborne position's altitude field."""
    if gnss:
        sigma = accuracy.sigma_vertical_from_gva(ac.gva) if ac.gva >= 0 else math.inf
        return alt_ft * FT, sigma if math.isfinite(sigma) else settings.sigma_vertical_geo_m
    if t - ac.geo_t <= GEO_DELTA_AGE_S and math.isfinite(ac.geo_minus_baro_ft):
        return (alt_ft + ac.geo_minus_baro_ft) * FT, settings.sigma_vertical_geo_m
    return alt_ft * FT, settings.sigma_vertical_baro_m


def position_report(
    key: str,
    ac: Aircraft,
    fix: tuple[float, float],
    t: float,
    alt: tuple[float, float],
    sigma_h: float,
) -> Report:
    """An airborne position report with the aircraft's latest velocity."""
    cls, confidence = declared_class(ac.category)
    report = Report(
        sensor=key,
        sensor_kind=SensorKind.ADSB,
        measurement=MeasurementKind.POSITION,
        t_measured=t,
        lat_deg=fix[0],
        lon_deg=fix[1],
        alt_m=alt[0],
        sigma_horizontal_m=sigma_h,
        sigma_vertical_m=alt[1],
        identity=ac.identity,
        declared_class=cls,
        class_confidence=confidence,
    )
    if abs(t - ac.vel_t) <= VELOCITY_AGE_S:
        report.speed_mps = ac.gs_kt * KT
        report.course_deg = ac.track_deg
    if abs(t - ac.vr_t) <= VELOCITY_AGE_S:
        report.vertical_rate_mps = ac.vr_fpm * FPM
    return _quality(report, ac)


def surface_report(
    key: str,
    ac: Aircraft,
    fix: tuple[float, float],
    t: float,
    motion: tuple[float | None, float | None],
    sigma_h: float,
    settings: ReceiverSettings,
) -> Report:
    """A surface position, at the receiver's height (the airport is within 45 NM of it)."""
    cls, confidence = declared_class(ac.category)
    speed_kt, track = motion
    report = Report(
        sensor=key,
        sensor_kind=SensorKind.ADSB,
        measurement=MeasurementKind.POSITION,
        t_measured=t,
        lat_deg=fix[0],
        lon_deg=fix[1],
        alt_m=settings.alt_m,
        sigma_horizontal_m=sigma_h,
        sigma_vertical_m=settings.sigma_vertical_baro_m,
        speed_mps=speed_kt * KT if speed_kt is not None else math.nan,
        course_deg=track if track is not None else math.nan,
        vertical_rate_mps=0.0,
        identity=ac.identity,
        declared_class=cls,
        class_confidence=confidence,
    )
    return _quality(report, ac)
