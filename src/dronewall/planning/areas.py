"""The stretches of border and coast a plan watches, and the band of ground and sea around them.

A *stretch* is the land border between a defended country and a neighbour, or a defended
country's coastline, optionally clipped to a longitude/latitude box (to keep, say, only the
Baltic side of Denmark). An *area* is a named set of stretches with two depths: how far the
watched band reaches into the defended country (``inside_km``) and beyond the line, over the
neighbour or the sea (``outside_km``) — seeing beyond the line is what gives warning.

Lines come from ``dronewall.world`` (Natural Earth 1:10m, exact shared borders); bands are built
in LAEA metres (``planning.geometry``). The named areas are the four fronts of issue #7:
the eastern land border from Finland to Romania, the Baltic, the Black Sea and the
Mediterranean coasts of EU members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import shapely
from shapely.geometry.base import BaseGeometry

from dronewall.core.errors import ConfigError
from dronewall.planning.geometry import geometry_to_laea
from dronewall.world import World

Box = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
_SIMPLIFY_M = 100.0  # country outlines are simplified to 100 m before buffering: far below the grid


@dataclass(frozen=True, slots=True)
class Stretch:
    """A land border (``home`` against ``other``) or a coastline of ``home``, in a box."""

    kind: Literal["border", "coast"]
    home: str  # the defended country, Natural Earth ADM0_A3
    other: str = ""  # the neighbour, for a border
    box: Box | None = None

    @property
    def label(self) -> str:
        return f"{self.home}-{self.other}" if self.kind == "border" else f"{self.home} coast"


@dataclass(frozen=True, slots=True)
class Area:
    """A named set of stretches and the depth of the watched band on each side of them."""

    name: str
    stretches: tuple[Stretch, ...]
    inside_km: float
    outside_km: float


@dataclass(frozen=True, slots=True)
class AreaGeometry:
    """An area resolved against the world, in LAEA metres."""

    area: Area
    lines: tuple[BaseGeometry, ...]  # one (Multi)LineString per stretch
    band: BaseGeometry  # the watched band, a (Multi)Polygon
    home: BaseGeometry  # the union of the defended countries


def _borders(pairs: str) -> tuple[Stretch, ...]:
    return tuple(Stretch("border", pair[:3], pair[4:]) for pair in pairs.split())


EASTERN_LAND: Final = _borders(
    "FIN-RUS EST-RUS LVA-RUS LVA-BLR LTU-BLR LTU-RUS POL-RUS POL-BLR POL-UKR "
    "SVK-UKR HUN-UKR ROU-UKR ROU-MDA"
)
# East of 10° E keeps the Baltic shores of Germany and Denmark and drops their North Sea ones.
_BALTIC_BOX: Final = (10.0, 53.0, 30.5, 66.5)
BALTIC: Final = tuple(
    Stretch("coast", a3, box=_BALTIC_BOX)
    for a3 in ("FIN", "EST", "LVA", "LTU", "POL", "DEU", "DNK", "SWE")
)
BLACK_SEA: Final = tuple(
    Stretch("coast", a3, box=(27.3, 41.0, 30.5, 46.0)) for a3 in ("ROU", "BGR")
)
MEDITERRANEAN: Final = (
    Stretch("coast", "ESP", box=(-5.6, 35.8, 4.5, 42.6)),  # Gibraltar to Catalonia, Balearics
    Stretch("coast", "FRA", box=(2.9, 41.3, 9.7, 43.8)),  # Languedoc, Provence, Corsica
    *(Stretch("coast", a3) for a3 in ("ITA", "MLT", "SVN", "HRV", "GRC", "CYP")),
)

NAMED_AREAS: Final = {
    "eastern-land": Area("eastern-land", EASTERN_LAND, inside_km=30.0, outside_km=10.0),
    "baltic": Area("baltic", BALTIC, inside_km=5.0, outside_km=30.0),
    "black-sea": Area("black-sea", BLACK_SEA, inside_km=5.0, outside_km=30.0),
    "mediterranean": Area("mediterranean", MEDITERRANEAN, inside_km=5.0, outside_km=30.0),
}


def named_area(name: str) -> Area:
    """One of ``NAMED_AREAS``; a ``ConfigError`` listing them otherwise."""
    try:
        return NAMED_AREAS[name]
    except KeyError:
        known = ", ".join(NAMED_AREAS)
        raise ConfigError(f"unknown area {name!r} (known: {known})", field="area") from None


def border_area(pairs: list[str], inside_km: float = 30.0, outside_km: float = 10.0) -> Area:
    """An area of land borders written ``HOME-OTHER`` (e.g. ``["POL-BLR"]``)."""
    stretches = []
    for pair in pairs:
        parts = pair.upper().split("-")
        if len(parts) != 2 or not all(len(p) == 3 for p in parts):
            raise ConfigError(
                f"write a border as HOME-OTHER, e.g. POL-BLR, not {pair!r}", field="border"
            )
        stretches.append(Stretch("border", parts[0], parts[1]))
    return Area("+".join(pairs), tuple(stretches), inside_km, outside_km)


def resolve(area: Area, world: World) -> AreaGeometry:
    """Lines, band and defended land of ``area`` in LAEA metres."""
    lines, bands, homes = [], [], {}
    for stretch in area.stretches:
        line_m = geometry_to_laea(_line(stretch, world))
        if stretch.home not in homes:
            homes[stretch.home] = geometry_to_laea(world.country(stretch.home).geometry).simplify(
                _SIMPLIFY_M
            )
        home = homes[stretch.home]
        inside = shapely.intersection(line_m.buffer(area.inside_km * 1000.0), home)
        outside = shapely.difference(line_m.buffer(area.outside_km * 1000.0), home)
        lines.append(line_m)
        bands.append(shapely.union(inside, outside))
    return AreaGeometry(
        area, tuple(lines), shapely.union_all(bands), shapely.union_all(list(homes.values()))
    )


def _line(stretch: Stretch, world: World) -> BaseGeometry:
    if stretch.kind == "border":
        line = world.border(stretch.home, stretch.other)
    else:
        line = world.coastline(stretch.home)
    if stretch.box is not None:
        line = shapely.intersection(line, shapely.box(*stretch.box))
    if line.is_empty:
        raise ConfigError(
            f"{stretch.label}: no such border or coast in the world data", field="area"
        )
    return line
