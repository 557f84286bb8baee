"""The tracker's compiled loops (``filter_loops``, ``grid_loops``, ``assign_loops``,
``gating_loops``), built ahead of time into one extension module that loads without Numba.

Why: Numba's own on-disk cache (``cache=True``) avoids recompiling, but every process still
imports Numba (~0.2 s) and initialises its compiler to load the cached code (~0.2 s more,
~10 ms a function) — about half of a one-second ``dronewall track`` run. The same functions
compiled once by ``numba.pycc`` into a plain CPython extension import in under a millisecond.

How: ``loops()`` returns the module, building it on first use (about a minute of one core,
once per machine and per change of the loops' source) into ``__pycache__`` beside this file —
or ``$DRONEWALL_LOOPS_DIR``, or ``~/.cache/dronewall`` when the package is read-only. The file
name carries a hash of the sources, NumPy's version, the interpreter and the CPU, so a change
of any of them builds anew. When a build is impossible (no C compiler, no ``numba.pycc``),
or ``DRONEWALL_LOOPS=jit``, the loops run as Numba JIT functions as before. Built entry points
keep the JIT versions' semantics: NumPy's error model (1/0 is inf, not an exception) and the
GIL released while they run. To build ahead of a first run:
``python -c "from dronewall.tracking import compiled; compiled.loops()"``.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import logging
import os
import platform
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

SOURCES = ("filter_loops", "grid_loops", "assign_loops", "gating_loops")  # modules of this package
_A1, _A2, _A3, _A4 = "f8[:]", "f8[:,:]", "f8[:,:,:]", "f8[:,:,:,:]"
_C1, _C2, _C3 = "f8[::1]", "f8[:,::1]", "f8[:,:,::1]"
# name → (module, Numba signature). Inputs take any layout (as the JIT accepts them); returned
# arrays are the C arrays the loops allocate.
EXPORTS: dict[str, tuple[str, str]] = {
    "mix_tracks": (
        "filter_loops",
        f"Tuple(({_C3}, f8[:,:,:,::1], {_C2}))({_A3}, {_A4}, {_A2}, {_A1}, f8)",
    ),
    "predict_rows": (
        "filter_loops",
        f"void({_A3}, {_A4}, {_A2}, {_A1}, i8[:], {_A1}, {_A2}, {_A1}, {_A1}, f8)",
    ),
    "cv_step": ("filter_loops", f"void({_A2}, {_A3}, {_A1}, f8)"),
    "combine_rows": ("filter_loops", f"Tuple(({_C2}, {_C3}))({_A3}, {_A4}, {_A2}, i8[:])"),
    "update_rows": ("filter_loops", f"{_C2}({_A3}, {_A4}, i8[:], {_A2}, {_A3}, {_A3})"),
    "near_pairs": (
        "grid_loops",
        f"Tuple((i8[::1], i8[::1], {_C1}))({_A2}, {_A1}, {_A2}, {_A1}, f8)",
    ),
    "track_reach": (
        "gating_loops",
        f"Tuple(({_C2}, {_C1}))({_A2}, {_A3}, {_A1}, f8, f8, f8, f8)",
    ),
    "score_fixes": (
        "gating_loops",
        f"Tuple((b1[::1], {_C1}, {_C1}))(i8[:], i8[:], {_A2}, {_A3}, {_A1}, f8, {_A2}, {_A3}, f8)",
    ),
    "assign_clusters": (
        "assign_loops",
        f"Tuple((b1[::1], i8, i8, b1))(i8[:], i8[:], {_A1}, i8, i8, f8, i8)",
    ),
}


@cache
def loops() -> Any:
    """The compiled loops: the built extension, or the JIT functions (see the module's doc)."""
    if os.environ.get("DRONEWALL_LOOPS", "").lower() == "jit":
        return jit_loops()
    path = built_path()
    if not path.is_file():
        try:
            with _building(path):  # one process builds; the others wait, then load its build
                if not path.is_file():
                    build(path)
                    _remove_other_builds(path)
        except Exception as exc:  # no compiler, no numba.pycc, a read-only disk: still run
            log.warning("compiled loops not built (%s); using Numba's JIT", exc)
            return jit_loops()
    try:
        return _load(path)
    except ImportError as exc:
        log.warning("compiled loops at %s not loadable (%s); using Numba's JIT", path, exc)
        return jit_loops()


def jit_loops() -> SimpleNamespace:
    """The same loops as Numba JIT dispatchers (compiled on first call, cached on disk)."""
    modules = {name: importlib.import_module(f"{__package__}.{name}") for name in SOURCES}
    return SimpleNamespace(**{n: getattr(modules[m], n) for n, (m, _) in EXPORTS.items()})


def built_path() -> Path:
    """Where the extension for these sources, this NumPy, interpreter and CPU lives."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((here / f"{name}.py").read_bytes())
    for text in (repr(EXPORTS), np.__version__, sys.version, platform.machine(), _cpu_name()):
        digest.update(text.encode())
    name = f"dronewall_loops_{digest.hexdigest()[:16]}"
    return _directory() / (name + importlib.machinery.EXTENSION_SUFFIXES[0])


def build(path: Path) -> None:
    """Compile every loop in ``EXPORTS`` into the extension module at ``path`` (atomically:
    built in a temporary directory beside it, then moved into place). Numba's warnings are
    silenced for the build: ``numba.pycc`` announces its pending deprecation on import, which
    under warnings-as-errors (the test suite) would abandon the build for the JIT."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _build(path)


def _build(path: Path) -> None:
    from numba.pycc import CC  # type: ignore[attr-defined]

    log.warning("building the tracker's compiled loops once (about a minute): %s", path.name)
    modules = {name: importlib.import_module(f"{__package__}.{name}") for name in SOURCES}
    module_name = path.name.split(".")[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".build-") as tmp:
        cc: Any = CC(module_name)  # type: ignore[no-untyped-call]
        cc.output_dir = tmp
        cc.target_cpu = "host"  # built on the machine that runs it (the CPU is in the name)
        cc.verbose = False
        for name, (module, signature) in EXPORTS.items():
            cc.export(name, signature)(getattr(modules[module], name).py_func)
        pycc: Any = sys.modules["numba.pycc.compiler"]
        plain = pycc.Flags
        pycc.Flags = _flags_like_the_jit
        try:
            cc.compile()
        finally:
            pycc.Flags = plain
        shutil.move(str(Path(tmp) / path.name), str(path))


@contextmanager
def _building(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<directory>/.build.lock`` for the duration (POSIX ``flock``;
    no lock where there is none), so that test workers starting together build once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".build.lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: concurrent builds only waste time
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_other_builds(path: Path) -> None:
    """Builds for older sources (~1 MB each) are removed; a process that loaded one keeps its
    mapping of the file."""
    for other in path.parent.glob("dronewall_loops_*"):
        if other != path:
            other.unlink(missing_ok=True)


def _flags_like_the_jit() -> Any:
    """pycc's compile flags with the loops' JIT options: NumPy's error model, GIL released."""
    from numba.core.compiler import Flags

    flags: Any = Flags()  # type: ignore[no-untyped-call]
    flags.error_model = "numpy"
    flags.release_gil = True
    return flags


def _load(path: Path) -> ModuleType:
    name = path.name.split(".")[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no loader for {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [n for n in EXPORTS if not hasattr(module, n)]
    if missing:
        raise ImportError(f"{path} lacks {', '.join(missing)}")
    return module


def _directory() -> Path:
    """``$DRONEWALL_LOOPS_DIR``, else ``__pycache__`` here if writable, else the user cache."""
    if os.environ.get("DRONEWALL_LOOPS_DIR"):
        return Path(os.environ["DRONEWALL_LOOPS_DIR"])
    here = Path(__file__).parent / "__pycache__"
    if os.access(here if here.is_dir() else here.parent, os.W_OK):
        return here
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dronewall"


def _cpu_name() -> str:
    """The CPU model (Linux: /proc/cpuinfo), so a shared cache directory never hands one
    machine's host-tuned build to another."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
