"""An inbound call in progress: a contact run through the same pipeline as every
other channel, with SIP (:mod:`.sip`) and media (:mod:`.media`) following the desk.

An inbound call, in order:

1. the number dialled must be a voice access point of a tenant, or the INVITE is refused
   (404) before anything is stored;
2. the caller is answered with rtpengine's SDP (by the SIP process, without waiting for
   this loop: :mod:`.sip_core`) and the contact is stored (intake);
3. the desk enriches and decides it live (:meth:`TenantDesk.route`): a menu is played and
   the key pressed goes back to the desk until the scenario decides; a reject or a
   callback plays its announcement and hangs up; a queued caller hears music;
4. each offer of the contact (a ``contact.offered`` event) rings the agent's phone through
   Kamailio while the agent's desktop shows the card; the phone answering accepts the
   offer, and the caller and the agent are bridged (recorded when the scenario says so);
   a phone that refuses or cannot be reached declines the offer, and one that rings out is
   cancelled when the desk withdraws the offer, so the contact goes to the next agent;
5. whoever hangs up, the desk hears of it (abandoned before service, wrap-up after), the
   other leg is ended and rtpengine's ports released.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from frontdesk.channels.voice.announcements import (
    CALLBACK_KEPT,
    CALLBACK_KEY,
    CALLBACK_OFFER,
    DEFAULTS,
    place_in_line,
)
from frontdesk.channels.voice.consult import Consult
from frontdesk.channels.voice.dtmf import DtmfEvent
from frontdesk.channels.voice.errors import MediaError, VoiceError
from frontdesk.channels.voice.media import MUSIC_REPEAT, CallMedia
from frontdesk.channels.voice.offers import decline_reason
from frontdesk.channels.voice.recordings import capture_of, pcap_to_wav
from frontdesk.channels.voice.sip import (
    Answered,
    Ended,
    Invite,
    Leg,
    LegEvent,
    Updated,
)
from frontdesk.channels.voice.tasks import CallTasks
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.routing.plan import Collect, Menu
from frontdesk.services.desk import TenantDesk, Turn
from frontdesk.services.intake import Submission

if TYPE_CHECKING:
    from frontdesk.channels.voice.center import CallCenter

log = logging.getLogger(__name__)
S = ContactState
#: ``channel_data`` key of the SIP Call-ID: marks contacts whose call this process runs.
CALL_ID = "sip_call_id"
#: Most keys one menu answer may have ("12#").
MAX_KEYS = 8
HANDED_OVER = "consult_handed_over"
#: Seconds a caller has to press the key after the callback offer.
CALLBACK_WAIT = 5.0
#: Seconds of silence before the music for a caller whose agent is rung at once: an
#: agent on auto-answer takes the call sooner, and then no music is started (it is
#: rtpengine's costliest command).
MUSIC_GRACE = 0.8


@dataclass(frozen=True, slots=True)
class Answer:
    """What the caller answered a menu: the key or number (None: nothing valid after the
    retries), how (the IVR path's outcome), and who they turned out to be."""

    key: str | None
    outcome: str
    customer: CustomerProfile | None = None


def _chosen(menu: Menu, pressed: str) -> bool:
    """Whether the keys pressed are an option, or can no longer become one."""
    return (
        pressed in menu.options
        or len(pressed) >= MAX_KEYS
        or not any(key.startswith(pressed) for key in menu.options)
    )


class Call:
    """One inbound call: the caller's leg, its media, its contact and at most one agent leg
    ringing or bridged at a time."""

    def __init__(
        self, center: CallCenter, invite: Invite, desk: TenantDesk, answered: asyncio.Future[str]
    ) -> None:
        self.center = center
        self.answered = answered  # the SIP process's: the SDP the caller was answered with
        self.caller = invite.leg
        self.invite = invite
        self.desk = desk
        self.media = CallMedia(
            center.ng, center.host, invite.leg.call_id, invite.leg.remote_tag, invite.sdp
        )
        self.contact: ContactId | None = None
        self.language: str | None = None
        self.record = False
        self.digits: asyncio.Queue[str] = asyncio.Queue()
        self.over = asyncio.Event()
        self.agent: AgentId | None = None
        self.agent_leg: Leg | None = None
        self.bridged = False
        self.put_through = asyncio.Event()  # set when an agent is first bridged
        self.kept_place = False
        self.agent_offer: str | None = None  # the SDP the agent's phone was offered
        self.agent_sdp: str | None = None  # and what it answered
        self.consult: Consult | None = None
        self.branches = itertools.count(1)
        self.branch = ""
        self.tasks = CallTasks(invite.leg.call_id, self.caller.hangup)
        invite.leg.listener = self._caller_event

    # --- the caller -----------------------------------------------------------------------
    async def run(self) -> None:
        try:
            sdp = await self.answered
        except MediaError as error:
            log.error("call %s: no media: %s", self.caller.call_id, error)
            if error.code == "media.rejected":  # rtpengine cannot use the caller's SDP
                self.caller.reject(488, "Not Acceptable Here")
            else:
                self.caller.reject(503, "Media Unavailable")
            await self.media.close()
            return
        self.media.anchored(sdp)
        try:
            await self._serve()
        except VoiceError as error:  # media failed mid-call: end it cleanly
            log.error("call %s failed: %s", self.caller.call_id, error)
        except FrontdeskError as error:
            log.error("call %s: the desk refused: %s", self.caller.call_id, error)
        finally:
            await self._end()

    async def _serve(self) -> None:
        submission = Submission(
            access_point=self.invite.dnis,
            sender=self.invite.ani or "anonymous",
            channel_data={CALL_ID: self.caller.call_id},
        )
        live, _ = await self.desk.submit(submission)
        self.contact = live.contact.id
        self.center.calls[self.contact] = self
        if self.over.is_set():  # hung up while being stored
            return
        turn = await self.desk.route(self.contact, live=True, known=live)
        while turn is not None and turn.menu is not None:
            if turn.greeting:
                await self._say(turn.greeting, wait=True)
            answer = await self._ask(turn.menu)
            if self.over.is_set():
                return
            turn = await self.desk.answer_menu(
                turn, answer.key, answer.outcome, customer=answer.customer
            )
        if turn is None:
            return
        await self._carry_out(turn)

    async def _carry_out(self, turn: Turn) -> None:
        contact = turn.contact.contact
        self.language = contact.language
        self.record = turn.contact.handling.record
        if turn.greeting:
            await self._say(turn.greeting, wait=True)
        if contact.state in (S.REJECTED, S.CALLBACK_SCHEDULED):
            if turn.announcement:
                await self._say(turn.announcement, wait=True)
            self.caller.hangup()
            return
        if self._ringing():
            await self._until_put_through(MUSIC_GRACE)
        if not self.bridged and not self.over.is_set():
            await self._music()
        if contact.state in (S.QUEUED, S.OFFERED):
            await self._wait_in_line(turn.offer_callback)
        await self.over.wait()

    async def _until_put_through(self, seconds: float) -> None:
        """Wait until an agent answers or the caller hangs up, at most ``seconds``."""
        waits = {asyncio.ensure_future(self.over.wait()),
                 asyncio.ensure_future(self.put_through.wait())}  # fmt: skip
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()

    def _ringing(self) -> bool:
        """An agent is being offered the call (their phone rings, or is about to)."""
        return self.agent is not None or self.contact in self.desk.state.offered

    def _waiting(self) -> bool:
        """The caller only listens to music: no agent is ringing or talking."""
        return not self.over.is_set() and not self.bridged and self.agent_leg is None

    async def _wait_in_line(self, offer_callback: bool) -> None:
        """Tell the caller their place and expected wait now and every so often; offer a
        callback that keeps their place when the scenario says to."""
        every = self.center.settings.announce_every
        while not self.over.is_set():
            place = self.desk.state.place(self.contact) if self.contact else None
            if place is not None and self._waiting():
                language = self._speaking()
                text = place_in_line(place[0], place[1], language)
                await self._speak(text, language)
                if offer_callback and self._waiting() and await self._callback_chosen():
                    return
                if self._waiting():
                    await self._music()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.over.wait(), every)

    async def _callback_chosen(self) -> bool:
        """Offer the callback; True when the caller took it (and the call is ended)."""
        while not self.digits.empty():
            self.digits.get_nowait()
        seconds = await self._say(CALLBACK_OFFER)
        try:
            key = await asyncio.wait_for(self.digits.get(), seconds + CALLBACK_WAIT)
        except TimeoutError:
            return False
        if key != CALLBACK_KEY or not self._waiting() or self.contact is None:
            return False
        try:
            await self.desk.keep_place(self.contact)
        except FrontdeskError:  # an agent took the call meanwhile
            return False
        self.kept_place = True
        await self._say(CALLBACK_KEPT, wait=True)
        self.caller.hangup()
        return True

    def _speaking(self) -> str:
        """The language the caller hears: their own, else the tenant's prompts' first."""
        if self.language:
            return self.language
        for texts in self.desk.config.prompts.values():
            return next(iter(texts))
        return "en"

    async def _speak(self, text: str, language: str) -> None:
        """Say a text made for this caller (their place in line), to its end."""
        library = self.center.prompts.library(self.desk.tenant)
        path = await asyncio.to_thread(library.render, "announcement", text, language)
        seconds = await self.media.play(path)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.over.wait(), seconds)

    async def _say(self, prompt: str, *, wait: bool = False) -> float:
        """Play a prompt to the caller; ``wait``: until it ends or the caller hangs up."""
        assert self.contact is not None
        texts = self.desk.config.prompts.get(prompt) or DEFAULTS.get(prompt, {})
        language = self.language or (self._speaking() if texts else None)
        path = await self.center.prompts.file(self.desk.tenant, prompt, texts, language)
        seconds = await self.media.play(path)
        if wait:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.over.wait(), seconds)
        return seconds

    async def _music(self) -> None:
        await self.media.play(self.center.music, repeat=MUSIC_REPEAT)
        if self.bridged:  # the agent answered while the music was being started
            await self.media.stop()

    async def _ask(self, menu: Menu) -> Answer:
        """Play the menu and read the caller's answer, trying again after a time-out or a
        wrong answer, ``menu.retries`` times. A key pressed during the prompt stops it."""
        outcome = "timeout"
        for attempt in range(menu.retries + 1):
            while attempt and not self.digits.empty():  # keys pressed before the menu count
                self.digits.get_nowait()
            seconds = await self._say(menu.prompt)
            if menu.collect is None:
                pressed = await self._keys(seconds, menu.timeout, lambda p: _chosen(menu, p))
                if pressed in menu.options:
                    return Answer(pressed, "chosen")
                outcome = "invalid" if pressed else "timeout"
            else:
                answer = await self._number(menu.collect, seconds, menu.timeout)
                if answer.key is not None:
                    return answer
                outcome = answer.outcome
            if self.over.is_set():
                break
        return Answer(None, outcome)

    async def _number(self, collect: Collect, seconds: float, timeout: float) -> Answer:
        """A number keyed in (ended by ``collect.end`` or at its longest), checked for its
        length and, with ``lookup``, found in the CRM (the caller is then identified)."""
        end = collect.end
        pressed = await self._keys(
            seconds, timeout,
            lambda p: (bool(end) and p.endswith(end)) or len(p) >= collect.max_digits,
        )  # fmt: skip
        number = pressed[: -len(end)] if end and pressed.endswith(end) else pressed
        if not number:
            return Answer(None, "timeout")
        if len(number) < collect.min_digits or not number.isdigit():
            return Answer(None, "invalid")
        if collect.lookup is None:
            return Answer(number, "collected")
        customer = await self.desk.identify(collect.lookup, number)
        if customer is None:
            return Answer(None, "self_service_failed")
        return Answer(number, "self_service_ok", customer)

    async def _keys(self, seconds: float, timeout: float, enough: Callable[[str], bool]) -> str:
        """The keys pressed from the prompt's start until ``enough`` says so, or none came
        for ``timeout`` seconds (after the prompt's ``seconds``)."""
        pressed = ""
        wait = seconds + timeout
        while not self.over.is_set():
            try:
                digit = await asyncio.wait_for(self.digits.get(), wait)
            except TimeoutError:
                break
            await self.media.stop()
            pressed += digit
            if enough(pressed):
                break
            wait = timeout
        return pressed

    def _caller_event(self, leg: Leg, event: LegEvent) -> None:
        if isinstance(event, Ended):
            self.over.set()

    def dtmf(self, event: DtmfEvent) -> None:
        if not self.bridged:
            self.digits.put_nowait(event.digit)

    async def _end(self) -> None:
        self.over.set()
        self.caller.hangup()
        self.drop_agent_leg()
        self.tasks.cancel()
        await self.media.close()
        if self.contact is None:
            return
        self.center.calls.pop(self.contact, None)
        if self.kept_place:  # the contact waits on without the caller: no abandonment
            return
        try:
            await self.desk.hang_up(self.contact)
        except FrontdeskError as error:
            log.error("call %s: contact %s not ended: %s", self.caller.call_id,
                      self.contact, error)  # fmt: skip
        if self.media.recording:
            await self._keep_recording(self.contact)

    async def _keep_recording(self, contact: ContactId) -> None:
        """Turn rtpengine's capture of the call into the contact's WAV recording."""
        folder = self.center.settings.recordings_dir
        name = f"{self.desk.tenant}/{contact}.wav"
        try:
            pcap = await asyncio.to_thread(capture_of, folder, self.caller.call_id)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            info = await asyncio.to_thread(
                pcap_to_wav, pcap, folder / name, caller=self.media.caller_side
            )
            await self.desk.add_recording(contact, name, info.duration)
            pcap.unlink()
        except (VoiceError, OSError) as error:
            log.error("call %s: the recording is lost: %s", self.caller.call_id, error)

    # --- agents ---------------------------------------------------------------------------
    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.spawn(work)

    async def ring(self, agent: AgentId) -> None:
        """The desk offers the contact to ``agent``: ring their phone."""
        if self.over.is_set() or self.contact is None:
            return
        self.drop_agent_leg()  # the previous offer's, if still there
        self.agent = agent
        self.branch = self.new_branch()
        sdp = await self.media.offer_to(self.branch)
        if self.over.is_set() or self.agent != agent:
            return
        self.agent_offer = sdp
        display = self.invite.ani or "Frontdesk"
        self.agent_leg = self.center.sip.dial(
            agent, self.invite.ani or "anonymous", display, sdp, self.agent_event
        )

    def new_branch(self) -> str:
        """A branch of the caller's media for one more agent leg."""
        return f"agent-{next(self.branches)}"

    def withdraw(self, agent: AgentId) -> None:
        """The offer to ``agent`` ended without an answer (rang out, taken back)."""
        if self.consult is not None and self.consult.colleague == agent:
            if not self.consult.answered:
                self.spawn(self.consult.end())
            return
        if self.agent == agent and not self.bridged:
            self.drop_agent_leg()
            self.agent = None

    def leave_agent(self) -> None:
        """The agent handed the contact on (a transfer): the caller waits with music."""
        self.drop_agent_leg()
        self.agent, self.bridged = None, False
        self.spawn(self._music())

    def drop_agent_leg(self) -> None:
        """Hang up the agent's leg as the call's decision: its end is no news then."""
        leg, self.agent_leg = self.agent_leg, None
        if leg is not None:
            leg.hangup()

    def agent_event(self, leg: Leg, event: LegEvent) -> None:
        if leg is not self.agent_leg or self.agent is None:
            return
        agent = self.agent
        if isinstance(event, Answered):
            self.spawn(self._answered(leg, agent, event))
        elif isinstance(event, Updated):
            if self.consult is not None:
                self.consult.updated(leg, event)
        elif isinstance(event, Ended):
            self.agent_leg = None
            if self.bridged:  # the agent hung up: the call is over
                self.bridged = False
                self.caller.hangup()
            else:
                self.agent = None
                self.spawn(self._not_answered(agent, event))

    async def _answered(self, leg: Leg, agent: AgentId, event: Answered) -> None:
        assert self.contact is not None
        try:
            await self.desk.accept(agent, self.contact)
        except FrontdeskError as error:  # the offer ended meanwhile (rang out, withdrawn)
            log.info("call %s: %s answered too late: %s", self.caller.call_id, agent, error)
            leg.hangup()
            return
        await self.media.connect(self.branch, event.sdp, event.remote_tag)
        self.agent_sdp = event.sdp
        self.bridged = True
        self.put_through.set()
        if self.record:
            await self.media.record()

    async def _not_answered(self, agent: AgentId, event: Ended) -> None:
        if event.by == "local" or self.contact is None:
            return  # we cancelled it: the desk knows already
        with contextlib.suppress(FrontdeskError):  # the offer ended meanwhile
            await self.desk.decline(agent, self.contact, decline_reason(event))

    def media_lost(self) -> None:
        """rtpengine no longer knows the call (it restarted, or timed the call out): nobody
        can hear anybody, so the call ends, and the desk with it."""
        if self.media.opened and not self.media.closed and not self.over.is_set():
            log.error("call %s: its media is gone from rtpengine; ending it", self.caller.call_id)
            self.media.closed = True  # nothing left to delete
            self.caller.hangup()
            self.over.set()

    async def start_consult(self, colleague: AgentId) -> None:
        """The desk offers the consult to ``colleague``: ring them for the agent."""
        if self.contact is None or not self.bridged or self.consult is not None:
            return
        self.consult = Consult(self, self.contact, colleague)
        await self.consult.ring()

    def consult_over(self, kind: str) -> None:
        """The agent ended the consult on the desktop."""
        consult = self.consult
        if consult is not None:
            self.spawn(consult.hand_over() if kind == HANDED_OVER else consult.end())

    def desk_moved(self, new: ContactState) -> None:
        """The contact moved on the desk: one ended there ends the call."""
        if new in (S.WRAP_UP, S.CLOSED, S.ABANDONED) and not self.over.is_set():
            self.caller.hangup()
            self.over.set()
