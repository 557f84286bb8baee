"""``dronewall ingest``: a recording or a capture, or a recorded run's raw feed messages,
decoded into a run directory (``docs/ingest.md``) that ``dronewall track`` and ``assess`` read.

    file ─► reader (cut + stamp: ingest_sources) ─► RawMessage ─► FeedSource.replay ─┐
    store raw table ─────────────────────────────► RawMessage ─────────────┘        │
                     adapters of runtime.adapters.ADAPTERS, as ``serve`` decodes    ▼
                                              reports.parquet, sensors.parquet, run.json

Decoding is exactly ``serve``'s: the feed's ``FeedSpec`` builds the adapter through
``ADAPTERS``, and ``FeedSource.replay`` runs the messages through it and numbers the reports
and sensors with its ``SensorTable``; a report's ``t_arrival`` is the end of the 50 ms flush
in which its bytes were received.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from dronewall.core.errors import ConfigError, DataError
from dronewall.core.types import ReportBatch
from dronewall.records.pcap import CaptureReader, is_capture
from dronewall.runtime import ingest_modes as modes
from dronewall.runtime import ingest_sources as src
from dronewall.runtime.adapters import ADAPTERS
from dronewall.runtime.feeds import FLUSH_S, FeedSource, RawReplaySource, spec_from_json
from dronewall.runtime.feedspec import FeedSpec
from dronewall.runtime.ingest_clocks import DayClock, HourClock, SbsTime
from dronewall.runtime.ingest_output import ReportSink, write_manifest, write_sensors
from dronewall.store import RawMessage, Store

Progress = Callable[[float, float], None]  # (done, total): bytes of the file, or data seconds
FORMATS = ("asterix", "beast", "avr", "sbs", "remoteid", "remoteid-json", "mqtt")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
_STREAM_FORMATS = {"asterix", "remoteid-json"}  # a file of these is a stream, not datagrams


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How to read a file: ``input`` "auto" (a capture by its magic number), "capture" or
    "raw"; capture filters; the date (ASTERIX), start (Beast, AVR, Remote ID, JSON lines
    without times; None: from the file's modification time) and zone (SBS) of raw files."""

    input: str = "auto"
    port: int | None = None
    host: str | None = None
    date: dt.date | None = None
    start: float | None = None
    tz: str = "UTC"
    flush_s: float = FLUSH_S


@dataclass(slots=True)
class IngestSummary:
    """What was read and what came of it (``run.json`` keeps it, the command prints it)."""

    source: str
    formats: list[str]
    input: str  # pcap, pcapng, raw, store
    bytes: int = 0
    units: int = 0  # datagrams, reads or lines handed to the adapters
    messages: int = 0  # messages the adapters accepted
    reports: int = 0
    rejects: dict[str, int] = field(default_factory=dict)  # by the adapters, by reason
    problems: dict[str, int] = field(default_factory=dict)  # of the file, by reason
    sensors: list[dict[str, Any]] = field(default_factory=list)
    reports_by_kind: dict[str, int] = field(default_factory=dict)
    t_first: float = math.nan  # measurement times of the reports
    t_last: float = math.nan
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for key in ("t_first", "t_last"):
            d[key] = None if math.isnan(d[key]) else d[key]
        return d


def ingest_file(
    path: Path,
    spec: FeedSpec,
    options: IngestOptions,
    out: Path,
    progress: Progress | None = None,
) -> IngestSummary:
    """Decode one file of ``spec.format`` into ``out``. Raises DataError (not a capture, a
    cut header, an unknown link type) or ConfigError (a format that cannot come this way)."""
    if spec.format not in FORMATS:
        raise ConfigError(f"cannot ingest format {spec.format!r}: one of {', '.join(FORMATS)}")
    size = path.stat().st_size
    with path.open("rb") as raw:
        stream = _decompressed(raw)
        kind = _input_kind(path, stream, options.input)
        spec = _transport(spec, kind)
        stats = src.InputStats()
        messages = _messages(path, stream, spec, options, kind, stats)
        summary = IngestSummary(str(path), [spec.format], kind)

        feeds = FeedSource([spec], ADAPTERS, record_raw=False, flush_s=options.flush_s)
        batches = feeds.replay(messages)
        _run(feeds, [spec], batches, out, summary, lambda: (float(raw.tell()), size), progress)
        summary.bytes = size
        summary.units = stats.units
        summary.problems = dict(sorted(stats.problems.items()))
        summary.notes += stats.notes
    source = {"file": path.name, "format": spec.format, "input": kind, **_options_json(options)}
    write_manifest(out / "run.json", source, summary.as_dict())
    return summary


def ingest_store(
    store: Store, run_id: str, out: Path, progress: Progress | None = None
) -> IngestSummary:
    """Decode a recorded run's raw feed messages (``serve`` keeps them with the feeds'
    settings) into ``out``: the same bytes through the same decoders."""
    info = store.run(run_id)
    recorded = info.settings.get("feeds") or []
    specs = [spec_from_json(d) for d in recorded]
    summary = IngestSummary(f"run {run_id}", sorted({s.format for s in specs}), "store")
    skipped = [s for s in specs if s.format == "sapient"]
    specs = [s for s in specs if s.format != "sapient"]
    if skipped:
        summary.notes.append(
            "SAPIENT feeds are decoded by their fusion node and keep no raw bytes: "
            + ", ".join(s.name for s in skipped)
            + " left out (their reports are in the store's reports table)"
        )
    if not specs:
        raise DataError(f"run {run_id} recorded no feeds with raw messages to decode")
    feeds = FeedSource(specs, ADAPTERS, record_raw=False)
    t0, t1 = info.t_start, info.t_end

    def where() -> tuple[float, float]:
        heard = [s.last_received for s in feeds.feeds.values() if math.isfinite(s.last_received)]
        if not (heard and math.isfinite(t0) and math.isfinite(t1)):
            return 0.0, 0.0
        return max(0.0, max(heard) - t0), max(t1 - t0, 0.0)

    replay = _CountedReplay(feeds, store, run_id)
    _run(feeds, specs, replay.chunks(), out, summary, where, progress)
    summary.bytes = sum(s.bytes_in for s in feeds.feeds.values())
    summary.units = replay.count
    write_manifest(out / "run.json", {"store_run": run_id}, summary.as_dict())
    return summary


class _CountedReplay(RawReplaySource):
    """``serve --reprocess``'s reading of a run's raw messages, counting them."""

    count = 0

    def chunks(self) -> Iterator[ReportBatch]:
        return self.feeds.replay(self._counted(self.messages()))

    def _counted(self, messages: Iterator[RawMessage]) -> Iterator[RawMessage]:
        for m in messages:
            self.count += 1
            yield m


def _run(
    feeds: FeedSource,
    specs: list[FeedSpec],
    batches: Iterator[ReportBatch],
    out: Path,
    summary: IngestSummary,
    where: Callable[[], tuple[float, float]],
    progress: Progress | None,
) -> None:
    """Decoded batches into ``out``; fills ``summary``."""
    out.mkdir(parents=True, exist_ok=True)
    sink = ReportSink(out / "reports.parquet")
    try:
        for batch in batches:
            sink.write(batch)
            if progress is not None:
                progress(*where())
        _finish(feeds)
    finally:
        sink.close()
    write_sensors(out / "sensors.parquet", feeds.table, {s.name: s.format for s in specs})
    _summarise(feeds, sink, summary)


def _finish(feeds: FeedSource) -> None:
    """The end of a recording: adapters that hold messages back (MQTT detections waiting for
    their node's registration) give them up, and their counts are kept (they give no
    reports)."""
    for state in feeds.feeds.values():
        adapter: Any = state.adapter
        expire = getattr(adapter, "expire", None) or getattr(
            getattr(adapter, "adapter", None), "expire", None
        )
        if expire is None:
            continue
        expire(math.inf)
        out = state.adapter.output.take()
        state.messages += out.messages
        for reason, n in out.rejects.items():
            state.rejects[reason] = state.rejects.get(reason, 0) + n


def _summarise(feeds: FeedSource, sink: ReportSink, summary: IngestSummary) -> None:
    rejects: Counter[str] = Counter()
    for state in feeds.feeds.values():
        summary.messages += state.messages
        rejects.update(state.rejects)
    summary.rejects = dict(sorted(rejects.items()))
    summary.reports = sink.reports
    summary.reports_by_kind = dict(sorted(sink.by_kind.items()))
    if sink.reports:
        summary.t_first, summary.t_last = sink.t_first, sink.t_last
    for row in feeds.table.snapshot(math.nan):
        summary.sensors.append(
            {k: row[k] for k in ("index", "sensor_id", "kind", "lat_deg", "lon_deg", "reports")}
        )


# ---- reading a file ------------------------------------------------------------------------
def _decompressed(raw: BinaryIO) -> BinaryIO:
    """The file, or what it holds if it is gzip-compressed (RFC 1952 magic 1F 8B)."""
    head = raw.read(2)
    raw.seek(0)
    return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")) if head == b"\x1f\x8b" else raw


def _input_kind(path: Path, stream: BinaryIO, wanted: str) -> str:
    """ "pcap", "pcapng" or "raw", by the file's first bytes (and name, for a capture that
    is not one)."""
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    capture = is_capture(head)
    named = path.name.lower().endswith(CAPTURE_SUFFIXES)
    if wanted == "raw":
        return "raw"
    if capture:
        return "pcapng" if head == b"\x0a\x0d\x0d\x0a" else "pcap"
    if wanted == "capture" or named:
        what = "empty" if not head else f"starts {head.hex()}"
        raise DataError(f"{path.name} is not a pcap or pcapng capture ({what})")
    return "raw"


def _transport(spec: FeedSpec, kind: str) -> FeedSpec:
    """A capture brings datagrams (``udp``); a raw file of a stream format is a stream."""
    if kind != "raw":
        if spec.format == "mqtt":
            raise ConfigError("MQTT recordings are JSON lines (a capture of MQTT is TCP)")
        return dataclasses.replace(spec, transport="udp")
    return dataclasses.replace(spec, transport="tcp" if spec.format in _STREAM_FORMATS else "udp")


def _messages(
    path: Path,
    stream: BinaryIO,
    spec: FeedSpec,
    options: IngestOptions,
    kind: str,
    stats: src.InputStats,
) -> Iterator[RawMessage]:
    name, fmt = spec.name, spec.format
    if kind != "raw":
        reader = CaptureReader(stream)
        return src.capture_messages(reader, name, stats, port=options.port, host=options.host)
    if options.port is not None or options.host is not None:
        raise ConfigError("--port and --host filter captures; this file is not one")
    mtime = path.stat().st_mtime
    start = options.start if options.start is not None else mtime
    if fmt == "asterix":
        day = options.date or dt.datetime.fromtimestamp(mtime, dt.UTC).date()
        return src.asterix_messages(stream, name, DayClock(day), stats)
    if fmt in ("beast", "avr"):
        if str(spec.options.get("timestamp", "12mhz")) == "gps":
            raise ConfigError(
                "raw Beast/AVR files are timed by the 12 MHz counter: GPS-mode timestamps "
                "(timestamp = gps) are not read from files"
            )
        units = modes.beast_units if fmt == "beast" else modes.avr_units
        if options.start is None:  # the file was last written as its last frame came
            span, _ = modes.tick_span(stream, units)
            stream.seek(0)
            start = mtime - span
        return modes.stamped_messages(stream, name, units, start, stats)
    if fmt == "sbs":
        return modes.sbs_messages(stream, name, SbsTime(options.tz), start, stats)
    if fmt == "remoteid":
        return src.remoteid_messages(stream, name, HourClock(start), stats)
    keys = src.MQTT_TIME_KEYS if fmt == "mqtt" else src.REMOTEID_TIME_KEYS
    return src.json_line_messages(stream, name, start, stats, keys)


def _options_json(options: IngestOptions) -> dict[str, Any]:
    d: dict[str, Any] = {
        "port": options.port,
        "host": options.host,
        "date": options.date.isoformat() if options.date else None,
        "start": options.start,
        "tz": options.tz,
    }
    return {k: v for k, v in d.items() if v is not None}
