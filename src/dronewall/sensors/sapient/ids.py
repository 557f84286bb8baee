"""Identifiers in SAPIENT: nodes are named by UUIDs (RFC 9562), reports, objects, tasks,
alerts and regions by ULIDs (https://github.com/ulid/spec: 48-bit millisecond time and 80
random bits in 26 Crockford base-32 characters).

Checks follow the BSI Flex 335 v2.0 test harness (``CommonValidator.cs``: .NET
``Guid.TryParse``, ``Ulid.TryParse``): a UUID in hyphenated or plain hexadecimal form,
optionally in braces; a ULID in either letter case. Making ids takes time and entropy from
the caller, so runs are reproducible.
"""

from __future__ import annotations

import hashlib
import random
import re
import uuid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", re.IGNORECASE)
_UUID = re.compile(
    r"\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?", re.IGNORECASE
)
# Namespace for dronewall's name-based node UUIDs (uuid5 of a sensor id): itself a uuid5 of
# the project name in the URL namespace, so anyone can recompute it.
DRONEWALL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/dronewall/dronewall")
_MAX_TIME_MS = (1 << 48) - 1


def is_ulid(text: str) -> bool:
    return _ULID.fullmatch(text) is not None


def is_uuid(text: str) -> bool:
    if _UUID.fullmatch(text) is None:
        return False
    braces = text.startswith("{"), text.endswith("}")
    hyphens = text.count("-")
    return braces[0] == braces[1] and hyphens in (0, 4)


def make_ulid(time_ms: int, entropy: bytes) -> str:
    """A ULID from a millisecond POSIX time and 10 bytes of entropy."""
    if not 0 <= time_ms <= _MAX_TIME_MS:
        raise ValueError(f"ULID time {time_ms} ms is outside 0..2^48-1")
    if len(entropy) != 10:
        raise ValueError(f"ULID entropy must be 10 bytes, not {len(entropy)}")
    value = (time_ms << 80) | int.from_bytes(entropy, "big")
    chars = [CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5)]
    return "".join(chars)


def keyed_ulid(time_s: float, key: str) -> str:
    """A ULID whose random part is a hash of ``key``: the same key gives the same id."""
    entropy = hashlib.blake2b(key.encode(), digest_size=10).digest()
    return make_ulid(_millis(time_s), entropy)


class UlidFactory:
    """Makes fresh ULIDs from a caller-supplied time and a seeded generator (``seed`` as for
    ``random.Random``: the same seed gives the same ids)."""

    def __init__(self, seed: int | str = 0):
        self._random = random.Random(seed)

    def new(self, time_s: float) -> str:
        return make_ulid(_millis(time_s), self._random.getrandbits(80).to_bytes(10, "big"))


def node_uuid(name: str) -> str:
    """The stable node UUID dronewall gives a sensor or node called ``name`` (uuid5)."""
    return str(uuid.uuid5(DRONEWALL_NAMESPACE, name))


def _millis(time_s: float) -> int:
    return min(max(int(time_s * 1000.0), 0), _MAX_TIME_MS)
