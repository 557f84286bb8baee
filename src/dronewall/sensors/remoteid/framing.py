"""How Remote ID messages are wrapped by their transports, and how a UDP datagram is read:
ASTM F3411-22a §5.4.6 (Bluetooth 4 legacy and Bluetooth 5 long-range advertising: service
data under UUID 0xFFFA, application code 0x0D, a message counter, then one message or a
pack), §5.4.8/§5.4.9 (Wi-Fi NAN service info and Wi-Fi Beacon vendor element with OUI
FA:0B:BC type 0x0D: a message counter, then a pack); ASD-STAN EN 4709-002 §5.

A datagram is read by the first rule that matches (``unwrap_datagram``):

0. ``len 16 FA FF 0D counter …`` — a whole Bluetooth "Service Data – 16-bit UUID" AD
   structure for UUID 0xFFFA (then as rule 5);
1. ``DD len FA 0B BC 0D counter pack`` — a whole Wi-Fi Beacon vendor specific element;
2. ``FA 0B BC 0D counter pack`` — that element's body;
3. second byte ``0xF?`` and third byte 25 — a message counter then a pack;
4. first byte ``0xF?`` — a message pack;
5. first byte ``0x0D`` and either a pack from the third byte or a length of 2 + 25 × n —
   Bluetooth service data after the UUID (app code, counter, message(s) or a pack);
6. a length of 25 × n — bare messages back to back;
7. a length of 1 + 25 × n — a message counter then bare messages.

The rules cannot be confused: a message's first byte has type 0..5 in its high nibble, so
it is never 0xF?, 0xDD or 0xFA, a pack's size byte (25 = 0x19) is never a pack header, and a
second byte 0x16 would be a Location of protocol version 6. Packs may
be followed by padding (Bluetooth 5 transmitters send the 9-message buffer). Anything else is
rejected with reason ``length``. Whole 802.11 frames and Bluetooth advertising data are read
by the ``transports`` helpers, which give the transmitter's MAC address too.
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewall.sensors.remoteid import fields as f
from dronewall.sensors.remoteid.decode import RemoteIdError, split_pack

_PACK = f.MessageType.PACK
_VENDOR_HEAD = f.WIFI_BEACON_OUI + bytes((f.WIFI_BEACON_OUI_TYPE,))
_VENDOR_ELEMENT_ID = 0xDD
_AD_SERVICE_DATA_16 = 0x16  # Bluetooth AD type "Service Data – 16-bit UUID"
_ODID_UUID_LE = bytes((f.BLE_SERVICE_UUID & 0xFF, f.BLE_SERVICE_UUID >> 8))


@dataclass(frozen=True, slots=True)
class Frame:
    """What one transport unit carried: its 25-byte messages (a pack already opened), the
    message counter when the wrapping has one, the transmitter's MAC address when known
    (lower-case ``aa:bb:cc:dd:ee:ff``) and whether the messages came in a pack."""

    messages: tuple[bytes, ...]
    counter: int | None = None
    mac: str = ""
    packed: bool = False


def unwrap_datagram(data: bytes, mac: str = "") -> Frame:
    """The messages of a UDP datagram in any framing of the rules above; raises
    ``RemoteIdError`` ("length", "framing", "pack", "version")."""
    size = len(data)
    if size < f.MESSAGE_SIZE:
        raise RemoteIdError("length", f"{size} bytes: shorter than a message", data)
    if data[1] == _AD_SERVICE_DATA_16 and data[2:4] == _ODID_UUID_LE:
        if data[0] != size - 1:
            raise RemoteIdError("framing", f"AD structure length {data[0]} in {size} bytes", data)
        return unwrap_service_data(data[4:], mac)
    if data[0] == _VENDOR_ELEMENT_ID and data[2:6] == _VENDOR_HEAD:
        return unwrap_vendor_element(data, mac)
    if data[:4] == _VENDOR_HEAD:
        return unwrap_vendor_body(data, mac)
    if data[1] >> 4 == _PACK and data[2] == f.MESSAGE_SIZE:
        return unwrap_counted_pack(data, mac)
    if data[0] >> 4 == _PACK:
        return Frame(tuple(split_pack(data)), None, mac, True)
    remainder = size % f.MESSAGE_SIZE
    if data[0] == f.BLE_APP_CODE and (data[2] >> 4 == _PACK or remainder == 2):
        return unwrap_service_data(data, mac)
    if remainder == 0:
        return _bare(data, None, mac)
    if remainder == 1:
        return _bare(data[1:], data[0], mac)
    raise RemoteIdError("length", f"{size} bytes fit no Remote ID framing", data)


def unwrap_service_data(data: bytes, mac: str = "") -> Frame:
    """Bluetooth service data after the 0xFFFA UUID: application code 0x0D, message counter,
    then one message (legacy advertising) or a pack (long range / extended advertising)."""
    if len(data) < 2 + f.MESSAGE_SIZE or data[0] != f.BLE_APP_CODE:
        raise RemoteIdError("framing", "not Open Drone ID service data (app code 0x0D)", data)
    body = data[2:]
    if body[0] >> 4 == _PACK:
        return Frame(tuple(split_pack(body)), data[1], mac, True)
    if len(body) % f.MESSAGE_SIZE:
        raise RemoteIdError("length", f"{len(body)} bytes of messages", data)
    return _bare(body, data[1], mac)


def unwrap_vendor_body(data: bytes, mac: str = "") -> Frame:
    """The body of a Wi-Fi Beacon vendor specific element: OUI FA:0B:BC, type 0x0D,
    message counter, a pack."""
    if data[:4] != _VENDOR_HEAD:
        raise RemoteIdError("framing", "not an ASD-STAN Open Drone ID vendor element", data)
    return unwrap_counted_pack(data[4:], mac)


def unwrap_vendor_element(data: bytes, mac: str = "") -> Frame:
    """A whole vendor specific element (ID 0xDD, length, then the body)."""
    if len(data) < 2 or data[0] != _VENDOR_ELEMENT_ID or data[1] != len(data) - 2:
        raise RemoteIdError("framing", "not a vendor specific element of that length", data)
    return unwrap_vendor_body(data[2:], mac)


def unwrap_counted_pack(data: bytes, mac: str = "") -> Frame:
    """A message counter then a message pack (NAN service info; the beacon element body
    after its OUI and type)."""
    if len(data) < 1 + f.PACK_HEADER_SIZE or data[1] >> 4 != _PACK:
        raise RemoteIdError("framing", "a counter must be followed by a message pack", data)
    return Frame(tuple(split_pack(data[1:])), data[0], mac, True)


def _bare(data: bytes, counter: int | None, mac: str) -> Frame:
    size = f.MESSAGE_SIZE
    messages = tuple(data[i : i + size] for i in range(0, len(data), size))
    if any(m[0] >> 4 == _PACK for m in messages):
        raise RemoteIdError("framing", "a message pack where bare messages were expected", data)
    return Frame(messages, counter, mac, False)
