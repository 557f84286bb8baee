"""Multi-sensor tracking: reports from every kind of sensor become one track per real object.

Columnar throughout: the track table is a set of arrays (``store``), and prediction, gating,
assignment and update are vectorised calls over all tracks and reports of a time slice. The
tracker is built of swappable parts (``parts``): gater, associator, filter, initiator, track
manager and the handler of late reports.
"""

from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.filtering import ImmFilter
from dronewall.tracking.initiation import PointsAndBearings
from dronewall.tracking.late import ReorderWindow
from dronewall.tracking.management import ScoreAndRevisit
from dronewall.tracking.parts import (
    Associator,
    ChiSquareGater,
    Filter,
    Gater,
    Initiator,
    LateReports,
    NearestNeighbour,
    TrackManager,
)
from dronewall.tracking.stats import TrackerStats
from dronewall.tracking.tracker import Tracker

__all__ = [
    "Associator",
    "ChiSquareGater",
    "Filter",
    "Gater",
    "ImmFilter",
    "Initiator",
    "LateReports",
    "NearestNeighbour",
    "PointsAndBearings",
    "ReorderWindow",
    "ScoreAndRevisit",
    "TrackManager",
    "Tracker",
    "TrackerConfig",
    "TrackerStats",
]
