"""WGS-84 geodesy: geodetic latitude/longitude/height ⇄ Earth-centred Earth-fixed (ECEF) ⇄
local East-North-Up (ENU).

Geodetic → ECEF is the closed form (N the prime-vertical radius of curvature); ECEF → geodetic
is Bowring's formula (*Survey Review* 23(181), 1976) iterated twice from the parametric
latitude, with directions normalised instead of angles — at float64's rounding (nanometres)
from the ground to 100 km, where PROJ's one-step Bowring drifts by ~h² (1 µm at 10 km).
Written out in NumPy instead of calling PROJ because importing pyproj cost every short command
~0.065 s and its transforms ~0.03 s more on the Stone Soup scenario; pyproj remains for
geodesics (``wgs84_geod``, imported when first used) and as the tests' oracle.

ENU is the tangent-plane frame at a reference point (see e.g. *GPS — Theory, Algorithms and
Applications*, Xu, §2.1): the rotation from ECEF to ENU at latitude φ and longitude λ is

    [ -sin λ          cos λ           0     ]
    [ -sin φ cos λ   -sin φ sin λ     cos φ ]
    [  cos φ cos λ    cos φ sin λ     sin φ ]

Every function takes and returns numpy arrays and is vectorised: one call converts many points,
and each row may have its own reference point. Angles are degrees, distances metres, heights
are above the WGS-84 ellipsoid.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pyproj import Geod

FloatArray = npt.NDArray[np.float64]

WGS84_A = 6_378_137.0  # semi-major axis (m), defining constant
WGS84_F = 1.0 / 298.257223563  # flattening, defining constant
WGS84_B = WGS84_A * (1.0 - WGS84_F)  # semi-minor axis (m)
EARTH_MEAN_RADIUS_M = 6_371_008.8  # IUGG mean radius R1, used for horizon geometry
_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared
_EP2 = _E2 / (1.0 - _E2)  # second eccentricity squared
# Bowring iterations: one leaves up to 0.06 mm at 100 km (measured); two are at float64's
# rounding (4 nm) from −1 km to 100 km over the globe (tested).
_BOWRING_STEPS = 2


@cache
def wgs84_geod() -> Geod:
    """The WGS-84 ellipsoid for geodesic distances and azimuths."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def geodetic_to_ecef(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, height_m: npt.ArrayLike
) -> FloatArray:
    """Geodetic coordinates → ECEF metres, shape (..., 3)."""
    lat, lon, h = np.broadcast_arrays(
        np.asarray(lat_deg, float), np.asarray(lon_deg, float), np.asarray(height_m, float)
    )
    phi, lam = np.radians(lat), np.radians(lon)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = WGS84_A / np.sqrt(1.0 - _E2 * sin_phi * sin_phi)
    x = (n + h) * cos_phi * np.cos(lam)
    y = (n + h) * cos_phi * np.sin(lam)
    z = (n * (1.0 - _E2) + h) * sin_phi
    return np.stack([x, y, z], axis=-1)


def ecef_to_geodetic(ecef: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF metres (..., 3) → (latitude°, longitude°, height m)."""
    q = np.asarray(ecef, float)
    x, y, z = q[..., 0], q[..., 1], q[..., 2]
    p = np.hypot(x, y)
    # The parametric latitude β as (sin β, cos β) ∝ (z, (1 − f) p), and after each step
    # tan β = (1 − f) tan φ: directions normalised instead of angles, so no trigonometry inside.
    sin_b, cos_b = z, (1.0 - WGS84_F) * p
    for _ in range(_BOWRING_STEPS):
        norm = np.hypot(sin_b, cos_b)
        sin_b, cos_b = sin_b / norm, cos_b / norm
        num = z + _EP2 * WGS84_B * sin_b**3  # ∝ sin φ
        den = p - _E2 * WGS84_A * cos_b**3  # ∝ cos φ
        sin_b, cos_b = (1.0 - WGS84_F) * num, den
    norm = np.hypot(num, den)
    sin_phi, cos_phi = num / norm, den / norm
    h = p * cos_phi + z * sin_phi - WGS84_A * np.sqrt(1.0 - _E2 * sin_phi * sin_phi)
    lat = np.asarray(np.degrees(np.arctan2(num, den)), float)
    lon = np.asarray(np.degrees(np.arctan2(y, x)), float)
    return lat, lon, np.asarray(h, float)


def ecef_to_enu_rotation(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Rotation matrices (..., 3, 3) taking ECEF vectors to ENU at the given points (filled in
    place: the tracker asks for thousands a scan, and stacking nine arrays cost twice as much)."""
    lat = np.radians(np.asarray(lat_deg, float))
    lon = np.radians(np.asarray(lon_deg, float))
    sl, cl, so, co = np.broadcast_arrays(np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon))
    out = np.empty((*sl.shape, 3, 3))
    out[..., 0, 0], out[..., 0, 1], out[..., 0, 2] = -so, co, 0.0
    out[..., 1, 0], out[..., 1, 1], out[..., 1, 2] = -sl * co, -sl * so, cl
    out[..., 2, 0], out[..., 2, 1], out[..., 2, 2] = cl * co, cl * so, sl
    return out


def up_vector(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Unit vector (..., 3) of the local vertical (ellipsoid normal) in ECEF."""
    lat = np.radians(np.asarray(lat_deg, float))
    lon = np.radians(np.asarray(lon_deg, float))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def ecef_to_enu(
    ecef: npt.ArrayLike,
    ref_lat_deg: npt.ArrayLike,
    ref_lon_deg: npt.ArrayLike,
    ref_ecef: npt.ArrayLike,
) -> FloatArray:
    """Points in ECEF → ENU metres relative to a reference point (per row or shared)."""
    rotation = ecef_to_enu_rotation(ref_lat_deg, ref_lon_deg)
    delta = np.asarray(ecef, float) - np.asarray(ref_ecef, float)
    return np.asarray(np.einsum("...ij,...j->...i", rotation, delta), float)


def enu_to_ecef(
    enu: npt.ArrayLike,
    ref_lat_deg: npt.ArrayLike,
    ref_lon_deg: npt.ArrayLike,
    ref_ecef: npt.ArrayLike,
) -> FloatArray:
    """ENU metres relative to a reference point → ECEF."""
    rotation = ecef_to_enu_rotation(ref_lat_deg, ref_lon_deg)
    offset = np.einsum("...ji,...j->...i", rotation, np.asarray(enu, float))
    return np.asarray(offset + np.asarray(ref_ecef, float), float)


def geodetic_to_enu(
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    height_m: npt.ArrayLike,
    ref_lat_deg: float,
    ref_lon_deg: float,
    ref_height_m: float,
) -> FloatArray:
    """Geodetic points → ENU metres relative to one geodetic reference point."""
    ref = geodetic_to_ecef(ref_lat_deg, ref_lon_deg, ref_height_m)
    return ecef_to_enu(geodetic_to_ecef(lat_deg, lon_deg, height_m), ref_lat_deg, ref_lon_deg, ref)


def enu_to_geodetic(
    enu: npt.ArrayLike, ref_lat_deg: float, ref_lon_deg: float, ref_height_m: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ENU metres relative to one geodetic reference point → geodetic coordinates."""
    ref = geodetic_to_ecef(ref_lat_deg, ref_lon_deg, ref_height_m)
    return ecef_to_geodetic(enu_to_ecef(enu, ref_lat_deg, ref_lon_deg, ref))


def surface_distance_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Geodesic distance on the WGS-84 ellipsoid (m), vectorised."""
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon1, float),
        np.asarray(lat1, float),
        np.asarray(lon2, float),
        np.asarray(lat2, float),
    )
    _, _, dist = wgs84_geod().inv(a, b, c, d)
    return np.asarray(dist, float)


def initial_bearing_deg(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Geodesic initial azimuth from point 1 to point 2: degrees clockwise from north, [0, 360)."""
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon1, float),
        np.asarray(lat1, float),
        np.asarray(lon2, float),
        np.asarray(lat2, float),
    )
    az, _, _ = wgs84_geod().inv(a, b, c, d)
    bearing: FloatArray = np.mod(np.asarray(az, float), 360.0)  # a np.float64 for scalars
    return bearing


def destination(
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    azimuth_deg: npt.ArrayLike,
    distance_m: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """The point reached by following a geodesic from a start azimuth for a distance."""
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon_deg, float),
        np.asarray(lat_deg, float),
        np.asarray(azimuth_deg, float),
        np.asarray(distance_m, float),
    )
    lon, lat, _ = wgs84_geod().fwd(a, b, c, d)
    return np.asarray(lat, float), np.asarray(lon, float)
