"""The contact state machine and segments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.contacts import FINAL_STATES, TRANSITIONS, Contact, ContactState, SegmentKind
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import ContactId, QueueId, TenantId

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
S = ContactState


def contact(channel: Channel = Channel.VOICE) -> Contact:
    return Contact(ContactId("c1"), TenantId("t"), channel, "+74951234567", "+74950000000", T0)


def test_a_call_goes_the_whole_happy_path() -> None:
    c = contact()
    for state in (S.ENRICHED, S.QUEUED, S.OFFERED, S.CONNECTED, S.WRAP_UP, S.CLOSED):
        c = c.moved_to(state, T0)
    assert c.state is S.CLOSED
    assert c.is_final


def test_an_unanswered_offer_goes_back_to_the_queue() -> None:
    c = contact().moved_to(S.ENRICHED, T0).moved_to(S.QUEUED, T0).moved_to(S.OFFERED, T0)
    assert c.moved_to(S.QUEUED, T0).state is S.QUEUED


def test_a_forbidden_move_names_both_states_and_keeps_the_contact() -> None:
    c = contact()
    with pytest.raises(ConflictError) as raised:
        c.moved_to(S.CONNECTED, T0)
    assert raised.value.code == "contact.invalid_transition"
    assert "arrived" in str(raised.value)
    assert "connected" in str(raised.value)
    assert c.state is S.ARRIVED


def test_every_state_is_reachable_from_arrival_and_every_path_ends() -> None:
    seen = {S.ARRIVED}
    frontier = [S.ARRIVED]
    while frontier:
        for nxt in TRANSITIONS.get(frontier.pop(), frozenset()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(ContactState)
    assert {S.CLOSED} == FINAL_STATES


def test_a_transfer_opens_a_new_segment_and_closes_the_old_one() -> None:
    c = contact().with_segment(SegmentKind.INITIAL, T0, QueueId("sales"))
    later = T0 + timedelta(minutes=3)
    c = c.with_segment(SegmentKind.TRANSFER, later, QueueId("billing"))
    first, second = c.segments
    assert first.ended_at == later
    assert (second.index, second.kind, second.queue, second.ended_at) == (
        1, SegmentKind.TRANSFER, "billing", None,
    )  # fmt: skip


def test_media_follows_the_channel() -> None:
    assert contact(Channel.CALLBACK).media is Media.CALL
    assert contact(Channel.MESSENGER).media is Media.CHAT
    assert contact(Channel.EMAIL).media is Media.EMAIL
