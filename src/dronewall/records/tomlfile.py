"""Read a TOML data file (https://toml.io/en/v1.0.0) into a validated pydantic model.

Planning files (sensor catalogue, laydown, candidate sites, procurement plan) and engagement
files (effector catalogue, effector laydowns, rules of engagement) all go through
:func:`parse_toml`, so a bad file fails the same way everywhere: a ``ConfigError`` naming the
source, the dotted field (``effector[2].max_range_m``, arrays counted from 0 as in the
scenario files) and the 1-based line (``core.tomlpos.line_of``, and sub-tables of arrays of
tables such as ``[effector.pk]``, which ``line_of`` does not follow).
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
            message, source=source, field=dotted(location), line=position(text, location)
        ) from error


def field_error(
    text: str, source: str, location: tuple[str | int, ...], message: str
) -> ConfigError:
    """A ConfigError for a check made after validation (e.g. a reference to an unknown id)."""
    return ConfigError(
        message, source=source, field=dotted(location), line=position(text, location)
    )


def position(text: str, location: tuple[str | int, ...]) -> int | None:
    """1-based line of ``location``; also finds keys of a sub-table of an array of tables,
    ``("effector", 2, "pk", "decoy")`` under the third ``[[effector]]``'s ``[effector.pk]``,
    which ``core.tomlpos.line_of`` does not follow."""
    shape = [type(part) for part in location[:3]]
    if len(location) >= 3 and shape == [str, int, str]:
        found = _sub_table_line(text.splitlines(), location)
        if found is not None:
            return found
    return line_of(text, location)


def _sub_table_line(lines: list[str], location: tuple[str | int, ...]) -> int | None:
    array, index, sub = str(location[0]), int(location[1]), str(location[2])
    headers = [i for i, line in enumerate(lines) if line.strip().startswith(f"[[{array}]]")]
    if index >= len(headers):
        return None
    stop = headers[index + 1] if index + 1 < len(headers) else len(lines)
    wanted = f"[{array}.{sub}]"
    for i in range(headers[index], stop):
        if lines[i].strip().split("#")[0].strip() == wanted:
            key = str(location[3]) if len(location) > 3 else None
            for j in range(i + 1, stop):
                if lines[j].lstrip().startswith("["):
                    break
                if key is not None and re.match(rf"\s*{re.escape(key)}\s*=", lines[j]):
                    return j + 1
            return i + 1
    return None


def dotted(location: tuple[str | int, ...]) -> str:
    """``("effector", 2, "count")`` → ``"effector[2].count"``."""
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
