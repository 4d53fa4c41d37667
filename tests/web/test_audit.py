"""The audit log as supervisors read it."""

from __future__ import annotations

import httpx

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
