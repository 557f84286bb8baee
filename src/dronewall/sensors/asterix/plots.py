"""CAT048 target reports to sensor-neutral radar ``Report``s (EUROCONTROL-SPEC-0149-4,
edition 1.32: items I048/020, I048/040, I048/090, I048/110, I048/200, I048/220).

A plot is the measured slant range (I048/040 RHO, or the REF's ERR beyond 256 NM) and azimuth
(THETA, clockwise from north as the tracker's azimuth) of the present antenna scan. Its
elevation, which CAT048 does not carry, comes from a height (see ``geometry``): the 3-D
radar's I048/110, else the validated, ungarbled Mode C / Mode S flight level I048/090 — both
above MSL, lifted to the ellipsoid by the radar's geoid undulation — else the radar's assumed
height with its wide sigma. The calculated position I048/042 is a tracker's output, not a
measurement of this scan, and is not used.

Not reported (counted by reason): TYP 0, an extrapolated track with no detection
(``no_detection``); simulated (SIM), test (TST) and field-monitor (RAB) reports
(``test_target``); records without I048/040 (``no_position``); ERR set without a readable
REF ERR item (``extended_range``).

Report format 1.1: I048/120's calculated Doppler speed (not when flagged doubtful) is the
radial velocity, signed by the radar's ``doppler_sign``; with a calibrated
``amplitude_1m2_1km_dbm`` the primary amplitude I048/130 PAM becomes a radar cross-section by
the radar equation (received power ∝ σ / R⁴): RCS = PAM − constant + 40·log₁₀(R / 1 km).
"""

from __future__ import annotations

import math
from typing import Final

from dronewall.core.types import MeasurementKind, SensorKind
from dronewall.sensors.asterix.cat048 import Cat048Record
from dronewall.sensors.asterix.geometry import elevation_deg, elevation_sigma_deg
from dronewall.sensors.asterix.settings import RadarSettings
from dronewall.sensors.feed import Report

NM_M: Final = 1852.0  # international nautical mile
FT_M: Final = 0.3048  # international foot
FL_M: Final = 100.0 * FT_M  # one flight level: 100 ft of pressure altitude
# Elevation sigma bounds for a measured height: the floor is the height quantisation (25 ft,
# I048/110 LSB) seen from 150 km; the cap keeps close targets from claiming no elevation.
MIN_SIGMA_ELEVATION_DEG: Final = 0.003
MAX_SIGMA_ELEVATION_DEG: Final = 30.0

NO_DETECTION: Final = "no_detection"
TEST_TARGET: Final = "test_target"
NO_POSITION: Final = "no_position"
EXTENDED_RANGE: Final = "extended_range"


def skip_reason(record: Cat048Record) -> str:
    """Why the record gives no report, or "" when it is a plot to report."""
    if record.typ == 0:
        return NO_DETECTION
    if record.simulated or record.test_target or record.field_monitor:
        return TEST_TARGET
    if record.rho_nm is None or record.theta_deg is None:
        return NO_POSITION
    if record.extended_range and record.extended_rho_nm is None:
        return EXTENDED_RANGE
    return ""


def target_height(record: Cat048Record, radar: RadarSettings) -> tuple[float, float] | None:
    """(height above the ellipsoid, its sigma) in metres from I048/110 or I048/090, if any."""
    if record.height_3d_ft is not None:
        return record.height_3d_ft * FT_M + radar.geoid_undulation_m, radar.sigma_height_3d_m
    usable = not (record.flight_level_not_validated or record.flight_level_garbled)
    if record.flight_level is not None and usable and radar.use_flight_level:
        height = record.flight_level * FL_M + radar.geoid_undulation_m
        return height, radar.sigma_flight_level_m
    return None


def plot_report(record: Cat048Record, key: str, radar: RadarSettings, t: float) -> Report:
    """The RADAR report of a record that ``skip_reason`` lets through, measured at ``t``."""
    rho_nm = record.extended_rho_nm if record.extended_range else record.rho_nm
    range_m = (rho_nm or 0.0) * NM_M
    height = target_height(record, radar)
    if height is None:
        target_alt = radar.alt_m + radar.assumed_height_m
        elevation = elevation_deg(range_m, radar.alt_m, target_alt)
        sigma_elevation = radar.sigma_elevation_assumed_deg
    else:
        elevation = elevation_deg(range_m, radar.alt_m, height[0])
        sigma_elevation = elevation_sigma_deg(
            range_m, elevation, height[1], MIN_SIGMA_ELEVATION_DEG, MAX_SIGMA_ELEVATION_DEG
        )
    report = Report(
        sensor=key,
        sensor_kind=SensorKind.RADAR,
        measurement=MeasurementKind.RADAR,
        t_measured=t,
        range_m=range_m,
        azimuth_deg=record.theta_deg or 0.0,
        elevation_deg=elevation,
        sigma_range_m=radar.sigma_range_m,
        sigma_azimuth_deg=radar.sigma_azimuth_deg,
        sigma_elevation_deg=sigma_elevation,
    )
    if record.groundspeed_nm_s is not None and record.heading_deg is not None:
        report.speed_mps = record.groundspeed_nm_s * NM_M
        report.course_deg = record.heading_deg
    if record.address is not None:
        report.identity = f"{record.address:06X}"
    if record.doppler_mps is not None and not record.doppler_doubtful:
        report.radial_velocity_mps = radar.doppler_sign * record.doppler_mps
    report.rcs_dbsm = rcs_dbsm(record.psr_amplitude_dbm, range_m, radar)
    return report


def rcs_dbsm(amplitude_dbm: float | None, range_m: float, radar: RadarSettings) -> float:
    """The RCS (dBsm) of a primary plot's amplitude at ``range_m`` by the radar equation; NaN
    without an amplitude, a calibration constant or a range."""
    if amplitude_dbm is None or not math.isfinite(radar.amplitude_1m2_1km_dbm) or range_m <= 0:
        return math.nan
    return amplitude_dbm - radar.amplitude_1m2_1km_dbm + 40.0 * math.log10(range_m / 1000.0)


def is_finite_report(report: Report) -> bool:
    """The tracker's needs of a RADAR report: finite range, azimuth, elevation and sigmas."""
    values = (
        report.range_m,
        report.azimuth_deg,
        report.elevation_deg,
        report.sigma_range_m,
        report.sigma_azimuth_deg,
        report.sigma_elevation_deg,
    )
    return all(math.isfinite(v) for v in values)
