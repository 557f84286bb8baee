"""A laydown: which sensor type stands where. Written by siting, read by coverage and prove.

File format (TOML, ``docs/planning.md``)::

    [laydown]
    name = "pol-blr"

    [[sensor]]
    id = "s00001"
    type = "cuas-radar"      # a sensor type id of the catalogue
    lat = 52.61
    lon = 23.71

Types are checked against a catalogue when the laydown is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dronewall.planning.catalogue import SensorCatalogue
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text

FloatArray = npt.NDArray[np.float64]


class _Header(Strict):
    name: str = "laydown"
    description: str = ""


class _Placed(Strict):
    id: str = Field(min_length=1)
    type: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class _LaydownFile(Strict):
    laydown: _Header = _Header()
    sensor: list[_Placed] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Laydown:
    """Sensors as parallel arrays: id, catalogue type id, position."""

    name: str
    ids: tuple[str, ...]
    types: tuple[str, ...]
    lat: FloatArray
    lon: FloatArray

    def __len__(self) -> int:
        return len(self.ids)

    def cost_eur(self, catalogue: SensorCatalogue) -> float:
        """The sum of the unit prices of every sensor."""
        return float(sum(catalogue.get(t).unit_price_eur for t in self.types))

    def counts(self) -> dict[str, int]:
        """Number of sensors of each type."""
        out: dict[str, int] = {}
        for t in self.types:
            out[t] = out.get(t, 0) + 1
        return out


def parse_laydown(text: str, catalogue: SensorCatalogue, source: str = "<laydown>") -> Laydown:
    """Validate laydown TOML; every type must be in ``catalogue`` and ids unique."""
    model = parse_toml(_LaydownFile, text, source)
    seen: set[str] = set()
    for row, placed in enumerate(model.sensor):
        if placed.type not in catalogue.types:
            known = ", ".join(catalogue.types)
            message = f"unknown sensor type {placed.type!r} (known: {known})"
            raise field_error(text, source, ("sensor", row, "type"), message)
        if placed.id in seen:
            raise field_error(text, source, ("sensor", row, "id"), f"duplicate id {placed.id!r}")
        seen.add(placed.id)
    return Laydown(
        name=model.laydown.name,
        ids=tuple(p.id for p in model.sensor),
        types=tuple(p.type for p in model.sensor),
        lat=np.array([p.lat for p in model.sensor], float),
        lon=np.array([p.lon for p in model.sensor], float),
    )


def load_laydown(path: Path, catalogue: SensorCatalogue) -> Laydown:
    return parse_laydown(read_text(path), catalogue, str(path))


def laydown_toml(laydown: Laydown, description: str = "") -> str:
    """The laydown as TOML text that ``parse_laydown`` reads back."""
    lines = ["[laydown]", f"name = {_quote(laydown.name)}"]
    if description:
        lines.append(f"description = {_quote(description)}")
    for sensor_id, type_id, lat, lon in zip(
        laydown.ids, laydown.types, laydown.lat, laydown.lon, strict=True
    ):
        lines += [
            "",
            "[[sensor]]",
            f"id = {_quote(sensor_id)}",
            f"type = {_quote(type_id)}",
            f"lat = {lat:.5f}",
            f"lon = {lon:.5f}",
        ]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
