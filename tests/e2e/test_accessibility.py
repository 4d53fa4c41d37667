"""Every screen at 1280×720, in both languages: each control is named for a screen reader,
nothing spills sideways, the keyboard reaches the controls in reading order, and the
page says its language."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Login
from tests.e2e.live import LiveServer, agent_user

#: Each control shown, and what a screen reader would call it ("" when it has no name).
UNNAMED = """() => {
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const named = (e) => {
    if (e.getAttribute("aria-label")?.trim()) return true;
    const by = e.getAttribute("aria-labelledby");
    if (by && by.split(/\\s+/).some((id) => document.getElementById(id)?.textContent.trim()))
      return true;
    if (e.labels && Array.from(e.labels).some((l) => l.textContent.trim())) return true;
    if (e.getAttribute("title")?.trim()) return true;
    if (e.tagName === "BUTTON" || e.tagName === "A") return !!e.textContent.trim()
      || !!e.querySelector("img[alt]:not([alt=''])");
    return false;
  };
  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, a[href]");
  return Array.from(controls).filter((e) => visible(e) && !named(e))
    .map((e) => e.outerHTML.slice(0, 120));
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
NO_ALT = "() => Array.from(document.images).filter((i) => !i.hasAttribute('alt')).length"
AGENT_PAGES = ["/desk", "/customers"]
SUPERVISOR_PAGES = ["/wallboard", "/reports", "/contacts", "/scenarios"]
ADMIN_PAGES = [
    "/admin/users",
    "/admin/agents",
    "/admin/agents/new",
    "/admin/config/queues",
    "/admin/config/queues/new",
    "/admin/config/calendars/new",
    "/admin/config/reasons/new",
    "/admin/config/scripts/new",
    "/admin/config/webhooks/new",
    "/admin/config/settings/edit/wallboard",
    "/admin/tokens",
    "/admin/audit",
]


def check(page: Page, path: str) -> dict[str, Any]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return {
        "unnamed": page.evaluate(UNNAMED),
        "overflow": page.evaluate(OVERFLOW),
        "images without alt": page.evaluate(NO_ALT),
        "lang": page.locator("html").get_attribute("lang"),
    }


def assert_accessible(page: Page, paths: list[str], language: str) -> None:
    problems = {}
    for path in paths:
        found = check(page, path)
        wrong = {
            k: v
            for k, v in found.items()
            if (k == "lang" and v != language) or (k != "lang" and v not in (0, []))
        }
        if wrong:
            problems[path] = wrong
    assert not problems, problems


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_screen_names_its_controls_and_fits(
    login: Login, server: LiveServer, language: str
) -> None:
    people = [
        (agent_user(server.data), AGENT_PAGES),
        (server.data.supervisors[0][0], SUPERVISOR_PAGES),
        (server.data.admins[0][0], ADMIN_PAGES),
    ]
    customer = server.data.customers[0].id
    for username, paths in people:
        page = login(username, fresh=True)
        if language != "en":
            with page.expect_navigation():  # the page reloads in the new language
                page.select_option("[data-language-switch]", language)
        assert_accessible(page, [*paths, f"/customers/{customer}"], language)


def test_the_keyboard_walks_the_page_from_the_top(login: Login, server: LiveServer) -> None:
    page = login(server.data.supervisors[0][0], path="/contacts")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in first  # the first stop leads past the top bar
    tops = []
    for _ in range(12):
        page.keyboard.press("Tab")
        tops.append(page.evaluate("() => document.activeElement.getBoundingClientRect().top"))
    header = [top for top in tops if top < 52]  # the top bar first, then the page
    assert tops[: len(header)] == header
    assert header, "the top bar's links are reachable by keyboard"
