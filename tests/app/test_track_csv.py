"""``dronewall track --format stonesoup-csv`` end to end, as a person runs it: tracks written,
a malformed line refused in one line, and only what the work needs imported."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

DRONEWALL = Path(sys.executable).with_name("dronewall")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DRONEWALL_DEBUG"}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"})
    return subprocess.run(
        [str(DRONEWALL), *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three targets in straight lines for 12 one-second scans, σ = 10 m, no clutter."""
    folder = tmp_path_factory.mktemp("scenario")
    rng = np.random.default_rng(7)
    start = np.array([[1000.0, 1000.0], [5000.0, 2000.0], [3000.0, 8000.0]])
    velocity = np.array([[30.0, 0.0], [0.0, 25.0], [-20.0, -20.0]])
    lines = ["scan,t,det_id,x,y"]
    for k in range(12):
        for i, (p, v) in enumerate(zip(start, velocity, strict=True)):
            x, y = p + v * k + rng.normal(0.0, 10.0, 2)
            lines.append(f"{k},{k:.3f},{3 * k + i},{x:.3f},{y:.3f}")
    (folder / "detections.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "scenario.json").write_text(json.dumps({"sigma": 10.0}), encoding="utf-8")
    return folder


def test_tracks_are_written_where_the_targets_are(scenario: Path, tmp_path: Path) -> None:
    done = _run("track", str(scenario), "--format", "stonesoup-csv", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "36 detections → 3 confirmed tracks" in done.stdout
    with open(tmp_path / "tracks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    last = [r for r in rows if r["scan"] == "11"]
    assert len(last) == 3
    truth = {(1330.0, 1000.0), (5000.0, 2275.0), (2780.0, 7780.0)}
    for r in last:
        x, y = float(r["x"]), float(r["y"])
        assert min(np.hypot(x - tx, y - ty) for tx, ty in truth) < 30.0


def test_a_malformed_line_is_one_error_line(scenario: Path, tmp_path: Path) -> None:
    text = (scenario / "detections.csv").read_text(encoding="utf-8").splitlines()
    text[5] = "1,1.000,4,12abc,2000.0"
    bad = tmp_path / "detections.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    done = _run("track", str(bad), "--format", "stonesoup-csv", "--out", str(tmp_path / "o"))
    assert done.returncode == 2, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "detections.csv:6" in lines[0] and "12abc" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "o" / "tracks.csv").exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [("[1, 2", "not JSON"), ("[1, 2]", "not a JSON object"),
     ('{"pd": 2.0}', "pd out of range"), ('{"pd": "high"}', "pd is not a number"),
     ('{"sigma": "ten"}', "sigma must be"), ('{"sigma": -1}', "sigma must be")],
)  # fmt: skip
def test_a_bad_scenario_json_is_one_error_line(
    scenario: Path, tmp_path: Path, text: str, says: str
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "detections.csv").write_text(
        (scenario / "detections.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "scenario.json").write_text(text, encoding="utf-8")
    done = _run("track", str(folder), "--format", "stonesoup-csv", "--out", str(tmp_path / "o"))
    assert done.returncode == 2, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and says in lines[0] and "scenario.json" in lines[0], done.stderr


MODULES_PROBE = r"""
import json, sys, types
from dronewall.app.cli import run
from dronewall.tracking import compiled
code = run(["track", sys.argv[1], "--format", "stonesoup-csv", "--out", sys.argv[2]])
built = isinstance(compiled.loops(), types.ModuleType)
print(json.dumps({"code": code, "built": built, "modules": sorted(sys.modules)}))
"""


def test_the_command_imports_no_scipy_pandas_or_parquet(scenario: Path, tmp_path: Path) -> None:
    """Tracking a CSV scenario needs numpy, Arrow's CSV reader and pyproj; not scipy (0.3 s
    to import), pandas, Arrow's Parquet or compute modules — nor Numba when the compiled
    loops are built (``tracking.compiled``), which is how they run unless a build failed."""
    done = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, str(scenario), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.splitlines()[-1])
    assert probe["code"] == 0
    tops = {m.split(".")[0] for m in probe["modules"]}
    heavy = {"pandas", "matplotlib", "fastapi", "shapely"} | (
        {"scipy"} if probe["built"] else set()
    )
    assert not tops & heavy  # (Numba itself imports scipy: only the built loops avoid it)
    assert not {"pyarrow.parquet", "pyarrow.compute", "pyarrow.dataset"} & set(probe["modules"])
    assert probe["built"] == ("numba" not in tops)
