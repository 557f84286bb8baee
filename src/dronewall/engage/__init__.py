"""Engage: effectors and their laydowns, rules of engagement, intercept geometry; the static
weapon-target assignment (``wta.py``, ``wta_format.py``, ``wta_bound.py``; ``docs/engage.md``);
a decision cycle's recommendations (``recommend.py``) and the engagement tasks (``tasks.py``)."""

from dronewall.engage.effectors import (
    Collateral,
    Effect,
    Effector,
    EffectorCatalogue,
    EffectorKind,
    load_effectors,
    parse_effectors,
)
from dronewall.engage.intercept import EffectorGeometry, InterceptSolution, Threats, intercept
from dronewall.engage.laydown import EffectorLaydown, load_laydown, parse_laydown
from dronewall.engage.recommend import Plan, plan, recommend
from dronewall.engage.recommend_types import (
    SITE_VALUE_EUR,
    EffectorUnits,
    Recommendation,
    RecommendConfig,
    ThreatPicture,
)
from dronewall.engage.roe import (
    Decision,
    RulesOfEngagement,
    TrackState,
    WeaponsControl,
    load_roe,
    parse_roe,
)
from dronewall.engage.tasks import (
    IllegalTaskTransitionError,
    Task,
    TaskBoard,
    TaskError,
    TaskEvent,
    TaskState,
    replay_states,
)
from dronewall.engage.wta import WtaInstance, WtaSolution, feasible, objective, solve
from dronewall.engage.wta_format import WtaFormatError, parse_wta, read_wta

__all__ = [
    "SITE_VALUE_EUR",
    "Collateral",
    "Decision",
    "Effect",
    "Effector",
    "EffectorCatalogue",
    "EffectorGeometry",
    "EffectorKind",
    "EffectorLaydown",
    "EffectorUnits",
    "IllegalTaskTransitionError",
    "InterceptSolution",
    "Plan",
    "RecommendConfig",
    "Recommendation",
    "RulesOfEngagement",
    "Task",
    "TaskBoard",
    "TaskError",
    "TaskEvent",
    "TaskState",
    "ThreatPicture",
    "Threats",
    "TrackState",
    "WeaponsControl",
    "WtaFormatError",
    "WtaInstance",
    "WtaSolution",
    "feasible",
    "intercept",
    "load_effectors",
    "load_laydown",
    "load_roe",
    "objective",
    "parse_effectors",
    "parse_laydown",
    "parse_roe",
    "parse_wta",
    "plan",
    "read_wta",
    "recommend",
    "replay_states",
    "solve",
]
