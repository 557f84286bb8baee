"""``dronewall ingest``: a capture (pcap, pcapng) or a recording (raw ASTERIX, Beast, AVR, SBS,
Remote ID, JSON lines), or a recorded run's raw feed messages, decoded into a run directory
for ``dronewall track`` (``docs/ingest.md``).

Only cheap imports at module level (``cli.py`` explains why); the decoding lives in
``dronewall.runtime.ingest``, imported inside the command.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from dronewall.app.common import errors, existing, fail, output_dir, text_file

if TYPE_CHECKING:
    from dronewall.runtime.ingest import IngestSummary, Progress

console = Console()


class Format(StrEnum):
    ASTERIX = "asterix"
    BEAST = "beast"
    AVR = "avr"
    SBS = "sbs"
    REMOTEID = "remoteid"
    REMOTEID_JSON = "remoteid-json"
    MQTT = "mqtt"


class InputKind(StrEnum):
    AUTO = "auto"
    CAPTURE = "capture"
    RAW = "raw"


def ingest(
    out: Annotated[Path, typer.Option("--out", help="run directory to write")],
    file: Annotated[
        Path | None, typer.Argument(help="capture (pcap/pcapng, may be gzipped) or recording")
    ] = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="what the file holds")] = None,
    feeds: Annotated[
        Path | None, typer.Option(help="feeds file (TOML): its feed of this format is used")
    ] = None,
    name: Annotated[str | None, typer.Option(help="the feed's name (picks it in --feeds)")] = None,
    lat: Annotated[float | None, typer.Option(help="receiver/radar latitude (°)")] = None,
    lon: Annotated[float | None, typer.Option(help="receiver/radar longitude (°)")] = None,
    alt: Annotated[float | None, typer.Option(help="antenna height, m above the ellipsoid")] = None,
    range_km: Annotated[float | None, typer.Option(help="sensor range (km)")] = None,
    nation: Annotated[str | None, typer.Option(help="owner nation, ISO 3166 alpha-2")] = None,
    sac: Annotated[int | None, typer.Option(help="ASTERIX radar SAC (with --sic)")] = None,
    sic: Annotated[int | None, typer.Option(help="ASTERIX radar SIC (with --sac)")] = None,
    port: Annotated[int | None, typer.Option(help="capture: only UDP to/from this port")] = None,
    host: Annotated[str | None, typer.Option(help="capture: only to/from this IP address")] = None,
    date: Annotated[
        str | None, typer.Option(help="raw ASTERIX: UTC date of the first block, YYYY-MM-DD")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="raw Beast/AVR/Remote ID/JSON: time of the first message, ISO 8601"),
    ] = None,
    tz: Annotated[str, typer.Option(help="SBS: the receiver clock's zone")] = "UTC",
    input_kind: Annotated[
        InputKind, typer.Option("--input", help="auto: a capture by its first bytes")
    ] = InputKind.AUTO,
    store: Annotated[
        str | None, typer.Option(help="decode a recorded run's raw messages: store URL")
    ] = None,
    run: Annotated[str | None, typer.Option(help="with --store: the run id")] = None,
) -> None:
    """Decode a capture or recording (or a stored run's raw feeds) into reports.parquet and
    sensors.parquet for 'dronewall track'."""
    _check(file, fmt, store, run, port)
    when = _start(start)
    day = _date(date)
    address = _host(host)
    if feeds is not None:
        text_file(feeds, "feeds file")
    output_dir(out)
    from dronewall.runtime.ingest import IngestOptions, ingest_file, ingest_store
    from dronewall.runtime.ingest_spec import Shortcuts, ingest_spec

    begun = time.perf_counter()
    with errors(), _Bar() as progress:
        if store is not None and run is not None:
            from dronewall.store import open_store

            opened = open_store(store)
            try:
                summary = ingest_store(opened, run, out, progress)
            finally:
                opened.close()
        else:
            assert file is not None and fmt is not None  # _check
            given = Shortcuts(name, lat, lon, alt, range_km, nation, sac, sic)
            spec = ingest_spec(fmt.value, feeds, given)
            options = IngestOptions(input_kind.value, port, address, day, when, tz)
            summary = ingest_file(file, spec, options, out, progress)
    _print(summary, out, time.perf_counter() - begun)
    if summary.units == 0:
        problems = ", ".join(f"{k} {v:,}" for k, v in summary.problems.items()) or "empty"
        fail(f"nothing to decode in {summary.source} ({problems})")


def _check(
    file: Path | None, fmt: Format | None, store: str | None, run: str | None, port: int | None
) -> None:
    if (file is None) == (store is None):
        fail("give a FILE to ingest, or --store URL --run RUN_ID")
    if store is not None and run is None:
        fail("--store needs --run RUN_ID")
    if file is not None:
        existing(file, "file")
        if file.is_dir():
            fail(f"{file} is a directory, not a capture or recording")
        if fmt is None:
            fail(f"--format is needed: one of {', '.join(f.value for f in Format)}")
    if port is not None and not 0 <= port <= 65535:
        fail(f"--port must be 0–65535, not {port}")


def _start(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        fail(f"--start must be an ISO 8601 time such as 2025-10-02T12:00:00Z, not {text!r}")
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, not {text!r}")


def _host(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        fail(f"--host must be an IPv4 or IPv6 address, not {text!r}")


class _Bar:
    """Progress on standard error while the file is read: a bar on a terminal, otherwise
    (a log, a pipe) a line at every tenth of a file of ``LINES_FROM`` bytes or more."""

    LINES_FROM = 64 << 20  # smaller files take seconds: no lines

    def __enter__(self) -> Progress:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

        self._console = Console(stderr=True)
        self._next_line = 0.1
        self._bar = None
        if self._console.is_terminal:
            self._bar = Progress(
                "ingesting", BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                console=self._console, transient=True,
            )  # fmt: skip
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=None)
        return self._update

    def _update(self, done: float, total: float) -> None:
        if total <= 0:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
        elif total >= self.LINES_FROM and done / total >= self._next_line:
            self._next_line = done / total + 0.1
            self._console.print(f"ingesting: {done / total:.0%} ({done:,.0f} of {total:,.0f})",
                                highlight=False)  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _print(s: IngestSummary, out: Path, elapsed: float) -> None:
    rate = s.messages + sum(s.rejects.values())
    console.print(
        f"{s.source} ({s.input}, {', '.join(s.formats)}): {s.bytes:,} bytes, {s.units:,} "
        f"pieces in {elapsed:.1f} s ({rate / max(elapsed, 1e-9):,.0f} messages/s)",
        highlight=False,
    )
    rejected = sum(s.rejects.values())
    line = f"  messages: {s.messages:,} accepted, {rejected:,} rejected"
    if s.rejects:
        line += " (" + ", ".join(f"{k} {v:,}" for k, v in s.rejects.items()) + ")"
    console.print(line, highlight=False)
    if s.problems:
        problems = ", ".join(f"{k} {v:,}" for k, v in s.problems.items())
        console.print(f"  skipped in the file: {problems}", highlight=False)
    kinds = ", ".join(f"{k} {v:,}" for k, v in s.reports_by_kind.items())
    span = ""
    if s.reports:
        first = dt.datetime.fromtimestamp(s.t_first, dt.UTC).isoformat(timespec="seconds")
        last = dt.datetime.fromtimestamp(s.t_last, dt.UTC).isoformat(timespec="seconds")
        span = f", measured {first} → {last}"
    console.print(f"  reports: {s.reports:,}" + (f" ({kinds})" if kinds else "") + span,
                  highlight=False)  # fmt: skip
    console.print(f"  sensors: {len(s.sensors)}", highlight=False)
    for sensor in s.sensors[:20]:
        where = "position unknown"
        if sensor["lat_deg"] is not None and sensor["lon_deg"] is not None:
            where = f"{sensor['lat_deg']:.5f}, {sensor['lon_deg']:.5f}"
        console.print(
            f"    {sensor['sensor_id']} ({sensor['kind']}, {where}): {sensor['reports']:,} "
            "reports", highlight=False,
        )  # fmt: skip
    for note in s.notes + _hints(s):
        console.print(f"  note: {note}", highlight=False)
    console.print(f"  → {out / 'reports.parquet'}, sensors.parquet, run.json", highlight=False)


def _hints(s: IngestSummary) -> list[str]:
    hints = []
    if s.rejects.get("unknown_sensor"):
        hints.append(
            "radar records of an unconfigured SAC/SIC were rejected: give --sac --sic "
            "--lat --lon --alt, or a --feeds file with the radar's [[feed.sensor]]"
        )
    if s.rejects.get("sensor_position_unknown"):
        hints.append(
            "reports of a sensor whose position is unknown were dropped: give the "
            "sensor's --lat --lon --alt (or a --feeds file)"
        )
    return hints
