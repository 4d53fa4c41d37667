"""Calls to customers: callbacks, click-to-call and the originate API, agent first.

A due callback (scheduled by an agent, by the scenario, or "now" by click-to-call or an
integration) is a contact of the ``callback`` channel that the desk offers to an agent.
Its offer rings the agent's phone; when the agent answers, the offer is accepted and the
customer is dialled through the trunk, while the agent hears ringing from their own
phone's side (silence from us). The customer answering bridges the two. A customer who
is busy or does not answer ends the call: the agent is told by the call ending and goes
to wrap-up, where the result is theirs to note.

In rtpengine the call is ours (a Call-ID of our own): the system placeholder offers, the
agent answers; then the agent offers on a branch towards the customer, who answers. With
``port latching`` the agent's port never changes, so the agent is never re-INVITEd.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from frontdesk.channels.voice.errors import VoiceError
from frontdesk.channels.voice.media import FLAGS, placeholder_sdp
from frontdesk.channels.voice.offers import decline_reason
from frontdesk.channels.voice.sip import Answered, Ended, Leg, LegEvent
from frontdesk.channels.voice.tasks import CallTasks
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.services.desk import TenantDesk

if TYPE_CHECKING:
    from frontdesk.channels.voice.center import CallCenter

log = logging.getLogger(__name__)
SYSTEM = "system"
#: How long the customer's phone may ring before the call is given up, in seconds.
CUSTOMER_RING = 45.0


class OutboundCall:
    def __init__(
        self, center: CallCenter, desk: TenantDesk, contact: ContactId, number: str,
        agent: AgentId, caller_id: str,
    ) -> None:  # fmt: skip
        self.center = center
        self.desk = desk
        self.contact = contact
        self.number = number
        self.agent = agent
        self.caller_id = caller_id
        self.call_id = f"out-{contact}@{center.host}"
        self.agent_leg: Leg | None = None
        self.customer_leg: Leg | None = None
        self.opened = False  # rtpengine knows the call
        self.accepted = False
        self.bridged = False
        self.over = asyncio.Event()
        self.tasks = CallTasks(f"callback {contact}", self.over.set)

    def _params(self, from_tag: str, **more: object) -> dict[str, object]:
        return {"call-id": self.call_id, "from-tag": from_tag, **more}

    async def run(self) -> None:
        """Ring the agent; everything else follows from the legs' events."""
        ng = self.center.ng
        try:
            reply = await ng.command("offer", self._params(
                SYSTEM, sdp=placeholder_sdp(self.center.host), **FLAGS
            ))  # fmt: skip
            self.opened = True
            self.agent_leg = self.center.sip.dial(
                self.agent, self.number, f"Callback {self.number}", str(reply["sdp"]),
                self._agent_event,
            )  # fmt: skip
            await self.over.wait()
        except VoiceError as error:
            log.error("callback %s: %s", self.contact, error)
        finally:
            await self._end()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.spawn(work)

    def withdraw(self, agent: AgentId) -> None:
        """The desk took the offer back (rang out, the agent stepped away)."""
        if agent == self.agent and not self.accepted:
            self.over.set()

    def _agent_event(self, leg: Leg, event: LegEvent) -> None:
        if isinstance(event, Answered):
            self.spawn(self._agent_answered(leg, event))
        elif isinstance(event, Ended):
            self.agent_leg = None
            if not self.accepted and event.by == "remote":
                self.spawn(self._agent_declined(event))
            else:
                self.over.set()

    async def _agent_declined(self, event: Ended) -> None:
        with contextlib.suppress(FrontdeskError):
            await self.desk.decline(self.agent, self.contact, decline_reason(event))
        self.over.set()

    async def _agent_answered(self, leg: Leg, event: Answered) -> None:
        try:
            await self.desk.accept(self.agent, self.contact)
        except FrontdeskError as error:
            log.info("callback %s: %s answered too late: %s", self.contact, self.agent, error)
            self.over.set()
            return
        self.accepted = True
        ng, trunk = self.center.ng, self.center.settings.trunk
        await ng.command("answer", self._params(
            SYSTEM, sdp=event.sdp, **{"to-tag": leg.remote_tag}, **FLAGS
        ))  # fmt: skip
        if trunk is None:  # checked before the call was taken on: a setting changed
            self.over.set()
            return
        reply = await ng.command("offer", self._params(
            leg.remote_tag, sdp=event.sdp, **{"via-branch": "customer"}, **FLAGS
        ))  # fmt: skip
        self.customer_leg = self.center.sip.dial(
            self.number.lstrip("+") if self.number.startswith("+") else self.number,
            self.caller_id, self.caller_id, str(reply["sdp"]), self._customer_event, via=trunk,
        )  # fmt: skip
        self.spawn(self._give_up_ringing())

    async def _give_up_ringing(self) -> None:
        await asyncio.sleep(CUSTOMER_RING)
        if not self.bridged:
            log.info("callback %s: the customer did not answer", self.contact)
            self.over.set()

    def _customer_event(self, leg: Leg, event: LegEvent) -> None:
        if isinstance(event, Answered):
            self.spawn(self._customer_answered(event))
        elif isinstance(event, Ended):
            self.customer_leg = None
            if not self.bridged:
                log.info("callback %s: the customer's line said %s %s", self.contact,
                         event.code, event.reason)  # fmt: skip
            self.over.set()

    async def _customer_answered(self, event: Answered) -> None:
        agent_leg = self.agent_leg
        if agent_leg is None:
            return
        await self.center.ng.command("answer", self._params(
            agent_leg.remote_tag, sdp=event.sdp,
            **{"to-tag": event.remote_tag, "via-branch": "customer"}, **FLAGS,
        ))  # fmt: skip
        self.bridged = True

    async def _end(self) -> None:
        for leg in (self.agent_leg, self.customer_leg):
            if leg is not None:
                leg.hangup()
        self.agent_leg = self.customer_leg = None
        self.tasks.cancel()
        with contextlib.suppress(VoiceError):
            await self.center.ng.command("delete", {"call-id": self.call_id})
        self.center.calls.pop(self.contact, None)
        if self.accepted:
            with contextlib.suppress(FrontdeskError):
                await self.desk.hang_up(self.contact)

    def media_lost(self) -> None:
        self.over.set()
