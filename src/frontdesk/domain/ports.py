"""Ports: what the core needs from the world, as Protocols."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The only source of time. Live: the wall clock; simulation: virtual time."""

    def now(self) -> datetime: ...
