"""Browser tests: Playwright drives Debian's headless Chromium against a live server.

No browser is ever downloaded: Chromium is ``/usr/bin/chromium`` from Debian
(``apt-get install chromium``; ``.ci/run`` installs it). Without it these tests fail and
say so. Each test module gets its own server (the demo tenant on SQLite), each test its
own browser context. ``FRONTDESK_SCREENSHOTS=docs/screenshots`` saves the screenshots the
tests take there (they go to a temporary folder otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from frontdesk.app.demo_data import DemoData
from tests.e2e.live import LiveServer, demo_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 720}
#: The browser's own zone is far from the tenant's (Moscow): a page must show the tenant's.
BROWSER_ZONE = "America/New_York"
Login = Callable[..., Page]


# Playwright's sync API runs an event loop in this thread while it is open: it is opened
# per module, so the asynchronous tests of other folders find no loop running after it.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}: "
                    "apt-get install chromium")  # fmt: skip
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoData]:
    return demo_database(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, demo: tuple[Path, DemoData]
) -> Iterator[LiveServer]:
    template, data = demo
    live = LiveServer(tmp_path_factory.mktemp("frontdesk"), template, data)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def context(browser: Browser, server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=server.url, viewport=VIEWPORT, locale="en-US", timezone_id=BROWSER_ZONE
    )
    context.set_default_timeout(5000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def login(context: BrowserContext, server: LiveServer) -> Iterator[Login]:
    """Sign in as ``username`` (the demo password) in a new page of the test's browser;
    ``fresh=True`` opens a new browser context for a second person."""
    opened: list[BrowserContext] = []

    def sign_in(username: str, *, fresh: bool = False, path: str = "/") -> Page:
        ctx = context
        if fresh:
            browser = context.browser
            assert browser is not None
            ctx = browser.new_context(
                base_url=server.url, viewport=VIEWPORT, locale="en-US", timezone_id=BROWSER_ZONE
            )
            ctx.set_default_timeout(5000)
            opened.append(ctx)
        page = ctx.new_page()
        page.goto("/login?next=" + path)
        page.fill("#username", username)
        page.fill("#password", server.data.password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield sign_in
    for ctx in opened:
        ctx.close()


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    """The REST API as the demo's admin (a session with its CSRF token)."""
    with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as client:
        answer = client.post(
            "/auth/login",
            json={"tenant": "demo", "username": server.data.admins[0][0],
                  "password": server.data.password},
        )  # fmt: skip
        answer.raise_for_status()
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("FRONTDESK_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def shoot(page: Page, folder: Path, name: str, **options: Any) -> Path:
    """A screenshot of ``page`` as ``folder/name.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path
