"""CoT type strings for the picture's tracks: MIL-STD-2525 air symbols as Cursor-on-Target
atoms (``a-<affiliation>-A-…``), from MITRE's type tree ``CoTtypes.xml`` (v1.80, 2009; the copy
TAK tools ship, e.g. the node-CoT library's ``lib/types/cot-types.xml``):

=====================  ===========  =============================================
what the track is      CoT (after   CoTtypes.xml entry (MIL-STD-2525B air track)
                       ``a-x-``)
=====================  ===========  =============================================
air track, unknown     ``A``        Air/Air Track
civil fixed wing       ``A-C-F``    Air/Civ/fixed — FIXED WING
civil rotary wing      ``A-C-H``    Air/Civ/rotary — ROTARY WING
civil, wings unknown   ``A-C``      Air/Civ — CIVIL AIRCRAFT
UAV, fixed wing        ``A-M-F-Q``  Air/Mil/Fixed/Drone,RPV,UAV — DRONE (RPV/UAV)
UAV, rotary wing       ``A-M-H-Q``  Air/Mil/Rotor/Drone,RPV,UAV — DRONE (RPV/UAV)
=====================  ===========  =============================================

The affiliation atom is the frame's APP-6 standard identity in lower case: ``f`` friend,
``h`` hostile, ``s`` suspect, ``n`` neutral, ``u`` unknown (anything else is sent as ``u``).

Choices (docs/cot.md):

* A drone of unknown kind is sent as a fixed-wing UAV (``A-M-F-Q``): MIL-STD-2525B has no
  "UAV, wings unknown" air symbol, and the fixed-wing UAV is the one every TAK client draws as
  a drone. Loitering munitions, decoys and reconnaissance drones are fixed wing; quadcopters
  rotary wing.
* A bird is not sent unless the output asks for birds (``birds = true``); then it is an air
  track of the frame's affiliation (``a-n-A``), its class in the remarks. TAK has no bird
  symbol, and a flock drawn as an aircraft misleads more than it tells.
"""

from __future__ import annotations

from dronewall.core.types import ObjectClass, ObjectKind

_AFFILIATIONS = frozenset("fhsnu")
_ROTARY_DRONES = frozenset({ObjectKind.QUADCOPTER})
_ROTARY_AIRCRAFT = frozenset({ObjectKind.HELICOPTER})
_FIXED_AIRCRAFT = frozenset(
    {
        ObjectKind.CIVIL_AIRCRAFT,
        ObjectKind.GLIDER,
        ObjectKind.LIGHT_AIRCRAFT,
        ObjectKind.ULTRALIGHT,
    }
)

UAV_FIXED_WING = "A-M-F-Q"
UAV_ROTARY_WING = "A-M-H-Q"
CIVIL_FIXED_WING = "A-C-F"
CIVIL_ROTARY_WING = "A-C-H"
CIVIL_AIRCRAFT = "A-C"
AIR_TRACK = "A"


def affiliation_atom(code: str) -> str:
    """The CoT affiliation letter for an APP-6 identity code (``"H"`` → ``"h"``)."""
    letter = code.strip().lower()[:1]
    return letter if letter in _AFFILIATIONS else "u"


def air_function(label: int, kind: int) -> str:
    """The MIL-STD-2525 air function part for a class and (drone or aircraft) kind."""
    if label == ObjectClass.DRONE:
        return UAV_ROTARY_WING if kind in _ROTARY_DRONES else UAV_FIXED_WING
    if label == ObjectClass.AIRCRAFT:
        if kind in _ROTARY_AIRCRAFT:
            return CIVIL_ROTARY_WING
        if kind in _FIXED_AIRCRAFT:
            return CIVIL_FIXED_WING
        return CIVIL_AIRCRAFT
    return AIR_TRACK


def cot_type(label: int, kind: int, affiliation: str, *, birds: bool = False) -> str | None:
    """The CoT type of a track, or None when it is not sent (a bird, unless ``birds``)."""
    if label == ObjectClass.BIRD and not birds:
        return None
    return f"a-{affiliation_atom(affiliation)}-{air_function(label, kind)}"
