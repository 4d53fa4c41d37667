"""Users and API tokens, administered through the API."""

from __future__ import annotations

import httpx

from .conftest import PASSWORD, VOICE, Session, assert_problem


async def test_an_admin_creates_lists_and_changes_users(
    admin: httpx.AsyncClient, session: Session
) -> None:
    created = await admin.post(
        "/api/v1/users",
        json={
            "username": "Ivan",
            "password": PASSWORD,
            "role": "supervisor",
            "name": "Ivan P.",
        },
    )
    assert created.status_code == 201, created.text
    ivan = created.json()
    assert (ivan["username"], ivan["role"], ivan["active"]) == ("ivan", "supervisor", True)
    assert "password_hash" not in ivan
    listed = (await admin.get("/api/v1/users")).json()
    assert {u["username"] for u in listed} >= {"admin", "anna", "ivan"}
    assert all("password_hash" not in u for u in listed)

    signed_in = await session("ivan")
    assert (await signed_in.get("/api/v1/contacts")).status_code == 200
    linked = await admin.patch(f"/api/v1/users/{ivan['id']}", json={"agent": "boris"})
    assert (linked.json()["agent"], linked.json()["name"]) == ("boris", "Ivan P.")
    unlinked = await admin.patch(f"/api/v1/users/{ivan['id']}", json={"agent": None})
    assert unlinked.json()["agent"] is None
    off = await admin.patch(f"/api/v1/users/{ivan['id']}", json={"active": False})
    assert off.json()["active"] is False
    assert_problem(await signed_in.get("/api/v1/contacts"), 401, "auth.required")


async def test_user_rules_come_back_as_problems(admin: httpx.AsyncClient) -> None:
    unknown_agent = await admin.post(
        "/api/v1/users",
        json={
            "username": "ivan",
            "password": PASSWORD,
            "role": "agent",
            "agent": "nobody",
        },
    )
    assert_problem(unknown_agent, 422, "user.unknown_agent")
    assert_problem(
        await admin.patch("/api/v1/users/nobody", json={"name": "X"}), 404, "user.not_found"
    )
    bad_role = await admin.post(
        "/api/v1/users",
        json={
            "username": "ivan",
            "password": PASSWORD,
            "role": "boss",
        },
    )
    body = assert_problem(bad_role, 422, "request.invalid")
    assert [e["field"] for e in body["errors"]] == ["body.role"]


async def test_a_token_is_shown_once_works_and_can_be_revoked(
    admin: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await admin.post("/api/v1/tokens", json={"name": "web form", "role": "agent"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("fd_")
    as_form = {"Authorization": f"Bearer {token}"}
    submitted = await client.post(
        "/api/v1/inbound", headers=as_form, json={"access_point": VOICE, "sender": "+79161234567"}
    )
    assert submitted.status_code == 201
    listed = (await admin.get("/api/v1/tokens")).json()
    assert [(t["name"], t["revoked"]) for t in listed] == [("web form", False)]
    assert "token" not in listed[0]
    assert token not in (await admin.get("/api/v1/tokens")).text
    assert (await admin.delete(f"/api/v1/tokens/{created.json()['id']}")).status_code == 204
    assert_problem(await client.get("/api/v1/auth/me", headers=as_form), 401, "auth.required")
    assert (await admin.get("/api/v1/tokens")).json()[0]["revoked"] is True
    assert_problem(await admin.delete("/api/v1/tokens/nope"), 404, "token.not_found")
