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

__all__ = [
    "Collateral",
    "Effect",
    "Effector",
    "EffectorCatalogue",
    "EffectorKind",
    "load_effectors",
    "parse_effectors",
]
