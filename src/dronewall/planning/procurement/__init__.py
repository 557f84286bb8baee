"""Capability targets and joint procurement: the plan file, the optimiser and the bills."""

from dronewall.planning.procurement.funding import Bill, BillLine, bills, edip_violations
from dronewall.planning.procurement.optimise import (
    FrontierPoint,
    Lot,
    ProcurementResult,
    TargetFill,
    capacity,
    frontier,
    optimise,
)
from dronewall.planning.procurement.plan import (
    Nation,
    Plan,
    PriceBreak,
    Rules,
    System,
    Target,
    load_plan,
    parse_plan,
)

__all__ = [
    "Bill",
    "BillLine",
    "FrontierPoint",
    "Lot",
    "Nation",
    "Plan",
    "PriceBreak",
    "ProcurementResult",
    "Rules",
    "System",
    "Target",
    "TargetFill",
    "bills",
    "capacity",
    "edip_violations",
    "frontier",
    "load_plan",
    "optimise",
    "parse_plan",
]
