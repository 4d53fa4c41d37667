"""Deleting what is still in use is refused, naming who uses it, and changes nothing."""

from __future__ import annotations

import httpx

from .conftest import VOICE, assert_problem


async def test_a_queue_the_published_scenario_routes_to_is_not_deleted(
    admin: httpx.AsyncClient,
) -> None:
    refused = assert_problem(await admin.delete("/api/v1/queues/main"), 409, "config.in_use")
    assert "scenario" in refused["detail"]
    assert refused["used_by"] == ["scenario"]
    assert (await admin.get("/api/v1/queues/main")).json() == {"name": "Main"}
    audit = (await admin.get("/api/v1/audit", params={"action": "delete"})).json()
    assert audit == []


async def test_a_queue_another_overflows_to_is_not_deleted(admin: httpx.AsyncClient) -> None:
    await admin.put("/api/v1/queues/spare", json={"name": "Spare"})
    await admin.put("/api/v1/queues/sales", json={"name": "Sales", "overflow": "spare"})
    refused = assert_problem(await admin.delete("/api/v1/queues/spare"), 409, "config.in_use")
    assert refused["used_by"] == ["queues.sales.overflow"]
    await admin.put("/api/v1/queues/sales", json={"name": "Sales"})
    assert (await admin.delete("/api/v1/queues/spare")).status_code == 204


async def test_a_calendar_a_queue_or_an_access_point_keeps_is_not_deleted(
    admin: httpx.AsyncClient,
) -> None:
    await admin.put("/api/v1/calendars/office", json={"hours": {"mon-fri": "09:00-18:00"}})
    await admin.put("/api/v1/queues/main", json={"name": "Main", "calendar": "office"})
    await admin.put(f"/api/v1/access-points/{VOICE}", json={"calendar": "office"})
    refused = assert_problem(await admin.delete("/api/v1/calendars/office"), 409, "config.in_use")
    assert refused["used_by"] == ["queues.main.calendar", f"access_points.{VOICE}.calendar"]
    assert (await admin.get("/api/v1/calendars/office")).status_code == 200


async def test_what_nothing_uses_is_deleted(admin: httpx.AsyncClient) -> None:
    await admin.put("/api/v1/lists/vip-numbers", json={"values": ["+79161234567"]})
    assert (await admin.delete("/api/v1/lists/vip-numbers")).status_code == 204
    assert (await admin.delete("/api/v1/reasons/break")).status_code == 204
