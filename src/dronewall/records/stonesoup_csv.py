"""The 2-D CSV scenario format of the shared Stone Soup baseline (``bench/stonesoup/README.md``
beside the project): ``detections.csv`` (scan,t,det_id,x,y) in, ``tracks.csv``
(scan,t,track_id,x,y,vx,vy) out, so that the shared scorer judges every tracker alike.

The plane is placed tangent to the Earth at an origin (x east, y north, metres), so the same
3-D tracker runs on it: detections become position fixes at height 0 with the scenario's σ
horizontally and a tight vertical σ, and tracks are read back in the plane.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import DataError
from dronewall.core.geodesy import ecef_to_enu, enu_to_geodetic, geodetic_to_ecef
from dronewall.core.tracks import SensorGeometry, TrackBatch
from dronewall.core.types import MeasurementKind, ReportBatch, SensorKind

FloatArray = npt.NDArray[np.float64]
ORIGIN = (52.0, 21.0, 0.0)  # where the plane touches the Earth; any mid-latitude point works
VERTICAL_SIGMA_M = 1.0  # the targets stay on the plane
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp()  # scenario.json's epoch


@dataclass(frozen=True, slots=True)
class PlanarDetections:
    scan: npt.NDArray[np.int64]
    t: FloatArray  # seconds from the scenario start
    x: FloatArray
    y: FloatArray


def read_detections(path: str | Path) -> PlanarDetections:
    """Read ``detections.csv``; a malformed row is an error naming its line."""
    scans, ts, xs, ys = [], [], [], []
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"scan", "t", "x", "y"} - set(reader.fieldnames or [])
            if missing:
                raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                try:
                    scans.append(int(row["scan"]))
                    ts.append(float(row["t"]))
                    xs.append(float(row["x"]))
                    ys.append(float(row["y"]))
                except (TypeError, ValueError) as exc:
                    raise DataError(f"{path}:{line}: bad value: {exc}") from exc
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    return PlanarDetections(np.array(scans, np.int64), np.array(ts), np.array(xs), np.array(ys))


def planar_sensor() -> SensorGeometry:
    lat, lon, h = ORIGIN
    return SensorGeometry(
        ["plane"],
        np.array([int(SensorKind.RADAR)], np.uint8),
        np.array([lat]),
        np.array([lon]),
        np.array([h]),
        geodetic_to_ecef(lat, lon, h).reshape(1, 3),
        np.array([1e7]),
    )


def planar_reports(
    dets: PlanarDetections, rows: npt.NDArray[np.int64], sigma_m: float
) -> ReportBatch:
    """Detections ``rows`` as position-fix reports on the tangent plane."""
    n = rows.size
    enu = np.column_stack([dets.x[rows], dets.y[rows], np.zeros(n)])
    lat, lon, alt = enu_to_geodetic(enu, *ORIGIN)
    batch = ReportBatch.allocate(n)
    batch.report_id[:] = rows
    batch.sensor_kind[:] = int(SensorKind.RADAR)
    batch.measurement[:] = int(MeasurementKind.POSITION)
    batch.t_measured[:] = EPOCH + dets.t[rows]
    batch.t_arrival[:] = batch.t_measured
    batch.lat_deg[:], batch.lon_deg[:], batch.alt_m[:] = lat, lon, alt
    batch.sigma_horizontal_m[:] = sigma_m
    batch.sigma_vertical_m[:] = VERTICAL_SIGMA_M
    return batch


def planar_tracks(tracks: TrackBatch) -> tuple[FloatArray, FloatArray]:
    """Track positions (n, 2) and velocities (n, 2) in the plane."""
    lat, lon, h = ORIGIN
    origin = geodetic_to_ecef(lat, lon, h)
    pos = ecef_to_enu(tracks.state[:, :3], lat, lon, origin)
    vel = ecef_to_enu(tracks.state[:, 3:] + origin, lat, lon, origin)
    return pos[:, :2], vel[:, :2]


def write_tracks_csv(
    path: str | Path, rows: list[tuple[int, float, int, float, float, float, float]]
) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scan", "t", "track_id", "x", "y", "vx", "vy"])
        for scan, t, track, x, y, vx, vy in rows:
            writer.writerow(
                [scan, f"{t:.3f}", track, f"{x:.3f}", f"{y:.3f}", f"{vx:.4f}", f"{vy:.4f}"]
            )
