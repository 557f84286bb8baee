"""Read a planning TOML file (https://toml.io/en/v1.0.0) into a validated pydantic model.

Every planning file (sensor catalogue, laydown, candidate sites, procurement plan) goes
through :func:`parse_toml`, so a bad file fails the same way everywhere: a ``ConfigError``
naming the source, the dotted field (``system[2].unit_price_eur``, arrays counted from 0 as in
the scenario files) and the 1-based line found by ``core.tomlpos.line_of``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from dronewall.core.errors import ConfigError
from dronewall.core.tomlpos import line_of

ModelT = TypeVar("ModelT", bound=BaseModel)
_TOML_LINE = re.compile(r"line (\d+)")


class Strict(BaseModel):
    """Base of every file model: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_text(path: Path) -> str:
    """The file's text; ``ConfigError`` naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read file: {error.strerror}", source=str(path)) from error


def parse_toml(model: type[ModelT], text: str, source: str) -> ModelT:
    """Parse ``text`` and validate it as ``model``; the first problem becomes a ConfigError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise ConfigError(f"not valid TOML: {error}", source=source, line=line) from error
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first: Any = error.errors()[0]
        location = tuple(first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            message, source=source, field=dotted(location), line=line_of(text, location)
        ) from error


def field_error(
    text: str, source: str, location: tuple[str | int, ...], message: str
) -> ConfigError:
    """A ConfigError for a check made after validation (e.g. a reference to an unknown id)."""
    return ConfigError(message, source=source, field=dotted(location), line=line_of(text, location))


def dotted(location: tuple[str | int, ...]) -> str:
    """``("system", 2, "price")`` → ``"system[2].price"``."""
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
