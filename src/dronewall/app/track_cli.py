"""``dronewall track``: run the tracker over a recorded or simulated run, or over the shared
2-D Stone Soup CSV scenarios.

Only cheap imports at module level (``cli.py`` explains why); the tracker and the Parquet
readers are imported inside the functions that use them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dronewall.app.common import check_positive, errors, existing, output_dir

if TYPE_CHECKING:
    from dronewall.core.tracks import SensorGeometry
    from dronewall.core.types import ReportBatch

console = Console()


class InputFormat(StrEnum):
    RUN = "run"
    STONESOUP_CSV = "stonesoup-csv"


def track(
    reports: Annotated[Path, typer.Argument(help="run directory (or its reports.parquet)")],
    out: Annotated[Path, typer.Option("--out", help="directory to write tracks to")],
    fmt: Annotated[InputFormat, typer.Option("--format", help="input format")] = InputFormat.RUN,
    sigma: Annotated[float, typer.Option(help="stonesoup-csv: detection σ (m)")] = 10.0,
) -> None:
    """Track reports; write tracks.parquet (run) or tracks.csv (stonesoup-csv)."""
    what = "run directory or reports.parquet" if fmt is InputFormat.RUN else "detections CSV"
    existing(reports, what)
    check_positive("--sigma", sigma)
    output_dir(out)
    with errors():
        if fmt is InputFormat.STONESOUP_CSV:
            _track_csv(reports, out, sigma)
        else:
            _track_run(reports, out)


def _track_csv(source: Path, out: Path, sigma: float) -> None:
    """The shared Stone Soup CSV format in and out. Python's cyclic garbage collector is paused
    for the run: the work makes no reference cycles worth collecting, and its collections of
    the interpreter's long-lived objects cost ~3 % of the command (measured)."""
    import gc

    import numpy as np

    from dronewall.records.stonesoup_csv import read_detections, write_tracks_csv
    from dronewall.runtime.offline import STONESOUP_CONFIG, track_planar_scans

    path = source / "detections.csv" if source.is_dir() else source
    scenario = _scenario_parameters(path.parent / "scenario.json")
    sigma = float(scenario.get("sigma", sigma))
    collecting = gc.isenabled()
    gc.disable()
    try:
        dets = read_detections(path)
        # The sensor declares scenario.json's P_D, clutter density and scan interval, which
        # the shared format lets a tracker read (the tracker's existence score uses them).
        tracks, elapsed = track_planar_scans(
            dets, sigma, STONESOUP_CONFIG, scenario=scenario or None
        )
        write_tracks_csv(out / "tracks.csv", tracks)
    finally:
        if collecting:
            gc.enable()
    rate = dets.t.size / elapsed if elapsed > 0 else float("inf")
    console.print(
        f"{dets.t.size:,} detections → {np.unique(tracks.track_id).size:,} confirmed tracks in "
        f"{elapsed:.2f} s of tracking ({rate:,.0f} detections/s) → {out / 'tracks.csv'}"
    )


def _scenario_parameters(path: Path) -> dict[str, Any]:
    """scenario.json beside the detections (empty when there is none); a file that is not a
    JSON object is a data error naming it."""
    from dronewall.core.errors import DataError

    if not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(values, dict):
        raise DataError(f"{path}: not a JSON object of scenario parameters")
    sigma = values.get("sigma", 1.0)
    if isinstance(sigma, bool) or not isinstance(sigma, int | float) or not 0 < sigma < 1e6:
        raise DataError(f"{path}: sigma must be a positive number of metres, not {sigma!r}")
    return values


def _track_run(source: Path, out: Path) -> None:
    from dronewall.core.errors import DataError
    from dronewall.records import read_reports, read_sensors
    from dronewall.records.tracks import sensor_geometry

    folder = source if source.is_dir() else source.parent
    reports_path = source if source.is_file() else folder / "reports.parquet"
    sensors_path = folder / "sensors.parquet"
    if not sensors_path.is_file():
        raise DataError(f"no sensors.parquet beside {reports_path}")
    reports = read_reports(reports_path)
    sensors = sensor_geometry(read_sensors(sensors_path))
    track_batch(reports, sensors, out)


def track_batch(reports: ReportBatch, sensors: SensorGeometry, out: Path) -> None:
    """Track reports already in memory; write tracks.parquet and tracker_stats.json."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dronewall.records import RecordWriter
    from dronewall.records.tracks import TRACK_SCHEMA, track_table
    from dronewall.runtime.offline import track_reports
    from dronewall.tracking import Tracker, TrackerConfig

    tracker = Tracker(sensors, TrackerConfig())
    started = time.perf_counter()
    ids: set[int] = set()
    with (
        RecordWriter(out / "tracks.parquet", TRACK_SCHEMA) as writer,
        Progress(
            TextColumn("tracking"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
    ):
        task = bar.add_task("tracking", total=1.0)
        for batch in track_reports(
            reports,
            sensors,
            tracker=tracker,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        ):
            writer.write(track_table(batch))
            ids.update(batch.track_id.tolist())
    elapsed = time.perf_counter() - started
    stats = asdict(tracker.stats)
    (out / "tracker_stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    span = float(reports.t_measured.max() - reports.t_measured.min()) if len(reports) else 0.0
    console.print(
        f"{len(reports):,} reports → {len(ids):,} confirmed tracks "
        f"({stats['reports_rejected']:,} rejected, {stats['reports_late']:,} late but used) in "
        f"{elapsed:.1f} s ({len(reports) / max(elapsed, 1e-9):,.0f} reports/s, "
        f"{span / max(elapsed, 1e-9):,.0f}× real time) → {out / 'tracks.parquet'}"
    )
