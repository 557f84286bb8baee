"""The shared Stone Soup CSV format: detections read fast and exactly, tracks written in the
documented columns, and a malformed file refused with an error naming its line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from dronewall.core.errors import DataError
from dronewall.records.stonesoup_csv import (
    PlanarDetections,
    PlanarTracks,
    read_detections,
    scan_bounds,
    write_tracks_csv,
)

HEADER = "scan,t,det_id,x,y\n"


def _detections(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_detections_read_exactly_as_the_csv_module_reads_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    scan = np.repeat(np.arange(40), rng.integers(0, 30, 40))
    x, y = rng.uniform(-5e4, 5e4, (2, scan.size))
    rows = [
        f"{k},{k * 1.0:.3f},{i},{a!r},{b:.3f}"
        for i, (k, a, b) in enumerate(zip(scan.tolist(), x.tolist(), y.tolist(), strict=True))
    ]
    dets = read_detections(_detections(tmp_path / "d.csv", rows))
    with open(tmp_path / "d.csv", newline="", encoding="utf-8") as handle:
        ref = list(csv.DictReader(handle))
    assert dets.scan.dtype == np.int64 and dets.scan.tolist() == [int(r["scan"]) for r in ref]
    assert dets.t.tolist() == [float(r["t"]) for r in ref]
    assert dets.x.tolist() == [float(r["x"]) for r in ref]  # bit-exact, not approximately
    assert dets.y.tolist() == [float(r["y"]) for r in ref]


def test_detections_out_of_scan_order_are_sorted_stably(tmp_path: Path) -> None:
    rows = ["2,2.0,0,5.0,0.0", "0,0.0,1,1.0,0.0", "2,2.0,2,6.0,0.0", "1,1.0,3,3.0,0.0"]
    dets = read_detections(_detections(tmp_path / "d.csv", rows))
    assert dets.scan.tolist() == [0, 1, 2, 2]
    assert dets.x.tolist() == [1.0, 3.0, 5.0, 6.0]
    scans, bounds = scan_bounds(dets)
    assert scans.tolist() == [0, 1, 2] and bounds.tolist() == [0, 1, 2, 4]


def test_scan_bounds_refuse_unsorted_detections() -> None:
    dets = PlanarDetections(np.array([1, 0]), np.zeros(2), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="sorted"):
        scan_bounds(dets)


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        (["0,0.0,0,1.0,2.0", "0,0.0,1,abc,2.0"], 3, "bad value"),
        (["0,0.0,0,1.0,2.0", "1,1.0,1,2.0"], 3, "4 fields"),
        (["0,0.0,0,1.0,2.0,7"], 2, "6 fields"),
        (["0,0.0,0,1.0,2.0", "1,1.0,1,,2.0"], 3, "bad value"),
        (["0.5,0.0,0,1.0,2.0"], 2, "bad value"),
        (["0,0.0,0,1.0,2.0", "0,0.0,1,nan,2.0"], 3, "not a finite number"),
        (["0,0.0,0,1.0,2.0", ",0.0,1,1.0,2.0"], 3, "bad value"),
    ],
)
def test_a_malformed_line_is_an_error_naming_it(
    tmp_path: Path, rows: list[str], line: int, words: str
) -> None:
    path = _detections(tmp_path / "d.csv", rows)
    with pytest.raises(DataError, match=f"d.csv:{line}: .*{words}"):
        read_detections(path)


def test_missing_columns_and_files_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("scan,t,det_id,x\n0,0.0,0,1.0\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing column.*y"):
        read_detections(path)
    with pytest.raises(DataError, match="cannot read"):
        read_detections(tmp_path / "nowhere.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00scan")
    with pytest.raises(DataError, match="cannot read"):
        read_detections(tmp_path / "binary.csv")


def test_tracks_round_trip_through_the_csv_module(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 500
    tracks = PlanarTracks(
        np.sort(rng.integers(0, 50, n)),
        rng.uniform(0, 50, n),
        rng.integers(0, 10**9, n),
        rng.uniform(-1e5, 1e5, n),
        rng.uniform(-1e5, 1e5, n),
        rng.normal(0, 40, n),
        rng.normal(0, 40, n),
    )
    write_tracks_csv(tmp_path / "tracks.csv", tracks)
    with open(tmp_path / "tracks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["scan", "t", "track_id", "x", "y", "vx", "vy"]
    assert [int(r["scan"]) for r in rows] == tracks.scan.tolist()
    assert [int(r["track_id"]) for r in rows] == tracks.track_id.tolist()
    for name, decimals in (("t", 3), ("x", 3), ("y", 3), ("vx", 4), ("vy", 4)):
        got = np.array([float(r[name]) for r in rows])
        assert np.abs(got - getattr(tracks, name)).max() <= 0.5 * 10.0**-decimals + 1e-9
        assert all(len(r[name].split(".")[1]) == decimals for r in rows)  # fixed decimals


def test_no_tracks_is_a_header_alone(tmp_path: Path) -> None:
    write_tracks_csv(tmp_path / "tracks.csv", PlanarTracks.concat([]))
    assert (tmp_path / "tracks.csv").read_text(encoding="utf-8") == "scan,t,track_id,x,y,vx,vy\n"
