"""An asyncio client of rtpengine's ng control protocol (bencode over UDP).

A request is ``b"<cookie> " + bencode({"command": name, **params})`` and rtpengine answers
with the same cookie. UDP may lose either datagram, so the client sends the same datagram
again (same cookie) until an answer comes; rtpengine answers a repeated cookie from its cache
without running the command twice. Any number of commands may be in flight at once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Mapping

from frontdesk.channels.voice import bencode
from frontdesk.channels.voice.datagrams import DatagramSocket
from frontdesk.channels.voice.errors import MediaError

log = logging.getLogger(__name__)

#: Seconds after the first send at which a request still unanswered is sent again; after
#: the last one, every ``RESEND_EVERY`` seconds until the timeout.
RESEND_AT = (0.25, 0.5, 1.0)
RESEND_EVERY = 1.0


class NgClient:
    """ng client of the rtpengine at ``host``:``port``; :meth:`start` before use."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._socket = DatagramSocket(self._received, "ng")
        self._pending: dict[bytes, asyncio.Future[dict[str, object]]] = {}
        # rtpengine caches answers by cookie alone (for 30 to 60 s, whoever asked), so the
        # cookies of every client, and of this client before a restart, must differ.
        self._prefix = os.urandom(6).hex()
        self._serial = itertools.count(1)

    async def start(self) -> None:
        """Open the UDP socket (connected to rtpengine, so the kernel drops other senders)."""
        if not self._socket.open:
            await self._socket.open_to(remote=(self.host, self.port))

    def close(self) -> None:
        """Close the socket; commands still waiting fail with ``media.unreachable``."""
        self._socket.close()
        self._fail_pending("the ng client was closed")

    async def ping(self, timeout: float = 1.0) -> bool:
        """Whether rtpengine answers ``ping`` within ``timeout`` seconds."""
        try:
            reply = await self.command("ping", timeout=timeout)
        except MediaError:
            return False
        return reply.get("result") == "pong"

    async def command(
        self, name: str, params: Mapping[str, object] | None = None, *, timeout: float = 2.0
    ) -> dict[str, object]:
        """Run the ng command ``name`` with ``params`` and return rtpengine's answer.

        The answer's byte strings are decoded to ``str`` (UTF-8, invalid bytes replaced).
        An answer with a ``warning`` is returned (and the warning logged). Raises
        :class:`MediaError` with code ``media.rejected`` (details ``command`` and ``reason``)
        when rtpengine refuses (result ``error`` or ``load limit``), and ``media.unreachable``
        when no answer comes within ``timeout`` seconds.
        """
        if not self._socket.open:
            raise RuntimeError("NgClient.start() was not called, or the client is closed")
        cookie = f"{self._prefix}{next(self._serial)}".encode()
        datagram = cookie + b" " + bencode.encode({**(params or {}), "command": name})
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, object]] = loop.create_future()
        self._pending[cookie] = future
        resends = [
            loop.call_later(delay, self._resend, future, datagram)
            for delay in _resend_delays(timeout)
        ]
        started = loop.time()
        try:
            self._socket.send(datagram)
            reply = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise MediaError(
                f"rtpengine at {self.host}:{self.port} did not answer {name!r} "
                f"within {timeout:g} s",
                code="media.unreachable",
                command=name,
            ) from None
        finally:
            for handle in resends:
                handle.cancel()
            del self._pending[cookie]
        log.debug("ng %s answered in %.2f ms", name, (loop.time() - started) * 1000)
        result = reply.get("result")
        if result in ("error", "load limit"):
            reason = str(reply.get("error-reason") or reply.get("message") or result)
            raise MediaError(
                f"rtpengine refused {name!r}: {reason}",
                code="media.rejected",
                command=name,
                reason=reason,
            )
        if "warning" in reply:
            log.warning("rtpengine warns about %r: %s", name, reply["warning"])
        return reply

    def _resend(self, future: asyncio.Future[dict[str, object]], datagram: bytes) -> None:
        # A loop running late takes the answer and this timer in the same turn: the answer
        # first. Sent again anyway, every late command would cost rtpengine a second one
        # and the loop a second answer, just when it has the least time for them.
        if not future.done():
            self._socket.send(datagram)

    def _received(self, data: bytes) -> None:
        cookie, space, body = data.partition(b" ")
        if not space:
            log.warning("ng: dropped a datagram without a cookie: %r", data[:80])
            return
        future = self._pending.get(cookie)
        if future is None or future.done():
            # Usually rtpengine's answer to a resent request that was answered already.
            log.debug("ng: dropped an answer to no pending request (cookie %r)", cookie[:40])
            return
        try:
            reply = bencode.decode(body)
        except ValueError as error:
            log.warning("ng: dropped an undecodable answer: %s", error)
            return
        if not isinstance(reply, dict):
            log.warning("ng: dropped an answer that is not a dictionary: %r", body[:80])
            return
        future.set_result(
            {key.decode(errors="replace"): _text(item) for key, item in reply.items()}
        )

    def _fail_pending(self, why: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(MediaError(f"ng: {why}", code="media.unreachable", reason=why))


def _resend_delays(timeout: float) -> list[float]:
    delays = [delay for delay in RESEND_AT if delay < timeout]
    delay = RESEND_AT[-1] + RESEND_EVERY
    while delay < timeout:
        delays.append(delay)
        delay += RESEND_EVERY
    return delays


def _text(value: bencode.Value) -> object:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, list):
        return [_text(item) for item in value]
    if isinstance(value, dict):
        return {key.decode(errors="replace"): _text(item) for key, item in value.items()}
    return value
