"""What the agent's desktop reads and writes through the API: the screen pop of a
contact, its written conversation, the customer it belongs to, and who is free."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from frontdesk.domain.customers import Customer
from frontdesk.domain.ids import CustomerId
from frontdesk.domain.users import Role
from frontdesk.services.conversations import MAX_MESSAGE
from frontdesk.web.container import Frontdesk

from .conftest import ACME, CHAT, GLOBEX, VOICE, Session, assert_problem
from .test_contacts import CALLER, arrive, ready

IVAN = CustomerId("ivan")


@pytest.fixture
async def chats(frontdesk: Frontdesk) -> None:
    """anna and boris also take two chats at once."""
    for agent in ("anna", "boris"):
        body = {"name": agent.title(), "queues": ["main"], "capacity": {"call": 1, "chat": 2}}
        await frontdesk.configuration.put_agent(ACME, agent, body, "cli")


async def serving(frontdesk: Frontdesk, agent: httpx.AsyncClient, **fields: Any) -> str:
    """A contact that ``agent`` (anna, ready) accepted."""
    await ready(agent, "anna")
    contact = await arrive(frontdesk, agent, **fields)
    accepted = await agent.post(f"/api/v1/contacts/{contact}/accept")
    assert accepted.status_code == 200, accepted.text
    return contact


async def chat(frontdesk: Frontdesk, agent: httpx.AsyncClient) -> str:
    return await serving(
        frontdesk, agent, access_point=CHAT, sender="olga@example.com",
        channel_data={"text": "Where is my order?"},
    )  # fmt: skip


# --- the card -----------------------------------------------------------------------------


async def test_the_card_of_a_contact_is_its_screen_pop(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, sofia: httpx.AsyncClient,
    frontdesk: Frontdesk,
) -> None:  # fmt: skip
    await frontdesk.crm.upsert(Customer(
        id=IVAN, tenant=ACME, name="Иван Петров", category="VIP", manager="boris",  # type: ignore[arg-type]
        status="gold", phones=(CALLER,),
    ))  # fmt: skip
    contact = await serving(frontdesk, anna)
    answer = await anna.get(f"/api/v1/contacts/{contact}/card")
    assert answer.status_code == 200, answer.text
    card = answer.json()
    assert {k: card[k] for k in ("contact", "channel", "ani", "access_point", "line", "queue")} == {
        "contact": contact, "channel": "voice", "ani": CALLER, "access_point": VOICE,
        "line": "sales", "queue": "main",
    }  # fmt: skip
    assert (card["crm"], card["notice"]) == ("found", None)
    customer = card["customer"]
    assert (customer["name"], customer["vip"], customer["manager"], customer["manager_name"]) == (
        "Иван Петров", True, "boris", "Boris",
    )  # fmt: skip
    assert (await sofia.get(f"/api/v1/contacts/{contact}/card")).status_code == 200
    assert_problem(await boris.get(f"/api/v1/contacts/{contact}/card"), 403, "auth.forbidden")
    assert_problem(await anna.get("/api/v1/contacts/nope/card"), 404, "contact.not_found")


async def test_the_card_of_an_unknown_caller_has_no_customer(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    contact = await serving(frontdesk, anna)
    card = (await anna.get(f"/api/v1/contacts/{contact}/card")).json()
    assert (card["crm"], card["customer"], card["ani"]) == ("not_found", None, CALLER)


async def test_no_card_crosses_tenants_or_shows_without_credentials(
    anna: httpx.AsyncClient, session: Session, client: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    contact = await serving(frontdesk, anna)
    gina = await session("gina", GLOBEX)
    assert_problem(await gina.get(f"/api/v1/contacts/{contact}/card"), 404, "contact.not_found")
    assert_problem(await client.get(f"/api/v1/contacts/{contact}/card"), 401, "auth.required")


# --- the conversation ---------------------------------------------------------------------


@pytest.mark.usefixtures("chats")
async def test_agent_and_customer_write_both_ways(
    anna: httpx.AsyncClient, bearer: Session, frontdesk: Frontdesk
) -> None:
    contact = await chat(frontdesk, anna)
    widget = await bearer(Role.AGENT)
    sent = await anna.post(f"/api/v1/contacts/{contact}/messages", json={"text": "Let me look."})
    assert sent.status_code == 201, sent.text
    assert (sent.json()["direction"], sent.json()["author"]) == ("out", "anna")
    came = await widget.post(f"/api/v1/contacts/{contact}/messages", json={"text": "Order 42"})
    assert came.status_code == 201, came.text
    assert (came.json()["direction"], came.json()["author"]) == ("in", "token:token-0")

    card = (await anna.get(f"/api/v1/contacts/{contact}/card")).json()
    assert (card["channel"], card["text"], card["subject"]) == ("chat", "Where is my order?", "")
    listed = (await anna.get(f"/api/v1/contacts/{contact}/messages")).json()
    assert [(m["direction"], m["text"], m["author"]) for m in listed] == [
        ("in", "Where is my order?", "olga@example.com"),
        ("out", "Let me look.", "anna"),
        ("in", "Order 42", "token:token-0"),
    ]
    assert listed[0]["seq"] == 0
    assert 0 < listed[1]["seq"] < listed[2]["seq"]
    timeline = (await anna.get(f"/api/v1/contacts/{contact}/timeline")).json()
    assert [e["data"]["text"] for e in timeline if e["type"] == "contact.message"] == [
        "Let me look.", "Order 42",
    ]  # fmt: skip


@pytest.mark.usefixtures("chats")
async def test_bad_messages_are_refused_and_nothing_is_written(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, session: Session, bearer: Session,
    frontdesk: Frontdesk,
) -> None:  # fmt: skip
    contact = await chat(frontdesk, anna)
    path = f"/api/v1/contacts/{contact}/messages"
    assert_problem(await anna.post(path, json={"text": " \n "}), 422, "message.empty")
    too_long = await anna.post(path, json={"text": "x" * (MAX_MESSAGE + 1)})
    assert_problem(too_long, 422, "request.invalid")
    assert_problem(await anna.post(path, json={}), 422, "request.invalid")
    assert_problem(await boris.post(path, json={"text": "hi"}), 409, "contact.not_serving")
    olga = await session("olga")
    assert_problem(await olga.post(path, json={"text": "hi"}), 403, "auth.forbidden")
    sofia = await session("sofia")  # a supervisor writes as nobody's agent
    assert_problem(await sofia.post(path, json={"text": "hi"}), 403, "auth.forbidden")
    foreign = await bearer(Role.ADMIN, GLOBEX)
    assert_problem(await foreign.post(path, json={"text": "hi"}), 404, "contact.not_found")
    assert_problem(await boris.get(path), 403, "auth.forbidden")
    assert len((await anna.get(path)).json()) == 1  # only what the contact arrived with

    closed = await anna.post(f"/api/v1/contacts/{contact}/wrap-up", json={"close": True})
    assert closed.json()["state"] == "closed"
    widget = await bearer(Role.AGENT)
    late = await widget.post(path, json={"text": "Hello?"})
    body = assert_problem(late, 409, "contact.closed")
    assert "closed" in body["detail"]


async def test_a_call_has_no_written_conversation(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    contact = await serving(frontdesk, anna)
    answer = await anna.post(f"/api/v1/contacts/{contact}/messages", json={"text": "hi"})
    assert_problem(answer, 409, "message.not_text")
    assert (await anna.get(f"/api/v1/contacts/{contact}/messages")).json() == []


# --- the customer -------------------------------------------------------------------------


async def test_a_new_customer_for_an_unknown_caller_is_linked_and_gets_the_contact(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    contact = await serving(frontdesk, anna)
    created = await anna.post("/api/v1/customers", json={"name": "Ольга", "phones": [CALLER]})
    assert created.status_code == 201, created.text
    customer = created.json()["id"]
    linked = await anna.post(f"/api/v1/contacts/{contact}/customer", json={"customer": customer})
    assert linked.status_code == 200, linked.text
    assert (linked.json()["customer"], linked.json()["handling"]["crm"]) == (customer, "found")
    card = (await anna.get(f"/api/v1/contacts/{contact}/card")).json()
    assert card["customer"]["name"] == "Ольга"
    timeline = (await anna.get(f"/api/v1/contacts/{contact}/timeline")).json()
    [event] = [e for e in timeline if e["type"] == "contact.customer_linked"]
    assert (event["data"]["customer"], event["data"]["by"]) == (customer, "anna")

    await anna.post(
        f"/api/v1/contacts/{contact}/wrap-up",
        json={"disposition": "sale", "note": "first order", "close": True},
    )
    history = (await anna.get(f"/api/v1/customers/{customer}/history")).json()
    assert [(h["contact"], h["disposition"], h["summary"]) for h in history] == [
        (contact, "sale", "first order")
    ]


async def test_only_the_serving_agent_or_a_supervisor_links_a_customer(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, sofia: httpx.AsyncClient,
    session: Session, frontdesk: Frontdesk,
) -> None:  # fmt: skip
    contact = await serving(frontdesk, anna)
    await frontdesk.crm.upsert(Customer(id=IVAN, tenant=ACME, name="Иван"))
    path = f"/api/v1/contacts/{contact}/customer"
    assert_problem(await boris.post(path, json={"customer": "ivan"}), 409, "contact.not_serving")
    olga = await session("olga")
    assert_problem(await olga.post(path, json={"customer": "ivan"}), 403, "auth.forbidden")
    assert_problem(await anna.post(path, json={"customer": "nobody"}), 404, "customer.not_found")
    assert_problem(await anna.post(path, json={"customer": ""}), 422, "request.invalid")
    assert_problem(await anna.post(path, json={"id": "ivan"}), 422, "request.invalid")
    gina = await session("gina", GLOBEX)
    assert_problem(await gina.post(path, json={"customer": "ivan"}), 404, "contact.not_found")
    assert (await anna.get(f"/api/v1/contacts/{contact}")).json()["customer"] is None
    by_supervisor = await sofia.post(path, json={"customer": "ivan"})
    assert by_supervisor.status_code == 200, by_supervisor.text
    assert by_supervisor.json()["customer"] == "ivan"


# --- the directory ------------------------------------------------------------------------


@pytest.mark.usefixtures("chats")
async def test_the_directory_shows_who_is_free_and_what_waits(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await chat(frontdesk, anna)  # anna serves one chat of two
    await ready(boris, "boris")
    await boris.post("/api/v1/agents/boris/state", json={"state": "not_ready", "reason": "break"})
    await arrive(frontdesk, boris)  # a call rings for anna: she has room for no other
    await arrive(frontdesk, boris)  # this one waits
    answer = await anna.get("/api/v1/directory")
    assert answer.status_code == 200, answer.text
    directory = answer.json()
    assert directory["agents"] == [
        {"id": "anna", "name": "Anna", "state": "busy", "reason": None,
         "free": {"call": 0, "chat": 1}},
        {"id": "boris", "name": "Boris", "state": "not_ready", "reason": "break",
         "free": {"call": 0, "chat": 0}},
    ]  # fmt: skip
    assert directory["queues"] == [{"id": "main", "name": "Main", "waiting": 1}]


async def test_the_directory_is_for_signed_in_agents_of_the_tenant(
    client: httpx.AsyncClient, session: Session
) -> None:
    assert_problem(await client.get("/api/v1/directory"), 401, "auth.required")
    gina = await session("gina", GLOBEX)
    assert (await gina.get("/api/v1/directory")).json() == {"agents": [], "queues": []}
