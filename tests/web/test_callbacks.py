"""Scheduled callbacks: agents keep their own, supervisors see everyone's."""

from __future__ import annotations

import httpx

from .conftest import assert_problem

LATER = "2025-03-04T15:00:00+03:00"


async def test_an_agent_schedules_sees_and_cancels_their_own_callbacks(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    answer = await anna.post(
        "/api/v1/callbacks", json={"number": "8 916 123-45-67", "due_at": LATER, "note": "quote"}
    )
    assert answer.status_code == 201, answer.text
    callback = answer.json()
    assert (callback["agent"], callback["number"]) == ("anna", "+79161234567")
    assert (callback["state"], callback["created_by"]) == ("pending", "anna")
    assert [c["id"] for c in (await anna.get("/api/v1/callbacks")).json()] == [callback["id"]]
    assert (await boris.get("/api/v1/callbacks")).json() == []
    assert_problem(
        await boris.get("/api/v1/callbacks", params={"agent": "anna"}), 403, "auth.forbidden"
    )
    assert [c["id"] for c in (await sofia.get("/api/v1/callbacks")).json()] == [callback["id"]]

    cancel = f"/api/v1/callbacks/{callback['id']}/cancel"
    assert_problem(await boris.post(cancel), 404, "callback.not_found")
    cancelled = await anna.post(cancel)
    assert cancelled.json()["state"] == "cancelled"
    assert_problem(await anna.post(cancel), 409, "callback.not_pending")


async def test_an_agent_schedules_for_a_queue_but_not_for_another_agent(
    anna: httpx.AsyncClient,
) -> None:
    for_queue = await anna.post(
        "/api/v1/callbacks", json={"number": "+79161234567", "due_at": LATER, "queue": "main"}
    )
    assert (for_queue.json()["agent"], for_queue.json()["queue"]) == (None, "main")
    for_boris = await anna.post(
        "/api/v1/callbacks", json={"number": "+79161234567", "due_at": LATER, "agent": "boris"}
    )
    assert_problem(for_boris, 403, "auth.forbidden")


async def test_a_supervisor_schedules_for_any_agent(sofia: httpx.AsyncClient) -> None:
    answer = await sofia.post(
        "/api/v1/callbacks", json={"number": "+79161234567", "due_at": LATER, "agent": "boris"}
    )
    assert answer.json()["agent"] == "boris"
    nobody = await sofia.post("/api/v1/callbacks", json={"number": "+79161234567", "due_at": LATER})
    assert_problem(nobody, 422, "callback.target")
    unknown = await sofia.post(
        "/api/v1/callbacks", json={"number": "+79161234567", "due_at": LATER, "queue": "nope"}
    )
    assert_problem(unknown, 404, "queue.not_found")


async def test_a_bad_number_or_time_is_refused(anna: httpx.AsyncClient) -> None:
    bad_number = await anna.post("/api/v1/callbacks", json={"number": "12ab", "due_at": LATER})
    body = assert_problem(bad_number, 422, "callback.invalid_number")
    assert body["field"] == "number"
    naive = await anna.post(
        "/api/v1/callbacks", json={"number": "+79161234567", "due_at": "2025-03-04T15:00:00"}
    )
    body = assert_problem(naive, 422, "request.invalid")
    assert [e["field"] for e in body["errors"]] == ["body.due_at"]
    assert (await anna.get("/api/v1/callbacks")).json() == []
