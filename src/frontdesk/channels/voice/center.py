"""Every call of this process, and the bridge between SIP, media and the desk.

The desk's events drive the calls: an offer rings an agent's phone (or, for a callback or a
caller who kept their place, the agent and then the customer), a withdrawn offer stops the
ringing, a transfer or a consult moves the media, a contact ended on the desk ends its call.
rtpengine's calls are checked against ours, so a call whose media is lost ends cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, Protocol

from frontdesk.channels.voice.calls import HANDED_OVER, Call
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.dtmf import DtmfEvent
from frontdesk.channels.voice.errors import MediaError
from frontdesk.channels.voice.ng import NgClient
from frontdesk.channels.voice.outbound import OutboundCall
from frontdesk.channels.voice.prompts import Prompts
from frontdesk.channels.voice.sip import Invite, SipStack
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.services.desk import CALL_BACK, TenantDesk
from frontdesk.services.dispatcher import Dispatcher

log = logging.getLogger(__name__)
S = ContactState

#: More calls than one process ever holds: rtpengine's ``list`` answers at most this many.
MAX_LISTED = 100_000
#: How a consult ends on the desk (``contact.transferred`` kinds).
CONSULT_ENDS = frozenset({HANDED_OVER, "consult_ended", "consult_withdrawn"})
#: Contact states in which the call is over for the desk.
ENDED = frozenset({S.WRAP_UP.value, S.CLOSED.value, S.ABANDONED.value})


class EventFeed(Protocol):
    def __aiter__(self) -> AsyncIterator[StoredEvent]: ...

    def close(self) -> None: ...


class CallCenter:
    """Every call of this process, and the bridge between SIP, media and the desk."""

    def __init__(
        self, dispatcher: Dispatcher, ng: NgClient, settings: VoiceSettings, music: Path
    ) -> None:
        self.dispatcher = dispatcher
        self.ng = ng
        self.settings = settings
        self.prompts = Prompts(settings.prompts_dir)
        #: The hold music; :meth:`VoiceChannel.start` puts it in the call format.
        self.music = music
        self.host = settings.host
        self.sip: SipStack  # set by the adapter before the first call
        self.calls: dict[ContactId, Call | OutboundCall] = {}
        self.by_call_id: dict[str, Call] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        #: Numbers dialled that are voice access points under another spelling.
        self.aliases: set[str] = set()
        #: rtpengine's calls none of ours had at the last look (see :meth:`check_media`).
        self.strays: set[str] = set()

    def desk_for(self, number: str) -> TenantDesk | None:
        """The desk of the tenant whose voice access point ``number`` is."""
        for desk in self.dispatcher.desks.values():
            try:
                point = desk.access_point(number)
            except NotFoundError:
                continue
            if point.channel is Channel.VOICE:
                return desk
        return None

    def voice_numbers(self) -> frozenset[str]:
        """The numbers the SIP process answers by itself: every tenant's voice access
        points, and the other spellings of them that callers came in on."""
        numbers = {
            point.address
            for desk in self.dispatcher.desks.values()
            for point in desk.config.access_points.values()
            if point.channel is Channel.VOICE
        }
        self.aliases = {alias for alias in self.aliases if self.desk_for(alias) is not None}
        return frozenset(numbers | self.aliases)

    def invite(self, invite: Invite) -> None:
        call_id = invite.leg.call_id
        desk = self.desk_for(invite.dnis) if invite.dnis else None
        media = invite.media
        if desk is None:
            log.info("INVITE to unknown number %r from %s", invite.dnis, invite.source)
            invite.leg.reject(404, "Not Found")
            if media is not None:  # the number was taken away meanwhile
                self._run(self._discard(media, call_id), f"discard-{call_id}")
                self.sip.sync_numbers(force=True)
            return
        if media is None:  # a number the SIP process does not know (yet, or so spelt)
            self.aliases.add(invite.dnis)
            media = self.sip.answer(invite.leg, invite.sdp)
            self.sip.sync_numbers(force=True)
        call = Call(self, invite, desk, media)
        self.by_call_id[call_id] = call
        task = asyncio.create_task(call.run(), name=f"call-{invite.leg.call_id}")
        self.tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, call))

    def _finished(self, task: asyncio.Task[None], call: Call) -> None:
        self.tasks.discard(task)
        self.by_call_id.pop(call.caller.call_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("call %s ended with an error", call.caller.call_id,
                      exc_info=task.exception())  # fmt: skip

    def dtmf(self, event: DtmfEvent) -> None:
        call = self.by_call_id.get(event.call_id)
        if call is not None and event.source_tag == call.caller.remote_tag:
            call.dtmf(event)

    def event(self, event: StoredEvent) -> None:
        """A desk event: offers ring phones, withdrawn offers stop ringing."""
        if event.contact is None:
            return
        data = event.data
        call = self.calls.get(event.contact)
        if call is None:
            if event.type == "contact.offered" and data.get("channel") == Channel.CALLBACK:
                self._call_back(event, str(data.get("ani", "")))
            elif event.type == "contact.offered" and data.get("channel") == Channel.VOICE:
                self._run(self._kept_place(event), f"kept-{event.contact}")
            return
        if isinstance(call, OutboundCall):
            if event.type == "offer.declined":
                call.withdraw(AgentId(str(data["agent"])))
            elif event.type == "contact.state_changed" and data["new"] in ENDED:
                call.over.set()
            return
        if event.type == "contact.offered":
            agent = AgentId(str(data["agent"]))
            call.spawn(call.start_consult(agent) if data.get("consult") else call.ring(agent))
        elif event.type == "offer.declined":
            call.withdraw(AgentId(str(data["agent"])))
        elif event.type == "contact.transferred" and data.get("kind") == "transfer":
            call.leave_agent()
        elif event.type == "contact.transferred" and data.get("kind") in CONSULT_ENDS:
            call.consult_over(str(data["kind"]))
        elif event.type == "contact.state_changed":
            call.desk_moved(S(str(data["new"])))

    def _call_back(self, offered: StoredEvent, number: str) -> None:
        """A callback offered to an agent: ring the agent, then ``number`` (when a trunk is
        set; without one, agents call back by hand)."""
        assert offered.contact is not None
        desk = self.dispatcher.desks.get(offered.tenant)
        if self.settings.trunk is None or desk is None or offered.data.get("consult"):
            return
        if offered.contact in self.calls:
            return
        points = [p for p in desk.config.access_points.values() if p.channel is Channel.VOICE]
        caller_id = points[0].address if points else "anonymous"
        call = OutboundCall(
            self, desk, offered.contact, number, AgentId(str(offered.data["agent"])), caller_id
        )
        self.calls[offered.contact] = call
        self._run(call.run(), f"callback-{offered.contact}")

    async def _kept_place(self, offered: StoredEvent) -> None:
        """A call offered without its caller on the line: one whose caller asked to be
        called back keeping their place is called back now."""
        assert offered.contact is not None
        async with self.dispatcher.store.transaction() as tx:
            live = await tx.contacts.get(offered.tenant, offered.contact)
        number = live.contact.channel_data.get(CALL_BACK) if live is not None else None
        if number:
            self._call_back(offered, number)

    def _run(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def check_media(self) -> None:
        """End the calls whose media rtpengine has lost; raises MediaError when rtpengine
        does not answer."""
        opened: list[tuple[str, Call | OutboundCall]] = [
            (key, call) for key, call in self.by_call_id.items() if call.media.opened
        ]
        opened += [
            (call.call_id, call)
            for call in self.calls.values()
            if isinstance(call, OutboundCall) and call.opened
        ]
        ours = self._media_ids()
        reply = await self.ng.command("list", {"limit": MAX_LISTED})
        listed = reply.get("calls")
        known = {str(call) for call in listed} if isinstance(listed, list) else set()
        for call_id, call in opened:  # a call opened meanwhile may not be listed yet
            if call_id not in known:
                call.media_lost()
        # A call the SIP process has just anchored may not have reached us yet: a stray
        # is one that none of ours had at two looks in a row (its delete was lost).
        strays = known - ours - self._media_ids()
        for stray in strays & self.strays:
            log.warning("voice: deleting rtpengine's call %s, which no call of ours has", stray)
            self._run(self._delete(stray), f"delete-{stray}")
        self.strays = strays - self.strays

    def _media_ids(self) -> set[str]:
        """The Call-IDs in rtpengine of every call this process runs or is setting up."""
        ids = set(self.by_call_id)
        for call in self.calls.values():
            if isinstance(call, OutboundCall):
                ids.add(call.call_id)
            elif call.consult is not None:
                ids.add(call.consult.call_id)
        return ids

    async def _delete(self, call_id: str) -> None:
        with contextlib.suppress(MediaError):
            await self.ng.command("delete", {"call-id": call_id})

    async def _discard(self, media: asyncio.Future[str], call_id: str) -> None:
        """Release the media the SIP process anchored for a call refused after all."""
        with contextlib.suppress(MediaError):
            await media
        await self._delete(call_id)

    def lose_all_media(self) -> None:
        """rtpengine is gone: every call ends."""
        for call in (*self.by_call_id.values(), *self.calls.values()):
            call.media_lost()

    async def stop(self) -> None:
        for call in tuple(self.by_call_id.values()):
            call.caller.hangup()
            call.over.set()
        for active in tuple(self.calls.values()):
            if isinstance(active, OutboundCall):
                active.over.set()
        if self.tasks:
            await asyncio.gather(*tuple(self.tasks), return_exceptions=True)
