"""Counting recent failures per key, in memory, to slow down guessing."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from datetime import datetime, timedelta


class FailureLimiter:
    """Allows at most ``limit`` failures per key within any ``window`` (a sliding window).

    Once a key has ``limit`` failures younger than ``window``, ``retry_after`` reports
    how long until the oldest of them ages out. Callers do not count refused attempts
    as failures, so a blocked key is free again exactly one window after its failures.

    The counts live in this process only: they are lost on restart and not shared
    between nodes, which is enough to make online guessing impractical.
    """

    def __init__(self, limit: int, window: timedelta) -> None:
        if limit < 1:
            raise ValueError(f"the failure limit must be at least 1, got {limit}")
        if window <= timedelta(0):
            raise ValueError(f"the failure window must be positive, got {window}")
        self.limit = limit
        self.window = window
        self._failures: dict[Hashable, deque[datetime]] = {}
        self._next_sweep: datetime | None = None

    def retry_after(self, key: Hashable, now: datetime) -> timedelta | None:
        """How long ``key`` must wait before its next attempt; None if it may try now."""
        failures = self._recent(key, now)
        if len(failures) < self.limit:
            return None
        return failures[0] + self.window - now

    def fail(self, key: Hashable, now: datetime) -> None:
        """Count one failure of ``key`` at ``now``."""
        self._sweep(now)
        failures = self._failures.get(key)
        if failures is None:
            # Only the newest ``limit`` failures decide, so older ones need not be kept.
            failures = self._failures[key] = deque(maxlen=self.limit)
        failures.append(now)

    def clear(self, key: Hashable) -> None:
        """Forget the failures of ``key`` (after it proved itself)."""
        self._failures.pop(key, None)

    def _recent(self, key: Hashable, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] + self.window <= now:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def _sweep(self, now: datetime) -> None:
        # Keys that are never tried again (guessed user names) would otherwise pile up;
        # dropping every expired key once per window bounds memory to recent keys.
        if self._next_sweep is not None and now < self._next_sweep:
            return
        for key in [
            k for k, failures in self._failures.items() if failures[-1] + self.window <= now
        ]:
            del self._failures[key]
        self._next_sweep = now + self.window
