"""Zones of the rules of engagement: circles and polygons on the map, tested in bulk.

Circles are tested on a sphere of the Earth's mean radius (IUGG, 6,371,008.8 m): at the
kilometre scale of an airport's no-jamming radius the error against the WGS-84 geodesic is
below 0.5 %, far inside the margin any such radius carries. Many circles at once (every
airport of Europe) go into a k-d tree of unit vectors (scipy), so a batch of points is tested
against thousands of airports in one query. Polygons are lon/lat rings tested with shapely's
vectorised ``intersects_xy`` (edges drawn straight in degrees: fine for city outlines), read
from the rules file or from a GeoJSON file (e.g. built-up areas exported from a land-use
layer such as Copernicus Urban Atlas).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree
from shapely.errors import GeometryTypeError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def unit_vectors(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """(n, 3) unit vectors of points on the sphere."""
    lat = np.radians(np.asarray(lat_deg, float).reshape(-1))
    lon = np.radians(np.asarray(lon_deg, float).reshape(-1))
    cos_lat = np.cos(lat)
    return np.column_stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def great_circle_m(lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike,
                   lon2: npt.ArrayLike) -> FloatArray:  # fmt: skip
    """Great-circle distance on the mean-radius sphere (haversine), broadcast."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), float)


@dataclass(frozen=True, slots=True)
class CircleSet:
    """Circles of one radius around named centres (e.g. every airport of Europe)."""

    names: tuple[str, ...]
    lat: FloatArray
    lon: FloatArray
    radius_m: float
    _tree: cKDTree | None

    @classmethod
    def build(cls, names: list[str], lat: npt.ArrayLike, lon: npt.ArrayLike,
              radius_m: float) -> CircleSet:  # fmt: skip
        lat_a = np.asarray(lat, float).reshape(-1)
        lon_a = np.asarray(lon, float).reshape(-1)
        tree = cKDTree(unit_vectors(lat_a, lon_a)) if len(lat_a) else None
        return cls(tuple(names), lat_a, lon_a, float(radius_m), tree)

    def __len__(self) -> int:
        return len(self.names)

    def inside(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Index of the nearest centre within the radius of each point, or -1 (any shape in,
        flat out). The nearest centre by chord is the nearest by great circle, and with one
        radius for all circles a point is inside some circle iff it is inside the nearest's."""
        lat_a = np.asarray(lat, float).reshape(-1)
        lon_a = np.asarray(lon, float).reshape(-1)
        out = np.full(lat_a.shape, -1, dtype=np.int64)
        if self._tree is None or not len(lat_a):
            return out
        chord = 2.0 * np.sin(min(self.radius_m / EARTH_RADIUS_M, np.pi) / 2.0)
        _, nearest = self._tree.query(unit_vectors(lat_a, lon_a), k=1,
                                      distance_upper_bound=chord * (1 + 1e-6) + 1e-12)  # fmt: skip
        found = nearest < len(self.names)
        rows = nearest[found]
        dist = great_circle_m(lat_a[found], lon_a[found], self.lat[rows], self.lon[rows])
        out[np.flatnonzero(found)[dist <= self.radius_m]] = rows[dist <= self.radius_m]
        return out


@dataclass(frozen=True, slots=True)
class Area:
    """One zone's shape: a circle or a polygon (lon/lat degrees)."""

    circle: tuple[float, float, float] | None  # (lat, lon, radius_m)
    polygon: BaseGeometry | None

    def contains(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> BoolArray:
        """Mask of points inside or on the edge of the area (any array shape)."""
        lat_a = np.asarray(lat, float)
        lon_a = np.asarray(lon, float)
        if self.circle is not None:
            c_lat, c_lon, radius = self.circle
            return np.asarray(great_circle_m(lat_a, lon_a, c_lat, c_lon) <= radius)
        assert self.polygon is not None
        return np.asarray(shapely.intersects_xy(self.polygon, lon_a, lat_a), dtype=bool)

    @classmethod
    def from_polygon(cls, ring: list[tuple[float, float]]) -> Area:
        """From a ring of (lat, lon) vertices (prepared: many points are tested at once)."""
        polygon = shapely.Polygon([(lon, lat) for lat, lon in ring])
        shapely.prepare(polygon)
        return cls(None, polygon)

    @classmethod
    def from_geojson(cls, path: Path) -> Area:
        """The union of the polygons of a GeoJSON file (RFC 7946: lon/lat; a
        FeatureCollection, a Feature or a bare geometry). ``ValueError`` says what is wrong."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not JSON: {error.msg} at line {error.lineno}") from error
        polygons = [g for g in _geometries(document) if g.geom_type in _AREAL]
        if not polygons:
            raise ValueError(f"{path} holds no Polygon or MultiPolygon")
        union = shapely.union_all(polygons)
        shapely.prepare(union)
        return cls(None, union)


_AREAL = frozenset({"Polygon", "MultiPolygon"})


def _geometries(document: object) -> list[BaseGeometry]:
    """Every geometry of a GeoJSON object; ``ValueError`` for one shapely cannot read."""
    if not isinstance(document, dict):
        raise ValueError("GeoJSON must be an object")
    kind = document.get("type")
    if kind == "FeatureCollection":
        return [g for feature in document.get("features", []) for g in _geometries(feature)]
    if kind == "Feature":
        geometry = document.get("geometry")
        return _geometries(geometry) if geometry is not None else []
    try:
        return [shape(document)]
    except (GeometryTypeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a GeoJSON geometry: {error}") from error
