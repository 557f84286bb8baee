"""A real server (uvicorn, live pipeline on a simulated scenario, SQLite store, sign-in with
the built-in user store) and Debian's headless Chromium driven by Playwright. Every page signs
in through the map's form (``sign_in``); the users are in ``USERS``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from dronewall.runtime.live import simulation_pipeline
from dronewall.runtime.pipeline import Pipeline, PipelineSettings
from dronewall.server import ServerSettings, create_app
from dronewall.server.auth import Authenticator
from dronewall.server.serving import uvicorn_config
from dronewall.server.settings import STATIC_DIR
from dronewall.store.sqlite import SQLiteStore
from tests.server.authhelp import PASSWORD, add_user, make_auth

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make browser); Playwright cannot download
# Software WebGL (SwiftShader) for deck.gl; no sandbox as root; no calls home.
FLAGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
# The live server's users (password authhelp.PASSWORD), Danish like the Copenhagen sensors:
# a user of another nation would be sent only what those sensors release to it.
NATION = "DNK"
USERS = {"vera": ("viewer",), "otto": ("operator",), "cora": ("commander",)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, pipeline: Pipeline, store: SQLiteStore, auth: Authenticator):
        self.pipeline = pipeline
        self.auth = auth  # its user store: tests add and remove users while pages are open
        self.port = _free_port()
        app = create_app(ServerSettings(), store=store, feed=pipeline, auth=auth)
        self.server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", self.port))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.pipeline.stop()
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    assert (STATIC_DIR / "index.html").exists(), "the web map is not built: run make web"
    store = SQLiteStore(tmp_path_factory.mktemp("web") / "live.db")
    # Copenhagen, 22 Sep 2025, at 5× real time: the first drone alert comes within a minute of
    # wall time and lives long enough (about 15 s) for a click.
    pipeline = simulation_pipeline(
        "copenhagen-2025-09", store, PipelineSettings(speed=5.0), duration_s=3600.0
    )
    auth = make_auth(tmp_path_factory.mktemp("users"))
    for name, roles in USERS.items():
        add_user(auth, name, roles, nation=NATION, clearance="SECRET")
    server = LiveServer(pipeline, store, auth)
    server.start()
    yield server
    server.stop()
    store.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run make browser"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    """Sign in through the map's form (shown because the page has no token)."""
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    page.fill("[data-testid=login-user]", name)
    page.fill("[data-testid=login-password]", password)
    page.click("[data-testid=login-submit]")


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """The map, signed in as the operator ``otto`` through the form, showing tracks."""
    page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url)
    sign_in(page, "otto")
    page.wait_for_function("window.dronewall && window.dronewall.trackCount() > 0", timeout=60_000)
    yield page
    assert errors == [], errors  # no uncaught error in the page
    page.close()
