"""The keys of a CoT/TAK output in the sharing file (``[[recipient.output]]`` with kind
``cot-udp``, ``cot-tcp``, ``tak-udp`` or ``tak-tcp``), checked once: ``parse_settings`` turns
the table into ``CotOutSettings`` or raises ``ConfigError`` naming the key and what is wrong
(docs/cot.md lists the keys)."""

from __future__ import annotations

import ipaddress
import math
import socket
from dataclasses import dataclass, field, replace
from typing import Any, Final

from dronewall.core.errors import ConfigError
from dronewall.sensors.cot import EventOptions

KINDS: Final = ("cot-udp", "cot-tcp", "tak-udp", "tak-tcp")
DEFAULT_INTERVAL_S: Final = 1.0  # ATAK's own SA goes out every few s; drones move fast
STALE_INTERVALS: Final = 5.0  # default stale: a track survives four lost updates
_KEYS: Final = {
    "kind": "output kind",
    "address": "host:port (a multicast group for UDP)",
    "interval_s": "seconds between pictures sent",
    "stale_s": "seconds a track stays valid on the TAK map",
    "ttl": "multicast (or unicast) TTL, 0–255",
    "interface": "IPv4 address of the interface for multicast",
    "node": "this node's name in event uids",
    "callsign_prefix": "callsigns are <prefix>-<track id>",
    "birds": "send birds too",
    "alerts": "send alerts as alarm events",
    "group": "<__group name> for the events",
    "group_role": "<__group role>",
    "access": "the events' access attribute (a marking)",
    "negotiate": "tak-tcp: negotiate TAK Protocol v1 with the server",
    "negotiate_timeout_s": "tak-tcp: how long to wait for the server's offer/answer",
    "connect_timeout_s": "TCP connect timeout",
    "send_timeout_s": "TCP send timeout (a server not reading)",
    "backoff_min_s": "first reconnect delay",
    "backoff_max_s": "longest reconnect delay",
    "tls": "TCP: TLS to the server",
    "ca_file": "TLS: authorities the server's certificate must chain to (PEM)",
    "cert_file": "TLS: our client certificate (PEM)",
    "key_file": "TLS: its private key (PEM), when not in cert_file",
    "server_name": "TLS: the name the server's certificate must carry (default: the host)",
    "verify": "TLS: check the server's certificate (default true)",
}


@dataclass(frozen=True, slots=True)
class CotOutSettings:
    """One CoT/TAK output, checked (``parse_settings``)."""

    kind: str
    host: str
    port: int
    interval_s: float = DEFAULT_INTERVAL_S
    stale_s: float = DEFAULT_INTERVAL_S * STALE_INTERVALS
    ttl: int = 1  # multicast stays on the local network unless asked
    interface: str = ""
    options: EventOptions = field(default_factory=EventOptions)
    alerts: bool = True
    negotiate: bool = True
    negotiate_timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    send_timeout_s: float = 5.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 30.0
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    server_name: str = ""
    verify: bool = True

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def tcp(self) -> bool:
        return self.kind.endswith("-tcp")


def _fail(kind: str, key: str, message: str) -> ConfigError:
    return ConfigError(message, source=f"{kind} output", field=key)


def _number(kind: str, table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(kind, key, f"must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise _fail(kind, key, f"must be a finite number > 0, got {value!r}")
    return float(value)


def _text(kind: str, table: dict[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _fail(kind, key, f"must be a string, got {value!r}")
    return value


def _flag(kind: str, table: dict[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _fail(kind, key, f"must be true or false, got {value!r}")
    return value


def _address(kind: str, value: object) -> tuple[str, int]:
    if not isinstance(value, str) or ":" not in value:
        raise _fail(kind, "address", f"must be host:port, got {value!r}")
    host, _, port_text = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _fail(kind, "address", f"must be host:port with a port 1–65535, got {value!r}")
    return host, int(port_text)


def parse_settings(table: dict[str, Any]) -> CotOutSettings:
    """A sharing file's output table as settings; ConfigError naming the bad key."""
    kind = table.get("kind")
    if kind not in KINDS:
        raise _fail("cot", "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise _fail(kind, unknown[0], f"unknown key (known: {', '.join(_KEYS)})")
    host, port = _address(kind, table.get("address"))
    ttl = table.get("ttl", 1)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 255:
        raise _fail(kind, "ttl", f"must be an integer 0–255, got {ttl!r}")
    interval = _number(kind, table, "interval_s", DEFAULT_INTERVAL_S)
    stale = _number(kind, table, "stale_s", interval * STALE_INTERVALS)
    if stale < interval:
        raise _fail(kind, "stale_s", f"must be at least interval_s ({interval} s), got {stale}")
    interface = _text(kind, table, "interface", "")
    if interface:
        try:
            ipaddress.IPv4Address(interface)
        except ValueError:
            raise _fail(kind, "interface", f"must be an IPv4 address, got {interface!r}") from None
    backoff_min = _number(kind, table, "backoff_min_s", 1.0)
    backoff_max = _number(kind, table, "backoff_max_s", 30.0)
    if backoff_max < backoff_min:
        raise _fail(kind, "backoff_max_s", f"must be at least backoff_min_s ({backoff_min})")
    options = EventOptions(
        node=_text(kind, table, "node", socket.gethostname() or "dronewall"),
        callsign_prefix=_text(kind, table, "callsign_prefix", "DW"),
        stale_s=stale,
        birds=_flag(kind, table, "birds", False),
        group_name=_text(kind, table, "group", ""),
        group_role=_text(kind, table, "group_role", "Team Member"),
        access=_text(kind, table, "access", ""),
    )
    if not options.group_name:
        options = replace(options, group_role="")
    return CotOutSettings(
        kind=kind,
        host=host,
        port=port,
        interval_s=interval,
        stale_s=stale,
        ttl=ttl,
        interface=interface,
        options=options,
        alerts=_flag(kind, table, "alerts", True),
        negotiate=_flag(kind, table, "negotiate", True),
        negotiate_timeout_s=_number(kind, table, "negotiate_timeout_s", 10.0),
        connect_timeout_s=_number(kind, table, "connect_timeout_s", 5.0),
        send_timeout_s=_number(kind, table, "send_timeout_s", 5.0),
        backoff_min_s=backoff_min,
        backoff_max_s=backoff_max,
        **_tls(kind, table),
    )


def _tls(kind: str, table: dict[str, Any]) -> dict[str, Any]:
    tls_keys = ("ca_file", "cert_file", "key_file", "server_name", "verify")
    tls = _flag(kind, table, "tls", False)
    if tls and not kind.endswith("-tcp"):
        raise _fail(kind, "tls", "TLS is for the TCP outputs (cot-tcp, tak-tcp)")
    stray = [key for key in tls_keys if key in table and not tls]
    if stray:
        raise _fail(kind, stray[0], "needs tls = true")
    out: dict[str, Any] = {"tls": tls, "verify": _flag(kind, table, "verify", True)}
    for key in tls_keys[:4]:
        out[key] = _text(kind, table, key, "")
    if out["key_file"] and not out["cert_file"]:
        raise _fail(kind, "key_file", "needs cert_file")
    return out
