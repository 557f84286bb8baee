"""Elevation of a radar plot from its slant range and its height, for a 2-D radar's plots
(which carry no elevation) — the geometry behind the adapter's ``elevation_deg``.

The tracker (``dronewall.models.measurement.radar_to_ecef``) places a plot along the straight
line from the antenna at (range, azimuth, elevation) in the antenna's local ENU frame: the
elevation it needs is the *geometric* one, of the chord from antenna to target. In the plane
of the earth's centre C, the antenna A and the target T, with ``a = R + h_antenna``,
``t = R + h_target`` and the slant range ``r`` (law of cosines in triangle C-A-T):

    t² = a² + r² + 2·a·r·sin(el)   ⇒   sin(el) = (t² − a² − r²) / (2·a·r)

R is the true earth radius (the mean radius 6,371,008.8 m, IUGG; the local radius of curvature
differs by under 0.4 %, < 0.002° of elevation at 100 km). The "4/3 earth" radius of radar
practice (ITU-R P.834) describes the *refracted* ray: it gives the apparent elevation at which
the beam leaves the antenna, which a 3-D radar measures and converts to height. The tracker's
straight-line model wants the chord instead, and the slant range of the bent ray exceeds the
chord by under a metre at 100 km, so the true radius is used here. (With 4/3·R the elevation
at 100 km would come out ~0.11° higher: ~200 m of height.)

Heights are metres above the same reference (the WGS-84 ellipsoid in this project, the geoid
undulation being added to MSL heights by the adapter). A height the range cannot reach
(|sin el| > 1: a wrong assumed height, a short range) is clamped to ±``MAX_ELEVATION_DEG``.
"""

from __future__ import annotations

import math
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8  # IUGG mean earth radius
# The tracker's radar Jacobian divides by the horizontal distance: never exactly ±90°.
MAX_ELEVATION_DEG: Final = 89.0


def elevation_deg(range_m: float, antenna_alt_m: float, target_alt_m: float) -> float:
    """Geometric elevation (degrees) of a target at slant range ``range_m`` and height
    ``target_alt_m`` seen from an antenna at height ``antenna_alt_m``."""
    a = EARTH_RADIUS_M + antenna_alt_m
    t = EARTH_RADIUS_M + target_alt_m
    if range_m <= 0.0:
        return MAX_ELEVATION_DEG if target_alt_m >= antenna_alt_m else -MAX_ELEVATION_DEG
    # (t² − a²) as (t − a)(t + a): no cancellation between two squares of ~4e13.
    s = ((t - a) * (t + a) - range_m * range_m) / (2.0 * a * range_m)
    elevation = math.degrees(math.asin(min(max(s, -1.0), 1.0)))
    return min(max(elevation, -MAX_ELEVATION_DEG), MAX_ELEVATION_DEG)


def elevation_sigma_deg(
    range_m: float, elevation: float, sigma_height_m: float, floor_deg: float, cap_deg: float
) -> float:
    """Standard deviation of the elevation given the height's: d(el)/dh = 1 / (r·cos el),
    bounded to [``floor_deg``, ``cap_deg``] (short ranges would otherwise make it explode)."""
    cos_el = math.cos(math.radians(elevation))
    if range_m <= 0.0 or cos_el <= 0.0:
        return cap_deg
    sigma = math.degrees(sigma_height_m / (range_m * cos_el))
    return min(max(sigma, floor_deg), cap_deg)
