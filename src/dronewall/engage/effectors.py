"""The effector catalogue: what each kind of weapon or jammer can reach, how fast, how well
and at what price.

A catalogue file (TOML, format in ``docs/effectors.md``) holds ``[[effector]]`` types. Each
has an engagement envelope (slant range and height limits), a fly-out speed (``inf`` for RF
effects, which act at the speed of light), a reaction time (cue to launch or to effect), a
single-shot kill probability for each dronewall drone kind (``ObjectKind`` 1–4), a cost per
shot in euros, a magazine and its reload time, and a collateral class. Every figure carries a
public source or the word ``estimate:`` and the reason, in ``[effector.source]``; the loader
refuses a type whose source table lacks an entry. The packaged catalogue is
``engage/data/effectors.toml``.

The kill probabilities of RF effectors encode what they can work on: a jammer cuts a control
or video link, so against a drone flying a pre-programmed GNSS/INS route with no link (a
Shahed-class one-way attack drone) its probability is 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from dronewall.core.errors import ConfigError
from dronewall.core.types import ObjectKind
from dronewall.records.tomlfile import Strict, field_error, parse_toml, read_text

FloatArray = npt.NDArray[np.float64]

# The drone kinds an effector is scored against, in ObjectKind order (values 1..4).
DRONE_KINDS: tuple[ObjectKind, ...] = (
    ObjectKind.ONE_WAY_ATTACK,
    ObjectKind.DECOY,
    ObjectKind.QUADCOPTER,
    ObjectKind.RECON_FIXED_WING,
)
SOURCE_KEYS = ("envelope", "speed", "reaction", "pk", "cost", "magazine")


class EffectorKind(StrEnum):
    """The family an effector belongs to; rules of engagement and approvals name these."""

    INTERCEPTOR_DRONE = "interceptor_drone"
    MACHINE_GUN = "machine_gun"
    GUN = "gun"  # medium-calibre air-defence guns (35 mm)
    MANPADS = "manpads"
    SHORAD = "shorad"
    JAMMER = "jammer"
    SPOOFER = "spoofer"
    HELICOPTER = "helicopter"
    FIGHTER = "fighter"


class Effect(StrEnum):
    """How the effector defeats a drone: by hitting it or through its radio receivers."""

    KINETIC = "kinetic"
    RF = "rf"


class Collateral(StrEnum):
    """What a shot leaves behind: falling debris, radio interference, or nothing to speak of."""

    DEBRIS = "debris"
    RF = "rf"
    NONE = "none"


class _Pk(Strict):
    one_way_attack: float = Field(ge=0, le=1)
    decoy: float = Field(ge=0, le=1)
    quadcopter: float = Field(ge=0, le=1)
    recon_fixed_wing: float = Field(ge=0, le=1)


class _Source(Strict):
    envelope: str = Field(min_length=8)
    speed: str = Field(min_length=8)
    reaction: str = Field(min_length=8)
    pk: str = Field(min_length=8)
    cost: str = Field(min_length=8)
    magazine: str = Field(min_length=8)


class _Effector(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    kind: EffectorKind
    effect: Effect
    min_range_m: float = Field(default=0.0, ge=0)
    max_range_m: float = Field(gt=0)
    min_altitude_m: float = Field(default=0.0, ge=0)
    max_altitude_m: float = Field(gt=0)
    speed_mps: float = Field(gt=0)  # inf: the effect arrives at once (RF)
    reaction_s: float = Field(ge=0)
    magazine: int = Field(ge=0)  # shots before a reload; 0: no magazine limit (RF)
    reload_s: float = Field(ge=0)
    cost_per_shot_eur: float = Field(ge=0)
    collateral: Collateral
    pk: _Pk
    source: _Source

    @model_validator(mode="after")
    def _consistent(self) -> _Effector:
        if self.min_range_m >= self.max_range_m:
            raise ValueError("min_range_m must be below max_range_m")
        if self.min_altitude_m >= self.max_altitude_m:
            raise ValueError("min_altitude_m must be below max_altitude_m")
        if self.effect is Effect.RF and self.collateral is Collateral.DEBRIS:
            raise ValueError("an RF effector has collateral 'rf' or 'none', not 'debris'")
        if self.effect is Effect.KINETIC and math.isinf(self.speed_mps):
            raise ValueError("a kinetic effector needs a finite speed_mps")
        return self


class _CatalogueFile(Strict):
    effector: list[_Effector] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Effector:
    """One type of effector, as the catalogue describes it."""

    id: str
    name: str
    kind: EffectorKind
    effect: Effect
    min_range_m: float
    max_range_m: float
    min_altitude_m: float
    max_altitude_m: float
    speed_mps: float
    reaction_s: float
    magazine: int
    reload_s: float
    cost_per_shot_eur: float
    collateral: Collateral
    pk_by_kind: dict[ObjectKind, float]
    sources: dict[str, str]

    @property
    def kinetic(self) -> bool:
        return self.effect is Effect.KINETIC

    def pk(self, drone_kind: int) -> float:
        """Single-shot kill probability against an ``ObjectKind`` value; a drone of unknown
        kind (0) or a kind not in the table gets the lowest figure over the drone kinds, so
        an unidentified drone is never assumed easy."""
        try:
            return self.pk_by_kind[ObjectKind(drone_kind)]
        except (ValueError, KeyError):
            return min(self.pk_by_kind.values())

    def works_on(self) -> tuple[ObjectKind, ...]:
        """The drone kinds this effector can defeat at all (kill probability above 0)."""
        return tuple(kind for kind in DRONE_KINDS if self.pk_by_kind[kind] > 0)


@dataclass(frozen=True, slots=True)
class EffectorCatalogue:
    """The effector types, by id, in file order."""

    types: dict[str, Effector]

    def get(self, type_id: str) -> Effector:
        try:
            return self.types[type_id]
        except KeyError:
            known = ", ".join(self.types)
            raise ConfigError(f"unknown effector type {type_id!r} (known: {known})") from None

    def pk_table(self, type_ids: list[str]) -> FloatArray:
        """(len(type_ids), 5) kill probabilities indexed by ObjectKind value 0..4; column 0
        (drone of unknown kind) is the row's lowest figure, as in :meth:`Effector.pk`."""
        table = np.zeros((len(type_ids), 5))
        for row, type_id in enumerate(type_ids):
            effector = self.get(type_id)
            table[row] = [effector.pk(kind) for kind in range(5)]
        return table


def default_catalogue_path() -> Path:
    """The catalogue shipped with the package."""
    return Path(str(resources.files("dronewall.engage") / "data" / "effectors.toml"))


def load_effectors(path: Path | None = None) -> EffectorCatalogue:
    """Read a catalogue file (default: the packaged one); ``ConfigError`` names the field."""
    path = path or default_catalogue_path()
    return parse_effectors(read_text(path), str(path))


def parse_effectors(text: str, source: str = "<effectors>") -> EffectorCatalogue:
    """Validate catalogue TOML text."""
    model = parse_toml(_CatalogueFile, text, source)
    types: dict[str, Effector] = {}
    for row, item in enumerate(model.effector):
        if item.id in types:
            raise field_error(text, source, ("effector", row, "id"), f"duplicate id {item.id!r}")
        fields = item.model_dump(exclude={"pk", "source"})
        pk = {kind: float(getattr(item.pk, kind.name.lower())) for kind in DRONE_KINDS}
        sources = {key: str(getattr(item.source, key)) for key in SOURCE_KEYS}
        types[item.id] = Effector(**fields, pk_by_kind=pk, sources=sources)
    return EffectorCatalogue(types)
