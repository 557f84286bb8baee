"""Compact Position Reporting: DO-260B Appendix A §A.1.7 (ICAO Doc 9871 §C.2.6), 17-bit
encoding (airborne and surface; NZ = 15 latitude zones per quadrant).

* ``nl(lat)`` — number of longitude zones at a latitude (§A.1.7.2 d).
* ``global_airborne`` — unambiguous position from an even and an odd frame (§A.1.7.7).
* ``local`` — position from one frame and a reference within half a zone (§A.1.7.5): 180 NM
  airborne (zones of 360° / 60 or 59 latitude), 45 NM on the surface (90° / 60 or 59).

Angles are degrees; results are normalised to latitude [−90, 90], longitude [−180, 180).
"""

from __future__ import annotations

import math

NZ = 15  # latitude zones between the equator and a pole
CPR_MAX = 1 << 17  # 2^Nb, Nb = 17 bits
_NL_CONST = 1.0 - math.cos(math.pi / (2 * NZ))


def _transitions() -> tuple[float, ...]:
    """Latitudes where NL drops by one, for NL = 59 … 2 (§A.1.7.2 d, the closed form)."""
    lats = []
    for zones in range(59, 1, -1):
        ratio = _NL_CONST / (1 - math.cos(2 * math.pi / zones))
        lats.append(math.degrees(math.acos(math.sqrt(ratio))))
    return tuple(lats)


_TRANSITIONS = _transitions()  # increasing: index k is where NL goes from 59 - k to 58 - k


def nl(lat_deg: float) -> int:
    """Number of longitude zones at ``lat_deg`` (59 at the equator, 2 at 87°, 1 above)."""
    lat = abs(lat_deg)
    if lat == 87.0:
        return 2  # §A.1.7.2 d: the closed form is singular here; the standard sets NL(±87°) = 2
    zones = 59
    for boundary in _TRANSITIONS:
        if lat < boundary:
            return zones
        zones -= 1
    return 1


def _lon180(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def global_airborne(
    even: tuple[int, int], odd: tuple[int, int], odd_latest: bool
) -> tuple[float, float] | None:
    """Position from an even and an odd airborne frame ``(lat_cpr, lon_cpr)``, at the time of the
    latest one; None when the pair straddles a longitude-zone boundary or is inconsistent."""
    yz0, yz1 = even[0] / CPR_MAX, odd[0] / CPR_MAX
    j = math.floor(59 * yz0 - 60 * yz1 + 0.5)
    lat0 = 6.0 * (j % 60 + yz0)
    lat1 = (360.0 / 59) * (j % 59 + yz1)
    if lat0 >= 270.0:
        lat0 -= 360.0
    if lat1 >= 270.0:
        lat1 -= 360.0
    if not (-90.0 <= lat0 <= 90.0 and -90.0 <= lat1 <= 90.0):
        return None
    zones = nl(lat0)
    if zones != nl(lat1):
        return None
    xz0, xz1 = even[1] / CPR_MAX, odd[1] / CPR_MAX
    m = math.floor(xz0 * (zones - 1) - xz1 * zones + 0.5)
    if odd_latest:
        n = max(zones - 1, 1)
        return lat1, _lon180((360.0 / n) * (m % n + xz1))
    n = max(zones, 1)
    return lat0, _lon180((360.0 / n) * (m % n + xz0))


def local(
    ref_lat: float, ref_lon: float, lat_cpr: int, lon_cpr: int, odd: bool, surface: bool
) -> tuple[float, float] | None:
    """Position from one frame, taking the candidate nearest the reference; None if the result
    is not a latitude (a reference or frame far off)."""
    span = 90.0 if surface else 360.0
    i = 1 if odd else 0
    dlat = span / (4 * NZ - i)
    yz = lat_cpr / CPR_MAX
    j = math.floor(ref_lat / dlat) + math.floor(0.5 + (ref_lat % dlat) / dlat - yz)
    lat = dlat * (j + yz)
    if not -90.0 <= lat <= 90.0:
        return None
    dlon = span / max(nl(lat) - i, 1)
    xz = lon_cpr / CPR_MAX
    m = math.floor(ref_lon / dlon) + math.floor(0.5 + (ref_lon % dlon) / dlon - xz)
    return lat, _lon180(dlon * (m + xz))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the mean-radius sphere (enough for range and speed checks)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))
