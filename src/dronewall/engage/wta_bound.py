"""A lower bound on the weapon-target assignment's optimum, from the Lagrangian dual of its
convex (continuous) relaxation.

Write a_ij = −ln(1 − p_ij). With x real, the objective Σ_j w_j exp(−Σ_i a_ij x_ij) is convex,
and pricing each weapon type's units at λ_i ≥ 0 splits the relaxation by target:

    g(λ) = Σ_j min_{x ≥ 0} [w_j exp(−Σ_i a_ij x_ij) + Σ_i λ_i x_ij] − Σ_i λ_i mu_i.

A target's minimum uses only the type with the best ratio r_j = max_i a_ij / λ_i: it is w_j
when w_j r_j ≤ 1 (not worth a shot) and (1 + ln(w_j r_j)) / r_j otherwise. Every λ ≥ 0 gives
g(λ) ≤ the relaxation's optimum ≤ the integer optimum (weak duality), so any λ the
optimiser stops at is a valid bound; L-BFGS-B on log λ finds a good one. The relaxation lets
a unit be split between targets, so the bound is loose where whole units matter — a few per
cent on the shared instances (``docs/engage.md``); it certifies the order of the gap, not
the last 0.1 %.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from dronewall.engage.wta import WtaInstance

KILL_FLOOR = 1e-12  # p = 1 is read as 1 − 1e-12 (a sure kill would make a_ij infinite)


def lower_bound(instance: WtaInstance, iterations: int = 500) -> float:
    """A value no larger than the optimum of ``instance`` (at most ``iterations`` L-BFGS-B
    iterations; more can only raise it)."""
    rate = -np.log(np.maximum(1.0 - instance.kill_probability, KILL_FLOOR))
    values = instance.values.astype(np.float64)
    units = instance.units.astype(np.float64)
    if not units.any() or not rate.any():
        return float(values.sum())

    def negative(log_price: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        bound, gradient = dual(rate, values, units, np.exp(log_price))
        return -bound, -gradient * np.exp(log_price)

    start = np.log(np.full(units.size, max(values.mean(), 1e-9) * 0.1))
    found = minimize(negative, start, jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    best = max(
        dual(rate, values, units, np.exp(found.x))[0], dual(rate, values, units, np.exp(start))[0]
    )
    return float(min(best, values.sum()))


def dual(
    rate: NDArray[np.float64],
    values: NDArray[np.float64],
    units: NDArray[np.float64],
    price: NDArray[np.float64],
) -> tuple[float, NDArray[np.float64]]:
    """g(price) and a supergradient (units used by the targets' minima − units available)."""
    ratio = rate / price[:, None]
    chosen = np.argmax(ratio, axis=0)
    targets = np.arange(values.size)
    best = ratio[chosen, targets]
    worth = values * best > 1.0
    kill = np.where(worth, np.log(np.where(worth, values * best, 1.0)), 0.0)  # Σ a x at the minimum
    per_target = np.where(worth, (1.0 + kill) / np.where(worth, best, 1.0), values)
    used = np.zeros(units.size)
    np.add.at(used, chosen[worth], kill[worth] / rate[chosen[worth], targets[worth]])
    return float(per_target.sum() - price @ units), used - units
