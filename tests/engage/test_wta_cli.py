"""``dronewall engage wta``: the answer in text and JSON, and one clear line for a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dronewall.app.cli import app
from tests.engage.test_wta_format import GOOD

runner = CliRunner()


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_json_answer(instance: Path) -> None:
    result = runner.invoke(app, ["engage", "wta", str(instance), "--json", "--iterations", "5"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    # values 5, 7, 0; one unit of type 0 kills target 1 for sure, the other three go on 0
    assert answer["assignment"] == [{"0": 1, "1": 1}, {"0": 2}]
    assert answer["weapon_types"] == 2 and answer["targets"] == 3 and answer["units"] == [2, 2]
    assert answer["objective"] == pytest.approx(5 * 0.5 * 0.75 * 0.75, rel=1e-9)
    assert answer["iterations"] == 5 and answer["seconds"] >= answer["read_seconds"] >= 0
    assert answer["lower_bound"] is None


def test_text_answer_with_bound(instance: Path) -> None:
    result = runner.invoke(
        app, ["engage", "wta", str(instance), "--bound", "--time-limit", "0.2", "--cpu"]
    )
    assert result.exit_code == 0, result.output
    assert "objective 1.406250" in result.stdout
    assert "lower bound" in result.stdout and "assignment" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("2 3 2\n5\n", "tiny.txt:2: file ends"),
        (GOOD.replace("0 1 1\n", "0 1 7\n"), "tiny.txt:6: probability 7.0 outside [0, 1]"),
    ],
)
def test_bad_file_one_line_and_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["engage", "wta", str(path)])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_bad_options(instance: Path, tmp_path: Path) -> None:
    for args, words in [
        ([str(instance), "--time-limit", "0"], "--time-limit must be a positive number"),
        ([str(instance), "--iterations", "-1"], "--iterations must be 0 or more"),
        ([str(tmp_path / "none.txt")], "no such WTA instance file"),
    ]:
        result = runner.invoke(app, ["engage", "wta", *args])
        assert result.exit_code == 2
        assert words in result.stderr
