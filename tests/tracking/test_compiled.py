"""The tracker's compiled loops: the ahead-of-time build is what runs (without importing
Numba), computes what the JIT computes, keeps the JIT's error model, and a failed build falls
back to the JIT."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest

from dronewall.tracking import compiled, filter_loops


@pytest.fixture(scope="module")
def built() -> ModuleType:
    """The built extension (built here if this machine has none for these sources yet)."""
    loops = compiled.loops()
    if not isinstance(loops, ModuleType):
        pytest.fail("the compiled loops could not be built on this machine (see the log)")
    return loops


def test_the_tracker_runs_the_build_without_importing_numba(built: ModuleType) -> None:
    probe = (
        "import json, sys, numpy as np\n"
        "from dronewall.tracking import kernels\n"
        "x, P = np.zeros((2, 6)), np.tile(np.eye(6), (2, 1, 1))\n"
        "kernels.cv_step(x, P, np.ones(2), 1.0)\n"
        "print(json.dumps([float(P[0, 0, 0]), 'numba' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    p00, numba_loaded = json.loads(done.stdout)
    assert p00 == pytest.approx(1.0 + 1.0 + 1.0 / 3.0)  # P_pp + dt² P_vv + q dt³/3
    assert numba_loaded is False


def test_build_and_jit_agree(built: ModuleType) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 100, (50, 6))
    a = rng.normal(0, 1, (50, 6, 6))
    P = a @ np.swapaxes(a, 1, 2) + np.eye(6)
    dt = rng.uniform(-1, 3, 50)
    xa, Pa, xj, Pj = x.copy(), P.copy(), x.copy(), P.copy()
    built.cv_step(xa, Pa, dt, 0.5)
    filter_loops.cv_step(xj, Pj, dt, 0.5)
    assert np.array_equal(xa, xj) and np.array_equal(Pa, Pj)


def test_the_build_keeps_numpys_error_model(built: ModuleType) -> None:
    """A degenerate innovation covariance (P = 0, R = 0) gives NaN, as under the JIT with
    ``error_model="numpy"``, not a ZeroDivisionError from inside the loop."""
    x, P = np.zeros((1, 1, 6)), np.zeros((1, 1, 6, 6))
    H = np.zeros((1, 3, 6))
    H[0, :, :3] = np.eye(3)
    loglik = built.update_rows(x, P, np.zeros(1, np.int64), np.ones((1, 3)), H, np.zeros((1, 3, 3)))
    assert np.isnan(loglik).all()


def test_a_failed_build_falls_back_to_the_jit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_compiler(path: Path) -> None:
        raise RuntimeError("no C compiler")

    monkeypatch.setattr(compiled, "built_path", lambda: tmp_path / "nothing.so")
    monkeypatch.setattr(compiled, "build", no_compiler)
    compiled.loops.cache_clear()
    try:
        loops = compiled.loops()
        assert isinstance(loops, SimpleNamespace)
        assert loops.cv_step is filter_loops.cv_step
        assert set(vars(loops)) == set(compiled.EXPORTS)
    finally:
        compiled.loops.cache_clear()


def test_older_builds_are_removed(tmp_path: Path) -> None:
    current = tmp_path / "dronewall_loops_new.so"
    for name in ("dronewall_loops_old.so", "dronewall_loops_new.so", "other.txt"):
        (tmp_path / name).write_bytes(b"")
    compiled._remove_other_builds(current)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dronewall_loops_new.so", "other.txt"]


def test_the_build_path_names_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    first = compiled.built_path()
    assert first.name.startswith("dronewall_loops_") and first == compiled.built_path()
    monkeypatch.setattr(compiled, "EXPORTS", {**compiled.EXPORTS, "extra": ("grid_loops", "")})
    assert compiled.built_path() != first  # another set of entry points is another build
