"""The live pipeline: source → tracker → identify → assess → alert → publish → store, in one
process, three threads and two bounded queues.

    source thread ──ingest queue──► process thread ──store queue──► store thread
                                         │
                                         └──► listeners (the server's broadcaster)

Backpressure: a blocking source (simulation, replay) waits when the ingest queue is full, and
the whole chain slows down to the slowest stage. A live source cannot wait: its overflow is
shed and counted, and a store that falls behind sheds recorded picture frames first (each
one is a snapshot the next one supersedes); reports that got in, alert events and operator
actions are never shed. Frames to map clients are conflated by the server. Everything shed
is counted in ``/metrics`` (``dronewall_shed``).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dronewall.assess import Alert, AlertEvent, ProtectedZones, ThreatBatch
from dronewall.core.tracks import ClassBatch, TrackBatch
from dronewall.core.types import ObjectClass, ReportBatch, sensor_kind_name
from dronewall.identify import Classifier
from dronewall.runtime import collector as gc_policy
from dronewall.runtime.metrics import PipelineMetrics
from dronewall.runtime.picture import Picture
from dronewall.runtime.sensor_table import sensors_to_json
from dronewall.runtime.sources import Pacer, Source
from dronewall.runtime.store_process import StoreWriterProcess, write_item
from dronewall.store import ActionRecord, PictureFrame, RunInfo, Store
from dronewall.tracking import Tracker, TrackerConfig

log = logging.getLogger(__name__)

FrameListener = Callable[[PictureFrame, float, int], None]  # frame, wall_ingest, seq
EventListener = Callable[[list[AlertEvent]], None]
_STOP = object()
BEAT_S = 0.5  # the process stage beats at least this often, even with nothing to do
STALL_S = 2.0  # a process stage silent this long is reported stalled (the map within 2 s)


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    speed: float = 30.0  # data seconds per wall second; 0 or inf: as fast as possible
    output_interval_s: float = 1.0  # a picture frame every this many data seconds
    # Between those, new reports reach the map after at most this much wall time (0: only at
    # output instants). At high replay speeds the output instants come faster anyway.
    publish_every_s: float = 0.15
    # Chunks: a simulation's or replay's are about a second of data each; live feeds hand
    # over one every 50 ms when reports came (``FeedSource.flush_s``), so 128 of them hold
    # 6 s or more of a live feed through a stall of the process stage.
    ingest_capacity: int = 128
    store_capacity: int = 64  # items (report chunks, frames, events)
    # Live: reports are tracked as they come, late ones out of sequence (TrackerConfig).
    tracker: TrackerConfig = field(default_factory=lambda: TrackerConfig(hold_back=False))


@dataclass(slots=True)
class Summary:
    """The running summary the CLI prints and ``/api/summary`` serves."""

    run_id: str
    source: str
    state: str = "starting"  # then "running", "finished", "failed" or "stopped"
    t: float = math.nan  # data time of the latest frame
    t_start: float = math.nan
    reports: int = 0
    tracks: int = 0
    tracks_by_class: dict[str, int] = field(default_factory=dict)
    alerts_active: int = 0
    alerts_raised: int = 0
    frames: int = 0
    shed: int = 0
    speed: float = 0.0  # recent data seconds per wall second
    error: str = ""


class Pipeline:
    """Runs one source through the picture into a store and to listeners."""

    def __init__(
        self,
        source: Source,
        zones: ProtectedZones,
        store: Store,
        settings: PipelineSettings | None = None,
        *,
        classifier: Classifier | None = None,
        run_id: str | None = None,
        writer_url: str | None = None,
    ):
        """``writer_url``: write through a child process that opens the store at this URL
        (the same database as ``store``, which is then used for reading only)."""
        self.settings = settings or PipelineSettings()
        self.source = source
        self.sensors = source.sensors
        self.zones = zones
        self.store = store
        self.metrics = PipelineMetrics()
        stamp = time.strftime("run-%Y%m%dT%H%M%SZ", time.gmtime())
        self.run_id = run_id or f"{stamp}-{uuid.uuid4().hex[:6]}"
        self.tracker = Tracker(self.sensors, self.settings.tracker)
        self.picture = Picture(zones, classifier)
        self._ingest: queue.Queue[Any] = queue.Queue(self.settings.ingest_capacity)
        self._store_q: queue.Queue[Any] = queue.Queue(self.settings.store_capacity)
        self._frame_listeners: list[FrameListener] = []
        self._event_listeners: list[EventListener] = []
        self._lock = threading.RLock()  # guards the alert manager and the latest frame
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._writer_url = writer_url
        self._writer: StoreWriterProcess | None = None
        self._next_tick = math.nan
        self._beat = time.monotonic()
        self._healthy = True
        self._in_flight: ReportBatch | None = None
        self._published = -math.inf  # monotonic time of the last frame published
        self._last_frame_t = -math.inf  # its data time
        self._waiting: deque[tuple[float, float]] = deque()  # (latest t_measured, wall_ingest)
        self._seq = 0
        self._classes: ClassBatch | None = None  # the last assessment, for the next frame
        self._threats: ThreatBatch | None = None
        self._alert_of: dict[int, int] = {}
        self._speed_window: list[tuple[float, float]] = []
        self.collector = gc_policy.IdleCollector()
        self.latest: PictureFrame = PictureFrame.empty(math.nan)
        self.summary = Summary(self.run_id, source.name)
        for name, q in (("ingest", self._ingest), ("store", self._store_q)):
            self.metrics.queue_capacity.labels(name).set(q.maxsize)
        # A source on the wall clock (live feeds) has one; its data time is the clock's time.
        self._clock: Callable[[], float] | None = getattr(source, "clock", None)
        bind = getattr(source, "bind_metrics", None)
        if bind is not None:  # live feeds count messages and rejects in the same registry
            bind(self.metrics.registry)

    # ---- wiring ------------------------------------------------------------------------
    def on_frame(self, listener: FrameListener) -> None:
        self._frame_listeners.append(listener)

    def on_events(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    # ---- life --------------------------------------------------------------------------
    def start(self) -> None:
        self.store.start_run(
            RunInfo(
                self.run_id,
                self.source.name,
                math.nan,
                math.nan,
                time.time(),
                {
                    "speed": self.settings.speed,
                    "interval_s": self.settings.output_interval_s,
                    "sensors": sensors_to_json(self.sensors),
                    **getattr(self.source, "run_settings", dict)(),
                },
            )
        )
        self.summary.state = "running"
        gc_policy.freeze()
        if self._writer_url:
            self._writer = StoreWriterProcess(self._writer_url)
        for name, target in (
            ("source", self._source_loop),
            ("process", self._process_loop),
            ("store", self._store_loop),
        ):
            thread = threading.Thread(target=target, name=f"dronewall-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop early: the source stops, what is queued is processed and stored."""
        self._stop.set()
        stop_source = getattr(self.source, "stop", None)
        if stop_source is not None:
            stop_source()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to finish; True when every stage has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        return not any(t.is_alive() for t in self._threads)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # ---- operator actions --------------------------------------------------------------
    def act(self, alert_id: int, action: str, operator: str, note: str = "") -> Alert:
        """Acknowledge, engage or clear an alert at the current data time; recorded and
        announced like any alert event. Raises UnknownAlertError, IllegalTransitionError or
        AlertError (no operator named)."""
        manager = self.picture.alerts
        actions = {
            "acknowledge": manager.acknowledge,
            "engage": manager.engage,
            "clear": manager.clear,
        }
        if action not in actions:
            raise ValueError(f"unknown action {action!r}")
        with self._lock:
            t = self.summary.t if math.isfinite(self.summary.t) else 0.0
            event = actions[action](alert_id, operator, t, note)
            alert = manager.alert(alert_id)
            self.metrics.actions.labels(action).inc()
            self._store_put(
                ("action", ActionRecord(t, alert_id, action, operator, note, time.time()))
            )
            self._store_put(("events", [event]))
            self._count_alerts()
        self._announce([event])
        return alert

    def sensor_health(self) -> list[dict[str, Any]] | None:
        """Live sensors with their health, when the source is live feeds; else None."""
        table = getattr(self.source, "sensor_table", None)
        if table is None:
            return None
        live = not self.source.blocking  # a reprocessed recording: health at its data time
        rows: list[dict[str, Any]] = table().snapshot(time.time() if live else self.summary.t)
        return rows

    def cooperative(self, identity: str) -> dict[str, Any] | None:
        """What live feeds said of a cooperative identity (ADS-B callsign and category, Remote
        ID operator and description), or None."""
        lookup = getattr(self.source, "cooperative", None)
        found: dict[str, Any] | None = lookup(identity) if lookup and identity else None
        return found

    def feed_health(self) -> list[dict[str, Any]] | None:
        health = getattr(self.source, "feed_health", None)
        return list(health()) if health is not None else None

    def alerts(self, *, include_cleared: bool = False) -> tuple[Alert, ...]:
        with self._lock:
            return self.picture.alerts.alerts(include_cleared=include_cleared)

    # ---- the stages --------------------------------------------------------------------
    def _source_loop(self) -> None:
        pacer = Pacer(self.settings.speed)
        take_raw = getattr(self.source, "take_raw", None)
        # A source that can be stopped (live feeds) ends its chunks itself after handing over
        # what it had already decoded: those reports are recorded and processed, not dropped
        # (their raw bytes are recorded too). Any other source is simply left.
        drains = getattr(self.source, "stop", None) is not None
        try:
            for batch in self.source.chunks():
                if self._stop.is_set() and not drains:
                    break
                if self.source.blocking and len(batch):  # live feeds come at their own pace
                    pacer.wait(float(batch.t_arrival[-1]))
                self._offer(batch)
                if take_raw is not None and (raw := take_raw()):
                    self._store_put(("raw", raw))
        except Exception as exc:  # a broken source ends the run, loudly
            log.exception("source failed")
            self.summary.error = f"source failed: {exc}"
        finally:
            if take_raw is not None and (raw := take_raw()):  # what came in before the end
                self._store_put(("raw", raw))
            self._ingest.put(_STOP)

    def _offer(self, batch: ReportBatch) -> None:
        item = (batch, time.time())
        if self.source.blocking:
            try:
                self._ingest.put_nowait(item)
            except queue.Full:
                waited = time.monotonic()
                self._ingest.put(item)
                self.metrics.backpressure.inc(time.monotonic() - waited)
        elif len(batch) or self._ingest.empty():
            # An empty chunk of a live source only says that time has passed: while chunks
            # wait, it says nothing new and would take a place that reports may need (live
            # feeds hand over a chunk every 50 ms; a stall of the process stage of a few
            # seconds must not shed reports, only a process stage that cannot keep up).
            try:
                self._ingest.put_nowait(item)
            except queue.Full:
                self.metrics.shed.labels("reports").inc(len(batch))
        self.metrics.queue_depth.labels("ingest").set(self._ingest.qsize())

    def _process_loop(self) -> None:
        collector = self.collector
        try:
            while (item := self._next_item(collector)) is not _STOP:
                batch, wall_ingest = item
                self._process(batch, wall_ingest)
            self.tracker.flush()
            self._emit()
            self.summary.state = "failed" if self.summary.error else "finished"
            if self._stop.is_set() and not self.summary.error:
                self.summary.state = "stopped"
        except Exception as exc:
            log.exception("process stage failed")  # once: the stage is over
            self.summary.error = f"process stage failed: {exc}"
            self.summary.state = "failed"
            self._record_only()
        finally:
            gc_policy.thaw()
            self._store_q.put(_STOP)

    def _next_item(self, collector: gc_policy.IdleCollector) -> Any:
        """The next ingest item; while none comes, the stage still beats (not stalled)."""
        while True:
            self._beat = time.monotonic()
            if self._ingest.empty() and (took := collector.idle()) is not None:
                self.metrics.stage_latency.labels("gc").observe(took)
            try:
                item = self._ingest.get(timeout=BEAT_S)
            except queue.Empty:
                continue
            self.metrics.queue_depth.labels("ingest").set(self._ingest.qsize())
            return item

    def _record_only(self) -> None:
        """After the process stage failed: what still comes in is recorded, not lost."""
        if self._in_flight is not None and len(self._in_flight):
            self._store_put(("reports", self._in_flight))
        while (item := self._next_item(self.collector)) is not _STOP:
            batch, _ = item
            self.summary.reports += len(batch)
            if len(batch):
                self._store_put(("reports", batch))

    def health(self) -> tuple[bool, str]:
        """(healthy, reason): unhealthy when a stage has died or the process stage has not
        moved for ``STALL_S`` while running. The turn to unhealthy is logged once."""
        ok, reason = self._health()
        if not ok and self._healthy:
            log.error("pipeline unhealthy: %s", reason)
        self._healthy = ok
        return ok, reason

    def _health(self) -> tuple[bool, str]:
        if self.summary.state == "failed":
            return False, self.summary.error or "the pipeline failed"
        if self.summary.state != "running":
            return True, ""
        names = ("source", "process", "store")
        for name, thread in zip(names, self._threads, strict=False):
            if not thread.is_alive():
                return False, f"the {name} stage has stopped"
        stalled = time.monotonic() - self._beat
        if stalled > STALL_S:
            return False, f"the process stage has not moved for {stalled:.0f} s"
        return True, ""

    def _process(self, batch: ReportBatch, wall_ingest: float) -> None:
        started = time.perf_counter()
        kinds, counts = np.unique(batch.sensor_kind, return_counts=True)
        for k, c in zip(kinds, counts, strict=True):
            self.metrics.reports_in.labels(sensor_kind_name(int(k))).inc(int(c))
        self.summary.reports += len(batch)
        rejected = self.tracker.stats.reports_rejected
        self._in_flight = batch  # recorded by _record_only if a stage fails on it
        if self.tracker.sensors is not (sensors := self.source.sensors):  # a sensor joined
            self.tracker.sensors = self.sensors = sensors
        self.tracker.process(batch)
        if self._clock is not None:  # live feeds: time passes whether or not reports come
            self.tracker.advance(self._clock())
        self.metrics.reports_rejected.inc(self.tracker.stats.reports_rejected - rejected)
        self.metrics.stage_latency.labels("track").observe(time.perf_counter() - started)
        if len(batch):
            self._waiting.append((float(batch.t_measured.max()), wall_ingest))
            self._store_put(("reports", batch))
        self._in_flight = None
        self._emit()

    def _emit(self) -> None:
        """Publish a frame at every output instant the tracker has passed."""
        now = self.tracker.now
        if not np.isfinite(now):
            return
        step = self.settings.output_interval_s
        if math.isnan(self._next_tick):
            self._next_tick = math.floor(now / step) * step
            self.summary.t_start = self._next_tick
        while self._next_tick <= now:
            self._frame(self._next_tick, self.tracker.tracks(self._next_tick))
            self._next_tick += step
        self._publish_between()

    def _publish_between(self) -> None:
        """Between output instants, a frame of the tracks as they are now (published only,
        classes and threats as last assessed, not recorded) when reports have come in that no
        frame shows and ``publish_every_s`` of wall time has passed since the last one: a
        report measured just after an output instant reaches the map within that, not a
        whole output interval later."""
        every = self.settings.publish_every_s
        if every <= 0 or not self._waiting or time.monotonic() - self._published < every:
            return
        now = self.tracker.now
        if self._waiting[0][0] > self.tracker.processed_to or now <= self._last_frame_t:
            return  # what waits is held back in the tracker: nothing new to show yet
        self._publish(now, self.tracker.tracks(now))

    def _publish(self, t: float, tracks: TrackBatch) -> None:
        """The tracks to the listeners at once, with classes and threats as last assessed."""
        started = time.perf_counter()
        with self._lock:
            fast = PictureFrame.build(t, tracks, self._classes, self._threats, self._alert_of)
        wall_ingest = self._reflected()
        self._seq += 1
        for listener in self._frame_listeners:
            listener(fast, wall_ingest, self._seq)
        self._published, self._last_frame_t = time.monotonic(), t
        self.metrics.stage_latency.labels("publish").observe(time.perf_counter() - started)
        if math.isfinite(wall_ingest):
            self.metrics.ingest_to_publish.observe(max(0.0, time.time() - wall_ingest))

    def _frame(self, t: float, tracks: TrackBatch) -> None:
        """Publish the tracks at once, with each track's class and threat as last assessed
        (a new track shows as unknown for one interval); then identify, assess and alert,
        announce what changed, and record the assessed frame. So the latency from a report
        to the map is the tracker's alone, and alerts follow within the same step."""
        self._publish(t, tracks)
        started = time.perf_counter()
        with self._lock:
            step = self.picture.step(tracks, t)
            events = step.events
            self._classes, self._threats = step.classes, step.threats
            self._alert_of = {a.track_id: a.alert_id for a in self.picture.alerts.alerts()}
            frame = PictureFrame.build(t, tracks, step.classes, step.threats, self._alert_of)
            self.latest = frame
            self._count(frame, events)
        self.metrics.stage_latency.labels("picture").observe(time.perf_counter() - started)
        if events:
            self._announce(events)
        self._store_put(("frame", frame), sheddable=True)
        if events:
            self._store_put(("events", events))

    def _reflected(self) -> float:
        """When the oldest report first shown by the next frame entered the pipeline (NaN when
        the frame shows no new report): the tracker has processed a batch once its reports'
        times are all before ``processed_to`` — a report held back waits in ``_waiting``."""
        done = self.tracker.processed_to
        oldest = math.nan
        while self._waiting and self._waiting[0][0] < done:
            _, wall = self._waiting.popleft()
            oldest = wall if math.isnan(oldest) else min(oldest, wall)
        return oldest

    def _announce(self, events: list[AlertEvent]) -> None:
        for listener in self._event_listeners:
            listener(events)

    def _count(self, frame: PictureFrame, events: list[AlertEvent]) -> None:
        s, m = self.summary, self.metrics
        s.t = frame.t
        s.frames += 1
        s.tracks = len(frame)
        labels, counts = np.unique(frame.label, return_counts=True)
        s.tracks_by_class = {
            ObjectClass(int(k)).name: int(c) for k, c in zip(labels, counts, strict=True)
        }
        for cls in ObjectClass:
            m.tracks_by_class.labels(cls.name).set(s.tracks_by_class.get(cls.name, 0))
        m.tracks.set(len(frame))
        m.frames.inc()
        m.data_time.set(frame.t)
        for e in events:
            m.alert_events.labels(e.kind.value).inc()
            if e.kind.value == "raised":
                s.alerts_raised += 1
        self._count_alerts()
        self._speed_window.append((frame.t, time.monotonic()))
        del self._speed_window[:-10]
        (t0, w0), (t1, w1) = self._speed_window[0], self._speed_window[-1]
        s.speed = (t1 - t0) / (w1 - w0) if w1 > w0 else 0.0
        m.speed.set(s.speed)

    def _count_alerts(self) -> None:
        active = len(self.picture.alerts.alerts())
        self.summary.alerts_active = active
        self.metrics.alerts_active.set(active)

    def _store_put(self, item: tuple[str, Any], *, sheddable: bool = False) -> None:
        store_thread = self._threads[-1] if self._threads else None
        if store_thread is None or not store_thread.is_alive():  # an operator acting late
            self._write(item)
            return
        if sheddable and not self.source.blocking:
            try:
                self._store_q.put_nowait(item)
            except queue.Full:
                self.metrics.shed.labels("stored_frames").inc()
                self.summary.shed += 1
        else:
            self._store_q.put(item)
        self.metrics.queue_depth.labels("store").set(self._store_q.qsize())

    def _store_loop(self) -> None:
        while True:
            item = self._store_q.get()
            self.metrics.queue_depth.labels("store").set(self._store_q.qsize())
            if item is _STOP:
                break
            self._write(item)
        t_end = self.summary.t if math.isfinite(self.summary.t) else math.nan
        if self._writer is not None:
            self._writer.write("end", self.run_id, t_end)
            self._writer.close()
            self.metrics.errors.labels("store").inc(self._writer.errors.value)
            self._writer = None
            return
        try:
            self.store.end_run(self.run_id, t_end)
        except Exception:
            log.exception("store failed to end the run")

    def _write(self, item: tuple[str, Any]) -> None:
        kind, value = item
        store, run = self.store, self.run_id
        started = time.perf_counter()
        if self._writer is not None:
            self._writer.write(kind, run, value)
            self.metrics.stage_latency.labels(f"store_{kind}").observe(
                time.perf_counter() - started
            )
            return
        try:
            write_item(store, kind, run, value)
        except Exception:  # a failed write is logged and counted; the picture goes on
            log.exception("store failed to write %s", kind)
            self.metrics.errors.labels("store").inc()
        self.metrics.stage_latency.labels(f"store_{kind}").observe(time.perf_counter() - started)
