"""The B2BUA's SIP side on sippy, run in the SIP process (:mod:`.sip_process`).

sippy has its own event loop (``EventDispatcher2``, a process-wide singleton bound to the
thread that first imports it); everything here runs in that thread. The service's
commands (answer, re-INVITE, reject, hang up, dial) come in as messages, and every SIP
event of a leg and every new call goes out as one, through ``emit``, in the order sippy
saw them (:class:`~frontdesk.channels.voice.sip.SipStack` is the service's side).

A new INVITE to one of the service's numbers (``numbers``, kept up to date by the
service) is answered here, without the service: the :class:`Answerer` anchors the caller
in rtpengine and the 200 OK goes out with its SDP. An INVITE to another number is handed
to the service unanswered; it refuses it, or asks for it to be answered (a number it
knows under another spelling). A second INVITE of a call in progress (the same Call-ID)
is refused at once with 482, before anything else sees it.

The service says when it has taken each new call (``taken``). While it is more than
:data:`OVERLOAD_AFTER` behind (its event loop stalled, or flooded), new calls are refused
with 503 and a Retry-After, so that a trunk offers them elsewhere, instead of being
answered into a silence nobody would end.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from typing import Any

from frontdesk.channels.voice.answering import Answerer
from frontdesk.channels.voice.errors import MediaError
from frontdesk.channels.voice.sip import USER_AGENT, Answered, Ended, Ringing, Updated

log = logging.getLogger(__name__)
sip_log = logging.getLogger("frontdesk.sip")

#: Seconds the SIP messages of the calls ended at stop may take to leave.
SEND_WAIT = 1.0
#: Seconds the service may be behind in taking the calls it was told of before new calls
#: are refused (503).
OVERLOAD_AFTER = 1.0
#: Seconds a refused caller's trunk is asked to wait before offering calls again.
RETRY_AFTER = 5

Emit = Callable[[tuple[Any, ...]], None]


class _SipLogger:
    """What sippy expects of a logger, written to Python logging (debug level)."""

    level = 3  # sippy's SIPLOG_ERR: sippy itself logs only errors

    def write(self, *args: object, **_: object) -> None:
        if sip_log.isEnabledFor(logging.DEBUG):
            sip_log.debug("".join(str(a) for a in args).rstrip())


class SipCore:
    """Listens on ``host:port``; ``emit`` takes every message for the service. Run every
    method in sippy's thread (``ed2`` is its dispatcher, for the answerer's replies)."""

    def __init__(self, host: str, port: int, answerer: Answerer, ed2: Any, emit: Emit) -> None:
        self.host = host
        self.port = port
        self.answerer = answerer
        self.ed2 = ed2
        self.emit = emit
        #: The numbers dialled that are answered here, as the service last sent them.
        self.numbers: frozenset[str] = frozenset()
        self._uas: dict[int, Any] = {}  # the UA of each leg
        self._inbound: dict[str, int] = {}  # the Call-IDs of inbound legs
        self._reinviting: set[int] = set()  # legs whose re-INVITE is pending
        self._untaken: dict[int, float] = {}  # new calls the service has not taken: since
        self._overloaded = False
        self._keys = itertools.count(1)  # the service numbers the legs it dials below 0
        self._config: dict[str, Any] = {}

    def start(self) -> None:
        """Open the SIP port (OSError when it cannot be had)."""
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
        self._config["_sip_tm"] = SipTransactionManager(self._config, self.request)

    def stop(self) -> None:
        """End every leg (BYE, CANCEL or 487) and close the port once they are sent."""
        for ua in tuple(self._uas.values()):
            self._disconnect(ua)
        self._uas.clear()
        self._inbound.clear()
        tm = self._config.get("_sip_tm")
        if tm is not None:
            # sippy sends from threads of its own, through a queue: closing the port at
            # once would drop the BYEs just queued.
            deadline = time.monotonic() + SEND_WAIT
            servers = tuple(tm.l4r.cache_l2s.values())
            while time.monotonic() < deadline and any(s.sendqueue.qsize() for s in servers):
                time.sleep(0.005)
            tm.l4r.shutdown()

    def command(self, message: tuple[Any, ...]) -> None:
        """One of the service's commands (:class:`~frontdesk.channels.voice.sip.SipStack`)."""
        name, *args = message
        if name == "taken":
            self._untaken.pop(args[0], None)
        elif name == "numbers":
            self.numbers = args[0]
        elif name == "answer":
            self.answer(*args)
        elif name == "reinvite":
            self.reinvite(*args)
        elif name == "reject":
            self.reject(*args)
        elif name == "hangup":
            self.hangup(*args)
        elif name == "dial":
            self.dial(*args)
        else:
            raise ValueError(f"unknown command {name!r}")

    # --- requests and events of sippy -----------------------------------------------------
    def request(self, request: Any, transaction: Any) -> Any:
        """An out-of-dialog request (in-dialog ones go to their UA)."""
        method = request.getMethod()
        if request.getHFBody("to").getTag() is not None:
            return (request.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)
        if method == "INVITE":
            return self._invite(request, transaction)
        if method in ("OPTIONS", "NOTIFY"):
            return (request.genResponse(200, "OK"), None, None)
        return (request.genResponse(405, "Method Not Allowed"), None, None)

    def _invite(self, request: Any, transaction: Any) -> Any:
        from sippy.UA import UA

        call_id = str(request.getHFBody("call-id"))
        if call_id in self._inbound:  # the same call again (a loop, or a forking proxy)
            return (request.genResponse(482, "Loop Detected"), None, None)
        if self._overload():
            from sippy.SipHeader import SipHeader

            refusal = request.genResponse(503, "Service Unavailable")
            refusal.appendHeader(SipHeader(f"Retry-After: {RETRY_AFTER}"))
            return (refusal, None, None)
        key = next(self._keys)
        ua = UA(self._config, event_cb=lambda event, ua: self._event(key, event, ua))
        ua.lContact = self._contact()
        self._uas[key] = ua
        self._inbound[call_id] = key
        remote_tag = request.getHFBody("from").getTag() or ""
        host, port = request.getSource()
        body = request.getBody()
        dnis = request.getRURI().username or ""
        sdp = str(body) if body is not None else ""
        ani = request.getHFBody("from").getUrl().username or ""
        answering = bool(dnis) and dnis in self.numbers
        # Reported before its media, so that the service knows the call the answer is of.
        self._untaken[key] = time.monotonic()
        self.emit(("invite", key, call_id, remote_tag, ani, dnis, sdp, (str(host), int(port)),
                   answering))  # fmt: skip
        if answering:
            self.answer(key, call_id, remote_tag, sdp)
        return ua.recvRequest(request, transaction)

    def _overload(self) -> bool:
        """Whether the service is too far behind to be given another call."""
        oldest = next(iter(self._untaken.values()), None)
        overloaded = oldest is not None and time.monotonic() - oldest > OVERLOAD_AFTER
        if overloaded != self._overloaded:
            self._overloaded = overloaded
            if overloaded:
                log.error("the service is %.1f s behind: new calls are refused with 503",
                          time.monotonic() - (oldest or 0))  # fmt: skip
            else:
                log.warning("the service has caught up: new calls are taken again")
        return overloaded

    def _event(self, key: int, event: Any, ua: Any) -> None:
        from sippy.CCEvents import (
            CCEventConnect,
            CCEventDisconnect,
            CCEventFail,
            CCEventPreConnect,
            CCEventRing,
            CCEventUpdate,
        )

        if isinstance(event, CCEventRing | CCEventPreConnect):
            self.emit(("event", key, Ringing()))
        elif isinstance(event, CCEventConnect):
            _, _, body = event.getData()
            sdp = str(body) if body else ""
            if key in self._reinviting:
                self._reinviting.discard(key)
                self.emit(("event", key, Updated(sdp)))
            else:
                self.emit(("event", key, Answered(sdp, ua.rUri.getTag() or "")))
        elif isinstance(event, CCEventFail) and key in self._reinviting:
            # a refused re-INVITE leaves the call as it was (RFC 3261 14.1)
            self._reinviting.discard(key)
            self.emit(("event", key, Updated("")))
        elif isinstance(event, CCEventFail):
            code, reason = event.getData()[:2]
            self._forget(key)
            self.emit(("event", key, Ended(str(reason), int(code))))
        elif isinstance(event, CCEventDisconnect):
            self._forget(key)
            self.emit(("event", key, Ended("bye")))
        elif isinstance(event, CCEventUpdate):
            # A re-INVITE (hold, codec change): rtpengine keeps relaying whatever the
            # phone sends, so the answer is the SDP we gave before.
            ua.recvEvent(CCEventConnect((200, "OK", ua.lSDP)))

    # --- the service's commands -----------------------------------------------------------
    def answer(self, key: int, call_id: str, caller_tag: str, sdp: str) -> None:
        """Anchor the caller of inbound leg ``key`` and answer it with rtpengine's SDP;
        the service is told the SDP (``media``) or why there is none (``media_failed``)."""
        if key not in self._uas:  # the caller hung up before the service asked
            self.emit(("media_failed", key, "media.unreachable", "the call has ended"))
            return
        media = self.answerer.open(
            call_id, caller_tag, sdp, lambda answer: self.ed2.callFromThread(self._ok, key, answer)
        )
        media.add_done_callback(lambda done: self.emit(_media_outcome(key, done)))

    def _ok(self, key: int, sdp: str) -> None:
        from sippy.CCEvents import CCEventConnect
        from sippy.MsgBody import MsgBody

        ua = self._uas.get(key)
        if ua is not None:
            ua.recvEvent(CCEventConnect((200, "OK", MsgBody(sdp))))

    def reinvite(self, key: int, sdp: str) -> None:
        from sippy.CCEvents import CCEventUpdate
        from sippy.MsgBody import MsgBody

        ua = self._uas.get(key)
        if ua is not None and ua.isConnected():
            self._reinviting.add(key)
            ua.recvEvent(CCEventUpdate(MsgBody(sdp)))

    def reject(self, key: int, code: int, reason: str) -> None:
        from sippy.CCEvents import CCEventFail

        ua = self._forget(key)
        if ua is not None:
            ua.recvEvent(CCEventFail((code, reason)))

    def hangup(self, key: int) -> None:
        ua = self._forget(key)
        if ua is not None:
            self._disconnect(ua)

    def dial(
        self, key: int, call_id: str, from_tag: str, user: str, caller: str, display: str,
        sdp: str, via: tuple[str, int],
    ) -> None:  # fmt: skip
        from sippy.CCEvents import CCEventTry
        from sippy.MsgBody import MsgBody
        from sippy.SipCallId import SipCallId
        from sippy.UA import UA

        ua = UA(
            self._config,
            event_cb=lambda event, ua: self._event(key, event, ua),
            nh_address=via,
            ltag=from_tag,
        )
        ua.lContact = self._contact()
        self._uas[key] = ua
        ua.recvEvent(CCEventTry((SipCallId(call_id), caller, user, MsgBody(sdp), None, display)))

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

    def _contact(self) -> Any:
        from sippy.SipContact import SipContact

        # sippy's default Contact has the display name "Anonymous"; some peers copy it
        # into the Request-URI of later requests, so it goes.
        contact = SipContact()
        contact.address.name = None
        return contact


def _media_outcome(key: int, done: Future[str]) -> tuple[Any, ...]:
    try:
        return ("media", key, done.result())
    except MediaError as error:
        return ("media_failed", key, error.code, error.message)
    except CancelledError:
        return ("media_failed", key, "media.unreachable", "the SIP process stopped")
