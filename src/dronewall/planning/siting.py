"""Sensor siting as a maximal-covering location problem, solved exactly with HiGHS.

Church & ReVelle's maximal covering location problem (1974), extended to several sensor types
with prices, a budget and a triangulation requirement:

    maximise   Σ_g W_g y_g                                  (covered demand, km²)
    subject to Σ_j c_j x_j ≤ budget                          (x_j: type t at site i, binary)
               Σ_{j at site i} x_j ≤ 1                        (one mast per site)
    rule "seen":   y_g ≤ Σ_{j sees g} x_j
    rule "fixed":  y_g ≤ Σ_{ranging j sees g} x_j + w_g,   k·w_g ≤ Σ_{bearing j sees g} x_j
               0 ≤ y_g ≤ 1,  w_g ∈ {0, 1}

With ``min_cover_share`` set the model turns around: minimise Σ c_j x_j subject to covering at
least that share of the demand (a set-covering variant).

**Demand aggregation.** Demand points (grid cells × design altitudes) that are seen by exactly
the same set of columns are interchangeable in the model, so they are merged into one weighted
group before the MIP is built (``aggregate``): the optimum is unchanged and the model shrinks
— on the eastern border benchmark, from 100,000+ points to the number of distinct coverage
signatures. Points no column can cover are dropped and reported.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from dronewall.planning import mip
from dronewall.planning.candidates import Candidates
from dronewall.planning.catalogue import SensorCatalogue
from dronewall.planning.demand import Points
from dronewall.planning.geometry import unit_vectors
from dronewall.planning.laydown import Laydown
from dronewall.planning.reach import incidence

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Rule = Literal["seen", "fixed"]
_MEUR = 1e-6  # prices enter the budget row in millions of euros, to keep the matrix well scaled


@dataclass(frozen=True, slots=True)
class SitingProblem:
    """What to solve. ``budget_eur`` for maximal covering; ``min_cover_share`` for least cost."""

    candidates: Candidates
    demand: Points
    types: tuple[str, ...]
    altitudes_m: tuple[float, ...] = (150.0,)
    rule: Rule = "seen"
    min_bearing: int = 2
    budget_eur: float | None = None
    min_cover_share: float | None = None
    name: str = "siting"


@dataclass(frozen=True, slots=True)
class Columns:
    """Every (site, type) a sensor may be: position, type and price."""

    site: IntArray
    type_id: tuple[str, ...]
    cost_eur: FloatArray
    ranging: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.site.size)


@dataclass(frozen=True, slots=True)
class Demand:
    """Demand points merged by coverage signature."""

    weight: FloatArray  # per group
    matrix: sp.csr_matrix  # groups × columns, true where the column sees the group
    points: int  # demand points (grid points × altitudes)
    total_weight: float  # of every point
    uncoverable_weight: float  # of points no column sees


@dataclass(frozen=True, slots=True)
class SitingResult:
    """The chosen laydown and how good it is proven to be."""

    laydown: Laydown
    solution: mip.Solution
    covered_weight: float  # km²·altitudes covered under the rule
    total_weight: float
    coverable_weight: float
    cost_eur: float
    columns: int
    groups: int
    points: int
    rows: int


def build_columns(problem: SitingProblem, catalogue: SensorCatalogue) -> Columns:
    """Every allowed (site, type) whose type sees the threat at some design altitude."""
    useful = [
        t
        for t in problem.types
        if max(catalogue.get(t).ground_reach_m(catalogue.threat, h)[1] for h in problem.altitudes_m)
        > 0
    ]
    sites, types = [], []
    for i, allowed in enumerate(problem.candidates.allowed):
        for t in useful:
            if allowed is None or t in allowed:
                sites.append(i)
                types.append(t)
    return Columns(
        site=np.array(sites, np.int64),
        type_id=tuple(types),
        cost_eur=np.array([catalogue.get(t).unit_price_eur for t in types], float),
        ranging=np.array([catalogue.get(t).ranging for t in types], bool),
    )


def coverage_matrix(
    problem: SitingProblem, catalogue: SensorCatalogue, columns: Columns
) -> sp.csr_matrix:
    """Demand points (each altitude in turn) × columns, true where the column sees the point."""
    cand = problem.candidates
    xyz = unit_vectors(cand.lat[columns.site], cand.lon[columns.site])
    points_xyz = unit_vectors(problem.demand.lat, problem.demand.lon)
    blocks = []
    for altitude in problem.altitudes_m:
        reach = {
            t: catalogue.get(t).ground_reach_m(catalogue.threat, altitude) for t in problem.types
        }
        inner = np.array([reach[t][0] for t in columns.type_id], float)
        outer = np.array([reach[t][1] for t in columns.type_id], float)
        blocks.append(incidence(xyz, inner, outer, points_xyz).T.tocsr())
    return sp.vstack(blocks, format="csr")


def aggregate(
    matrix: sp.csr_matrix, weight: FloatArray, coverable: npt.NDArray[np.bool_]
) -> Demand:
    """Merge points with identical rows of ``matrix`` into weighted groups (exact, by bytes)."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    index, indptr = matrix.indices, matrix.indptr
    group_of: dict[bytes, int] = {}
    group = np.full(matrix.shape[0], -1, np.int64)
    for row in np.flatnonzero(coverable):
        key = index[indptr[row] : indptr[row + 1]].tobytes()
        group[row] = group_of.setdefault(key, len(group_of))
    kept = group >= 0
    weights = np.bincount(group[kept], weights=weight[kept], minlength=len(group_of))
    first = np.full(len(group_of), -1, np.int64)
    rows = np.flatnonzero(kept)
    first[group[rows][::-1]] = rows[::-1]  # first point of each group
    return Demand(
        weight=np.asarray(weights, float),
        matrix=matrix[first] if first.size else matrix[:0],
        points=int(matrix.shape[0]),
        total_weight=float(weight.sum()),
        uncoverable_weight=float(weight[~kept].sum()),
    )


def coverable_points(
    matrix: sp.csr_matrix, columns: Columns, rule: Rule, min_bearing: int
) -> npt.NDArray[np.bool_]:
    """Points that some choice of columns can cover under the rule."""
    seen_by = np.asarray(matrix.sum(axis=1)).ravel()
    if rule == "seen":
        return np.asarray(seen_by > 0)
    ranging = np.asarray(matrix[:, np.flatnonzero(columns.ranging)].sum(axis=1)).ravel()
    bearing = seen_by - ranging
    return np.asarray((ranging > 0) | (bearing >= min_bearing))


def build_model(problem: SitingProblem, columns: Columns, demand: Demand) -> mip.Model:
    """The MIP of the module docstring in HiGHS matrix form."""
    n_x, n_g = len(columns), demand.weight.size
    by_bearing, n_w = _bearing_groups(problem, columns, demand)
    n = n_x + n_g + n_w
    rows: list[sp.csr_matrix] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []

    def add(block: sp.spmatrix, low: FloatArray, high: FloatArray) -> None:
        rows.append(sp.csr_matrix(block))
        lower.append(low)
        upper.append(high)

    y = sp.hstack(
        [sp.csr_matrix((n_g, n_x)), sp.identity(n_g, format="csr"), sp.csr_matrix((n_g, n_w))]
    )
    if problem.rule == "seen":
        see = sp.hstack([demand.matrix.astype(float), sp.csr_matrix((n_g, n_g + n_w))])
        add(y - see, np.full(n_g, -mip.INF), np.zeros(n_g))
    else:
        ranging = demand.matrix.astype(float).multiply(columns.ranging[None, :].astype(float))
        bearing = demand.matrix.astype(float) - ranging
        w_of_g = sp.csr_matrix((np.ones(n_w), (by_bearing, np.arange(n_w))), shape=(n_g, n_w))
        see = sp.hstack([ranging, sp.csr_matrix((n_g, n_g)), w_of_g])
        add(y - see, np.full(n_g, -mip.INF), np.zeros(n_g))
        k_w = sp.hstack(
            [
                -bearing.tocsr()[by_bearing],
                sp.csr_matrix((n_w, n_g)),
                problem.min_bearing * sp.identity(n_w),
            ]
        )
        add(k_w, np.full(n_w, -mip.INF), np.zeros(n_w))
    add(_one_per_site(columns, n), np.full(_n_sites(columns), -mip.INF), np.ones(_n_sites(columns)))
    cost = np.concatenate([columns.cost_eur * _MEUR, np.zeros(n_g + n_w)])
    weight = np.concatenate([np.zeros(n_x), demand.weight, np.zeros(n_w)])
    if problem.budget_eur is not None:
        add(
            sp.csr_matrix(cost[None, :]),
            np.array([-mip.INF]),
            np.array([problem.budget_eur * _MEUR]),
        )
    if problem.min_cover_share is not None:
        need = problem.min_cover_share * (demand.weight.sum() + demand.uncoverable_weight)
        add(sp.csr_matrix(weight[None, :]), np.array([need]), np.array([mip.INF]))
    minimise_cost = problem.min_cover_share is not None
    return mip.Model(
        cost=cost if minimise_cost else weight,
        lower=np.zeros(n),
        upper=np.ones(n),
        integer=np.concatenate([np.ones(n_x, bool), np.zeros(n_g, bool), np.ones(n_w, bool)]),
        matrix=sp.vstack(rows, format="csr"),
        row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper),
        maximise=not minimise_cost,
    )


def solve_siting(
    problem: SitingProblem,
    catalogue: SensorCatalogue,
    *,
    gap: float = 0.01,
    time_limit_s: float = 600.0,
    progress: mip.Progress | None = None,
) -> SitingResult:
    """Build the columns, aggregate the demand, solve, and return the chosen laydown."""
    if problem.budget_eur is None and problem.min_cover_share is None:
        raise ValueError("give a budget (maximal covering) or a minimum cover share (least cost)")
    columns = build_columns(problem, catalogue)
    matrix = coverage_matrix(problem, catalogue, columns)
    weight = np.tile(problem.demand.weight, len(problem.altitudes_m)) / len(problem.altitudes_m)
    coverable = coverable_points(matrix, columns, problem.rule, problem.min_bearing)
    demand = aggregate(matrix, weight, coverable)
    model = build_model(problem, columns, demand)
    start = greedy_start(problem, columns, demand, model)
    solution = mip.solve(model, gap=gap, time_limit_s=time_limit_s, progress=progress, start=start)
    chosen = (
        np.flatnonzero(solution.x[: len(columns)] > 0.5)
        if solution.has_solution
        else np.zeros(0, np.int64)
    )
    covered = (
        float(solution.x[len(columns) : len(columns) + demand.weight.size] @ demand.weight)
        if solution.has_solution
        else 0.0
    )
    return SitingResult(
        laydown=_laydown(problem, columns, chosen),
        solution=solution,
        covered_weight=covered,
        total_weight=demand.total_weight,
        coverable_weight=float(demand.weight.sum()),
        cost_eur=float(columns.cost_eur[chosen].sum()),
        columns=len(columns),
        groups=int(demand.weight.size),
        points=demand.points,
        rows=int(model.row_lower.size),
    )


def greedy_start(
    problem: SitingProblem, columns: Columns, demand: Demand, model: mip.Model
) -> FloatArray | None:
    """A feasible first incumbent for the "seen" rule under a budget: repeatedly take the
    column with the most newly covered demand per euro (lazy greedy, Minoux 1978), one per
    site, while the budget lasts. The MIP only has to improve on it and prove the bound."""
    if problem.rule != "seen" or problem.budget_eur is None:
        return None
    by_column = demand.matrix.T.tocsr()
    covered = np.zeros(demand.weight.size, bool)
    used_site: set[int] = set()
    left = problem.budget_eur
    gain = np.asarray(by_column @ demand.weight, float) / columns.cost_eur
    heap = [(-g, j) for j, g in enumerate(gain) if g > 0]
    heapq.heapify(heap)
    chosen = []
    while heap:
        _, j = heapq.heappop(heap)
        if columns.cost_eur[j] > left or int(columns.site[j]) in used_site:
            continue
        groups = by_column.indices[by_column.indptr[j] : by_column.indptr[j + 1]]
        fresh = float(demand.weight[groups[~covered[groups]]].sum()) / columns.cost_eur[j]
        if heap and fresh < -heap[0][0] - 1e-12:
            if fresh > 0:
                heapq.heappush(heap, (-fresh, j))
            continue
        if fresh <= 0:
            continue
        chosen.append(j)
        covered[groups] = True
        used_site.add(int(columns.site[j]))
        left -= columns.cost_eur[j]
    x = np.zeros(model.cost.size)
    x[chosen] = 1.0
    x[len(columns) : len(columns) + demand.weight.size] = covered
    return x


def _bearing_groups(
    problem: SitingProblem, columns: Columns, demand: Demand
) -> tuple[IntArray, int]:
    """Groups that enough bearing sensors could fix (each gets a binary w_g), and their count."""
    if problem.rule == "seen":
        return np.zeros(0, np.int64), 0
    bearing_cols = np.flatnonzero(~columns.ranging)
    counts = np.asarray(demand.matrix[:, bearing_cols].sum(axis=1)).ravel()
    groups = np.flatnonzero(counts >= problem.min_bearing)
    return groups, int(groups.size)


def _n_sites(columns: Columns) -> int:
    return int(np.unique(columns.site).size)


def _one_per_site(columns: Columns, n: int) -> sp.csr_matrix:
    _, row = np.unique(columns.site, return_inverse=True)
    return sp.csr_matrix(
        (np.ones(len(columns)), (row, np.arange(len(columns)))), shape=(_n_sites(columns), n)
    )


def _laydown(problem: SitingProblem, columns: Columns, chosen: IntArray) -> Laydown:
    cand = problem.candidates
    sites = columns.site[chosen]
    return Laydown(
        name=problem.name,
        ids=tuple(
            f"{cand.ids[s]}-{columns.type_id[j]}" for s, j in zip(sites, chosen, strict=True)
        ),
        types=tuple(columns.type_id[j] for j in chosen),
        lat=cand.lat[sites],
        lon=cand.lon[sites],
    )
