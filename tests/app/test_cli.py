"""The command line: list scenarios, simulate to a directory, fail clearly on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dronewall.app.cli import app

runner = CliRunner()


def test_scenarios_lists_every_bundled_scenario() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    for name in (
        "poland-2025-09",
        "copenhagen-2025-09",
        "eastern-flank-raid",
        "airport-quadcopter",
        "mediterranean-maritime",
    ):
        assert name in result.output


def test_simulate_writes_a_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        ["simulate", "airport-quadcopter", "--out", str(out), "--duration", "120", "--seed", "5"],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["seed"] == 5
    assert manifest["duration_s"] == 120
    assert manifest["summary"]["reports"] > 0
    assert "What each kind of sensor saw" in result.output


def test_simulate_a_scenario_file_with_an_error_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[scenario]\nname = "x"\ntitle = "x"\nstart = 2026-01-01T00:00:00Z\n'
        "duration_s = -5\nseed = 1\n"
    )
    result = runner.invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.toml:5" in result.output
    assert "duration_s" in result.output
