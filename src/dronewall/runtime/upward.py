"""A site node reporting up: the live pipeline's picture sent to a parent fusion node over
SAPIENT (BSI Flex 335 v2.0) as a child fusion node (``sensors/sapient/upward.ParentLink``;
``docs/sapient.md``, "A site node reporting up").

    pipeline process thread ──frames, alert events──► event loop ──ParentLink──► parent
                               (call_soon_threadsafe)

``UpwardReporter`` takes frames and alert events from the pipeline's listeners without
blocking it: each is handed to the reporter's event loop, where only the latest frame is kept.
A frame's tracks are sent as DetectionReports when its data time is ``interval_s`` past the
last frame sent — paced by data time, not a timer, so a track's updates reach the parent
exactly ``interval_s`` apart (a timer's jitter made gaps of 3 s out of a 2 s interval, and a
dronewall parent drops a tentative track after 2.5 s without an update). Alerts are raised
as they come, one at a time in order, each waiting for its AlertAck; the registration,
status reports and reconnection are ``ParentLink``'s.

The loop: when the site has a SAPIENT feed, the reporter runs on the feeds' event loop, so the
parent is told of the real nodes beneath (``ParentLink`` reads the fusion node's registry,
which is not thread-safe, from that loop); otherwise on a loop thread of its own, with an
empty registry. Counts are in ``health()``, ``/api/health``, ``/api/parent`` and ``/metrics``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import math
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dronewall.assess import AlertEvent
from dronewall.core.clock import SystemClock
from dronewall.runtime.adapters import SapientFeed
from dronewall.runtime.feeds import FeedSource
from dronewall.runtime.pipeline import Pipeline
from dronewall.runtime.upward_convert import take, track_fix, upward_alert, upward_tracks
from dronewall.sensors.sapient import (
    ParentConfig,
    ParentLink,
    SapientError,
    SensorEntry,
    SensorRegistry,
)
from dronewall.sensors.sapient.alerts import AlertAckStatus
from dronewall.sensors.sapient.ids import keyed_ulid, node_uuid
from dronewall.store import PictureFrame

log = logging.getLogger(__name__)
UPWARD_INTERVAL_S = 2.0  # the picture goes up every 2 s: ~110 µs a track on the loop (sapient.md)
CHUNK_TRACKS = 256  # tracks sent per turn of the loop (~30 ms): a shared feeds loop keeps up
CLOSE_TIMEOUT_S = 10.0  # ParentLink's goodbye and close take at most a few × 2 s
PACE_SLACK_S = 1e-3  # frames come at whole output intervals: float round-off, not lateness


@dataclass(frozen=True, slots=True)
class UpwardSettings:
    """Where the parent listens, and who this site is to it."""

    host: str
    port: int
    site_name: str = "dronewall site"  # the Registration's name; the node UUID derives from it
    interval_s: float = UPWARD_INTERVAL_S
    status_interval_s: float = 5.0
    seed: int = 0  # for the ULIDs of reports
    tls: ssl.SSLContext | None = None  # TLS to the parent (sensors/tls.client_context)


class MergedRegistry(SensorRegistry):
    """The nodes of several SAPIENT feeds seen as one registry (entries and coverage)."""

    def __init__(self, parts: list[SensorRegistry]):
        super().__init__()
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def entries(self) -> list[SensorEntry]:
        return [e for p in self._parts for e in p.entries()]


def sapient_children(source: object) -> tuple[SensorRegistry, asyncio.AbstractEventLoop] | None:
    """The registry of the SAPIENT nodes beneath this site and the loop their fusion node runs
    on, when ``source`` is live feeds with a SAPIENT feed (opened); else ``None``."""
    if not isinstance(source, FeedSource):
        return None
    nodes = [s.adapter.node for s in source.feeds.values() if isinstance(s.adapter, SapientFeed)]
    loop = source.loop
    if not nodes or loop is None or loop.is_closed():
        return None
    registry = nodes[0].registry if len(nodes) == 1 else MergedRegistry([n.registry for n in nodes])
    return registry, loop


class UpwardReporter:
    """Sends a pipeline's picture and alerts to a parent fusion node until ``close()``."""

    def __init__(
        self,
        settings: UpwardSettings,
        children: SensorRegistry | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ):
        """``loop``: a running loop to share (it must be the one ``children`` is used on);
        ``None``: the reporter runs its own loop thread."""
        self.settings = settings
        self.node_id = node_uuid(settings.site_name)
        self.children = children if children is not None else SensorRegistry()
        self.shared_loop = loop is not None
        self._loop = loop if loop is not None else asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._main: concurrent.futures.Future[None] | None = None
        self._stop = asyncio.Event()
        self._fresh = asyncio.Event()  # a frame has come (or the reporter is stopping)
        self._alerts: asyncio.Queue[AlertEvent] = asyncio.Queue()
        self._frame: PictureFrame | None = None  # the latest; touched on the loop only
        self._sent_t = -math.inf  # data time of the last frame sent
        self._alert_ids: dict[int, str] = {}
        self.link: ParentLink | None = None  # made on the loop
        self.tracks_sent = 0
        self.pictures_sent = 0
        self.alerts_sent = 0  # accepted by the parent (AlertAck ACCEPTED)
        self.alerts_refused = 0  # answered REJECTED or CANCELLED
        self.alerts_invalid = 0  # an alert the ICD cannot carry: not sent
        self.errors = 0  # unexpected failures while sending (logged): the reporter goes on
        self.last_sent_s = math.nan
        self._closed = False

    @classmethod
    def for_pipeline(cls, pipeline: Pipeline, settings: UpwardSettings) -> UpwardReporter:
        """A reporter listening to ``pipeline`` (on the feeds' loop when it has a SAPIENT feed),
        its counts in the pipeline's metrics. Call ``start()`` to connect."""
        children = sapient_children(pipeline.source)
        reporter = cls(settings, *children) if children is not None else cls(settings)
        pipeline.on_frame(reporter.take_frame)
        pipeline.on_events(reporter.take_events)
        pipeline.metrics.registry.register(UpwardCollector(reporter))
        return reporter

    # ---- from the pipeline's thread ----------------------------------------------------
    def take_frame(self, frame: PictureFrame, wall_ingest: float, seq: int) -> None:
        self._post(self._set_frame, frame)

    def take_events(self, events: list[AlertEvent]) -> None:
        for event in events:
            self._post(self._alerts.put_nowait, event)

    def _post(self, call: Any, arg: Any) -> None:
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing goes up
            self._loop.call_soon_threadsafe(call, arg)

    def _set_frame(self, frame: PictureFrame) -> None:
        self._frame = frame
        self._fresh.set()

    def _halt(self) -> None:
        self._stop.set()
        self._fresh.set()

    # ---- life --------------------------------------------------------------------------
    def start(self) -> None:
        """Start connecting to the parent (in the background; returns at once)."""
        if self._main is not None:
            return
        if not self.shared_loop:
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="dronewall-upward", daemon=True
            )
            self._thread.start()
        self._main = asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Say goodbye to the parent and stop (blocking; from any thread but the loop's)."""
        if self._closed:
            return
        self._closed = True
        main = self._main
        if main is None and not self.shared_loop:
            self._loop.close()  # never started
            return
        if main is not None and (self._thread is not None or self._loop.is_running()):
            self._loop.call_soon_threadsafe(self._halt)
            try:
                main.result(timeout_s)
            except concurrent.futures.TimeoutError:
                log.warning("SAPIENT parent: the link did not close within %g s", timeout_s)
            except Exception:
                log.exception("SAPIENT parent: the reporter failed")
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout_s)
            if not self._thread.is_alive():
                self._loop.close()

    # ---- on the loop -------------------------------------------------------------------
    async def _run(self) -> None:
        s = self.settings
        config = ParentConfig(s.host, s.port, name=s.site_name,
                              status_interval_s=s.status_interval_s, seed=s.seed,
                              tls=s.tls)  # fmt: skip
        link = self.link = ParentLink(config, self.children, SystemClock())
        link.start()
        alerts = asyncio.create_task(self._raise_alerts(link))
        try:
            while not self._stop.is_set():
                await self._fresh.wait()
                self._fresh.clear()
                frame = self._frame
                if frame is None or self._stop.is_set() or len(frame) == 0:
                    continue
                if frame.t >= self._sent_t + s.interval_s - PACE_SLACK_S:
                    self._sent_t = frame.t
                    await self._guarded(self._send_picture(link, frame))
        finally:
            alerts.cancel()
            await asyncio.wait([alerts], timeout=1.0)
            await link.close()

    async def _guarded(self, work: Any) -> None:
        try:
            await work
        except Exception:  # a bug here must not end the reporting
            self.errors += 1
            log.exception("SAPIENT parent: sending failed")

    async def _send_picture(self, link: ParentLink, frame: PictureFrame) -> None:
        tracks = upward_tracks(frame)
        for start in range(0, len(tracks), CHUNK_TRACKS):
            self.tracks_sent += await link.send_tracks(take(tracks, start, start + CHUNK_TRACKS))
            await asyncio.sleep(0)  # let the feeds (on a shared loop) have a turn
        if link.connected:
            self.pictures_sent += 1
            self.last_sent_s = time.time()

    async def _raise_alerts(self, link: ParentLink) -> None:
        while True:
            event = await self._alerts.get()
            await self._guarded(self._raise(link, event))

    async def _raise(self, link: ParentLink, event: AlertEvent) -> None:
        if event.alert_id is None:
            return
        ulid = self._alert_ids.setdefault(
            event.alert_id, keyed_ulid(event.t, f"{self.node_id}/alert/{event.alert_id}")
        )
        objects: tuple[tuple[str, str], ...] = ()
        if event.track_id is not None:
            objects = ((link.config.uuid, link.reporter.object_id(event.track_id, event.t)),)
        where = track_fix(self._frame, event.track_id)
        message = upward_alert(event, ulid, self.settings.site_name, where, objects)
        if message is None:
            return
        try:
            ack = await link.raise_alert(message)
        except SapientError as bad:
            self.alerts_invalid += 1
            log.warning("SAPIENT parent: alert %s not sent: %s", event.alert_id, bad)
            return
        if ack is None:
            return  # no parent, or no answer: counted by the link
        if AlertAckStatus(ack.alert_ack_status) is AlertAckStatus.ACCEPTED:
            self.alerts_sent += 1
        else:
            self.alerts_refused += 1

    # ---- reading (any thread) ----------------------------------------------------------
    def health(self) -> dict[str, Any]:
        link = self.link
        return {
            "parent": f"{self.settings.host}:{self.settings.port}",
            "site_name": self.settings.site_name,
            "node_id": self.node_id,
            "connected": bool(link is not None and link.connected),
            "registrations": link.registrations if link is not None else 0,
            "children": len(self.children),
            "tracks_sent": self.tracks_sent,
            "tracks_dropped": link.dropped_tracks if link is not None else 0,
            "tracks_invalid": link.invalid_tracks if link is not None else 0,
            "pictures_sent": self.pictures_sent,
            "alerts_sent": self.alerts_sent,
            "alerts_refused": self.alerts_refused,
            "alerts_dropped": link.dropped_alerts if link is not None else 0,
            "alerts_invalid": self.alerts_invalid,
            "errors": self.errors,
            "last_sent_s": None if math.isnan(self.last_sent_s) else self.last_sent_s,
        }


_COUNTERS = {
    "registrations": "Registrations the parent fusion node accepted (reconnections too)",
    "tracks_sent": "Tracks sent to the parent as DetectionReports",
    "tracks_dropped": "Tracks not sent: no parent connected (never queued)",
    "tracks_invalid": "Tracks the SAPIENT ICD cannot carry (non-finite state): not sent",
    "alerts_sent": "Alerts raised to the parent and accepted",
    "alerts_refused": "Alerts the parent refused",
    "alerts_dropped": "Alerts not raised: no parent, or no AlertAck in time",
}


class UpwardCollector(Collector):
    """The reporter's counts in Prometheus terms, read when ``/metrics`` is scraped."""

    def __init__(self, reporter: UpwardReporter):
        self.reporter = reporter

    def collect(self) -> Iterator[Metric]:
        h = self.reporter.health()
        up = GaugeMetricFamily(
            "dronewall_parent_connected", "1 when registered with the parent fusion node"
        )
        up.add_metric([], 1.0 if h["connected"] else 0.0)
        yield up
        for name, text in _COUNTERS.items():
            yield CounterMetricFamily(f"dronewall_parent_{name}", text, value=h[name])
