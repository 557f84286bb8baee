"""The ``FeedSpec`` a recording is decoded with (``docs/ingest.md``, "Sensors"): the
``[[feed]]`` of a feeds file (``runtime/feedspec.py``) whose format matches, or one made from
the command line's shortcuts, which also override the file's values — so a file decodes
exactly as ``serve`` would decode the same feed live.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dronewall.core.errors import ConfigError
from dronewall.runtime.feedspec import TRANSPORTS, FeedSpec, load_feeds_file


@dataclass(frozen=True, slots=True)
class Shortcuts:
    """Settings given on the command line (None: not given)."""

    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    range_km: float | None = None
    nation: str | None = None
    sac: int | None = None
    sic: int | None = None


def ingest_spec(fmt: str, feeds_file: Path | None, given: Shortcuts) -> FeedSpec:
    """The feed to decode a file of format ``fmt`` as. Raises ConfigError."""
    if fmt not in TRANSPORTS:
        raise ConfigError(f"unknown format {fmt!r}: one of {', '.join(TRANSPORTS)}")
    if feeds_file is not None:
        spec = _from_file(fmt, feeds_file, given.name)
    else:
        spec = FeedSpec(given.name or fmt, fmt, TRANSPORTS[fmt][0], "file", 0)
    return _override(spec, given)


def _from_file(fmt: str, path: Path, name: str | None) -> FeedSpec:
    specs = [s for s in load_feeds_file(path) if s.format == fmt]
    if name is not None:
        specs = [s for s in specs if s.name == name]
    if len(specs) == 1:
        return specs[0]
    which = f"{fmt} feed named {name!r}" if name is not None else f"[[feed]] of format {fmt}"
    if not specs:
        raise ConfigError(f"no {which}", source=str(path))
    names = ", ".join(s.name for s in specs)
    raise ConfigError(f"{len(specs)} feeds of format {fmt} ({names}): pick one with --name",
                      source=str(path))  # fmt: skip


def _override(spec: FeedSpec, given: Shortcuts) -> FeedSpec:
    changes: dict[str, Any] = {}
    for attr, value in (("lat_deg", given.lat), ("lon_deg", given.lon), ("alt_m", given.alt)):
        if value is not None:
            changes[attr] = float(value)
    if given.range_km is not None:
        changes["max_range_m"] = given.range_km * 1e3
    if given.nation is not None:
        changes["nation"] = given.nation
    lat, lon = changes.get("lat_deg", spec.lat_deg), changes.get("lon_deg", spec.lon_deg)
    if not (math.isnan(lat) or -90 <= lat <= 90) or not (math.isnan(lon) or -180 <= lon <= 180):
        raise ConfigError("latitude must be within ±90° and longitude within ±180°", field="lat")
    if (given.sac is None) != (given.sic is None):
        raise ConfigError("--sac and --sic go together (the radar's SAC/SIC)", field="sac")
    if given.sac is not None and given.sic is not None:
        if spec.format != "asterix":
            raise ConfigError("--sac/--sic name an ASTERIX radar", field="sac")
        if not (0 <= given.sac <= 255 and 0 <= given.sic <= 255):
            raise ConfigError("SAC and SIC are 0–255", field="sac")
        where = (lat, lon, changes.get("alt_m", spec.alt_m))
        if not all(math.isfinite(x) for x in where):
            raise ConfigError("a radar given by --sac/--sic needs its --lat, --lon and --alt "
                              "(antenna height above the ellipsoid, m)", field="sac")  # fmt: skip
        changes["options"] = {**spec.options, "sac": given.sac, "sic": given.sic}
    return dataclasses.replace(spec, **changes)
