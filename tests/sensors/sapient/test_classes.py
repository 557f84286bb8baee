"""The SAPIENT class taxonomy ⇄ ObjectClass."""

from __future__ import annotations

import pytest

from dronewall.core.types import ObjectClass
from dronewall.sensors.sapient.binding import DetectionReport
from dronewall.sensors.sapient.classes import read_class, write_class


def _report(*classes: tuple[str, float, list[tuple[str, float | None]]]) -> DetectionReport:
    report = DetectionReport()
    for name, confidence, subs in classes:
        entry = report.classification.add(type=name, confidence=confidence)
        for sub, sub_confidence in subs:
            added = entry.sub_class.add(type=sub, level=1)
            if sub_confidence is not None:
                added.confidence = sub_confidence
    return report


@pytest.mark.parametrize(
    ("name", "sub", "expected"),
    [
        ("Air Vehicle", "UAV Rotary Wing", ObjectClass.DRONE),
        ("Air Vehicle", "UAV Fixed Wing", ObjectClass.DRONE),
        ("Air Vehicle", "UAV", ObjectClass.DRONE),
        ("Air Vehicle", "Manned Fixed Wing", ObjectClass.AIRCRAFT),
        ("Air Vehicle", "Manned Rotary Wing", ObjectClass.AIRCRAFT),
        ("Animal", "Bird", ObjectClass.BIRD),
        ("Animal", "Horse", ObjectClass.UNKNOWN),
        ("Human", "Male", ObjectClass.UNKNOWN),
        ("Drone", "", ObjectClass.DRONE),
        ("air vehicle", "uav rotary wing", ObjectClass.DRONE),
    ],
)
def test_core_taxonomy_names_map_to_classes(name: str, sub: str, expected: ObjectClass) -> None:
    report = _report((name, 0.8, [(sub, 0.7)] if sub else []))
    assert read_class(report)[0] is expected


def test_the_most_specific_confidence_is_used_and_inherited_when_absent() -> None:
    assert read_class(_report(("Air Vehicle", 0.9, [("UAV Fixed Wing", 0.6)]))) == (
        ObjectClass.DRONE,
        pytest.approx(0.6),
    )
    assert read_class(_report(("Air Vehicle", 0.9, [("UAV Fixed Wing", None)])))[1] == (
        pytest.approx(0.9)
    )


def test_of_several_classifications_the_most_confident_known_one_wins() -> None:
    report = _report(
        ("Air Vehicle", 0.3, [("UAV", 0.3)]),
        ("Animal", 0.6, [("Bird", 0.6)]),
        ("Unknown", 0.9, []),
    )
    assert read_class(report) == (ObjectClass.BIRD, pytest.approx(0.6))


def test_no_classification_is_unknown_at_zero() -> None:
    assert read_class(DetectionReport()) == (ObjectClass.UNKNOWN, 0.0)
    assert read_class(_report(("Unknown", 0.4, []))) == (ObjectClass.UNKNOWN, pytest.approx(0.4))


@pytest.mark.parametrize("object_class", list(ObjectClass))
@pytest.mark.parametrize("confidence", [0.0, 0.25, 0.9])
def test_write_then_read_gives_the_class_back(object_class: ObjectClass, confidence: float) -> None:
    report = DetectionReport()
    write_class(report, object_class, confidence)
    assert read_class(report) == (object_class, pytest.approx(confidence))
