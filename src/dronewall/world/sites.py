"""Protected sites supplied by the user: nuclear plants, military bases, ports, government
buildings, energy infrastructure and airports that dronewall watches.

The file format is TOML (https://toml.io/en/v1.0.0), an array of ``[[site]]`` tables,
documented in ``docs/sites-format.md``. ``load_sites`` validates the file with pydantic and
turns the first problem into a ``ConfigError`` naming the file, the 1-based line and the field
(``site[3].lat``: the third ``[[site]]`` table, counting from 1).

The packaged starter file ``data/protected_sites.toml`` lists real sites with public
coordinates, each with its source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dronewall.core.errors import ConfigError
from dronewall.core.tomlpos import line_of


class SiteKind(StrEnum):
    """What a protected site is."""

    NUCLEAR = "nuclear"
    MILITARY = "military"
    PORT = "port"
    GOVERNMENT = "government"
    ENERGY = "energy"
    AIRPORT = "airport"
    OTHER = "other"


# Protection radius (m) used when a site gives none. These are alerting radii for dronewall,
# not legal no-fly zones: at 5 km a small drone at 20 m/s is still about 4 minutes away, the
# time an operator needs to respond; large or dispersed sites (plants, bases, airports) get
# 5 km, compact ones (a port basin, a substation) 3 km, a single building 1 km.
DEFAULT_RADIUS_M: Final = {
    SiteKind.NUCLEAR: 5_000.0,
    SiteKind.MILITARY: 5_000.0,
    SiteKind.AIRPORT: 5_000.0,
    SiteKind.PORT: 3_000.0,
    SiteKind.ENERGY: 3_000.0,
    SiteKind.GOVERNMENT: 1_000.0,
    SiteKind.OTHER: 1_000.0,
}

SITE_TABLE: Final = "site"  # the name of the array of tables in the file
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class Site:
    """A protected site. ``radius_m`` is the protection radius around (lat, lon)."""

    id: str
    name: str
    kind: SiteKind
    country: str  # Natural Earth ADM0_A3
    lat: Annotated[float, Field(strict=True)]  # strict: a quoted "54.3" is an error
    lon: Annotated[float, Field(strict=True)]
    radius_m: float
    source: str  # URL or citation for the coordinates


def default_sites_path() -> Path:
    """The starter file shipped with the package."""
    return Path(str(resources.files("dronewall.world") / "data" / "protected_sites.toml"))


def load_sites(
    source: Path | str, *, name: str = "", known_countries: Collection[str] | None = None
) -> tuple[Site, ...]:
    """Read and validate a sites file.

    ``source`` is a ``Path`` to a TOML file, or a ``str`` holding the TOML text itself.
    ``name`` is the file name used in errors (default: the path, or ``"<sites>"`` for text).
    When ``known_countries`` is given, every site's country must be one of them.
    Raises ``ConfigError`` naming the line and field of the first problem.
    """
    if isinstance(source, Path):
        name = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"cannot read file: {error.strerror}", source=name) from error
    else:
        name, text = name or "<sites>", source
    return parse_sites(text, name=name, known_countries=known_countries)


def parse_sites(
    text: str, *, name: str = "<sites>", known_countries: Collection[str] | None = None
) -> tuple[Site, ...]:
    """Validate TOML text holding ``[[site]]`` tables (see ``load_sites``)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _decode_error(error, name) from error
    try:
        model = _SitesFile.model_validate(document)
    except ValidationError as error:
        raise _validation_error(error, text, name) from error
    sites = tuple(_site_from_model(site) for site in model.site)
    _check_unique_ids(sites, text, name)
    if known_countries is not None:
        _check_countries(sites, known_countries, text, name)
    return sites


_Text = Annotated[str, Field(min_length=1)]


class _SiteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
    name: _Text
    kind: SiteKind
    country: Annotated[str, Field(pattern=r"^[A-Z0-9]{3}$")]
    lat: Annotated[float, Field(strict=True)]  # strict: a quoted "54.3" is an error
    lon: Annotated[float, Field(strict=True)]
    radius_m: Annotated[float, Field(strict=True, gt=0.0, le=100_000.0)] | None = None
    source: _Text

    @field_validator("lat")
    @classmethod
    def _latitude(cls, value: float) -> float:
        if not -90.0 <= value <= 90.0:
            raise ValueError("must be between -90 and 90")
        return value

    @field_validator("lon")
    @classmethod
    def _longitude(cls, value: float) -> float:
        if not -180.0 <= value <= 180.0:
            raise ValueError("must be between -180 and 180")
        return value


class _SitesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    site: list[_SiteModel] = []


def _site_from_model(model: _SiteModel) -> Site:
    radius = model.radius_m if model.radius_m is not None else DEFAULT_RADIUS_M[model.kind]
    return Site(
        id=model.id,
        name=model.name,
        kind=model.kind,
        country=model.country,
        lat=model.lat,
        lon=model.lon,
        radius_m=radius,
        source=model.source,
    )


def _decode_error(error: tomllib.TOMLDecodeError, name: str) -> ConfigError:
    message = str(error)
    match = _TOML_POSITION.search(message)
    line = int(match.group(1)) if match else None
    return ConfigError(_TOML_POSITION.sub("", message).strip(), source=name, line=line)


_MESSAGES: Final = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
}
_PATTERN_MESSAGES: Final = {
    "id": "must be a slug: lower-case letters and digits joined by single hyphens",
    "country": "must be an upper-case Natural Earth ADM0_A3 code such as 'POL'",
}


def _validation_error(error: ValidationError, text: str, name: str) -> ConfigError:
    """The first pydantic error as a ConfigError with a field path and a line."""
    first: Any = error.errors()[0]
    location: Sequence[str | int] = first["loc"]
    message = _message(first["type"], str(location[-1]), first)
    if len(location) >= 3 and location[0] == SITE_TABLE and isinstance(location[1], int):
        table, key = location[1], str(location[2])
        line = line_of(text, (SITE_TABLE, table, key))
        return ConfigError(
            message, source=name, field=f"{SITE_TABLE}[{table + 1}].{key}", line=line
        )
    field = ".".join(str(part) for part in location)
    return ConfigError(message, source=name, field=field, line=line_of(text, (str(location[0]),)))


def _message(kind: str, key: str, error: Any) -> str:
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(key, f"must match {error['ctx']['pattern']}")
    if kind == "enum":
        return f"must be one of {error['ctx']['expected']}"
    return _MESSAGES.get(kind, str(error["msg"]).removeprefix("Value error, "))


def _check_unique_ids(sites: Sequence[Site], text: str, name: str) -> None:
    first_row: dict[str, int] = {}
    for row, site in enumerate(sites):
        if site.id in first_row:
            first = f"{SITE_TABLE}[{first_row[site.id] + 1}]"
            message = f"duplicate id {site.id!r} (already used by {first})"
            line = line_of(text, (SITE_TABLE, row, "id"))
            raise ConfigError(message, source=name, field=f"{SITE_TABLE}[{row + 1}].id", line=line)
        first_row[site.id] = row


def _check_countries(sites: Sequence[Site], known: Collection[str], text: str, name: str) -> None:
    for row, site in enumerate(sites):
        if site.country not in known:
            line = line_of(text, (SITE_TABLE, row, "country"))
            field = f"{SITE_TABLE}[{row + 1}].country"
            message = f"unknown country code {site.country!r}"
            raise ConfigError(message, source=name, field=field, line=line)
