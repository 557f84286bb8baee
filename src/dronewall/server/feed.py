"""What the server shows: a live pipeline or a replayed run — both publish frames and events
to listeners, keep the latest frame and a summary, and answer for alerts."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import orjson

from dronewall.assess import Alert, AlertEvent
from dronewall.core.tracks import SensorGeometry
from dronewall.runtime.pipeline import EventListener, FrameListener, Summary
from dronewall.server.columns import encode_columns
from dronewall.server.encode import alert_list, encode_frame, event_dict, frame_message
from dronewall.server.hub import Hub
from dronewall.store import PictureFrame


class Feed(Protocol):
    run_id: str
    summary: Summary
    latest: PictureFrame
    sensors: SensorGeometry

    def on_frame(self, listener: FrameListener) -> None: ...

    def on_events(self, listener: EventListener) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> bool: ...

    @property
    def running(self) -> bool: ...

    def alerts(self, *, include_cleared: bool = False) -> tuple[Alert, ...]: ...

    def act(self, alert_id: int, action: str, operator: str, note: str = "") -> Alert: ...


def alerts_message(feed: Feed) -> str:
    return orjson.dumps({"type": "alerts", "alerts": alert_list(feed.alerts())}).decode()


def encode_both(
    f: PictureFrame, run_id: str, seq: int, wall_ingest: float, *, json: bool
) -> tuple[bytes, bytes | None]:
    """The frame as binary columns, and as JSON if asked."""
    now = time.time()
    message = frame_message(f, run_id, seq, wall_ingest) if json else None
    scalars = {"type": "frame", "run_id": run_id, "t": f.t, "seq": seq,
               "wall_ingest": wall_ingest, "wall_sent": now}  # fmt: skip
    return encode_columns(f, scalars), encode_frame(message, now) if message else None


def connect(feed: Feed, hub: Hub, loop: asyncio.AbstractEventLoop) -> None:
    """Publish the feed's frames and events on the hub. Frames are encoded once, on the
    feed's thread; the hub is only touched from its event loop."""

    def frame(f: PictureFrame, wall_ingest: float, seq: int) -> None:
        columns, json = encode_both(f, feed.run_id, seq, wall_ingest, json=hub.json_clients > 0)
        loop.call_soon_threadsafe(hub.publish_frame, columns, json)

    def events(batch: list[AlertEvent]) -> None:
        message = {"type": "events", "events": [event_dict(e) for e in batch]}
        loop.call_soon_threadsafe(hub.publish_message, orjson.dumps(message).decode())
        loop.call_soon_threadsafe(hub.publish_message, alerts_message(feed))

    feed.on_frame(frame)
    feed.on_events(events)
