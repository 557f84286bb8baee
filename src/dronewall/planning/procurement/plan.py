"""The procurement plan file: nations, capability targets, holdings, a system catalogue and the
joint-procurement rules (TOML; format in ``docs/planning.md``).

The data model follows ``shared/reference/threat-cost-planning.md`` §4.1:

* a **nation** is an EU member, a NATO ally or a partner — taken from ``dronewall.world``'s
  membership lists (EU and NATO as published in 2025), never from the file, so a plan cannot
  contradict them; it may hold a SAFE loan allocation;
* a **capability target** asks a nation for a quantity of a capability by a year. NATO
  capability targets are classified (NDPP): targets are supplied by the user, and the packaged
  sample is illustrative only;
* a **holding** is a system a nation already has; it counts towards its targets;
* a **system** has a supplier and origin, unit prices with volume breaks (all-units discounts),
  a lead time, a yearly production capacity and the share of its cost that is eligible
  (EU/EEA, and Ukraine where the rules count it);
* the **rules** are EDIP's for joint procurement (Council adoption 8 Dec 2025): at least three
  states, at least two of them EU members, at most 35 % non-eligible content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text
from dronewall.world.membership import EU_MEMBERS, NATO_ALLIES, is_eu, is_nato

# EDIP treats EEA-EFTA states and Ukraine as able to take part in joint procurement with
# member states (EDIP proposal and Ukraine Support Instrument); other third states cannot.
EDIP_ASSOCIATED: frozenset[str] = frozenset({"NOR", "ISL", "LIE", "UKR"})
Origin = Literal["EU", "UA", "other"]


class _Header(Strict):
    name: str
    title: str = ""
    illustrative: bool = False
    start_year: int = Field(ge=2000, le=2100)
    start_month: int = Field(default=1, ge=1, le=12)
    horizon_year: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _order(self) -> _Header:
        if self.horizon_year < self.start_year:
            raise ValueError("horizon_year must not be before start_year")
        if self.horizon_year - self.start_year > 25:
            raise ValueError("a plan spans at most 25 years")
        return self


class _Rules(Strict):
    joint_min_states: int = Field(default=3, ge=2)
    joint_min_eu_states: int = Field(default=2, ge=0)
    max_non_eu_content: float = Field(default=0.35, ge=0, le=1)
    count_ukraine_as_eu: bool = True
    max_joint_lots_per_system: int = Field(default=2, ge=0, le=10)
    joint_grant_share: float = Field(default=0.0, ge=0, lt=1)
    safe_max_non_eu_content: float = Field(default=0.35, ge=0, le=1)


class _Nation(Strict):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    safe_loan_eur: float = Field(default=0.0, ge=0)


class _Target(Strict):
    nation: str
    capability: str = Field(min_length=1)
    quantity: float = Field(gt=0)
    due_year: int = Field(ge=2000, le=2100)
    note: str = ""


class _Holding(Strict):
    nation: str
    system: str
    quantity: int = Field(ge=0)


class _PriceBreak(Strict):
    min_quantity: int = Field(ge=1)
    unit_price_eur: float = Field(gt=0)


class _System(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    supplier: str
    supplier_country: str = Field(pattern=r"^[A-Z]{3}$")
    origin: Origin
    eu_content: float = Field(ge=0, le=1)  # share of cost from the EU or EEA
    ua_content: float = Field(default=0.0, ge=0, le=1)  # share of cost from Ukraine
    capabilities: dict[str, float] = Field(min_length=1)
    price: list[_PriceBreak] = Field(min_length=1)
    lead_time_months: int = Field(ge=0, le=120)
    capacity_per_year: int = Field(ge=1)
    source: str = ""
    illustrative: bool = False

    @model_validator(mode="after")
    def _checks(self) -> _System:
        if self.eu_content + self.ua_content > 1.0 + 1e-9:
            raise ValueError("eu_content + ua_content must not exceed 1")
        breaks = [b.min_quantity for b in self.price]
        if breaks[0] != 1 or breaks != sorted(set(breaks)):
            raise ValueError("price breaks must start at min_quantity = 1 and increase")
        if any(v <= 0 for v in self.capabilities.values()):
            raise ValueError("capability amounts must be positive")
        return self


class _PlanFile(Strict):
    plan: _Header
    rules: _Rules = _Rules()
    nation: list[_Nation] = Field(min_length=1)
    target: list[_Target] = Field(min_length=1)
    holding: list[_Holding] = Field(default_factory=list)
    system: list[_System] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Nation:
    code: str
    name: str
    eu: bool
    nato: bool
    safe_loan_eur: float

    @property
    def status(self) -> str:
        """One of: EU member (and NATO ally), NATO ally, partner."""
        if self.eu:
            return "EU member and NATO ally" if self.nato else "EU member"
        return "NATO ally" if self.nato else "partner"

    @property
    def may_join_edip(self) -> bool:
        return self.eu or self.code in EDIP_ASSOCIATED


@dataclass(frozen=True, slots=True)
class Target:
    nation: str
    capability: str
    quantity: float
    due_year: int
    note: str


@dataclass(frozen=True, slots=True)
class PriceBreak:
    min_quantity: int
    unit_price_eur: float


@dataclass(frozen=True, slots=True)
class System:
    id: str
    name: str
    supplier: str
    supplier_country: str
    origin: str
    eu_content: float
    ua_content: float
    capabilities: dict[str, float]
    price: tuple[PriceBreak, ...]
    lead_time_months: int
    capacity_per_year: int
    source: str
    illustrative: bool

    def unit_price(self, quantity: float) -> float:
        """The all-units price of a lot of ``quantity``."""
        price = self.price[0].unit_price_eur
        for brk in self.price:
            if quantity >= brk.min_quantity:
                price = brk.unit_price_eur
        return price


@dataclass(frozen=True, slots=True)
class Rules:
    joint_min_states: int
    joint_min_eu_states: int
    max_non_eu_content: float
    count_ukraine_as_eu: bool
    max_joint_lots_per_system: int
    joint_grant_share: float
    safe_max_non_eu_content: float

    def non_eu_content(self, system: System) -> float:
        """The share of the system's cost that counts as non-EU under these rules."""
        eligible = system.eu_content + (system.ua_content if self.count_ukraine_as_eu else 0.0)
        return max(0.0, 1.0 - eligible)

    def joint_eligible(self, system: System) -> bool:
        return self.non_eu_content(system) <= self.max_non_eu_content + 1e-9


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    title: str
    illustrative: bool
    start_year: int
    start_month: int
    horizon_year: int
    rules: Rules
    nations: dict[str, Nation]
    targets: tuple[Target, ...]
    holdings: dict[tuple[str, str], int]  # (nation, system) → quantity
    systems: dict[str, System]

    @property
    def years(self) -> range:
        return range(self.start_year, self.horizon_year + 1)


def load_plan(path: Path) -> Plan:
    return parse_plan(read_text(path), str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate a plan file; cross-references are checked and name their field and line."""
    model = parse_toml(_PlanFile, text, source)
    nations = _nations(model, text, source)
    systems = _systems(model, text, source)
    capabilities = {c for s in systems.values() for c in s.capabilities}
    for row, target in enumerate(model.target):
        where = ("target", row)
        if target.nation not in nations:
            raise field_error(text, source, (*where, "nation"), f"unknown nation {target.nation!r}")
        if target.capability not in capabilities:
            message = f"no system provides capability {target.capability!r}"
            raise field_error(text, source, (*where, "capability"), message)
        if not model.plan.start_year <= target.due_year <= model.plan.horizon_year:
            message = "due_year must lie between the plan's start_year and horizon_year"
            raise field_error(text, source, (*where, "due_year"), message)
    holdings: dict[tuple[str, str], int] = {}
    for row, holding in enumerate(model.holding):
        if holding.nation not in nations:
            raise field_error(
                text, source, ("holding", row, "nation"), f"unknown nation {holding.nation!r}"
            )
        if holding.system not in systems:
            raise field_error(
                text, source, ("holding", row, "system"), f"unknown system {holding.system!r}"
            )
        key = (holding.nation, holding.system)
        holdings[key] = holdings.get(key, 0) + holding.quantity
    return Plan(
        name=model.plan.name,
        title=model.plan.title or model.plan.name,
        illustrative=model.plan.illustrative,
        start_year=model.plan.start_year,
        start_month=model.plan.start_month,
        horizon_year=model.plan.horizon_year,
        rules=Rules(**model.rules.model_dump()),
        nations=nations,
        targets=tuple(Target(**t.model_dump()) for t in model.target),
        holdings=holdings,
        systems=systems,
    )


def _nations(model: _PlanFile, text: str, source: str) -> dict[str, Nation]:
    known = EU_MEMBERS | NATO_ALLIES | EDIP_ASSOCIATED
    nations: dict[str, Nation] = {}
    for row, item in enumerate(model.nation):
        if item.code in nations:
            raise field_error(
                text, source, ("nation", row, "code"), f"duplicate nation {item.code!r}"
            )
        if item.code not in known and len(item.code) != 3:
            raise field_error(text, source, ("nation", row, "code"), "must be an ADM0_A3 code")
        eu = is_eu(item.code)
        if item.safe_loan_eur > 0 and not eu:
            message = "only EU member states hold SAFE loan allocations"
            raise field_error(text, source, ("nation", row, "safe_loan_eur"), message)
        nations[item.code] = Nation(
            item.code, item.name, eu, is_nato(item.code), item.safe_loan_eur
        )
    return nations


def _systems(model: _PlanFile, text: str, source: str) -> dict[str, System]:
    systems: dict[str, System] = {}
    for row, item in enumerate(model.system):
        if item.id in systems:
            raise field_error(text, source, ("system", row, "id"), f"duplicate system {item.id!r}")
        fields = item.model_dump(exclude={"price"})
        price = tuple(PriceBreak(b.min_quantity, b.unit_price_eur) for b in item.price)
        systems[item.id] = System(price=price, **fields)
    return systems
