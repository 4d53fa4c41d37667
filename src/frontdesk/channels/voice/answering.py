"""Inbound calls answered in the SIP process, off the service's event loop.

A caller's 200 OK waits for two rtpengine commands (``offer`` and ``answer``: the caller's
stream anchored against the placeholder, :meth:`CallMedia.open`). Run on the service's
event loop, they wait their turn behind everything else the loop does, the desk's
transactions above all: at 50 calls/s on SQLite, callers waited 0.5 s (p99) for their
200 OK although rtpengine answered in under a millisecond. The :class:`Answerer` runs
them on an event loop of its own, in a thread of its own, with its own ng client, from
the moment sippy receives the INVITE (:mod:`.sip_core`); the 200 OK goes back to sippy's
thread as soon as rtpengine has answered, and the call's task on the service's loop
carries on from there (:class:`~frontdesk.channels.voice.calls.Call`).

The answerer's loop runs nothing else, so it is never busy: the commands cross it at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future

from frontdesk.channels.voice.media import CallMedia
from frontdesk.channels.voice.ng import NgClient

#: Seconds the thread's start and stop may take.
THREAD_WAIT = 10.0


class Answerer:
    """Anchors new callers' media in rtpengine (at ``host``:``port``) from any thread."""

    def __init__(self, host: str, port: int, media_host: str) -> None:
        self.media_host = media_host
        self.ng = NgClient(host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread and its loop, the ng client open; returns once it is."""
        if self._thread is not None:
            return
        ready: Future[asyncio.AbstractEventLoop] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="frontdesk-answerer", daemon=True
        )
        self._thread.start()
        self._loop = ready.result(timeout=THREAD_WAIT)

    def stop(self) -> None:
        """Close the ng client (opens in flight fail) and end the thread."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(THREAD_WAIT)

    def open(
        self, call_id: str, caller_tag: str, sdp: str, answer: Callable[[str], None]
    ) -> Future[str]:
        """Anchor the caller's stream (``sdp`` offered, from tag ``caller_tag``); from any
        thread, without blocking. ``answer`` is called with rtpengine's SDP, in the
        answerer's thread, as soon as it comes (it sends the 200 OK); the future then
        holds that SDP, or the :class:`~frontdesk.channels.voice.errors.MediaError`."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("Answerer.start() was not called, or it stopped")
        media = CallMedia(self.ng, self.media_host, call_id, caller_tag, sdp)
        return asyncio.run_coroutine_threadsafe(_open(media, answer), loop)

    def _run(self, ready: Future[asyncio.AbstractEventLoop]) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self.ng.start())
            ready.set_result(loop)
            loop.run_forever()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise
        finally:
            # Opens still in flight end cancelled: whoever waits for one is told.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending))
            self.ng.close()
            loop.close()


async def _open(media: CallMedia, answer: Callable[[str], None]) -> str:
    sdp = await media.open()
    answer(sdp)
    return sdp
