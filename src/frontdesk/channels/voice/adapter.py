"""The voice channel adapter: starts and stops its parts and keeps them in step with the desk.

``start`` brings up, in order: rtpengine (media), Kamailio (registrar and SIP edge, with
the agents' phone logins), the ng client and the DTMF listener, the B2BUA's SIP process
(which answers callers itself), and the follower of the desk's events. Contacts of calls
that a previous run left open are ended first (their calls died with it): abandoned
before service, wrap-up after. ``stop`` hangs up every call and stops the parts in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from frontdesk.channels.voice.calls import CALL_ID
from frontdesk.channels.voice.center import CallCenter, EventFeed
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.dtmf import DtmfListener
from frontdesk.channels.voice.errors import DaemonError, MediaError
from frontdesk.channels.voice.kamailio import Kamailio, PhoneDirectory, subscribers_path
from frontdesk.channels.voice.ng import NgClient
from frontdesk.channels.voice.prompts import default_music_on_hold
from frontdesk.channels.voice.rtpengine import Rtpengine
from frontdesk.channels.voice.sip import SipStack
from frontdesk.domain.channels import Channel
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import Store
from frontdesk.services.desk import CALL_BACK, OPEN_STATES
from frontdesk.services.dispatcher import Dispatcher

log = logging.getLogger(__name__)
PHONES = "phones"
#: Seconds between looks at the daemons and at rtpengine's calls.
WATCH_EVERY = 1.0
#: Looks rtpengine may miss before every call is taken as lost.
LOST_AFTER = 3


class EventSource(Protocol):
    def subscribe(self, tenant: TenantId | None = None) -> Any: ...


@dataclass
class VoiceChannel:
    settings: VoiceSettings
    dispatcher: Dispatcher
    store: Store
    bus: EventSource
    #: Start Kamailio and rtpengine as child processes (off when they run as services).
    daemons: bool = True
    rtpengine: Rtpengine = field(init=False)
    kamailio: Kamailio = field(init=False)
    phones: PhoneDirectory = field(init=False)
    ng: NgClient = field(init=False)
    center: CallCenter = field(init=False)
    dtmf: DtmfListener | None = None
    sip: SipStack | None = None
    _follower: asyncio.Task[None] | None = None
    _watcher: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        settings = self.settings
        self.rtpengine = Rtpengine(settings)
        self.kamailio = Kamailio(settings)
        self.phones = PhoneDirectory(subscribers_path(settings), settings.domain)
        self.ng = NgClient(settings.host, settings.ng_port)
        self.center = CallCenter(
            self.dispatcher, self.ng, settings, default_music_on_hold(settings)
        )

    async def start(self) -> None:
        settings = self.settings
        for folder in (settings.run_dir, settings.prompts_dir, settings.recordings_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.center.music = await asyncio.to_thread(
            self.center.prompts.music, default_music_on_hold(settings)
        )
        await self.sync_phones()
        if self.daemons:
            await self.rtpengine.start()
            await self.kamailio.start()
        await self.ng.start()
        self.dtmf = DtmfListener(settings.host, settings.dtmf_port, self.center.dtmf)
        await self.dtmf.start()
        await self.recover()
        feed: EventFeed = self.bus.subscribe()
        self._follower = asyncio.create_task(self._follow(feed), name="frontdesk-voice")
        self.sip = SipStack(
            settings.host, settings.b2bua_port, (settings.host, settings.sip_port),
            self.center.invite, (settings.host, settings.ng_port), settings.host,
            self.center.voice_numbers,
        )  # fmt: skip
        self.center.sip = self.sip
        await self.sip.start()
        self._watcher = asyncio.create_task(self._watch(), name="frontdesk-voice-watch")
        log.info("voice: SIP on %s:%d (phones register there)", settings.host, settings.sip_port)

    async def _follow(self, feed: EventFeed) -> None:
        """The desk's events, in order: offers ring phones, phone logins reach Kamailio.

        A feed that fell too far behind ends: a new one is taken at once (the events
        missed meanwhile are lost to the calls, and said so in the log)."""
        while True:
            try:
                async for event in feed:
                    self._handle(event)
            finally:
                feed.close()
            log.error("voice: the desk's events came faster than the calls took them")
            feed = self.bus.subscribe()

    def _handle(self, event: StoredEvent) -> None:
        if event.type == "configuration.changed" and event.data.get("kind") == PHONES:
            task = asyncio.create_task(self.sync_phones())
            task.add_done_callback(_log_failure)
        try:
            self.center.event(event)
        except Exception:  # one bad event must not stop every call's offers
            log.exception("voice: handling %s failed", event.type)

    async def sync_phones(self) -> None:
        """Write every tenant's phone logins where Kamailio reads them (no restart)."""
        logins: dict[str, str] = {}
        async with self.store.transaction() as tx:
            for tenant in await tx.tenants.all():
                for agent, body in (await tx.documents.all(tenant.id, PHONES)).items():
                    logins[agent] = str(body["ha1"])
        await asyncio.to_thread(self.phones.replace_all, logins)

    async def recover(self) -> None:
        """End the contacts of calls a previous run left open: those calls are gone."""
        async with self.store.transaction() as tx:
            tenants = [tenant.id for tenant in await tx.tenants.all()]
            stale = [
                (tenant, live.contact.id)
                for tenant in tenants
                for live in await tx.contacts.in_states(tenant, OPEN_STATES)
                if live.contact.channel is Channel.VOICE
                and CALL_ID in live.contact.channel_data
                and CALL_BACK not in live.contact.channel_data  # waits on for its callback
            ]
        for tenant, contact in stale:
            try:
                await self.dispatcher.desk(tenant).hang_up(contact)
            except FrontdeskError as error:
                log.error("voice: contact %s of a lost call left open: %s", contact, error)

    async def _watch(self) -> None:
        """Every second: restart a daemon or the SIP process that died, tell the SIP
        process the numbers to answer, and end the calls whose media rtpengine lost (it
        restarted or is gone); nothing may stay stuck on a dead call."""
        misses = 0
        while True:
            await asyncio.sleep(WATCH_EVERY)
            await self._keep_sip()
            if self.daemons:
                for daemon in (self.rtpengine, self.kamailio):
                    if not daemon.running:
                        log.error("voice: %s is not running; starting it again",
                                  daemon.daemon.name)  # fmt: skip
                        try:
                            await daemon.start()
                        except DaemonError as error:
                            log.error("voice: %s", error)
            try:
                await self.center.check_media()
                misses = 0
            except MediaError as error:
                misses += 1
                log.error("voice: rtpengine does not answer (%s)", error)
                if misses >= LOST_AFTER:
                    self.center.lose_all_media()

    async def _keep_sip(self) -> None:
        sip = self.sip
        if sip is None:
            return
        if not sip.running:
            log.error("voice: the SIP process is not running; starting it again")
            try:
                await sip.start()
            except DaemonError as error:
                log.error("voice: %s", error)
                return
        sip.sync_numbers()

    async def stop(self) -> None:
        for task in (self._follower, self._watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._follower = self._watcher = None
        await self.center.stop()
        if self.sip is not None:
            await self.sip.stop()
            self.sip = None
        if self.dtmf is not None:
            self.dtmf.close()
            self.dtmf = None
        self.ng.close()
        if self.daemons:
            await self.kamailio.stop()
            await self.rtpengine.stop()


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("voice: phone logins not written", exc_info=task.exception())
