"""Shared by the end-to-end feed tests: ``dronewall serve`` on live feeds (the real pipeline,
app and transports), a target to report, and a wait for it in ``/api/tracks``."""

from __future__ import annotations

import contextlib
import math
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyproj import Geod

from dronewall.runtime.feedspec import parse_feed_url
from dronewall.runtime.live import feeds_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.server import ServerSettings, create_app
from dronewall.store import Store, open_store

GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Target:
    """A drone flying a straight line at constant speed and height."""

    lat0: float
    lon0: float
    alt_m: float
    course_deg: float
    speed_mps: float
    t0: float

    def at(self, t: float) -> tuple[float, float, float]:
        lon, lat, _ = GEOD.fwd(self.lon0, self.lat0, self.course_deg,
                               self.speed_mps * (t - self.t0))  # fmt: skip
        return float(lat), float(lon), self.alt_m

    def bearing_from(self, lat: float, lon: float, t: float) -> float:
        tlat, tlon, _ = self.at(t)
        az, _, _ = GEOD.inv(lon, lat, tlon, tlat)
        return float(az) % 360.0

    def range_from(self, lat: float, lon: float, t: float) -> float:
        tlat, tlon, _ = self.at(t)
        return float(GEOD.inv(lon, lat, tlon, tlat)[2])


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(urls: list[str], tmp_path: Path, **extra: Any) -> Iterator[tuple[TestClient, Pipeline]]:
    """The app over a feeds pipeline recording to SQLite in ``tmp_path``."""
    store: Store = open_store(f"sqlite:///{tmp_path / 'feeds.db'}")
    specs = [parse_feed_url(u, extra.get(u)) for u in urls]
    pipeline = feeds_pipeline(specs, store, PipelineSettings(speed=math.inf))
    app = create_app(ServerSettings(static_dir=tmp_path), store=store, feed=pipeline)
    try:
        with TestClient(app) as client:
            yield client, pipeline
    finally:
        store.close()


def wait_for(client: TestClient, tick: Callable[[], None], ok: Callable[[dict[str, Any]], bool],
             timeout_s: float = 40.0) -> dict[str, Any]:  # fmt: skip
    """Call ``tick`` (send what is due) until ``/api/tracks`` satisfies ``ok``; the picture."""
    deadline = time.monotonic() + timeout_s
    picture: dict[str, Any] = {}
    while time.monotonic() < deadline:
        tick()
        picture = client.get("/api/tracks").json()
        if ok(picture):
            return picture
        time.sleep(0.1)
    raise AssertionError(f"not seen in {timeout_s} s: {picture.get('n')} tracks")


def track_near(picture: dict[str, Any], lat: float, lon: float, within_m: float) -> int | None:
    """The index of a track within ``within_m`` of (lat, lon), if any."""
    for i, (tlat, tlon) in enumerate(zip(picture.get("lat", []), picture.get("lon", []),
                                         strict=True)):  # fmt: skip
        if GEOD.inv(lon, lat, tlon, tlat)[2] < within_m:
            return i
    return None
