"""The service's start-up as ``frontdesk serve`` and ``frontdesk demo`` run it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.app.runtime import Runtime
from frontdesk.config import Settings
from frontdesk.services.memory import FULL_COLLECTION_EVERY
from frontdesk.storage.sql import migrate


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Give the collector back its objects and its thresholds after the test."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def test_full_collections_are_rare_and_leave_out_what_start_up_loaded(
    tmp_path: Path, unfrozen: None
) -> None:
    settings = Settings(data_dir=str(tmp_path))
    await migrate(settings.database)
    gc.unfreeze()
    runtime = Runtime(settings)
    frontdesk = await runtime.start()
    try:
        # A full collection stops every call's next step: it must not walk the
        # modules, the schema and the desks loaded at start (tens of thousands of objects).
        assert gc.get_freeze_count() > 50_000
        assert len(gc.get_objects()) < gc.get_freeze_count() / 10
        desk = next(iter(frontdesk.dispatcher.desks.values()))
        assert gc.is_tracked(desk)
        assert not any(obj is desk for obj in gc.get_objects())  # frozen with the rest
        assert gc.get_threshold()[2] == FULL_COLLECTION_EVERY > 10  # CPython's default
    finally:
        await runtime.stop()
