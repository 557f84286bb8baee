"""User geofences: named polygons in latitude/longitude with a kind and an optional altitude
band, read from a TOML file (https://toml.io/en/v1.0.0) documented in ``docs/alerts.md``.

The file is an array of ``[[geofence]]`` tables. ``load_geofences`` validates it with pydantic
and turns the first problem into a ``ConfigError`` naming the file, the field
(``geofence[2].polygon``, tables counted from 0 as in the scenario files) and the 1-based line
found by ``dronewall.core.tomlpos.line_of``. Checks beyond the schema: at least three distinct
vertices, edges that do not cross, a band whose floor is below its ceiling, a polygon no wider
than ``MAX_EXTENT_M`` from its centre, and ids unique among the geofences and the sites.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry import Polygon as ShapelyPolygon

from dronewall.core.errors import ConfigError
from dronewall.core.geodesy import surface_distance_m
from dronewall.core.tomlpos import line_of
from dronewall.world import SiteKind

GEOFENCE_TABLE: Final = "geofence"
# Geometry is done in one tangent plane per geofence; 250 km from its centre the plane's
# horizontal distortion is about 60 m (r³ / 6R²), small against a drone's 5 km alert radius.
MAX_EXTENT_M: Final = 250_000.0
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class Geofence:
    """A polygon to protect. Heights are metres above the WGS-84 ellipsoid, like all of
    dronewall's; ``None`` means no floor or no ceiling."""

    id: str
    name: str
    kind: SiteKind
    vertices: tuple[tuple[float, float], ...]  # (lat, lon) degrees, not closed
    floor_m: float | None = None
    ceiling_m: float | None = None


def load_geofences(
    source: Path | str, *, name: str = "", reserved_ids: Collection[str] = ()
) -> tuple[Geofence, ...]:
    """Read and validate a geofence file: a ``Path``, or a ``str`` holding the TOML text.

    ``name`` is used in errors (default: the path, or ``"<geofences>"``); ``reserved_ids``
    are ids already taken (the protected sites'), which a geofence may not reuse.
    """
    if isinstance(source, Path):
        name = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"cannot read file: {error.strerror}", source=name) from error
    else:
        name, text = name or "<geofences>", source
    return parse_geofences(text, name=name, reserved_ids=reserved_ids)


def parse_geofences(
    text: str, *, name: str = "<geofences>", reserved_ids: Collection[str] = ()
) -> tuple[Geofence, ...]:
    """Validate TOML text holding ``[[geofence]]`` tables (see ``load_geofences``)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) if found else None
        raise ConfigError(
            f"not valid TOML: {_TOML_POSITION.sub('', message).strip()}", source=name, line=line
        ) from error
    try:
        model = _GeofenceFile.model_validate(document)
    except ValidationError as error:
        raise _validation_error(error, text, name) from error
    fences = tuple(_geofence(row, fence, text, name) for row, fence in enumerate(model.geofence))
    _check_ids(fences, set(reserved_ids), text, name)
    return fences


_Text = Annotated[str, Field(min_length=1)]
_Degrees = Annotated[float, Field(strict=True)]


class _GeofenceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
    name: _Text
    kind: SiteKind
    polygon: list[tuple[_Degrees, _Degrees]]
    min_alt_m: Annotated[float, Field(strict=True)] | None = None
    max_alt_m: Annotated[float, Field(strict=True)] | None = None

    @field_validator("polygon")
    @classmethod
    def _vertices(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for k, (lat, lon) in enumerate(value):
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                raise ValueError(f"vertex {k} ({lat}, {lon}) is not [lat, lon] in degrees")
        return value


class _GeofenceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    geofence: list[_GeofenceModel] = []


def _geofence(row: int, model: _GeofenceModel, text: str, name: str) -> Geofence:
    vertices = list(model.polygon)
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()  # a closed ring is accepted; keep it open
    if len(set(vertices)) < 3:
        raise _field_error(text, name, row, "polygon", "needs at least three distinct vertices")
    if not ShapelyPolygon([(lon, lat) for lat, lon in vertices]).is_valid:
        raise _field_error(text, name, row, "polygon", "edges cross or touch each other")
    if _extent_m(vertices) > MAX_EXTENT_M:
        message = f"reaches more than {MAX_EXTENT_M / 1000:.0f} km from its centre; split it"
        raise _field_error(text, name, row, "polygon", message)
    floor, ceiling = model.min_alt_m, model.max_alt_m
    if floor is not None and ceiling is not None and floor >= ceiling:
        raise _field_error(text, name, row, "max_alt_m", "must be greater than min_alt_m")
    return Geofence(model.id, model.name, model.kind, tuple(vertices), floor, ceiling)


def _extent_m(vertices: Sequence[tuple[float, float]]) -> float:
    lat = [v[0] for v in vertices]
    lon = [v[1] for v in vertices]
    centre_lat, centre_lon = sum(lat) / len(lat), sum(lon) / len(lon)
    return float(surface_distance_m(lat, lon, centre_lat, centre_lon).max())


def _check_ids(fences: Sequence[Geofence], reserved: set[str], text: str, name: str) -> None:
    first_row: dict[str, int] = {}
    for row, fence in enumerate(fences):
        if fence.id in first_row:
            message = f"duplicate id {fence.id!r} (already used by geofence[{first_row[fence.id]}])"
            raise _field_error(text, name, row, "id", message)
        if fence.id in reserved:
            raise _field_error(text, name, row, "id", f"id {fence.id!r} is already a site's id")
        first_row[fence.id] = row


def _field_error(text: str, name: str, row: int, key: str, message: str) -> ConfigError:
    line = line_of(text, (GEOFENCE_TABLE, row, key))
    return ConfigError(message, source=name, field=f"{GEOFENCE_TABLE}[{row}].{key}", line=line)


def _validation_error(error: ValidationError, text: str, name: str) -> ConfigError:
    """The first pydantic error as a ConfigError naming the field and its line."""
    first: Any = error.errors()[0]
    location: Sequence[str | int] = first["loc"]
    message = _message(first)
    if len(location) >= 3 and location[0] == GEOFENCE_TABLE and isinstance(location[1], int):
        return _field_error(text, name, location[1], str(location[2]), message)
    field = ".".join(str(part) for part in location)
    return ConfigError(message, source=name, field=field, line=line_of(text, (str(location[0]),)))


def _message(error: Any) -> str:
    kind = error["type"]
    indices = [part for part in error["loc"] if isinstance(part, int)]
    if "polygon" in error["loc"] and len(indices) >= 2:
        return f"vertex {indices[1]} must be [lat, lon]: two numbers in degrees"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_pattern_mismatch":
        return "must be a slug: lower-case letters and digits joined by single hyphens"
    if kind == "enum":
        return f"must be one of {error['ctx']['expected']}"
    return str(error["msg"]).removeprefix("Value error, ")


def band_or_infinite(fence: Geofence) -> tuple[float, float]:
    """The altitude band as numbers, -inf/+inf for a missing floor/ceiling."""
    floor = -math.inf if fence.floor_m is None else fence.floor_m
    ceiling = math.inf if fence.ceiling_m is None else fence.ceiling_m
    return floor, ceiling
