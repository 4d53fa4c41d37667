"""Agents' phones: baresip softphones registered with Kamailio answer, refuse or ignore the
calls the desk offers them; the caller hears the agent and the agent the caller."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import AsyncIterator, Mapping
from functools import partial
from pathlib import Path

import pytest
import pytest_asyncio

from frontdesk.channels.voice.prompts import PromptLibrary
from frontdesk.channels.voice.recordings import pcap_to_wav
from frontdesk.domain.agents import AgentState
from frontdesk.domain.callbacks import Callback
from frontdesk.domain.contacts import ContactState, SegmentKind
from frontdesk.domain.ids import AgentId, ContactId, QueueId
from tests.channels.voice.audio import as_pcm16, best_match, read_wav
from tests.channels.voice.baresip import Baresip
from tests.channels.voice.callers import PCAPS, CallResult, Listen, Press, Talk
from tests.channels.voice.capture import capture, heard
from tests.channels.voice.ports import free_media_port
from tests.channels.voice.sipp import Sipp, uas_answer
from tests.channels.voice.stack import AGENTS, VIP_NUMBER, T, VoiceStack, start_stack, stop_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
S = ContactState


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[VoiceStack]:
    started = await start_stack(Path(tmp_path_factory.mktemp("agents")))
    yield started
    await stop_stack(started)


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def quiet(stack: VoiceStack) -> AsyncIterator[None]:
    """After each test: phones off, every agent's contact finished, every agent on a break."""
    yield
    for phone in stack.phones:
        await phone.stop()
    stack.phones.clear()
    desk = stack.frontdesk.dispatcher.desk(T)
    for agent in AGENTS:
        await stack.wait_for(partial(free, stack, agent), what=f"{agent} free")
        for live in await stack.contacts():
            if live.contact.state is S.WRAP_UP and live.handling.agent == agent:
                await desk.wrap_up(AgentId(agent), live.contact.id, close=True)
        await stack.away(agent)


async def customer_phone(stack: VoiceStack, name: str) -> Sipp:
    """A customer's phone behind the trunk: answers one call, talks until hung up on."""
    assert stack.settings.trunk is not None
    customer = Sipp(
        uas_answer(), work_dir=stack.folder / name, local_port=stack.settings.trunk[1],
        media_port=free_media_port(), rtp_echo=True, timeout=30,
    )  # fmt: skip
    await customer.start()
    return customer


def free(stack: VoiceStack, agent: str) -> bool:
    return stack.agent_state(agent) not in (AgentState.BUSY, AgentState.RESERVED)


async def served_by(stack: VoiceStack, ani: str, agent: str) -> ContactId:
    """The contact of the call from ``ani``, once ``agent`` is talking to the caller."""
    found: list[ContactId] = []

    async def connected() -> bool:
        calls = await stack.contacts(ani)
        if calls and calls[0].contact.state is S.CONNECTED and calls[0].handling.agent == agent:
            found.append(calls[0].contact.id)
            return True
        return False

    await stack.wait_for(connected, what=f"the call from {ani} connected to {agent}")
    return found[0]


async def test_an_offer_rings_the_agents_phone_and_answering_connects_the_caller(
    stack: VoiceStack,
) -> None:
    phone = await stack.phone("anna")
    await stack.ready("anna")
    caller = "+79160000011"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("1"), Talk(4000)], ani=caller))
    contact = await served_by(stack, caller, "anna")
    established = await phone.wait_for("CALL_ESTABLISHED", timeout=10)
    assert caller.lstrip("+") in established.peer or caller in established.peer
    result = await task
    assert result.code == 0, result.log
    await stack.wait_for(lambda: _state_is(stack, contact, S.WRAP_UP), what="wrap-up")
    assert stack.agent_state("anna") is AgentState.WRAP_UP
    await phone.wait_for("CALL_CLOSED", timeout=5)


async def _state_is(stack: VoiceStack, contact: ContactId, state: ContactState) -> bool:
    return await stack.state(contact) is state


async def test_a_phone_left_ringing_is_cancelled_and_the_next_agent_gets_the_call(
    stack: VoiceStack,
) -> None:
    silent = await stack.phone("boris", auto_answer=False)
    await stack.phone("anna")
    await stack.ready("boris")
    caller = "+79160000012"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("2"), Listen(12000)], ani=caller))
    await silent.wait_for("CALL_INCOMING", timeout=10)
    await stack.ready("anna")  # free now, but the call rings at Boris's for its ring time
    contact = await served_by(stack, caller, "anna")
    await silent.wait_for("CALL_CLOSED", timeout=5)  # the ringing stopped
    assert stack.agent_state("boris") is AgentState.NOT_READY
    events = await stack.events(contact)
    declined = [e for e in events if e.type == "offer.declined"]
    assert [(e.agent, e.data["reason"]) for e in declined] == [("boris", "no_answer")]
    assert (await task).code == 0


async def test_an_agent_without_a_registered_phone_is_skipped(stack: VoiceStack) -> None:
    await stack.phone("anna")
    await stack.ready("boris")  # no phone registered for Boris
    caller = "+79160000013"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("1"), Listen(4000)], ani=caller))
    await stack.wait_for(lambda: stack.agent_state("boris") is AgentState.NOT_READY,
                         what="Boris set not ready")  # fmt: skip
    await stack.ready("anna")
    contact = await served_by(stack, caller, "anna")
    events = await stack.events(contact)
    assert [e.data["reason"] for e in events if e.type == "offer.declined"] == ["unreachable"]
    assert stack.frontdesk.dispatcher.desk(T).agents[AgentId("boris")].reason == "unreachable"
    assert (await task).code == 0


async def test_hanging_up_while_the_phone_rings_abandons_and_frees_the_agent(
    stack: VoiceStack,
) -> None:
    silent = await stack.phone("boris", auto_answer=False)
    await stack.ready("boris")
    caller = "+79160000014"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("1"), Listen(1500)], ani=caller))
    await silent.wait_for("CALL_INCOMING", timeout=10)
    assert (await task).code == 0  # the caller hung up while Boris's phone rang
    await silent.wait_for("CALL_CLOSED", timeout=5)
    live = await stack.last(caller)
    await stack.wait_for(lambda: _state_is(stack, live.contact.id, S.ABANDONED),
                         what="abandoned")  # fmt: skip
    assert stack.agent_state("boris") is AgentState.READY


async def test_the_caller_hears_music_while_the_agents_phone_rings(stack: VoiceStack) -> None:
    silent = await stack.phone("boris", auto_answer=False)
    await stack.ready("boris")
    media = free_media_port()
    async with capture(media, stack.folder / "ringing.pcap") as pcap:
        task = asyncio.ensure_future(
            stack.call([Listen(1500), Press("1"), Listen(4000)], ani="+79160000016",
                       media_port=media)
        )  # fmt: skip
        await silent.wait_for("CALL_INCOMING", timeout=10)
        assert (await task).code == 0
    assert heard(pcap, stack.voice.center.music) > 0.9


async def test_a_caller_put_through_at_once_gets_no_music_started(
    stack: VoiceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent on auto-answer takes the call within the grace: rtpengine is never asked
    to play the music (its costliest command), and the caller talks to the agent."""
    played: list[object] = []
    command = stack.voice.ng.command

    async def recorded(name: str, params: Mapping[str, object] | None = None,
                       **more: float) -> dict[str, object]:  # fmt: skip
        if name == "play media" and params is not None:
            played.append(params["file"])
        return await command(name, params, **more)

    monkeypatch.setattr(stack.voice.ng, "command", recorded)
    await stack.phone("anna")  # answers at once
    await stack.ready("anna")
    caller = "+79160000017"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("1"), Talk(3000)], ani=caller))
    await served_by(stack, caller, "anna")
    assert (await task).code == 0
    assert played  # the menu was played
    assert str(stack.voice.center.music) not in played


async def test_the_agent_hanging_up_ends_the_call_for_the_caller(stack: VoiceStack) -> None:
    phone = await stack.phone("anna")
    await stack.ready("anna")
    caller = "+79160000015"
    task = asyncio.ensure_future(stack.call([Listen(1500), Press("1")], ani=caller, hang_up=False))
    contact = await served_by(stack, caller, "anna")
    await phone.wait_for("CALL_ESTABLISHED", timeout=5)
    await asyncio.sleep(1)  # a word with the caller (who waits for the end of the call)
    await phone.hangup()
    assert (await task).code == 0  # the caller got our BYE
    await stack.wait_for(lambda: _state_is(stack, contact, S.WRAP_UP), what="wrap-up")


async def with_anna_and_boris(
    stack: VoiceStack, caller: str, seconds: int
) -> tuple[Baresip, Baresip, asyncio.Future[CallResult], ContactId]:
    """A call from ``caller`` (on the line ``seconds`` after the menu) that Anna answered,
    with Boris's phone registered and Boris ready: the start of a transfer or a consult."""
    first = await stack.phone("anna")
    second = await stack.phone("boris")
    await stack.ready("anna")
    task = asyncio.ensure_future(
        stack.call([Listen(1500), Press("1"), Listen(seconds * 1000)], ani=caller)
    )
    contact = await served_by(stack, caller, "anna")
    await first.wait_for("CALL_ESTABLISHED", timeout=5)
    await stack.ready("boris")
    return first, second, task, contact


async def test_a_transfer_takes_the_caller_to_the_next_agent_in_one_contact(
    stack: VoiceStack,
) -> None:
    caller = "+79160000016"
    first, second, task, contact = await with_anna_and_boris(stack, caller, 9)
    desk = stack.frontdesk.dispatcher.desk(T)
    await desk.transfer(AgentId("anna"), contact, queue=QueueId("support"))
    await first.wait_for("CALL_CLOSED", timeout=5)
    assert await served_by(stack, caller, "boris") == contact
    await second.wait_for("CALL_ESTABLISHED", timeout=5)
    assert (await task).code == 0
    live = await stack.last(caller)
    assert [(s.kind, s.agent) for s in live.contact.segments] == [
        (SegmentKind.INITIAL, "anna"),
        (SegmentKind.TRANSFER, "boris"),
    ]


async def test_a_recorded_call_holds_what_each_side_said(stack: VoiceStack) -> None:
    speech = as_pcm16(PromptLibrary(stack.folder / "speech").render(
        "agent-voice", "Good afternoon, this is Vera. How can I help you today?", "en"
    ), stack.folder / "vera.wav")  # fmt: skip
    phone = await stack.phone("vera", audio=speech)
    await stack.ready("vera")
    task = asyncio.ensure_future(stack.call([Listen(500), Talk(7000)], ani=VIP_NUMBER))
    contact = await served_by(stack, VIP_NUMBER, "vera")
    await phone.wait_for("CALL_ESTABLISHED", timeout=5)
    assert (await task).code == 0

    async def recorded() -> bool:
        return (await stack.last(VIP_NUMBER)).handling.recording is not None

    await stack.wait_for(recorded, what="the recording")
    live = await stack.last(VIP_NUMBER)
    assert live.contact.id == contact
    wav = stack.settings.recordings_dir / str(live.handling.recording)
    rate, (customer, agent) = read_wav(wav)
    reference = stack.folder / "caller.wav"
    pcap_to_wav(PCAPS / "g711a.pcap", reference)
    _, (said, _) = read_wav(reference)
    # Two seconds from inside each side's audio: the recording starts as the agent answers,
    # a few milliseconds into what each side sends.
    _, customer_match = best_match(customer, said[rate : rate * 3], rate)
    _, (vera_said,) = read_wav(speech)
    _, agent_match = best_match(agent, vera_said[rate // 2 : rate * 5 // 2], rate)
    assert customer_match > 0.9
    assert agent_match > 0.9
    assert [e.type for e in await stack.events(contact)].count("contact.recorded") == 1


async def test_a_callback_rings_the_agent_first_then_the_customer(stack: VoiceStack) -> None:
    assert stack.settings.trunk is not None
    customer = await customer_phone(stack, "customer")
    phone = await stack.phone("anna")
    await stack.ready("anna")
    desk = stack.frontdesk.dispatcher.desk(T)
    now = stack.clock.now()
    number = "+79160000099"
    await desk.schedule_callback(Callback(
        id="click-1", tenant=T, number=number, due_at=now, created_at=now,
        agent=AgentId("anna"), created_by="anna",
    ))  # fmt: skip
    await phone.wait_for("CALL_ESTABLISHED", timeout=10)
    contact = await served_by(stack, number, "anna")
    await asyncio.sleep(1)  # the customer's phone is answered at once: they talk
    await phone.hangup()
    result = await customer.wait()
    assert result.returncode == 0, result.describe()
    invite = result.requests("INVITE")[0]
    assert invite.first_line.startswith("INVITE sip:79160000099@")
    await stack.wait_for(lambda: _state_is(stack, contact, S.WRAP_UP), what="wrap-up")
    assert (await stack.last(number, "callback")).contact.id == contact


async def test_a_caller_who_asks_for_a_callback_keeps_their_place_and_is_called_back(
    stack: VoiceStack,
) -> None:
    assert stack.settings.trunk is not None
    caller = "+79160000017"
    result = await stack.call(
        [Listen(1500), Press("3"), Listen(4500), Press("1")], ani=caller, hang_up=False
    )
    assert result.code == 0, result.log  # the caller heard the offer, pressed 1, and we hung up
    live = await stack.last(caller)
    assert live.contact.state is S.QUEUED  # still in line, without the caller
    assert live.contact.channel_data["call_back"] == caller
    customer = await customer_phone(stack, "kept")
    phone = await stack.phone("anna")
    await stack.ready("anna")
    await phone.wait_for("CALL_ESTABLISHED", timeout=10)
    assert await served_by(stack, caller, "anna") == live.contact.id
    await asyncio.sleep(0.5)
    await phone.hangup()
    called = await customer.wait()
    assert called.returncode == 0, called.describe()
    assert called.requests("INVITE")[0].first_line.startswith("INVITE sip:79160000017@")
    await stack.wait_for(lambda: _state_is(stack, live.contact.id, S.WRAP_UP), what="wrap-up")
    events = await stack.events(live.contact.id)
    assert "contact.place_kept" in [e.type for e in events]
    moves = [e.data["new"] for e in events if e.type == "contact.state_changed"]
    assert "abandoned" not in moves  # the caller left, but not the line


async def test_keys_the_caller_presses_in_the_conversation_reach_the_agents_phone(
    stack: VoiceStack,
) -> None:
    phone = await stack.phone("anna")
    await stack.ready("anna")
    caller = "+79160000018"
    task = asyncio.ensure_future(
        stack.call([Listen(1500), Press("1"), Listen(3000), Press("5"), Listen(1500)], ani=caller)
    )
    await served_by(stack, caller, "anna")
    assert (await task).code == 0
    await stack.wait_for(
        lambda: "received event: '5'" in phone.log(), what="the key at the agent's phone"
    )
    assert "received event: '1'" not in phone.log()  # the menu's key stayed with the menu


def repeated(sound: Path, target: Path, times: int = 50) -> Path:
    """``sound`` again and again: a phone that keeps talking."""
    with wave.open(str(sound), "rb") as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    with wave.open(str(target), "wb") as output:
        output.setparams(params)
        output.writeframes(frames * times)
    return target


async def test_a_consult_holds_the_caller_then_hands_them_to_the_colleague(
    stack: VoiceStack,
) -> None:
    speech = as_pcm16(PromptLibrary(stack.folder / "speech").render(
        "colleague", "This is Boris from support, one moment please.", "en"
    ), stack.folder / "speech.wav")  # fmt: skip
    first = await stack.phone("anna")
    second = await stack.phone("boris", audio=repeated(speech, stack.folder / "boris.wav"))
    await stack.ready("anna")
    caller, media = "+79160000019", free_media_port()
    async with capture(media, stack.folder / "consult.pcap") as pcap:
        task = asyncio.ensure_future(stack.call(
            [Listen(1500), Press("1"), Listen(16000)], ani=caller, media_port=media
        ))  # fmt: skip
        contact = await served_by(stack, caller, "anna")
        await first.wait_for("CALL_ESTABLISHED", timeout=5)
        await stack.ready("boris")
        desk = stack.frontdesk.dispatcher.desk(T)
        await desk.consult(AgentId("anna"), contact, to_agent=AgentId("boris"))
        await second.wait_for("CALL_ESTABLISHED", timeout=10)

        async def joined() -> bool:
            return (await stack.last(caller)).handling.consult_agent == "boris"

        await stack.wait_for(joined, what="Boris in the consult")
        await asyncio.sleep(2)  # Anna and Boris talk; the caller holds
        await desk.end_consult(AgentId("anna"), contact, hand_over=True)
        await first.wait_for("CALL_CLOSED", timeout=5)  # Anna is out
        assert (await stack.last(caller)).handling.agent == "boris"
        assert (await task).code == 0  # the caller stayed on the line throughout
    live = await stack.last(caller)
    assert [(s.kind, s.agent) for s in live.contact.segments] == [
        (SegmentKind.INITIAL, "anna"),
        (SegmentKind.CONSULT, "boris"),
    ]
    assert heard(pcap, speech) > 0.9  # after the hand-over the caller hears Boris


async def test_a_consult_the_agent_ends_leaves_them_with_the_caller(stack: VoiceStack) -> None:
    caller = "+79160000020"
    first, second, task, contact = await with_anna_and_boris(stack, caller, 12)
    desk = stack.frontdesk.dispatcher.desk(T)
    await desk.consult(AgentId("anna"), contact, to_agent=AgentId("boris"))
    await second.wait_for("CALL_ESTABLISHED", timeout=10)
    await asyncio.sleep(1)
    await desk.end_consult(AgentId("anna"), contact, hand_over=False)
    await second.wait_for("CALL_CLOSED", timeout=5)  # Boris leaves
    assert [call.state for call in await first.calls()] == ["ESTABLISHED"]
    assert (await task).code == 0
    await stack.wait_for(lambda: _state_is(stack, contact, S.WRAP_UP), what="wrap-up")
    assert (await stack.last(caller)).handling.agent == "anna"
    assert free(stack, "boris")


async def test_rtpengine_restarting_mid_conversation_ends_the_call_and_frees_the_agent(
    stack: VoiceStack,
) -> None:
    phone = await stack.phone("anna")
    await stack.ready("anna")
    caller = "+79160000021"
    task = asyncio.ensure_future(
        stack.call([Listen(1500), Press("1"), Listen(15000)], ani=caller, hang_up=False)
    )
    contact = await served_by(stack, caller, "anna")
    await phone.wait_for("CALL_ESTABLISHED", timeout=5)
    await stack.voice.rtpengine.restart()  # every call's media is gone
    assert (await task).code == 0  # the caller got our BYE, well before their 15 s
    await phone.wait_for("CALL_CLOSED", timeout=5)  # and the agent's phone too
    await stack.wait_for(lambda: _state_is(stack, contact, S.WRAP_UP), what="wrap-up")
    assert stack.agent_state("anna") is AgentState.WRAP_UP  # not stuck busy on a dead call
    assert not stack.voice.center.calls
