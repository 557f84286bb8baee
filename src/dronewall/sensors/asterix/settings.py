"""What the ASTERIX adapter must know of each radar and cannot read from CAT048: where its
antenna is, how accurate it is, and what to assume of the height of a plot that has none.

One ``RadarSettings`` per SAC/SIC, keyed ``"SAC/SIC"`` (decimal, e.g. ``"25/10"``, the
``Report.sensor`` key) — one table per radar in the feeds file. SAC/SIC are allocated by
EUROCONTROL (ASTERIX SAC list) and by each radar's operator.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

NAN = math.nan
_KEY: Final = re.compile(r"^(\d{1,3})/(\d{1,3})$")


def parse_sensor_key(key: str) -> tuple[int, int]:
    """(SAC, SIC) of a ``"SAC/SIC"`` key; ValueError when it is not two octets."""
    match = _KEY.match(key.strip())
    if match is None or int(match[1]) > 255 or int(match[2]) > 255:
        raise ValueError(f"ASTERIX sensor key {key!r} is not 'SAC/SIC' with 0 ≤ SAC, SIC ≤ 255")
    return int(match[1]), int(match[2])


def sensor_key(sac: int, sic: int) -> str:
    """The ``"SAC/SIC"`` key of a data source (I048/010, I034/010)."""
    return f"{sac}/{sic}"


@dataclass(frozen=True, slots=True)
class RadarSettings:
    """One radar feeding CAT048/CAT034. Heights are metres above the WGS-84 ellipsoid."""

    lat_deg: float  # antenna position, WGS-84
    lon_deg: float
    alt_m: float  # antenna (phase centre) height above the ellipsoid
    name: str = ""
    nation: str = ""  # ISO 3166-1 alpha-2 of the owner
    max_range_m: float = NAN  # instrumented range, for the sensor table
    # EUROCONTROL's radar surveillance standard asks SSR for ≤ 70 m range and ≤ 0.08°
    # azimuth error (1σ); the defaults sit there. Set a counter-drone radar's own figures.
    sigma_range_m: float = 50.0
    sigma_azimuth_deg: float = 0.1
    # A plot with no height (a 2-D radar's, Mode A/C without C): elevation computed for a
    # target this high above the antenna — low-flying drones, light aircraft — with a sigma
    # wide enough (5° ≈ ±870 m at 10 km) that the tracker leans on other sensors for height.
    assumed_height_m: float = 300.0
    sigma_elevation_assumed_deg: float = 5.0
    # I048/110 (3-D radar height, MSL): a 3-D radar's height error at long range (0.2° of
    # elevation at 40 km ≈ 140 m).
    sigma_height_3d_m: float = 150.0
    # I048/090 Mode C / Mode S pressure altitude taken as MSL height: off by QNH and the
    # temperature deviation from ISA (4 % of the height for 10 °C), hence a wide sigma.
    sigma_flight_level_m: float = 150.0
    use_flight_level: bool = True  # False: ignore I048/090 for the elevation
    # Geoid undulation N at the radar (EGM2008, ellipsoid minus MSL; 35–55 m over most of
    # Europe): added to the MSL heights of I048/110 and I048/090.
    geoid_undulation_m: float = 0.0
    # I048/120 CAL's sign is not fixed by the specification: +1 when the radar's positive
    # Doppler speed is an opening range (dronewall's radial velocity), -1 when it is closing.
    doppler_sign: float = 1.0
    # I048/130 PAM → RCS: the amplitude (dBm) this radar reports for a 1 m² target at 1 km
    # (its radar-equation constant, from calibration); NaN: no RCS is derived.
    amplitude_1m2_1km_dbm: float = NAN

    def __post_init__(self) -> None:
        problems = []
        if not -90.0 <= self.lat_deg <= 90.0 or not -180.0 <= self.lon_deg <= 180.0:
            problems.append(f"position {self.lat_deg}, {self.lon_deg} is not on the earth")
        heights = (self.alt_m, self.assumed_height_m, self.geoid_undulation_m)
        if not all(math.isfinite(h) for h in heights):
            problems.append("alt_m, assumed_height_m and geoid_undulation_m must be finite")
        sigmas = (
            self.sigma_range_m,
            self.sigma_azimuth_deg,
            self.sigma_elevation_assumed_deg,
            self.sigma_height_3d_m,
            self.sigma_flight_level_m,
        )
        if not all(math.isfinite(s) and s > 0.0 for s in sigmas):
            problems.append("every sigma must be finite and > 0")
        if self.doppler_sign not in (1.0, -1.0):
            problems.append("doppler_sign must be 1 or -1")
        if problems:
            raise ValueError("RadarSettings: " + "; ".join(problems))
