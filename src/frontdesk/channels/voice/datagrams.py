"""A UDP socket on the event loop that reads every waiting datagram at once.

asyncio's datagram transport reads one datagram each time the loop polls its socket, so
under load a busy loop (one iteration every few milliseconds) takes rtpengine's answers
slower than they come: in the voice benchmark at 25 calls/s they waited in the socket for
0.6 s (p50) and then past the ng client's 2 s timeout, while rtpengine itself was idle.
:class:`DatagramSocket` drains the socket each time it is readable.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

log = logging.getLogger(__name__)
#: Larger than any datagram rtpengine sends (an answer with a long SDP, a DTMF report).
MAX_DATAGRAM = 65_535


class DatagramSocket:
    """A non-blocking UDP socket bound to ``local`` or connected to ``remote``;
    ``on_datagram`` is called (in the loop) with each datagram received."""

    def __init__(self, on_datagram: Callable[[bytes], None], name: str) -> None:
        self.on_datagram = on_datagram
        self.name = name
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def open(self) -> bool:
        return self._socket is not None

    async def open_to(
        self, *, local: tuple[str, int] | None = None, remote: tuple[str, int] | None = None
    ) -> None:
        """Open the socket bound to ``local`` or connected to ``remote`` (one of the two);
        OSError when the address cannot be had (a port in use)."""
        given = local or remote
        if given is None or (local is not None and remote is not None):
            raise ValueError("a datagram socket is bound to a local address or connected")
        loop = asyncio.get_running_loop()
        host, port = given
        family, kind, protocol, _, address = (
            await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        )[0]
        sock = socket.socket(family, kind, protocol)
        try:
            sock.setblocking(False)
            if local is not None:
                sock.bind(address)
            if remote is not None:  # the kernel then drops datagrams of other senders
                sock.connect(address)
            loop.add_reader(sock.fileno(), self._drain)
        except BaseException:
            sock.close()
            raise
        self._socket, self._loop = sock, loop

    def close(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None and self._loop is not None:
            if not self._loop.is_closed():
                self._loop.remove_reader(sock.fileno())
            sock.close()

    def send(self, datagram: bytes) -> None:
        """Send to the connected address; a datagram the kernel cannot take now is lost,
        as UDP may lose it anyway (the ng client sends it again)."""
        if self._socket is None:
            return
        try:
            self._socket.send(datagram)
        except OSError as error:  # a full buffer, or "connection refused" from ICMP
            log.debug("%s: not sent: %s", self.name, error)

    def _drain(self) -> None:
        while self._socket is not None:
            try:
                data = self._socket.recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                continue  # an ICMP "port unreachable" for an earlier send: the peer is down
            except OSError as error:
                log.warning("%s: socket error %s", self.name, error)
                return
            self.on_datagram(data)
