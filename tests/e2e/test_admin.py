"""Administration in a browser: queues, agents, users, API tokens and the audit log."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Login, shoot
from tests.e2e.live import LiveServer, agent_user

ADMIN = "admin"


def open_admin(login: Login, path: str) -> Page:
    page = login(ADMIN, path=path)
    page.set_default_timeout(10_000)  # the machine may be busy: give a page its time
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    return page


def arrived(page: Page, path: str) -> None:
    """Wait until the page at ``path`` has loaded, its scripts listening."""
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.wait_for_load_state()


def test_an_admin_creates_a_queue_and_sees_it_in_the_list(login: Login, api: httpx.Client) -> None:
    page = open_admin(login, "/admin/config/queues")
    page.keyboard.press("n")  # the shortcut of "New queue"
    arrived(page, "/admin/config/queues/new")
    page.fill("#f-key", "returns")
    page.fill("#f-name", "Returns")
    page.fill("#f-service_level", "90/30")
    page.fill("#f-max_wait", "3m")
    page.select_option("#f-overflow", "general")
    page.select_option("#f-calendar", "support")
    page.click("button[type=submit]")

    expect(page).to_have_url(re.compile(r"/admin/config/queues$"))
    expect(page.locator(".toast")).to_contain_text("Saved: returns")
    returns = page.locator("tr[data-key='returns']")
    expect(returns).to_contain_text("Returns")
    expect(returns).to_contain_text("90/30")
    expect(returns).to_contain_text("General (general)")
    assert api.get("/queues/returns").json() == {
        "name": "Returns", "service_level": "90/30", "priority": 0, "max_wait": "3m",
        "overflow": "general", "calendar": "support",
    }  # fmt: skip


def test_an_invalid_value_is_shown_at_its_field_and_nothing_is_saved(
    login: Login, api: httpx.Client, screenshots: Path
) -> None:
    page = open_admin(login, "/admin/config/queues/new")
    page.fill("#f-key", "complaints")
    page.fill("#f-name", "Complaints")
    page.fill("#f-service_level", "eighty")
    page.fill("#f-max_wait", "2m")
    page.press("#f-max_wait", "Enter")

    error = page.locator("#f-service_level").locator("xpath=..").locator(".field-error")
    expect(error).to_have_text("must look like 80/20, got 'eighty'")
    expect(page.locator("#f-service_level")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-service_level")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/admin/config/queues/new$"))
    expect(page.locator("#f-name")).to_have_value("Complaints")  # nothing typed is lost
    assert api.get("/queues/complaints").status_code == 404
    shoot(page, screenshots, "admin-queue")

    page.fill("#f-service_level", "80/60")
    page.keyboard.press("Control+s")
    expect(page).to_have_url(re.compile(r"/admin/config/queues$"))
    assert api.get("/queues/complaints").json()["service_level"] == "80/60"


def test_a_queue_the_scenario_routes_to_is_not_deleted(login: Login, api: httpx.Client) -> None:
    page = open_admin(login, "/admin/config/queues")
    sales = page.locator("tr[data-key='sales']")
    sales.get_by_role("button", name="Delete sales").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Delete sales? This cannot be undone.")
    dialog.get_by_role("button", name="Delete").click()
    expect(sales.locator(".field-error")).to_contain_text("the published scenario uses queues")
    assert api.get("/queues/sales").status_code == 200


def test_an_admin_creates_an_agent_with_skills_and_capacity_and_a_user_for_them(
    login: Login, api: httpx.Client, server: LiveServer
) -> None:
    page = open_admin(login, "/admin/agents")
    page.get_by_role("link", name="New agent").click()
    arrived(page, "/admin/agents/new")
    page.fill("#f-key", "n.orlova")
    page.fill("#f-name", "Нина Орлова")
    for skill, level in (("support", "4"), ("sales", "2")):
        page.click("#add-skill")
        added = page.locator(".skill-row").last
        added.get_by_label("Skill").fill(skill)
        added.get_by_label("Proficiency").select_option(level)
    page.fill("#f-languages", "ru, en")
    page.get_by_label("General").check()
    page.fill("#f-capacity-call", "1")
    page.fill("#f-capacity-chat", "3")
    page.get_by_label("Calls block chats").check()
    page.click("button[type=submit]")

    expect(page).to_have_url(re.compile(r"/admin/agents$"))
    orlova = page.locator("tr[data-key='n.orlova']")
    expect(orlova).to_contain_text("Нина Орлова")
    expect(orlova).to_contain_text("support 4")
    expect(orlova).to_contain_text("Chats 3")
    expect(orlova).to_contain_text("No user")
    agent = api.get("/agents/n.orlova").json()
    assert agent["skills"] == {"support": 4, "sales": 2}
    assert (agent["languages"], agent["queues"]) == (["en", "ru"], ["general"])
    assert (agent["capacity"], agent["blocks"]) == ({"call": 1, "chat": 3}, ["call>chat"])

    page.goto("/admin/users")
    page.keyboard.press("n")
    dialog = page.locator("#user-dialog")
    dialog.get_by_label("User name").fill("n.orlova")
    dialog.get_by_label("Full name").fill("Нина Орлова")
    dialog.get_by_label("Role").select_option("agent")
    dialog.get_by_label("Language").select_option("ru")
    dialog.get_by_label("Agent profile").select_option("n.orlova")
    dialog.get_by_label("Password").fill("short")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator(".field-error")).to_contain_text("at least 8 characters")
    dialog.get_by_label("Password").fill("a long enough password")
    dialog.get_by_role("button", name="Save").click()

    expect(page.locator(".toast")).to_contain_text("User n.orlova created")
    user = page.locator("#users tr", has_text="n.orlova")
    expect(user).to_contain_text("Нина Орлова")
    expect(user).to_contain_text("Русский")
    expect(user.get_by_role("link", name="Нина Орлова")).to_have_attribute(
        "href", "/admin/agents/edit/n.orlova"
    )
    with httpx.Client(base_url=server.url) as client:
        her = {"tenant": "demo", "username": "n.orlova", "password": "a long enough password"}
        signed_in = client.post("/api/v1/auth/login", json=her)
        assert signed_in.json()["agent"] == "n.orlova"


def test_the_last_admin_is_not_deactivated(login: Login) -> None:
    page = open_admin(login, "/admin/users")
    me = page.locator("#users tr", has_text="you")
    me.get_by_role("button", name="Deactivate").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Deactivate").click()
    expect(me.locator(".field-error")).to_contain_text("last active admin")
    expect(me).to_contain_text("Active")


def test_the_agents_list_shows_the_live_state(
    login: Login, api: httpx.Client, server: LiveServer, screenshots: Path
) -> None:
    agents = [agent_user(server.data, n) for n in range(4)]
    page = open_admin(login, "/admin/agents")
    expect(page.locator("#link-state")).to_have_text("Live updates")
    api.post(f"/agents/{agents[0]}/state", json={"state": "ready"}).raise_for_status()
    api.post(f"/agents/{agents[1]}/state", json={"state": "ready"}).raise_for_status()
    api.post(f"/agents/{agents[2]}/state", json={"state": "not_ready", "reason": "lunch"})
    first = page.locator(f"[data-state-of='{agents[0]}']")
    expect(first).to_contain_text("Ready")
    expect(page.locator(f"[data-state-of='{agents[2]}']")).to_contain_text("Not ready Lunch")
    shoot(page, screenshots, "admin-agents")


def test_an_api_token_is_shown_once_and_then_revoked(login: Login, server: LiveServer) -> None:
    page = open_admin(login, "/admin/tokens")
    page.fill("#t-name", "crm-sync")
    page.select_option("#t-role", "supervisor")
    page.get_by_role("button", name="Create token").click()

    dialog = page.locator("#token-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("shown this once only")
    expect(dialog.locator("#token-value")).to_have_value(re.compile(r"^fd_\S{40,}$"))
    token = dialog.locator("#token-value").input_value()
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.locator("#copy-state")).to_have_text("Copied to the clipboard")
    with httpx.Client(base_url=server.url + "/api/v1") as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/contacts", headers=bearer).status_code == 200
        dialog.get_by_role("button", name="I have copied it").click()
        crm = page.locator("#tokens tr", has_text="crm-sync")
        expect(crm).to_contain_text("Supervisor")
        expect(crm).to_contain_text("Active")
        page.wait_for_load_state()
        assert token not in page.content()  # shown once: gone with the dialog

        crm.get_by_role("button", name="Revoke").click()
        page.locator("#confirm-dialog").get_by_role("button", name="Revoke").click()
        expect(page.locator(".toast")).to_contain_text("Revoked: crm-sync")
        expect(page.locator("#tokens tr", has_text="crm-sync")).to_contain_text("Revoked")
        assert client.get("/contacts", headers=bearer).status_code == 401


def test_the_audit_log_lists_the_changes(login: Login, api: httpx.Client) -> None:
    page = open_admin(login, "/admin/config/queues/edit/general")
    page.fill("#f-service_level", "85/15")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/config/queues$"))
    api.put("/agents/a.petrov", json={"name": "Антон Петров", "skills": {"sales": 3}})
    api.post("/users", json={"username": "a.petrov", "password": "a long password",
                             "role": "agent", "agent": "a.petrov"})  # fmt: skip
    created = api.post("/tokens", json={"name": "warehouse"}).json()
    api.delete(f"/tokens/{created['id']}")

    page.goto("/admin/audit")
    log = page.locator("#audit tbody tr")
    expect(log.first).to_contain_text("Revoked API token warehouse")
    expect(log.nth(1)).to_contain_text("Created API token warehouse")
    expect(log.nth(2)).to_contain_text("Created User a.petrov")
    expect(log.nth(3)).to_contain_text("Created Agent a.petrov")
    expect(log.nth(3)).to_contain_text("Skills › sales 3")
    general = log.nth(4)
    expect(general).to_contain_text("admin")
    expect(general).to_contain_text("Updated Queue general")
    expect(general.locator("dd")).to_have_text(["80/20 → 85/15"])
    expect(page.locator("#audit")).not_to_contain_text("Signed in")

    page.select_option("#a-kind", "queues")
    page.fill("#a-actor", "admin")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"kind=queues"))
    expect(log.first).to_contain_text("Updated Queue general")
    expect(page.locator("#audit")).not_to_contain_text("API token")


def test_a_list_keeps_a_value_a_line_even_with_commas(login: Login, api: httpx.Client) -> None:
    page = open_admin(login, "/admin/config/lists/new")
    page.fill("#f-key", "partners")
    page.fill("#f-values", "ООО «Рога и копыта», Москва\nAcme, Inc.\n+7 916 555-01-02")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/config/lists$"))
    assert sorted(api.get("/lists/partners").json()["values"]) == [
        "+7 916 555-01-02", "Acme, Inc.", "ООО «Рога и копыта», Москва",
    ]  # fmt: skip
