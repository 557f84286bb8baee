"""The public names of effectors, laydowns, rules of engagement and intercept geometry."""

from __future__ import annotations

import subprocess
import sys

import dronewall.engage as engage

MINE = {
    "Collateral", "Decision", "Effect", "Effector", "EffectorCatalogue", "EffectorGeometry",
    "EffectorKind", "EffectorLaydown", "InterceptSolution", "RulesOfEngagement", "Threats",
    "TrackState", "WeaponsControl", "intercept", "load_effectors", "load_laydown", "load_roe",
    "parse_effectors", "parse_laydown", "parse_roe",
}  # fmt: skip


def test_the_package_exports_effectors_roe_and_intercept() -> None:
    assert set(engage.__all__) >= MINE
    for name in MINE:
        assert getattr(engage, name).__module__.startswith("dronewall.engage.")


def test_importing_reads_no_file() -> None:
    # Configuration is read at the edge: the airport and country caches stay cold on import.
    code = (
        "import dronewall.engage, dronewall.world.airports as a, dronewall.world.countries as c;"
        "print(a.load_airports.cache_info().currsize, c.load_countries.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]
