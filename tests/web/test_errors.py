"""Every refusal is a problem+json document with the status its error class deserves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.domain.errors import ConflictError, FrontdeskError, NotFoundError, ValidationError
from frontdesk.routing.expr.errors import ExpressionError
from frontdesk.routing.scenario import ScenarioError
from frontdesk.services.auth import Forbidden, RateLimited, Unauthenticated
from frontdesk.web.container import Frontdesk
from frontdesk.web.errors import status_of

from .conftest import MAX_BODY, VOICE, assert_problem, contact_count


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationError("bad", code="contact.unknown_disposition"), 422),
        (ScenarioError([]), 422),
        (ExpressionError("what", code="expression.type", line=1, column=2), 422),
        (NotFoundError("gone", code="access_point.not_found"), 404),
        (ConflictError("not yours", code="offer.not_found"), 409),
        (Unauthenticated("who?"), 401),
        (Unauthenticated("no", code="auth.invalid_credentials"), 401),
        (Forbidden("no"), 403),
        (Forbidden("no", code="auth.csrf"), 403),
        (RateLimited("slow down", retry_after=3), 429),
        (FrontdeskError("unclassified"), 500),
    ],
)
def test_status_of_each_error_class(error: FrontdeskError, status: int) -> None:
    assert status_of(error) == status


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/no-such-thing")
    body = assert_problem(answer, 404, "request.not_found")
    assert "/api/v1/no-such-thing" in str(body["detail"])


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(
    admin: httpx.AsyncClient,
) -> None:
    answer = await admin.delete("/api/v1/audit")
    assert_problem(answer, 405, "request.method_not_allowed")
    assert answer.headers["allow"] == "GET"


async def test_malformed_json_is_a_400_and_stores_nothing(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await admin.post(
        "/api/v1/inbound",
        content=b'{"access_point": "+74951234567", "sender": ',
        headers={"content-type": "application/json"},
    )
    body = assert_problem(answer, 400, "request.malformed_json")
    assert "not valid JSON" in str(body["detail"])
    assert await contact_count(frontdesk) == 0


async def test_an_unknown_field_is_a_422_naming_it_and_stores_nothing(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await admin.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": "+79161234567", "colour": "red"}
    )
    body = assert_problem(answer, 422, "request.invalid")
    assert [e["field"] for e in body["errors"]] == ["body.colour"]
    assert "body.colour" in str(body["detail"])
    assert await contact_count(frontdesk) == 0


async def test_every_wrong_field_is_listed_with_its_path(admin: httpx.AsyncClient) -> None:
    answer = await admin.post(
        "/api/v1/inbound", json={"access_point": VOICE, "channel_data": {"subject": 5}}
    )
    body = assert_problem(answer, 422, "request.invalid")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.sender", "body.channel_data.subject"}


async def test_query_parameters_are_named_too(sofia: httpx.AsyncClient) -> None:
    answer = await sofia.get("/api/v1/contacts", params={"limit": 0, "state": "lost"})
    body = assert_problem(answer, 422, "request.invalid")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"query.limit", "query.state.0"}


async def test_a_body_declared_too_large_is_refused_and_stores_nothing(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    padding = "x" * MAX_BODY
    answer = await admin.post(
        "/api/v1/inbound",
        json={"access_point": VOICE, "sender": "+79161234567", "channel_data": {"p": padding}},
    )
    body = assert_problem(answer, 413, "request.too_large")
    assert str(MAX_BODY) in str(body["detail"])
    assert await contact_count(frontdesk) == 0


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    chunks_sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        yield b'{"access_point": "+74951234567", "sender": "+79161234567", "channel_data": {"p": "'
        for _ in range(MAX_BODY // 1024 + 1):
            chunks_sent += 1
            yield b"x" * 1024
        yield b'"}}'

    answer = await admin.post(
        "/api/v1/inbound", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in answer.request.headers
    assert_problem(answer, 413, "request.too_large")
    assert chunks_sent < MAX_BODY // 1024 + 1  # the rest was never read
    assert await contact_count(frontdesk) == 0


async def test_a_domain_rule_is_a_422_with_its_code_and_details(admin: httpx.AsyncClient) -> None:
    answer = await admin.post(
        "/api/v1/users", json={"username": "ivan", "password": "short", "role": "agent"}
    )
    body = assert_problem(answer, 422, "user.weak_password")
    assert body["min_length"] == 8


async def test_a_conflict_is_a_409(admin: httpx.AsyncClient) -> None:
    answer = await admin.post(
        "/api/v1/users", json={"username": "anna", "password": "long enough", "role": "agent"}
    )
    assert_problem(answer, 409, "user.exists")


async def test_a_scenario_error_lists_every_problem_with_line_and_column(
    admin: httpx.AsyncClient,
) -> None:
    text = "scenario: t\nversion: 1\nrules:\n  - queue: nowhere\n  - queue: nothere\n"
    answer = await admin.post("/api/v1/scenarios", json={"text": text})
    body = assert_problem(answer, 422, "scenario.invalid")
    problems = body["problems"]
    assert isinstance(problems, list)
    assert [p["line"] for p in problems] == [4, 5]
    for problem in problems:
        assert set(problem) == {"line", "column", "code", "message"}
        assert isinstance(problem["column"], int)
