"""Signing in, the sections a role sees, the language of the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Login
from tests.e2e.live import LiveServer, agent_user


def test_a_wrong_password_is_refused_on_the_form(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/login")
    page.fill("#username", agent_user(server.data))
    page.fill("#password", "not the password")
    page.click("#login-form button[type=submit]")
    expect(page.locator(".form-error")).to_contain_text("password")
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_page_asks_to_sign_in_and_comes_back(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/customers")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcustomers|/login\?next=/customers"))


def test_an_agent_cannot_open_administration(login: Login, server: LiveServer) -> None:
    agent = login(agent_user(server.data))
    expect(agent.locator("nav.sections")).not_to_contain_text("Administration")
    answer = agent.goto("/admin")
    assert answer is not None
    assert answer.status == 403
    expect(agent.locator("h1")).to_have_text("You do not have access to this page")


def test_switching_to_russian_translates_the_page(login: Login, server: LiveServer) -> None:
    page = login(server.data.supervisors[0][0])
    expect(page.locator("[data-logout]")).to_have_text("Sign out")
    page.select_option("[data-language-switch]", "ru")
    expect(page.locator("[data-logout]")).to_have_text("Выйти")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.reload()  # the choice is the user's, kept by the server
    expect(page.locator("[data-logout]")).to_have_text("Выйти")
