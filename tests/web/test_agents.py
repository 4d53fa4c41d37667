"""Agent profiles and states through the API."""

from __future__ import annotations

import httpx

from .conftest import assert_problem


async def test_an_admin_creates_replaces_and_deletes_an_agent(admin: httpx.AsyncClient) -> None:
    profile = {
        "name": "Carl",
        "skills": {"sales": 4},
        "languages": ["en", "ru"],
        "queues": ["main"],
        "capacity": {"call": 1, "chat": 2},
        "blocks": ["call>chat"],
    }
    created = await admin.put("/api/v1/agents/carl", json=profile)
    assert created.status_code == 201
    body = created.json()
    assert body["skills"] == {"sales": 4}
    assert body["capacity"] == {"call": 1, "chat": 2}
    assert body["blocks"] == ["call>chat"]
    assert body["state"] == "logged_out"
    replaced = await admin.put("/api/v1/agents/carl", json={**profile, "name": "Carl B."})
    assert replaced.status_code == 200
    assert (await admin.get("/api/v1/agents/carl")).json()["name"] == "Carl B."
    assert [a["id"] for a in (await admin.get("/api/v1/agents")).json()] == [
        "anna",
        "boris",
        "carl",
    ]
    assert (await admin.delete("/api/v1/agents/carl")).status_code == 204
    assert_problem(await admin.get("/api/v1/agents/carl"), 404, "agent.not_found")


async def test_a_bad_profile_names_the_field(admin: httpx.AsyncClient) -> None:
    answer = await admin.put("/api/v1/agents/carl", json={"skills": {"sales": 9}})
    body = assert_problem(answer, 422, "config.invalid")
    assert body["field"] == "agents.carl.skills.sales"
    unknown = await admin.put("/api/v1/agents/carl", json={"skill": {"sales": 3}})
    assert_problem(unknown, 422, "request.invalid")
    assert_problem(await admin.get("/api/v1/agents/carl"), 404, "agent.not_found")


async def test_an_agent_sets_their_own_state_only(anna: httpx.AsyncClient) -> None:
    answer = await anna.post("/api/v1/agents/anna/state", json={"state": "ready"})
    assert answer.status_code == 200
    assert answer.json()["state"] == "ready"
    paused = await anna.post(
        "/api/v1/agents/anna/state", json={"state": "not_ready", "reason": "break"}
    )
    assert (paused.json()["state"], paused.json()["reason"]) == ("not_ready", "break")
    no_reason = await anna.post("/api/v1/agents/anna/state", json={"state": "not_ready"})
    assert_problem(no_reason, 422, "agent.reason_required")
    unknown = await anna.post(
        "/api/v1/agents/anna/state", json={"state": "not_ready", "reason": "nap"}
    )
    assert_problem(unknown, 422, "agent.unknown_reason")
    busy = await anna.post("/api/v1/agents/anna/state", json={"state": "busy"})
    assert_problem(busy, 422, "request.invalid")
    other = await anna.post("/api/v1/agents/boris/state", json={"state": "ready"})
    assert_problem(other, 403, "auth.forbidden")


async def test_an_agent_reads_themself_but_not_the_others(anna: httpx.AsyncClient) -> None:
    assert (await anna.get("/api/v1/agents/anna")).json()["id"] == "anna"
    assert_problem(await anna.get("/api/v1/agents/boris"), 403, "auth.forbidden")
    assert_problem(await anna.get("/api/v1/agents"), 403, "auth.forbidden")


async def test_a_supervisor_sets_anyones_state(sofia: httpx.AsyncClient) -> None:
    answer = await sofia.post("/api/v1/agents/boris/state", json={"state": "ready"})
    assert answer.status_code == 200
    assert (await sofia.get("/api/v1/agents/boris")).json()["state"] == "ready"
    assert_problem(
        await sofia.put("/api/v1/agents/boris", json={"name": "B"}), 403, "auth.forbidden"
    )
