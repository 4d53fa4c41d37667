"""The OpenAPI document and the reference page."""

from __future__ import annotations

from typing import Any

import httpx

EXPECTED = {
    "/auth/login": {"post"},
    "/auth/logout": {"post"},
    "/auth/me": {"get"},
    "/inbound": {"post"},
    "/contacts": {"get"},
    "/contacts/{contact_id}": {"get"},
    "/contacts/{contact_id}/timeline": {"get"},
    "/contacts/{contact_id}/accept": {"post"},
    "/contacts/{contact_id}/reject": {"post"},
    "/contacts/{contact_id}/wrap-up": {"post"},
    "/contacts/{contact_id}/transfer": {"post"},
    "/contacts/{contact_id}/abandon": {"post"},
    "/contacts/{contact_id}/card": {"get"},
    "/contacts/{contact_id}/messages": {"get", "post"},
    "/contacts/{contact_id}/customer": {"post"},
    "/directory": {"get"},
    "/agents": {"get"},
    "/agents/{agent_id}": {"get", "put", "delete"},
    "/agents/{agent_id}/state": {"post"},
    **{
        f"/{kind}": {"get"}
        for kind in (
            "queues",
            "access-points",
            "calendars",
            "lists",
            "dispositions",
            "reasons",
            "categories",
            "webhooks",
            "settings",
            "scripts",
        )
    },
    **{
        f"/{kind}/{{key}}": {"get", "put", "delete"}
        for kind in (
            "queues",
            "access-points",
            "calendars",
            "lists",
            "dispositions",
            "reasons",
            "categories",
            "webhooks",
            "settings",
            "scripts",
        )
    },
    "/scenarios": {"get", "post"},
    "/scenarios/validate": {"post"},
    "/scenarios/diff": {"post"},
    "/scenarios/preview": {"post"},
    "/scenarios/{version}": {"get"},
    "/scenarios/{version}/diff": {"get"},
    "/scenarios/{version}/publish": {"post"},
    "/users": {"get", "post"},
    "/users/{user_id}": {"patch"},
    "/tokens": {"get", "post"},
    "/tokens/{token_id}": {"delete"},
    "/customers": {"get", "post"},
    "/customers/{customer_id}": {"get", "put"},
    "/customers/{customer_id}/card": {"get"},
    "/customers/{customer_id}/purchases": {"post"},
    "/customers/{customer_id}/notes": {"post"},
    "/customers/{customer_id}/history": {"get"},
    "/customers/{customer_id}/merge": {"post"},
    "/customers/import": {"post"},
    "/customers/export": {"get"},
    "/callbacks": {"get", "post"},
    "/callbacks/{callback_id}/cancel": {"post"},
    "/audit": {"get"},
    "/reports/intraday": {"get"},
}


async def schema(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/api/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


async def test_openapi_lists_every_path_with_tags_and_models(client: httpx.AsyncClient) -> None:
    document = await schema(client)
    paths = document["paths"]
    for path, methods in EXPECTED.items():
        item = paths[f"/api/v1{path}"]
        assert methods <= set(item), path
        for method in methods:
            operation = item[method]
            assert operation["tags"], (method, path)
            assert "4XX" in operation["responses"], (method, path)
    contact = paths["/api/v1/contacts/{contact_id}"]["get"]["responses"]["200"]
    assert contact["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContactOut"
    }
    queue_put = paths["/api/v1/queues/{key}"]["put"]["requestBody"]["content"]
    assert queue_put["application/json"]["schema"]["$ref"].endswith("/QueueDocument")
    scenario_body = paths["/api/v1/scenarios"]["post"]["requestBody"]["content"]
    assert set(scenario_body) == {"application/json", "text/yaml"}


async def test_errors_and_credentials_are_described(client: httpx.AsyncClient) -> None:
    document = await schema(client)
    components = document["components"]
    assert set(components["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
    }
    problem = document["paths"]["/api/v1/audit"]["get"]["responses"]["4XX"]
    assert problem["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert components["securitySchemes"]["session"]["name"] == "frontdesk_session"
    assert document["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    assert {tag["name"] for tag in document["tags"]} >= {"contacts", "customers", "auth"}


async def test_the_reference_page_is_served_without_a_cdn(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert "/api/v1/contacts/{contact_id}/wrap-up" in page
    assert "<script" not in page
    assert "https://" not in page
    assert (await client.get("/docs")).status_code == 404  # FastAPI's page loads a CDN
