"""What the server shows: a live pipeline or a replayed run — both publish frames and events
to listeners, keep the latest frame and a summary, and answer for alerts.

Each frame and alert event is cut per recipient group of the hub (``runtime/release.py``) and
encoded once per distinct allowed label mask — users of one nation and clearance share one
cut and one encoding — on the feed's thread."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import orjson
from starlette.requests import HTTPConnection

from dronewall.assess import Alert, AlertEvent
from dronewall.core.errors import DataError
from dronewall.core.release import Recipient
from dronewall.core.tracks import SensorGeometry
from dronewall.runtime.pipeline import EventListener, FrameListener, Summary
from dronewall.runtime.release import Release, TrackLabels
from dronewall.runtime.sensor_table import sensors_from_json
from dronewall.server.columns import encode_columns
from dronewall.server.encode import alert_list, encode_frame, event_dict, frame_message
from dronewall.server.hub import Hub
from dronewall.store import PictureFrame, Store


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


def alerts_message(
    feed: Feed, release: Release | None = None, labels: TrackLabels | None = None
) -> str:
    """The alerts message; with ``release``, only alerts on tracks its recipient may see."""
    alerts = released_alerts(feed.alerts(), release, labels)
    return orjson.dumps({"type": "alerts", "alerts": alert_list(alerts)}).decode()


def released_alerts(
    alerts: tuple[Alert, ...], release: Release | None, labels: TrackLabels | None
) -> tuple[Alert, ...]:
    """Alerts on tracks the recipient is cleared for (all of them without ``release``)."""
    if release is None or not alerts:
        return alerts
    keep = release.track_ids([a.track_id for a in alerts], labels or TrackLabels())
    return tuple(a for a, ok in zip(alerts, keep.tolist(), strict=True) if ok)


def recipient_of(conn: HTTPConnection) -> Recipient | None:
    """Whom a request or WebSocket is for: the signed-in principal's recipient (``auth``'s
    guard leaves it on ``state.principal``); None — the whole picture — where no one signs
    in (``serve --auth none`` on loopback: the node's own operator) or no guard runs."""
    who = getattr(conn.state, "principal", None)
    recipient = getattr(who, "recipient", None)
    if not isinstance(recipient, Recipient) or getattr(who, "source", "") == "none":
        return None
    return recipient


def release_for(sensors: SensorGeometry, recipient: Recipient | None) -> Release | None:
    """A one-off ``Release`` over a fixed sensor table (REST answers, a recorded run)."""
    return None if recipient is None else Release(recipient, lambda: sensors)


def run_sensors(store: Store, feed: Feed | None, run_id: str) -> SensorGeometry | None:
    """The sensor table (with labels) of a run: the live one's, or the one recorded with the
    run; None when the run recorded none (then a filtered recipient receives nothing)."""
    if feed is not None and feed.run_id == run_id:
        return feed.sensors
    settings = store.run(run_id).settings
    table = settings.get("sensors") if isinstance(settings, dict) else None
    if not isinstance(table, dict):
        return None
    try:
        return sensors_from_json(table)
    except DataError:
        return None


def cut_frame(
    frame: PictureFrame, sensors: SensorGeometry | None, recipient: Recipient | None
) -> PictureFrame:
    """``frame`` as ``recipient`` may see it (None: all of it; unknown sensors: nothing)."""
    if recipient is None:
        return frame
    if sensors is None:
        return frame.take([])
    return Release(recipient, lambda: sensors).frame(frame)


def released_rows(
    frame: PictureFrame, sensors: SensorGeometry | None, recipient: Recipient
) -> npt.NDArray[np.intp]:
    """Indices of the rows of ``frame`` ``recipient`` may see (none when sensors unknown)."""
    if sensors is None:
        return np.zeros(0, np.intp)
    return np.flatnonzero(Release(recipient, lambda: sensors).rows(frame.label_mask))


def cut_run_events(
    events: list[AlertEvent],
    store: Store,
    run_id: str,
    sensors: SensorGeometry | None,
    recipient: Recipient | None,
) -> list[AlertEvent]:
    """A recorded run's alert events on tracks ``recipient`` may see, each track judged by
    its last recorded labels (the most it ever carried)."""
    if recipient is None:
        return events
    if sensors is None:
        return [e for e in events if e.track_id is None]
    labels = TrackLabels()
    for tid in {e.track_id for e in events if e.track_id is not None}:
        rows = store.track_history(run_id, tid).rows
        if len(rows):
            labels.note(rows.track_id[-1:], rows.label_mask[-1:])
    return Release(recipient, lambda: sensors).events(events, labels)


def released_sensors(
    geo_json: dict[str, Any], sensors: SensorGeometry, recipient: Recipient | None
) -> dict[str, Any]:
    """The sensors GeoJSON with only the sensors whose label ``recipient`` is cleared for
    (where a sensor stands, and that it exists, are its owner's to share)."""
    if recipient is None:
        return geo_json
    release = Release(recipient, lambda: sensors)
    ok = release.rows(sensors.label_table.sensor_bits)
    shown = {sid for sid, keep in zip(sensors.sensor_id, ok.tolist(), strict=True) if keep}
    features = [
        f for f in geo_json.get("features", []) if f.get("properties", {}).get("sensor_id") in shown
    ]
    return {**geo_json, "features": features}


def alert_with_id(feed: Feed, alert_id: int) -> tuple[Alert, ...]:
    """The alert ``alert_id`` (cleared ones too), or nothing."""
    return tuple(a for a in feed.alerts(include_cleared=True) if a.alert_id == alert_id)


class Releases:
    """One ``Release`` per recipient met, over the feed's current sensor table."""

    def __init__(self, feed: Feed):
        self._feed = feed
        self._by: dict[Recipient, Release] = {}

    def of(self, recipient: Recipient | None) -> Release | None:
        if recipient is None:
            return None
        found = self._by.get(recipient)
        if found is None:
            found = self._by[recipient] = Release(recipient, lambda: self._feed.sensors)
        return found


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

    releases = Releases(feed)
    labels = hub.track_labels

    def post(call: Callable[[Any], None], arg: Any) -> None:
        """Hand ``call(arg)`` to the hub's loop; nothing once that loop has closed (an app that
        shut down while its feed runs on, as when tests share one pipeline)."""
        if loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # closed between the check and the call
            loop.call_soon_threadsafe(call, arg)

    def frame(f: PictureFrame, wall_ingest: float, seq: int) -> None:
        labels.note_frame(f)
        groups = list(dict(hub.recipients)) or [None]  # no client: keep the whole one fresh
        json = hub.json_clients > 0
        encoded, by_allowed = {}, {}  # recipients cleared alike share one cut and encoding
        for recipient in groups:
            release = releases.of(recipient)
            key = None if release is None or release.everything else release.allowed
            if key not in by_allowed:
                mine = f if key is None or release is None else release.frame(f)
                by_allowed[key] = encode_both(mine, feed.run_id, seq, wall_ingest, json=json)
            encoded[recipient] = by_allowed[key]
        post(hub.publish_frames, encoded)

    def events(batch: list[AlertEvent]) -> None:
        events_by, alerts_by = {}, {}
        done: dict[int | None, tuple[str, str]] = {}  # by allowed mask, as frames
        for recipient in list(dict(hub.recipients)) or [None]:
            release = releases.of(recipient)
            key = None if release is None or release.everything else release.allowed
            if key not in done:
                mine = batch if key is None or release is None else release.events(batch, labels)
                message = {"type": "events", "events": [event_dict(e) for e in mine]}
                cut = None if key is None else release
                done[key] = (orjson.dumps(message).decode(), alerts_message(feed, cut, labels))
            events_by[recipient], alerts_by[recipient] = done[key]
        post(hub.publish_messages, events_by)
        post(hub.publish_messages, alerts_by)

    feed.on_frame(frame)
    feed.on_events(events)
