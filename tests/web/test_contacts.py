"""Contacts through the API: submitted, listed, read, worked on by agents and supervisors."""

from __future__ import annotations

from typing import Any

import httpx

from frontdesk.domain.users import Role
from frontdesk.web.container import Frontdesk

from .conftest import ACME, CHAT, VOICE, Session, assert_problem, contact_count

CALLER = "+79161234567"


async def ready(agent: httpx.AsyncClient, name: str) -> None:
    answer = await agent.post(f"/api/v1/agents/{name}/state", json={"state": "ready"})
    assert answer.status_code == 200, answer.text


async def arrive(frontdesk: Frontdesk, client: httpx.AsyncClient, **fields: Any) -> str:
    """Submit a contact, wait until it is routed, return its id."""
    answer = await client.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER, **fields}
    )
    assert answer.status_code == 201, answer.text
    await frontdesk.dispatcher.settle()
    contact: str = answer.json()["id"]
    return contact


async def state_of(client: httpx.AsyncClient, contact: str) -> str:
    answer = await client.get(f"/api/v1/contacts/{contact}")
    assert answer.status_code == 200, answer.text
    state: str = answer.json()["state"]
    return state


async def test_a_submitted_contact_is_stored_and_then_routed(
    bearer: Session, sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    source = await bearer(Role.AGENT)
    answer = await source.post(
        "/api/v1/inbound",
        json={
            "access_point": "8 (495) 123-45-67",
            "sender": "8 916 123 45 67",
            "channel_data": {"subject": "broken phone"},
            "priority": 5,
        },
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["state"] == "arrived"
    assert body["ani"] == CALLER
    assert body["access_point"] == VOICE
    assert body["channel_data"] == {"subject": "broken phone"}
    await frontdesk.dispatcher.settle()
    stored = (await sofia.get(f"/api/v1/contacts/{body['id']}")).json()
    assert stored["state"] == "queued"  # nobody is ready
    assert stored["handling"]["queue"] == "main"


async def test_a_repeated_idempotency_key_returns_the_stored_contact(
    bearer: Session, frontdesk: Frontdesk
) -> None:
    source = await bearer(Role.AGENT)
    submission = {"access_point": VOICE, "sender": CALLER, "idempotency_key": "form-42"}
    first = await source.post("/api/v1/inbound", json=submission)
    again = await source.post("/api/v1/inbound", json=submission)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    by_header = await source.post(
        "/api/v1/inbound",
        json={"access_point": VOICE, "sender": CALLER},
        headers={"Idempotency-Key": "form-42"},
    )
    assert by_header.status_code == 200
    assert by_header.json()["id"] == first.json()["id"]
    assert await contact_count(frontdesk) == 1


async def test_an_unreadable_number_is_kept_and_flagged(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await anna.post("/api/v1/inbound", json={"access_point": VOICE, "sender": "12ab"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["ani"] == "12ab"
    [error] = body["handling"]["errors"]
    assert error.startswith("sender:")
    assert await contact_count(frontdesk) == 1


async def test_an_unknown_access_point_is_a_404_and_stores_nothing(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await anna.post(
        "/api/v1/inbound", json={"access_point": "+74990000000", "sender": CALLER}
    )
    assert_problem(answer, 404, "access_point.not_found")
    assert await contact_count(frontdesk) == 0


async def test_an_intake_limit_names_the_field(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await anna.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER, "priority": 5000}
    )
    body = assert_problem(answer, 422, "contact.invalid")
    assert body["field"] == "priority"
    assert await contact_count(frontdesk) == 0


async def test_supervisors_list_contacts_by_filter(
    anna: httpx.AsyncClient, sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    voice = await arrive(frontdesk, anna)
    chat = (
        await anna.post("/api/v1/inbound", json={"access_point": CHAT, "sender": "web:visitor-7"})
    ).json()["id"]
    await frontdesk.dispatcher.settle()

    async def ids(**params: Any) -> list[str]:
        answer = await sofia.get("/api/v1/contacts", params=params)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()]

    assert set(await ids()) == {voice, chat}
    assert await ids(channel="chat") == [chat]
    assert await ids(ani="8 (916) 123-45-67") == [voice]
    assert set(await ids(state=["queued", "offered"])) == {voice, chat}
    assert await ids(state="closed") == []
    assert len(await ids(limit=1)) == 1
    assert await ids(since="2030-01-01T00:00:00Z") == []


CHATS_TO_CARE = """\
scenario: test
version: 2
rules:
  - name: chats
    when: contact.media == "chat"
    queue: care
  - queue: main
"""


async def test_contacts_filter_by_queue_and_tell_how_many_match(
    anna: httpx.AsyncClient, sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await frontdesk.configuration.put(ACME, "queues", "care", {"name": "Care"}, "cli")
    version = await frontdesk.scenarios.save(ACME, CHATS_TO_CARE, "cli")
    await frontdesk.scenarios.publish(ACME, version.version, "cli")
    calls = [await arrive(frontdesk, anna), await arrive(frontdesk, anna)]
    chat = await anna.post("/api/v1/inbound", json={"access_point": CHAT, "sender": "web:v-1"})
    await frontdesk.dispatcher.settle()

    async def page(**params: Any) -> tuple[list[str], int]:
        answer = await sofia.get("/api/v1/contacts", params=params)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()], int(answer.headers["X-Total-Count"])

    assert await page(queue="care") == ([chat.json()["id"]], 1)
    assert await page(queue="main", limit=1) == ([calls[1]], 2)
    assert await page(queue="main", limit=1, offset=1) == ([calls[0]], 2)
    assert await page(queue="nowhere") == ([], 0)


async def test_an_agent_accepts_wraps_up_and_closes_a_contact(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    offered = (await anna.get(f"/api/v1/contacts/{contact}")).json()
    assert offered["state"] == "offered"
    assert offered["handling"]["agent"] == "anna"

    accepted = await anna.post(f"/api/v1/contacts/{contact}/accept")
    assert accepted.json()["state"] == "connected"
    wrapping = await anna.post(
        f"/api/v1/contacts/{contact}/wrap-up", json={"disposition": "sale", "note": "sold a case"}
    )
    assert wrapping.json()["state"] == "wrap_up"
    closed = await anna.post(f"/api/v1/contacts/{contact}/wrap-up", json={"close": True})
    assert closed.json()["state"] == "closed"
    assert closed.json()["handling"]["disposition"] == "sale"

    timeline = (await anna.get(f"/api/v1/contacts/{contact}/timeline")).json()
    types = [event["type"] for event in timeline]
    for expected in (
        "contact.arrived",
        "contact.routed",
        "contact.offered",
        "contact.accepted",
        "contact.wrapped_up",
    ):
        assert expected in types
    routed = next(event for event in timeline if event["type"] == "contact.routed")
    assert routed["data"]["explanation"]
    assert [event["seq"] for event in timeline] == sorted(event["seq"] for event in timeline)


async def test_an_unknown_disposition_is_refused(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    await anna.post(f"/api/v1/contacts/{contact}/accept")
    answer = await anna.post(f"/api/v1/contacts/{contact}/wrap-up", json={"disposition": "won"})
    assert_problem(answer, 422, "contact.unknown_disposition")
    assert await state_of(anna, contact) == "connected"


async def test_an_agent_cannot_read_or_take_another_agents_contact(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    assert_problem(await boris.get(f"/api/v1/contacts/{contact}"), 403, "auth.forbidden")
    assert_problem(await boris.get(f"/api/v1/contacts/{contact}/timeline"), 403, "auth.forbidden")
    assert_problem(await boris.post(f"/api/v1/contacts/{contact}/accept"), 409, "offer.not_found")
    assert_problem(
        await boris.post(f"/api/v1/contacts/{contact}/accept", json={"agent": "anna"}),
        403,
        "auth.forbidden",
    )
    assert await state_of(anna, contact) == "offered"


async def test_rejecting_keeps_the_contact_waiting_and_sets_the_agent_not_ready(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    answer = await anna.post(f"/api/v1/contacts/{contact}/reject")
    assert answer.status_code == 200
    assert answer.json()["state"] == "queued"
    assert (await anna.get("/api/v1/agents/anna")).json()["state"] == "not_ready"
    assert await state_of(anna, contact) == "queued"  # she was offered it: she may still look


async def test_a_transfer_to_another_agent_offers_it_to_them(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    await anna.post(f"/api/v1/contacts/{contact}/accept")
    await ready(boris, "boris")
    answer = await anna.post(
        f"/api/v1/contacts/{contact}/transfer", json={"agent": "boris", "note": "wants a refund"}
    )
    assert answer.status_code == 200, answer.text
    with_boris = (await boris.get(f"/api/v1/contacts/{contact}")).json()
    assert with_boris["state"] == "offered"
    assert with_boris["handling"]["agent"] == "boris"
    assert len(with_boris["segments"]) == 2
    both = await anna.post(
        f"/api/v1/contacts/{contact}/transfer", json={"agent": "boris", "queue": "main"}
    )
    assert_problem(both, 422, "transfer.target")


async def test_a_consult_brings_in_another_agent_who_can_take_over(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    await anna.post(f"/api/v1/contacts/{contact}/accept")
    await ready(boris, "boris")
    asked = await anna.post(f"/api/v1/contacts/{contact}/consult", json={"agent": "boris"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["handling"]["consult"] == "agent:boris"
    early = await anna.post(f"/api/v1/contacts/{contact}/wrap-up", json={"close": True})
    assert_problem(early, 409, "consult.open")
    joined = await boris.post(f"/api/v1/contacts/{contact}/accept")
    assert joined.status_code == 200, joined.text
    assert joined.json()["state"] == "connected"
    assert joined.json()["segments"][-1]["kind"] == "consult"
    handed = await anna.post(f"/api/v1/contacts/{contact}/consult/end", json={"hand_over": True})
    assert handed.status_code == 200, handed.text
    assert handed.json()["handling"]["agent"] == "boris"
    closed = await boris.post(f"/api/v1/contacts/{contact}/wrap-up", json={"close": True})
    assert closed.json()["state"] == "closed"


async def test_a_supervisor_acts_for_the_agent_the_contact_is_with(
    anna: httpx.AsyncClient, sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    answer = await sofia.post(f"/api/v1/contacts/{contact}/accept")
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "connected"
    closed = await sofia.post(
        f"/api/v1/contacts/{contact}/wrap-up", json={"agent": "anna", "close": True}
    )
    assert closed.json()["state"] == "closed"


async def test_a_user_without_an_agent_profile_cannot_act(
    anna: httpx.AsyncClient, session: Session, frontdesk: Frontdesk
) -> None:
    await ready(anna, "anna")
    contact = await arrive(frontdesk, anna)
    olga = await session("olga")
    assert_problem(await olga.post(f"/api/v1/contacts/{contact}/accept"), 403, "auth.forbidden")


async def test_the_submitting_system_reports_an_abandoned_contact(
    bearer: Session, anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    source = await bearer(Role.AGENT)
    contact = await arrive(frontdesk, source)
    assert_problem(await anna.post(f"/api/v1/contacts/{contact}/abandon"), 403, "auth.forbidden")
    answer = await source.post(f"/api/v1/contacts/{contact}/abandon")
    assert answer.status_code == 200
    assert answer.json()["state"] == "abandoned"
    again = await source.post(f"/api/v1/contacts/{contact}/abandon")
    assert_problem(again, 409, "contact.invalid_transition")
