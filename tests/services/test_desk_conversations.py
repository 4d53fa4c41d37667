"""The desk's operations for the agent's desktop: linking a contact to a customer, the
written conversation, and consults withdrawn. On the in-memory store, SQLite and
PostgreSQL (the ``stack`` of ``conftest.py``)."""

from __future__ import annotations

from functools import partial

import pytest

from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import Customer
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import CrmStatus
from frontdesk.domain.ids import AgentId, ContactId, CustomerId
from frontdesk.services.conversations import MAX_MESSAGE, Direction, conversation
from frontdesk.services.intake import Submission
from tests.services.desk_support import Stack, T

S = ContactState
ANNA, BORIS = AgentId("anna"), AgentId("boris")
STRANGER = "+79165550101"


def published(stack: Stack) -> list[StoredEvent]:
    """The events published since the last call."""
    events = list(stack.drain())
    stack.seen.clear()
    return events


async def served_by_anna(stack: Stack, sender: str = STRANGER) -> ContactId:
    """A web-form contact (e-mail media) that anna accepted."""
    await stack.ready("anna")
    contact = await stack.submit(sender)
    assert stack.offered_to(contact) == ANNA
    await stack.desk.accept(ANNA, contact)
    return contact


async def test_a_contact_linked_to_a_new_customer_goes_into_their_history(stack: Stack) -> None:
    contact = await served_by_anna(stack)
    assert (await stack.contact(contact)).handling.crm is CrmStatus.NOT_FOUND
    customer = await stack.crm.upsert(
        Customer(id=CustomerId("new"), tenant=T, name="Ольга Смирнова", phones=(STRANGER,),
                 category="regular")
    )  # fmt: skip
    published(stack)

    linked = await stack.desk.link_customer(contact, customer.id, by="anna", agent_id=ANNA)
    assert (linked.contact.customer, linked.contact.category) == (customer.id, "regular")
    assert linked.handling.crm is CrmStatus.FOUND
    [event] = [e for e in published(stack) if e.type == "contact.customer_linked"]
    assert (event.contact, event.agent, dict(event.data)) == (contact, ANNA, {
        "contact": contact, "customer": "new", "previous": None, "agent": "anna", "by": "anna",
    })  # fmt: skip
    stored = await stack.contact(contact)
    assert stored.contact.customer == customer.id  # written with its event

    await stack.desk.wrap_up(ANNA, contact, "sale", "new customer, ordered a kettle", close=True)
    history = await stack.crm.history(T, customer.id)
    assert [(a.contact, a.disposition, a.summary) for a in history] == [
        (contact, "sale", "new customer, ordered a kettle")
    ]


async def test_linking_the_same_customer_again_changes_nothing(stack: Stack) -> None:
    contact = await served_by_anna(stack)
    customer = await stack.crm.upsert(Customer(id=CustomerId("c1"), tenant=T, name="Anna Lee"))
    await stack.desk.link_customer(contact, customer.id, by="anna", agent_id=ANNA)
    published(stack)
    await stack.desk.link_customer(contact, customer.id, by="anna", agent_id=ANNA)
    assert [e for e in published(stack) if e.type == "contact.customer_linked"] == []


async def test_a_merged_customer_links_the_record_it_went_into(stack: Stack) -> None:
    contact = await served_by_anna(stack)
    kept = await stack.crm.upsert(Customer(id=CustomerId("kept"), tenant=T, name="Ivan"))
    await stack.crm.upsert(Customer(id=CustomerId("dup"), tenant=T, name="Ivan P."))
    assert isinstance(stack.crm, BuiltinCrm)
    await stack.crm.merge(T, kept.id, CustomerId("dup"), "test")
    linked = await stack.desk.link_customer(contact, CustomerId("dup"), by="anna", agent_id=ANNA)
    assert linked.contact.customer == kept.id


async def test_only_the_serving_agent_links_an_open_contact_to_a_known_customer(
    stack: Stack,
) -> None:
    contact = await served_by_anna(stack)
    customer = await stack.crm.upsert(Customer(id=CustomerId("c1"), tenant=T, name="Anna Lee"))
    link = partial(stack.desk.link_customer, contact, by="x")
    with pytest.raises(NotFoundError) as unknown:
        await link(CustomerId("nobody"), agent_id=ANNA)
    assert unknown.value.code == "customer.not_found"
    with pytest.raises(ConflictError) as not_serving:
        await link(customer.id, agent_id=BORIS)
    assert not_serving.value.code == "contact.not_serving"
    with pytest.raises(NotFoundError):
        await stack.desk.link_customer(ContactId("ghost"), customer.id, by="x")
    assert (await stack.contact(contact)).contact.customer is None  # nothing changed

    # A supervisor (no agent named) links any open contact, even one still waiting.
    waiting = await stack.submit("+79165550202")
    assert await stack.state(waiting) is S.QUEUED
    linked = await stack.desk.link_customer(waiting, customer.id, by="sofia")
    assert linked.contact.customer == customer.id

    await stack.desk.wrap_up(ANNA, contact, close=True)
    with pytest.raises(ConflictError) as closed:
        await link(customer.id)
    assert closed.value.code == "contact.closed"


async def test_a_conversation_holds_the_first_words_and_messages_both_ways(stack: Stack) -> None:
    await stack.ready("anna")
    live, _ = await stack.dispatcher.submit(T, Submission(
        access_point="web-form", sender="olga@example.com",
        channel_data={"subject": "Broken kettle", "text": "It leaks."},
    ))  # fmt: skip
    await stack.dispatcher.settle()
    contact = live.contact.id
    # The customer may write while the contact rings, before anyone answers.
    early = await stack.desk.add_message(contact, Direction.IN, "Hello?", "token:widget")
    await stack.desk.accept(ANNA, contact)
    reply = await stack.desk.add_message(
        contact, Direction.OUT, "\nSorry to hear that. Which model?\n", "anna", agent_id=ANNA
    )
    answer = await stack.desk.add_message(contact, Direction.IN, "KT-6120", "token:widget")
    assert reply.text == "Sorry to hear that. Which model?"  # surrounding blank lines dropped
    assert early.seq < reply.seq < answer.seq

    events = [e for e in published(stack) if e.type == "contact.message"]
    assert [(e.contact, e.agent, e.data["direction"], e.data["author"]) for e in events] == [
        (contact, ANNA, "in", "token:widget"),  # ringing for anna: hers already
        (contact, ANNA, "out", "anna"),
        (contact, ANNA, "in", "token:widget"),
    ]
    async with stack.store.transaction() as tx:
        stored = await tx.events.for_contact(T, contact)
    messages = conversation((await stack.contact(contact)).contact, stored)
    assert [(m.direction, m.text, m.author, m.subject) for m in messages] == [
        (Direction.IN, "It leaks.", "olga@example.com", "Broken kettle"),
        (Direction.IN, "Hello?", "token:widget", ""),
        (Direction.OUT, "Sorry to hear that. Which model?", "anna", ""),
        (Direction.IN, "KT-6120", "token:widget", ""),
    ]


async def test_messages_are_refused_clearly_and_change_nothing(stack: Stack) -> None:
    contact = await served_by_anna(stack)
    add = partial(stack.desk.add_message, contact)
    published(stack)
    for text, code in (("  \n ", "message.empty"), ("x" * (MAX_MESSAGE + 1), "message.too_long")):
        with pytest.raises(ValidationError) as refused:
            await add(Direction.IN, text, "token:widget")
        assert refused.value.code == code
    with pytest.raises(ConflictError) as not_serving:
        await add(Direction.OUT, "hello", "boris", agent_id=BORIS)
    assert not_serving.value.code == "contact.not_serving"
    with pytest.raises(ValidationError):
        await add(Direction.OUT, "hello", "anna")  # an agent's reply names the agent

    await stack.configuration.put(T, "access_points", "+74950000000", {"channel": "voice"}, "test")
    await stack.desk.wrap_up(ANNA, contact, close=True)
    with pytest.raises(ConflictError) as closed:
        await add(Direction.IN, "one more thing", "token:widget")
    assert closed.value.code == "contact.closed"
    assert "closed" in str(closed.value)

    call = await stack.submit("+79165550303", point="+74950000000")
    with pytest.raises(ConflictError) as not_text:
        await stack.desk.add_message(call, Direction.IN, "hello", "token:widget")
    assert not_text.value.code == "message.not_text"
    assert [e for e in published(stack) if e.type == "contact.message"] == []


async def test_a_consult_nobody_answered_is_withdrawn_with_an_event(stack: Stack) -> None:
    contact = await served_by_anna(stack)
    await stack.desk.consult(ANNA, contact, to_agent=BORIS)  # boris is logged out
    published(stack)
    await stack.desk.end_consult(ANNA, contact, hand_over=False)
    [event] = [e for e in published(stack) if e.type == "contact.transferred"]
    assert (event.agent, event.data["kind"]) == (ANNA, "consult_withdrawn")
