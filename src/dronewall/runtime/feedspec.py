"""What feeds ``dronewall serve`` listens to: ``--feed URL`` options and a feeds file (TOML),
read once at the edge into ``FeedSpec``s. ``docs/feeds.md`` documents both.

A feed URL is ``FORMAT[+TRANSPORT]://HOST:PORT[/PATH][?key=value&…]``:

=============== ============== ================================================================
format          transports     what arrives
=============== ============== ================================================================
asterix         udp (default)  ASTERIX CAT048 plots and CAT034 service messages (multicast or
                               unicast; a multicast group address is joined)
beast           tcp, listen    Mode S Beast binary (readsb/dump1090 port 30005)
avr             tcp, listen    Mode S AVR text (port 30002)
sbs             tcp, listen    SBS-1 BaseStation CSV (port 30003)
remoteid        udp            ASTM F3411 / EN 4709-002 messages and message packs
remoteid-json   udp, tcp,      Remote ID as JSON lines
                listen
mqtt            mqtt           acoustic and RF nodes publishing JSON (``PATH`` is the prefix)
sapient         listen         SAPIENT (BSI Flex 335 v2.0) sensor nodes connecting to us
=============== ============== ================================================================

``tcp`` connects to a receiver and reconnects; ``listen`` accepts connections. Query keys
become settings: ``name`` (the feed's name, default ``FORMAT-PORT``), ``nation``, ``lat``,
``lon``, ``alt`` (the receiver's position), ``range_km``, ``interface`` (multicast).

Security labels (``core.release``, ``docs/releasability.md``): a feed's sensors are owned by
its ``nation`` (alpha-2 or alpha-3; none: ``DEFAULT_OWNER``), ``classification`` (default
UNCLASSIFIED), ``releasable_to`` (nations and/or NATO, EU; a list, or comma-separated in a
URL; default nobody else) and ``policy`` (default NATO); a ``[[feed.sensor]]`` table may set
any of the four for its sensor.

Authentication (``sensors/tls.py``, ``docs/feeds.md`` "Authenticating sensors"): ``allow`` on
``udp``/``listen`` and SAPIENT feeds; ``tls_cert``, ``tls_key``, ``tls_ca``,
``require_client_cert``, ``allowed_clients`` on SAPIENT; ``username``, ``password_file``,
``password_env`` and the three ``tls_*`` on MQTT. Checked here (files readable, networks
valid), so a bad one names the feeds file's line; a ``password`` in a feeds file is refused.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dronewall.core.errors import ConfigError
from dronewall.core.release import DEFAULT_OWNER, LabelError, SecurityLabel
from dronewall.core.tomlpos import line_of
from dronewall.core.types import SensorKind
from dronewall.sensors.feed import SensorInfo
from dronewall.sensors.tls import KeyValueError, check_feed_keys
from dronewall.world.countries import load_countries

TRANSPORTS: dict[str, tuple[str, ...]] = {  # format → transports, the default first
    "asterix": ("udp",),
    "beast": ("tcp", "listen"),
    "avr": ("tcp", "listen"),
    "sbs": ("tcp", "listen"),
    "remoteid": ("udp",),
    "remoteid-json": ("udp", "tcp", "listen"),
    "mqtt": ("mqtt",),
    "sapient": ("listen",),
}
DEFAULT_PORTS = {"beast": 30005, "avr": 30002, "sbs": 30003, "mqtt": 1883, "sapient": 12000}
SENSOR_KINDS = {  # the kind of the sensor(s) a format's feed brings, where it is one kind
    "asterix": SensorKind.RADAR,
    "beast": SensorKind.ADSB,
    "avr": SensorKind.ADSB,
    "sbs": SensorKind.ADSB,
    "remoteid": SensorKind.REMOTE_ID,
    "remoteid-json": SensorKind.REMOTE_ID,
}
_FLOAT_KEYS = ("lat", "lon", "alt", "range_km")
# What a sensor may declare for the tracker (SensorInfo), with the range each must lie in.
_DECLARED_KEYS = {
    "revisit_s": (1e-3, 3600.0),
    "pd": (1e-3, 1.0),
    "clutter_density": (0.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: where it comes from, what format, and what is known of its sensors."""

    name: str
    format: str
    transport: str
    host: str
    port: int
    path: str = ""
    nation: str = ""
    lat_deg: float = math.nan  # the receiver's position (single-receiver feeds)
    lon_deg: float = math.nan
    alt_m: float = math.nan
    max_range_m: float = math.nan
    claims: dict[str, float] = field(default_factory=dict)  # revisit_s, pd, clutter_density
    options: dict[str, Any] = field(default_factory=dict)  # format-specific settings
    sensors: tuple[dict[str, Any], ...] = ()  # [[feed.sensor]] tables, as written
    label: SecurityLabel | None = None  # its sensors' security label (core.release)

    @property
    def url(self) -> str:
        default = self.transport == TRANSPORTS[self.format][0]
        scheme = self.format if default else f"{self.format}+{self.transport}"
        return f"{scheme}://{self.host}:{self.port}{self.path}"

    def receiver(self) -> SensorInfo | None:
        """The feed's own receiver as a sensor, for single-receiver formats."""
        kind = SENSOR_KINDS.get(self.format)
        if kind is None or kind is SensorKind.RADAR:
            return None
        return _claiming(self.claims, SensorInfo(
            self.name, kind, self.lat_deg, self.lon_deg, self.alt_m, self.max_range_m,
            name=self.name, nation=self.nation, label=self.label,
        ))  # fmt: skip

    def declared(self) -> list[SensorInfo]:
        """The sensors the feeds file places ([[feed.sensor]] with key and position)."""
        out = []
        for s in self.sensors:
            kind = _sensor_kind(s.get("kind"), self.format)
            out.append(
                _claiming(
                    _declared(s, f"[[feed.sensor]] {s['key']!r}"),
                    SensorInfo(
                        str(s["key"]),
                        kind,
                        float(s.get("lat", math.nan)),
                        float(s.get("lon", math.nan)),
                        float(s.get("alt", math.nan)),
                        float(s.get("range_km", math.nan)) * 1e3,
                        name=str(s.get("name", "")),
                        nation=str(s.get("nation", self.nation)),
                        vendor=str(s.get("vendor", "")),
                        label=sensor_label(s, self.label, self.nation),
                    ),
                )
            )
        return out


def parse_feed_url(url: str, extra: dict[str, Any] | None = None) -> FeedSpec:
    """A ``FeedSpec`` from a feed URL (and the keys of its feeds-file table, if any).
    Raises ConfigError naming what is wrong."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    fmt, _, transport = scheme.partition("+")
    if fmt not in TRANSPORTS:
        raise ConfigError(
            f"unknown feed format {fmt!r} in {url!r}: one of {', '.join(TRANSPORTS)}",
            field="feed",
        )
    transport = transport or TRANSPORTS[fmt][0]
    if transport not in TRANSPORTS[fmt]:
        allowed = ", ".join(TRANSPORTS[fmt])
        raise ConfigError(f"{fmt} feeds come over {allowed}, not {transport!r}", field="feed")
    try:
        port = parts.port or DEFAULT_PORTS.get(fmt)
    except ValueError as exc:
        raise ConfigError(f"bad port in feed {url!r}: {exc}", field="feed") from exc
    if not parts.hostname or port is None:
        raise ConfigError(f"feed {url!r} needs HOST:PORT", field="feed")
    settings: dict[str, Any] = dict(parse_qsl(parts.query))
    settings.update(extra or {})
    return _spec(fmt, transport, parts.hostname, port, parts.path.rstrip("/"), settings, url)


def _spec(
    fmt: str, transport: str, host: str, port: int, path: str, s: dict[str, Any], url: str
) -> FeedSpec:
    values: dict[str, float] = {}
    for key in _FLOAT_KEYS:
        if key in s:
            try:
                values[key] = float(s.pop(key))
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{key} must be a number in feed {url!r}", field=key) from exc
    lat, lon = values.get("lat", math.nan), values.get("lon", math.nan)
    if not (math.isnan(lat) or -90 <= lat <= 90) or not (math.isnan(lon) or -180 <= lon <= 180):
        raise ConfigError(f"lat/lon out of range in feed {url!r}", field="lat")
    sensors = s.pop("sensor", [])
    if not isinstance(sensors, list) or not all(
        isinstance(x, dict) and "key" in x for x in sensors
    ):
        raise ConfigError("each [[feed.sensor]] needs a key", field="sensor")
    nation = str(s.pop("nation", ""))
    label = sensor_label(s, None, nation, pop=True)
    for table in sensors:
        _declared(table, f"[[feed.sensor]] {table['key']!r}")  # refused here, with the line
        sensor_label(table, label, nation)
    claims = _declared(s, f"feed {url!r}")
    for key in claims:
        s.pop(key)
    try:  # TLS, credentials, allow-lists (sensors/tls.py)
        check_feed_keys(fmt, transport, s)
    except KeyValueError as exc:
        raise ConfigError(f"{exc.why} in feed {url!r}", field=exc.key) from exc
    return FeedSpec(
        name=str(s.pop("name", f"{fmt}-{port}")),
        format=fmt, transport=transport, host=host, port=port, path=path,
        nation=nation, label=label,
        lat_deg=lat, lon_deg=lon, alt_m=values.get("alt", math.nan),
        max_range_m=values.get("range_km", math.nan) * 1e3, claims=claims,
        options=s, sensors=tuple(sensors),
    )  # fmt: skip


LABEL_KEYS = ("classification", "releasable_to", "policy")


def owner_nation(code: str) -> str:
    """An owner nation as ISO alpha-3 (feeds files may write alpha-2: ``DK`` → ``DNK``)."""
    c = code.strip().upper()
    if len(c) == 2:
        found = [a3 for a3, country in load_countries().items() if country.iso_a2 == c]
        if not found:
            raise ConfigError(f"unknown nation {code!r} (ISO 3166-1 alpha-2 or alpha-3)")
        return found[0]
    return c


def sensor_label(
    table: dict[str, Any], base: SecurityLabel | None, nation: str, *, pop: bool = False
) -> SecurityLabel:
    """The label of a feed (``base`` None) or of one of its sensors (the keys it gives over
    the feed's ``base``); ConfigError naming the bad key. ``pop``: take the keys out."""
    get = table.pop if pop else table.get
    values = {key: get(key) for key in LABEL_KEYS if key in table}
    owner_text = str(table.get("nation") or "") if base is not None else nation
    rel = values.get("releasable_to", sorted(base.releasable_to) if base else [])
    if isinstance(rel, str):
        rel = [x for x in rel.split(",") if x.strip()]
    if not isinstance(rel, list):
        raise ConfigError(
            "releasable_to must be a list of nations or communities", field="releasable_to"
        )

    def checked(key: str, make: Any) -> SecurityLabel:
        try:
            return SecurityLabel.make(*make())
        except (LabelError, ConfigError) as exc:
            raise ConfigError(f"{key}: {exc}", field=key) from exc

    owner = (base.owner if base else DEFAULT_OWNER) if not owner_text else None
    if owner is None:
        owner = checked("nation", lambda: (owner_nation(owner_text),)).owner
    checked("classification", lambda: (owner, str(values.get("classification", "UNCLASSIFIED"))))
    checked("releasable_to", lambda: (owner, "UNCLASSIFIED", [str(x) for x in rel]))
    return SecurityLabel.make(
        owner,
        str(values.get("classification", base.classification if base else "UNCLASSIFIED")),
        [str(x) for x in rel],
        str(values.get("policy", base.policy if base else "NATO")),
    )


def _claiming(claims: dict[str, float], info: SensorInfo) -> SensorInfo:
    """``info`` with what its sensor declares for the tracker (``_DECLARED_KEYS``)."""
    return replace(
        info,
        revisit_s=claims.get("revisit_s", math.nan),
        pd=claims.get("pd", math.nan),
        clutter_density=claims.get("clutter_density", math.nan),
    )


def _declared(table: dict[str, Any], where: str) -> dict[str, float]:
    """The keys a sensor declares for the tracker (``_DECLARED_KEYS``), checked."""
    out = {}
    for key, (low, high) in _DECLARED_KEYS.items():
        if key not in table:
            continue
        try:
            value = float(table[key])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key} must be a number in {where}", field=key) from exc
        if not low <= value <= high:
            raise ConfigError(f"{key} must lie in [{low:g}, {high:g}] in {where}", field=key)
        out[key] = value
    return out


def load_feeds_file(path: Path) -> list[FeedSpec]:
    """Every ``[[feed]]`` of a feeds file. Raises ConfigError with the file and line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read feeds file: {exc.strerror}", source=name) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(exc), source=name) from exc
    unknown = set(document) - {"feed"}
    if unknown:
        raise ConfigError(f"unknown table {sorted(unknown)[0]!r}", source=name)
    tables = document.get("feed", [])
    if not isinstance(tables, list):
        raise ConfigError("feeds are [[feed]] tables", source=name, field="feed")
    specs = []
    for i, table in enumerate(tables):
        if "url" not in table:
            line = line_of(text, ("feed", i))
            raise ConfigError("missing url", source=name, field=f"feed[{i + 1}].url", line=line)
        if "password" in table:  # a feeds file may be committed: no secrets in it
            line = line_of(text, ("feed", i, "password"))
            raise ConfigError(
                "no password in a feeds file: use password_file or password_env",
                source=name, field=f"feed[{i + 1}].password", line=line,
            )  # fmt: skip
        settings = {k: v for k, v in table.items() if k != "url"}
        try:
            specs.append(parse_feed_url(str(table["url"]), settings))
        except ConfigError as exc:
            line = line_of(text, ("feed", i, exc.field or "url"))
            raise ConfigError(str(exc), source=name, field=f"feed[{i + 1}]", line=line) from exc
    check_unique(specs)
    return specs


def check_unique(specs: list[FeedSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigError(f"two feeds are named {spec.name!r}: give each a name", field="name")
        seen.add(spec.name)


def _sensor_kind(value: Any, fmt: str) -> SensorKind:
    if value is None:
        return SENSOR_KINDS.get(fmt, SensorKind.ACOUSTIC)
    try:
        return SensorKind[str(value).upper().replace("-", "_")]
    except KeyError as exc:
        names = ", ".join(k.name.lower() for k in SensorKind)
        raise ConfigError(f"unknown sensor kind {value!r}: one of {names}", field="kind") from exc
