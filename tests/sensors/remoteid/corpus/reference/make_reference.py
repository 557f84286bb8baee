"""Regenerate the cross-check corpus: seeded Remote ID messages decoded by two independent
implementations, recorded as JSON lines (the tests read the records; nothing is compiled at
test time).

* opendroneid-core-c (Apache-2.0, https://github.com/opendroneid/opendroneid-core-c, commit
  beb5639), through our harness ``opendroneid_decode.c``;
* librid by Mika Tuupola (MIT, https://github.com/tuupola/librid, commit 20c5032), through its
  own ``examples/cli`` program (``rid``: one hex message in, JSON out or an error on stderr).

Build both (their sources are not in this repository)::

    gcc -O1 -o odid_decode opendroneid_decode.c <core-c>/libopendroneid/opendroneid.c -lm
    make -C <librid>/examples/cli

then, from the repository root::

    .venv/bin/python tests/sensors/remoteid/corpus/reference/make_reference.py \\
        --odid ./odid_decode --librid <librid>/examples/cli/rid

It writes ``inputs.txt`` (hex, one message a line: 1200 seeded messages, then the distinct
messages of ``captures.jsonl``), ``opendroneid.jsonl`` and ``librid.jsonl`` in ``corpus/``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import string
import subprocess
import uuid
from pathlib import Path

from dronewall.sensors.remoteid.decode import RemoteIdError
from dronewall.sensors.remoteid.encode import encode_message
from dronewall.sensors.remoteid.messages import (
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)
from dronewall.sensors.remoteid.transports import (
    unwrap_advertising_data,
    unwrap_beacon_frame,
    unwrap_nan_action_frame,
)

SEED = 20_260_411
CORPUS = Path(__file__).resolve().parent.parent
NAN = math.nan


def _maybe(rng: random.Random, value: float, p_unknown: float = 0.1) -> float:
    return NAN if rng.random() < p_unknown else value


def _location(rng: random.Random) -> Location:
    return Location(
        status=rng.randrange(5),
        height_type=rng.randrange(2),
        direction_deg=_maybe(rng, rng.uniform(0, 359.4)),
        speed_mps=_maybe(rng, rng.choice((rng.uniform(0, 63.7), rng.uniform(64, 254)))),
        vertical_speed_mps=_maybe(rng, rng.uniform(-62, 62)),
        lat_deg=_maybe(rng, rng.uniform(-90, 90), 0.05),
        lon_deg=rng.uniform(-180, 180),
        pressure_alt_m=_maybe(rng, rng.uniform(-999, 5000), 0.3),
        geodetic_alt_m=_maybe(rng, rng.uniform(-999, 31000), 0.2),
        height_m=_maybe(rng, rng.uniform(-999, 3000), 0.2),
        horizontal_accuracy=rng.randrange(16),
        vertical_accuracy=rng.randrange(16),
        baro_accuracy=rng.randrange(16),
        speed_accuracy=rng.randrange(16),
        timestamp_s=_maybe(rng, rng.uniform(0, 3600)),
        timestamp_accuracy_s=_maybe(rng, rng.randrange(1, 16) / 10),
        version=rng.randrange(3),
    )


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choices(string.ascii_uppercase + string.digits, k=rng.randint(1, size)))


def _basic_id(rng: random.Random) -> BasicId:
    id_type = rng.choice((1, 1, 2, 3, 4))
    if id_type == 3:
        uas_id = str(uuid.UUID(int=rng.getrandbits(128)))
    elif id_type == 4:
        uas_id = bytes(rng.randrange(1, 256) for _ in range(20)).hex().upper()
    else:
        uas_id = _text(rng, 20)
    return BasicId(id_type, rng.randrange(16), uas_id, rng.randrange(3))


def _system(rng: random.Random) -> System:
    return System(
        operator_location_type=rng.randrange(3),
        classification_type=rng.randrange(2),
        operator_lat_deg=rng.uniform(-90, 90),
        operator_lon_deg=rng.uniform(-180, 180),
        area_count=rng.randrange(65536),
        area_radius_m=rng.randrange(2551),
        area_ceiling_m=_maybe(rng, rng.uniform(-999, 3000)),
        area_floor_m=_maybe(rng, rng.uniform(-999, 3000)),
        category_eu=rng.randrange(4),
        class_eu=rng.randrange(8),
        operator_alt_m=_maybe(rng, rng.uniform(-999, 3000)),
        timestamp=_maybe(rng, 1546300800 + rng.randrange(2**31)),
    )


def _auth(rng: random.Random) -> AuthPage:
    page = rng.choice((0, 0, rng.randrange(1, 16)))
    data = bytes(rng.randrange(256) for _ in range(23))
    if page:
        return AuthPage(rng.randrange(16), page, data)
    last = rng.randrange(16)
    return AuthPage(
        rng.randrange(16),
        0,
        data,
        last_page=last,
        length=rng.randrange(min(255, 17 + 23 * last) + 1),
        timestamp=1546300800 + rng.randrange(2**31),
    )


def _raw(rng: random.Random) -> bytes:
    head = (rng.randrange(6) << 4) | rng.randrange(3)
    return bytes((head,)) + bytes(rng.randrange(256) for _ in range(24))


def captured() -> list[bytes]:
    """The distinct messages of ``captures.jsonl`` (real transmitters)."""
    unwrap = {
        "wifi_beacon": unwrap_beacon_frame,
        "wifi_nan": unwrap_nan_action_frame,
        "ble_adv": unwrap_advertising_data,
    }
    seen: dict[bytes, None] = {}
    for line in (CORPUS / "captures.jsonl").read_text().splitlines():
        record = json.loads(line)
        try:
            frame = unwrap[record["kind"]](bytes.fromhex(record["hex"]))
        except RemoteIdError:
            continue
        seen.update(dict.fromkeys(frame.messages))
    return list(seen)


def corpus() -> list[bytes]:
    rng = random.Random(SEED)
    records: list[Message] = []
    records += [_location(rng) for _ in range(400)]
    records += [_basic_id(rng) for _ in range(150)]
    records += [_system(rng) for _ in range(100)]
    records += [OperatorId(0, _text(rng, 20)) for _ in range(60)]
    records += [SelfId(rng.choice((0, 1, 2, 201)), _text(rng, 23)) for _ in range(60)]
    records += [_auth(rng) for _ in range(100)]
    generated = [encode_message(m) for m in records] + [_raw(rng) for _ in range(330)]
    return generated + captured()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--odid", required=True, help="the compiled opendroneid_decode")
    parser.add_argument("--librid", required=True, help="librid's examples/cli/rid")
    args = parser.parse_args()
    messages = [m.hex() for m in corpus()]
    (CORPUS / "inputs.txt").write_text("\n".join(messages) + "\n")
    odid = subprocess.run(
        [args.odid], input="\n".join(messages) + "\n", capture_output=True, text=True, check=True
    )
    (CORPUS / "opendroneid.jsonl").write_text(odid.stdout)
    with (CORPUS / "librid.jsonl").open("w") as out:
        for hex_msg in messages:
            run = subprocess.run([args.librid, hex_msg], capture_output=True)
            stdout = run.stdout.decode("utf-8", "replace").strip()
            try:
                decoded = json.loads(stdout) if run.returncode == 0 and stdout else None
            except json.JSONDecodeError:
                decoded = None  # raw control bytes printed inside a string
            if decoded is not None:
                record = {"hex": hex_msg, "ok": True, "decoded": decoded}
            else:
                error = run.stderr.decode("utf-8", "replace").strip() or "unparsable output"
                record = {"hex": hex_msg, "ok": False, "error": error}
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
