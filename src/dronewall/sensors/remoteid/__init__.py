"""Remote ID (ASTM F3411-22a / ASD-STAN EN 4709-002 broadcast) for dronewall: the 25-byte
messages and message packs heard from drones over Bluetooth and Wi-Fi, forwarded by a
receiver as UDP datagrams (``RemoteIdAdapter``) or as JSON lines (``RemoteIdJsonAdapter``),
become POSITION reports and identities. See ``docs/feeds-remoteid.md``.

Modules, one role each: ``fields`` (the standard's tables), ``messages`` (decoded records),
``decode`` (bytes to records), ``encode`` (records to bytes), ``framing`` (datagram framings),
``transports`` (whole Bluetooth / Wi-Fi frames), ``aircraft`` (joining messages per
aircraft), ``reports`` (Location to ``Report``), ``adapter`` (UDP), ``jsonline`` and
``jsonschemas`` (JSON lines of open receivers).
"""

from dronewall.sensors.remoteid.adapter import RemoteIdAdapter
from dronewall.sensors.remoteid.decode import RemoteIdError, decode_message, split_pack
from dronewall.sensors.remoteid.framing import Frame, unwrap_datagram
from dronewall.sensors.remoteid.jsonline import RemoteIdJsonAdapter
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)
from dronewall.sensors.remoteid.reports import RemoteIdSettings

__all__ = [
    "AuthPage",
    "BasicId",
    "Frame",
    "Location",
    "Message",
    "OperatorId",
    "RemoteIdAdapter",
    "RemoteIdError",
    "RemoteIdJsonAdapter",
    "RemoteIdSettings",
    "SelfId",
    "System",
    "decode_message",
    "split_pack",
    "unwrap_datagram",
]
