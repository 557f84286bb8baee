"""The map under the server's real Content-Security-Policy (``server/hardening.py``): signed in,
tracks drawn, the live WebSocket open, and not one CSP violation reported by the browser.

The other browser tests open their pages with ``bypass_csp=True``: Playwright's
``wait_for_function`` with a string evaluates it with ``eval`` in the page, which the policy
(rightly) forbids. This test therefore polls with ``page.evaluate`` (run by the debugger
protocol, outside the page's policy) and is the one that checks the policy against the map."""

from __future__ import annotations

import time

from playwright.sync_api import Browser

from tests.web.conftest import LiveServer, sign_in
from tests.web.harness import D

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _until(page: object, expression: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"not true in {timeout_s} s: {expression}"
        time.sleep(0.2)


def test_the_map_works_under_the_content_security_policy(
    browser: Browser, live_server: LiveServer
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH)
    got = page.goto(live_server.url)
    assert got is not None and "frame-ancestors 'none'" in got.headers["content-security-policy"]
    sign_in(page, "otto")
    _until(page, f"!!{D} && {D}.trackCount() > 0 && {D}.wsState() === 'open'", 60.0)
    page.mouse.wheel(0, -300)  # zoom: tiles, symbols and labels redrawn
    time.sleep(1.0)
    assert page.evaluate("window.__csp") == []
    assert errors == []
    page.close()
