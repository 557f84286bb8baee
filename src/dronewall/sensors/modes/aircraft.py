"""What a receiver feed remembers of each aircraft between messages: the latest even and odd
CPR frames (DO-260B §A.1.7.7 pairs them within 10 s), the last decoded position (the reference
for local decoding, §A.1.7.5), the latest velocity, the quality fields (version, NIC
supplements, NACp, GVA from TC 29/31) and the identification. An aircraft not heard for
``TTL_S`` is forgotten; the table never holds more than ``MAX_AIRCRAFT``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

NAN = math.nan
# 5 minutes: what dump1090 and readsb keep an aircraft without messages; also bounds how long
# DF4/5/20/21 replies are attributed to an address learnt from DF11/17/18.
TTL_S = 300.0
# Far more than one receiver hears (a busy European site: 300–600 aircraft); a bound on the
# memory that corrupted addresses could otherwise take.
MAX_AIRCRAFT = 20_000
SWEEP_EVERY_S = 30.0  # how often (in message time) the forgotten are removed


@dataclass(frozen=True, slots=True)
class CprFrame:
    lat_cpr: int
    lon_cpr: int
    t: float
    surface: bool


@dataclass(slots=True)
class Aircraft:
    """Mutable per-address state (not a record: it is updated in place by every message)."""

    address: int
    identity: str  # "4840D6"; "~4840D6" for a non-ICAO address
    last_seen: float
    verified_seen: float = -math.inf  # last DF11/17/18 (parity proves the address)
    even: CprFrame | None = None
    odd: CprFrame | None = None
    lat: float = NAN
    lon: float = NAN
    pos_t: float = -math.inf
    pos_is_reference: bool = False  # may serve local decoding and speed checks
    receiver_cpr_ok: bool = True  # False once a global decode put it beyond the maximum range
    gs_kt: float = NAN
    track_deg: float = NAN
    vel_t: float = -math.inf
    airspeed_kt: float = NAN
    air_t: float = -math.inf
    vr_fpm: float = NAN
    vr_t: float = -math.inf
    geo_minus_baro_ft: float = NAN
    geo_t: float = -math.inf
    baro_ft: float = NAN  # last barometric altitude (ADS-B or a DF0/4/16/20 reply)
    baro_t: float = -math.inf
    version: int = -1  # ADS-B version from TC 31; -1 until heard
    nic_a: int = 0
    nic_c: int = 0
    nacp: int = -1
    nacp_t: float = -math.inf
    gva: int = -1
    sil: int = -1
    rc_m: float = math.inf  # containment radius of the last position
    callsign: str = ""
    category: str = ""
    identity_sent_t: float = -math.inf
    squawk: str = ""
    emergency: int = 0


@dataclass(slots=True)
class AircraftTable:
    """Aircraft by 24-bit address (non-ICAO addresses are kept apart by a flag bit)."""

    aircraft: dict[int, Aircraft] = field(default_factory=dict)
    _next_sweep: float = -math.inf

    def get(self, key: int) -> Aircraft | None:
        return self.aircraft.get(key)

    def touch(self, address: int, icao: bool, t: float) -> Aircraft:
        """The aircraft of an address heard now, created if new."""
        key = address if icao else address | 1 << 24
        known = self.aircraft.get(key)
        if known is None:
            if t >= self._next_sweep or len(self.aircraft) >= MAX_AIRCRAFT:
                self.sweep(t)
            ident = f"{address:06X}" if icao else f"~{address:06X}"
            known = Aircraft(address, ident, t)
            self.aircraft[key] = known
        else:
            known.last_seen = max(known.last_seen, t)
        return known

    def sweep(self, t: float) -> None:
        """Forget aircraft not heard for ``TTL_S``; if still full, the longest unheard."""
        self._next_sweep = t + SWEEP_EVERY_S
        stale = [k for k, a in self.aircraft.items() if t - a.last_seen > TTL_S]
        for k in stale:
            del self.aircraft[k]
        if len(self.aircraft) >= MAX_AIRCRAFT:
            oldest = sorted(self.aircraft, key=lambda k: self.aircraft[k].last_seen)
            for k in oldest[: len(self.aircraft) - MAX_AIRCRAFT + 1]:
                del self.aircraft[k]

    def known_address(self, address: int, t: float) -> Aircraft | None:
        """The aircraft whose address a DF11/17/18 proved within ``TTL_S`` (to attribute an
        address recovered from AP parity), else None."""
        known = self.aircraft.get(address)
        if known is None or t - known.verified_seen > TTL_S:
            return None
        return known
