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
    assert "Changed Queue main" in shown
    assert "Name Main → Main line" in shown
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
