"""The coroutines one call runs beside its main flow (an agent answering, a key pressed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class CallTasks:
    """Tasks of one call: cancelled together when the call ends; one that fails is logged
    and ends the call (``on_failure``), so no error leaves a call half done."""

    def __init__(self, name: str, on_failure: Callable[[], None]) -> None:
        self.name = name
        self.on_failure = on_failure
        self.running: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.running.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call %s: %s", self.name, task.exception(), exc_info=task.exception())
            self.on_failure()

    def cancel(self) -> None:
        for task in tuple(self.running):
            task.cancel()
