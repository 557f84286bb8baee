"""``dronewall plan``: each command writes its HTML and JSON; bad input exits 2 naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dronewall.app.plan_cli import plan_app

runner = CliRunner()


def test_siting_then_coverage_on_one_border(tmp_path: Path) -> None:
    out = tmp_path / "siting"
    result = runner.invoke(
        plan_app,
        [
            "siting",
            "--border",
            "POL-BLR",
            "--budget-eur",
            "200000",
            "--candidate-count",
            "300",
            "--demand-km",
            "4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "siting.json").read_text())
    assert summary["gap"] <= 0.01 and summary["cost_eur"] <= 200000
    assert "<svg" in (out / "coverage.html").read_text()
    geojson = json.loads((out / "coverage.geojson").read_text())
    assert {f["properties"]["kind"] for f in geojson["features"]} >= {
        "sensor",
        "covered",
        "watched-band",
    }
    again = tmp_path / "coverage"
    result = runner.invoke(
        plan_app,
        [
            "coverage",
            str(out / "laydown.toml"),
            "--border",
            "POL-BLR",
            "--altitude",
            "150",
            "--grid-km",
            "4",
            "--out",
            str(again),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((again / "coverage.json").read_text())
    assert report["altitudes"][0]["seen_km2"] > 0


def test_procurement_writes_bills(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[plan]\nname = "p"\nstart_year = 2026\nhorizon_year = 2027\n'
        '[[nation]]\ncode = "POL"\nname = "Poland"\n'
        '[[target]]\nnation = "POL"\ncapability = "c"\nquantity = 5\ndue_year = 2027\n'
        '[[system]]\nid = "s"\nname = "s"\nsupplier = "x"\n'
        'supplier_country = "DEU"\norigin = "EU"\n'
        "eu_content = 1\ncapabilities = { c = 1 }\nprice = "
        "[{ min_quantity = 1, unit_price_eur = 10 }]\n"
        "lead_time_months = 0\ncapacity_per_year = 100\n"
    )
    result = runner.invoke(plan_app, ["procurement", str(plan), "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "p" / "procurement.json").read_text())
    assert data["cost_eur"] == 50 and data["bills"][0]["nation"] == "POL"
    assert "Poland" in (tmp_path / "p" / "procurement.html").read_text()


def test_bad_plan_exits_2_and_names_the_field(tmp_path: Path) -> None:
    plan = tmp_path / "bad.toml"
    plan.write_text('[plan]\nname = "p"\nstart_year = 2026\nhorizon_year = 2020\n')
    result = runner.invoke(plan_app, ["procurement", str(plan), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "plan" in result.output


def test_area_and_border_are_exclusive(tmp_path: Path) -> None:
    result = runner.invoke(
        plan_app,
        [
            "siting",
            "--area",
            "baltic",
            "--border",
            "POL-BLR",
            "--budget-eur",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "--area" in result.output
