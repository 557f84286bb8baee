"""Candidate sites where a sensor may stand: generated on the defended side of the watched band,
or supplied by the user.

Generated candidates are the centres of a regular LAEA grid (``planning.geometry``) laid over
the part of the band that lies in a defended country — sensors stand on our own ground, never
across the border or at sea. A user file lists real sites (masts, towers, police posts)::

    [[candidate]]
    id = "mast-017"
    lat = 53.12
    lon = 23.45
    types = ["acoustic-node", "cuas-radar"]   # optional: which types the site can take

"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from pydantic import Field

from dronewall.planning.areas import AreaGeometry
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.demand import grid_points
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate sites; ``allowed[i]`` is the set of type ids site i may take (None: any)."""

    ids: tuple[str, ...]
    lat: FloatArray
    lon: FloatArray
    allowed: tuple[frozenset[str] | None, ...]

    def __len__(self) -> int:
        return len(self.ids)


class _Candidate(Strict):
    id: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    types: list[str] | None = None


class _CandidateFile(Strict):
    candidate: list[_Candidate] = Field(min_length=1)


def generate_candidates(geometry: AreaGeometry, spacing_m: float) -> Candidates:
    """Grid candidates every ``spacing_m`` on the defended side of the band."""
    ground = shapely.intersection(geometry.band, geometry.home)
    points = grid_points(ground, spacing_m)
    ids = tuple(f"c{k:06d}" for k in range(len(points)))
    return Candidates(ids, points.lat, points.lon, (None,) * len(ids))


def spacing_for_count(geometry: AreaGeometry, count: int) -> float:
    """The grid spacing (m) that gives about ``count`` generated candidates."""
    ground = shapely.intersection(geometry.band, geometry.home)
    return float(np.sqrt(ground.area / max(count, 1)))


def parse_candidates(
    text: str, catalogue: SensorCatalogue, source: str = "<candidates>"
) -> Candidates:
    """Validate a candidate file; types must be in the catalogue, ids unique."""
    model = parse_toml(_CandidateFile, text, source)
    seen: set[str] = set()
    for row, item in enumerate(model.candidate):
        for type_id in item.types or []:
            if type_id not in catalogue.types:
                message = f"unknown sensor type {type_id!r}"
                raise field_error(text, source, ("candidate", row, "types"), message)
        if item.id in seen:
            raise field_error(text, source, ("candidate", row, "id"), f"duplicate id {item.id!r}")
        seen.add(item.id)
    return Candidates(
        ids=tuple(c.id for c in model.candidate),
        lat=np.array([c.lat for c in model.candidate], float),
        lon=np.array([c.lon for c in model.candidate], float),
        allowed=tuple(frozenset(c.types) if c.types else None for c in model.candidate),
    )


def load_candidates(path: Path, catalogue: SensorCatalogue) -> Candidates:
    return parse_candidates(read_text(path), catalogue, str(path))
