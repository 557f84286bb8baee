"""Settings of the MQTT sensor-node adapter (``docs/feeds-mqtt.md``, "Settings"): the topic
prefix, the nodes the feeds file already knows, and the limits that decide what is rejected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from dronewall.sensors.mqtt.registration import NodeRegistration
from dronewall.sensors.mqtt.topics import DEFAULT_PREFIX, check_prefix
from dronewall.sensors.mqtt.values import NODE_ID

# A batch of 256 detections of ~200 bytes each fits; Mosquitto's own default message size
# limit is none at all, so the adapter bounds what it parses.
MAX_PAYLOAD_BYTES = 65_536
MAX_BATCH = 256  # detections in one message: a busy node's second at 100+ Hz
# A node that buffered through a short link outage still delivers; an older bearing is too
# old for the live picture (the tracker's out-of-sequence window is seconds, not minutes).
MAX_PAST_S = 120.0
# GPS- or NTP-synchronised nodes are within milliseconds; 5 s allows a poorly synchronised
# clock but refuses detections from the future that would shift tracks ahead.
MAX_FUTURE_S = 5.0
# Detections of a node not registered yet wait this long for its registration (a node's
# register and its first detections may cross in the broker) before "unregistered".
PENDING_S = 5.0
MAX_PENDING = 10_000  # messages waiting at once: a startup burst of many nodes
# A ranged detection without elevation (a 2-D radar, an RF range estimate): the target is
# assumed 300 m above the node — the typical height of one-way attack drones and small
# drones alike within a few hundred metres — with a 10° sigma spanning 0–1,000 m at 5 km.
ASSUMED_TARGET_HEIGHT_M = 300.0
ASSUMED_SIGMA_EL_DEG = 10.0


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """What an ``MqttAdapter`` is built with (every field has a usable default)."""

    prefix: str = DEFAULT_PREFIX
    known: Mapping[str, NodeRegistration] = field(default_factory=dict)
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    max_batch: int = MAX_BATCH
    max_past_s: float = MAX_PAST_S
    max_future_s: float = MAX_FUTURE_S
    pending_s: float = PENDING_S
    max_pending: int = MAX_PENDING
    assumed_target_height_m: float = ASSUMED_TARGET_HEIGHT_M
    assumed_sigma_el_deg: float = ASSUMED_SIGMA_EL_DEG

    def __post_init__(self) -> None:
        check_prefix(self.prefix)
        bad = [key for key in self.known if NODE_ID.fullmatch(key) is None]
        if bad:
            raise ValueError(f"known node ids not valid: {bad[:5]}")
        counts = (self.max_payload_bytes, self.max_batch)
        if min(counts) < 1 or self.max_pending < 0:
            raise ValueError("max_payload_bytes and max_batch must be ≥ 1, max_pending ≥ 0")
        spans = (self.max_past_s, self.max_future_s, self.pending_s)
        if not all(math.isfinite(x) and x >= 0 for x in spans):
            raise ValueError("max_past_s, max_future_s and pending_s must be finite and ≥ 0")
        if not math.isfinite(self.assumed_target_height_m) or not (
            0 < self.assumed_sigma_el_deg <= 90
        ):
            raise ValueError("assumed target height must be finite, its sigma in (0, 90]")
