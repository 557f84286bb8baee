"""Regenerate ``corpus/droneid_json.jsonl``: what the DroneID receiver publishes for the Wi-Fi
frames of ``captures.jsonl``.

DroneID by B. Kerler (GPL-3.0, https://github.com/bkerler/DroneID, commit 8b11aba) is an open
Remote ID receiver; its ``wifi_receiver.py`` sends ``{"DroneID": {<mac>: [sections]}}`` over
ZMQ, the sections made by ``OpenDroneID/decoder.py``'s ``decode``. This script runs that
``decode`` on each frame's messages (as a pack) and writes the object the receiver would
send, one a line, with the capture file and index in ``_source``. Its code is not in this
repository; put a checkout on the path (it needs ``pytz``), from the repository root::

    PYTHONPATH=<DroneID> .venv/bin/python \\
        tests/sensors/remoteid/corpus/reference/make_droneid_json.py
"""

from __future__ import annotations

import json
from pathlib import Path

from OpenDroneID.decoder import decode  # type: ignore[import-not-found]
from OpenDroneID.utils import structhelper_io  # type: ignore[import-not-found]

from dronewall.sensors.remoteid.encode import encode_pack
from dronewall.sensors.remoteid.transports import unwrap_beacon_frame, unwrap_nan_action_frame

CORPUS = Path(__file__).resolve().parent.parent


def main() -> None:
    lines = []
    for line in (CORPUS / "captures.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["kind"] == "ble_adv":
            continue
        unwrap = unwrap_beacon_frame if record["kind"] == "wifi_beacon" else unwrap_nan_action_frame
        frame = unwrap(bytes.fromhex(record["hex"]))
        sections = decode(structhelper_io(encode_pack(list(frame.messages))))
        published = {"DroneID": {frame.mac: sections}}
        published["_source"] = {"file": record["file"], "index": record["index"]}
        lines.append(json.dumps(published))
    (CORPUS / "droneid_json.jsonl").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
