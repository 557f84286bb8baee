"""Land borders and coastlines of the countries in ``dronewall.world.countries``.

Natural Earth admin-0 polygons are topologically consistent: neighbours share the very same
vertices along their common border. The land border of A and B is therefore computed exactly,
as the linear part of ``boundary(A) ∩ boundary(B)``, with no buffer tolerance (a 0.02° buffer
would add about 2 km at each end of every border). A coastline is the part of a country's
boundary that is on no land border and not on the artificial edge of ``WORLD_BOX``.

Lengths are geodesic on the WGS-84 ellipsoid (``pyproj.Geod.geometry_length``). They are the
lengths of the Natural Earth 1:10m lines, so they are shorter than officially surveyed borders
(for example Poland–Belarus: about 340 km here, 418 km surveyed).
"""

from __future__ import annotations

from functools import cache

import shapely
from shapely.geometry.base import BaseGeometry

from dronewall.core.geodesy import wgs84_geod
from dronewall.world.countries import WORLD_BOX, country, country_tree

_LINEAR_TYPES = ("LineString", "MultiLineString", "LinearRing")


def border(a3: str, b3: str) -> BaseGeometry:
    """The land border shared by two countries, a (Multi)LineString in lon/lat.

    Empty when they do not touch (or are the same country). The same geometry is returned for
    ``(a3, b3)`` and ``(b3, a3)``. Raises ``UnknownPlaceError`` for an unknown code.
    """
    first, second = sorted((a3, b3))
    return _border(first, second)


def border_length_km(a3: str, b3: str) -> float:
    """Geodesic length in km of the land border of two countries (0.0 when none)."""
    return _length_km(border(a3, b3))


@cache
def neighbours(a3: str) -> tuple[str, ...]:
    """Countries that share a land border with ``a3``, sorted by code."""
    geometry = country(a3).geometry
    tree, codes = country_tree()
    touching = (codes[index] for index in tree.query(geometry, predicate="intersects"))
    return tuple(sorted(code for code in touching if code != a3 and not border(a3, code).is_empty))


@cache
def coastline(a3: str) -> BaseGeometry:
    """The part of the country's boundary on the sea or a large lake, a MultiLineString.

    Land borders and the edges of ``WORLD_BOX`` (where the country was clipped) are removed.
    """
    boundary = country(a3).geometry.boundary
    not_coast = [border(a3, other) for other in neighbours(a3)]
    not_coast.append(shapely.box(*WORLD_BOX).exterior)
    return _linear(shapely.difference(boundary, shapely.union_all(not_coast)))


def coastline_length_km(a3: str) -> float:
    """Geodesic length in km of the country's coastline (0.0 when landlocked)."""
    return _length_km(coastline(a3))


@cache
def _border(a3: str, b3: str) -> BaseGeometry:
    if a3 == b3:
        return shapely.MultiLineString()
    first, second = country(a3).geometry, country(b3).geometry
    if not first.intersects(second):
        return shapely.MultiLineString()
    return _linear(shapely.intersection(first.boundary, second.boundary))


def _linear(geometry: BaseGeometry) -> BaseGeometry:
    """The line parts of an overlay result (points where borders cross are dropped), merged."""
    lines = [part for part in shapely.get_parts(geometry) if part.geom_type in _LINEAR_TYPES]
    if not lines:
        return shapely.MultiLineString()
    merged = shapely.line_merge(shapely.multilinestrings(lines))
    if merged.geom_type == "LineString":
        return shapely.multilinestrings([merged])
    return merged


def _length_km(geometry: BaseGeometry) -> float:
    if geometry.is_empty:
        return 0.0
    return float(wgs84_geod().geometry_length(geometry)) / 1000.0
