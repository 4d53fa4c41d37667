"""A call in progress on the desk: menus played live, the caller hanging up at any moment."""

from __future__ import annotations

import pytest

from frontdesk.domain.agents import AgentState
from frontdesk.domain.contacts import ContactState, IvrStep
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.services.intake import Submission
from tests.services.desk_support import Stack, T

S = ContactState
ANNA = AgentId("anna")


async def call(stack: Stack, sender: str = "+79161234567") -> ContactId:
    """A call stored by the voice channel: the desk does not route it on its own."""
    await stack.configuration.put(
        T, "access_points", "+74950000001", {"channel": "voice", "line": "menu"}, "test"
    )
    live, _ = await stack.desk.submit(Submission(access_point="+74950000001", sender=sender))
    return live.contact.id


async def test_a_live_call_hears_the_menu_and_its_key_decides(stack: Stack) -> None:
    contact = await call(stack)
    turn = await stack.desk.route(contact, live=True)
    assert turn is not None
    assert turn.menu is not None
    assert (turn.menu.name, turn.menu.prompt) == ("main", "press-1-or-2")
    assert await stack.state(contact) is S.ENRICHED  # waiting for the caller's key

    turn = await stack.desk.answer_menu(turn, "2")
    assert turn is not None
    assert turn.menu is None
    live = await stack.contact(contact)
    assert live.contact.state is S.QUEUED
    assert live.handling.queue == "support"
    assert live.contact.ivr_path == (IvrStep("main", "2", "chosen"),)
    assert live.contact.digits == {"main": "2"}


async def test_no_key_after_the_retries_takes_the_menus_fallback(stack: Stack) -> None:
    contact = await call(stack)
    turn = await stack.desk.route(contact, live=True)
    assert turn is not None
    await stack.desk.answer_menu(turn, None, "timeout")
    live = await stack.contact(contact)
    assert (live.contact.state, live.handling.queue) == (S.QUEUED, "sales")
    assert live.contact.ivr_path == (IvrStep("main", "", "timeout"),)


async def test_a_key_that_comes_after_the_hang_up_changes_nothing(stack: Stack) -> None:
    contact = await call(stack)
    turn = await stack.desk.route(contact, live=True)
    assert turn is not None
    await stack.desk.hang_up(contact)
    with pytest.raises(ConflictError) as refused:
        await stack.desk.answer_menu(turn, "1")
    assert refused.value.code == "contact.not_in_menu"
    live = await stack.contact(contact)
    assert (live.contact.state, live.contact.ivr_path, live.handling.queue) == (
        S.ABANDONED,
        (),
        None,
    )


async def test_a_blacklisted_caller_is_rejected_before_any_menu(stack: Stack) -> None:
    contact = await call(stack, "+79990000000")
    turn = await stack.desk.route(contact, live=True)
    assert turn is not None
    assert turn.menu is None
    assert turn.contact.contact.state is S.REJECTED


async def test_hanging_up_in_the_menu_or_in_line_abandons_the_contact(stack: Stack) -> None:
    in_menu = await call(stack)
    await stack.desk.route(in_menu, live=True)
    assert (await stack.desk.hang_up(in_menu)) is not None
    assert await stack.state(in_menu) is S.ABANDONED

    queued = await call(stack, "+79161111111")
    turn = await stack.desk.route(queued, live=True)
    assert turn is not None
    await stack.desk.answer_menu(turn, "1")
    await stack.desk.hang_up(queued)
    assert await stack.state(queued) is S.ABANDONED
    assert await stack.desk.hang_up(queued) is None  # over already


async def test_hanging_up_while_served_puts_the_agent_in_wrap_up(stack: Stack) -> None:
    await stack.ready("anna")
    contact = await call(stack)
    turn = await stack.desk.route(contact, live=True)
    assert turn is not None
    await stack.desk.answer_menu(turn, "1")
    assert stack.offered_to(contact) == ANNA
    await stack.desk.accept(ANNA, contact)
    await stack.desk.hang_up(contact)
    assert await stack.state(contact) is S.WRAP_UP
    assert stack.desk.agents[ANNA].state is AgentState.WRAP_UP
