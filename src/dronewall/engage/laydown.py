"""Effector laydowns: which effectors stand where, whose they are, and whether they are ready.

A laydown file (TOML, format in ``docs/effectors.md``) lists ``[[effector]]`` units::

    [[effector]]
    type = "mobile-fire-group-hmg"   # an id of the effector catalogue
    nation = "POL"                   # ISO 3166-1 alpha-3 of the owner
    lat = 52.10
    lon = 23.40
    count = 4                        # identical units at this site (default 1)
    magazine = 12                    # optional: overrides the catalogue's magazine
    ready = true                     # optional: false = held back (maintenance, no crew)
    name = "FG Biała Podlaska"       # optional label for people

Loading checks each row against the catalogue (unknown type), the nation code (three capital
letters and a country dronewall knows: Natural Earth's European units and the NATO allies
outside Europe), latitude and longitude ranges and non-negative counts and magazines; the
first problem becomes one ``ConfigError`` naming the file, field and line. The result is one
row per site, as numpy columns (struct of arrays, like the rest of dronewall).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dronewall.engage.effectors import Effector, EffectorCatalogue
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text
from dronewall.world.countries import load_countries

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# NATO allies outside Natural Earth's European box (countries.WORLD_BOX) that may field
# effectors in Europe (fighters on Eastern Sentry and Baltic Air Policing).
NON_EUROPEAN_ALLIES = frozenset({"USA", "CAN"})


class _Unit(Strict):
    type: str
    nation: str = Field(pattern=r"^[A-Z]{3}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    count: int = Field(default=1, ge=0)
    magazine: int | None = Field(default=None, ge=0)
    ready: bool = True
    name: str = ""


class _LaydownFile(Strict):
    effector: list[_Unit] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class EffectorLaydown:
    """Effector sites as columns, one row per ``[[effector]]`` of the file."""

    type_id: npt.NDArray[np.str_]
    nation: npt.NDArray[np.str_]
    name: npt.NDArray[np.str_]
    lat: FloatArray
    lon: FloatArray
    count: IntArray
    magazine: IntArray  # per unit, after any override (0: no magazine limit)
    ready: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.type_id.shape[0])

    def units(self) -> int:
        """How many effector units the laydown holds, ready or not."""
        return int(self.count.sum())

    def effectors(self, catalogue: EffectorCatalogue) -> list[Effector]:
        """The catalogue entry of each row, e.g. for ``RulesOfEngagement.allowed``."""
        return [catalogue.get(str(type_id)) for type_id in self.type_id]

    def of_nation(self, nation: str) -> EffectorLaydown:
        """The rows owned by one nation."""
        rows = self.nation == nation
        return EffectorLaydown(
            self.type_id[rows], self.nation[rows], self.name[rows], self.lat[rows],
            self.lon[rows], self.count[rows], self.magazine[rows], self.ready[rows],
        )  # fmt: skip


@cache
def known_nations() -> frozenset[str]:
    """Alpha-3 codes a laydown may name (Natural Earth's units in the European box, whose
    ADM0_A3 is the ISO code for every member state, and the allies outside it)."""
    return frozenset(load_countries()) | NON_EUROPEAN_ALLIES


def sample_laydown_path() -> Path:
    """The example laydown shipped with the package (Copenhagen and eastern Poland)."""
    return Path(str(resources.files("dronewall.engage") / "data" / "laydown-demo.toml"))


def load_laydown(path: Path, catalogue: EffectorCatalogue) -> EffectorLaydown:
    """Read a laydown file; ``ConfigError`` names the file, the field and the line."""
    return parse_laydown(read_text(path), catalogue, str(path))


def parse_laydown(
    text: str, catalogue: EffectorCatalogue, source: str = "<laydown>"
) -> EffectorLaydown:
    """Validate laydown TOML text against the catalogue."""
    model = parse_toml(_LaydownFile, text, source)
    nations = known_nations()
    magazines: list[int] = []
    for row, unit in enumerate(model.effector):
        if unit.type not in catalogue.types:
            known = ", ".join(catalogue.types)
            message = f"unknown effector type {unit.type!r} (known: {known})"
            raise field_error(text, source, ("effector", row, "type"), message)
        if unit.nation not in nations:
            message = f"unknown nation {unit.nation!r} (ISO 3166-1 alpha-3, e.g. POL, DNK)"
            raise field_error(text, source, ("effector", row, "nation"), message)
        default = catalogue.types[unit.type].magazine
        magazines.append(default if unit.magazine is None else unit.magazine)
    units = model.effector
    return EffectorLaydown(
        type_id=np.array([u.type for u in units], dtype=np.str_),
        nation=np.array([u.nation for u in units], dtype=np.str_),
        name=np.array([u.name for u in units], dtype=np.str_),
        lat=np.array([u.lat for u in units], dtype=float),
        lon=np.array([u.lon for u in units], dtype=float),
        count=np.array([u.count for u in units], dtype=np.int64),
        magazine=np.array(magazines, dtype=np.int64),
        ready=np.array([u.ready for u in units], dtype=bool),
    )
