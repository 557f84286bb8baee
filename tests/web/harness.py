"""Shared by the browser tests that start their own server: any FastAPI app on uvicorn in a
thread on a free port, and a page of the map opened in the package's Chromium."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from dronewall.server.serving import uvicorn_config
from dronewall.server.settings import STATIC_DIR

D = "window.dronewall"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """``app`` served by uvicorn in a daemon thread; ``stop`` ends it (and the app's feed,
    through its lifespan)."""

    def __init__(self, app: FastAPI):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", self.port))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[AppServer]:
    server = AppServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def map_page(browser: Browser, url: str) -> Iterator[Page]:
    """The map at ``url``; no uncaught error may happen in the page while it is used."""
    assert (STATIC_DIR / "index.html").exists(), "the web map is not built: run make web"
    page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url)
        page.wait_for_function(f"!!{D} && {D}.health().polls > 0", timeout=60_000)
        yield page
        assert errors == [], errors
    finally:
        page.close()
