"""The agent hub hands each event only to the agent streams it can concern."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import AgentId, ContactId, TenantId
from frontdesk.web.agent_hub import AgentHub, Inbox

T = TenantId("acme")
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
ANNA, BORIS = AgentId("anna"), AgentId("boris")


def event(seq: int, type_: str, contact: str | None, agent: str | None, **data: Any) -> StoredEvent:
    return StoredEvent(
        seq, T, type_, AT, "contacts.read",
        ContactId(contact) if contact else None, AgentId(agent) if agent else None, data,
    )  # fmt: skip


def received(inbox: Inbox) -> list[int]:
    seqs = []
    while not inbox.queue.empty():
        item = inbox.queue.get_nowait()
        assert item is not None
        seqs.append(item.seq)
    return seqs


def test_contact_events_follow_the_agent_the_contact_was_offered_to() -> None:
    hub = AgentHub(None, T)  # type: ignore[arg-type]  # routing needs neither store nor bus
    anna, boris = hub.attach(ANNA), hub.attach(BORIS)
    hub.route(event(1, "contact.arrived", "c1", None))
    hub.route(event(2, "contact.state_changed", "c1", None, old="queued", new="offered"))
    hub.route(event(3, "contact.offered", "c1", "anna"))
    hub.route(event(4, "agent.state_changed", None, "anna", old="ready", new="reserved"))
    hub.route(event(5, "contact.state_changed", "c1", None, old="offered", new="connected"))
    hub.route(event(6, "contact.state_changed", "c1", None, old="connected", new="transferred"))
    hub.route(event(7, "contact.transferred", "c1", "anna"))  # about anna: she did it
    hub.route(event(8, "contact.state_changed", "c1", None, old="transferred", new="queued"))
    hub.route(event(9, "contact.offered", "c1", "boris"))
    hub.route(event(10, "contact.state_changed", "c1", None, old="offered", new="queued"))
    assert received(anna) == [3, 4, 5, 6, 7]
    assert received(boris) == [9, 10]
    assert hub.owner == {}  # back in line: nobody's


def test_a_consult_offer_reaches_the_agent_but_leaves_the_contact_with_its_owner() -> None:
    hub = AgentHub(None, T)  # type: ignore[arg-type]
    anna, boris = hub.attach(ANNA), hub.attach(BORIS)
    hub.route(event(1, "contact.offered", "c1", "anna"))
    hub.route(event(2, "contact.offered", "c1", "boris", consult=True))
    hub.route(event(3, "contact.accepted", "c1", "boris"))
    assert received(anna) == [1, 2, 3]  # her contact: she sees who joins
    assert received(boris) == [2, 3]
    assert hub.owner == {ContactId("c1"): ANNA}


def test_a_stream_that_falls_behind_is_told_so_and_let_go() -> None:
    hub = AgentHub(None, T)  # type: ignore[arg-type]
    anna = hub.attach(ANNA)
    for seq in range(1, 2000):
        hub.route(event(seq, "agent.state_changed", None, "anna", old="ready", new="busy"))
    assert anna.lagged
    assert anna.closed
    assert ANNA not in hub.inboxes


def test_the_agent_consulted_hears_of_the_contact_until_the_consult_ends() -> None:
    hub = AgentHub(None, T)  # type: ignore[arg-type]
    anna, boris = hub.attach(ANNA), hub.attach(BORIS)
    hub.route(event(1, "contact.offered", "c1", "anna"))
    hub.route(event(2, "contact.offered", "c1", "boris", consult=True))
    hub.route(event(3, "contact.accepted", "c1", "boris"))
    hub.route(event(4, "contact.message", "c1", "anna", direction="in"))
    hub.route(event(5, "contact.transferred", "c1", "anna", kind="consult_ended", to_agent="anna"))
    hub.route(event(6, "contact.message", "c1", "anna", direction="in"))
    assert received(anna) == [1, 2, 3, 4, 5, 6]
    assert received(boris) == [2, 3, 4, 5]  # told the consult ended; then no more
    assert hub.consultant == {}


def test_a_contact_handed_over_in_a_consult_follows_its_new_owner() -> None:
    hub = AgentHub(None, T)  # type: ignore[arg-type]
    anna, boris = hub.attach(ANNA), hub.attach(BORIS)
    hub.route(event(1, "contact.offered", "c1", "anna"))
    hub.route(event(2, "contact.transferred", "c1", "anna", kind="consult", to_agent="boris"))
    hub.route(event(3, "contact.offered", "c1", "boris", consult=True))
    hub.route(event(4, "offer.declined", "c1", "boris", reason="no_answer"))
    hub.route(event(5, "contact.message", "c1", None, direction="in"))
    hub.route(event(6, "contact.offered", "c1", "boris", consult=True))
    hub.route(event(7, "contact.accepted", "c1", "boris"))
    hub.route(event(8, "contact.transferred", "c1", "anna", kind="consult_handed_over",
                    to_agent="boris"))  # fmt: skip
    hub.route(event(9, "contact.state_changed", "c1", None, old="connected", new="wrap_up"))
    assert received(anna) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert received(boris) == [3, 4, 6, 7, 8, 9]
    assert hub.owner == {ContactId("c1"): BORIS}
