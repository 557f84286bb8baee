"""Tracking performance metrics: GOSPA and SIAP, on columnar truth and track trajectories.

Pure functions on numpy arrays (positions in metres in any 2-D or 3-D Cartesian frame):

* ``gospa_frame`` / ``gospa_run``: GOSPA with α = 2 (Rahmathullah, García-Fernández and
  Svensson, FUSION 2017), per frame with its localisation / missed / false decomposition;
* ``associate_tracks_to_truth``: Stone Soup 1.9's ``TrackToTruth`` association over time;
* ``siap_metrics``: the SIAP attributes (Votruba et al. 2001) as Stone Soup 1.9's
  ``SIAPMetrics`` computes them.
"""

from dronewall.metrics.association import TrackTruthAssociations, associate_tracks_to_truth
from dronewall.metrics.gospa import GospaFrame, GospaRun, gospa_frame, gospa_run
from dronewall.metrics.siap import SiapResult, siap_metrics
from dronewall.metrics.trajectories import Trajectories

__all__ = [
    "GospaFrame",
    "GospaRun",
    "SiapResult",
    "TrackTruthAssociations",
    "Trajectories",
    "associate_tracks_to_truth",
    "gospa_frame",
    "gospa_run",
    "siap_metrics",
]
