"""The agent stream as the desk uses it: conversations and linked customers of the agent's
own contacts, and consults seen by the agent asked to join."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.customers import Customer
from frontdesk.domain.ids import ContactId, CustomerId
from frontdesk.services.conversations import Direction
from frontdesk.services.intake import Submission
from tests.web.streams_support import ANNA, BORIS, TENANT, Site, WebSocketTestSession
from tests.web.test_streams import AGENT, ready, until

CHAT = "chat-widget"


def event_of(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    """The next event message of type ``kind``."""
    while True:
        message, _ = until(ws, "event")
        if message["event"]["type"] == kind:
            return message


def chat(site: Site, text: str) -> ContactId:
    async def write() -> ContactId:
        dispatcher = site.frontdesk.dispatcher
        submission = Submission(access_point=CHAT, sender="olga@example.com",
                                channel_data={"text": text})  # fmt: skip
        live, _ = await dispatcher.submit(TENANT, submission)
        await dispatcher.settle()
        return live.contact.id

    return site.run(write)


def test_the_stream_carries_the_conversation_and_the_customer_of_a_chat() -> None:
    with Site() as site:
        configuration = site.frontdesk.configuration
        site.run(configuration.put, TENANT, "access_points", CHAT, {"channel": "chat"}, "cli")
        site.run(configuration.put_agent, TENANT, ANNA,
                 {"name": "Anna", "queues": ["main"], "capacity": {"chat": 2}}, "cli")  # fmt: skip
        ready(site, ANNA)
        with site.connect(AGENT, site.cookie("anna")) as ws:
            ws.receive_json()
            contact = chat(site, "Hello")
            offer, _ = until(ws, "offer")
            assert offer["card"]["channel"] == "chat"
            site.run(site.desk.accept, ANNA, contact)
            site.run(site.desk.add_message, contact, Direction.IN, "Order 42?", "token:widget")
            message = event_of(ws, "contact.message")
            assert (message["event"]["contact"], message["event"]["data"]["text"]) == (
                contact, "Order 42?",
            )  # fmt: skip
            crm = site.frontdesk.crm
            site.run(crm.upsert, Customer(id=CustomerId("olga"), tenant=TENANT, name="Olga"))
            site.run(lambda: site.desk.link_customer(contact, CustomerId("olga"), by="anna"))
            linked = event_of(ws, "contact.customer_linked")
            [line] = linked["view"]["contacts"]
            assert (line["contact"], line["customer"]) == (contact, "olga")


def test_the_agent_asked_to_join_a_consult_sees_it_ring_join_and_take_over() -> None:
    with Site() as site:
        ready(site, ANNA)
        contact = site.submit("+79161234567")
        site.run(site.desk.accept, ANNA, contact)
        ready(site, BORIS)
        with site.connect(AGENT, site.cookie("boris")) as ws:
            assert ws.receive_json()["view"]["offers"] == []
            site.run(lambda: site.desk.consult(ANNA, contact, to_agent=BORIS))
            asked, _ = until(ws, "snapshot")
            [offer] = asked["view"]["offers"]
            assert (offer["contact"], offer["consult"]) == (contact, True)

            site.run(site.desk.accept, BORIS, contact)
            joined, _ = until(ws, "snapshot")
            [line] = joined["view"]["contacts"]
            assert (joined["view"]["offers"], line["agent"], line["consultant"]) == (
                [], "anna", "boris",
            )  # fmt: skip

            site.run(lambda: site.desk.end_consult(ANNA, contact, hand_over=True))
            handed, _ = until(ws, "snapshot")
            [line] = handed["view"]["contacts"]
            assert (line["contact"], line["agent"], line["consultant"]) == (contact, "boris", None)
            site.run(lambda: site.desk.wrap_up(BORIS, contact, close=True))
            closed = event_of(ws, "contact.wrapped_up")
            assert closed["view"]["contacts"] == []
