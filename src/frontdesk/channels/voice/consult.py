"""A consult on a call: the agent talks to a colleague while the caller holds with music.

The colleague is rung on a call of its own in rtpengine, made from the agent's side; when
the colleague answers (accepting the desk's consult offer), the agent's phone is moved to
that call by a re-INVITE and the caller hears music. The consult then ends as the agent
decides on the desktop:

- **hand over**: the colleague's phone is moved to the caller (a re-INVITE with a new
  branch of the caller's call), the agent's leg is hung up; the colleague now serves;
- **keep**: the colleague's leg is hung up and the agent's phone moved back to the caller;
- **withdrawn** before anyone answered: the colleague's phone stops ringing.

The caller is never re-INVITEd: with ``port latching`` their port stays the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from frontdesk.channels.voice.errors import VoiceError
from frontdesk.channels.voice.media import FLAGS, MUSIC_REPEAT
from frontdesk.channels.voice.offers import decline_reason
from frontdesk.channels.voice.sip import Answered, Ended, Leg, LegEvent, Updated
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.ids import AgentId, ContactId

if TYPE_CHECKING:
    from frontdesk.channels.voice.calls import Call

log = logging.getLogger(__name__)
#: Seconds a phone has to answer a re-INVITE.
REINVITE_TIMEOUT = 10.0
AGENT_SIDE = "agent"


class Consult:
    def __init__(self, call: Call, contact: ContactId, colleague: AgentId) -> None:
        self.call = call
        self.contact = contact
        self.colleague = colleague
        self.call_id = f"consult-{contact}@{call.center.host}"
        self.leg: Leg | None = None
        self.answered = False
        self.moving: dict[int, asyncio.Future[str]] = {}  # re-INVITEs waiting for answers

    async def ring(self) -> None:
        """Ring the colleague with a call of the agent's side."""
        agent_sdp = self.call.agent_sdp
        if agent_sdp is None:
            return
        reply = await self.call.center.ng.command("offer", {
            "call-id": self.call_id, "from-tag": AGENT_SIDE, "sdp": agent_sdp, **FLAGS,
        })  # fmt: skip
        self.leg = self.call.center.sip.dial(
            self.colleague, self.call.invite.ani or "anonymous", "Consult", str(reply["sdp"]),
            self._event,
        )  # fmt: skip

    def _event(self, leg: Leg, event: LegEvent) -> None:
        if isinstance(event, Answered):
            self.call.spawn(self._answered(leg, event))
        elif isinstance(event, Updated):
            self.updated(leg, event)
        elif isinstance(event, Ended) and leg is self.leg:
            self.leg = None
            if self.answered:  # the colleague left: the agent goes back to the caller
                self.call.spawn(self._colleague_left())
            elif event.by == "remote":
                self.call.spawn(self._declined(event))

    def updated(self, leg: Leg, event: Updated) -> None:
        waiting = self.moving.pop(leg.key, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(event.sdp)

    async def move(self, leg: Leg, sdp: str) -> str:
        """Re-INVITE ``leg`` to ``sdp``; the phone's answer (empty if it refused)."""
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.moving[leg.key] = answer
        leg.reinvite(sdp)
        try:
            return await asyncio.wait_for(answer, REINVITE_TIMEOUT)
        except TimeoutError:
            raise VoiceError(
                f"{leg.call_id} did not answer the re-INVITE", code="voice.reinvite_timeout"
            ) from None

    async def _declined(self, event: Ended) -> None:
        with contextlib.suppress(FrontdeskError):  # withdrawn meanwhile
            await self.call.desk.decline(self.colleague, self.contact, decline_reason(event))

    async def _answered(self, leg: Leg, event: Answered) -> None:
        call = self.call
        try:
            await call.desk.accept(self.colleague, self.contact)
        except FrontdeskError as error:
            log.info("consult %s: %s answered too late: %s", self.contact, self.colleague, error)
            leg.hangup()
            return
        self.answered = True
        reply = await call.center.ng.command("answer", {
            "call-id": self.call_id, "from-tag": AGENT_SIDE, "to-tag": event.remote_tag,
            "sdp": event.sdp, **FLAGS,
        })  # fmt: skip
        agent_leg = call.agent_leg
        if agent_leg is None:
            return
        await call.media.play(call.center.music, repeat=MUSIC_REPEAT)
        await self.move(agent_leg, str(reply["sdp"]))

    async def hand_over(self) -> None:
        """The colleague takes the caller; the agent's leg ends."""
        call, leg = self.call, self.leg
        if leg is None:
            return
        branch = call.new_branch()
        sdp = await self.move(leg, await call.media.offer_to(branch))
        call.drop_agent_leg()
        leg.listener = call.agent_event
        call.agent, call.agent_leg, call.branch = self.colleague, leg, branch
        call.agent_sdp = sdp
        await call.media.connect(branch, sdp, leg.remote_tag)
        await self.close()

    async def end(self) -> None:
        """The colleague leaves (or never answered); the agent is back with the caller."""
        leg, self.leg = self.leg, None
        if leg is not None:
            leg.hangup()
        if self.answered:
            await self._back_to_caller()
        await self.close()

    async def _colleague_left(self) -> None:
        await self._back_to_caller()
        agent = self.call.agent
        if agent is not None:
            with contextlib.suppress(FrontdeskError):
                await self.call.desk.end_consult(agent, self.contact, hand_over=False)

    async def _back_to_caller(self) -> None:
        call = self.call
        if call.agent_leg is not None and call.agent_offer is not None:
            await self.move(call.agent_leg, call.agent_offer)
        await call.media.stop()

    async def close(self) -> None:
        with contextlib.suppress(VoiceError):
            await self.call.center.ng.command("delete", {"call-id": self.call_id})
        if self.call.consult is self:
            self.call.consult = None
