"""Joint procurement as a mixed-integer programme: what each nation buys, in which lot, and
when it is delivered — at least cost, with every target filled by its due year.

Model (solved with HiGHS through ``planning.mip``):

* **Lots.** Each nation may buy each system in a national lot; each system whose content
  passes the rules may also be bought in up to ``max_joint_lots_per_system`` joint lots. A
  joint lot that is used has at least ``joint_min_states`` members, of which at least
  ``joint_min_eu_states`` are EU members, all able to join EDIP procurement; each member buys
  at least one unit.
* **Prices** are all-units volume discounts on the lot quantity: one binary per price break
  picks the bracket, and the lot is priced at that bracket's unit price (Williams, *Model
  Building in Mathematical Programming*, §9.3). Joint buying pays because the lot's quantity,
  not each member's, sets the price; an EDIP grant may pay ``joint_grant_share`` of a joint lot.
* **Delivery.** Deliveries of a system start after its lead time from the order month and are
  limited each year by its production capacity, shared by all buyers.
* **Targets.** Holdings plus deliveries up to the due year (or an earlier completion
  deadline) must reach each target; any shortfall is allowed only at a penalty far above any
  price, and reported, so an impossible target shows as a shortfall instead of "infeasible".
* **Objective.** Cost net of grants + shortfall penalty + a token charge per unit-year of
  delivery so that, among equally cheap plans, units come as early as capacity allows.

The cost–time trade-off (``frontier``) re-solves with every target also due by a common
completion year, from the plan's horizon down to the earliest year that can still be met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dronewall.planning import mip
from dronewall.planning.procurement.plan import Plan, System

EARLY_DELIVERY_EUR = 0.01  # per unit and year of waiting: orders deliveries, never trades cost
SHORTFALL_FACTOR = 100.0  # shortfall penalty, times the dearest price per capability unit


@dataclass(frozen=True, slots=True)
class Lot:
    """A purchase of one system in one lot, with each member's quantity."""

    id: str
    system: str
    joint: bool
    members: dict[str, int]  # nation → units
    unit_price_eur: float

    @property
    def quantity(self) -> int:
        return sum(self.members.values())

    @property
    def cost_eur(self) -> float:
        return self.quantity * self.unit_price_eur


@dataclass(frozen=True, slots=True)
class TargetFill:
    nation: str
    capability: str
    quantity: float
    due_year: int
    held: float
    filled_by_due: float
    shortfall: float
    filled_year: int | None  # first year the target is met, None if never within the plan


@dataclass(frozen=True, slots=True)
class ProcurementResult:
    deadline_year: int
    status: str
    gap: float
    cost_eur: float  # price of every lot
    grant_eur: float  # paid by EDIP grants
    lots: tuple[Lot, ...]
    deliveries: dict[tuple[str, str, int], int]  # (nation, system, year) → units
    targets: tuple[TargetFill, ...]
    seconds: float

    @property
    def shortfall(self) -> float:
        return sum(t.shortfall for t in self.targets)

    @property
    def joint_share(self) -> float:
        """Share of spending in joint lots (the EU aims at 40 % joint procurement by 2027)."""
        joint = sum(lot.cost_eur for lot in self.lots if lot.joint)
        return joint / self.cost_eur if self.cost_eur > 0 else 0.0


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    deadline_year: int
    cost_eur: float
    net_cost_eur: float
    shortfall: float
    feasible: bool


@dataclass
class _Vars:
    """Indices of the model's variables, by what they mean."""

    national: dict[tuple[str, str], int] = field(default_factory=dict)  # (system, nation) → q
    joint: dict[tuple[str, int, str], int] = field(default_factory=dict)  # (system, lot, nation)
    member: dict[tuple[str, int, str], int] = field(default_factory=dict)
    bracket_qty: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (lot id, _, k)
    delivered: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (system, nation, y)
    shortfall: dict[int, int] = field(default_factory=dict)  # target row → var
    lot_cost: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


def capacity(plan: Plan, system: System, year: int) -> float:
    """Units of ``system`` that can be delivered in ``year`` (lead time, then capacity)."""
    months_to_year_end = (year - plan.start_year) * 12 + (13 - plan.start_month)
    producing = np.clip(months_to_year_end - system.lead_time_months, 0, 12)
    return float(system.capacity_per_year * producing / 12.0)


def optimise(
    plan: Plan,
    *,
    deadline_year: int | None = None,
    gap: float = 1e-4,
    time_limit_s: float = 120.0,
) -> ProcurementResult:
    """The least-cost plan with every target due by min(its due year, ``deadline_year``)."""
    deadline = plan.horizon_year if deadline_year is None else deadline_year
    builder, v = _build(plan, deadline)
    solution = mip.solve(builder.model(), gap=gap, time_limit_s=time_limit_s)
    if not solution.has_solution:
        raise RuntimeError(f"procurement model not solved: {solution.status}")
    return _result(plan, v, solution, deadline)


def frontier(
    plan: Plan, *, time_limit_s: float = 120.0, progress: Callable[[int], None] | None = None
) -> list[FrontierPoint]:
    """Least cost for each completion year, from the horizon back to the first infeasible one.
    ``progress`` is called with the number of years solved so far."""
    points: list[FrontierPoint] = []
    for year in range(plan.horizon_year, plan.start_year - 1, -1):
        if progress is not None:
            progress(len(points))
        result = optimise(plan, deadline_year=year, time_limit_s=time_limit_s)
        feasible = result.shortfall <= 1e-6
        points.append(
            FrontierPoint(
                year,
                result.cost_eur,
                result.cost_eur - result.grant_eur,
                result.shortfall,
                feasible,
            )
        )
        if not feasible:
            break
    return points[::-1]


def _build(plan: Plan, deadline: int) -> tuple[mip.Builder, _Vars]:
    b, v = mip.Builder(), _Vars()
    grant = plan.rules.joint_grant_share
    for system in plan.systems.values():
        most = int(sum(capacity(plan, system, y) for y in plan.years))
        for code in plan.nations:
            q = b.var(0, most, integer=True)
            v.national[(system.id, code)] = q
            _price(b, v, system, f"{code}-{system.id}", [q], most, 1.0)
        if plan.rules.joint_eligible(system):
            for lot in range(plan.rules.max_joint_lots_per_system):
                _joint_lot(b, v, plan, system, lot, most, 1.0 - grant)
        _deliveries(b, v, plan, system)
    _targets(b, v, plan, deadline)
    return b, v


def _price(
    b: mip.Builder, v: _Vars, system: System, lot_id: str, qty: list[int], most: int, pay: float
) -> None:
    """All-units volume pricing of the lot whose quantity is the sum of ``qty``."""
    breaks = system.price
    pieces, picks = [], []
    for k, brk in enumerate(breaks):
        top = breaks[k + 1].min_quantity - 1 if k + 1 < len(breaks) else most
        if brk.min_quantity > most:
            break
        piece = b.var(0, top, cost=pay * brk.unit_price_eur)
        pieces.append(piece)
        v.bracket_qty[(lot_id, system.id, k)] = piece
        v.lot_cost.setdefault(lot_id, []).append((piece, brk.unit_price_eur))
        if len(breaks) > 1:
            pick = b.var(0, 1, integer=True)
            picks.append(pick)
            b.row({piece: 1.0, pick: -float(top)}, upper=0.0)
            b.row({piece: 1.0, pick: -float(brk.min_quantity)}, lower=0.0)
    if picks:
        b.row(dict.fromkeys(picks, 1.0), upper=1.0)
    terms = dict.fromkeys(pieces, 1.0)
    terms.update({q: -1.0 for q in qty})
    b.row(terms, lower=0.0, upper=0.0)


def _joint_lot(
    b: mip.Builder, v: _Vars, plan: Plan, system: System, lot: int, most: int, pay: float
) -> None:
    rules = plan.rules
    members = [n for n in plan.nations.values() if n.may_join_edip]
    if (
        len(members) < rules.joint_min_states
        or sum(n.eu for n in members) < rules.joint_min_eu_states
    ):
        return
    active = b.var(0, 1, integer=True)
    qty, flags, eu_flags = [], {}, {}
    for nation in members:
        q = b.var(0, most, integer=True)
        m = b.var(0, 1, integer=True)
        v.joint[(system.id, lot, nation.code)] = q
        v.member[(system.id, lot, nation.code)] = m
        b.row({q: 1.0, m: -float(most)}, upper=0.0)  # only members buy
        b.row({q: 1.0, m: -1.0}, lower=0.0)  # a member buys at least one unit
        b.row({m: 1.0, active: -1.0}, upper=0.0)
        qty.append(q)
        flags[m] = 1.0
        if nation.eu:
            eu_flags[m] = 1.0
    b.row({**flags, active: -float(rules.joint_min_states)}, lower=0.0)
    b.row({**eu_flags, active: -float(rules.joint_min_eu_states)}, lower=0.0)
    _price(b, v, system, f"joint-{system.id}-{lot + 1}", qty, most, pay)


def _deliveries(b: mip.Builder, v: _Vars, plan: Plan, system: System) -> None:
    for code in plan.nations:
        bought = {v.national[(system.id, code)]: -1.0}
        for (s, _lot, n), q in v.joint.items():
            if s == system.id and n == code:
                bought[q] = -1.0
        terms = dict(bought)
        for year in plan.years:
            waiting = EARLY_DELIVERY_EUR * (year - plan.start_year + 1)
            d = b.var(0, mip.INF, integer=True, cost=waiting)
            v.delivered[(system.id, code, year)] = d
            terms[d] = 1.0
        b.row(terms, lower=0.0, upper=0.0)
    for year in plan.years:
        row = {v.delivered[(system.id, code, year)]: 1.0 for code in plan.nations}
        b.row(row, upper=np.floor(capacity(plan, system, year) + 1e-9))


def _targets(b: mip.Builder, v: _Vars, plan: Plan, deadline: int) -> None:
    dearest = max(
        brk.unit_price_eur / min(s.capabilities.values())
        for s in plan.systems.values()
        for brk in s.price
    )
    for row, target in enumerate(plan.targets):
        need = target.quantity - _held(plan, target.nation, target.capability)
        short = b.var(0, mip.INF, cost=SHORTFALL_FACTOR * dearest)
        v.shortfall[row] = short
        due = min(target.due_year, deadline)
        terms = {short: 1.0}
        for system in plan.systems.values():
            amount = system.capabilities.get(target.capability, 0.0)
            for year in plan.years:
                if amount > 0 and year <= due:
                    terms[v.delivered[(system.id, target.nation, year)]] = amount
        b.row(terms, lower=need)


def _held(plan: Plan, nation: str, capability: str) -> float:
    return sum(
        qty * plan.systems[system].capabilities.get(capability, 0.0)
        for (code, system), qty in plan.holdings.items()
        if code == nation
    )


def _result(plan: Plan, v: _Vars, solution: mip.Solution, deadline: int) -> ProcurementResult:
    x = np.round(solution.x).astype(np.int64)
    lots = _lots(plan, v, x, solution.x)
    deliveries = {key: int(x[i]) for key, i in v.delivered.items() if x[i] > 0}
    by_nation = {(n, s, y): q for (s, n, y), q in deliveries.items()}
    grant = plan.rules.joint_grant_share * sum(lot.cost_eur for lot in lots if lot.joint)
    return ProcurementResult(
        deadline_year=deadline,
        status=solution.status,
        gap=solution.gap,
        cost_eur=sum(lot.cost_eur for lot in lots),
        grant_eur=grant,
        lots=tuple(lots),
        deliveries=by_nation,
        targets=tuple(_fills(plan, v, solution, by_nation, deadline)),
        seconds=solution.seconds,
    )


def _lots(plan: Plan, v: _Vars, x: np.ndarray, raw: np.ndarray) -> list[Lot]:
    lots = []
    for (system, code), q in v.national.items():
        if x[q] > 0:
            lot_id = f"{code}-{system}"
            lots.append(Lot(lot_id, system, False, {code: int(x[q])}, _unit_price(v, lot_id, raw)))
    for lot in range(plan.rules.max_joint_lots_per_system):
        for system in plan.systems:
            members = {
                code: int(x[q])
                for (s, k, code), q in v.joint.items()
                if s == system and k == lot and x[q] > 0
            }
            if members:
                lot_id = f"joint-{system}-{lot + 1}"
                lots.append(Lot(lot_id, system, True, members, _unit_price(v, lot_id, raw)))
    return lots


def _unit_price(v: _Vars, lot_id: str, raw: np.ndarray) -> float:
    """The price of the bracket the solver put the lot's units in."""
    pieces = v.lot_cost[lot_id]
    best = max(pieces, key=lambda piece: raw[piece[0]])
    return best[1]


def _fills(
    plan: Plan,
    v: _Vars,
    solution: mip.Solution,
    deliveries: dict[tuple[str, str, int], int],
    deadline: int,
) -> list[TargetFill]:
    fills = []
    for row, target in enumerate(plan.targets):
        held = _held(plan, target.nation, target.capability)
        cumulative, filled_year, by_due = held, None, held
        for year in plan.years:
            cumulative += sum(
                q * plan.systems[s].capabilities.get(target.capability, 0.0)
                for (n, s, y), q in deliveries.items()
                if n == target.nation and y == year
            )
            if year <= min(target.due_year, deadline):
                by_due = cumulative
            if filled_year is None and cumulative >= target.quantity - 1e-6:
                filled_year = year
        fills.append(
            TargetFill(
                nation=target.nation,
                capability=target.capability,
                quantity=target.quantity,
                due_year=target.due_year,
                held=held,
                filled_by_due=by_due,
                shortfall=max(float(solution.x[v.shortfall[row]]), 0.0) + 0.0,  # no -0.0
                filled_year=filled_year,
            )
        )
    return fills
