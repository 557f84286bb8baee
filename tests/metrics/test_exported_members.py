"""The public API of ``dronewall.metrics``: names, immutability, and its layer."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

import dronewall.metrics
from dronewall.core.errors import DataError
from dronewall.metrics import GospaFrame, GospaRun, SiapResult, TrackTruthAssociations, Trajectories


def test_the_public_api_is_stable() -> None:
    assert sorted(dronewall.metrics.__all__) == sorted(
        [
            "GospaFrame", "GospaRun", "SiapResult", "TrackTruthAssociations", "Trajectories",
            "associate_tracks_to_truth", "gospa_frame", "gospa_run", "siap_metrics",
        ]
    )  # fmt: skip
    for name in dronewall.metrics.__all__:
        assert hasattr(dronewall.metrics, name)


@pytest.mark.parametrize(
    "result_type", [GospaFrame, GospaRun, SiapResult, TrackTruthAssociations, Trajectories]
)
def test_results_are_frozen_slotted_dataclasses(result_type: type) -> None:
    params = result_type.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and "__slots__" in vars(result_type)
    assert dataclasses.is_dataclass(result_type)


def test_trajectories_validate_their_columns() -> None:
    with pytest.raises(DataError, match="columns"):
        Trajectories.from_columns([0.0], [1], [[0.0, 0.0, 0.0, 0.0]])
    with pytest.raises(DataError, match="finite"):
        Trajectories.from_columns([np.nan], [1], [[0.0, 0.0]])
    with pytest.raises(DataError, match="velocities"):
        Trajectories.from_columns([0.0], [1], [[0.0, 0.0]], [[0.0, 0.0, 0.0]])
    with pytest.raises(DataError, match="integers"):
        Trajectories(np.zeros(1), np.zeros(1), np.zeros((1, 2)))


def test_imports_only_core_numpy_and_scipy() -> None:
    """Layer 2: the metrics never import Stone Soup, the simulator or the tracker."""
    allowed = {"numpy", "scipy", "dronewall"} | set(sys.stdlib_module_names)
    for module in Path(dronewall.metrics.__file__).parent.glob("*.py"):
        for line in module.read_text(encoding="utf-8").splitlines():
            if not line.startswith(("import ", "from ")):
                continue
            name = line.split()[1]
            assert name.split(".")[0] in allowed, f"{module.name}: {line}"
            if name.startswith("dronewall"):
                assert name.startswith(("dronewall.core", "dronewall.metrics")), line
