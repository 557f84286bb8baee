"""Registered friendly drones: a TOML file of Remote ID serials (and optionally ICAO addresses)
that are never alerted (``docs/identify.md``)::

    [[drone]]
    serial = "1596F3ABCD0001"
    operator = "Border Guard, unit 12"
    note = "survey flights along the border"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from dronewall.core.errors import ConfigError
from dronewall.core.tomlpos import line_of


def load_friendly(source: Path | str, name: str = "") -> frozenset[str]:
    """Serials from a file (``Path``) or TOML text (``str``); errors name field and line."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    label = name or (str(source) if isinstance(source, Path) else "<friendly>")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=label) from exc
    unknown = sorted(set(raw) - {"drone"})
    if unknown:
        raise ConfigError(
            f"unknown table {unknown[0]!r}",
            source=label,
            field=unknown[0],
            line=line_of(text, (unknown[0],)),
        )
    serials: set[str] = set()
    for k, entry in enumerate(raw.get("drone", [])):
        serial = entry.get("serial") if isinstance(entry, dict) else None
        if not isinstance(serial, str) or not serial.strip():
            raise ConfigError(
                "serial must be a non-empty string",
                source=label,
                field=f"drone[{k}].serial",
                line=line_of(text, ("drone", k, "serial")),
            )
        extra = sorted(set(entry) - {"serial", "operator", "note"})
        if extra:
            raise ConfigError(
                f"unknown field {extra[0]!r}",
                source=label,
                field=f"drone[{k}].{extra[0]}",
                line=line_of(text, ("drone", k, extra[0])),
            )
        serials.add(serial.strip().upper())
    return frozenset(serials)
