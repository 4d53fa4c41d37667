"""Calls end to end: sipp callers through Kamailio to the B2BUA, media in rtpengine, the
contact through the desk. Nothing is faked: every SIP message and RTP packet is real."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from frontdesk.channels.voice.calls import Call
from frontdesk.channels.voice.center import CallCenter
from frontdesk.channels.voice.media import placeholder_sdp
from frontdesk.channels.voice.prompts import PromptLibrary
from frontdesk.channels.voice.sip import SipStack
from frontdesk.channels.voice.sip_process import PRIORITY_BOOST
from frontdesk.domain.contacts import ContactState, IvrStep
from frontdesk.domain.ids import ContactId
from tests.channels.voice.callers import Listen, Press
from tests.channels.voice.capture import capture, heard
from tests.channels.voice.ports import free_media_port, free_port
from tests.channels.voice.sipp import Sipp, uac_rejected
from tests.channels.voice.stack import (
    BLACKLISTED,
    CONTRACT,
    NUMBER,
    OPEN,
    VIP_NUMBER,
    T,
    VoiceStack,
    moscow,
    start_stack,
    stop_stack,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
S = ContactState
#: A number that is no tenant's access point.
GONE = "+74950000099"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[VoiceStack]:
    started = await start_stack(Path(tmp_path_factory.mktemp("voice")))
    yield started
    await stop_stack(started)


async def test_an_unknown_number_is_refused_with_404_and_nothing_is_stored(
    stack: VoiceStack,
) -> None:
    before = len(await stack.contacts())
    result = await stack.call([Listen(500)], dnis=GONE)
    assert result.code != 0
    assert "SIP/2.0 404 Not Found" in result.log
    assert len(await stack.contacts()) == before


async def test_a_blacklisted_caller_hears_the_announcement_and_is_hung_up_on(
    stack: VoiceStack,
) -> None:
    result = await stack.call([], ani=BLACKLISTED, hang_up=False)
    assert result.code == 0, result.log  # answered, then our BYE
    live = await stack.last(BLACKLISTED)
    assert live.contact.state is S.REJECTED
    assert live.handling.rule == "blacklist"


async def test_a_menu_choice_queues_the_caller_and_hanging_up_abandons_with_the_wait(
    stack: VoiceStack,
) -> None:
    caller = "+79160000002"
    result = await stack.call([Listen(1500), Press("2"), Listen(2000)], ani=caller)
    assert result.code == 0, result.log
    live = await stack.last(caller)
    assert live.handling.greeting == "welcome"
    assert live.contact.ivr_path == (IvrStep("main", "2", "chosen"),)
    assert live.handling.queue == "support"
    await stack.wait_for(
        lambda: _is(stack, live.contact.id, S.ABANDONED), what="the contact abandoned"
    )
    left = (await stack.last(caller)).handling.closed_at
    queued = live.contact.segments[-1].started_at
    assert left is not None
    assert 1.5 <= (left - queued).total_seconds() <= 6  # the wait in line is kept


async def _is(stack: VoiceStack, contact: ContactId, state: ContactState) -> bool:
    return await stack.state(contact) is state


async def test_a_vip_skips_the_menu_and_waits_in_the_vip_line(stack: VoiceStack) -> None:
    result = await stack.call([Listen(1500)], ani=VIP_NUMBER)
    assert result.code == 0, result.log
    live = await stack.last(VIP_NUMBER)
    assert live.handling.rule == "vip"
    assert live.handling.queue == "vip"
    assert live.contact.ivr_path == ()


async def test_after_hours_the_night_greeting_plays_and_a_callback_is_left(
    stack: VoiceStack,
) -> None:
    stack.clock.move_to(moscow(23, 30))
    try:
        caller = "+79160000003"
        result = await stack.call([], ani=caller, hang_up=False)
        assert result.code == 0, result.log
        live = await stack.last(caller)
        assert live.handling.greeting == "we-are-closed"
        assert live.contact.state is S.CALLBACK_SCHEDULED
    finally:
        stack.clock.move_to(OPEN)


MALFORMED = [
    b"\x00\xff\xfe garbage that is no SIP at all, long enough to be parsed" * 3,
    b"INVITE sip:+74951230000@127.0.0.1 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n",  # cut off
    b"INVITE sip:+74951230000@127.0.0.1 SIP/2.0\r\n" + b"X-Huge: " + b"a" * 60000 + b"\r\n\r\n",
    "OPTIONS sip:ü@127.0.0.1 SIP/2.0\r\nVia: broken\r\nCSeq: x\r\n\r\n".encode("latin-1"),
]


async def test_malformed_sip_gets_no_answer_or_an_error_and_calls_go_on(
    stack: VoiceStack,
) -> None:
    for target in (stack.sip, (stack.settings.host, stack.settings.b2bua_port)):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for datagram in MALFORMED:
                sender.sendto(datagram, target)
    caller = "+79160000004"
    result = await stack.call([Listen(1000), Press("1"), Listen(500)], ani=caller)
    assert result.code == 0, result.log
    assert (await stack.last(caller)).contact.ivr_path == (IvrStep("main", "1", "chosen"),)


def _invite_again(b2bua: tuple[str, int], call_id: str) -> str:
    """An INVITE with ``call_id`` from a new dialog (another From tag and branch), as a
    looping or forking proxy would send it; the B2BUA's answer's status line."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.bind(("127.0.0.1", 0))
        sender.settimeout(5)
        host, port = sender.getsockname()
        sdp = placeholder_sdp(host)
        sender.sendto(
            (
                f"INVITE sip:{NUMBER}@{b2bua[0]}:{b2bua[1]} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK-again-1\r\n"
                "Max-Forwards: 70\r\n"
                f"From: <sip:+79160000023@{host}>;tag=again-1\r\n"
                f"To: <sip:{NUMBER}@{b2bua[0]}>\r\n"
                f"Call-ID: {call_id}\r\n"
                "CSeq: 1 INVITE\r\n"
                f"Contact: <sip:+79160000023@{host}:{port}>\r\n"
                "Content-Type: application/sdp\r\n"
                f"Content-Length: {len(sdp)}\r\n\r\n{sdp}"
            ).encode(),
            b2bua,
        )
        while True:
            status = sender.recv(65535).decode(errors="replace").split("\r\n", 1)[0]
            if not status.startswith("SIP/2.0 1"):  # past 100 Trying
                return status


async def test_a_second_invite_of_a_call_in_progress_is_refused_with_482(
    stack: VoiceStack,
) -> None:
    caller = "+79160000024"
    waiting = asyncio.ensure_future(
        stack.call([Listen(1500), Press("2"), Listen(2000)], ani=caller)
    )
    await stack.wait_for(lambda: _in_line(stack, caller), what="the caller in line")
    [call_id] = [
        key for key, call in stack.voice.center.by_call_id.items() if call.invite.ani == caller
    ]
    b2bua = (stack.settings.host, stack.settings.b2bua_port)
    assert await asyncio.to_thread(_invite_again, b2bua, call_id) == "SIP/2.0 482 Loop Detected"
    result = await waiting  # the call itself went on as if nothing had come
    assert result.code == 0, result.log
    [contact] = await stack.contacts(caller)
    assert contact.contact.ivr_path == (IvrStep("main", "2", "chosen"),)


async def test_media_anchored_for_a_number_gone_meanwhile_is_released(
    stack: VoiceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SIP process took a call to a number the service no longer has (it was told
    before the number went) and anchored its media: the caller is refused, nothing is
    stored, rtpengine keeps nothing, and the SIP process is told its numbers again."""
    sip, center = stack.voice.sip, stack.voice.center
    assert sip is not None

    async def no_look() -> None:  # the watch would delete it too, as a stray, later
        pass

    monkeypatch.setattr(center, "check_media", no_look)
    sent = _recorded(sip, monkeypatch)
    before = len(await stack.contacts())
    sip.send(("numbers", center.voice_numbers() | {GONE}))
    result = await stack.call([Listen(1000)], dnis=GONE)
    assert "SIP/2.0 404 Not Found" in result.log or "BYE sip:" in result.log, result.log
    [call_id] = {line.split(":", 1)[1].strip() for line in result.log.splitlines()
                 if line.lower().startswith("call-id:")}  # fmt: skip
    await stack.wait_for(lambda: _released(stack, call_id), what="the anchored media released")
    assert len(await stack.contacts()) == before
    assert sent[-1] == ("numbers", center.voice_numbers())
    assert GONE not in center.voice_numbers()


async def test_a_number_the_sip_process_was_not_told_is_answered_all_the_same(
    stack: VoiceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbers reach the SIP process a moment after the desk has them (or come spelt
    otherwise): such a call is answered through the service, and the numbers are sent
    again."""
    sip = stack.voice.sip
    assert sip is not None
    sent = _recorded(sip, monkeypatch)
    sip.send(("numbers", frozenset()))
    caller = "+79160000027"
    result = await stack.call([Listen(1000), Press("2"), Listen(300)], ani=caller)
    assert result.code == 0, result.log
    [contact] = await stack.contacts(caller)
    assert contact.contact.ivr_path == (IvrStep("main", "2", "chosen"),)
    told = [message[1] for message in sent if message[0] == "numbers"]
    assert NUMBER in told[-1]


def _recorded(sip: SipStack, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The commands the service sends the SIP process from now on (they still go)."""
    sent: list[tuple[Any, ...]] = []
    send = sip.send

    def recorded(message: tuple[Any, ...]) -> None:
        sent.append(message)
        send(message)

    monkeypatch.setattr(sip, "send", recorded)
    return sent


async def test_while_the_service_is_behind_new_calls_are_refused_with_503(
    stack: VoiceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service has not taken a call for over a second (its loop stalled): the SIP
    process refuses new callers with 503 and a Retry-After (Kamailio passes it on as 500,
    RFC 3261 16.7), nothing is stored; once the service catches up, calls are taken
    again."""
    sip = stack.voice.sip
    assert sip is not None
    held: list[tuple[Any, ...]] = []
    send = sip.send

    def stalled(message: tuple[Any, ...]) -> None:  # as if the loop never got to them
        if message[0] == "taken":
            held.append(message)
        else:
            send(message)

    monkeypatch.setattr(sip, "send", stalled)
    first = await stack.call([Listen(1500), Press("1"), Listen(300)], ani="+79160000030")
    assert first.code == 0, first.log  # taken before the service fell behind
    assert held
    before = len(await stack.contacts())
    refused = await stack.call([Listen(500)], ani="+79160000031")
    assert "SIP/2.0 500 Service Unavailable" in refused.log, refused.log
    b2bua = (stack.settings.host, stack.settings.b2bua_port)
    direct = await stack.call([Listen(500)], ani="+79160000031", to=b2bua)
    assert "SIP/2.0 503 Service Unavailable" in direct.log, direct.log
    assert "retry-after: 5" in direct.log.lower()  # header names are case-insensitive
    assert len(await stack.contacts()) == before
    monkeypatch.undo()
    for message in held:  # the loop catches up
        sip.send(message)
    result = await stack.call([Listen(1000), Press("1"), Listen(300)], ani="+79160000032")
    assert result.code == 0, result.log


async def test_the_sip_process_runs_at_a_higher_priority_when_it_may(
    stack: VoiceStack,
) -> None:
    """Callers' 200 OKs wait less for a core than the desk's work: the SIP process asks
    for a priority above the service's, which root (CI) may grant and others may not."""
    sip = stack.voice.sip
    assert sip is not None
    assert sip.pid is not None
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    theirs = os.getpriority(os.PRIO_PROCESS, sip.pid)
    if os.geteuid() == 0:
        assert theirs == max(ours - PRIORITY_BOOST, -20)
    else:
        assert theirs == ours


async def test_the_sip_process_dying_ends_its_calls_and_a_new_one_takes_calls(
    stack: VoiceStack,
) -> None:
    sip = stack.voice.sip
    assert sip is not None
    assert sip.pid is not None
    caller = "+79160000028"
    waiting = asyncio.ensure_future(
        stack.call([Listen(1500), Press("2"), Listen(20000)], ani=caller, hang_up=False)
    )
    await stack.wait_for(lambda: _in_line(stack, caller), what="the caller in line")
    dead = sip.pid
    os.kill(dead, signal.SIGKILL)
    contact = (await stack.last(caller)).contact.id
    await stack.wait_for(lambda: _is(stack, contact, S.ABANDONED), what="the contact ended")
    await stack.wait_for(lambda: _none_left(stack), what="the call gone from the voice channel")
    await stack.wait_for(lambda: sip.running and sip.pid != dead, what="a new SIP process")
    waiting.cancel()  # its BYE died with the process: sipp would wait on
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    result = await stack.call([Listen(1000), Press("1"), Listen(500)], ani="+79160000029")
    assert result.code == 0, result.log


async def _rtpengine_calls(stack: VoiceStack) -> set[str]:
    reply = await stack.voice.ng.command("list", {"limit": 1000})
    listed = reply.get("calls")
    return {str(call) for call in listed} if isinstance(listed, list) else set()


async def _released(stack: VoiceStack, call_id: str) -> bool:
    return call_id not in await _rtpengine_calls(stack)


async def test_an_offer_without_usable_audio_is_refused_with_488(stack: VoiceStack) -> None:
    sipp = Sipp(
        uac_rejected(f"sip:{NUMBER}@{stack.sip[0]}:{stack.sip[1]}", 488).replace(
            "m=audio [media_port] RTP/AVP 0 8", "m=audio no-port RTP/AVP 0 8"
        ),
        work_dir=stack.folder / "no-audio", local_port=free_port(), remote=stack.sip,
    )  # fmt: skip
    result = await sipp.run()
    assert 488 in result.statuses(), result.describe()


async def test_rtpengine_restarting_ends_its_calls_and_new_calls_work(
    stack: VoiceStack,
) -> None:
    caller = "+79160000005"
    waiting = asyncio.ensure_future(
        stack.call([Listen(1500), Press("2"), Listen(500)], ani=caller, hang_up=False)
    )
    await stack.wait_for(lambda: _in_line(stack, caller), what="the caller in line")
    await stack.voice.rtpengine.restart()
    assert (await waiting).code == 0  # the call was ended for the caller (our BYE)
    contact = (await stack.last(caller)).contact.id
    await stack.wait_for(lambda: _is(stack, contact, S.ABANDONED), what="the contact ended")
    assert not stack.voice.center.by_call_id  # nothing left of the call
    after = await stack.call([Listen(1000), Press("1"), Listen(500)], ani="+79160000006")
    assert after.code == 0, after.log


async def test_a_call_that_ended_is_freed_without_the_cyclic_collector(
    stack: VoiceStack,
) -> None:
    """A full collection stops every call's next step: calls must not pile up for it."""
    caller = "+79160000025"
    gc.collect()
    gc.disable()
    try:
        result = await stack.call([Listen(1000), Press("2"), Listen(300)], ani=caller)
        assert result.code == 0, result.log
        contact = (await stack.last(caller)).contact.id
        await stack.wait_for(lambda: _is(stack, contact, S.ABANDONED), what="the call over")
        await stack.wait_for(lambda: _none_left(stack), what="the call gone from the voice channel")
        assert not [o for o in gc.get_objects() if isinstance(o, Call)]
    finally:
        gc.enable()


async def _none_left(stack: VoiceStack) -> bool:
    center = stack.voice.center
    return not center.by_call_id and not center.calls and not center.tasks


async def test_a_caller_waiting_in_line_hears_their_place(stack: VoiceStack) -> None:
    media = free_media_port()
    async with capture(media, stack.folder / "waiting.pcap") as pcap:
        result = await stack.call(
            [Listen(1500), Press("2"), Listen(5000)], ani="+79160000007", media_port=media
        )
    assert result.code == 0, result.log
    told = PromptLibrary(stack.folder / "expected").render("place", "You are next in line.", "en")
    assert heard(pcap, told) > 0.9


async def test_the_blacklist_announcement_is_what_the_caller_hears(stack: VoiceStack) -> None:
    media = free_media_port()
    async with capture(media, stack.folder / "rejected.pcap") as pcap:
        result = await stack.call([], ani=BLACKLISTED, hang_up=False, media_port=media)
    assert result.code == 0, result.log
    said = PromptLibrary(stack.folder / "expected").render(
        "sorry", "sorry we cannot take your call", "en"
    )
    assert heard(pcap, said) > 0.9


async def test_a_contract_number_keyed_in_identifies_the_caller(stack: VoiceStack) -> None:
    caller = "+79160000008"
    keys = [Press(digit) for digit in CONTRACT]
    result = await stack.call([Listen(1000), Press("4"), Listen(500), *keys, Listen(1500)],
                              ani=caller)  # fmt: skip
    assert result.code == 0, result.log
    live = await stack.last(caller)
    assert live.contact.customer == "holder-1"  # a stranger's number, a known contract
    assert live.contact.ivr_path == (
        IvrStep("main", "4", "chosen"),
        IvrStep("contract", CONTRACT, "self_service_ok"),
    )
    assert live.contact.digits["contract"] == CONTRACT
    assert live.handling.queue == "support"  # the menu's then


async def test_an_unknown_contract_number_is_asked_again_then_the_menu_gives_up(
    stack: VoiceStack,
) -> None:
    caller = "+79160000009"
    # (distinct digits: sipp replays one capture per key, and rtpengine takes a repeated
    # key with the very same RTP timestamp for a retransmission)
    wrong = [Press(digit) for digit in "654321"]
    result = await stack.call(
        [Listen(1000), Press("4"), Listen(500), *wrong, Listen(4000), *wrong, Listen(2500)],
        ani=caller,
    )
    assert result.code == 0, result.log
    live = await stack.last(caller)
    assert live.contact.customer is None
    assert live.contact.ivr_path[-1] == IvrStep("contract", "", "self_service_failed")
    assert live.handling.queue == "sales"  # the menu's on_fail


async def test_a_daemon_that_dies_is_started_again_and_calls_go_on(stack: VoiceStack) -> None:
    process = stack.voice.kamailio.daemon.process
    assert process is not None
    process.kill()  # Kamailio crashes
    await process.wait()

    def restarted() -> bool:
        current = stack.voice.kamailio.daemon.process
        return current is not None and current is not process and stack.voice.kamailio.running

    await stack.wait_for(restarted, what="Kamailio started again")
    await stack.wait_for(lambda: _group_gone(process.pid),
                         what="the dead Kamailio's workers ended")  # fmt: skip
    result = await stack.call([Listen(1000), Press("1"), Listen(500)], ani="+79160000010")
    assert result.code == 0, result.log


async def _in_line(stack: VoiceStack, caller: str) -> bool:
    calls = await stack.contacts(caller)
    return bool(calls) and calls[0].contact.state is S.QUEUED


def _group_gone(group: int) -> bool:
    """Whether no process of the process group is left (Kamailio's workers outlive a
    main process that was killed, and would go on answering on its port)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_call_rtpengine_keeps_after_ours_ended_is_deleted(stack: VoiceStack) -> None:
    """A delete lost in an overload leaves rtpengine a call (ports, maybe music) that no
    call of ours has: the watch deletes it."""
    await _stray(stack, "stray-1")

    async def gone() -> bool:
        return "stray-1" not in await _rtpengine_calls(stack)

    await stack.wait_for(gone, timeout=5, what="the stray call deleted")


async def test_a_call_just_anchored_is_not_taken_for_a_stray_at_the_first_look(
    stack: VoiceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SIP process anchors a caller before the service hears of the call: one look
    that finds rtpengine's call without one of ours must not delete it; the next does."""
    center = stack.voice.center

    async def no_look() -> None:  # the watch's own looks stay out of the count
        pass

    monkeypatch.setattr(center, "check_media", no_look)
    await _stray(stack, "stray-2")
    await CallCenter.check_media(center)
    await asyncio.sleep(0.2)  # a delete would have reached rtpengine by now
    assert "stray-2" in await _rtpengine_calls(stack)
    await CallCenter.check_media(center)

    async def gone() -> bool:
        return "stray-2" not in await _rtpengine_calls(stack)

    await stack.wait_for(gone, timeout=5, what="the stray call deleted")


async def _stray(stack: VoiceStack, call_id: str) -> None:
    """A call in rtpengine that no call of ours has."""
    await stack.voice.ng.command("offer", {
        "call-id": call_id, "from-tag": "x",
        "sdp": placeholder_sdp("127.0.0.1").replace(" 9 ", f" {free_port()} "),
    })  # fmt: skip


async def test_the_channel_follows_the_desk_again_after_falling_behind(
    stack: VoiceStack,
) -> None:
    bus = stack.frontdesk.bus
    before = set(bus.subscriptions)
    for subscription in before:  # the bus drops a reader that fell too far behind
        subscription.lagged = True
        subscription.close()
    await stack.wait_for(lambda: bool(bus.subscriptions - before), what="a new subscription")
    caller = "+79160000022"
    waiting = asyncio.ensure_future(
        stack.call([Listen(1500), Press("2"), Listen(20000)], ani=caller, hang_up=False)
    )
    await stack.wait_for(lambda: _in_line(stack, caller), what="the caller in line")
    contact = (await stack.last(caller)).contact.id
    await stack.frontdesk.dispatcher.desk(T).abandon(contact)  # ended on the desk ...
    assert (await waiting).code == 0  # ... ends the call: the desk's event reached it
