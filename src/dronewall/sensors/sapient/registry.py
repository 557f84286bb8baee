"""The fusion node's sensor registry: every node that registered, its ``sensor_index`` (the
row of the sensor table a ReportBatch refers to), what its Registration says, its latest
StatusReport (health, mode, location, coverage) and when it was last heard.

Sensor indices are stable: a deployment can pin node UUIDs to indices (``known``, e.g. from
a run's ``sensors.parquet`` or a site's sensor list); a node not pinned gets the next free
index when it first registers and keeps it if it re-registers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from dronewall.sensors.sapient.binding import Registration
from dronewall.sensors.sapient.nodes import NodeTraits
from dronewall.sensors.sapient.status import Health, NodeStatus, Polygon


@lru_cache(maxsize=65_536)
def canonical_uuid(text: str) -> str:
    """The lower-case hyphenated form of a UUID (nodes may send upper case or no hyphens)."""
    return str(uuid.UUID(text))


@dataclass(slots=True)
class SensorEntry:
    node_id: str
    sensor_index: int
    traits: NodeTraits
    registration: Registration
    registered_s: float
    last_heard_s: float
    status: NodeStatus | None = None
    connected: bool = True

    @property
    def health(self) -> Health:
        if not self.connected:
            return Health.GOODBYE
        return self.status.health if self.status is not None else Health.UNSPECIFIED


class SensorRegistry:
    """Registered nodes by UUID; pure bookkeeping, no I/O."""

    def __init__(self, known: Mapping[str, int] | None = None):
        self._known = {canonical_uuid(k): int(v) for k, v in (known or {}).items()}
        self._entries: dict[str, SensorEntry] = {}
        self._next_index = max(self._known.values(), default=-1) + 1

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._entries

    def register(
        self, node_id: str, registration: Registration, traits: NodeTraits, time_s: float
    ) -> SensorEntry:
        old = self._entries.get(node_id)
        index = old.sensor_index if old is not None else self._index_for(node_id)
        entry = SensorEntry(node_id, index, traits, registration, time_s, time_s)
        if old is not None:
            entry.status = old.status
        self._entries[node_id] = entry
        return entry

    def get(self, node_id: str) -> SensorEntry | None:
        return self._entries.get(node_id)

    def entries(self) -> list[SensorEntry]:
        return sorted(self._entries.values(), key=lambda e: e.sensor_index)

    def disconnected(self, node_id: str) -> None:
        if (entry := self._entries.get(node_id)) is not None:
            entry.connected = False

    def coverage(self) -> list[Polygon]:
        """Coverage polygons of every connected node: the total coverage of this node."""
        return [
            polygon
            for entry in self.entries()
            if entry.connected and entry.status is not None
            for polygon in entry.status.coverage
        ]

    def sensor_table(self) -> dict[str, npt.NDArray[np.generic]]:
        """Columns of the sensor table (index, node id, name, kind, location, health) for the
        tracker: radar and bearing reports are relative to the sensor's location."""
        entries = self.entries()
        nan = float("nan")
        locations = [e.status.location if e.status is not None else None for e in entries]
        return {
            "sensor_index": np.array([e.sensor_index for e in entries], np.int32),
            "node_id": np.array([e.node_id for e in entries], np.str_),
            "name": np.array([e.traits.name for e in entries], np.str_),
            "kind": np.array([e.traits.sensor_kind for e in entries], np.uint8),
            "lat_deg": np.array([f.lat_deg if f else nan for f in locations], np.float64),
            "lon_deg": np.array([f.lon_deg if f else nan for f in locations], np.float64),
            "alt_m": np.array([f.alt_m if f else nan for f in locations], np.float64),
            "health": np.array([int(e.health) for e in entries], np.uint8),
        }

    def _index_for(self, node_id: str) -> int:
        if node_id in self._known:
            return self._known[node_id]
        index = self._next_index
        self._next_index += 1
        return index
