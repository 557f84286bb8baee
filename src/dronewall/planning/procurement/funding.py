"""Each nation's bill, line by line, with the instrument that pays for it.

Instruments are assigned after the optimisation, in this order, for each nation's share of
each lot:

1. **EDIP grant** — ``joint_grant_share`` of a joint lot that meets the EDIP rules;
2. **SAFE loan** — an EU member's SAFE allocation (``safe_loan_eur``; allocations are
   listed in ``shared/reference/threat-cost-planning.md`` §4), used on systems whose non-EU
   content is at most ``safe_max_non_eu_content``, largest lines first, until it runs out;
3. **national budget** — the rest.

This is bookkeeping, not advice: the real instruments have more conditions (SAFE's own
joint-procurement and transitional single-state rules, national co-financing).
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewall.planning.procurement.optimise import Lot, ProcurementResult
from dronewall.planning.procurement.plan import Plan


@dataclass(frozen=True, slots=True)
class BillLine:
    nation: str
    lot: str
    system: str
    quantity: int
    unit_price_eur: float
    amount_eur: float
    edip_grant_eur: float
    safe_loan_eur: float
    national_eur: float
    first_delivery_year: int | None
    last_delivery_year: int | None


@dataclass(frozen=True, slots=True)
class Bill:
    nation: str
    name: str
    status: str
    lines: tuple[BillLine, ...]

    @property
    def total_eur(self) -> float:
        return sum(line.amount_eur for line in self.lines)

    @property
    def national_eur(self) -> float:
        return sum(line.national_eur for line in self.lines)


def edip_violations(lot: Lot, plan: Plan) -> list[str]:
    """Every EDIP rule a joint lot breaks (empty when it complies, or for a national lot)."""
    if not lot.joint:
        return []
    rules, system = plan.rules, plan.systems[lot.system]
    nations = [plan.nations[code] for code in lot.members]
    problems = []
    if len(nations) < rules.joint_min_states:
        problems.append(f"{len(nations)} states, fewer than {rules.joint_min_states}")
    eu = sum(n.eu for n in nations)
    if eu < rules.joint_min_eu_states:
        problems.append(f"{eu} EU members, fewer than {rules.joint_min_eu_states}")
    outsiders = [n.code for n in nations if not n.may_join_edip]
    if outsiders:
        problems.append(f"{', '.join(outsiders)} may not join EDIP procurement")
    share = rules.non_eu_content(system)
    if share > rules.max_non_eu_content + 1e-9:
        problems.append(f"non-EU content {share:.0%} above {rules.max_non_eu_content:.0%}")
    return problems


def bills(plan: Plan, result: ProcurementResult) -> list[Bill]:
    """One bill per nation that buys anything, in the plan's nation order."""
    lines: dict[str, list[BillLine]] = {code: [] for code in plan.nations}
    safe_left = {code: n.safe_loan_eur for code, n in plan.nations.items()}
    shares = [(lot, code, qty) for lot in result.lots for code, qty in lot.members.items()]
    shares.sort(key=lambda item: -item[2] * item[0].unit_price_eur)
    for lot, code, qty in shares:
        amount = qty * lot.unit_price_eur
        grant = (
            amount * plan.rules.joint_grant_share
            if lot.joint and not edip_violations(lot, plan)
            else 0.0
        )
        safe = 0.0
        system = plan.systems[lot.system]
        if plan.rules.non_eu_content(system) <= plan.rules.safe_max_non_eu_content + 1e-9:
            safe = min(safe_left[code], amount - grant)
            safe_left[code] -= safe
        years = sorted(
            y
            for (n, s, y), q in result.deliveries.items()
            if n == code and s == lot.system and q > 0
        )
        lines[code].append(
            BillLine(
                nation=code,
                lot=lot.id,
                system=lot.system,
                quantity=qty,
                unit_price_eur=lot.unit_price_eur,
                amount_eur=amount,
                edip_grant_eur=grant,
                safe_loan_eur=safe,
                national_eur=amount - grant - safe,
                first_delivery_year=years[0] if years else None,
                last_delivery_year=years[-1] if years else None,
            )
        )
    return [
        Bill(code, plan.nations[code].name, plan.nations[code].status, tuple(items))
        for code, items in lines.items()
        if items
    ]
