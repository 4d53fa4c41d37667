"""Refusals about users and tokens name the field a form shows them next to."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, assert_problem

USER = {"username": "ivan", "password": PASSWORD, "role": "agent"}


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"password": "short"}, 422, "user.weak_password", "password"),
        ({"username": "i v"}, 422, "user.invalid_username", "username"),
        ({"username": "anna"}, 409, "user.exists", "username"),
        ({"agent": "nobody"}, 422, "user.unknown_agent", "agent"),
    ],
)
async def test_a_new_users_refusal_names_its_field(
    admin: httpx.AsyncClient, change: dict[str, Any], status: int, code: str, field: str
) -> None:
    answer = await admin.post("/api/v1/users", json={**USER, **change})
    assert assert_problem(answer, status, code)["field"] == field


async def test_a_password_reset_to_a_weak_one_names_the_password(
    admin: httpx.AsyncClient,
) -> None:
    users = (await admin.get("/api/v1/users")).json()
    anna = next(u for u in users if u["username"] == "anna")
    answer = await admin.patch(f"/api/v1/users/{anna['id']}", json={"password": "1234"})
    assert assert_problem(answer, 422, "user.weak_password")["field"] == "password"


async def test_a_tokens_refusal_names_its_name(admin: httpx.AsyncClient) -> None:
    blank = await admin.post("/api/v1/tokens", json={"name": " ", "role": "agent"})
    assert assert_problem(blank, 422, "token.invalid_name")["field"] == "name"
    assert (await admin.post("/api/v1/tokens", json={"name": "crm"})).status_code == 201
    again = await admin.post("/api/v1/tokens", json={"name": "crm"})
    assert assert_problem(again, 409, "token.exists")["field"] == "name"
