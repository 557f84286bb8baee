"""Live sensor feeds as a pipeline source: every ``--feed`` runs its transport on one asyncio
event loop (a thread of its own), its adapter decodes, and every ``flush_s`` what all adapters
decoded becomes one ``ReportBatch`` for the pipeline, with sensor indices from the live
``SensorTable``.

    transport (UDP / TCP / MQTT / SAPIENT) ─► adapter ─► FeedOutput ─┐ every flush_s
                                   │ raw bytes                       ▼
                                   └──────────► raw log      ReportBatch ─► pipeline

One feed never blocks another: each decodes on the loop as its bytes arrive (decoding is
bounded per message) and a feed whose transport fails retries alone. Everything received is
kept as ``RawMessage``s (``take_raw``) for the store, so a run can be decoded again exactly.
A live source cannot wait: the pipeline sheds what it cannot take, and counts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge

from dronewall.core.errors import DronewallError
from dronewall.core.tracks import SensorGeometry
from dronewall.core.types import IDENTITY_DTYPE, ReportBatch, SensorKind
from dronewall.runtime.feedspec import SENSOR_KINDS, FeedSpec
from dronewall.runtime.sensor_table import label_from_json, label_to_json
from dronewall.sensors.feed import Adapter, FeedOutput, Identity, Report
from dronewall.sensors.table import SensorTable
from dronewall.sensors.tls import SourceFilter, parse_networks
from dronewall.sensors.transport import listen_udp, serve_tcp, stream_tcp
from dronewall.store import RawMessage, Store

log = logging.getLogger(__name__)
FLUSH_S = 0.05  # decoded reports go to the pipeline this often (adds at most this latency)
START_TIMEOUT_S = 10.0
MAX_RAW_PENDING = 200_000  # raw messages held for the store before the oldest are shed

AdapterFactory = Callable[[FeedSpec], Adapter]


class FeedStartError(DronewallError):
    """A feed could not start (port in use, bad address, unknown format)."""


@dataclass
class FeedState:
    """One feed as the operator sees it."""

    spec: FeedSpec
    adapter: Adapter
    connection: str = "starting"
    messages: int = 0
    reports: int = 0
    bytes_in: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    last_reject: str = ""
    last_received: float = math.nan
    reconnects: int = 0


class FeedSource:
    """The pipeline's source for live feeds (``Source`` protocol; not blocking)."""

    blocking = False

    def __init__(
        self,
        specs: list[FeedSpec],
        factories: Mapping[str, AdapterFactory],
        *,
        table: SensorTable | None = None,
        record_raw: bool = True,
        flush_s: float = FLUSH_S,
        clock: Callable[[], float] = time.time,
    ):
        self.specs = specs
        self.table = table if table is not None else SensorTable()
        self.record_raw = record_raw
        self.flush_s = flush_s
        self.clock = clock
        self.feeds: dict[str, FeedState] = {}
        for spec in specs:
            factory = factories.get(spec.format)
            if factory is None:
                raise FeedStartError(f"feed {spec.name}: no adapter for format {spec.format!r}")
            self.feeds[spec.name] = FeedState(spec, factory(spec))
            if spec.label is not None:  # its sensors' label, unless one declares its own
                self.table.feed_labels[spec.name] = spec.label
            self._declare(spec)
        self._queue: queue.Queue[ReportBatch] = queue.Queue()
        self._raw: list[RawMessage] = []
        self._raw_lock = threading.Lock()
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._next_report_id = 0
        self.raw_shed = 0
        self._metrics: _FeedMetrics | None = None
        # Cooperative identities (ADS-B callsign and emitter category, Remote ID operator…)
        # by the identity key their reports carry: what joins a track with that identity.
        self.directory: dict[str, Identity] = {}

    @property
    def name(self) -> str:
        return "feeds:" + ",".join(self.feeds)

    @property
    def sensors(self) -> SensorGeometry:
        return self.table.geometry()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the feeds run on (None before ``open``), for work that must share
        it — a SAPIENT feed's fusion node registry is not thread-safe."""
        return self._loop

    def _declare(self, spec: FeedSpec) -> None:
        receiver = spec.receiver()
        if receiver is not None:
            self.table.declare(spec.name, receiver)
        for info in spec.declared():
            self.table.declare(spec.name, info)

    # ---- life --------------------------------------------------------------------------
    def open(self) -> None:
        """Start every transport; raises FeedStartError naming the first that cannot."""
        started: queue.Queue[BaseException | None] = queue.Queue()
        self._thread = threading.Thread(
            target=self._run_loop, args=(started,), name="dronewall-feeds", daemon=True
        )
        self._thread.start()
        try:
            failure = started.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            failure = FeedStartError("the feeds did not start within 10 s")
        if failure is not None:
            self.close()
            raise failure if isinstance(failure, FeedStartError) else FeedStartError(str(failure))

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)

    def chunks(self) -> Iterator[ReportBatch]:
        """Decoded reports every ``flush_s`` (an empty batch when nothing came: the pipeline
        still learns that time has passed) until ``stop``."""
        if self._thread is None:
            self.open()
        while not self._stop.is_set():
            try:
                yield self._queue.get(timeout=0.25)
            except queue.Empty:
                continue
        self.close()  # the loop's last flush: what arrived before the stop still counts
        while not self._queue.empty():
            yield self._queue.get_nowait()

    def replay(self, messages: Iterator[RawMessage]) -> Iterator[ReportBatch]:
        """The same bytes through the same decoders: recorded raw messages in receive order,
        decoded as if they had just arrived, a batch every ``flush_s`` of receive time."""
        next_flush = -math.inf
        for m in messages:
            state = self.feeds.get(m.feed)
            if state is None:
                continue
            if m.t_receive >= next_flush:
                if math.isfinite(next_flush) and len(batch := self._batch_now(next_flush)):
                    yield batch
                next_flush = (math.floor(m.t_receive / self.flush_s) + 1) * self.flush_s
            self._receiver(state)(m.data, m.t_receive, m.peer)
        if math.isfinite(next_flush) and len(batch := self._batch_now(next_flush)):
            yield batch

    def run_settings(self) -> dict[str, Any]:
        """What a recorded run keeps of its feeds, so it can be decoded again."""
        return {"feeds": [spec_to_json(s) for s in self.specs]}

    def take_raw(self) -> list[RawMessage]:
        with self._raw_lock:
            raw, self._raw = self._raw, []
        return raw

    # ---- the event loop ----------------------------------------------------------------
    def _run_loop(self, started: queue.Queue[BaseException | None]) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main(started))
        except Exception as exc:  # a failure after start: the pipeline shows it
            log.exception("feeds failed")
            started.put(exc)
        finally:
            loop.close()

    async def _main(self, started: queue.Queue[BaseException | None]) -> None:
        stop = asyncio.Event()
        closers: list[Callable[[], Any]] = []
        tasks: list[asyncio.Task[None]] = []
        try:
            for state in self.feeds.values():
                await self._start(state, stop, closers, tasks)
        except (OSError, DronewallError) as exc:
            for close in closers:
                close()
            started.put(FeedStartError(f"feed {state.spec.name} ({state.spec.url}): {exc}"))
            return
        started.put(None)
        try:
            while not self._stop.is_set():
                await asyncio.sleep(self.flush_s)
                self._flush()
        finally:
            stop.set()
            for close in closers:
                close()
            for task in tasks:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, 2.0)
            self._flush()

    async def _start(
        self,
        state: FeedState,
        stop: asyncio.Event,
        closers: list[Callable[[], Any]],
        tasks: list[asyncio.Task[None]],
    ) -> None:
        spec = state.spec
        on_data = self._receiver(state)
        on_state = self._state_listener(state)
        runner = getattr(state.adapter, "run", None)
        if runner is not None:  # a format with a transport of its own (MQTT, SAPIENT)
            start = getattr(state.adapter, "start", None)
            if start is not None:  # binds now, so a taken port fails the start
                await start()
            tasks.append(asyncio.create_task(runner(stop, on_state, self._raw_recorder(state))))
            return
        allow, refused = _allow_list(state)
        if spec.transport == "udp":
            transport = await listen_udp(
                spec.host, spec.port, on_data, interface=str(spec.options.get("interface",
                "0.0.0.0")), clock=self.clock, allow=allow, on_refused=refused,
            )  # fmt: skip
            state.connection = "listening"
            closers.append(transport.close)
        elif spec.transport == "listen":
            server = await serve_tcp(
                spec.host, spec.port, on_data, on_state=on_state, allow=allow, on_refused=refused
            )
            state.connection = "listening"
            closers.append(server.close)
        elif spec.transport == "tcp":
            task = asyncio.create_task(
                stream_tcp(spec.host, spec.port, on_data, stop, on_state=on_state,
                           on_reconnect=getattr(state.adapter, "reset", None), clock=self.clock)
            )  # fmt: skip
            tasks.append(task)
        else:
            raise FeedStartError(f"no transport {spec.transport!r} for {spec.format}")

    def _receiver(self, state: FeedState) -> Callable[[bytes, float, str], None]:
        adapter, name = state.adapter, state.spec.name
        record = self._raw_recorder(state)
        per_peer = getattr(adapter, "receive_from", None)  # stream framers, one per peer

        def on_data(data: bytes, t: float, peer: str) -> None:
            record(peer, data, t)
            try:
                if per_peer is not None:
                    per_peer(data, t, peer)
                else:
                    adapter.receive(data, t)
            except Exception:  # an adapter must not raise; if it does, count and go on
                log.exception("adapter of feed %s raised", name)
                adapter.output.reject("adapter_error", "the decoder raised")

        return on_data

    def _raw_recorder(self, state: FeedState) -> Callable[[str, bytes, float], None]:
        """What each feed received: counted, and kept for the store unless ``record_raw`` is
        off. Transports of their own (MQTT) call it for every message."""
        name = state.spec.name

        def record(peer: str, data: bytes, t: float) -> None:
            state.bytes_in += len(data)
            state.last_received = t
            if not self.record_raw:
                return
            with self._raw_lock:
                if len(self._raw) >= MAX_RAW_PENDING:
                    del self._raw[: MAX_RAW_PENDING // 10]
                    self.raw_shed += MAX_RAW_PENDING // 10
                self._raw.append(RawMessage(name, t, peer, data))

        return record

    def _state_listener(self, state: FeedState) -> Callable[[str], None]:
        def on_state(text: str) -> None:
            if text.startswith("connected") and state.connection.startswith("disconnected"):
                state.reconnects += 1
            state.connection = text
            level = logging.INFO if text.startswith("connected") else logging.WARNING
            log.log(level, "feed %s: %s", state.spec.name, text)

        return on_state

    # ---- decoded → batches -------------------------------------------------------------
    def _flush(self) -> None:
        self._queue.put(self._batch_now(self.clock()))  # empty too: time has passed

    def _batch_now(self, now: float) -> ReportBatch:
        batches = [self._drain(state, now) for state in self.feeds.values()]
        return ReportBatch.concat([b for b in batches if len(b)])

    def _drain(self, state: FeedState, now: float) -> ReportBatch:
        out = state.adapter.output.take()
        feed = state.spec.name
        default_kind = SENSOR_KINDS.get(state.spec.format, SensorKind.ACOUSTIC)
        for info in out.sensors:
            self.table.declare(feed, info)
        for status in out.statuses:
            self.table.status(feed, status, default_kind)
        for ident in out.identities:
            self.directory[ident.identity] = _merged(self.directory.get(ident.identity), ident)
        state.messages += out.messages
        for reason, n in out.rejects.items():
            state.rejects[reason] = state.rejects.get(reason, 0) + n
        if out.last_reject:
            state.last_reject = out.last_reject
        if self._metrics is not None:
            self._metrics.count(state, out)
        batch = self._rows(feed, out.reports, state, now)
        state.reports += len(batch)
        return batch

    def _rows(self, feed: str, reports: list[Report], state: FeedState, now: float) -> ReportBatch:
        kept: list[tuple[Report, int]] = []
        per_sensor: dict[int, int] = {}
        for r in reports:
            index = self.table.index(feed, r.sensor, r.sensor_kind)
            if r.measurement != 1 and not self.table.located(index):  # not a position fix
                state.rejects["sensor_position_unknown"] = (
                    state.rejects.get("sensor_position_unknown", 0) + 1
                )
                self.table.rejected(index)
                continue
            kept.append((r, index))
            per_sensor[index] = per_sensor.get(index, 0) + 1
        for index, n in per_sensor.items():
            self.table.heard(index, now, n)
        batch = _batch(kept, self._next_report_id, now)
        self._next_report_id += len(batch)
        return batch

    # ---- reading -----------------------------------------------------------------------
    def feed_health(self) -> list[dict[str, Any]]:
        now = self.clock()
        return [
            {
                "name": s.spec.name,
                "url": s.spec.url,
                "format": s.spec.format,
                "connection": s.connection,
                "messages": s.messages,
                "reports": s.reports,
                "bytes": s.bytes_in,
                "rejects": dict(s.rejects),
                "last_reject": s.last_reject,
                "silent_s": None if math.isnan(s.last_received) else now - s.last_received,
                "state": _feed_state(s, now, self.table.stale_after_s),
                "reconnects": s.reconnects,
            }
            for s in self.feeds.values()
        ]

    def bind_metrics(self, registry: CollectorRegistry) -> None:
        self._metrics = _FeedMetrics(registry)

    def sensor_table(self) -> SensorTable:
        return self.table

    def cooperative(self, identity: str) -> dict[str, Any] | None:
        """What the feeds said of an identity (callsign, category, operator), if anything."""
        found = self.directory.get(identity)
        return identity_dict(found) if found is not None else None


class _FeedMetrics:
    def __init__(self, r: CollectorRegistry) -> None:
        self.messages = Counter(
            "dronewall_feed_messages", "Messages a feed decoded", ["feed", "format"], registry=r
        )
        self.rejects = Counter(
            "dronewall_feed_rejects", "Messages a feed rejected, by reason", ["feed", "reason"],
            registry=r,
        )  # fmt: skip
        self.reports = Counter(
            "dronewall_feed_reports", "Reports a feed gave the pipeline", ["feed"], registry=r
        )
        self.connected = Gauge(
            "dronewall_feed_up", "1 when the feed's transport is connected or listening",
            ["feed"], registry=r,
        )  # fmt: skip

    def count(self, state: FeedState, out: FeedOutput) -> None:
        name = state.spec.name
        self.messages.labels(name, state.spec.format).inc(out.messages)
        for reason, n in out.rejects.items():
            self.rejects.labels(name, reason).inc(n)
        self.reports.labels(name).inc(len(out.reports))
        up = state.connection.startswith(("connected", "listening"))
        self.connected.labels(name).set(1 if up else 0)


def _allow_list(state: FeedState) -> tuple[SourceFilter | None, Callable[[str], None]]:
    """A feed's source allow-list (``allow``, checked by feedspec) and what counts a sender it
    refuses: ``rejects["source"]``, in ``/api/feeds`` and ``/metrics`` like any reject."""
    networks = state.spec.options.get("allow")
    allow = SourceFilter(parse_networks(networks)) if networks else None

    def refused(peer: str) -> None:
        state.adapter.output.reject("source", f"{peer} is not in the allow-list")

    return allow, refused


def _feed_state(s: FeedState, now: float, stale_after_s: float) -> str:
    """ "down" (its transport is not connected), "waiting" (nothing received yet), "stale"
    (silent for ``stale_after_s``) or "ok"."""
    if s.connection.startswith(("disconnected", "starting")):
        return "down"
    if math.isnan(s.last_received):
        return "waiting"
    return "stale" if now - s.last_received > stale_after_s else "ok"


def _merged(old: Identity | None, new: Identity) -> Identity:
    """The newest identity message, keeping what older ones said that it does not."""
    if old is None:
        return new
    keep = {
        f.name: getattr(old, f.name)
        for f in dataclasses.fields(new)
        if getattr(new, f.name) in ("", None) or _nan(getattr(new, f.name))
    }
    return dataclasses.replace(new, **keep)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def identity_dict(ident: Identity) -> dict[str, Any]:
    return {k: (None if _nan(v) else v) for k, v in dataclasses.asdict(ident).items()}


def spec_to_json(spec: FeedSpec) -> dict[str, Any]:
    d = dataclasses.asdict(spec)
    d["options"].pop("password", None)  # a --feed URL's MQTT password is not recorded
    d["sensors"] = list(spec.sensors)
    d["label"] = label_to_json(spec.label) if spec.label is not None else None
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def spec_from_json(d: dict[str, Any]) -> FeedSpec:
    values: dict[str, Any] = {k: (math.nan if v is None else v) for k, v in d.items()}
    values["sensors"] = tuple(values.get("sensors", ()))
    label = d.get("label")  # runs recorded before labels: none (the default)
    values["label"] = label_from_json(label) if isinstance(label, dict) else None
    return FeedSpec(**values)


_FLOATS = (
    "t_measured", "lat_deg", "lon_deg", "alt_m", "sigma_horizontal_m", "sigma_vertical_m",
    "range_m", "azimuth_deg", "elevation_deg", "sigma_range_m", "sigma_azimuth_deg",
    "sigma_elevation_deg", "speed_mps", "course_deg", "vertical_rate_mps", "rcs_dbsm",
    "radial_velocity_mps",
)  # fmt: skip
# Small integer columns, carried through the same float array (exact for 0–255).
_CODES = ("sensor_kind", "measurement", "declared_class", "emitter_category", "nic", "nacp")


_ROW = attrgetter(*_FLOATS, *_CODES, "class_confidence")


def _batch(kept: list[tuple[Report, int]], first_id: int, now: float) -> ReportBatch:
    n = len(kept)
    if n == 0:
        return ReportBatch.empty()
    # One C-level attribute fetch per report (attrgetter), then columns by slicing.
    width = len(_FLOATS) + len(_CODES) + 1
    rows = np.array([_ROW(r) for r, _ in kept], float).reshape(n, width)
    columns = {c: np.ascontiguousarray(rows[:, i]) for i, c in enumerate(_FLOATS)}
    k = len(_FLOATS)
    codes: dict[str, Any] = {c: rows[:, k + i].astype(np.uint8) for i, c in enumerate(_CODES)}
    return ReportBatch(
        report_id=np.arange(first_id, first_id + n, dtype=np.int64),
        sensor_index=np.array([i for _, i in kept], np.int32),
        t_arrival=np.full(n, now),
        identity=np.array([r.identity for r, _ in kept], IDENTITY_DTYPE),
        class_confidence=rows[:, -1].astype(np.float32),
        **codes,
        **columns,
    )


class RawReplaySource:
    """A recorded run's raw feed messages decoded again (``serve --replay RUN --reprocess``):
    the same bytes through the same decoders, paced by the pipeline like any recording."""

    blocking = True

    def __init__(self, feeds: FeedSource, store: Store, run_id: str, window_s: float = 60.0):
        self.feeds, self.store, self.run_id, self.window_s = feeds, store, run_id, window_s

    @property
    def name(self) -> str:
        return f"reprocess:{self.run_id}"

    @property
    def sensors(self) -> SensorGeometry:
        return self.feeds.sensors

    def chunks(self) -> Iterator[ReportBatch]:
        return self.feeds.replay(self.messages())

    def messages(self) -> Iterator[RawMessage]:
        """Raw messages in windows of receive time, up to the run's end (with a margin: its
        end is the last frame's data time) or, for a run that never ended, the first gap."""
        info = self.store.run(self.run_id)
        end = info.t_end + 2 * self.window_s if math.isfinite(info.t_end) else math.inf
        starts = [x for x in (info.t_start, info.wall_started) if math.isfinite(x)]
        if not starts:
            return
        t = min(starts) - self.window_s  # raw messages may come before the first report
        while t <= end:
            batch = self.store.raw(self.run_id, t, t + self.window_s)
            if not batch and not math.isfinite(end):
                return
            yield from batch
            t += self.window_s

    def take_raw(self) -> list[RawMessage]:
        return self.feeds.take_raw()

    def run_settings(self) -> dict[str, Any]:
        return self.feeds.run_settings()

    def bind_metrics(self, registry: CollectorRegistry) -> None:
        self.feeds.bind_metrics(registry)

    def sensor_table(self) -> SensorTable:
        return self.feeds.table

    def cooperative(self, identity: str) -> dict[str, Any] | None:
        return self.feeds.cooperative(identity)

    def feed_health(self) -> list[dict[str, Any]]:
        return self.feeds.feed_health()
