"""Signing in to the map (a real Chromium on the live server with the built-in user store):
a wrong password is refused with a message and the map stays covered; a viewer sees the
picture and who they are, but cannot act — the buttons are disabled and the server refuses
the call with the viewer's token; a commander clears an alert and the alert's history names
them; signing out forgets the token; a token the server no longer accepts brings the form
back; a session that ends while the map is open asks again, and the same user carries on
where they were while another user gets a fresh page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.server.authhelp import add_user
from tests.web.conftest import NATION, SCREENSHOTS, LiveServer, sign_in
from tests.web.harness import D


@pytest.fixture
def fresh(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """The map opened with no token (the sign-in form showing); no uncaught page error."""
    page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url)
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    yield page
    assert errors == [], errors
    page.close()


def _token(page: Page) -> str:
    return str(page.evaluate("sessionStorage.getItem('dronewall.token')"))


def _post(page: Page, path: str, token: str) -> int:
    """The status of a POST from the page with ``token``."""
    return int(
        page.evaluate(
            "([p, t]) => fetch(p, {method: 'POST', headers: {authorization: 'Bearer ' + t,"
            " 'content-type': 'application/json'}, body: '{}'}).then(r => r.status)",
            [path, token],
        )
    )


def test_a_wrong_password_is_refused_with_a_message(fresh: Page) -> None:
    page = fresh
    assert page.evaluate(f"{D}.user()") is None
    assert page.evaluate(f"{D}.wsState()") == "connecting"  # nothing opened before sign-in
    sign_in(page, "otto", "not the password")
    page.wait_for_selector("[data-testid=login-error]", state="visible", timeout=15_000)
    assert "refused" in page.inner_text("[data-testid=login-error]").lower()
    assert page.is_visible("[data-testid=login]")  # the map stays covered
    assert page.evaluate("sessionStorage.getItem('dronewall.token')") is None
    assert page.evaluate(f"{D}.trackCount()") == 0
    # The right password then lets the same page in.
    sign_in(page, "otto")
    page.wait_for_function(f"{D}.trackCount() > 0", timeout=60_000)
    assert page.is_hidden("[data-testid=login]")


def test_a_viewer_sees_the_picture_but_cannot_act(fresh: Page) -> None:
    page = fresh
    sign_in(page, "vera")
    page.wait_for_function(f"{D}.trackCount() > 0 && {D}.wsState() === 'open'", timeout=60_000)
    assert page.inner_text("[data-testid=user-name]") == "vera"
    assert page.inner_text("[data-testid=user-roles]") == "viewer"
    assert page.inner_text("[data-testid=user-nation]") == NATION
    assert page.is_visible("[data-testid=sign-out]")
    assert page.evaluate(f"{D}.user().roles") == ["viewer"]
    page.wait_for_selector("[data-alert-id]", timeout=120_000)
    row = page.locator("[data-alert-id]").first
    alert_id = int(row.get_attribute("data-alert-id") or "0")
    buttons = row.locator(".actions button")
    assert buttons.count() >= 1  # shown, so the viewer sees what others may do …
    for i in range(buttons.count()):
        assert buttons.nth(i).is_disabled()  # … but cannot
        assert "viewer" in (buttons.nth(i).get_attribute("title") or "")
    # The server refuses the viewer too, whatever the page shows.
    token = _token(page)
    for action in ("acknowledge", "engage", "clear"):
        assert _post(page, f"/api/alerts/{alert_id}/{action}", token) == 403, action
    alert = page.evaluate(f"{D}.alerts().find(a => a.alert_id === {alert_id})")
    if alert is not None:  # still held: nobody's action on it is the viewer's
        assert all(x["operator"] != "vera" for x in alert.get("actions", []))


def test_a_commander_clears_an_alert_and_its_history_says_who(fresh: Page) -> None:
    page = fresh
    sign_in(page, "cora")
    page.wait_for_function(f"{D}.trackCount() > 0", timeout=60_000)
    page.wait_for_selector("[data-testid^=clear-]:not([disabled])", timeout=120_000)
    testid = page.locator("[data-testid^=clear-]:not([disabled])").first.get_attribute(
        "data-testid"
    )
    alert_id = int((testid or "").split("-", 1)[1])
    page.locator(f"[data-testid=clear-{alert_id}]").click()
    page.wait_for_function(
        f"{D}.alerts().some(a => a.alert_id === {alert_id} && a.state === 'cleared')",
        timeout=10_000,
    )
    entry = page.locator(f"[data-testid=history-{alert_id}] li[data-action=clear]")
    entry.wait_for(timeout=5_000)
    assert entry.get_attribute("data-operator") == "cora"
    assert "cleared by cora" in entry.inner_text()
    # Selected, the alert shows its audit trail: cora, her role and nation, cleared.
    page.locator(f"[data-alert-id='{alert_id}']").click()
    audited = page.locator(f"[data-testid=audit-{alert_id}] li[data-action='alert.clear']")
    audited.wait_for(timeout=10_000)
    assert audited.get_attribute("data-actor") == "cora"
    assert f"cora (commander, {NATION})" in audited.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#alert-panel").screenshot(path=str(SCREENSHOTS / "alert-who-did-what.png"))


def test_sign_out_forgets_the_token_and_a_refused_token_asks_again(fresh: Page) -> None:
    page = fresh
    sign_in(page, "otto")
    page.wait_for_function(f"{D}.wsState() === 'open'", timeout=60_000)
    token = _token(page)
    assert token and token != "None"
    page.click("[data-testid=sign-out]")
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    assert page.evaluate("sessionStorage.getItem('dronewall.token')") is None
    assert page.evaluate(f"{D}.user()") is None
    # A token the server does not accept (forged): the form again, with no picture behind it.
    page.evaluate("sessionStorage.setItem('dronewall.token', 'e30.e30.forged')")
    page.reload()
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    assert page.evaluate("sessionStorage.getItem('dronewall.token')") is None
    assert page.evaluate(f"{D}.trackCount()") == 0


def test_a_session_that_ends_asks_again_and_the_same_user_carries_on(
    fresh: Page, live_server: LiveServer
) -> None:
    page, auth = fresh, live_server.auth
    assert auth.users is not None
    add_user(auth, "tess", ("operator",), nation=NATION)
    sign_in(page, "tess")
    page.wait_for_function(f"{D}.wsState() === 'open' && {D}.trackCount() > 0", timeout=60_000)
    page.evaluate("window.keptAcrossSignIn = 42")  # gone if the page reloads
    auth.users.remove("tess")  # the server stops accepting tess's token at once
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    assert "session has ended" in page.inner_text("[data-testid=login-note]")
    assert page.evaluate(f"{D}.wsState()") == "closed"  # no picture while signed out
    add_user(auth, "tess", ("operator",), nation=NATION)
    sign_in(page, "tess")
    page.wait_for_function(f"{D}.wsState() === 'open'", timeout=30_000)
    assert page.is_hidden("[data-testid=login]")
    assert page.evaluate("window.keptAcrossSignIn") == 42  # carried on: no reload
    # Another user signing in after the session ended gets a fresh page.
    auth.users.remove("tess")
    page.wait_for_selector("[data-testid=login]", state="visible", timeout=30_000)
    with page.expect_navigation(timeout=30_000):
        sign_in(page, "otto")
    page.wait_for_function(f"{D}.user() !== null && {D}.trackCount() > 0", timeout=60_000)
    assert page.evaluate(f"{D}.user().name") == "otto"
    assert page.evaluate("window.keptAcrossSignIn") is None
