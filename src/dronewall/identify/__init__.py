"""Identify: drone, bird, manned aircraft or unknown, with a calibrated probability, drone type
where the evidence allows, and registered friendly drones."""

from dronewall.identify.classifier import Classifier, IdentifyConfig
from dronewall.identify.friendly import load_friendly

__all__ = ["Classifier", "IdentifyConfig", "load_friendly"]
