"""Opening a store from a URL, as given on the command line or in settings.

=====================================  =========================================
``sqlite:///relative/path.db``         SQLite file, relative to the working dir
``sqlite:////absolute/path.db``        SQLite file at an absolute path
``sqlite://:memory:``                  SQLite in memory (also ``sqlite:///:memory:``)
``out/run.db`` (no scheme)             SQLite file at that path
``postgresql://user@host:5432/db``     PostgreSQL (also ``postgres://``), passed to libpq
=====================================  =========================================

The ``sqlite:///`` forms follow SQLAlchemy's URLs: three slashes, then the path.
"""

from __future__ import annotations

from dronewall.core.errors import ConfigError
from dronewall.store.base import Store
from dronewall.store.postgres import PostgresStore
from dronewall.store.sqlite import MEMORY, SQLiteStore

SQLITE_PREFIX = "sqlite://"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_store(url: str) -> Store:
    """The store that ``url`` names; ``ConfigError`` for an unknown scheme or no path."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        if not url.strip():
            raise ConfigError("empty store URL", field="store")
        return SQLiteStore(url)
    if scheme == "sqlite":
        return SQLiteStore(_sqlite_path(url, rest))
    if scheme in POSTGRES_SCHEMES:
        return PostgresStore(url)
    raise ConfigError(
        f"unknown store URL scheme {scheme!r} in {url!r}: use sqlite:// or postgresql://",
        field="store",
    )


def _sqlite_path(url: str, rest: str) -> str:
    if rest in (MEMORY, "/" + MEMORY):
        return MEMORY
    if not rest.startswith("/") or rest == "/":
        raise ConfigError(
            f"{url!r}: write sqlite:///PATH (three slashes, then the path)", field="store"
        )
    return rest[1:]
