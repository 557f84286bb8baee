"""The CoT/TAK output on a real simulated raid (Copenhagen, September 2025): the live pipeline's
frames and alert events into a ``tak-udp`` sink, TAK mesh datagrams to a multicast group on
loopback, every one decoded by takproto (MIT). Drones arrive as UAVs, the alerted drone as a
hostile one with its alarm beside it, and every track keeps one uid."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import takproto
from takproto.proto import TakMessage

from dronewall.core.release import Recipient
from dronewall.runtime.cot_out import make_cot_sink
from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import PipelineSettings
from dronewall.store.sqlite import SQLiteStore
from tests.app.feeds_harness import free_port
from tests.runtime.cot_harness import LOOPBACK, multicast_receiver, wait_until

GROUP = "239.255.42.98"
DURATION_S = 900.0  # the first drone is alerted after about 500 s (test_pipeline.py)


def test_a_simulated_raid_reaches_a_tak_client(tmp_path: Path) -> None:
    port = free_port(socket.SOCK_DGRAM)
    received: list[bytes] = []
    with multicast_receiver(GROUP, port) as receiver:
        receiver.settimeout(0.2)
        done = threading.Event()

        def listen() -> None:
            while not done.is_set():
                try:
                    received.append(receiver.recv(65_536))
                except TimeoutError:
                    continue

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        store = SQLiteStore(tmp_path / "run.db")
        table = {
            "kind": "tak-udp",
            "address": f"{GROUP}:{port}",
            "interface": LOOPBACK,
            "node": "cph",
            "interval_s": 10.0,  # the raid runs far faster than real time: fewer, whole sends
        }
        sink = make_cot_sink(Recipient.make("DNK", "SECRET", ["NATO", "EU"]), table)
        pipeline = simulation_pipeline(
            "copenhagen-2025-09", store, PipelineSettings(speed=0.0), duration_s=DURATION_S
        )
        pipeline.on_frame(sink.take_frame)
        pipeline.on_events(sink.take_events)
        sink.start()
        try:
            pipeline.start()
            assert pipeline.join(600.0)
            sent = sink.health()["events_sent"]
            wait_until(lambda: len(received) >= sent, "every datagram")
        finally:
            sink.close()
            done.set()
            thread.join()
            store.close()
    assert sink.health()["errors"] == 0 and sink.health()["frames_sent"] > 10
    messages = [takproto.parse_proto(bytearray(d)) for d in received]
    assert all(isinstance(m, TakMessage) for m in messages)
    events = [m.cotEvent for m in messages if isinstance(m, TakMessage)]
    types_of: dict[str, set[str]] = {}
    for e in events:
        assert e.uid.startswith("dronewall-cph-")
        types_of.setdefault(e.uid, set()).add(e.type)
    tracks = {t for uid, ts in types_of.items() if "alert" not in uid for t in ts}
    assert {"a-s-A-M-F-Q", "a-s-A-M-H-Q"} & tracks  # drones as UAVs
    assert tracks <= {
        f"a-{a}-A{f}" for a in "fhsnu" for f in ("", "-M-F-Q", "-M-H-Q", "-C", "-C-F", "-C-H")
    }
    alarms = [e for e in events if e.type == "b-l"]
    assert alarms, "the alerted drone's alarm"
    link = alarms[0].detail.xmlDetail
    hostile = [uid for uid, ts in types_of.items() if any(t.startswith("a-h-") for t in ts)]
    assert any(f'uid="{uid}"' in link for uid in hostile)
