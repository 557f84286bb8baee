"""What a recommendation cycle takes and gives: the threats, the effector units' state, the
value of a protected site by kind, the settings, and the ``Recommendation`` rows
(``recommend.py`` computes them; ``docs/engage.md`` "Recommendations and tasks").

``engage`` sits in layer 2 beside ``assess`` and ``identify`` and may not import them, so the
threats come in as plain columns (``ThreatPicture``); the runtime builds them from a
``TrackBatch`` (state), identify's ``ClassBatch`` (probabilities, drone kind, friendly) and
assess's ``ThreatBatch`` (the most threatened site and the time to it), joined on track id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from dronewall.engage.effectors import Effector, EffectorCatalogue
from dronewall.engage.intercept import EffectorGeometry, InterceptSolution, Threats
from dronewall.engage.laydown import EffectorLaydown
from dronewall.world.sites import SiteKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The value, in EUR, of what one drone that reaches a site of this kind is expected to
# destroy or stop — what an engagement protects. Estimates for ranking, not appraisals; the
# order is what matters (nuclear > military > energy > airport > port > government > other)
# and the cost of a shot is weighed against them in the same currency.
SITE_VALUE_EUR: Final[dict[SiteKind, tuple[float, str]]] = {
    SiteKind.NUCLEAR: (50e6, "a hit risks a release; a shutdown alone costs ~1 M EUR a day "
                       "for weeks, plus the national response"),
    SiteKind.MILITARY: (20e6, "parked aircraft, radars, air-defence launchers and depots: "
                        "one hit can destroy a 10-100 M EUR system"),
    SiteKind.ENERGY: (5e6, "a large transformer costs several M EUR and a year to replace, "
                      "besides the outage"),
    SiteKind.AIRPORT: (3e6, "a closure of a few hours at a hub (Copenhagen, September 2025) "
                       "costs airlines and passengers millions"),
    SiteKind.PORT: (2e6, "cranes, tankers and a halt of cargo handling"),
    SiteKind.GOVERNMENT: (1e6, "one building: damage and disruption, a political target"),
    SiteKind.OTHER: (0.5e6, "a listed site of no named kind"),
}  # fmt: skip

UNLIMITED: Final = -1  # shots_left of an effector without a magazine (RF)


@dataclass(frozen=True, slots=True)
class ThreatPicture:
    """T tracks at one data time: what the assignment needs of each."""

    track_id: IntArray  # (T,)
    state: FloatArray  # (T, 6) ECEF position and velocity (TrackBatch.state)
    probabilities: FloatArray  # (T, 4) unknown, drone, bird, aircraft (ClassBatch)
    drone_kind: IntArray  # (T,) ObjectKind value, 0 when not known
    friendly: BoolArray  # (T,) a registered friendly drone
    site_id: npt.NDArray[np.str_]  # (T,) most threatened site, "" when none
    site_kind: npt.NDArray[np.str_]  # (T,) its SiteKind value, "" when none
    time_to_site_s: FloatArray  # (T,) inf (or NaN) when no site is threatened

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def of(cls, track_id: npt.ArrayLike, state: npt.ArrayLike, probabilities: npt.ArrayLike,
           drone_kind: npt.ArrayLike, site_id: npt.ArrayLike, site_kind: npt.ArrayLike,
           time_to_site_s: npt.ArrayLike,
           friendly: npt.ArrayLike | None = None) -> ThreatPicture:  # fmt: skip
        """Columns from anything array-like; NaN times to site (assess: not getting in)
        become inf."""
        ids = np.asarray(track_id, np.int64).reshape(-1)
        n = ids.shape[0]
        tts = np.asarray(time_to_site_s, float).reshape(n)
        return cls(
            ids, np.asarray(state, float).reshape(n, 6),
            np.asarray(probabilities, float).reshape(n, 4),
            np.asarray(drone_kind, np.int64).reshape(n),
            np.zeros(n, bool) if friendly is None else np.asarray(friendly, bool).reshape(n),
            np.asarray(site_id, np.str_).reshape(n), np.asarray(site_kind, np.str_).reshape(n),
            np.where(np.isnan(tts), np.inf, tts),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class EffectorUnits:
    """Every effector unit of a laydown, one row each, with what it has left: its id
    (``"<laydown row>.<k>"``, stable across cycles), its laydown row and type, its shots left
    (``UNLIMITED`` for RF) and the data time from which it can act again (``inf``: held back
    or out of action)."""

    unit_id: npt.NDArray[np.str_]
    row: IntArray
    type_id: npt.NDArray[np.str_]
    nation: npt.NDArray[np.str_]
    lat: FloatArray
    lon: FloatArray
    shots_left: IntArray
    ready_at: FloatArray

    def __len__(self) -> int:
        return int(self.unit_id.shape[0])

    @classmethod
    def from_laydown(cls, laydown: EffectorLaydown, t: float = 0.0) -> EffectorUnits:
        """Full magazines; units of a row that is not ready are never available."""
        row = np.repeat(np.arange(len(laydown), dtype=np.int64), laydown.count)
        k = np.concatenate([np.arange(c) for c in laydown.count]) if len(row) else row
        ids = np.array([f"{r}.{i}" for r, i in zip(row, k, strict=True)], dtype=np.str_)
        magazine = laydown.magazine[row]
        return cls(
            ids, row, laydown.type_id[row], laydown.nation[row], laydown.lat[row],
            laydown.lon[row], np.where(magazine > 0, magazine, UNLIMITED).astype(np.int64),
            np.where(laydown.ready[row], t, np.inf),
        )  # fmt: skip

    def index(self, unit_id: str) -> int:
        hits = np.flatnonzero(self.unit_id == unit_id)
        if hits.size == 0:
            raise KeyError(f"no effector unit {unit_id!r}")
        return int(hits[0])

    def available(self, t: float) -> BoolArray:
        """Units that can be cued at ``t`` or later (a shot left, not out of action)."""
        return np.asarray((self.shots_left != 0) & np.isfinite(self.ready_at), bool)

    def spend(self, unit_id: str, t: float, busy_until: float,
              catalogue: EffectorCatalogue) -> EffectorUnits:  # fmt: skip
        """After a shot by ``unit_id`` at data time ``t``: one shot fewer, busy until
        ``busy_until``; an emptied magazine is reloaded in the type's ``reload_s``."""
        i = self.index(unit_id)
        shots, ready = self.shots_left.copy(), self.ready_at.copy()
        ready[i] = max(ready[i], busy_until, t)
        if shots[i] > 0:
            shots[i] -= 1
            if shots[i] == 0:
                effector = catalogue.get(str(self.type_id[i]))
                if effector.magazine > 0:
                    shots[i] = effector.magazine
                    ready[i] = max(ready[i], t + effector.reload_s)
        return replace(self, shots_left=shots, ready_at=ready)


@dataclass(frozen=True, slots=True)
class RecommendConfig:
    """How a cycle weighs value against cost and how long it searches.

    The objective is Σ_targets value_j·P(killed_j) − cost_weight·Σ_shots cost_shot, in EUR:
    ``value_j`` = the site value of its kind × P(drone). ``cost_weight`` = 1 weighs a EUR
    spent as a EUR of protected value; 0 ignores cost (maximum protection)."""

    site_value_eur: dict[SiteKind, float] = field(
        default_factory=lambda: {kind: value for kind, (value, _) in SITE_VALUE_EUR.items()}
    )
    cost_weight: float = 1.0
    assessment_s: float = 10.0  # from a shot's arrival to knowing whether it killed
    shoot_look_shoot: bool = True
    time_limit_s: float = 0.1
    iterations: int | None = None  # a fixed search (replays); None: until time_limit_s
    # Enumerate every assignment instead of searching when there are at most this many:
    # a few threats and units (most cycles) are then solved exactly in a few milliseconds.
    exact_limit: int = 20_000
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One engagement to put to the approver: ``unit_id`` of type ``type_id`` at
    ``track_id``; ``reserve_unit_id`` is held back for a second shot after a look ("" when
    none)."""

    unit_id: str
    type_id: str
    track_id: int
    site_id: str
    why: str
    pk: float
    cost_eur: float
    value_eur: float  # the target's value (site value × P(drone))
    time_to_intercept_s: float  # from the cycle's data time
    latest_intercept_s: float  # the last feasible intercept from now (expiry of the task)
    lat: float
    lon: float
    alt_m: float
    approver: str  # the role that must approve (RulesOfEngagement.approver)
    reserve_unit_id: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """The cycle's assignment problem over G unit groups × J candidate tracks."""

    t: float
    threats: ThreatPicture
    units: EffectorUnits
    group_units: list[IntArray]  # unit rows of each group
    group_effector: list[Effector]
    group_delay_s: FloatArray  # (G,) wait before a group can be cued
    target: IntArray  # (J,) rows of the threats
    value: FloatArray  # (J,) EUR
    cost: FloatArray  # (G,) EUR a shot, before cost_weight
    pk: FloatArray  # (G, J) 0 where not feasible or not allowed
    allowed: BoolArray  # (G, J) ROE
    solution: InterceptSolution  # (G, J)
    geometry: EffectorGeometry
    threat_geometry: Threats
    ref: tuple[float, float]
    config: RecommendConfig

    @property
    def capacity(self) -> IntArray:
        return np.array([len(u) for u in self.group_units], dtype=np.int64)
