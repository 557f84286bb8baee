"""The protected zones threat assessment runs against: circles (protected sites, airports)
and polygons (user geofences), as one columnar table.

The default set (``protected_zones``) is

* every site of the world's sites file (``dronewall.world.load_world().sites``), with its
  protection radius;
* every airport that has an IATA code (scheduled or charter traffic — the airports whose
  closure makes the news) inside an optional area of interest, with the airport radius of
  ``world.sites.DEFAULT_RADIUS_M`` (5 km), unless a site of the sites file already lies within
  ``AIRPORT_DUPLICATE_M`` of it (Frankfurt or Chopin airport, the Rzeszów-Jasionka logistics
  hub): the site, with its hand-checked name and radius, wins; of two airports that close,
  the first by ICAO code is kept. Airport zone ids are ``airport-`` and the lower-case ICAO
  code, letters and digits only (``airport-eplb``);
* the user's geofences, appended last.

Each zone has a weight by kind (``KIND_WEIGHT``) that scales its share of a track's priority.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from dronewall.assess.geofence import Geofence, band_or_infinite
from dronewall.assess.geometry import Polygon
from dronewall.core.errors import DataError
from dronewall.core.geodesy import (
    ecef_to_enu_rotation,
    geodetic_to_ecef,
    surface_distance_m,
    up_vector,
)
from dronewall.world import DEFAULT_RADIUS_M, Site, SiteKind, World

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]

AIRPORT_DUPLICATE_M: Final = 3_000.0  # an airport this close to a listed site is that site
AIRPORT_PREFIX: Final = "airport-"

# Share of the site-threat points a zone of each kind gets. What is lost if a drone strikes
# it: a nuclear plant or a military base first, an airport (hundreds of lives in one
# aircraft, days of closure) close behind, then government and energy, ports, anything else.
KIND_WEIGHT: Final = {
    SiteKind.NUCLEAR: 1.0,
    SiteKind.MILITARY: 1.0,
    SiteKind.AIRPORT: 0.9,
    SiteKind.GOVERNMENT: 0.8,
    SiteKind.ENERGY: 0.8,
    SiteKind.PORT: 0.7,
    SiteKind.OTHER: 0.6,
}


@dataclass(frozen=True, slots=True)
class LatLonBox:
    """An area of interest in degrees; airports outside it are not protected by default."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
        inside = (lat >= self.south) & (lat <= self.north)
        return np.asarray(inside & (lon >= self.west) & (lon <= self.east))


@dataclass(frozen=True, slots=True)
class ProtectedZones:
    """Zones as columns. Rows ``0 .. n_circles-1`` are circles, the rest geofences.

    For a geofence, (lat, lon) is the mean of its vertices and ``radius_m`` the distance to
    its farthest vertex (a bounding circle, used to prefilter tracks).
    """

    id: StrArray
    name: StrArray
    kind: StrArray  # SiteKind values
    lat: FloatArray
    lon: FloatArray
    radius_m: FloatArray
    weight: FloatArray
    ecef: FloatArray  # (n, 3) centre at height 0
    up: FloatArray  # (n, 3) unit vertical at the centre
    to_enu: FloatArray  # (n, 3, 3) ECEF → local east-north-up rotation at the centre
    polygons: tuple[Polygon, ...]  # one per geofence, in the centre's east-north plane
    n_circles: int

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def index(self, zone_id: str) -> int:
        """Row of the zone with this id; ``KeyError`` if absent."""
        rows = np.flatnonzero(self.id == zone_id)
        if rows.size == 0:
            raise KeyError(zone_id)
        return int(rows[0])


def protected_zones(
    world: World,
    geofences: Sequence[Geofence] = (),
    *,
    area: LatLonBox | None = None,
    airports: bool = True,
) -> ProtectedZones:
    """The default zones: the world's sites, IATA airports in ``area`` (all when ``None``)
    that are not already sites, and the geofences."""
    sites = list(world.sites)
    if airports:
        sites += _airport_sites(world, sites, area)
    return build_zones(sites, geofences)


def _airport_sites(world: World, sites: Sequence[Site], area: LatLonBox | None) -> list[Site]:
    table = world.airports
    keep = table.with_iata()
    if area is not None:
        keep &= area.contains(table.lat, table.lon)
    rows = np.flatnonzero(keep)
    if sites and rows.size:
        site_lat = np.array([s.lat for s in sites])[None, :]
        site_lon = np.array([s.lon for s in sites])[None, :]
        near = surface_distance_m(site_lat, site_lon, table.lat[rows, None], table.lon[rows, None])
        keep[rows] = near.min(axis=1) > AIRPORT_DUPLICATE_M
    keep[rows] &= _first_of_each_place(table.lat[rows], table.lon[rows])
    radius = DEFAULT_RADIUS_M[SiteKind.AIRPORT]
    return [
        Site(
            id=AIRPORT_PREFIX + re.sub(r"[^a-z0-9]", "", str(table.icao[row]).lower()),
            name=str(table.name[row]),
            kind=SiteKind.AIRPORT,
            country=str(table.country[row]),  # ISO 3166-1 alpha-2 here, unused by assess
            lat=float(table.lat[row]),
            lon=float(table.lon[row]),
            radius_m=radius,
            source="airportsdata",
        )
        for row in np.flatnonzero(keep)
    ]


def _first_of_each_place(lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
    """False for an airport within ``AIRPORT_DUPLICATE_M`` of an earlier one: airportsdata
    lists a few twice (EuroAirport Basel-Mulhouse as LFSB and _MLH)."""
    keep = np.ones(lat.shape[0], bool)
    if lat.size < 2:
        return keep
    points = geodetic_to_ecef(lat, lon, np.zeros_like(lat))
    for first, second in sorted(cKDTree(points).query_pairs(AIRPORT_DUPLICATE_M)):
        if keep[first]:
            keep[second] = False
    return keep


def build_zones(sites: Sequence[Site], geofences: Sequence[Geofence] = ()) -> ProtectedZones:
    """Zones from sites (circles) and geofences (polygons); ``DataError`` on a repeated id."""
    ids = [s.id for s in sites] + [g.id for g in geofences]
    repeated = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) < len(ids) else []
    if repeated:
        raise DataError(f"protected zone ids used twice: {', '.join(repeated)}")
    centres = [_centre(g) for g in geofences]
    lat = np.array([s.lat for s in sites] + [c[0] for c in centres], float)
    lon = np.array([s.lon for s in sites] + [c[1] for c in centres], float)
    kinds = [s.kind for s in sites] + [g.kind for g in geofences]
    ecef = geodetic_to_ecef(lat, lon, np.zeros_like(lat)).reshape(-1, 3)
    to_enu = ecef_to_enu_rotation(lat, lon).reshape(-1, 3, 3)
    polygons = tuple(
        _plane_polygon(g, ecef[len(sites) + k], to_enu[len(sites) + k])
        for k, g in enumerate(geofences)
    )
    bounding = [float(np.linalg.norm(p.vertices, axis=1).max()) for p in polygons]
    return ProtectedZones(
        id=np.array(ids, dtype=np.str_),
        name=np.array([s.name for s in sites] + [g.name for g in geofences], dtype=np.str_),
        kind=np.array([str(k) for k in kinds], dtype=np.str_),
        lat=lat,
        lon=lon,
        radius_m=np.array([s.radius_m for s in sites] + bounding, float),
        weight=np.array([KIND_WEIGHT[k] for k in kinds], float),
        ecef=ecef,
        up=up_vector(lat, lon).reshape(-1, 3),
        to_enu=to_enu,
        polygons=polygons,
        n_circles=len(sites),
    )


def _centre(fence: Geofence) -> tuple[float, float]:
    lat = [v[0] for v in fence.vertices]
    lon = [v[1] for v in fence.vertices]
    return sum(lat) / len(lat), sum(lon) / len(lon)


def _plane_polygon(fence: Geofence, centre: FloatArray, to_enu: FloatArray) -> Polygon:
    lat = np.array([v[0] for v in fence.vertices])
    lon = np.array([v[1] for v in fence.vertices])
    points = geodetic_to_ecef(lat, lon, np.zeros_like(lat)) - centre
    east_north = (points @ to_enu.T)[:, :2]
    floor, ceiling = band_or_infinite(fence)
    return Polygon(vertices=np.ascontiguousarray(east_north), floor_m=floor, ceiling_m=ceiling)
