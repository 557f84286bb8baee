"""Recording the live picture: every report, track state, alert event and operator action."""

from dronewall.store.base import ActionRecord, RunInfo, Store, TrackHistory
from dronewall.store.frame import Affiliation, PictureFrame

__all__ = ["ActionRecord", "Affiliation", "PictureFrame", "RunInfo", "Store", "TrackHistory"]
