"""The desk page: who may open it, and the names it gives its script."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.web.conftest import Session


def settings_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="desk-settings">(.*?)</script>', page)
    assert found is not None
    settings: dict[str, Any] = json.loads(found.group(1))
    return settings


async def test_an_agent_opens_their_desk(anna: httpx.AsyncClient) -> None:
    answer = await anna.get("/desk")
    assert answer.status_code == 200
    page = answer.text
    assert '<script type="module" src="/static/js/pages/desk.js"></script>' in page
    assert 'href="/static/css/desk.css"' in page
    assert 'action="/customers"' in page  # the search box opens the customers' pages
    settings = settings_of(page)
    assert settings["agent"] == "anna"
    assert settings["choices"] == ["break"]  # what the agent may pick: not the desk's own
    assert settings["reasons"] == {
        "break": "Break", "no_answer": "Missed an offer", "rejected": "Rejected an offer",
    }  # fmt: skip
    assert settings["dispositions"] == {"sale": "Sale"}
    assert settings["queues"] == {"main": "Main"}
    assert settings["agents"] == {"anna": "Anna", "boris": "Boris"}
    assert settings["wrap_up"] is None


async def test_the_desk_speaks_the_agents_language(anna: httpx.AsyncClient) -> None:
    await anna.patch("/api/v1/auth/me", json={"language": "ru"})
    page = (await anna.get("/desk")).text
    assert "Выйти из линии" in page
    assert settings_of(page)["reasons"]["rejected"] == "Отклонил вызов"


async def test_only_users_with_an_agent_profile_have_a_desk(
    client: httpx.AsyncClient, session: Session
) -> None:
    answer = await client.get("/desk")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fdesk"
    for username in ("olga", "sofia"):  # an agent without a profile; a supervisor
        user = await session(username)
        refused = await user.get("/desk")
        assert refused.status_code == 403
        assert "no agent profile" in refused.text
    gina = await session("gina", "globex")
    assert (await gina.get("/desk")).status_code == 403
