"""Settings of one Mode S / ADS-B receiver feed (dump1090, dump1090-fa, readsb, a Mode-S Beast
or Radarcape): where the receiver is, how far it can hear, and the decoder's tolerances.

The receiver position serves the CPR decoding of DO-260B §A.1.7.5 (local decoding against a
reference within half a zone: 180 NM airborne, 45 NM surface) and the range sanity check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

NAN = math.nan
NM = 1852.0  # metres per international nautical mile

TimestampMode = Literal["12mhz", "gps", "none"]


@dataclass(frozen=True, slots=True)
class ReceiverSettings:
    """A receiver's position and the decoder's tolerances. All defaults are usable: a receiver
    without a position decodes positions from even/odd pairs only (no receiver-relative CPR)."""

    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_m: float = NAN  # antenna height above the WGS-84 ellipsoid (for surface reports)
    # 400 km (216 NM): beyond what a ground receiver hears except in ducting; dump1090's default
    # is 300 NM. A decode farther than this is rejected ("range").
    max_range_m: float = 400_000.0
    nation: str = ""  # ISO 3166-1 alpha-2 of the receiver's owner
    name: str = ""
    # How to read the 48-bit Beast/AVR timestamp: a free-running 12 MHz counter (dump1090,
    # readsb, Beast), GPS seconds-of-day + nanoseconds (Radarcape in GPS mode), or ignore it.
    timestamp: TimestampMode = "12mhz"
    # Frames of one read are spread back from t_receive by their timestamps only when they lie
    # within this span: dump1090 and readsb flush their network output at least every second.
    max_chunk_spread_s: float = 2.0
    # Used until an aircraft's NACp (or a NIC-derived bound) is known: NACp 8 (EPU < 93 m),
    # the common value of modern transponders, gives 38 m; 100 m is deliberately cautious.
    default_sigma_horizontal_m: float = 100.0
    # Baro altitude is pressure altitude on 1013.25 hPa, not ellipsoid height: ±20 hPa of
    # weather is ±170 m low down, plus the geoid (40–55 m in Europe). 150 m covers both.
    sigma_vertical_baro_m: float = 150.0
    # Baro + the aircraft's own GNSS-minus-baro difference (TC 19): 25 ft steps, GNSS vertical
    # error and the HAE/MSL ambiguity of older transponders.
    sigma_vertical_geo_m: float = 30.0
    # Fastest plausible airborne speed when the aircraft's own is unknown (1000 kt: fast jets).
    max_speed_mps: float = 515.0
    receiver_relative_cpr: bool = True  # local CPR against the receiver for a first fix
    surface_reports: bool = True  # report surface positions (at the receiver's height)
    # An SBS time is used instead of t_receive only when within this of it (after removing a
    # whole number of quarter hours of time zone): receivers flush at least every second.
    sbs_time_window_s: float = 2.0

    @property
    def has_position(self) -> bool:
        return math.isfinite(self.lat_deg) and math.isfinite(self.lon_deg)
