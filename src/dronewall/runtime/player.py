"""Replay of a recorded run into the map: stored frames and alert events published at any
speed, as the pipeline publishes live ones. Read-only: operators cannot act on a replay."""

from __future__ import annotations

import math
import threading
import time

from dronewall.assess import Alert
from dronewall.assess.errors import AlertError
from dronewall.core.tracks import SensorGeometry
from dronewall.runtime.pipeline import EventListener, FrameListener, Summary
from dronewall.runtime.sources import Pacer
from dronewall.store import PictureFrame, Store


class FramePlayer:
    def __init__(
        self,
        store: Store,
        run_id: str,
        sensors: SensorGeometry,
        *,
        speed: float = 10.0,
        t0: float | None = None,
    ):
        self.store = store
        self.run_id = run_id
        self.sensors = sensors
        self.speed = speed
        self.t0 = t0
        info = store.run(run_id)
        self.latest = PictureFrame.empty(math.nan)
        self.summary = Summary(run_id, f"replay of {info.source}", t_start=info.t_start)
        self._frame_listeners: list[FrameListener] = []
        self._event_listeners: list[EventListener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def on_frame(self, listener: FrameListener) -> None:
        self._frame_listeners.append(listener)

    def on_events(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    def start(self) -> None:
        self.summary.state = "running"
        self._thread = threading.Thread(target=self._play, name="dronewall-player", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def alerts(self, *, include_cleared: bool = False) -> tuple[Alert, ...]:
        return ()

    def act(self, alert_id: int, action: str, operator: str, note: str = "") -> Alert:
        raise AlertError(f"{action} alert {alert_id}: this is a replay; alerts are read-only")

    def _play(self) -> None:
        pacer = Pacer(self.speed)
        previous = self.t0 if self.t0 is not None else -math.inf
        for seq, frame in enumerate(self.store.frames(self.run_id, self.t0), start=1):
            if self._stop.is_set():
                break
            pacer.wait(frame.t)
            # (previous, frame.t]: an event on a frame's time is announced with that frame once
            events = [e for e in self.store.events(self.run_id, previous, frame.t)
                      if e.t > previous or math.isinf(previous)]  # fmt: skip
            previous = frame.t
            self.latest = frame
            s = self.summary
            s.t, s.frames, s.tracks = frame.t, s.frames + 1, len(frame)
            for listener in self._frame_listeners:
                listener(frame, time.time(), seq)
            if events:
                for e_listener in self._event_listeners:
                    e_listener(events)
        self.summary.state = "stopped" if self._stop.is_set() else "finished"
