"""Engage: effectors and their laydowns, rules of engagement, intercept geometry."""

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
from dronewall.engage.roe import (
    Decision,
    RulesOfEngagement,
    TrackState,
    WeaponsControl,
    load_roe,
    parse_roe,
)

__all__ = [
    "Collateral",
    "Decision",
    "Effect",
    "Effector",
    "EffectorCatalogue",
    "EffectorGeometry",
    "EffectorKind",
    "EffectorLaydown",
    "InterceptSolution",
    "RulesOfEngagement",
    "Threats",
    "TrackState",
    "WeaponsControl",
    "intercept",
    "load_effectors",
    "load_laydown",
    "load_roe",
    "parse_effectors",
    "parse_laydown",
    "parse_roe",
]
