"""Virtual time: seconds since the start of the run, shown as aware datetimes."""

from __future__ import annotations

from datetime import datetime, timedelta


class SimClock:
    """Implements the ``Clock`` port over virtual seconds since ``epoch``."""

    __slots__ = ("epoch", "seconds")

    def __init__(self, epoch: datetime) -> None:
        if epoch.tzinfo is None:
            raise ValueError("the simulation epoch must be timezone-aware")
        self.epoch = epoch
        self.seconds = 0.0  # where the run is now

    def now(self) -> datetime:
        return self.at(self.seconds)

    def at(self, seconds: float) -> datetime:
        """The instant ``seconds`` after the epoch."""
        return self.epoch + timedelta(seconds=seconds)
