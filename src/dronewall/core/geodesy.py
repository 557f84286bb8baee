"""WGS-84 geodesy: geodetic latitude/longitude/height ⇄ Earth-centred Earth-fixed (ECEF) ⇄
local East-North-Up (ENU).

Geodetic ⇄ ECEF uses PROJ through pyproj (EPSG:4979 → EPSG:4978). ENU is the tangent-plane
frame at a reference point (see e.g. *GPS — Theory, Algorithms and Applications*, Xu, §2.1):
the rotation from ECEF to ENU at latitude φ and longitude λ is

    [ -sin λ          cos λ           0     ]
    [ -sin φ cos λ   -sin φ sin λ     cos φ ]
    [  cos φ cos λ    cos φ sin λ     sin φ ]

Every function takes and returns numpy arrays and is vectorised: one call converts many points,
and each row may have its own reference point. Angles are degrees, distances metres, heights
are above the WGS-84 ellipsoid.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
from pyproj import Geod, Transformer

FloatArray = npt.NDArray[np.float64]

WGS84_A = 6_378_137.0  # semi-major axis (m), defining constant
WGS84_F = 1.0 / 298.257223563  # flattening, defining constant
WGS84_B = WGS84_A * (1.0 - WGS84_F)  # semi-minor axis (m)
EARTH_MEAN_RADIUS_M = 6_371_008.8  # IUGG mean radius R1, used for horizon geometry


@cache
def _to_ecef() -> Transformer:
    return Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


@cache
def _to_geodetic() -> Transformer:
    return Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


@cache
def wgs84_geod() -> Geod:
    """The WGS-84 ellipsoid for geodesic distances and azimuths."""
    return Geod(ellps="WGS84")


def geodetic_to_ecef(
    lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, height_m: npt.ArrayLike
) -> FloatArray:
    """Geodetic coordinates → ECEF metres, shape (..., 3)."""
    lat, lon, h = np.broadcast_arrays(
        np.asarray(lat_deg, float), np.asarray(lon_deg, float), np.asarray(height_m, float)
    )
    x, y, z = _to_ecef().transform(lon, lat, h)
    return np.stack([np.asarray(x, float), np.asarray(y, float), np.asarray(z, float)], axis=-1)


def ecef_to_geodetic(ecef: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF metres (..., 3) → (latitude°, longitude°, height m)."""
    p = np.asarray(ecef, float)
    lon, lat, h = _to_geodetic().transform(p[..., 0], p[..., 1], p[..., 2])
    return np.asarray(lat, float), np.asarray(lon, float), np.asarray(h, float)


def ecef_to_enu_rotation(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Rotation matrices (..., 3, 3) taking ECEF vectors to ENU at the given points."""
    lat = np.radians(np.asarray(lat_deg, float))
    lon = np.radians(np.asarray(lon_deg, float))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl)
    rows = [
        np.stack([-so, co, zero], axis=-1),
        np.stack([-sl * co, -sl * so, cl], axis=-1),
        np.stack([cl * co, cl * so, sl], axis=-1),
    ]
    return np.stack(rows, axis=-2)


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
