"""The administration's pages: only admins open them, and they show what is configured."""

from __future__ import annotations

import re

import httpx
import pytest

from frontdesk.web.container import Frontdesk
from frontdesk.web.ui.admin_forms import FORMS

from ..conftest import VOICE, Session

PAGES = [
    "/admin",
    "/admin/users",
    "/admin/agents",
    "/admin/agents/new",
    "/admin/agents/edit/anna",
    "/admin/tokens",
    "/admin/audit",
    *(f"/admin/config/{form.slug}" for form in FORMS),
    *(f"/admin/config/{form.slug}/new" for form in FORMS if form.singleton is None),
    "/admin/config/queues/edit/main",
    f"/admin/config/access-points/edit/{VOICE.replace('+', '%2B')}",
]


def text(page: httpx.Response) -> str:
    """What the page says, without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def log(page: httpx.Response) -> str:
    """What the audit log's table says ("" when nothing matches)."""
    assert page.status_code == 200, page.text
    found = re.search(r"<table.*?</table>", page.text, re.DOTALL)
    return "" if found is None else re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0]))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("username", ["anna", "sofia"])
async def test_agents_and_supervisors_get_the_403_page(
    session: Session, username: str, path: str
) -> None:
    client = await session(username)
    page = await client.get(path)
    assert page.status_code == 403
    assert "You do not have access to this page" in page.text


@pytest.mark.parametrize("path", PAGES)
async def test_admins_open_every_page(admin: httpx.AsyncClient, path: str) -> None:
    page = await admin.get(path, follow_redirects=True)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert 'aria-current="page"' in page.text


async def test_without_a_session_the_page_asks_to_sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/admin/config/queues")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fadmin%2Fconfig%2Fqueues"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/config/nonsense",
        "/admin/config/nonsense/new",
        "/admin/config/queues/edit/nowhere",
        "/admin/config/desk/new",
        "/admin/config/desk/edit/other",
        "/admin/agents/edit/nobody",
    ],
)
async def test_what_does_not_exist_is_the_404_page(admin: httpx.AsyncClient, path: str) -> None:
    page = await admin.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is nothing here" in page.text


async def test_the_audit_log_shows_changes_by_filter(admin: httpx.AsyncClient) -> None:
    await admin.put("/api/v1/queues/main", json={"name": "Main line", "service_level": "90/20"})
    await admin.put("/api/v1/calendars/office", json={"hours": {"mon-fri": "09:00-18:00"}})
    page = await admin.get(
        "/admin/audit", params={"actor": "admin", "kind": "queues", "action": "", "from": "",
                                "to": ""},
    )  # fmt: skip
    shown = log(page)
    assert "Updated Queue main" in shown
    assert "Display name Main → Main line" in shown
    assert "Service level target 90/20" in shown
    assert "office" not in shown
    assert "Signed in" not in shown


async def test_the_audit_log_shows_sign_ins_when_asked(admin: httpx.AsyncClient) -> None:
    assert "Signed in" not in log(await admin.get("/admin/audit"))
    with_logins = log(await admin.get("/admin/audit", params={"logins": "1"}))
    assert "Signed in User admin IP address 127.0.0.1" in with_logins


async def test_the_audit_log_reads_days_in_the_tenants_zone(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await admin.put("/api/v1/lists/vip", json={"values": ["+79161234567"]})
    # 09:00 UTC on 4 March 2025 is 12:00 in Moscow, the tenant's zone
    that_day = {"from": "2025-03-04", "to": "2025-03-04"}
    assert "Created List vip" in log(await admin.get("/admin/audit", params=that_day))
    next_day = {"from": "2025-03-05"}
    assert "Created List vip" not in log(await admin.get("/admin/audit", params=next_day))
    assert frontdesk.clock.now().hour == 9


async def test_the_users_page_lists_each_user_with_role_agent_language_and_status(
    admin: httpx.AsyncClient,
) -> None:
    users = (await admin.get("/api/v1/users")).json()
    olga = next(u for u in users if u["username"] == "olga")
    await admin.patch(f"/api/v1/users/{olga['id']}", json={"active": False, "language": "ru"})
    shown = text(await admin.get("/admin/users"))
    assert "anna — Agent Anna English Active" in shown
    assert "sofia — Supervisor — English Active" in shown
    assert "olga — Agent — Русский Deactivated" in shown
    assert "Activate olga" in shown


async def test_the_agents_page_shows_skills_queues_capacity_and_who_signs_in(
    admin: httpx.AsyncClient,
) -> None:
    await admin.put(
        "/api/v1/agents/anna",
        json={"name": "Anna", "skills": {"support": 4}, "languages": ["ru"], "queues": ["main"],
              "capacity": {"call": 1, "chat": 2}, "blocks": ["call>chat"]},
    )  # fmt: skip
    shown = text(await admin.get("/admin/agents"))
    assert "Anna anna Logged out support 4 Main ru Calls 1 Chats 2 anna" in shown
    editor = await admin.get("/admin/agents/edit/anna")
    assert 'name="skills.support"' in editor.text
    assert re.search(r'data-block="call&gt;chat" checked', editor.text)
    assert re.search(r'data-queue="main" checked', editor.text)


async def test_a_document_list_and_editor_show_its_values(admin: httpx.AsyncClient) -> None:
    await admin.put(
        "/api/v1/queues/sales",
        json={"name": "Sales", "service_level": "90/15", "max_wait": "5m", "overflow": "main"},
    )
    listed = text(await admin.get("/admin/config/queues"))
    assert "sales Sales 90/15 — 5m Main (main) Always open" in listed
    editor = await admin.get("/admin/config/queues/edit/sales")
    assert 'value="90/15"' in editor.text
    assert '<option value="main" selected>Main (main)</option>' in editor.text
    assert '<option value="sales"' not in editor.text  # no overflow to itself


async def test_a_webhooks_secret_never_reaches_the_page(admin: httpx.AsyncClient) -> None:
    secret = "a-very-secret-signing-key"
    await admin.put(
        "/api/v1/webhooks/crm",
        json={"url": "https://crm.example.com/hook", "secret": secret, "events": ["contact.*"]},
    )
    for path in ("/admin/config/webhooks", "/admin/config/webhooks/edit/crm", "/admin/audit"):
        page = await admin.get(path)
        assert page.status_code == 200
        assert secret not in page.text
    assert 'type="password"' in (await admin.get("/admin/config/webhooks/edit/crm")).text


async def test_settings_open_in_their_editor_with_the_defaults_as_hints(
    admin: httpx.AsyncClient,
) -> None:
    page = await admin.get("/admin/config/desk")
    assert 'name="ring_timeout" value="" spellcheck="false" data-optional placeholder="20s"' in (
        page.text
    )
    await admin.put("/api/v1/settings/wallboard", json={"service_level": {"warn": 85}})
    wallboard = await admin.get("/admin/config/wallboard")
    assert re.search(r'name="service_level.warn"[^>]*value="85"', wallboard.text)


async def test_names_by_language_are_edited_side_by_side_and_listed_in_the_viewers_language(
    admin: httpx.AsyncClient, session: Session
) -> None:
    await admin.put(
        "/api/v1/reasons/lunch",
        json={"name": {"en": "Lunch", "ru": "Обед", "de": "Mittag"}, "color": "#ffaa00"},
    )
    editor = await admin.get("/admin/config/reasons/edit/lunch")
    for language, name in (("en", "Lunch"), ("ru", "Обед"), ("de", "Mittag")):
        assert f'name="name.{language}" value="{name}"' in editor.text
    users = (await admin.get("/api/v1/users")).json()
    me = next(u for u in users if u["username"] == "admin")
    await admin.patch(f"/api/v1/users/{me['id']}", json={"language": "ru"})
    listed = await admin.get("/admin/config/reasons")
    assert "lunch Обед #ffaa00" in text(listed)
    assert 'style="background: #ffaa00"' in listed.text
    assert "Причины неготовности" in text(listed)


async def test_the_tokens_page_lists_tokens_but_never_a_token_itself(
    admin: httpx.AsyncClient,
) -> None:
    created = (await admin.post("/api/v1/tokens", json={"name": "crm-sync"})).json()
    page = await admin.get("/admin/tokens")
    assert "crm-sync Agent" in text(page)
    assert created["token"] not in page.text
    assert f'data-revoke="{created["id"]}"' in page.text
