"""A thin seam over the HiGHS mixed-integer solver (https://highs.dev, MIT licence, through
``highspy``): pass a model in matrix form, solve to a relative gap or a time limit, and get
the solution with the proven bound.

HiGHS solves MIPs by branch and cut; ``mip_gap`` is |primal − dual| / |primal|, the proven
distance of the returned solution from the optimum. ``progress`` is called from HiGHS's
MIP-interrupt callback with the current primal bound, dual bound, gap and elapsed seconds —
the command line draws its progress bar from it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[float, float, float, float], None]  # primal, dual, gap, seconds
INF = float(highspy.kHighsInf)


@dataclass(frozen=True, slots=True)
class Model:
    """max or min  cost·x  subject to  row_lower ≤ A x ≤ row_upper,  lower ≤ x ≤ upper."""

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: npt.NDArray[np.bool_]
    matrix: sp.csr_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    maximise: bool


@dataclass(frozen=True, slots=True)
class Solution:
    """What the solver returned."""

    status: str  # "optimal" (within the gap asked for), "time limit", "infeasible", …
    x: FloatArray
    objective: float
    bound: float  # the proven dual bound
    gap: float  # relative; 0 for a proven optimum
    seconds: float
    nodes: int

    @property
    def has_solution(self) -> bool:
        return self.x.size > 0


def solve(
    model: Model,
    *,
    gap: float = 1e-4,
    time_limit_s: float = 600.0,
    progress: Progress | None = None,
    threads: int = 1,
    start: FloatArray | None = None,
) -> Solution:
    """Solve ``model`` to relative ``gap`` (or until ``time_limit_s``), optionally from a
    feasible ``start`` (HiGHS keeps it as the first incumbent)."""
    with _quiet_stdout():
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.setOptionValue("threads", int(threads))
    highs.setOptionValue("random_seed", 0)
    highs.passModel(_lp(model))
    if start is not None:
        given = highspy.HighsSolution()
        given.col_value = np.asarray(start, float)
        given.value_valid = True
        highs.setSolution(given)
    if progress is not None:
        highs.cbMipInterrupt.subscribe(lambda event: _report(event, progress))
    highs.run()
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(highs.getSolution().col_value, float) if has_x else np.zeros(0)
    integral = bool(np.any(model.integer))
    return Solution(
        status=status,
        x=x,
        objective=float(info.objective_function_value) if has_x else float("nan"),
        bound=float(info.mip_dual_bound) if integral else float(info.objective_function_value),
        gap=float(info.mip_gap) if integral else 0.0,
        seconds=float(highs.getRunTime()),
        nodes=int(info.mip_node_count) if integral else 0,
    )


def _lp(model: Model) -> Any:
    csc = model.matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = int(model.cost.size)
    lp.num_row_ = int(model.row_lower.size)
    lp.col_cost_ = np.asarray(model.cost, float)
    lp.col_lower_ = np.asarray(model.lower, float)
    lp.col_upper_ = np.asarray(model.upper, float)
    lp.row_lower_ = np.asarray(model.row_lower, float)
    lp.row_upper_ = np.asarray(model.row_upper, float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    kinds = [highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger]
    lp.integrality_ = [kinds[int(flag)] for flag in model.integer]
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximise else highspy.ObjSense.kMinimize
    return lp


def _report(event: Any, progress: Progress) -> None:
    data = event.data_out
    progress(
        float(data.mip_primal_bound),
        float(data.mip_dual_bound),
        float(data.mip_gap),
        float(data.running_time),
    )


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the banner HiGHS prints from C++ when a solver object is made."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured stdout (tests, notebooks)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class Builder:
    """Builds a ``Model`` one variable and one row at a time (for small models such as the
    procurement plan; large models are built as sparse blocks instead)."""

    def __init__(self) -> None:
        self._cost: list[float] = []
        self._lower: list[float] = []
        self._upper: list[float] = []
        self._integer: list[bool] = []
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._vals: list[float] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []

    def var(
        self, lower: float = 0.0, upper: float = INF, *, integer: bool = False, cost: float = 0.0
    ) -> int:
        """A new variable; returns its index."""
        self._cost.append(cost)
        self._lower.append(lower)
        self._upper.append(upper)
        self._integer.append(integer)
        return len(self._cost) - 1

    def row(self, terms: dict[int, float], lower: float = -INF, upper: float = INF) -> None:
        """``lower ≤ Σ coefficient·variable ≤ upper`` over ``terms`` {variable: coefficient}."""
        index = len(self._row_lower)
        for col, val in terms.items():
            self._rows.append(index)
            self._cols.append(col)
            self._vals.append(val)
        self._row_lower.append(lower)
        self._row_upper.append(upper)

    def set_upper(self, var: int, upper: float) -> None:
        self._upper[var] = upper

    def model(self, *, maximise: bool = False) -> Model:
        n, m = len(self._cost), len(self._row_lower)
        matrix = sp.csr_matrix((self._vals, (self._rows, self._cols)), shape=(m, n))
        return Model(
            cost=np.array(self._cost, float),
            lower=np.array(self._lower, float),
            upper=np.array(self._upper, float),
            integer=np.array(self._integer, bool),
            matrix=matrix,
            row_lower=np.array(self._row_lower, float),
            row_upper=np.array(self._row_upper, float),
            maximise=maximise,
        )
