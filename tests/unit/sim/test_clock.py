"""Virtual time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.sim.clock import SimClock


def test_virtual_seconds_become_instants_after_the_epoch() -> None:
    epoch = datetime(2025, 3, 3, tzinfo=UTC)
    clock = SimClock(epoch)
    assert clock.now() == epoch
    clock.seconds = 90.5
    assert clock.now() == epoch + timedelta(seconds=90.5)
    assert clock.at(3600) == epoch + timedelta(hours=1)


def test_a_naive_epoch_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimClock(datetime(2025, 3, 3))
