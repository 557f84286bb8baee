"""The procurement report: what each nation buys, in which lot, with whom, at what price,
delivered when and paid by which instrument; the EDIP check of every joint lot; the
cost–time trade-off."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dronewall.planning.procurement import (
    Bill,
    FrontierPoint,
    Plan,
    ProcurementResult,
    edip_violations,
)
from dronewall.planning.report import html, plots


def to_json(
    plan: Plan, result: ProcurementResult, bills: list[Bill], frontier: list[FrontierPoint]
) -> dict[str, Any]:
    return {
        "plan": plan.name,
        "illustrative": plan.illustrative,
        "status": result.status,
        "gap": result.gap,
        "cost_eur": result.cost_eur,
        "edip_grant_eur": result.grant_eur,
        "joint_share": result.joint_share,
        "lots": [
            {
                **asdict(lot),
                "quantity": lot.quantity,
                "cost_eur": lot.cost_eur,
                "edip_violations": edip_violations(lot, plan),
            }
            for lot in result.lots
        ],
        "bills": [
            {
                "nation": b.nation,
                "status": b.status,
                "total_eur": b.total_eur,
                "lines": [asdict(line) for line in b.lines],
            }
            for b in bills
        ],
        "targets": [asdict(t) for t in result.targets],
        "deliveries": [
            {"nation": n, "system": s, "year": y, "units": q}
            for (n, s, y), q in sorted(result.deliveries.items())
        ],
        "frontier": [asdict(p) for p in frontier],
    }


def to_html(
    plan: Plan,
    result: ProcurementResult,
    bills: list[Bill],
    frontier: list[FrontierPoint],
    where: list[str] | None = None,
) -> str:
    """The procurement report; ``where`` adds sections on where the sensors stand."""
    sections = []
    if plan.illustrative:
        sections.append(
            html.note(
                "ILLUSTRATIVE SAMPLE: the targets, holdings and most prices in this plan are "
                "invented. Real NATO capability targets are classified; supply your own."
            )
        )
    sections.append(
        html.section(
            "Summary",
            html.paragraph(
                f"Total {html.eur(result.cost_eur)} ({html.eur(result.grant_eur)} paid by EDIP "
                f"grants); {result.joint_share:.0%} of spending in joint lots (EU aim: 40% "
                f"joint procurement by end-2027). Solver: {result.status}, proven gap "
                f"{result.gap:.2%}."
            ),
            html.paragraph(
                "Every target met by its due year."
                if result.shortfall <= 1e-6
                else f"NOT every target can be met: shortfall of {result.shortfall:g} "
                "capability units (see targets).",
                "ok" if result.shortfall <= 1e-6 else "bad",
            ),
        )
    )
    for bill in bills:
        rows = [
            [
                line.system,
                plan.systems[line.system].supplier,
                line.lot,
                line.quantity,
                html.eur(line.unit_price_eur),
                html.eur(line.amount_eur),
                html.eur(line.edip_grant_eur),
                html.eur(line.safe_loan_eur),
                html.eur(line.national_eur),
                _years(line.first_delivery_year, line.last_delivery_year),
            ]
            for line in bill.lines
        ]
        sections.append(
            html.section(
                f"{bill.name} ({bill.nation}, {bill.status}) — {html.eur(bill.total_eur)}",
                html.table(
                    [
                        "system",
                        "supplier",
                        "lot",
                        "units",
                        "unit price",
                        "amount",
                        "EDIP grant",
                        "SAFE loan",
                        "national budget",
                        "delivered",
                    ],
                    rows,
                ),
            )
        )
    lot_rows = []
    for lot in result.lots:
        system = plan.systems[lot.system]
        problems = edip_violations(lot, plan)
        check = (
            ("breaks: " + "; ".join(problems))
            if problems
            else ("meets EDIP rules" if lot.joint else "national")
        )
        lot_rows.append(
            [
                lot.id,
                system.name,
                ", ".join(f"{c} {q}" for c, q in lot.members.items()),
                lot.quantity,
                html.eur(lot.unit_price_eur),
                html.eur(lot.cost_eur),
                system.origin,
                f"{plan.rules.non_eu_content(system):.0%}",
                check,
            ]
        )
    sections.append(
        html.section(
            "Lots: who buys with whom",
            html.table(
                [
                    "lot",
                    "system",
                    "members (units)",
                    "units",
                    "unit price",
                    "cost",
                    "origin",
                    "non-EU content",
                    "EDIP check",
                ],
                lot_rows,
            ),
        )
    )
    target_rows = [
        [
            t.nation,
            t.capability,
            t.quantity,
            t.due_year,
            t.held,
            t.filled_by_due,
            t.filled_year or "never",
            t.shortfall,
        ]
        for t in result.targets
    ]
    sections.append(
        html.section(
            "Capability targets",
            html.table(
                [
                    "nation",
                    "capability",
                    "target",
                    "due",
                    "held",
                    "by due year",
                    "met in",
                    "shortfall",
                ],
                target_rows,
            ),
        )
    )
    sections.append(html.section("Deliveries by year", _deliveries(plan, result)))
    if frontier:
        years = [p.deadline_year for p in frontier]
        svg = plots.line_svg(
            years,
            {"cost (€ M)": [p.cost_eur / 1e6 for p in frontier]},
            "every target met by (year)",
            "€ M",
        )
        rows = [
            [
                p.deadline_year,
                html.eur(p.cost_eur),
                html.eur(p.net_cost_eur),
                "yes" if p.feasible else f"no (short {p.shortfall:g})",
            ]
            for p in frontier
        ]
        sections.append(
            html.section(
                "Cost–time trade-off",
                html.figure(svg, "Least cost if every target must also be met by the given year."),
                html.table(["all met by", "cost", "net of grants", "feasible"], rows),
            )
        )
    names = [b.nation for b in bills]
    svg = plots.bars_svg(
        names,
        {
            "EDIP grant": [sum(line.edip_grant_eur for line in b.lines) / 1e6 for b in bills],
            "SAFE loan": [sum(line.safe_loan_eur for line in b.lines) / 1e6 for b in bills],
            "national budget": [b.national_eur / 1e6 for b in bills],
        },
        "€ M",
        stacked=True,
    )
    sections.append(
        html.section("Who pays", html.figure(svg, "Each nation's bill by funding instrument."))
    )
    sections += where or []
    return html.page(
        plan.title,
        f"dronewall plan procurement — {plan.name}, orders from "
        f"{plan.start_year}-{plan.start_month:02d}",
        sections,
    )


def _years(first: int | None, last: int | None) -> str:
    if first is None:
        return "—"
    return str(first) if first == last else f"{first}–{last}"


def _deliveries(plan: Plan, result: ProcurementResult) -> str:
    years = list(plan.years)
    keys = sorted({(n, s) for (n, s, _y) in result.deliveries})
    rows = [[n, s, *[result.deliveries.get((n, s, y), 0) for y in years]] for n, s in keys]
    return html.table(["nation", "system", *[str(y) for y in years]], rows)
