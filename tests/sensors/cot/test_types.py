"""MIL-STD-2525 CoT types of tracks (``sensors/cot/types.py``): the table of docs/cot.md."""

from __future__ import annotations

import pytest

from dronewall.core.types import ObjectClass, ObjectKind
from dronewall.sensors.cot import affiliation_atom, cot_type

D, A, B, U = ObjectClass.DRONE, ObjectClass.AIRCRAFT, ObjectClass.BIRD, ObjectClass.UNKNOWN


@pytest.mark.parametrize(
    ("label", "kind", "affiliation", "expected"),
    [
        (D, ObjectKind.QUADCOPTER, "H", "a-h-A-M-H-Q"),
        (D, ObjectKind.QUADCOPTER, "F", "a-f-A-M-H-Q"),
        (D, ObjectKind.ONE_WAY_ATTACK, "S", "a-s-A-M-F-Q"),
        (D, ObjectKind.DECOY, "S", "a-s-A-M-F-Q"),
        (D, ObjectKind.RECON_FIXED_WING, "H", "a-h-A-M-F-Q"),
        (D, 0, "S", "a-s-A-M-F-Q"),  # kind unknown: the generic UAV symbol
        (A, ObjectKind.CIVIL_AIRCRAFT, "N", "a-n-A-C-F"),
        (A, ObjectKind.GLIDER, "N", "a-n-A-C-F"),
        (A, ObjectKind.LIGHT_AIRCRAFT, "N", "a-n-A-C-F"),
        (A, ObjectKind.HELICOPTER, "N", "a-n-A-C-H"),
        (A, 0, "N", "a-n-A-C"),
        (U, 0, "U", "a-u-A"),
        (U, 0, "?", "a-u-A"),  # an identity code we do not know is sent as unknown
    ],
)
def test_types(label: int, kind: int, affiliation: str, expected: str) -> None:
    assert cot_type(int(label), int(kind), affiliation) == expected


def test_birds_are_not_sent_unless_asked() -> None:
    assert cot_type(int(B), 0, "N") is None
    assert cot_type(int(B), 0, "N", birds=True) == "a-n-A"


def test_affiliation_atoms() -> None:
    assert [affiliation_atom(c) for c in "FHSNU"] == list("fhsnu")
    assert affiliation_atom("") == "u"
