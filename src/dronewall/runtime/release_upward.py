"""The sharing file's ``sapient-up`` output: the picture reported up to an ally's SAPIENT
fusion node (``runtime/upward.UpwardReporter``), as a ``PictureSink`` of one recipient — the
parent receives only what that recipient is cleared for (``runtime/sharing.py`` cuts each
frame and alert event before it reaches the sink).

Keys: ``kind = "sapient-up"``, ``address = "HOST:PORT"`` (required), ``site_name`` (who this
site is to the parent; default ``dronewall site``), ``interval_s`` (seconds between pictures
sent, default the reporter's), ``status_interval_s``.
"""

from __future__ import annotations

import math
from typing import Any

from dronewall.assess import AlertEvent
from dronewall.core.errors import ConfigError
from dronewall.core.release import Recipient
from dronewall.runtime.upward import UPWARD_INTERVAL_S, UpwardReporter, UpwardSettings
from dronewall.store import PictureFrame

KIND = "sapient-up"
DEFAULT_SITE = "dronewall site"
STATUS_INTERVAL_S = 5.0  # as UpwardSettings
_KEYS = ("kind", "address", "site_name", "interval_s", "status_interval_s")


def _fail(key: str, message: str) -> ConfigError:
    return ConfigError(message, source=f"{KIND} output", field=key)


def _address(value: object) -> tuple[str, int]:
    if not isinstance(value, str):
        raise _fail("address", f"must be HOST:PORT, got {value!r}")
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise _fail("address", f"must be HOST:PORT with a port 1–65535, got {value!r}")
    return host, int(port)


def _seconds(table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(key, f"must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise _fail(key, f"must be a finite number > 0, got {value!r}")
    return float(value)


def upward_settings(table: dict[str, Any]) -> UpwardSettings:
    """The reporter's settings from an output table; ConfigError naming the key."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise _fail(unknown[0], f"unknown key (known: {', '.join(_KEYS)})")
    if table.get("kind", KIND) != KIND:
        raise _fail("kind", f"must be {KIND!r}, got {table.get('kind')!r}")
    host, port = _address(table.get("address"))
    site = table.get("site_name", DEFAULT_SITE)
    if not isinstance(site, str) or not site.strip():
        raise _fail("site_name", f"must be a non-empty string, got {site!r}")
    return UpwardSettings(
        host,
        port,
        site_name=site.strip(),
        interval_s=_seconds(table, "interval_s", UPWARD_INTERVAL_S),
        status_interval_s=_seconds(table, "status_interval_s", STATUS_INTERVAL_S),
    )


class UpwardSink:
    """An ``UpwardReporter`` (its own loop thread) as one recipient's ``PictureSink``."""

    def __init__(self, recipient: Recipient, settings: UpwardSettings):
        self.recipient = recipient
        self.reporter = UpwardReporter(settings)
        self.name = f"{KIND}:{settings.host}:{settings.port}"

    def start(self) -> None:
        self.reporter.start()

    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        self.reporter.take_frame(frame, wall_ingest, seq)

    def take_events(self, events: list[AlertEvent]) -> None:
        self.reporter.take_events(events)

    def close(self, timeout_s: float = 5.0) -> None:
        self.reporter.close(timeout_s)

    def health(self) -> dict[str, Any]:
        return {"recipient": self.recipient.name, **self.reporter.health()}


def make_upward_sink(recipient: Recipient, table: dict[str, Any]) -> UpwardSink:
    """The sharing file's factory for kind ``sapient-up``."""
    return UpwardSink(recipient, upward_settings(table))
