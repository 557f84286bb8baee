"""Security labels and recipients: who may receive what (issue 15, releasability).

A ``SecurityLabel`` has the shape of a STANAG 4774 confidentiality label: a policy
identifier, a classification from that policy's ordered list, and a "releasable to" category
(the nations, as ISO 3166-1 alpha-3 codes, besides the owner, that may receive it). Every
sensor carries one; data derived from several sensors carries all of their labels, and a
recipient may receive it only when it is cleared for every one of them.

A ``Recipient`` is a nation and a clearance: a REST or WebSocket user, an ally's SAPIENT,
Cursor-on-Target or ASTERIX output, a replay or an export. ``cleared(recipient, label)`` is
the one rule every output applies:

* the recipient's nation is the label's owner, or is in its releasable-to set (``"NATO"`` or
  ``"EU"`` in that set stands for every member state: ``world.membership`` expands them where
  a nation list is loaded; here they match recipients whose ``communities`` name them); and
* the recipient's clearance in the label's policy is at least the label's classification.

Data derived from sensors carries their labels as a bit mask (``int64``) over the distinct
labels of the sensor table, in the order they first appear (``LabelTable``): bit ``i`` set
means label ``i`` contributed. A recipient's ``allowed_mask`` has the bits of the labels it
is cleared for — or is −1, every bit, when it is cleared for every label of the table; a row
is released when ``mask & ~allowed == 0``. So a mask of −1 ("unknown provenance") or with a
bit the table does not know goes only to a recipient cleared for everything.

Pure data and small functions: no I/O, importable from every layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dronewall.core.errors import DronewallError

# The ordered classifications of the policies we know (lowest first). NATO's list is the one
# STANAG 4774 implementations ship for the NATO policy; a national policy maps onto it.
CLASSIFICATIONS: tuple[str, ...] = (
    "UNCLASSIFIED",
    "RESTRICTED",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
)
DEFAULT_POLICY = "NATO"
# The owner of a sensor that declares no nation and stands nowhere we can name (at sea, or a
# table recorded before labels existed): the demo's nation. Its data stays with that nation.
DEFAULT_OWNER = "DNK"
MAX_LABELS = 63  # distinct labels in one sensor table: one bit each of an int64 (sign unused)
UNKNOWN_MASK = -1  # a row whose provenance is not known carries every label


class LabelError(DronewallError, ValueError):
    """A security label or recipient that cannot be read (unknown classification, bad nation)."""


def classification_rank(name: str) -> int:
    """Position of ``name`` in ``CLASSIFICATIONS`` (case-insensitive); LabelError if unknown."""
    key = " ".join(name.upper().replace("_", " ").split())
    try:
        return CLASSIFICATIONS.index(key)
    except ValueError:
        known = ", ".join(CLASSIFICATIONS)
        raise LabelError(f"unknown classification {name!r} (known: {known})") from None


def _nation(code: str) -> str:
    c = code.strip().upper()
    if len(c) != 3 or not c.isalpha():
        raise LabelError(f"nation {code!r} is not an ISO 3166-1 alpha-3 code (e.g. DEU, POL)")
    return c


def _community_or_nation(code: str) -> str:
    c = code.strip().upper()
    return c if c in COMMUNITIES else _nation(c)


COMMUNITIES = frozenset({"NATO", "EU"})  # releasable-to values that stand for their members


@dataclass(frozen=True, slots=True)
class SecurityLabel:
    """A STANAG 4774-shaped confidentiality label on a sensor and everything derived from it."""

    owner: str  # ISO 3166-1 alpha-3 nation that owns the data
    classification: str = "UNCLASSIFIED"
    releasable_to: frozenset[str] = frozenset()  # nations (alpha-3) and/or "NATO", "EU"
    policy: str = DEFAULT_POLICY

    @classmethod
    def make(
        cls,
        owner: str,
        classification: str = "UNCLASSIFIED",
        releasable_to: Iterable[str] = (),
        policy: str = DEFAULT_POLICY,
    ) -> SecurityLabel:
        """A checked, normalised label; LabelError naming what is wrong."""
        rank = classification_rank(classification)
        return cls(
            owner=_nation(owner),
            classification=CLASSIFICATIONS[rank],
            releasable_to=frozenset(_community_or_nation(n) for n in releasable_to),
            policy=policy.strip().upper() or DEFAULT_POLICY,
        )

    @property
    def rank(self) -> int:
        return classification_rank(self.classification)

    def marking(self) -> str:
        """The banner an operator reads, e.g. ``NATO RESTRICTED REL TO DEU, POL``."""
        rel = ", ".join(sorted(self.releasable_to | {self.owner}))
        return f"{self.policy} {self.classification} REL TO {rel}"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who receives: a nation, its clearance, and the communities (NATO, EU) it belongs to."""

    nation: str
    clearance: str = "UNCLASSIFIED"
    communities: frozenset[str] = field(default_factory=frozenset)
    name: str = ""  # for logs and the audit trail

    @classmethod
    def make(
        cls,
        nation: str,
        clearance: str = "UNCLASSIFIED",
        communities: Iterable[str] = (),
        name: str = "",
    ) -> Recipient:
        rank = classification_rank(clearance)
        comms = frozenset(c.strip().upper() for c in communities)
        unknown = comms - COMMUNITIES
        if unknown:
            raise LabelError(f"unknown communities {sorted(unknown)} (known: NATO, EU)")
        return cls(_nation(nation), CLASSIFICATIONS[rank], comms, name)

    @property
    def rank(self) -> int:
        return classification_rank(self.clearance)


def cleared(recipient: Recipient, label: SecurityLabel) -> bool:
    """True when ``recipient`` may receive data carrying ``label``."""
    if recipient.rank < label.rank:
        return False
    if recipient.nation == label.owner or recipient.nation in label.releasable_to:
        return True
    return bool(recipient.communities & label.releasable_to)


def cleared_all(recipient: Recipient, labels: Iterable[SecurityLabel]) -> bool:
    """True when ``recipient`` is cleared for every label (derived data carries them all)."""
    return all(cleared(recipient, label) for label in labels)


def default_label(owner: str = DEFAULT_OWNER) -> SecurityLabel:
    """What a sensor that declares nothing carries: its owner's, UNCLASSIFIED, shared with
    nobody else (safe by default)."""
    return SecurityLabel.make(owner or DEFAULT_OWNER)


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LabelTable:
    """The distinct labels of a sensor table (``labels[i]`` is bit ``i``) and each sensor's
    bit. Sensors are only ever appended to a table, and a label keeps its bit."""

    labels: tuple[SecurityLabel, ...]
    sensor_bits: IntArray  # one int64 per sensor: 1 << (its label's position in ``labels``)

    @classmethod
    def of(cls, per_sensor: Sequence[SecurityLabel]) -> LabelTable:
        position: dict[SecurityLabel, int] = {}
        for label in per_sensor:
            position.setdefault(label, len(position))
        if len(position) > MAX_LABELS:
            raise LabelError(
                f"{len(position)} distinct security labels among the sensors: at most "
                f"{MAX_LABELS} are supported"
            )
        bits = np.array([1 << position[label] for label in per_sensor], np.int64)
        return cls(tuple(position), bits)

    def allowed_mask(self, recipient: Recipient) -> int:
        """The bits ``recipient`` may receive: those of the labels it is cleared for, or −1
        (every bit) when that is all of them."""
        allowed = 0
        for i, label in enumerate(self.labels):
            if cleared(recipient, label):
                allowed |= 1 << i
        return UNKNOWN_MASK if allowed == (1 << len(self.labels)) - 1 else allowed

    def labels_of(self, mask: int) -> list[SecurityLabel]:
        """The labels whose bits ``mask`` has (−1: all of them)."""
        return [label for i, label in enumerate(self.labels) if mask >> i & 1]


def released(masks: npt.ArrayLike, allowed: int) -> npt.NDArray[np.bool_]:
    """Which rows a recipient with ``allowed_mask`` ``allowed`` may receive."""
    m = np.asarray(masks, np.int64)
    return np.asarray((m & np.int64(~allowed)) == 0, bool)
