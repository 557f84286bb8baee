"""The static weapon-target assignment (WTA): m weapon types with mu_i identical units each,
n targets of value w_j, a unit of type i kills target j with probability p_ij; choose how many
units x_ij of each type to fire at each target to

    minimise Σ_j w_j Π_i (1 − p_ij)^x_ij   subject to  Σ_j x_ij ≤ mu_i,  x_ij ≥ 0 integer

— the expected value of the targets that survive. NP-hard (Lloyd and Witsenhausen 1986).

The solver (``solve``), in epochs:

1. a start: assignment rounds (``wta_exchange.assignment_rounds``: each round gives every
   target at most one free unit, the best such set by linear assignment) or the greedy by
   maximal marginal return (exact when p_ij depends on j only — den Broeder et al. 1959),
   alternately, with noise after the first two epochs;
2. exchanges (``wta_exchange.exchange``): every target gives up a unit and receives at most
   one (or two, priced roughly), the best such exchange by linear assignment — the cyclic and
   path exchanges of Ahuja, Kumar, Jha and Orlin 2007 ("Exact and heuristic algorithms for the
   weapon-target assignment problem", Operations Research 55(6)) for all targets at once;
   each gain is followed by a local search over moves of one unit and swaps of two, priced in
   O(1) from the surviving value of the two targets they touch (``wta_loops.local_search``);
3. when exchanges stop gaining, kicks: a noisy exchange, a reassignment of the units of up to
   30 % of the targets, or ruin and recreate steps (Shaw 1998; Schrimpf et al. 2000), each
   kept when within 0.2 % of the epoch's best (record-to-record travel, Dueck 1993); after
   ``STALE`` kicks without a gain, a new epoch.

The best assignment of all epochs is returned when the time limit (or the step count) is
reached; a step that would end past the limit is not begun. Numba compiles the loops
(``wta_loops.py``); ``solve`` imports them on first use so that ``import dronewall.engage``
stays light, and counts that load in the time it reports. A lower bound from the convex
relaxation is in ``wta_bound.py``; ``docs/engage.md`` has the figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dronewall.engage.wta_exchange import assignment_rounds, exchange

DEFAULT_TIME_LIMIT_S = 1.0
STUCK = 3  # exchanges without a gain before a kick
STALE = 10  # kicks without a gain before a new start
START_NOISE = 0.1  # later starts scale each gain by a factor drawn in [0.9, 1]
KICK_STEPS = 50  # ruin and recreate steps in a kick (fewer when the time left is short)
KINDS = 3  # kicks take turns: a noisy exchange, ruin and recreate, a reassignment
REASSIGN_FRACTION = 0.3  # a reassignment kick frees the units on up to 30 % of the targets
RUIN_FRACTION = 0.05  # a ruin frees the units on up to 5 % of the targets
NOISE = 0.1  # the recreate greedy scales each type's gains by a factor drawn in [0.9, 1]
SHAKE = 0.3  # a noisy exchange scales the gains by factors in [0.7, 1]
ACCEPT = 1.002  # a kick keeps steps up to 0.2 % worse than the best assignment found


@dataclass(frozen=True, slots=True)
class WtaInstance:
    """``values[j]`` = w_j ≥ 0; ``kill_probability[i, j]`` = p_ij in [0, 1];
    ``units[i]`` = mu_i ≥ 0."""

    values: NDArray[np.float64]
    kill_probability: NDArray[np.float64]
    units: NDArray[np.int64]

    @property
    def weapon_types(self) -> int:
        return int(self.kill_probability.shape[0])

    @property
    def targets(self) -> int:
        return int(self.kill_probability.shape[1])


@dataclass(frozen=True, slots=True)
class WtaSolution:
    """``counts[i, j]`` = x_ij, the units of type i fired at target j; ``objective`` its
    expected surviving value; ``seconds`` the wall time of the solve, ``cpu_seconds`` the
    process CPU time (both include loading the compiled loops); ``iterations`` the ruin and
    recreate steps made."""

    counts: NDArray[np.int64]
    objective: float
    seconds: float
    cpu_seconds: float
    iterations: int


def objective(instance: WtaInstance, counts: NDArray[np.int64]) -> float:
    """Σ_j w_j Π_i (1 − p_ij)^x_ij, exactly (no clamping)."""
    survive = (1.0 - instance.kill_probability) ** counts
    return float(instance.values @ np.prod(survive, axis=0))


def feasible(instance: WtaInstance, counts: NDArray[np.int64]) -> bool:
    """Non-negative counts that use no more units of a type than it has."""
    return bool((counts >= 0).all() and (counts.sum(axis=1) <= instance.units).all())


def solve(
    instance: WtaInstance,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
    iterations: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> WtaSolution:
    """A near-optimal assignment found within ``time_limit`` seconds of ``clock`` (wall time
    by default; ``time.process_time`` to count only this process's CPU time on a loaded
    machine) from the call, loading the compiled loops included — or after ``iterations``
    steps when given: then the result depends on ``seed`` only, not on the machine."""
    start, cpu_start = time.perf_counter(), time.process_time()
    clock_start = clock()
    from dronewall.engage import wta_loops as loops  # Numba: loaded on first solve only

    search = _Search(instance, loops.SURVIVE_FLOOR, seed)
    done = 0
    if search.unit_type.size:
        deadline = clock_start + time_limit
        step_s = 0.0  # the longest step so far: one that would end past the deadline is not begun
        while done < (iterations if iterations is not None else 1 << 62):
            tick = clock()
            budget = deadline - tick if iterations is None else float("inf")
            if budget <= step_s:
                break
            search.step(budget)
            step_s = max(step_s, clock() - tick)
            done += 1
    counts = _counts(instance, search.unit_type, search.best)
    return WtaSolution(
        counts=counts,
        objective=objective(instance, counts),
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu_start,
        iterations=done,
    )


class _Search:
    """The state of one solve, in epochs. An epoch starts from assignment rounds (even epochs)
    or the greedy by marginal return (odd ones), with noise after the first two, then makes
    steps of the assignment neighbourhood, each followed by the local search; after ``STUCK``
    steps without a gain it kicks — alternately a noisy exchange and ruin and recreate steps
    (``wta_loops.search``) — and after ``STALE`` kicks without a gain the next epoch starts.
    The best assignment of all epochs is kept."""

    def __init__(self, instance: WtaInstance, floor: float, seed: int):
        from dronewall.engage import wta_loops as loops

        self.loops = loops
        self.rng = np.random.default_rng(seed)
        loops.seed_random(seed)
        self.survive = np.maximum(1.0 - instance.kill_probability, floor)
        self.values = instance.values.astype(np.float64)
        self.unit_type = np.repeat(np.arange(instance.weapon_types, dtype=np.int64), instance.units)
        self.current = np.full(self.unit_type.size, -1, np.int64)
        self.best = self.current.copy()
        self.record = np.inf
        self.epoch = -1
        self.kick_step_s = 1e-3  # measured after the first kick
        if self.unit_type.size:
            self._start()

    def _start(self) -> None:
        self.epoch += 1
        self.stuck = self.kicks = self.stale = 0
        self.current[:] = -1
        noise = START_NOISE if self.epoch >= 2 else 0.0
        if self.epoch % 2 == 0:
            assignment_rounds(
                self.survive, self.values, self.unit_type, self.current, self.rng, noise
            )
        else:
            left = self.loops.target_values(self.survive, self.values, self.unit_type, self.current)
            self.loops.greedy(self.survive, left, self.unit_type, self.current, noise)
        self.epoch_best = self.current.copy()
        self.epoch_record = np.inf
        self._polish()

    def _polish(self) -> None:
        left = self.loops.target_values(self.survive, self.values, self.unit_type, self.current)
        self.loops.local_search(self.survive, left, self.unit_type, self.current)
        now = float(
            self.loops.target_values(self.survive, self.values, self.unit_type, self.current).sum()
        )
        self._keep(now, self.current)

    def _descend(self, assignment: NDArray[np.int64]) -> None:
        left = self.loops.target_values(self.survive, self.values, self.unit_type, assignment)
        self.loops.local_search(self.survive, left, self.unit_type, assignment)

    def _keep(self, now: float, assignment: NDArray[np.int64]) -> None:
        if now < self.epoch_record * (1.0 - 1e-9):
            self.epoch_record = now
            self.epoch_best[:] = assignment
            self.stale = 0
        if now < self.record:
            self.record = now
            self.best[:] = assignment

    def step(self, budget_s: float) -> None:
        """One exchange (and local search if it gained), or a kick when stuck; a kick is cut
        to fit ``budget_s`` seconds."""
        if exchange(
            self.survive, self.values, self.unit_type, self.current, self.rng, polish=self._descend
        ):
            self._polish()
            self.stuck = 0
            return
        self.stuck += 1
        if self.stuck < STUCK:
            return
        self.stuck = 0
        self.kicks += 1
        self.stale += 1
        if self.stale > STALE:
            self._start()
        elif self.kicks % KINDS == 0:
            bound = self.epoch_record * ACCEPT
            if exchange(
                self.survive,
                self.values,
                self.unit_type,
                self.current,
                self.rng,
                SHAKE,
                bound,
                self._descend,
            ):
                self._polish()
        elif self.kicks % KINDS == 2:
            self._ruin_and_reassign()
        else:
            self._ruin_and_recreate(budget_s)

    def _ruin_and_reassign(self) -> None:
        """Free the units on a random share (up to ``REASSIGN_FRACTION``) of the targets, place
        them again by assignment rounds, polish; kept if within ``ACCEPT`` of the epoch's best."""
        trial = self.current.copy()
        ruined = self.rng.random(self.values.size) < REASSIGN_FRACTION * self.rng.random()
        trial[ruined[trial]] = -1
        assignment_rounds(self.survive, self.values, self.unit_type, trial, self.rng, NOISE)
        self._descend(trial)
        now = float(
            self.loops.target_values(self.survive, self.values, self.unit_type, trial).sum()
        )
        if now <= self.epoch_record * ACCEPT:
            self.current[:] = trial
            self._keep(now, trial)

    def _ruin_and_recreate(self, budget_s: float) -> None:
        steps = max(1, int(min(KICK_STEPS, budget_s / self.kick_step_s)))
        tick = time.perf_counter()
        best = self.epoch_best.copy()
        record, _ = self.loops.search(
            self.survive,
            self.values,
            self.unit_type,
            self.current,
            best,
            steps,
            RUIN_FRACTION,
            NOISE,
            ACCEPT,
        )
        self.kick_step_s = max((time.perf_counter() - tick) / steps, 1e-6)
        self._keep(record, best)


def _counts(
    instance: WtaInstance, unit_type: NDArray[np.int64], target: NDArray[np.int64]
) -> NDArray[np.int64]:
    counts = np.zeros((instance.weapon_types, instance.targets), np.int64)
    assigned = target >= 0
    np.add.at(counts, (unit_type[assigned], target[assigned]), 1)
    return counts
