"""Airports of Europe, from the ``airportsdata`` package (version 20260905 at the time of
writing; MIT licence, https://github.com/mborsetti/airportsdata), keyed on ICAO code.

An airport is *European* when its ISO 3166-1 country is one of the countries that
``dronewall.world.membership.EUROPEAN_COUNTRIES`` counts as Europe (EU, EFTA, the UK and its
dependencies, the Western Balkans, Ukraine, Belarus, Moldova, Russia, Turkey and the South
Caucasus) **and** it lies inside ``WORLD_BOX`` (lon −32…50°, lat 27…72°). The box keeps the
Canaries, Madeira and the Azores and cuts Russia at 50° E, short of the Urals.

``airportsdata`` gives elevations in feet; ``AirportTable`` holds metres.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import airportsdata
import numpy as np
import numpy.typing as npt

from dronewall.core.errors import UnknownPlaceError
from dronewall.world.countries import in_world_box, load_countries

FEET_TO_METRES: Final = 0.3048  # international foot, exact by definition (1959)

StrArray = npt.NDArray[np.str_]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Airport:
    """One airport, as returned by ``AirportTable.airport``."""

    icao: str
    iata: str  # "" when the airport has no IATA code
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2 ("XK" for Kosovo)
    lat: float
    lon: float
    elevation_m: float


@dataclass(frozen=True, slots=True)
class AirportTable:
    """Columns of airports, one numpy array per field, sorted by ICAO code."""

    icao: StrArray
    iata: StrArray
    name: StrArray
    city: StrArray
    country: StrArray
    lat: FloatArray
    lon: FloatArray
    elevation_m: FloatArray

    def __len__(self) -> int:
        return int(self.icao.shape[0])

    def index(self, icao: str) -> int:
        """Row of the airport with this ICAO code; ``UnknownPlaceError`` if absent."""
        row = int(np.searchsorted(self.icao, icao))
        if row >= len(self) or self.icao[row] != icao:
            raise UnknownPlaceError("airport", icao)
        return row

    def airport(self, icao: str) -> Airport:
        """The airport with this ICAO code; ``UnknownPlaceError`` if absent."""
        row = self.index(icao)
        return Airport(
            icao=str(self.icao[row]),
            iata=str(self.iata[row]),
            name=str(self.name[row]),
            city=str(self.city[row]),
            country=str(self.country[row]),
            lat=float(self.lat[row]),
            lon=float(self.lon[row]),
            elevation_m=float(self.elevation_m[row]),
        )

    def with_iata(self) -> BoolArray:
        """Mask of airports that have an IATA code: those with scheduled or charter traffic,
        used to choose the origins and destinations of simulated civil flights."""
        return np.asarray(self.iata != "")

    def in_country(self, iso_a2: str) -> BoolArray:
        """Mask of airports in the country with this ISO 3166-1 alpha-2 code."""
        return np.asarray(self.country == iso_a2)

    def select(self, mask: npt.ArrayLike) -> AirportTable:
        """A new table holding the rows where ``mask`` is true."""
        rows = np.asarray(mask, dtype=bool)
        return AirportTable(
            icao=self.icao[rows],
            iata=self.iata[rows],
            name=self.name[rows],
            city=self.city[rows],
            country=self.country[rows],
            lat=self.lat[rows],
            lon=self.lon[rows],
            elevation_m=self.elevation_m[rows],
        )


def european_iso_a2() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the countries counted as European."""
    countries = load_countries().values()
    return frozenset(c.iso_a2 for c in countries if c.european and c.iso_a2)


@cache
def load_airports() -> AirportTable:
    """Every European airport (see the module docstring), read once and cached."""
    records = airportsdata.load("ICAO")
    return table_from_records(records.values(), european_iso_a2())


def table_from_records(
    records: Iterable[Mapping[str, Any]], countries: frozenset[str]
) -> AirportTable:
    """Build a table from ``airportsdata`` records, keeping airports of ``countries`` inside
    ``WORLD_BOX``. Pure: used by ``load_airports`` and by tests with hand-made records."""
    rows = sorted((r for r in records if r["country"] in countries), key=lambda r: str(r["icao"]))
    table = AirportTable(
        icao=_strings(r["icao"] for r in rows),
        iata=_strings(r["iata"] for r in rows),
        name=_strings(r["name"] for r in rows),
        city=_strings(r["city"] for r in rows),
        country=_strings(r["country"] for r in rows),
        lat=np.array([float(r["lat"]) for r in rows], dtype=np.float64),
        lon=np.array([float(r["lon"]) for r in rows], dtype=np.float64),
        elevation_m=np.array(
            [float(r["elevation"]) * FEET_TO_METRES for r in rows], dtype=np.float64
        ),
    )
    return table.select(in_world_box(table.lat, table.lon))


def _strings(values: Iterable[Any]) -> StrArray:
    return np.array([str(value) for value in values], dtype=np.str_)
