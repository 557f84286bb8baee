"""GOSPA against the team's independent implementation in ../shared/bench/stonesoup.

``stonesoup_baseline.py`` (numpy and scipy only at import) scores every tracker of the shared
benchmark; its ``independent_gospa`` agrees with Stone Soup's GOSPAMetric to 1e-12. Here both
score one synthetic track set against the truth of ``scenario_n100_seed1``: the truth perturbed
by 15 m noise, 10 % of rows dropped, two targets never tracked, some rows pushed beyond the
cut-off, and five false tracks per scan. The shared data is read in place, never copied.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from dronewall.metrics import Trajectories, gospa_run

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "stonesoup"
SCENARIO = SHARED / "scenario_n100_seed1"

pytestmark = pytest.mark.skipif(
    not (SCENARIO / "truth.csv").is_file(),
    reason=f"shared benchmark data not present at {SCENARIO} (it lives outside this repository)",
)


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "stonesoup_baseline", SHARED / "stonesoup_baseline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def truth_and_tracks(baseline: ModuleType) -> tuple[np.ndarray, np.ndarray, int]:
    """truth.csv rows, synthetic track rows in the same 7 columns, and the number of scans."""
    truth = baseline.load_csv(str(SCENARIO / "truth.csv"))  # scan,t,target_id,x,y,vx,vy
    scans = int(truth[:, 0].max()) + 1
    rng = np.random.default_rng(42)
    tracks = truth[~np.isin(truth[:, 2], [3.0, 17.0]) & (rng.random(len(truth)) > 0.1)].copy()
    tracks[:, 2] += 10_000
    tracks[:, 3:5] += rng.normal(0.0, 15.0, (len(tracks), 2))
    far = rng.random(len(tracks)) < 0.03
    tracks[far, 3] += 150.0  # beyond c: a miss and a false track
    side = float(truth[:, 3:5].max())
    false = [
        (k, k, 50_000 + 5 * k + i, *rng.uniform(0, side, 2), 0, 0)
        for k in range(scans)
        for i in range(5)
    ]
    tracks = np.concatenate([tracks, np.array(false, dtype=float)])
    return truth, tracks[np.argsort(tracks[:, 0], kind="stable")], scans


def _trajectories(rows: np.ndarray) -> Trajectories:
    return Trajectories.from_columns(rows[:, 1], rows[:, 2], rows[:, 3:5])


@pytest.mark.parametrize(("c", "p"), [(100.0, 1.0), (40.0, 2.0)])
def test_agrees_with_independent_gospa_frame_by_frame(
    baseline: ModuleType, truth_and_tracks: tuple[np.ndarray, np.ndarray, int], c: float, p: float
) -> None:
    truth, tracks, scans = truth_and_tracks
    reference = baseline.independent_gospa(truth, tracks, scans, c, p)  # (scans, 6)
    run = gospa_run(_trajectories(truth), _trajectories(tracks), c=c, p=p)
    np.testing.assert_array_equal(run.times, np.arange(scans, dtype=float))
    ours = np.column_stack(
        [run.distance, run.localisation, run.missed, run.false, run.n_missed, run.n_false]
    )
    np.testing.assert_allclose(ours, reference, rtol=0.0, atol=1e-9)
    assert run.mean == pytest.approx(float(reference[:, 0].mean()), abs=1e-9)
    assert run.n_missed.sum() > scans * 2 and run.n_false.sum() > scans * 5  # the cases occur
