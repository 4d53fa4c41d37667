"""SIP call legs, with an asyncio face for call control; SIP itself runs in a process of
its own (:mod:`frontdesk.channels.voice.sip_process`, on sippy).

Everything crosses between the two processes as a message over a socket pair
(:mod:`frontdesk.channels.voice.frames`):

- service → SIP process: :class:`Leg` methods and :meth:`SipStack.dial` send a command;
  they never block and never wait for an answer;
- SIP process → service: every new call, the outcome of its answer, and every SIP event
  of a leg (ringing, answered, ended), in the order sippy saw them.

A new call to one of the service's numbers is answered in the SIP process, without the
service (:mod:`frontdesk.channels.voice.sip_core`): :class:`Invite` carries the future of
the SDP it was answered with. A call to a number the SIP process does not know comes
unanswered; the service refuses it, or has it answered (:meth:`SipStack.answer`). The
numbers are the service's to keep up to date (:meth:`SipStack.sync_numbers`).

A leg's events reach its ``listener`` in the order sippy saw them; a leg reports
:class:`Ended` exactly once, whoever ended it, and the SIP process dying ends every leg.
The stack itself knows nothing of contacts, queues or media:
:mod:`frontdesk.channels.voice.calls` decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from frontdesk.channels.voice.errors import DaemonError, MediaError
from frontdesk.channels.voice.frames import Frames, frame

log = logging.getLogger(__name__)

#: The name the B2BUA gives in User-Agent and Server headers.
USER_AGENT = "Frontdesk"
#: Seconds the SIP process may take to start, and to stop once its calls are ended.
PROCESS_WAIT = 10.0


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
    """A new inbound call: the caller's leg.

    ``media`` is the SDP the caller is answered with, once rtpengine has anchored them (a
    :class:`MediaError` when it could not); None when the SIP process did not answer
    (a number it does not know)."""

    leg: Leg
    ani: str  # the From user: the caller's number as the trunk gave it
    dnis: str  # the Request-URI user: the number dialled
    sdp: str
    source: tuple[str, int]
    media: asyncio.Future[str] | None = None


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
        self.stack.send(("reinvite", self.key, sdp))

    def reject(self, code: int, reason: str) -> None:
        """Refuse an inbound call (404, 480, 486, 503 ...); one the SIP process has
        answered already gets a BYE instead."""
        self._end(Ended(reason, code, by="local"))
        self.stack.send(("reject", self.key, code, reason))

    def hangup(self) -> None:
        """End the leg: BYE when answered, CANCEL while ringing out, 487 while ringing in.
        Harmless when it has ended already."""
        if self.ended is not None:
            return
        self._end(Ended("hangup", by="local"))
        self.stack.send(("hangup", self.key))

    def deliver(self, event: LegEvent) -> None:
        """An event of the leg, from the SIP process."""
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


class SipStack:
    """The B2BUA's SIP side: a SIP process listening on ``host:port`` that answers the
    calls to ``numbers()`` with media anchored in rtpengine (its control port at
    ``ng``, media on ``media_host``), reports every new INVITE to ``on_invite``, and
    places calls through ``proxy`` (Kamailio)."""

    def __init__(
        self, host: str, port: int, proxy: tuple[str, int], on_invite: Callable[[Invite], None],
        ng: tuple[str, int], media_host: str, numbers: Callable[[], frozenset[str]],
    ) -> None:  # fmt: skip
        self.host = host
        self.port = port
        self.proxy = proxy
        self.on_invite = on_invite
        self.ng = ng
        self.media_host = media_host
        self.numbers = numbers
        self.legs: dict[int, Leg] = {}  # legs not ended
        self.pid: int | None = None  # the SIP process's, once it runs
        self._media: dict[int, asyncio.Future[str]] = {}  # answers the SIP process owes
        self._keys = itertools.count(-1, -1)  # the SIP process numbers its own legs from 1
        self._process: subprocess.Popen[bytes] | None = None
        self._transport: asyncio.Transport | None = None
        self._ready: asyncio.Future[None] | None = None
        self._gone: asyncio.Event = asyncio.Event()
        self._stopping = False
        self._numbers: frozenset[str] = frozenset()

    @property
    def running(self) -> bool:
        """The SIP process is up (False before :meth:`start`, after :meth:`stop` or when
        it died)."""
        return self._transport is not None

    async def start(self) -> None:
        """Start the SIP process; returns once it listens. DaemonError ``voice.sip`` when
        it cannot (the port is taken ...)."""
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "frontdesk.channels.voice.sip_process",
                 str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
            )  # fmt: skip
        self._gone = asyncio.Event()
        self._stopping = False
        self._ready = loop.create_future()
        transport, _ = await loop.create_unix_connection(lambda: _Receiver(self), sock=ours)
        self._transport = transport
        self._numbers = self.numbers()
        level = logging.getLogger("frontdesk").getEffectiveLevel()
        self.send(("start", self.host, self.port, *self.ng, self.media_host, self._numbers,
                    level))  # fmt: skip
        try:
            await asyncio.wait_for(self._ready, PROCESS_WAIT)
        except (DaemonError, TimeoutError) as error:
            self._stopping = True  # its end is no news
            await self._end_process()
            if isinstance(error, DaemonError):
                raise
            raise DaemonError("the SIP process did not start", code="voice.sip") from None
        log.info("SIP stack listening on %s:%d (process %s)", self.host, self.port, self.pid)

    async def stop(self) -> None:
        """Hang up every leg and end the SIP process."""
        for leg in tuple(self.legs.values()):
            leg.hangup()
        self._stopping = True
        self.send(("stop",))
        await self._end_process()

    async def _end_process(self) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._gone.wait(), PROCESS_WAIT)
        try:
            await asyncio.to_thread(process.wait, PROCESS_WAIT)
        except subprocess.TimeoutExpired:
            log.error("the SIP process did not stop; killing it")
            process.kill()
            await asyncio.to_thread(process.wait)
        if self._transport is not None:
            self._transport.close()
        self._process = None

    def sync_numbers(self, *, force: bool = False) -> None:
        """Tell the SIP process the numbers to answer, if they changed since last told
        (``force``: whatever it was told, it answered a call it should not have, or
        left one it should have answered)."""
        numbers = self.numbers()
        if force or numbers != self._numbers:
            self._numbers = numbers
            self.send(("numbers", numbers))

    def answer(self, leg: Leg, sdp: str) -> asyncio.Future[str]:
        """Have the inbound ``leg`` (offering ``sdp``), which the SIP process left
        unanswered, answered as it answers the calls to known numbers."""
        media = self._media[leg.key] = asyncio.get_running_loop().create_future()
        self.send(("answer", leg.key, leg.call_id, leg.remote_tag, sdp))
        return media

    def dial(
        self, user: str, caller: str, display: str, sdp: str, listener: Listener,
        via: tuple[str, int] | None = None,
    ) -> Leg:  # fmt: skip
        """INVITE ``sip:<user>@<via>`` (by default the proxy, where phones register) from
        ``caller`` with ``sdp``; events go to ``listener``. Returns at once: the leg's
        events tell what happens."""
        key = next(self._keys)
        from_tag = f"fd{-key}x{id(self) & 0xFFFF:x}"
        call_id = f"{-key}-{from_tag}@{self.host}"
        leg = Leg(self, key, call_id, from_tag, "")
        leg.listener = listener
        self.legs[key] = leg
        self.send(("dial", key, call_id, from_tag, user, caller, display, sdp, via or self.proxy))
        return leg

    def send(self, message: tuple[Any, ...]) -> None:
        """A command for the SIP process (dropped when it does not run: its legs ended)."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(frame(message))

    def _received(self, message: tuple[Any, ...]) -> None:
        name, *args = message
        if name == "event":
            leg = self.legs.get(args[0])
            if leg is not None:
                leg.deliver(args[1])
        elif name == "invite":
            self._invite(*args)
        elif name == "media":
            media = self._media.pop(args[0], None)
            if media is not None and not media.done():
                media.set_result(args[1])
        elif name == "media_failed":
            media = self._media.pop(args[0], None)
            if media is not None and not media.done():
                media.set_exception(MediaError(args[2], code=args[1]))
        elif name == "ready":
            self.pid = args[0]
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(None)
        elif name == "failed":
            if self._ready is not None and not self._ready.done():
                self._ready.set_exception(DaemonError(args[0], code="voice.sip"))
        elif name == "stopped":
            self._gone.set()

    def _invite(
        self, key: int, call_id: str, remote_tag: str, ani: str, dnis: str, sdp: str,
        source: tuple[str, int], answering: bool,
    ) -> None:  # fmt: skip
        leg = Leg(self, key, call_id, "", remote_tag)
        self.legs[key] = leg
        media = None
        if answering:
            media = self._media[key] = asyncio.get_running_loop().create_future()
        self.send(("taken", key))  # how far behind this loop is: the SIP process watches
        self.on_invite(Invite(leg, ani, dnis, sdp, source, media))

    def _lost(self) -> None:
        """The socket closed: the SIP process stopped, or died. Nothing it owed comes."""
        self._transport = None
        self._gone.set()
        if not self._stopping:
            log.error("the SIP process ended unexpectedly: its calls are lost")
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(DaemonError("the SIP process ended", code="voice.sip"))
        owed, self._media = self._media, {}
        for media in owed.values():
            if not media.done():
                media.set_exception(MediaError("the SIP process ended", code="media.unreachable"))
        for leg in tuple(self.legs.values()):
            leg.deliver(Ended("the SIP process ended", by="local"))


class _Receiver(asyncio.Protocol):
    def __init__(self, stack: SipStack) -> None:
        self.stack = stack
        self.frames = Frames()

    def data_received(self, data: bytes) -> None:
        for message in self.frames.feed(data):
            self.stack._received(message)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stack._lost()
