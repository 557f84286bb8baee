"""Assess and alert: threat of each track to protected sites and geofences, an explainable
priority, and one alert per object with a lifecycle, hysteresis and "airspace clear".

Wiring (``docs/alerts.md``)::

    zones = protected_zones(load_world(), load_geofences(path))
    assessor = ThreatAssessor(zones)               # AssessConfig for the horizon, thresholds
    alerts = AlertManager()                        # AlertConfig for p_on/p_off, times
    threats = assessor.assess(tracks, classes)     # TrackBatch, ClassBatch → ThreatBatch
    events = alerts.update(t, classes, threats)    # → raised, escalated, auto-cleared, site-clear
"""

from dronewall.assess.alert_types import (
    Alert,
    AlertConfig,
    AlertEvent,
    AlertState,
    AlertTable,
    EventKind,
    OperatorAction,
    SiteState,
)
from dronewall.assess.alerts import AlertManager
from dronewall.assess.errors import AlertError, IllegalTransitionError, UnknownAlertError
from dronewall.assess.geofence import Geofence, load_geofences, parse_geofences
from dronewall.assess.path import PredictedPath, predict_path
from dronewall.assess.threat import (
    Approaches,
    AssessConfig,
    ThreatAssessor,
    ThreatBatch,
    TrackMotion,
)
from dronewall.assess.zones import (
    KIND_WEIGHT,
    LatLonBox,
    ProtectedZones,
    build_zones,
    protected_zones,
)

__all__ = [
    "KIND_WEIGHT",
    "Alert",
    "AlertConfig",
    "AlertError",
    "AlertEvent",
    "AlertManager",
    "AlertState",
    "AlertTable",
    "Approaches",
    "AssessConfig",
    "EventKind",
    "Geofence",
    "IllegalTransitionError",
    "LatLonBox",
    "OperatorAction",
    "PredictedPath",
    "ProtectedZones",
    "SiteState",
    "ThreatAssessor",
    "ThreatBatch",
    "TrackMotion",
    "UnknownAlertError",
    "build_zones",
    "load_geofences",
    "parse_geofences",
    "predict_path",
    "protected_zones",
]
