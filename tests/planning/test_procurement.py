"""Joint procurement: known optima of small plans solvable by hand, every EDIP rule on crafted
plans, capacity and lead time, and bad files rejected with field and line."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from dronewall.core.errors import ConfigError
from dronewall.planning.procurement import (
    bills,
    capacity,
    edip_violations,
    frontier,
    load_plan,
    optimise,
    parse_plan,
)


def plan_text(
    nations: list[str],
    need: int = 4,
    eu_content: float = 0.9,
    capacity_per_year: int = 1000,
    lead: int = 0,
    due: int = 2027,
) -> str:
    """Each nation needs ``need`` units by ``due``; one system at 100 each, 80 from 10 units."""
    parts = ['[plan]\nname = "t"\nstart_year = 2026\nhorizon_year = 2028\n']
    for code in nations:
        parts.append(f'[[nation]]\ncode = "{code}"\nname = "{code}"\n')
    for code in nations:
        parts.append(
            f'[[target]]\nnation = "{code}"\ncapability = "c"\n'
            f"quantity = {need}\ndue_year = {due}\n"
        )
    parts.append(
        f"""[[system]]
id = "s"
name = "system"
supplier = "x"
supplier_country = "DEU"
origin = "EU"
eu_content = {eu_content}
capabilities = {{ c = 1 }}
price = [{{ min_quantity = 1, unit_price_eur = 100 }}, {{ min_quantity = 10, unit_price_eur = 80 }}]
lead_time_months = {lead}
capacity_per_year = {capacity_per_year}
"""
    )
    return "\n".join(parts)


def test_three_states_two_eu_buy_jointly_at_the_volume_price() -> None:
    plan = parse_plan(plan_text(["POL", "LTU", "NOR"]))
    result = optimise(plan)
    assert result.cost_eur == pytest.approx(12 * 80)  # by hand: one joint lot of 12 at 80
    (lot,) = result.lots
    assert lot.joint and lot.members == {"POL": 4, "LTU": 4, "NOR": 4}
    assert edip_violations(lot, plan) == []


def test_two_states_cannot_form_a_joint_lot() -> None:
    result = optimise(parse_plan(plan_text(["POL", "LTU"])))
    assert not any(lot.joint for lot in result.lots)
    assert result.cost_eur == pytest.approx(2 * 4 * 100)  # two national lots at 100


def test_one_eu_member_is_not_enough() -> None:
    result = optimise(parse_plan(plan_text(["POL", "NOR", "UKR"])))
    assert not any(lot.joint for lot in result.lots)
    assert result.cost_eur == pytest.approx(3 * 4 * 100)


def test_states_outside_edip_cannot_join() -> None:
    result = optimise(parse_plan(plan_text(["POL", "LTU", "GBR"])))  # the UK is not EDIP-eligible
    assert not any(lot.joint for lot in result.lots)


def test_non_eu_content_above_35_percent_forbids_a_joint_lot() -> None:
    result = optimise(parse_plan(plan_text(["POL", "LTU", "LVA"], eu_content=0.6)))
    assert not any(lot.joint for lot in result.lots)
    assert result.cost_eur == pytest.approx(3 * 4 * 100)


def test_buying_up_to_a_break_is_cheaper_than_buying_exactly() -> None:
    result = optimise(parse_plan(plan_text(["POL"], need=9)))
    assert result.cost_eur == pytest.approx(10 * 80)  # 10 at 80 < 9 at 100


def test_capacity_and_lead_time_limit_deliveries() -> None:
    plan = parse_plan(plan_text(["POL"], need=150, capacity_per_year=120, lead=6, due=2027))
    assert capacity(plan, plan.systems["s"], 2026) == pytest.approx(60.0)  # 6 of 12 months
    result = optimise(plan)
    assert result.deliveries[("POL", "s", 2026)] == 60
    assert result.deliveries[("POL", "s", 2027)] == 90
    assert result.targets[0].filled_year == 2027


def test_an_impossible_target_shows_as_shortfall_not_failure() -> None:
    result = optimise(parse_plan(plan_text(["POL"], need=150, capacity_per_year=100, due=2026)))
    assert result.targets[0].shortfall == pytest.approx(50.0)


def test_frontier_shows_that_earlier_completion_costs_more() -> None:
    text = plan_text(["POL"], need=100, capacity_per_year=60, due=2028)
    text += """
[[system]]
id = "fast"
name = "dearer, in stock"
supplier = "y"
supplier_country = "FRA"
origin = "EU"
eu_content = 0.9
capabilities = { c = 1 }
price = [{ min_quantity = 1, unit_price_eur = 150 }]
lead_time_months = 0
capacity_per_year = 1000
"""
    points = {p.deadline_year: p for p in frontier(parse_plan(text))}
    assert points[2027].cost_eur == pytest.approx(100 * 80)  # 60 + 40 of the cheap system
    assert points[2026].cost_eur == pytest.approx(60 * 80 + 40 * 150)
    assert points[2026].feasible and points[2026].cost_eur > points[2027].cost_eur


def test_sample_plan_meets_every_rule_and_target() -> None:
    path = Path(str(resources.files("dronewall.planning") / "data" / "sample-procurement.toml"))
    plan = load_plan(path)
    assert plan.illustrative
    result = optimise(plan)
    assert result.shortfall == pytest.approx(0.0, abs=1e-6)
    for lot in result.lots:
        assert edip_violations(lot, plan) == []
        for code in lot.members:
            assert lot.joint or len(lot.members) == 1
            assert not lot.joint or plan.nations[code].may_join_edip
    owed = bills(plan, result)
    assert sum(b.total_eur for b in owed) == pytest.approx(result.cost_eur)
    for bill in owed:
        for line in bill.lines:
            assert line.edip_grant_eur + line.safe_loan_eur + line.national_eur == pytest.approx(
                line.amount_eur
            )
            assert line.safe_loan_eur == 0 or plan.nations[bill.nation].eu
        assert (
            sum(line.safe_loan_eur for line in bill.lines)
            <= plan.nations[bill.nation].safe_loan_eur + 1e-6
        )


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('nation = "LTU"', 'nation = "XXX"', "target[1].nation"),
        ('code = "POL"\nname = "POL"', 'code = "POL"\nname = "POL"\nsafe_loan_eur = 5', ""),
        ("due_year = 2027", "due_year = 2035", "target[0].due_year"),
        ("min_quantity = 1,", "min_quantity = 2,", "system[0]"),
    ],
)
def test_bad_plans_name_the_field(old: str, new: str, field: str) -> None:
    text = plan_text(["POL", "LTU", "NOR"]).replace(old, new, 1)
    if "safe_loan_eur" in new:
        text = plan_text(["POL", "LTU", "NOR"]).replace(
            'code = "NOR"\nname = "NOR"', 'code = "NOR"\nname = "NOR"\nsafe_loan_eur = 5'
        )
        field = "nation[2].safe_loan_eur"
    with pytest.raises(ConfigError) as caught:
        parse_plan(text, "plan.toml")
    assert caught.value.field == field
    assert caught.value.line is not None
