"""Which adapter decodes each feed format, built from the feed's settings (``FeedSpec``).

Most formats are bytes from a socket (``FeedSource`` runs the UDP or TCP transport); MQTT and
SAPIENT bring their own transport, so their adapter here also has ``run(stop, on_state,
record)``, which ``FeedSource`` starts on its event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import os
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from dronewall.core.errors import ConfigError
from dronewall.core.types import MeasurementKind, ObjectClass, ReportBatch, SensorKind
from dronewall.runtime.feeds import AdapterFactory
from dronewall.runtime.feedspec import FeedSpec
from dronewall.sensors.asterix import AsterixAdapter, RadarSettings
from dronewall.sensors.feed import Adapter, FeedOutput, Report, SensorInfo, SensorStatus
from dronewall.sensors.modes import (
    AvrAdapter,
    BeastAdapter,
    ModeSDecoder,
    ReceiverSettings,
    SbsAdapter,
)
from dronewall.sensors.mqtt import MqttAdapter, MqttSettings, record_line, registration_from_info
from dronewall.sensors.mqtt.transport import run_mqtt
from dronewall.sensors.remoteid import RemoteIdAdapter, RemoteIdJsonAdapter, RemoteIdSettings
from dronewall.sensors.sapient import FusionNode, FusionNodeConfig, Health
from dronewall.sensors.tls import (
    SourceFilter,
    mqtt_client_context,
    mqtt_password,
    parse_networks,
    sapient_server_context,
)

Record = Callable[[str, bytes, float], None]  # peer, bytes, wall time


class MqttFeed:
    """MQTT sensor nodes: ``MqttAdapter`` behind ``run_mqtt``. Raw messages are recorded as
    the adapter's JSON-lines recording format, so a replay decodes them the same way."""

    def __init__(self, spec: FeedSpec):
        known = {
            info.key: registration_from_info(info, sigma_az_deg=_float(spec, "sigma_az_deg"))
            for info in spec.declared()
            if math.isfinite(info.lat_deg) and math.isfinite(info.lon_deg)
        }
        prefix = spec.path.strip("/") or MqttSettings().prefix
        self.spec = spec
        self.prefix = prefix
        self.adapter = MqttAdapter(MqttSettings(prefix=prefix, known=known))
        try:  # credentials and TLS (sensors/tls.py; the keys were checked by feedspec)
            self.password = mqtt_password(spec.options, dict(os.environ))
            self.tls = mqtt_client_context(spec.options)
        except ValueError as exc:
            raise ConfigError(f"feed {spec.name}: {exc}") from exc

    @property
    def output(self) -> FeedOutput:
        return self.adapter.output

    def receive(self, data: bytes, t_receive: float) -> None:
        self.adapter.receive(data, t_receive)  # a recording's JSON lines

    async def run(
        self, stop: asyncio.Event, on_state: Callable[[str], None], record: Record
    ) -> None:
        def on_raw(topic: str, payload: bytes, t: float) -> None:
            record(topic, record_line(topic, payload, t), t)

        await run_mqtt(
            self.adapter, self.spec.host, self.spec.port, self.prefix, stop,
            client_id=str(self.spec.options.get("client_id", f"dronewall-{os.getpid()}")),
            username=_text(self.spec, "username"), password=self.password, tls=self.tls,
            on_raw=on_raw, on_state=on_state,
        )  # fmt: skip


class SapientFeed:
    """SAPIENT (BSI Flex 335 v2.0) sensor nodes connecting to our fusion node. A Registration
    creates the sensor in the live table, a StatusReport keeps its position and health, and
    detections become reports keyed by the node's UUID."""

    SYNC_S = 0.5  # the registry is copied into the sensor table this often

    def __init__(self, spec: FeedSpec):
        self.spec = spec
        self.output = FeedOutput()
        self._index_to_node: dict[int, str] = {}
        o = spec.options
        try:  # TLS and allow-lists (sensors/tls.py; the keys were checked by feedspec)
            tls = sapient_server_context(o)
        except ValueError as exc:
            raise ConfigError(f"feed {spec.name}: {exc}") from exc
        allow = SourceFilter(parse_networks(o["allow"])) if o.get("allow") else None
        config = FusionNodeConfig(
            host=spec.host, port=spec.port, tls=tls, allow=allow,
            allowed_clients=frozenset(o.get("allowed_clients", ())),
        )  # fmt: skip
        self.node = FusionNode(self._sink, config)
        self._refused: dict[str, int] = {}

    def receive(self, data: bytes, t_receive: float) -> None:
        self.output.reject("not_replayable", "SAPIENT is decoded by its own fusion node")

    async def start(self) -> None:
        await self.node.start()  # raises OSError when the port is taken

    async def run(
        self, stop: asyncio.Event, on_state: Callable[[str], None], record: Record
    ) -> None:
        on_state("listening")
        try:
            while not stop.is_set():
                self._sync()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.SYNC_S)
        finally:
            await self.node.close()

    def _sync(self) -> None:
        for reason, n in self.node.refused.items():  # refused connections, as rejects
            for _ in range(n - self._refused.get(reason, 0)):
                self.output.reject(reason, self.node.last_refused)
            self._refused[reason] = n
        for entry in self.node.registry.entries():
            self._index_to_node[entry.sensor_index] = entry.node_id
            location = entry.status.location if entry.status is not None else None
            kind = _kind(entry.traits.sensor_kind)
            self.output.sensors.append(
                SensorInfo(
                    entry.node_id,
                    kind,
                    location.lat_deg if location else math.nan,
                    location.lon_deg if location else math.nan,
                    location.alt_m if location else math.nan,
                    name=entry.traits.name,
                )
            )
            ok = entry.connected and entry.health in (Health.OK, Health.UNSPECIFIED)
            detail = "offline (goodbye)" if not entry.connected else entry.health.name.lower()
            self.output.statuses.append(SensorStatus(entry.node_id, entry.last_heard_s, ok, detail))

    def _sink(self, batch: ReportBatch) -> None:
        if any(int(i) not in self._index_to_node for i in np.unique(batch.sensor_index)):
            self._sync()
        self.output.messages += len(batch)
        for row in range(len(batch)):
            self.output.reports.append(_report(batch, row, self._index_to_node))


def _report(batch: ReportBatch, row: int, nodes: dict[int, str]) -> Report:
    values = {name: float(getattr(batch, name)[row]) for name in _REPORT_FLOATS}
    return Report(
        sensor=nodes.get(int(batch.sensor_index[row]), f"index-{batch.sensor_index[row]}"),
        sensor_kind=_kind(int(batch.sensor_kind[row])),
        measurement=MeasurementKind(int(batch.measurement[row])),
        identity=str(batch.identity[row]),
        declared_class=ObjectClass(int(batch.declared_class[row])),
        class_confidence=float(batch.class_confidence[row]),
        emitter_category=int(batch.emitter_category[row]),
        nic=int(batch.nic[row]),
        nacp=int(batch.nacp[row]),
        **values,
    )


_REPORT_FLOATS = (
    "t_measured", "lat_deg", "lon_deg", "alt_m", "sigma_horizontal_m", "sigma_vertical_m",
    "range_m", "azimuth_deg", "elevation_deg", "sigma_range_m", "sigma_azimuth_deg",
    "sigma_elevation_deg", "speed_mps", "course_deg", "vertical_rate_mps", "rcs_dbsm",
    "radial_velocity_mps",
)  # fmt: skip


def _kind(value: int) -> SensorKind:
    try:
        return SensorKind(value)
    except ValueError:
        return SensorKind.EOIR  # a SAPIENT node of a kind we do not model: a looking sensor


class StreamFeed:
    """A byte-stream format (Beast, AVR, SBS, JSON lines) over TCP: one framer per connection,
    so partial frames of different senders never mix, all sharing one output (and, for
    Mode S, one decoder: an aircraft heard over two connections is one aircraft). A new
    connection after a drop starts with an empty framer (``reset``)."""

    def __init__(self, make: Callable[[FeedOutput], Adapter]):
        self.output = FeedOutput()
        self._make = make
        self._by_peer: dict[str, Adapter] = {}

    def receive(self, data: bytes, t_receive: float) -> None:
        self.receive_from(data, t_receive, "")

    def receive_from(self, data: bytes, t_receive: float, peer: str) -> None:
        adapter = self._by_peer.get(peer)
        if adapter is None:
            adapter = self._by_peer[peer] = self._make(self.output)
        adapter.receive(data, t_receive)

    def reset(self) -> None:
        self._by_peer.clear()


def _modes(cls: Any) -> AdapterFactory:
    def make(spec: FeedSpec) -> Adapter:
        settings = ReceiverSettings(
            lat_deg=spec.lat_deg, lon_deg=spec.lon_deg, alt_m=spec.alt_m,
            max_range_m=spec.max_range_m if math.isfinite(spec.max_range_m) else 400_000.0,
            nation=spec.nation, name=spec.name,
            timestamp=str(spec.options.get("timestamp", "12mhz")),  # type: ignore[arg-type]
        )  # fmt: skip
        decoder = ModeSDecoder(spec.name, settings)

        def framer(output: FeedOutput) -> Adapter:
            adapter = cls(spec.name, settings, decoder=decoder)
            adapter.output = output
            return cast(Adapter, adapter)

        return StreamFeed(framer)

    return make


def _remoteid_settings(spec: FeedSpec) -> RemoteIdSettings:
    return RemoteIdSettings(
        receiver_lat_deg=spec.lat_deg, receiver_lon_deg=spec.lon_deg,
        receiver_alt_m=spec.alt_m, max_range_m=spec.max_range_m, nation=spec.nation,
        name=spec.name,
    )  # fmt: skip


class RemoteIdFeed:
    """Remote ID datagrams (or JSON lines over UDP, one or more whole lines a datagram); the
    sender's address keys the transmitter when a datagram carries no MAC."""

    def __init__(self, spec: FeedSpec):
        self.json = spec.format == "remoteid-json"
        cls = RemoteIdJsonAdapter if self.json else RemoteIdAdapter
        self.adapter = cls(spec.name, _remoteid_settings(spec))

    @property
    def output(self) -> FeedOutput:
        return self.adapter.output

    def receive(self, data: bytes, t_receive: float) -> None:
        self.receive_from(data, t_receive, "")

    def receive_from(self, data: bytes, t_receive: float, peer: str) -> None:
        if self.json and not data.endswith(b"\n"):
            data += b"\n"  # a datagram is whole: its last line is complete
        self.adapter.receive(data, t_receive, peer)


def remoteid_feed(spec: FeedSpec) -> Adapter:
    if spec.format == "remoteid-json" and spec.transport != "udp":
        settings = _remoteid_settings(spec)
        return StreamFeed(lambda out: RemoteIdJsonAdapter(spec.name, settings, out))
    return RemoteIdFeed(spec)


_RADAR_FIELDS = {f.name for f in dataclasses.fields(RadarSettings)}


def asterix_feed(spec: FeedSpec) -> Adapter:
    """Radars by SAC/SIC from the feed's ``[[feed.sensor]]`` tables (``key = "25/10"``, ``lat``,
    ``lon``, ``alt``, and any ``RadarSettings`` field), or one radar from the URL
    (``?sac=25&sic=10&lat=…&lon=…&alt=…``)."""
    tables = list(spec.sensors)
    if "sac" in spec.options and "sic" in spec.options:
        tables.append({"key": f"{spec.options['sac']}/{spec.options['sic']}",
                       "lat": spec.lat_deg, "lon": spec.lon_deg, "alt": spec.alt_m})  # fmt: skip
    radars = {}
    for t in tables:
        extra = {k: v for k, v in t.items() if k in _RADAR_FIELDS}
        try:
            radars[str(t["key"])] = RadarSettings(
                lat_deg=float(t["lat"]), lon_deg=float(t["lon"]), alt_m=float(t.get("alt", 0.0)),
                name=str(t.get("name", "")), nation=str(t.get("nation", spec.nation)),
                max_range_m=float(t.get("range_km", math.nan)) * 1e3, **extra,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"feed {spec.name}: radar {t.get('key')!r}: {exc}") from exc
    return AsterixAdapter(radars, stream=spec.transport != "udp")


def _float(spec: FeedSpec, key: str) -> float:
    try:
        return float(spec.options.get(key, math.nan))
    except (TypeError, ValueError):
        return math.nan


def _text(spec: FeedSpec, key: str) -> str | None:
    value = spec.options.get(key)
    return None if value is None else str(value)


ADAPTERS: dict[str, AdapterFactory] = {
    "asterix": asterix_feed,
    "beast": _modes(BeastAdapter),
    "avr": _modes(AvrAdapter),
    "sbs": _modes(SbsAdapter),
    "remoteid": remoteid_feed,
    "remoteid-json": remoteid_feed,
    "mqtt": MqttFeed,
    "sapient": SapientFeed,
}
