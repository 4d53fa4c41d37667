"""The SIP process: sippy and the answerer, beside the service's process.

``python -m frontdesk.channels.voice.sip_process FD`` is started by
:class:`~frontdesk.channels.voice.sip.SipStack` with one end of a socket pair as ``FD``;
the first message over it says where to listen and where rtpengine is. The process then
runs sippy's event loop in its main thread (:class:`~.sip_core.SipCore`), the answerer in
a thread of its own, and a thread that reads the service's commands.

It is a process of its own so that a caller's 200 OK never waits for the service: in one
process, sippy's thread and the answerer's waited for the GIL behind the event loop's
thread (the desk's SQLite transactions, above all) and stopped with it for every
collection of the garbage of the desk and of the calls. Here they wait for nothing but
rtpengine.

It asks for a scheduling priority :data:`PRIORITY_BOOST` above the service's (as
Asterisk's ``-p`` and FreeSWITCH's ``-rp`` do for their call handling): when the cores are
busy with the desk's work, a caller's 200 OK waits less for one. Raising a priority needs
root or CAP_SYS_NICE; without, the process runs at the service's, and says so.

It ends when the service says ``stop`` (every leg is ended first) or when the socket
closes (the service died: the same). It ignores Ctrl-C, which the terminal sends to the
service too; the service stops it in order.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

from frontdesk.channels.voice.answering import Answerer
from frontdesk.channels.voice.frames import FrameError, Frames, frame
from frontdesk.channels.voice.sip_core import SipCore
from frontdesk.services.memory import settle_memory

log = logging.getLogger(__name__)

#: Bytes read from the socket at a time.
READ_SIZE = 1 << 16
#: Nice levels the SIP process asks to be above the service (``os.nice``).
PRIORITY_BOOST = 10
#: Set when the service said stop (or went): sippy's loop then ends for good.
_stopping = threading.Event()


class Link:
    """This process's end of the socket pair: messages sent from any thread, read by one."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._frames = Frames()
        self._pending: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        data = frame(message)
        with self._lock:
            try:
                self.sock.sendall(data)
            except OSError:  # the service is gone; the reader ends this process
                log.debug("SIP process: message %r not sent: the service is gone", message[0])

    def receive(self) -> tuple[Any, ...] | None:
        """The next message; None when the service closed its end."""
        while not self._pending:
            data = self.sock.recv(READ_SIZE)
            if not data:
                return None
            self._pending.extend(self._frames.feed(data))
        return self._pending.pop(0)


def serve(link: Link) -> int:
    start = link.receive()
    if start is None or start[0] != "start":
        return 2
    _, host, port, ng_host, ng_port, media_host, numbers, level = start
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s (SIP process): %(message)s"
    )
    _raise_priority()
    from sippy.Core.EventDispatcher import ED2

    answerer = Answerer(ng_host, ng_port, media_host)
    answerer.start()
    core = SipCore(host, port, answerer, ED2, link.send)
    core.numbers = numbers
    try:
        core.start()
    except OSError as error:
        link.send(("failed", f"cannot listen for SIP on {host}:{port}: {error}"))
        answerer.stop()
        return 1
    link.send(("ready", os.getpid()))
    threading.Thread(
        target=_read, args=(link, core, ED2), name="frontdesk-sip-commands", daemon=True
    ).start()
    settle_memory()
    while not _stopping.is_set():
        try:
            ED2.loop()
        except Exception:  # a bug in one call's handling must not end every call
            log.exception("SIP process: an event failed")
    answerer.stop()
    link.send(("stopped",))
    return 0


def _raise_priority() -> None:
    try:
        os.nice(-PRIORITY_BOOST)
    except PermissionError:
        log.info("SIP process: runs at the service's priority (a higher one needs root or "
                 "CAP_SYS_NICE)")  # fmt: skip


def _read(link: Link, core: SipCore, ed2: Any) -> None:
    while True:
        try:
            message = link.receive()
        except (OSError, FrameError) as error:  # the service is gone, or broken: stop
            log.error("SIP process: reading the service's commands failed: %s", error)
            message = None
        if message is None or message[0] == "stop":
            ed2.callFromThread(_stop, core, ed2)
            return
        ed2.callFromThread(_command, core, message)


def _command(core: SipCore, message: tuple[Any, ...]) -> None:
    try:
        core.command(message)
    except Exception:
        log.exception("SIP process: command %r failed", message[0])


def _stop(core: SipCore, ed2: Any) -> None:
    _stopping.set()
    try:
        core.stop()
    finally:
        ed2.breakLoop()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = serve(Link(socket.socket(fileno=int(sys.argv[1]))))
    logging.shutdown()
    # sippy's own threads are not all daemons, and nothing of theirs is left to finish.
    os._exit(code)


if __name__ == "__main__":
    main()
