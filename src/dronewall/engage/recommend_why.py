"""Why a recommendation did not use a cheaper effector type: the first reason that holds,
in the order the cycle applies them (no P_k against the drone's kind, no unit ready, no
feasible intercept, the rules of engagement, every able unit busy, less value net of cost)."""

from __future__ import annotations

from dronewall.core.geodesy import ecef_to_geodetic, enu_to_geodetic
from dronewall.core.types import ObjectKind
from dronewall.engage.effectors import Effector, EffectorCatalogue
from dronewall.engage.recommend_types import IntArray, Problem
from dronewall.engage.roe import RulesOfEngagement, TrackState


def why_not_cheaper(
    problem: Problem, counts: IntArray, g: int, j: int, roe: RulesOfEngagement,
    catalogue: EffectorCatalogue,
) -> list[str]:  # fmt: skip
    """For each cheaper effector type of the laydown, why it was not chosen (≤ 3, cheapest
    first)."""
    cost = problem.group_effector[g].cost_per_shot_eur
    types = sorted({str(t) for t in problem.units.type_id},
                   key=lambda t: catalogue.get(t).cost_per_shot_eur)  # fmt: skip
    reasons: list[str] = []
    for type_id in types:
        other = catalogue.get(type_id)
        if other.cost_per_shot_eur >= cost or len(reasons) >= 3:
            break
        reasons.append(f"{type_id}: {_reason(problem, counts, j, other, roe)}")
    return reasons


def _reason(problem: Problem, counts: IntArray, j: int, other: Effector,
            roe: RulesOfEngagement) -> str:  # fmt: skip
    threats, k = problem.threats, int(problem.target[j])
    kind = int(threats.drone_kind[k])
    name = ObjectKind(kind).name.lower().replace("_", " ") if kind else "drone of unknown kind"
    if other.pk(kind) <= 0:
        return f"cannot defeat a {name}"
    groups = [g for g, e in enumerate(problem.group_effector) if e.id == other.id]
    if not groups:
        return "no unit is ready with a shot left"
    reach = [g for g in groups if problem.solution.feasible[g, j]]
    if not reach:
        return "cannot reach it inside its envelope before it reaches the site"
    allowed = [g for g in reach if problem.allowed[g, j]]
    if not allowed:
        g = reach[0]
        first = int(problem.group_units[g][0])
        lat, lon, _ = enu_to_geodetic(problem.solution.point[g, j], *problem.ref, 0.0)
        t_lat, t_lon, _ = ecef_to_geodetic(threats.state[k, :3])
        decision = roe.check(
            other, (float(problem.units.lat[first]), float(problem.units.lon[first])),
            TrackState(float(t_lat), float(t_lon), friendly=bool(threats.friendly[k])),
            threats.probabilities[k], (float(lat), float(lon)),
        )  # fmt: skip
        return "the rules of engagement forbid it: " + "; ".join(decision.reasons)
    if all(counts[g].sum() >= problem.capacity[g] for g in allowed):
        return "every unit that can reach it is engaging a more valuable target"
    g = allowed[0]
    return (
        f"P_k {problem.pk[g, j]:.2f} adds less expected value net of cost "
        f"({problem.value[j] * problem.pk[g, j]:,.0f} EUR for {other.cost_per_shot_eur:,.0f} EUR)"
    )
