"""Compiled inner loops of the weapon-target assignment solver (``wta.py``): the greedy by
maximal marginal return, a local search over single-unit moves and swaps, and the ruin and
recreate (large neighbourhood search) step that drives them.

State shared by every loop, for m weapon types and n targets:

- ``survive[i, j]`` = 1 − p_ij, clamped to at least ``SURVIVE_FLOOR`` so that a unit can be
  taken off a target it kills for sure (the product is divided by it);
- ``unit_type[u]``, ``unit_target[u]``: one row per unit (a unit of type i is one of the
  ``mu_i`` identical weapons); ``unit_target[u] = -1`` while the unit is free;
- ``left[j]`` = w_j Π_i (1 − p_ij)^x_ij, the expected surviving value of target j, so that a
  move or a swap is priced in O(1) from the two targets it touches (Ahuja et al. 2007, §3).

Compiled with Numba (``cache=True``): the first call on a machine compiles for ~10 s, later
processes load the cached code in ~0.3 s. ``wta.solve`` counts that load in its time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SURVIVE_FLOOR = 1e-12  # a sure kill (p = 1) costs < 1e-12·w_j in the objective, far below 1e-4
IMPROVE = 1e-12  # a change must lower the objective by more than this relative amount


@njit(cache=True)
def seed_random(seed: int) -> None:
    """Seed Numba's own generator (separate from NumPy's) so that runs repeat."""
    np.random.seed(seed)


@njit(cache=True)
def target_values(survive, value, unit_type, unit_target):  # type: ignore[no-untyped-def]
    """``left[j]`` recomputed from scratch (after many O(1) updates, to shed rounding)."""
    left = value.copy()
    for u in range(unit_type.size):
        j = unit_target[u]
        if j >= 0:
            left[j] *= survive[unit_type[u], j]
    return left


@njit(cache=True)
def greedy(survive, left, unit_type, unit_target, noise):  # type: ignore[no-untyped-def]
    """Assign every free unit, one at a time, where it lowers the objective most (maximal
    marginal return). ``noise`` > 0 scales each type's gains by a random factor in
    [1 − noise, 1] so that the recreate step of the search does not always rebuild the same.

    Only the target just hit changes its gains, so each type keeps its best target and rescans
    only when that target was the one hit: O(units + types·targets) in the usual case."""
    m, _n = survive.shape
    free = np.zeros(m, np.int64)
    for u in range(unit_type.size):
        if unit_target[u] < 0:
            free[unit_type[u]] += 1
    weight = np.ones(m)
    if noise > 0.0:
        weight = 1.0 - noise * np.random.random(m)
    best_target = np.full(m, -1, np.int64)
    best_gain = np.full(m, -1.0)
    for i in range(m):
        if free[i] > 0:
            _rescan(survive, left, i, best_target, best_gain)
    while True:
        pick, pick_gain = -1, -1.0
        for i in range(m):
            if free[i] > 0 and best_gain[i] * weight[i] > pick_gain:
                pick, pick_gain = i, best_gain[i] * weight[i]
        if pick < 0:
            break
        j = best_target[pick]
        left[j] *= survive[pick, j]
        free[pick] -= 1
        for u in range(unit_type.size):
            if unit_type[u] == pick and unit_target[u] < 0:
                unit_target[u] = j
                break
        for i in range(m):
            if free[i] > 0 and best_target[i] == j:
                _rescan(survive, left, i, best_target, best_gain)
    return left


@njit(cache=True)
def _rescan(survive, left, i, best_target, best_gain):  # type: ignore[no-untyped-def]
    n = left.size
    best, gain = 0, -1.0
    for k in range(n):
        g = left[k] * (1.0 - survive[i, k])
        if g > gain:
            best, gain = k, g
    best_target[i] = best
    best_gain[i] = gain


@njit(cache=True)
def local_search(survive, left, unit_type, unit_target):  # type: ignore[no-untyped-def]
    """Improve until no single move (one unit to another target) and no swap (two units of
    different types exchange targets) lowers the objective. For each unit in turn, the best
    move and the best swap involving it are priced and the better applied if it improves.
    Returns the number of changes made."""
    n_units = unit_type.size
    n = left.size
    changes = 0
    improved = True
    while improved:
        improved = False
        for u in range(n_units):
            i, j = unit_type[u], unit_target[u]
            scale = IMPROVE * (left[j] + 1e-300)
            taken = left[j] / survive[i, j] - left[j]  # the value unit u keeps down at j
            best, best_move, best_partner = -scale, -1, -1
            for k in range(n):
                if k != j:
                    delta = taken - left[k] * (1.0 - survive[i, k])
                    if delta < best:
                        best, best_move = delta, k
            for v in range(n_units):
                i2, k = unit_type[v], unit_target[v]
                if i2 == i or k == j:
                    continue
                delta = left[j] * (survive[i2, j] / survive[i, j] - 1.0) + left[k] * (
                    survive[i, k] / survive[i2, k] - 1.0
                )
                if delta < best:
                    best, best_partner = delta, v
            if best_partner >= 0:
                i2, k = unit_type[best_partner], unit_target[best_partner]
                left[j] *= survive[i2, j] / survive[i, j]
                left[k] *= survive[i, k] / survive[i2, k]
                unit_target[u], unit_target[best_partner] = k, j
            elif best_move >= 0:
                left[j] /= survive[i, j]
                left[best_move] *= survive[i, best_move]
                unit_target[u] = best_move
            else:
                continue
            changes += 1
            improved = True
    return changes


@njit(cache=True)
def total(left):  # type: ignore[no-untyped-def]
    s = 0.0
    for j in range(left.size):
        s += left[j]
    return s


@njit(cache=True)
def search(  # type: ignore[no-untyped-def]
    survive, value, unit_type, current, best, iterations, ruin_fraction, noise, accept
):
    """``iterations`` steps of ruin and recreate from ``current`` (a unit → target array,
    updated in place), keeping the best assignment seen in ``best``. A step frees the units on
    a few related targets (``_ruin``), reassigns them greedily with ``noise``, runs the local
    search and keeps the result if its objective is at most ``accept`` times the best one
    (record-to-record travel, Dueck 1993: ``accept`` a little above 1 crosses plateaus).
    Returns (best objective, current objective)."""
    n = value.size
    n_units = unit_type.size
    left = target_values(survive, value, unit_type, current)
    now = total(left)
    best_left = target_values(survive, value, unit_type, best)
    record = total(best_left)
    trial = current.copy()
    most = max(1, int(ruin_fraction * n))
    first_unit = np.searchsorted(unit_type, np.arange(unit_type[-1] + 2))  # units sorted by type
    for _ in range(iterations):
        trial[:] = current
        ruined = _ruin(trial, unit_type, first_unit, n, 1 + np.random.randint(most))
        for u in range(n_units):
            if ruined[trial[u]]:
                trial[u] = -1
        trial_left = target_values(survive, value, unit_type, trial)
        greedy(survive, trial_left, unit_type, trial, noise)
        local_search(survive, trial_left, unit_type, trial)
        trial_left = target_values(survive, value, unit_type, trial)
        score = total(trial_left)
        if score <= record * accept:
            current[:] = trial
            now = score
            if score < record:
                record = score
                best[:] = trial
    return record, now


@njit(cache=True)
def _ruin(target, unit_type, first_unit, n, count):  # type: ignore[no-untyped-def]
    """``count`` targets to clear (fewer if drawn twice): a random one, then each next one
    either at random or, half the time, one that holds a unit of the same type as a unit on a
    target already chosen (so that the freed units can trade places)."""
    ruined = np.zeros(n, np.bool_)
    ruined[target[np.random.randint(target.size)]] = True
    for _ in range(count - 1):
        u = np.random.randint(target.size)
        if np.random.random() < 0.5:
            for _try in range(8):
                v = np.random.randint(target.size)
                if ruined[target[v]]:
                    i = unit_type[v]
                    u = first_unit[i] + np.random.randint(first_unit[i + 1] - first_unit[i])
                    break
        ruined[target[u]] = True
    return ruined
