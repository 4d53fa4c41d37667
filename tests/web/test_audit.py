"""The audit log as supervisors read it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from frontdesk.sim.clock import SimClock
from frontdesk.web.container import Frontdesk

from .conftest import assert_problem


async def test_changes_are_audited_newest_first(
    admin: httpx.AsyncClient, sofia: httpx.AsyncClient, anna: httpx.AsyncClient
) -> None:
    await admin.put("/api/v1/queues/vip", json={"name": "VIP"})
    await admin.put("/api/v1/queues/vip", json={"name": "VIP customers"})
    entries = (await sofia.get("/api/v1/audit", params={"limit": 2})).json()
    assert [(e["actor"], e["action"], e["kind"], e["key"]) for e in entries] == [
        ("admin", "update", "queues", "vip"),
        ("admin", "create", "queues", "vip"),
    ]
    assert entries[0]["before"] == {"name": "VIP"}
    assert entries[0]["after"] == {"name": "VIP customers"}
    assert entries[0]["seq"] > entries[1]["seq"]
    assert_problem(await anna.get("/api/v1/audit"), 403, "auth.forbidden")


async def test_the_log_is_searched_by_who_what_and_when(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    clock = frontdesk.clock
    assert isinstance(clock, SimClock)
    start = clock.now()
    await admin.put("/api/v1/queues/vip", json={"name": "VIP"})
    clock.seconds += 3600
    await admin.put("/api/v1/calendars/office", json={"hours": {"mon-fri": "09:00-18:00"}})
    await admin.delete("/api/v1/queues/vip")

    async def found(**params: str) -> list[tuple[str, str, str]]:
        answer = await admin.get("/api/v1/audit", params=params)
        assert answer.status_code == 200, answer.text
        return [(e["action"], e["kind"], e["key"]) for e in answer.json()]

    assert await found(actor="admin", kind="queues") == [
        ("delete", "queues", "vip"),
        ("create", "queues", "vip"),
    ]
    assert await found(action="delete") == [("delete", "queues", "vip")]
    assert await found(kind="calendars", key="office") == [("create", "calendars", "office")]
    later = (start + timedelta(minutes=30)).isoformat()
    assert await found(actor="admin", since=later) == [
        ("delete", "queues", "vip"),
        ("create", "calendars", "office"),
    ]
    assert await found(actor="admin", kind="queues", until=later) == [("create", "queues", "vip")]
    assert await found(actor="admin", kind="queues", limit="1", offset="1") == [
        ("create", "queues", "vip")
    ]
    assert await found(actor="nobody") == []
    changes = await admin.get("/api/v1/audit", params={"skip_action": ["login", "create"]})
    assert [(e["action"], e["key"]) for e in changes.json()] == [
        ("delete", "vip"),
        ("publish", "1"),
    ]


async def test_a_period_needs_a_time_zone(admin: httpx.AsyncClient) -> None:
    answer = await admin.get("/api/v1/audit", params={"since": "2025-03-04T09:00:00"})
    body = assert_problem(answer, 422, "request.invalid")
    assert body["errors"][0]["field"] == "query.since"
