"""Classification: the SAPIENT class taxonomy ⇄ dronewall's ``ObjectClass``.

BSI Flex 335 v2.0 reports a class as a tree of names with confidences
(``DetectionReport.classification[].sub_class[]``, level 1, 2…). The core taxonomy
(``sapient_core``, defined in the BSI document; Dstl's test harness lists it in
``CommonValidator.cs``) has for what flies: ``Air Vehicle`` → ``UAV Rotary Wing``,
``UAV Fixed Wing``, ``Manned Rotary Wing``, ``Manned Fixed Wing``; ``Animal`` → ``Bird``.

Reading: every name on a classification's path is matched case-insensitively against the
table below (vendors also say "Drone", "UAS", "sUAS"); the deepest match decides, and its
confidence is the most specific one given. Of several classifications the most confident
that maps to a class wins. Anything else is ``UNKNOWN`` with the confidence given.

Writing: a drone whose form dronewall does not know is ``Air Vehicle`` / ``UAV``, a manned
aircraft ``Air Vehicle`` / ``Manned``: two extension sub-classes docked onto ``Air Vehicle``,
which dronewall's registrations declare (``TaxonomyDockDefinition``, namespace
``dronewall``). A bird is ``Animal`` / ``Bird``.
"""

from __future__ import annotations

from collections.abc import Iterable

from dronewall.core.types import ObjectClass
from dronewall.sensors.sapient.binding import DetectionReport

AIR_VEHICLE = "Air Vehicle"
UAV = "UAV"
MANNED = "Manned"
TAXONOMY_NAMESPACE = "dronewall"  # namespace of the UAV / Manned extension sub-classes

_NAMES: dict[str, ObjectClass] = {
    "uav": ObjectClass.DRONE,
    "uas": ObjectClass.DRONE,
    "suas": ObjectClass.DRONE,
    "drone": ObjectClass.DRONE,
    "uav rotary wing": ObjectClass.DRONE,
    "uav fixed wing": ObjectClass.DRONE,
    "manned": ObjectClass.AIRCRAFT,
    "aircraft": ObjectClass.AIRCRAFT,
    "manned rotary wing": ObjectClass.AIRCRAFT,
    "manned fixed wing": ObjectClass.AIRCRAFT,
    "bird": ObjectClass.BIRD,
}
_WRITE: dict[ObjectClass, tuple[str, str]] = {
    ObjectClass.DRONE: (AIR_VEHICLE, UAV),
    ObjectClass.AIRCRAFT: (AIR_VEHICLE, MANNED),
    ObjectClass.BIRD: ("Animal", "Bird"),
}

Classification = DetectionReport.DetectionReportClassification
SubClass = DetectionReport.SubClass


def read_class(report: DetectionReport) -> tuple[ObjectClass, float]:
    """The class a detection report declares and its confidence (0 when none is given)."""
    found = [_deepest(c.type, c.confidence, c.sub_class) for c in report.classification]
    known = [candidate for candidate in found if candidate[0] is not ObjectClass.UNKNOWN]
    pool = known or found
    return max(pool, key=lambda candidate: candidate[1]) if pool else (ObjectClass.UNKNOWN, 0.0)


def write_class(report: DetectionReport, object_class: ObjectClass, confidence: float) -> None:
    """Add the classification for ``object_class``; nothing for UNKNOWN at confidence 0."""
    if object_class is ObjectClass.UNKNOWN:
        if confidence > 0.0:
            report.classification.add(type="Unknown", confidence=confidence)
        return
    top, sub = _WRITE[object_class]
    entry = report.classification.add(type=top, confidence=confidence)
    entry.sub_class.add(type=sub, confidence=confidence, level=1)


def _deepest(name: str, confidence: float, subs: Iterable[SubClass]) -> tuple[ObjectClass, float]:
    """The most specific class on this branch; a sub-class without a confidence inherits."""
    deeper = [
        _deepest(
            sub.type, sub.confidence if sub.HasField("confidence") else confidence, sub.sub_class
        )
        for sub in subs
    ]
    mapped = [candidate for candidate in deeper if candidate[0] is not ObjectClass.UNKNOWN]
    if mapped:
        return max(mapped, key=lambda candidate: candidate[1])
    return _NAMES.get(name.strip().lower(), ObjectClass.UNKNOWN), confidence
