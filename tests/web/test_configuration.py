"""Configuration documents of every kind, through the one generic router."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from frontdesk.web.container import Frontdesk

from .conftest import ACME, assert_problem

SECRET = "0123456789abcdef0123"
DOCUMENTS = [
    ("queues", "sales", {"name": "Sales", "service_level": "80/20", "max_wait": "5m"}),
    ("access-points", "+74957654321", {"channel": "voice", "line": "support"}),
    (
        "calendars",
        "office",
        {"timezone": "Europe/Moscow", "hours": {"mon-fri": "09:00-18:00"}, "holidays": None},
    ),
    ("lists", "blacklist", {"values": ["+79160000000"], "description": "never route"}),
    ("dispositions", "later", {"name": {"en": "Call later", "ru": "Перезвонить"}}),
    ("reasons", "lunch", {"name": {"en": "Lunch"}, "color": "#ffaa00"}),
    ("categories", "gold", {"name": {"en": "Gold"}, "description": "big spenders"}),
    (
        "webhooks",
        "crm",
        {
            "url": "https://crm.example.com/hook",
            "events": ["contact.*"],
            "secret": SECRET,
            "active": True,
        },
    ),
    ("settings", "desk", {"ring_timeout": "30s", "wrap_up": 60}),
    (
        "settings",
        "wallboard",
        {"service_level": {"warn": 85, "alarm": 70}, "longest_wait": {"warn": "20s"}},
    ),
    ("scripts", "vip-script", {"name": {"en": "VIP"}, "text": {"en": "Greet by name."}}),
]


def shown(body: dict[str, Any]) -> dict[str, Any]:
    return {k: "***" if k == "secret" else v for k, v in body.items()}


@pytest.mark.parametrize(("path", "key", "body"), DOCUMENTS)
async def test_an_admin_writes_reads_and_deletes_every_kind(
    admin: httpx.AsyncClient, path: str, key: str, body: dict[str, Any]
) -> None:
    url = f"/api/v1/{path}/{key}"
    created = await admin.put(url, json=body)
    assert created.status_code == 201, created.text
    assert created.json() == shown(body)
    assert (await admin.get(url)).json() == shown(body)
    assert (await admin.get(f"/api/v1/{path}")).json()[key] == shown(body)
    assert (await admin.put(url, json=body)).status_code == 200
    assert (await admin.delete(url)).status_code == 204
    assert_problem(await admin.get(url), 404, "config.not_found")
    assert_problem(await admin.delete(url), 404, "config.not_found")


async def test_a_webhook_secret_is_never_returned_and_kept_when_written_back(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    hook = {"url": "https://crm.example.com/hook", "secret": SECRET}
    await admin.put("/api/v1/webhooks/crm", json=hook)
    moved = await admin.put(
        "/api/v1/webhooks/crm", json={"url": "https://crm.example.com/v2", "secret": "***"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["secret"] == "***"
    assert (await admin.get("/api/v1/webhooks")).json()["crm"]["secret"] == "***"
    async with frontdesk.store.transaction() as tx:
        stored = await tx.documents.get(ACME, "webhooks", "crm")
        audit = await tx.audit.all(ACME, limit=5)
    assert stored == {"url": "https://crm.example.com/v2", "secret": SECRET}
    assert SECRET not in repr(audit)


async def test_an_unknown_field_is_refused_naming_it(admin: httpx.AsyncClient) -> None:
    answer = await admin.put("/api/v1/queues/sales", json={"nmae": "Sales"})
    body = assert_problem(answer, 422, "request.invalid")
    assert [e["field"] for e in body["errors"]] == ["body.nmae"]
    assert_problem(await admin.get("/api/v1/queues/sales"), 404, "config.not_found")


async def test_the_services_rules_name_the_field(admin: httpx.AsyncClient) -> None:
    answer = await admin.put("/api/v1/queues/sales", json={"service_level": "eighty"})
    body = assert_problem(answer, 422, "config.invalid")
    assert body["field"] == "queues.sales.service_level"
    not_a_number = await admin.put("/api/v1/access-points/reception", json={"channel": "voice"})
    assert_problem(not_a_number, 422, "config.invalid_key")


@pytest.mark.parametrize(
    ("key", "body", "field", "words"),
    [
        ("wallboard", {"service_level": {"warn": 60, "alarm": 80}}, "service_level.alarm",
         "below the warning level 60"),
        ("wallboard", {"longest_wait": {"warn": "2m", "alarm": "30s"}}, "longest_wait.alarm",
         "above the warning level 120"),
        ("wallboard", {"waiting": {"warn": -1}}, "waiting.warn", "must not be negative"),
        ("wallboard", {"ring_timeout": "10s"}, "ring_timeout", "unknown field"),
        ("desk", {"waiting": {"warn": 3}}, "waiting", "unknown field"),
        ("colours", {}, "", "no such settings"),
    ],
)  # fmt: skip
async def test_settings_are_checked_by_their_key(
    admin: httpx.AsyncClient, key: str, body: dict[str, Any], field: str, words: str
) -> None:
    answer = await admin.put(f"/api/v1/settings/{key}", json=body)
    code = "config.unknown_field" if words == "unknown field" else "config.invalid"
    problem = assert_problem(answer, 422, code)
    assert problem["field"] == f"settings.{key}" + (f".{field}" if field else "")
    assert words in problem["detail"]
    assert_problem(await admin.get(f"/api/v1/settings/{key}"), 404, "config.not_found")


async def test_agents_read_scripts_to_serve_by_them(
    admin: httpx.AsyncClient, anna: httpx.AsyncClient
) -> None:
    script = {"name": {"en": "VIP", "ru": "VIP"}, "text": {"en": "Greet by name."}}
    assert (await admin.put("/api/v1/scripts/vip-script", json=script)).status_code == 201
    assert (await anna.get("/api/v1/scripts")).json() == {"vip-script": script}
    wrong = await admin.put("/api/v1/scripts/bad", json={"text": {"en": 5}})
    assert_problem(wrong, 422, "request.invalid")


async def test_agents_read_dispositions_and_reasons_but_not_queues(
    anna: httpx.AsyncClient,
) -> None:
    assert "sale" in (await anna.get("/api/v1/dispositions")).json()
    assert "break" in (await anna.get("/api/v1/reasons")).json()
    assert (await anna.get("/api/v1/categories")).json() == {}
    assert_problem(await anna.get("/api/v1/queues"), 403, "auth.forbidden")
    assert_problem(await anna.get("/api/v1/webhooks"), 403, "auth.forbidden")
    assert_problem(
        await anna.put("/api/v1/dispositions/won", json={"name": {"en": "Won"}}),
        403,
        "auth.forbidden",
    )


async def test_supervisors_read_but_do_not_write(sofia: httpx.AsyncClient) -> None:
    assert (await sofia.get("/api/v1/queues/main")).json() == {"name": "Main"}
    assert_problem(await sofia.delete("/api/v1/queues/main"), 403, "auth.forbidden")
    assert (await sofia.get("/api/v1/queues/main")).status_code == 200
