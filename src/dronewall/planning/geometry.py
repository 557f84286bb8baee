"""Planar and spherical geometry for planning.

* **Areas and grids** are laid out in ETRS89-LAEA Europe (EPSG:3035), the EU's equal-area
  projection (INSPIRE), so a regular grid gives cells of equal true area and covered area is
  a plain sum of cell areas.
* **Sensor-to-point distances** are great-circle distances on a sphere of the IUGG mean radius
  (the radius the horizon model uses), found from 3-D chord lengths so a k-d tree can pair
  sensors with points: arc = 2R·asin(chord / 2R). They differ from WGS-84 geodesics by under
  0.5 %, while LAEA distances would be off by up to ~3 % at the edges of Europe.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from dronewall.core.geodesy import EARTH_MEAN_RADIUS_M

FloatArray = npt.NDArray[np.float64]
LAEA_EUROPE = "EPSG:3035"


@cache
def _forward() -> Transformer:
    return Transformer.from_crs("EPSG:4326", LAEA_EUROPE, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(LAEA_EUROPE, "EPSG:4326", always_xy=True)


def to_laea(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Longitude/latitude degrees → LAEA metres (x east, y north)."""
    x, y = _forward().transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def to_lonlat(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """LAEA metres → longitude/latitude degrees."""
    lon, lat = _inverse().transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def geometry_to_laea(geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat shapely geometry in LAEA metres."""
    return shapely.transform(geometry, lambda xy: np.column_stack(to_laea(xy[:, 0], xy[:, 1])))


def geometry_to_lonlat(geometry: BaseGeometry) -> BaseGeometry:
    """An LAEA shapely geometry in lon/lat degrees."""
    return shapely.transform(geometry, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1])))


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Points on the sphere of mean radius, (n, 3) metres (for k-d tree pairing)."""
    phi, lam = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    xyz = np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=-1)
    return np.asarray(xyz * EARTH_MEAN_RADIUS_M, float)


def chord_for_arc(arc_m: npt.ArrayLike) -> FloatArray:
    """Chord length of a great-circle arc (to query a k-d tree with an arc radius)."""
    return np.asarray(
        2.0 * EARTH_MEAN_RADIUS_M * np.sin(np.asarray(arc_m, float) / (2.0 * EARTH_MEAN_RADIUS_M))
    )


def arc_for_chord(chord_m: npt.ArrayLike) -> FloatArray:
    """Great-circle arc length of a chord."""
    half = np.clip(np.asarray(chord_m, float) / (2.0 * EARTH_MEAN_RADIUS_M), 0.0, 1.0)
    return np.asarray(2.0 * EARTH_MEAN_RADIUS_M * np.arcsin(half))
