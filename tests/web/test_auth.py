"""Sessions, CSRF, API tokens, permissions and tenants, as a client meets them."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from frontdesk.domain.users import Role
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk, WebSettings

from .conftest import ACME, PASSWORD, VOICE, Session, assert_problem, customer_count


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, tenant: str = ACME
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"tenant": tenant, "username": username, "password": password}
    )


async def test_login_sets_an_http_only_same_site_cookie_and_returns_the_csrf_token(
    client: httpx.AsyncClient,
) -> None:
    answer = await login(client, "anna")
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == "anna"
    assert body["role"] == "agent"
    assert body["agent"] == "anna"
    assert body["csrf_token"]
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("frontdesk_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    assert "max-age=43200" in cookie


async def test_the_cookie_is_secure_when_the_settings_say_so(frontdesk: Frontdesk) -> None:
    app = create_app(replace(frontdesk, settings=WebSettings(secure_cookies=True)))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="https://testserver"
    ) as client:
        answer = await login(client, "anna")
    assert "secure" in answer.headers["set-cookie"].lower()


async def test_me_tells_who_is_signed_in_and_logout_ends_the_session(
    anna: httpx.AsyncClient,
) -> None:
    me = await anna.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["user"] == "anna"
    assert me.json()["kind"] == "session"
    out = await anna.post("/api/v1/auth/logout")
    assert out.status_code == 204
    assert_problem(await anna.get("/api/v1/auth/me"), 401, "auth.required")


async def test_a_wrong_password_is_a_401(client: httpx.AsyncClient) -> None:
    answer = await login(client, "anna", "wrong password")
    assert_problem(answer, 401, "auth.invalid_credentials")
    assert "set-cookie" not in answer.headers


async def test_an_unknown_tenant_at_login_is_a_401_and_creates_nothing(
    client: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    async with frontdesk.store.transaction() as tx:
        tenants = await tx.tenants.all()
    answer = await login(client, "anna", tenant="initech")
    assert_problem(answer, 401, "auth.invalid_credentials")
    async with frontdesk.store.transaction() as tx:
        assert await tx.tenants.all() == tenants
        assert await tx.users.by_username(ACME, "anna") is not None


async def test_too_many_failed_logins_give_429_with_retry_after(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        assert_problem(await login(client, "anna", "guess"), 401, "auth.invalid_credentials")
    answer = await login(client, "anna")  # even the right password waits now
    body = assert_problem(answer, 429, "auth.rate_limited")
    assert int(answer.headers["retry-after"]) == body["retry_after"]
    assert int(answer.headers["retry-after"]) > 0


async def test_a_cookie_session_needs_the_csrf_token_for_unsafe_requests(
    session: Session, frontdesk: Frontdesk
) -> None:
    anna = await session("anna")
    token = anna.headers.pop("X-CSRF-Token")
    customer = {"name": "Ivan Petrov"}
    assert_problem(await anna.post("/api/v1/customers", json=customer), 403, "auth.csrf")
    assert_problem(
        await anna.post("/api/v1/customers", json=customer, headers={"X-CSRF-Token": "forged"}),
        403,
        "auth.csrf",
    )
    assert await customer_count(frontdesk) == 0
    assert (await anna.get("/api/v1/customers")).status_code == 200  # reading needs none
    answer = await anna.post("/api/v1/customers", json=customer, headers={"X-CSRF-Token": token})
    assert answer.status_code == 201
    assert await customer_count(frontdesk) == 1


async def test_a_bearer_token_needs_no_csrf_token(bearer: Session) -> None:
    source = await bearer(Role.AGENT)
    answer = await source.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": "+79161234567"}
    )
    assert answer.status_code == 201
    me = await source.get("/api/v1/auth/me")
    assert me.json()["kind"] == "token"
    assert me.json()["csrf_token"] is None


@pytest.mark.parametrize("header", ["Bearer fd_not-a-token", "Bearer ", "Basic YW5uYTpwdw=="])
async def test_bad_credentials_are_a_401(client: httpx.AsyncClient, header: str) -> None:
    answer = await client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert_problem(answer, 401, "auth.required")
    assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/tokens", {"name": "mine", "role": "admin"}),
        ("PUT", "/api/v1/queues/vip", {"name": "VIP"}),
        ("DELETE", "/api/v1/agents/boris", None),
        ("POST", "/api/v1/scenarios/1/publish", None),
        ("GET", "/api/v1/audit", None),
        ("GET", "/api/v1/contacts", None),
        ("POST", "/api/v1/customers/import", None),
    ],
)
async def test_an_agent_gets_403_on_admin_and_supervisor_endpoints(
    anna: httpx.AsyncClient, frontdesk: Frontdesk, method: str, path: str, body: object
) -> None:
    async with frontdesk.store.transaction() as tx:
        audit_before = await tx.audit.all(ACME, limit=1000)
    answer = await anna.request(method, path, json=body)
    body_out = assert_problem(answer, 403, "auth.forbidden")
    assert "anna" in str(body_out["detail"])
    async with frontdesk.store.transaction() as tx:
        assert await tx.audit.all(ACME, limit=1000) == audit_before


async def test_a_user_of_another_tenant_sees_nothing_of_this_one(
    anna: httpx.AsyncClient, session: Session
) -> None:
    created = await anna.post(
        "/api/v1/customers", json={"name": "Ivan", "phones": ["+79161234567"]}
    )
    customer = created.json()["id"]
    submitted = await anna.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": "+79161234567"}
    )
    contact = submitted.json()["id"]
    gina = await session("gina", tenant="globex")
    assert_problem(await gina.get(f"/api/v1/customers/{customer}"), 404, "customer.not_found")
    assert_problem(await gina.get(f"/api/v1/customers/{customer}/card"), 404, "customer.not_found")
    assert_problem(await gina.get(f"/api/v1/contacts/{contact}"), 404, "contact.not_found")
    assert (await gina.get("/api/v1/customers", params={"q": "+79161234567"})).json() == []
    assert (await gina.get("/api/v1/contacts")).json() == []
    assert_problem(
        await gina.post(f"/api/v1/customers/{customer}/notes", json={"text": "hi"}),
        404,
        "customer.not_found",
    )
