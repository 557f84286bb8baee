"""One decision cycle: which effector unit should engage which threat now.

From the threats (``ThreatPicture``), the effector units' state (``EffectorUnits``), the
catalogue and the rules of engagement, at data time ``t``:

1. **Pairs.** Units that can act (a shot left, not out of action) are grouped by laydown row
   and delay (units of a row with the same state share their geometry); the intercept
   geometry (``intercept.py``) says whether each group reaches each track inside its envelope
   before the track reaches its site, when, where and with what P_k; the rules
   (``RulesOfEngagement.allowed``, at the intercept point) say whether it may. Only feasible,
   allowed pairs get a kill probability; tracks already under an active task, friendly or
   threatening no site are left out.
2. **Objective**, in EUR: maximise Σ_j value_j·P(j killed) − cost_weight·Σ cost of shots,
   value_j = site value of its kind × P(drone), each available unit firing at most one shot
   a cycle. This is a static WTA with a cost per shot, which ``wta.solve`` takes unchanged
   after one reduction: each group g with mu_g units gets mu_g private "hold" targets of value
   cost_weight·c_g that only g kills, with P_k 1. A unit on a hold target saves its cost; so
   minimising the WTA objective (surviving value, holds included) is exactly maximising
   protected value minus cost. A small instance (at most ``exact_limit`` assignments: a few
   threats and units, most cycles) is solved exactly by enumeration instead. Shots whose
   marginal value is below their cost are then pruned (the solver is a heuristic; pruning
   never lowers the objective).
3. **Shoot-look-shoot.** A target given two or more shots that leaves room for a second
   engagement — another of its shooters can still intercept after the first shot's time to
   intercept plus ``assessment_s``, launched only then — gets one shot now (the best by value
   minus cost); one of the other shooters is kept in reserve (``reserve_unit_id``) and the
   rest go back to other targets (greedy by net marginal gain).
4. **Recommendations**, one per shot, with a reason in plain words (site, time to site, P_k,
   cost, and why no cheaper effector type when it is not the cheapest).

``docs/engage.md`` ("Recommendations and tasks") describes it with the task lifecycle.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np

from dronewall.core.geodesy import ecef_to_geodetic, enu_to_geodetic, geodetic_to_enu
from dronewall.engage.effectors import EffectorCatalogue
from dronewall.engage.intercept import (
    EffectorGeometry,
    Threats,
    intercept,
)
from dronewall.engage.recommend_types import (
    EffectorUnits,
    FloatArray,
    IntArray,
    Problem,
    Recommendation,
    RecommendConfig,
    ThreatPicture,
)
from dronewall.engage.recommend_why import why_not_cheaper
from dronewall.engage.roe import RulesOfEngagement
from dronewall.engage.wta import WtaInstance, solve


@dataclass(frozen=True, slots=True)
class Plan:
    """A cycle's answer: shots ``counts`` (G, J), reserves (G, J) and the rows."""

    problem: Problem
    counts: IntArray
    reserve: IntArray
    net_value_eur: float
    seconds: float
    wta_seconds: float  # of which the WTA search
    recommendations: list[Recommendation]


def net_value(problem: Problem, counts: IntArray) -> float:
    """Σ_j value_j·(1 − Π_g (1 − p_gj)^x_gj) − cost_weight·Σ cost_g·x_gj (EUR)."""
    survive = np.prod((1.0 - problem.pk) ** counts, axis=0)
    spent = float(problem.cost @ counts.sum(axis=1))
    return float(problem.value @ (1.0 - survive)) - problem.config.cost_weight * spent


def recommend(t: float, threats: ThreatPicture, units: EffectorUnits,
              catalogue: EffectorCatalogue, roe: RulesOfEngagement,
              config: RecommendConfig | None = None,
              engaged_tracks: Collection[int] = ()) -> list[Recommendation]:  # fmt: skip
    """The engagements to recommend at data time ``t`` (module docstring)."""
    return plan(t, threats, units, catalogue, roe, config, engaged_tracks).recommendations


def plan(t: float, threats: ThreatPicture, units: EffectorUnits, catalogue: EffectorCatalogue,
         roe: RulesOfEngagement, config: RecommendConfig | None = None,
         engaged_tracks: Collection[int] = ()) -> Plan:  # fmt: skip
    """``recommend`` with the problem, the counts and the objective, for tests and logs."""
    start = time.perf_counter()
    problem = build_problem(t, threats, units, catalogue, roe, config or RecommendConfig(),
                            engaged_tracks)  # fmt: skip
    found, wta_seconds = _solve(problem)
    counts = _prune(problem, found)
    reserve = np.zeros_like(counts)
    if problem.config.shoot_look_shoot:
        counts, reserve = _shoot_look_shoot(problem, counts)
    rows = _recommendations(problem, counts, reserve, roe, catalogue)
    seconds = time.perf_counter() - start
    value = net_value(problem, counts)
    return Plan(problem, counts, reserve, value, seconds, wta_seconds, rows)


def build_problem(t: float, threats: ThreatPicture, units: EffectorUnits,
                  catalogue: EffectorCatalogue, roe: RulesOfEngagement, config: RecommendConfig,
                  engaged_tracks: Collection[int] = ()) -> Problem:  # fmt: skip
    """Groups, candidate tracks, their values, and the feasible, allowed kill probabilities."""
    group_units, delays = _groups(t, units)
    effectors = [catalogue.get(str(units.type_id[g[0]])) for g in group_units]
    value = _values(threats, config)
    engaged = np.isin(threats.track_id, np.fromiter(engaged_tracks, np.int64))
    target = np.flatnonzero((value > 0) & ~threats.friendly & ~engaged)
    lat, lon, _ = ecef_to_geodetic(threats.state[:, :3])
    ref = _reference(lat[target], lon[target], units)
    first = np.array([g[0] for g in group_units], dtype=np.int64)
    site_enu = geodetic_to_enu(units.lat[first], units.lon[first], 0.0, *ref, 0.0)
    geometry = EffectorGeometry.of(effectors, np.asarray(site_enu).reshape(len(first), 3))
    geometry = replace(geometry, reaction_s=geometry.reaction_s + delays)
    moving = Threats.from_ecef(threats.state[target], threats.time_to_site_s[target],
                               threats.drone_kind[target], *ref)  # fmt: skip
    solution = intercept(geometry, moving)
    p_lat, p_lon, _ = enu_to_geodetic(solution.point, *ref, 0.0)
    t_lat, t_lon = lat[target], lon[target]
    p_lat = np.where(solution.feasible, p_lat, t_lat[None, :])
    p_lon = np.where(solution.feasible, p_lon, t_lon[None, :])
    allowed = roe.allowed(
        effectors, units.lat[first], units.lon[first], t_lat, t_lon,
        threats.probabilities[target, 1], threats.friendly[target], p_lat, p_lon,
    )  # fmt: skip
    pk = np.where(solution.feasible & allowed, solution.pk, 0.0)
    cost = np.array([e.cost_per_shot_eur for e in effectors], dtype=float)
    return Problem(t, threats, units, group_units, effectors, delays, target, value[target],
                   cost, pk, allowed, solution, geometry, moving, ref, config)  # fmt: skip


def _values(threats: ThreatPicture, config: RecommendConfig) -> FloatArray:
    known = {kind.value: v for kind, v in config.site_value_eur.items()}
    site = np.array([known.get(str(kind), 0.0) for kind in threats.site_kind], dtype=float)
    site = np.where(np.isfinite(threats.time_to_site_s) & (threats.site_id != ""), site, 0.0)
    return np.asarray(site * np.clip(threats.probabilities[:, 1], 0.0, 1.0), float)


def _groups(t: float, units: EffectorUnits) -> tuple[list[IntArray], FloatArray]:
    """Available units by (laydown row, delay before they can be cued)."""
    ok = np.flatnonzero(units.available(t))
    delay = np.maximum(units.ready_at[ok] - t, 0.0)
    keys = sorted({(int(units.row[i]), float(d)) for i, d in zip(ok, delay, strict=True)})
    index = {key: k for k, key in enumerate(keys)}
    members: list[list[int]] = [[] for _ in keys]
    for i, d in zip(ok, delay, strict=True):
        members[index[(int(units.row[i]), float(d))]].append(int(i))
    return [np.array(m, np.int64) for m in members], np.array([d for _, d in keys], float)


def _reference(lat: FloatArray, lon: FloatArray, units: EffectorUnits) -> tuple[float, float]:
    """The ENU frame's origin: the tracks' mean position (the units' when there are none)."""
    if lat.size:
        return float(lat.mean()), float(lon.mean())
    if len(units):
        return float(units.lat.mean()), float(units.lon.mean())
    return 0.0, 0.0


def _solve(problem: Problem) -> tuple[IntArray, float]:
    """The WTA with a hold target per unit (module docstring, step 2), and its seconds."""
    shape = problem.pk.shape
    used = np.flatnonzero((problem.pk > 0).any(axis=1))
    hit = np.flatnonzero((problem.pk > 0).any(axis=0))
    counts = np.zeros(shape, np.int64)
    if used.size == 0 or hit.size == 0:
        return counts, 0.0
    capacity = problem.capacity[used]
    sizes = [math.comb(hit.size + int(c), int(c)) for c in capacity]
    if math.prod(sizes) <= problem.config.exact_limit:
        tick = time.perf_counter()
        counts[np.ix_(used, hit)] = _exact(problem, used, hit)
        return counts, time.perf_counter() - tick
    weighted = problem.config.cost_weight * problem.cost[used]
    owner = np.repeat(np.arange(used.size), np.where(weighted > 0, capacity, 0))
    hold = np.zeros((used.size, owner.size))
    hold[owner, np.arange(owner.size)] = 1.0
    instance = WtaInstance(
        values=np.concatenate([problem.value[hit], weighted[owner]]),
        kill_probability=np.hstack([problem.pk[np.ix_(used, hit)], hold]),
        units=capacity,
    )
    cfg = problem.config
    found = solve(instance, cfg.time_limit_s, cfg.seed, cfg.iterations)
    counts[np.ix_(used, hit)] = found.counts[:, : hit.size]
    return counts, found.seconds


def _exact(problem: Problem, used: IntArray, hit: IntArray) -> IntArray:
    """The best assignment of ``used`` groups to ``hit`` targets, by enumeration: every
    group's ways of firing at most its capacity, combined, priced at once."""
    pk = problem.pk[np.ix_(used, hit)]
    log_survive = np.log(np.maximum(1.0 - pk, 1e-300))
    weighted = problem.config.cost_weight * problem.cost[used]
    options: list[IntArray] = []
    log_sum, spent = np.zeros((1, hit.size)), np.zeros(1)
    for g, capacity in enumerate(problem.capacity[used]):
        ways = np.array([c for c in itertools.product(range(int(capacity) + 1), repeat=hit.size)
                         if sum(c) <= capacity], dtype=np.int64).reshape(-1, hit.size)  # fmt: skip
        options.append(ways)
        log_sum = (log_sum[:, None, :] + ways[None, :, :] * log_survive[g]).reshape(-1, hit.size)
        spent = (spent[:, None] + weighted[g] * ways.sum(axis=1)[None, :]).reshape(-1)
    net = (1.0 - np.exp(log_sum)) @ problem.value[hit] - spent
    best = int(np.argmax(net))
    shape = [len(ways) for ways in options]
    choice = np.unravel_index(best, shape)
    return np.array([options[g][int(k)] for g, k in enumerate(choice)], dtype=np.int64)


def _shot_gain(problem: Problem, counts: IntArray, g: int, j: int) -> float:
    """Expected value the last of g's shots at j adds, net of its weighted cost."""
    others = counts[:, j].copy()
    others[g] -= 1
    survive = float(np.prod((1.0 - problem.pk[:, j]) ** others))
    gain = problem.value[j] * survive * problem.pk[g, j]
    return float(gain - problem.config.cost_weight * problem.cost[g])


def _prune(problem: Problem, counts: IntArray) -> IntArray:
    """Drop shots that add less than they cost, the worst first, until none does."""
    counts = counts.copy()
    while True:
        shots = np.argwhere(counts > 0)
        gains = [_shot_gain(problem, counts, int(g), int(j)) for g, j in shots]
        if not gains or min(gains) >= 0:
            return counts
        g, j = shots[int(np.argmin(gains))]
        counts[g, j] -= 1


def _second_look(problem: Problem, g: int, j: int, after_s: float) -> bool:
    """Can group g still intercept track j when cued ``after_s`` seconds from now?"""
    one = problem.geometry
    rows = slice(g, g + 1)
    geometry = EffectorGeometry(
        one.position[rows], one.speed_mps[rows], one.reaction_s[rows] + after_s,
        one.min_range_m[rows], one.max_range_m[rows], one.min_altitude_m[rows],
        one.max_altitude_m[rows], one.pk[rows],
    )  # fmt: skip
    moving = problem.threat_geometry
    cols = slice(j, j + 1)
    threat = Threats(moving.position[cols], moving.velocity[cols],
                     moving.time_to_site_s[cols], moving.drone_kind[cols])  # fmt: skip
    return bool(intercept(geometry, threat).feasible[0, 0])


def _shoot_look_shoot(problem: Problem, counts: IntArray) -> tuple[IntArray, IntArray]:
    """One shot now and one unit in reserve where a second engagement fits (step 3)."""
    counts, reserve = counts.copy(), np.zeros_like(counts)
    weighted = problem.config.cost_weight * problem.cost
    for target in np.flatnonzero(counts.sum(axis=0) >= 2):
        j = int(target)
        shooters = np.flatnonzero(counts[:, j])
        net = problem.value[j] * problem.pk[shooters, j] - weighted[shooters]
        best = int(shooters[int(np.argmax(net))])
        look = problem.solution.time_s[best, j] + problem.config.assessment_s
        order = [int(g) for g in shooters[np.argsort(-net)]]
        spare = [g for g in order if g != best or counts[g, j] >= 2]
        later = [g for g in spare if _second_look(problem, g, j, look)]
        if not later:
            continue
        counts[:, j] = 0
        counts[best, j] = 1
        reserve[later[0], j] = 1
    return (_refill(problem, counts, reserve) if reserve.any() else counts), reserve


def _refill(problem: Problem, counts: IntArray, reserve: IntArray) -> IntArray:
    """Give units freed by shoot-look-shoot to targets without a reserve, greedily: the
    gain of one more shot of g at j is value_j · survival_j · p_gj − cost_weight · c_g."""
    counts = counts.copy()
    open_targets = reserve.sum(axis=0) == 0
    weighted = problem.config.cost_weight * problem.cost
    while True:
        free = problem.capacity - counts.sum(axis=1) - reserve.sum(axis=1)
        survive = np.prod((1.0 - problem.pk) ** counts, axis=0)
        gain = problem.value * survive * problem.pk - weighted[:, None]
        gain = np.where((free > 0)[:, None] & open_targets & (problem.pk > 0), gain, 0.0)
        g, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if gain[g, j] <= 0:
            return counts
        counts[g, j] += 1


def _recommendations(problem: Problem, counts: IntArray, reserve: IntArray,
                     roe: RulesOfEngagement,
                     catalogue: EffectorCatalogue) -> list[Recommendation]:  # fmt: skip
    """One row per shot; each unit of a group fires at most once."""
    next_unit = [0] * len(problem.group_units)
    rows: list[Recommendation] = []
    for j in (int(j) for j in np.argsort(-problem.value, kind="stable")):
        for g in (int(g) for g in np.flatnonzero(counts[:, j])):
            for _ in range(int(counts[g, j])):
                unit = int(problem.group_units[g][next_unit[g]])
                next_unit[g] += 1
                rows.append(_row(problem, counts, g, j, unit, roe, catalogue))
    for r, row in enumerate(rows):
        j = int(np.flatnonzero(problem.threats.track_id[problem.target] == row.track_id)[0])
        spare = np.flatnonzero(reserve[:, j])
        if spare.size:
            g = int(spare[0])
            if next_unit[g] < len(problem.group_units[g]):
                unit = int(problem.group_units[g][next_unit[g]])
                next_unit[g] += 1
                rows[r] = replace(row, reserve_unit_id=str(problem.units.unit_id[unit]),
                                  why=row.why + f"; unit {problem.units.unit_id[unit]} "
                                  f"({problem.units.type_id[unit]}) held in reserve for a "
                                  "second shot after the look")  # fmt: skip
    return rows


def _row(problem: Problem, counts: IntArray, g: int, j: int, unit: int,
         roe: RulesOfEngagement, catalogue: EffectorCatalogue) -> Recommendation:  # fmt: skip
    threats, k = problem.threats, int(problem.target[j])
    effector = problem.group_effector[g]
    lat, lon, alt = enu_to_geodetic(problem.solution.point[g, j], *problem.ref, 0.0)
    tti = float(problem.solution.time_s[g, j])
    site_id, kind = str(threats.site_id[k]), str(threats.site_kind[k])
    why = (
        f"protects {site_id} ({kind}, {problem.value[j]:,.0f} EUR at P(drone) "
        f"{threats.probabilities[k, 1]:.2f}), {threats.time_to_site_s[k]:.0f} s away; "
        f"intercept in {tti:.0f} s, P_k {problem.pk[g, j]:.2f}, "
        f"{effector.cost_per_shot_eur:,.0f} EUR a shot"
    )
    cheaper = why_not_cheaper(problem, counts, g, j, roe, catalogue)
    if cheaper:
        why += "; not a cheaper effector: " + "; ".join(cheaper)
    return Recommendation(
        unit_id=str(problem.units.unit_id[unit]), type_id=effector.id,
        track_id=int(threats.track_id[k]), site_id=site_id, why=why,
        pk=float(problem.pk[g, j]), cost_eur=effector.cost_per_shot_eur,
        value_eur=float(problem.value[j]), time_to_intercept_s=tti,
        latest_intercept_s=float(problem.solution.last_time_s[g, j]), lat=float(lat),
        lon=float(lon), alt_m=float(alt), approver=roe.approver(effector),
    )  # fmt: skip


__all__ = ["Plan", "Problem", "build_problem", "net_value", "plan", "recommend"]
