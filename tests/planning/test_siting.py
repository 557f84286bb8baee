"""Siting: the MIP finds the optimum that brute force finds, respects budget and one mast per
site, and aggregation merges only points that are truly alike."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from dronewall.planning.candidates import Candidates
from dronewall.planning.catalogue import SensorCatalogue, parse_catalogue
from dronewall.planning.coverage import sensor_counts
from dronewall.planning.demand import grid_points
from dronewall.planning.geometry import to_lonlat
from dronewall.planning.laydown import Laydown
from dronewall.planning.siting import SitingProblem, aggregate, solve_siting
from tests.planning.conftest import disc_geometry

CATALOGUE = """
[threat]
name = "t"
rcs_m2 = 0.1
acoustic_range_m = 4000
optical_range_m = 0
rf_range_m = 0
speed_kmh = 180

[[sensor]]
id = "ear"
name = "bearing-only node"
class = "acoustic"
mast_m = 3
max_range_m = 100000
unit_price_eur = 1
supplier = "s"
origin = "UA"
price_source = "test"

[[sensor]]
id = "radar"
name = "radar"
class = "radar"
mast_m = 10
max_range_m = 6000
range_pd50_m = 6000
unit_price_eur = 3
supplier = "s"
origin = "EU"
price_source = "test"
"""
TYPES = ("ear", "radar")


@pytest.fixture(scope="module")
def small() -> tuple[SensorCatalogue, Candidates, object]:
    catalogue = parse_catalogue(CATALOGUE)
    geometry = disc_geometry(52.0, 20.0, 12.0)
    demand = grid_points(geometry.band, 1500.0)
    rng = np.random.default_rng(3)
    cx, cy = demand.x.mean(), demand.y.mean()
    x, y = cx + rng.uniform(-9e3, 9e3, 6), cy + rng.uniform(-9e3, 9e3, 6)
    lon, lat = to_lonlat(x, y)
    candidates = Candidates(tuple(f"c{k}" for k in range(6)), lat, lon, (None,) * 6)
    return catalogue, candidates, demand


def _brute_force(
    catalogue: SensorCatalogue, cand: Candidates, demand: object, budget: float, rule: str
) -> float:
    best = 0.0
    for choice in itertools.product((None, *TYPES), repeat=len(cand)):
        used = [(k, t) for k, t in enumerate(choice) if t is not None]
        if sum(catalogue.get(t).unit_price_eur for _, t in used) > budget:
            continue
        lay = Laydown(
            "b",
            tuple(str(k) for k, _ in used),
            tuple(t for _, t in used),
            cand.lat[[k for k, _ in used]],
            cand.lon[[k for k, _ in used]],
        )
        counts = sensor_counts(lay, catalogue, 150.0, demand)  # type: ignore[arg-type]
        mask = counts.seen() if rule == "seen" else counts.fixed()
        best = max(best, float(demand.weight[mask].sum()))  # type: ignore[attr-defined]
    return best


@pytest.mark.parametrize(("rule", "budget"), [("seen", 4.0), ("fixed", 4.0), ("fixed", 2.0)])
def test_mip_matches_brute_force(
    small: tuple[SensorCatalogue, Candidates, object], rule: str, budget: float
) -> None:
    catalogue, cand, demand = small
    problem = SitingProblem(cand, demand, TYPES, (150.0,), rule=rule, budget_eur=budget)  # type: ignore[arg-type]
    result = solve_siting(problem, catalogue, gap=1e-6)
    assert result.solution.gap <= 1e-6
    assert result.covered_weight == pytest.approx(
        _brute_force(catalogue, cand, demand, budget, rule), rel=1e-6
    )
    assert result.cost_eur <= budget
    sites = [sensor_id.split("-")[0] for sensor_id in result.laydown.ids]
    assert len(sites) == len(set(sites))  # one mast per site


def test_reported_coverage_is_what_the_coverage_module_measures(
    small: tuple[SensorCatalogue, Candidates, object],
) -> None:
    catalogue, cand, demand = small
    result = solve_siting(
        SitingProblem(cand, demand, TYPES, (150.0,), rule="fixed", budget_eur=5.0), catalogue
    )  # type: ignore[arg-type]
    counts = sensor_counts(result.laydown, catalogue, 150.0, demand)  # type: ignore[arg-type]
    assert result.covered_weight == pytest.approx(float(demand.weight[counts.fixed()].sum()))  # type: ignore[attr-defined]


def test_least_cost_mode_covers_the_share_asked(
    small: tuple[SensorCatalogue, Candidates, object],
) -> None:
    catalogue, cand, demand = small
    result = solve_siting(
        SitingProblem(cand, demand, TYPES, (150.0,), min_cover_share=0.5), catalogue
    )  # type: ignore[arg-type]
    assert result.covered_weight >= 0.5 * result.total_weight - 1e-9
    cheaper = [_brute_force(catalogue, cand, demand, result.cost_eur - 1, "seen")]
    assert cheaper[0] < 0.5 * result.total_weight  # one euro less cannot reach the share


def test_aggregation_merges_identical_rows_and_keeps_weight() -> None:
    matrix = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 0]], bool))
    demand = aggregate(matrix, np.array([1.0, 2.0, 4.0, 8.0]), np.array([True, True, True, False]))
    assert sorted(demand.weight.tolist()) == [3.0, 4.0]
    assert demand.uncoverable_weight == 8.0
    assert demand.matrix.shape == (2, 3)
