"""The dronewall error tree. Every error carries the data that caused it.

The tree::

    DronewallError
     ├── ConfigError            bad configuration or scenario file (names the field and line)
     ├── DataError              packaged or user data that cannot be loaded
     │    └── UnknownPlaceError an airport, site or country code that does not exist
     ├── NotFoundError          a run, track or alert asked for by id does not exist
     └── DecodeError            a malformed message or record from outside (keeps the bad value)
"""

from __future__ import annotations


class DronewallError(Exception):
    """Base of every error raised on purpose by dronewall."""


class ConfigError(DronewallError):
    """A configuration or scenario file is invalid.

    ``field`` is a dotted path such as ``raid[1].speed_kmh``; ``line`` is 1-based or ``None``
    when the position is not known (for example a missing field).
    """

    def __init__(self, message: str, *, source: str = "", field: str = "", line: int | None = None):
        self.source = source
        self.field = field
        self.line = line
        where = source
        if line is not None:
            where = f"{source}:{line}" if source else f"line {line}"
        prefix = f"{where}: " if where else ""
        field_part = f"{field}: " if field else ""
        super().__init__(f"{prefix}{field_part}{message}")


class DataError(DronewallError):
    """Packaged or user-supplied data cannot be loaded or is inconsistent."""


class UnknownPlaceError(DataError):
    """A named place (airport ICAO code, site id, country code) is unknown."""

    def __init__(self, kind: str, name: str):
        self.kind = kind
        self.name = name
        super().__init__(f"unknown {kind}: {name!r}")


class DecodeError(DronewallError):
    """An external message or record is malformed. ``value`` keeps the offending input."""

    def __init__(self, message: str, value: object = None):
        self.value = value
        super().__init__(message)


class NotFoundError(DronewallError):
    """A run, track or alert asked for by id does not exist."""

    def __init__(self, kind: str, key: object):
        self.kind = kind
        self.key = key
        super().__init__(f"no {kind} {key!r}")
