"""The live pipeline: intake, enrichment, decision, offers, service and recovery.

Every test runs on the in-memory store, SQLite and PostgreSQL (the ``stack`` of
``conftest.py``): the desk must behave the same on each, and what it leaves in the store
is what a restart sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.agents import AgentState
from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.contacts import ContactState, SegmentKind
from frontdesk.domain.customers import Customer, CustomerProfile, Identity
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.handling import CrmStatus, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.repositories import ContactFilter, Store, Transaction
from frontdesk.services.intake import Submission
from tests.services.desk_support import SCENARIO, Stack, T, build, open_backend

S = ContactState
ANNA, BORIS, VERA = AgentId("anna"), AgentId("boris"), AgentId("vera")


async def test_a_contact_is_offered_accepted_wrapped_up_and_written_to_history(
    stack: Stack,
) -> None:
    customer = await stack.crm.upsert(
        Customer(id=CustomerId("c1"), tenant=T, name="Иван Петров", phones=("+79161234567",))
    )
    await stack.ready("anna")
    contact = await stack.submit("8 (916) 123-45-67")
    live = await stack.contact(contact)
    assert live.contact.state is S.OFFERED
    assert live.contact.customer == customer.id
    assert live.handling.crm is CrmStatus.FOUND
    assert stack.offered_to(contact) == ANNA
    assert stack.desk.agents[ANNA].state is AgentState.RESERVED
    assert any("rule 'everyone'" in line for line in live.handling.explanation)

    await stack.desk.accept(ANNA, contact)
    assert await stack.state(contact) is S.CONNECTED
    assert stack.desk.agents[ANNA].state is AgentState.BUSY

    await stack.desk.wrap_up(ANNA, contact, "sale", "ordered two filters")
    assert await stack.state(contact) is S.WRAP_UP
    assert stack.desk.agents[ANNA].state is AgentState.WRAP_UP
    closed = await stack.desk.wrap_up(ANNA, contact, close=True)
    assert closed.contact.state is S.CLOSED
    assert closed.handling.disposition == "sale"
    assert stack.desk.agents[ANNA].state is AgentState.READY

    history = await stack.crm.history(T, customer.id)
    assert [(a.contact, a.disposition, a.summary) for a in history] == [
        (contact, "sale", "ordered two filters")
    ]
    types = [e.type for e in stack.drain() if e.contact == contact]
    assert types[:3] == ["contact.arrived", "contact.enriched", "contact.state_changed"]
    assert "contact.offered" in types
    assert types[-1] == "contact.wrapped_up"


async def test_events_are_published_in_commit_order_and_kept_per_contact(stack: Stack) -> None:
    await stack.ready("anna")
    contact = await stack.submit("+79161234567")
    published = [e for e in stack.drain() if e.contact == contact]
    async with stack.store.transaction() as tx:
        stored = await tx.events.for_contact(T, contact)
    assert [e.seq for e in published] == [e.seq for e in stored]
    assert [e.seq for e in stored] == sorted(e.seq for e in stored)
    routed = next(e for e in stored if e.type == "contact.routed")
    assert routed.data["rule"] == "everyone"
    assert routed.data["explanation"]


async def test_a_retried_submission_with_the_same_key_is_one_contact(stack: Stack) -> None:
    submission = Submission(access_point="web-form", sender="+79161234567", idempotency_key="k1")
    first, created = await stack.dispatcher.submit(T, submission)
    again, created_again = await stack.dispatcher.submit(T, submission)
    await stack.dispatcher.settle()
    assert created
    assert not created_again
    assert again.contact.id == first.contact.id
    async with stack.store.transaction() as tx:
        assert len(await tx.contacts.search(T, ContactFilter())) == 1


async def test_an_unknown_access_point_is_refused_and_nothing_is_stored(stack: Stack) -> None:
    with pytest.raises(NotFoundError) as error:
        await stack.dispatcher.submit(T, Submission(access_point="nope", sender="+79161234567"))
    assert error.value.code == "access_point.not_found"
    with pytest.raises(ValidationError):
        await stack.dispatcher.submit(T, Submission(access_point="web-form", sender=" "))
    async with stack.store.transaction() as tx:
        assert await tx.contacts.search(T, ContactFilter()) == []


async def test_an_unreadable_number_is_kept_and_flagged(stack: Stack) -> None:
    contact = await stack.submit("call me maybe")
    live = await stack.contact(contact)
    assert live.contact.ani == "call me maybe"
    assert live.contact.state is S.QUEUED  # still served, without a customer
    assert live.handling.crm is CrmStatus.NOT_FOUND


async def test_an_offer_not_answered_goes_to_the_next_agent_and_keeps_its_place(
    stack: Stack,
) -> None:
    first = await stack.submit("+79161111111")
    stack.clock.advance(5)
    second = await stack.submit("+79162222222")
    await stack.ready("anna")
    assert stack.offered_to(first) == ANNA  # the longest waiting goes first
    stack.clock.advance(16)  # the ring timeout is 15 s
    await stack.dispatcher.tick()
    anna = stack.desk.agents[ANNA]
    assert (anna.state, anna.reason) == (AgentState.NOT_READY, "no_answer")
    assert await stack.state(first) is S.QUEUED
    await stack.ready("boris")
    assert stack.offered_to(first) == BORIS  # still ahead of the second contact
    assert stack.offered_to(second) is None
    declined = [e for e in stack.drain() if e.type == "offer.declined"]
    assert [(e.contact, e.data["reason"]) for e in declined] == [(first, "no_answer")]


async def test_a_rejected_offer_goes_to_someone_else(stack: Stack) -> None:
    await stack.ready("anna")
    contact = await stack.submit("+79161111111")
    await stack.desk.decline(ANNA, contact, "rejected")
    assert stack.desk.agents[ANNA].state is AgentState.NOT_READY
    await stack.ready("boris")
    assert stack.offered_to(contact) == BORIS
    with pytest.raises(ConflictError):
        await stack.desk.accept(ANNA, contact)


async def test_the_scenario_rejects_blacklisted_numbers_and_schedules_callbacks(
    stack: Stack,
) -> None:
    rejected = await stack.submit("+7 999 000-00-00")
    assert await stack.state(rejected) is S.REJECTED
    callback_contact = await stack.submit("+79161234567", point="cb-form")
    assert await stack.state(callback_contact) is S.CALLBACK_SCHEDULED
    async with stack.store.transaction() as tx:
        callbacks = await tx.callbacks.all(T, state=CallbackState.PENDING)
    assert [(c.number, c.queue, c.contact) for c in callbacks] == [
        ("+79161234567", QueueId("sales"), callback_contact)
    ]


async def test_menu_choices_come_from_collected_digits(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    support = await stack.submit("+79161111111", point="menu-form", digits={"main": "2"})
    assert (await stack.contact(support)).handling.queue == QueueId("support")
    assert stack.offered_to(support) == BORIS  # anna is not in support
    no_choice = await stack.submit("+79162222222", point="menu-form")
    assert (await stack.contact(no_choice)).handling.queue == QueueId("sales")


async def test_vip_customers_get_the_vip_queue_and_card(stack: Stack) -> None:
    await stack.crm.upsert(
        Customer(id=CustomerId("v"), tenant=T, name="Ms Big", vip=True, phones=("+79165550000",))
    )
    await stack.ready("anna", "vera")
    contact = await stack.submit("+79165550000")
    live = await stack.contact(contact)
    assert (live.handling.queue, live.handling.card) == (QueueId("vip"), "vip-card")
    assert stack.offered_to(contact) == VERA


class HangingCrm:
    """A CRM that never answers find(): enrichment must give up and route anyway."""

    def __init__(self, inner: BuiltinCrm) -> None:
        self.inner = inner

    async def find(self, tenant: object, identity: Identity) -> CustomerProfile | None:
        await asyncio.sleep(3600)
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_a_slow_crm_does_not_hold_routing(tmp_path: Path) -> None:
    store = await open_backend("memory", tmp_path)
    stack = await build(store)
    await stack.configuration.put(T, "settings", "desk", {"crm_timeout": "0.05s"}, "test")
    slow = await stack.restart(HangingCrm(stack.crm))  # type: ignore[arg-type]
    await slow.ready("anna")
    contact = await slow.submit("+79161234567")
    live = await slow.contact(contact)
    assert live.handling.crm is CrmStatus.UNAVAILABLE
    assert slow.offered_to(contact) == ANNA
    await slow.dispatcher.stop()


async def test_a_transfer_is_a_new_segment_of_the_same_contact(stack: Stack) -> None:
    await stack.crm.upsert(
        Customer(id=CustomerId("c1"), tenant=T, name="Known", phones=("+79161234567",))
    )
    await stack.ready("anna", "boris")
    contact = await stack.submit("+79161234567")
    await stack.desk.accept(ANNA, contact)
    await stack.desk.transfer(ANNA, contact, queue=QueueId("support"), note="billing question")
    assert stack.offered_to(contact) == BORIS
    assert stack.desk.agents[ANNA].state is AgentState.READY
    await stack.desk.accept(BORIS, contact)
    live = await stack.contact(contact)
    kinds = [(s.kind, s.queue, s.agent) for s in live.contact.segments]
    assert kinds == [
        (SegmentKind.INITIAL, QueueId("sales"), ANNA),
        (SegmentKind.TRANSFER, QueueId("support"), BORIS),
    ]
    assert live.contact.segments[0].ended_at is not None
    with pytest.raises(ValidationError):
        await stack.desk.transfer(BORIS, contact, to_agent=BORIS)


async def test_transfer_to_a_named_agent(stack: Stack) -> None:
    await stack.ready("anna", "vera")
    contact = await stack.submit("+79161234567")
    first = stack.offered_to(contact)
    assert first is not None
    other = VERA if first == ANNA else ANNA
    await stack.desk.accept(first, contact)
    await stack.desk.transfer(first, contact, to_agent=other)
    assert stack.offered_to(contact) == other


async def test_a_due_callback_is_offered_to_the_agent_who_booked_it(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    due = stack.clock.now() + timedelta(minutes=30)
    booked = Callback(
        id="cb1", tenant=T, number="+79161234567", due_at=due, created_at=stack.clock.now(),
        agent=ANNA, note="call back about the invoice",
    )  # fmt: skip
    await stack.desk.schedule_callback(booked)
    stack.clock.advance(29 * 60)
    await stack.dispatcher.tick()
    assert not stack.desk.offers
    stack.clock.advance(61)
    await stack.dispatcher.tick()
    [(contact, (agent, _))] = stack.desk.offers.items()
    assert agent == ANNA  # boris, ready too, takes no calls
    live = await stack.contact(contact)
    assert live.contact.channel_data["callback"] == "cb1"
    async with stack.store.transaction() as tx:
        stored = await tx.callbacks.get(T, "cb1")
    assert stored is not None
    assert stored.state is CallbackState.DONE


async def test_a_customer_who_leaves_the_queue_is_abandoned(stack: Stack) -> None:
    contact = await stack.submit("+79161234567")
    stack.clock.advance(40)
    live = await stack.desk.abandon(contact)
    assert live.contact.state is S.ABANDONED
    await stack.ready("anna")
    assert not stack.desk.offers
    with pytest.raises(ConflictError):
        await stack.desk.abandon(contact)


async def test_agent_states_need_reasons_and_follow_work(stack: Stack) -> None:
    with pytest.raises(ValidationError):
        await stack.desk.set_agent_state(ANNA, AgentState.NOT_READY)
    with pytest.raises(ValidationError):
        await stack.desk.set_agent_state(ANNA, AgentState.NOT_READY, "nap")
    with pytest.raises(ValidationError):
        await stack.desk.set_agent_state(ANNA, AgentState.BUSY)
    await stack.ready("anna")
    contact = await stack.submit("+79161234567")
    await stack.desk.accept(ANNA, contact)
    with pytest.raises(ConflictError):
        await stack.desk.set_agent_state(ANNA, AgentState.LOGGED_OUT)
    with pytest.raises(ValidationError):
        await stack.desk.wrap_up(ANNA, contact, "no-such-code")
    assert await stack.state(contact) is S.CONNECTED
    await stack.desk.set_agent_state(ANNA, AgentState.NOT_READY, "break")
    await stack.desk.wrap_up(ANNA, contact, "sale", close=True)
    assert stack.desk.agents[ANNA].state is AgentState.NOT_READY  # as asked, after the work


async def test_publishing_keeps_waiting_contacts_in_place(stack: Stack) -> None:
    first = await stack.submit("+79161111111")
    stack.clock.advance(1)
    second = await stack.submit("+79162222222")
    changed = SCENARIO.replace("version: 1", "version: 2").replace(
        "queue: {name: sales}\nmenus", "queue: {name: support}\nmenus"
    )
    version = await stack.scenarios.save(T, changed, "admin")
    publication = await stack.scenarios.publish(T, version.version, "admin")
    assert publication.waiting == 2
    assert "+    queue: {name: support}" in publication.diff
    third = await stack.submit("+79163333333")
    assert (await stack.contact(third)).handling.queue == QueueId("support")
    await stack.ready("anna")
    assert stack.offered_to(first) == ANNA
    assert stack.offered_to(second) is None


async def test_a_restart_rebuilds_the_queue_in_order_and_restores_agents(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    served = await stack.submit("+79160000001")
    await stack.desk.accept(stack.offered_to(served) or ANNA, served)
    ringing = await stack.submit("+79160000002")
    ringing_agent = stack.offered_to(ringing)
    assert ringing_agent is not None
    waiting = []
    for n in range(3):
        stack.clock.advance(1)
        waiting.append(await stack.submit(f"+7916000001{n}"))
    serving_agent = next(a for a in (ANNA, BORIS) if a != ringing_agent)

    after = await stack.restart()
    assert await after.state(served) is S.CONNECTED
    assert after.desk.agents[serving_agent].state is AgentState.BUSY
    # The offer died with the process: it went back to the head of the line and was
    # made again to the agent who is free.
    moves = [(e.data["old"], e.data["new"]) for e in after.drain()
             if e.contact == ringing and e.type == "contact.state_changed"]  # fmt: skip
    assert moves[-2:] == [("offered", "queued"), ("queued", "offered")]
    assert after.offered_to(ringing) == ringing_agent
    line = sorted(after.desk.state.waiting.values(), key=lambda w: w.sort_key)
    assert [w.contact for w in line] == waiting
    await after.desk.wrap_up(serving_agent, served, close=True)
    assert after.offered_to(waiting[0]) == serving_agent  # first in line, first served
    async with after.store.transaction() as tx:
        contacts = await tx.contacts.search(T, ContactFilter())
    assert len(contacts) == 5
    await after.dispatcher.stop()


async def test_contacts_arrived_before_a_crash_are_routed_on_restart(stack: Stack) -> None:
    live, _ = await stack.desk.submit(Submission(access_point="web-form", sender="+79161234567"))
    assert (await stack.contact(live.contact.id)).contact.state is S.ARRIVED
    after = await stack.restart()
    assert await after.state(live.contact.id) is S.QUEUED
    await after.dispatcher.stop()


async def test_unknown_ids_get_clear_errors(stack: Stack) -> None:
    with pytest.raises(NotFoundError):
        await stack.desk.set_agent_state(AgentId("ghost"), AgentState.READY)
    with pytest.raises(ConflictError):
        await stack.desk.accept(ANNA, ContactId("ghost"))
    with pytest.raises(NotFoundError):
        await stack.desk.transfer(ANNA, ContactId("c"), queue=QueueId("nope"))
    with pytest.raises(NotFoundError):
        stack.dispatcher.desk(T.__class__("nobody"))


async def test_a_consult_brings_in_a_second_agent_and_can_hand_the_contact_over(
    stack: Stack,
) -> None:
    await stack.ready("anna", "boris")
    contact = await stack.submit("+79161234567")
    first = stack.offered_to(contact)
    assert first is not None
    second = BORIS if first == ANNA else ANNA
    await stack.desk.accept(first, contact)
    await stack.desk.consult(first, contact, to_agent=second)
    assert stack.desk.offers[contact + "~consult"][0] == second  # type: ignore[index]
    with pytest.raises(ConflictError):
        await stack.desk.wrap_up(first, contact, close=True)  # not while consulting
    await stack.desk.accept(second, contact)
    live = await stack.contact(contact)
    assert live.contact.state is S.CONNECTED
    assert [(s.kind, s.agent, s.ended_at) for s in live.contact.segments][-1] == (
        SegmentKind.CONSULT,
        second,
        None,
    )
    assert stack.desk.agents[second].state is AgentState.BUSY

    handed = await stack.desk.end_consult(first, contact, hand_over=True)
    assert handed.handling.agent == second
    assert stack.desk.agents[first].state is AgentState.READY
    assert handed.contact.segments[0].ended_at is not None
    closed = await stack.desk.wrap_up(second, contact, "sale", close=True)
    assert closed.contact.state is S.CLOSED
    assert stack.desk.agents[second].state is AgentState.READY


async def test_a_consult_can_end_with_the_first_agent_keeping_the_contact(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    contact = await stack.submit("+79161234567")
    first = stack.offered_to(contact)
    assert first is not None
    second = BORIS if first == ANNA else ANNA
    await stack.desk.accept(first, contact)
    await stack.desk.consult(first, contact, queue=QueueId("sales"))
    await stack.desk.accept(second, contact)
    kept = await stack.desk.end_consult(first, contact, hand_over=False)
    assert kept.handling.agent == first
    assert stack.desk.agents[second].state is AgentState.READY
    assert kept.contact.segments[-1].ended_at is not None
    # A consult nobody answered is withdrawn.
    await stack.desk.set_agent_state(second, AgentState.NOT_READY, "break")
    await stack.desk.consult(first, contact, to_agent=second)
    withdrawn = await stack.desk.end_consult(first, contact, hand_over=True)
    assert withdrawn.handling.consult is None
    assert withdrawn.handling.agent == first
    with pytest.raises(ConflictError):
        await stack.desk.end_consult(first, contact, hand_over=True)


class FailingOnce:
    """A store whose next contact write fails, as a database error would mid-transaction."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.armed = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self.inner.transaction() as tx:
            if self.armed:
                self.armed = False
                original = tx.contacts.put

                async def broken(live: LiveContact) -> None:
                    await original(live)
                    raise OSError("disk I/O error")

                tx.contacts.put = broken  # type: ignore[method-assign]
            yield tx

    async def close(self) -> None:
        await self.inner.close()


async def test_a_failed_write_loses_nothing_and_the_desk_keeps_working(tmp_path: Path) -> None:
    flaky = FailingOnce(await open_backend("sqlite", tmp_path))
    stack = await build(flaky)
    await stack.ready("anna")
    contact = await stack.submit("+79161234567")
    flaky.armed = True
    with pytest.raises(OSError, match="disk I/O error"):
        await stack.desk.accept(ANNA, contact)
    # Rolled back: still offered to anna (the desk rebuilt itself and offered it again).
    assert await stack.state(contact) is S.OFFERED
    assert stack.offered_to(contact) == ANNA
    await stack.desk.accept(ANNA, contact)
    assert await stack.state(contact) is S.CONNECTED
    await stack.dispatcher.stop()
    await flaky.close()


async def test_concurrent_arrivals_and_agent_changes_keep_store_and_desk_in_step(
    stack: Stack,
) -> None:
    await stack.ready("anna", "boris", "vera")

    async def toggle(agent: str) -> None:
        for _ in range(3):
            await stack.desk.set_agent_state(AgentId(agent), AgentState.NOT_READY, "break")
            await stack.desk.set_agent_state(AgentId(agent), AgentState.READY)

    arrivals = [
        stack.dispatcher.submit(T, Submission(access_point="web-form", sender=f"+7916{n:07d}"))
        for n in range(30)
    ]
    await asyncio.gather(*arrivals, toggle("anna"), toggle("boris"))
    await stack.dispatcher.settle()
    async with stack.store.transaction() as tx:
        offered = await tx.contacts.search(T, ContactFilter(states=frozenset({S.OFFERED})))
        queued = await tx.contacts.search(T, ContactFilter(states=frozenset({S.QUEUED})))
    in_store = {live.contact.id: live.handling.agent for live in offered}
    assert in_store == {contact: agent for contact, (agent, _) in stack.desk.offers.items()}
    assert {live.contact.id for live in queued} == set(stack.desk.state.waiting)
    assert len(offered) + len(queued) == 30
