"""Multi-sensor tracking: reports from every kind of sensor become one track per real object.

Columnar throughout: the track table is a set of arrays (``store``), and prediction, gating,
assignment and update are vectorised calls over all tracks and reports of a time slice.
"""

from dronewall.tracking.config import TrackerConfig
from dronewall.tracking.tracker import Tracker, TrackerStats

__all__ = ["Tracker", "TrackerConfig", "TrackerStats"]
