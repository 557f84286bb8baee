"""The public API of planning and evaluate: what the package __init__ exports, and the samples."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import dronewall.evaluate
import dronewall.planning
import dronewall.planning.procurement
from dronewall.planning import load_catalogue, load_laydown


def test_exported_members() -> None:
    for module in (dronewall.planning, dronewall.planning.procurement, dronewall.evaluate):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert {"solve_siting", "coverage_study", "resolve", "load_catalogue"} <= set(
        dronewall.planning.__all__
    )
    assert {"optimise", "frontier", "bills", "edip_violations"} <= set(
        dronewall.planning.procurement.__all__
    )
    assert {"prove", "Tracker", "reports_in_window_stand_in"} <= set(dronewall.evaluate.__all__)


def test_sample_laydown_loads_with_the_packaged_catalogue() -> None:
    path = Path(str(resources.files("dronewall.planning") / "data" / "sample-laydown-pol-blr.toml"))
    laydown = load_laydown(path, load_catalogue())
    assert len(laydown) > 100
    assert set(laydown.types) <= {"acoustic-node", "cuas-radar"}
