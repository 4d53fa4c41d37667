"""SIP call legs on sippy, with an asyncio face for call control.

sippy has its own event loop (``EventDispatcher2``, a process-wide singleton bound to the
thread that first imports it). It therefore runs in one thread of its own, started once per
process, and sippy is imported only there. Everything crosses between that thread and
asyncio as a message:

- asyncio → sippy: :class:`Leg` methods post a command with ``ED2.callFromThread``; they
  never block and never wait for sippy;
- sippy → asyncio: every SIP event of a leg (ringing, answered, ended) and every new call
  is handed to the asyncio loop with ``loop.call_soon_threadsafe``.

A new call is answered without the asyncio loop: sippy hands its INVITE to ``answer_early``
(:mod:`frontdesk.channels.voice.answering`) and sends the 200 OK with the SDP that comes
back, while the loop learns of the call. A second INVITE of a call in progress (the same
Call-ID) is refused at once with 482, before anything else sees it.

A leg's events reach its ``listener`` in the order sippy saw them; a leg reports
:class:`Ended` exactly once, whoever ended it. The stack itself knows nothing of contacts,
queues or media: :mod:`frontdesk.channels.voice.calls` decides.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
sip_log = logging.getLogger("frontdesk.sip")

#: The name the B2BUA gives in User-Agent and Server headers.
USER_AGENT = "Frontdesk"


@dataclass(frozen=True, slots=True)
class Ringing:
    """The far end rings (180/183)."""


@dataclass(frozen=True, slots=True)
class Answered:
    """The far end answered (200 OK) with its SDP; ``remote_tag`` is its dialog tag."""

    sdp: str
    remote_tag: str


@dataclass(frozen=True, slots=True)
class Updated:
    """The far end accepted our re-INVITE; ``sdp`` is its answer."""

    sdp: str


@dataclass(frozen=True, slots=True)
class Ended:
    """The leg is over. ``code`` is the SIP status of a failed setup (486 busy, 404 ...),
    None for a hang-up; ``by`` is ``remote`` or ``local``."""

    reason: str
    code: int | None = None
    by: str = "remote"


LegEvent = Ringing | Answered | Updated | Ended
Listener = Callable[["Leg", LegEvent], None]


@dataclass(frozen=True, slots=True)
class Invite:
    """A new inbound call: the caller's leg, answered or refused by the SIP thread.

    ``media`` is what ``answer_early`` gave: the SDP the caller was (or will be) answered
    with, or the error that left them unanswered; None when it did not take the call
    (an unknown number), which is then refused from the loop."""

    leg: Leg
    ani: str  # the From user: the caller's number as the trunk gave it
    dnis: str  # the Request-URI user: the number dialled
    sdp: str
    source: tuple[str, int]
    media: Future[str] | None = None


#: Called in the SIP thread for each new INVITE with its Call-ID, From tag, number dialled
#: and SDP, and the function that sends the 200 OK with an SDP; returns the SDP's future,
#: or None to leave the call unanswered. It must not block.
EarlyAnswer = Callable[[str, str, str, str, Callable[[str], None]], "Future[str] | None"]


class Leg:
    """One SIP dialog of the B2BUA (the caller's, or one it placed to a phone or customer).

    ``call_id`` and ``local_tag`` identify it to rtpengine; ``remote_tag`` is known once the
    far end answered (or, for an inbound leg, from the INVITE).
    """

    def __init__(
        self, stack: SipStack, key: int, call_id: str, local_tag: str, remote_tag: str
    ) -> None:
        self.stack = stack
        self.key = key
        self.call_id = call_id
        self.local_tag = local_tag
        self.remote_tag = remote_tag
        self.listener: Listener = _ignore
        self.ended: Ended | None = None

    def __repr__(self) -> str:
        return f"<Leg {self.key} {self.call_id}>"

    def reinvite(self, sdp: str) -> None:
        """Move an answered leg's media to ``sdp`` (a re-INVITE); :class:`Updated` follows."""
        self.stack.post(self.stack.core_reinvite, self.key, sdp)

    def reject(self, code: int, reason: str) -> None:
        """Refuse an inbound INVITE not yet answered (404, 480, 486, 503 ...)."""
        self._end(Ended(reason, code, by="local"))
        self.stack.post(self.stack.core_reject, self.key, code, reason)

    def hangup(self) -> None:
        """End the leg: BYE when answered, CANCEL while ringing out, 487 while ringing in.
        Harmless when it has ended already."""
        if self.ended is not None:
            return
        self._end(Ended("hangup", by="local"))
        self.stack.post(self.stack.core_hangup, self.key)

    def deliver(self, event: LegEvent) -> None:
        """Called on the asyncio loop with an event from sippy."""
        if self.ended is not None:
            return  # a late response or BYE after we ended it ourselves
        if isinstance(event, Answered):
            self.remote_tag = event.remote_tag
        if isinstance(event, Ended):
            self._end(event)
            return
        self.listener(self, event)

    def _end(self, event: Ended) -> None:
        if self.ended is not None:
            return
        self.ended = event
        self.stack.legs.pop(self.key, None)
        listener, self.listener = self.listener, _ignore
        # Its owner (a call) holds the leg and the leg held the owner's method: dropped,
        # the two are freed when the call ends, not left to the cyclic collector, whose
        # full passes stop every thread for as long as such garbage takes to walk.
        listener(self, event)


def _ignore(leg: Leg, event: LegEvent) -> None:
    """The listener of a leg nobody listens to yet."""


class _SipLogger:
    """What sippy expects of a logger, written to Python logging (debug level)."""

    level = 3  # sippy's SIPLOG_ERR: sippy itself logs only errors

    def write(self, *args: object, **_: object) -> None:
        if sip_log.isEnabledFor(logging.DEBUG):
            sip_log.debug("".join(str(a) for a in args).rstrip())


class _SippyThread:
    """The one thread per process where sippy lives; started on first use, never stopped
    (sippy's event dispatcher cannot move to another thread)."""

    _lock = threading.Lock()
    _instance: _SippyThread | None = None

    def __init__(self) -> None:
        self.ready: Future[Any] = Future()
        self.thread = threading.Thread(target=self._run, name="frontdesk-sippy", daemon=True)
        self.thread.start()
        self.ed2 = self.ready.result(timeout=10)

    @classmethod
    def get(cls) -> _SippyThread:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _run(self) -> None:
        from sippy.Core.EventDispatcher import ED2

        self.ready.set_result(ED2)
        while True:  # a stack's stop breaks the loop only to end its own calls
            ED2.loop()

    def call(self, function: Callable[..., object], *args: object) -> None:
        self.ed2.callFromThread(function, *args)

    def call_sync(self, function: Callable[..., Any], *args: object) -> Any:
        return self.ed2.callFromThreadSync(function, *args)


class SipStack:
    """The B2BUA's SIP side: listens on ``host:port``, answers each new INVITE through
    ``answer_early`` and reports it to ``on_invite``, and places calls through ``proxy``
    (Kamailio)."""

    def __init__(
        self,
        host: str,
        port: int,
        proxy: tuple[str, int],
        on_invite: Callable[[Invite], None],
        answer_early: EarlyAnswer,
    ) -> None:
        self.host = host
        self.port = port
        self.proxy = proxy
        self.on_invite = on_invite
        self.answer_early = answer_early
        self.legs: dict[int, Leg] = {}  # asyncio side: legs not ended
        self._uas: dict[int, Any] = {}  # sippy side: the UA of each leg
        self._inbound: dict[str, int] = {}  # sippy side: the Call-IDs of inbound legs
        self._reinviting: set[int] = set()  # sippy side: legs whose re-INVITE is pending
        self._keys = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sippy: _SippyThread | None = None
        self._config: dict[str, Any] = {}

    # --- asyncio side ---------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._sippy = _SippyThread.get()
        await asyncio.to_thread(self._sippy.call_sync, self._core_start)
        log.info("SIP stack listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Hang up every leg and close the SIP port."""
        for leg in tuple(self.legs.values()):
            leg.hangup()
        if self._sippy is not None:
            await asyncio.to_thread(self._sippy.call_sync, self._core_stop)
            self._sippy = None

    def dial(
        self, user: str, caller: str, display: str, sdp: str, listener: Listener,
        via: tuple[str, int] | None = None,
    ) -> Leg:  # fmt: skip
        """INVITE ``sip:<user>@<via>`` (by default the proxy, where phones register) from
        ``caller`` with ``sdp``; events go to ``listener``. Returns at once: the leg's
        events tell what happens."""
        from_tag = f"fd{next(self._keys)}x{id(self) & 0xFFFF:x}"
        key = next(self._keys)
        call_id = f"{key}-{from_tag}@{self.host}"
        leg = Leg(self, key, call_id, from_tag, "")
        leg.listener = listener
        self.legs[key] = leg
        self.post(
            self.core_dial, key, call_id, from_tag, user, caller, display, sdp, via or self.proxy
        )
        return leg

    def post(self, function: Callable[..., object], *args: object) -> None:
        if self._sippy is not None:
            self._sippy.call(function, *args)

    def _to_loop(self, function: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(function, *args)

    def _event(self, key: int, event: LegEvent) -> None:
        leg = self.legs.get(key)
        if leg is not None:
            leg.deliver(event)

    def _invite(self, key: int, call_id: str, remote_tag: str, details: tuple[Any, ...]) -> None:
        ani, dnis, sdp, source, media = details
        leg = Leg(self, key, call_id, "", remote_tag)
        self.legs[key] = leg
        self.on_invite(Invite(leg, ani, dnis, sdp, source, media))

    # --- sippy side (run in sippy's thread only) ------------------------------------------
    def _core_start(self) -> None:
        from sippy.SipConf import SipConf
        from sippy.SipTransactionManager import SipTransactionManager

        SipConf.my_uaname = USER_AGENT
        SipConf.allow_formats = (0, 8, 101)
        SipConf.my_address, SipConf.my_port = self.host, self.port
        self._config = {
            "_sip_address": self.host,
            "_sip_port": self.port,
            "_sip_logger": _SipLogger(),
        }
        self._config["_sip_tm"] = SipTransactionManager(self._config, self._core_request)

    def _core_stop(self) -> None:
        for ua in tuple(self._uas.values()):
            self._disconnect(ua)
        self._uas.clear()
        self._inbound.clear()
        tm = self._config.get("_sip_tm")
        if tm is not None:
            # Only the port closes: sippy's timers of the calls just ended still hold the
            # transaction manager, and run out harmlessly against it.
            tm.l4r.shutdown()

    def _core_request(self, request: Any, transaction: Any) -> Any:
        """An out-of-dialog request (in-dialog ones go to their UA)."""
        method = request.getMethod()
        if request.getHFBody("to").getTag() is not None:
            return (request.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)
        if method == "INVITE":
            return self._core_invite(request, transaction)
        if method in ("OPTIONS", "NOTIFY"):
            return (request.genResponse(200, "OK"), None, None)
        return (request.genResponse(405, "Method Not Allowed"), None, None)

    def _core_invite(self, request: Any, transaction: Any) -> Any:
        from sippy.UA import UA

        call_id = str(request.getHFBody("call-id"))
        if call_id in self._inbound:  # the same call again (a loop, or a forking proxy)
            return (request.genResponse(482, "Loop Detected"), None, None)
        key = next(self._keys)
        ua = UA(self._config, event_cb=lambda event, ua: self._core_event(key, event, ua))
        ua.lContact = self._contact()
        self._uas[key] = ua
        self._inbound[call_id] = key
        remote_tag = request.getHFBody("from").getTag() or ""
        host, port = request.getSource()
        body = request.getBody()
        dnis = request.getRURI().username or ""
        sdp = str(body) if body is not None else ""
        media = self.answer_early(
            call_id, remote_tag, dnis, sdp, lambda answer: self.post(self.core_answer, key, answer)
        )
        details = (
            request.getHFBody("from").getUrl().username or "",
            dnis,
            sdp,
            (str(host), int(port)),
            media,
        )
        self._to_loop(self._invite, key, call_id, remote_tag, details)
        return ua.recvRequest(request, transaction)

    def _core_event(self, key: int, event: Any, ua: Any) -> None:
        from sippy.CCEvents import (
            CCEventConnect,
            CCEventDisconnect,
            CCEventFail,
            CCEventPreConnect,
            CCEventRing,
            CCEventUpdate,
        )

        if isinstance(event, CCEventRing | CCEventPreConnect):
            self._to_loop(self._event, key, Ringing())
        elif isinstance(event, CCEventConnect):
            _, _, body = event.getData()
            sdp = str(body) if body else ""
            if key in self._reinviting:
                self._reinviting.discard(key)
                self._to_loop(self._event, key, Updated(sdp))
            else:
                self._to_loop(self._event, key, Answered(sdp, ua.rUri.getTag() or ""))
        elif isinstance(event, CCEventFail) and key in self._reinviting:
            # a refused re-INVITE leaves the call as it was (RFC 3261 14.1)
            self._reinviting.discard(key)
            self._to_loop(self._event, key, Updated(""))
        elif isinstance(event, CCEventFail):
            code, reason = event.getData()[:2]
            self._forget(key)
            self._to_loop(self._event, key, Ended(str(reason), int(code)))
        elif isinstance(event, CCEventDisconnect):
            self._forget(key)
            self._to_loop(self._event, key, Ended("bye"))
        elif isinstance(event, CCEventUpdate):
            # A re-INVITE (hold, codec change): rtpengine keeps relaying whatever the
            # phone sends, so the answer is the SDP we gave before.
            ua.recvEvent(CCEventConnect((200, "OK", ua.lSDP)))

    def core_answer(self, key: int, sdp: str) -> None:
        from sippy.CCEvents import CCEventConnect
        from sippy.MsgBody import MsgBody

        ua = self._uas.get(key)
        if ua is not None:
            ua.recvEvent(CCEventConnect((200, "OK", MsgBody(sdp))))

    def core_reinvite(self, key: int, sdp: str) -> None:
        from sippy.CCEvents import CCEventUpdate
        from sippy.MsgBody import MsgBody

        ua = self._uas.get(key)
        if ua is not None and ua.isConnected():
            self._reinviting.add(key)
            ua.recvEvent(CCEventUpdate(MsgBody(sdp)))

    def core_reject(self, key: int, code: int, reason: str) -> None:
        from sippy.CCEvents import CCEventFail

        ua = self._forget(key)
        if ua is not None:
            ua.recvEvent(CCEventFail((code, reason)))

    def core_hangup(self, key: int) -> None:
        ua = self._forget(key)
        if ua is not None:
            self._disconnect(ua)

    def _forget(self, key: int) -> Any:
        """The leg ``key`` is over: its UA (None if gone already), no longer ours."""
        ua = self._uas.pop(key, None)
        if ua is not None and ua.cId is not None:
            call_id = str(ua.cId)
            if self._inbound.get(call_id) == key:
                del self._inbound[call_id]
        return ua

    @staticmethod
    def _disconnect(ua: Any) -> None:
        from sippy.CCEvents import CCEventDisconnect, CCEventFail

        if ua.isDead():
            return
        if ua.isConnected() or ua.origin == "callee":  # answered, or ours ringing out
            ua.recvEvent(CCEventDisconnect())
        else:  # an inbound call not answered yet
            ua.recvEvent(CCEventFail((487, "Request Terminated")))

    def core_dial(
        self, key: int, call_id: str, from_tag: str, user: str, caller: str, display: str,
        sdp: str, via: tuple[str, int],
    ) -> None:  # fmt: skip
        from sippy.CCEvents import CCEventTry
        from sippy.MsgBody import MsgBody
        from sippy.SipCallId import SipCallId
        from sippy.UA import UA

        ua = UA(
            self._config,
            event_cb=lambda event, ua: self._core_event(key, event, ua),
            nh_address=via,
            ltag=from_tag,
        )
        ua.lContact = self._contact()
        self._uas[key] = ua
        ua.recvEvent(CCEventTry((SipCallId(call_id), caller, user, MsgBody(sdp), None, display)))

    def _contact(self) -> Any:
        from sippy.SipContact import SipContact

        # sippy's default Contact has the display name "Anonymous"; some peers copy it
        # into the Request-URI of later requests, so it goes.
        contact = SipContact()
        contact.address.name = None
        return contact
