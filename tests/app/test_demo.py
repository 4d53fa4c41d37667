"""The demo tenant as ``frontdesk demo`` serves it: loaded once, open whenever it is tried."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher

from frontdesk.app.demo import AROUND_THE_CLOCK, load_demo, open_around_the_clock
from frontdesk.app.demo_data import SUPPORT_NUMBER, generate
from frontdesk.app.runtime import assemble
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.ids import ContactId, TenantId
from frontdesk.services.intake import Submission
from frontdesk.sim.clock import SimClock
from frontdesk.storage.memory import MemoryStore
from frontdesk.web.container import Frontdesk

DEMO = TenantId("demo")
SUNDAY_NIGHT = datetime(2026, 12, 6, 0, 30, tzinfo=UTC)  # 03:30 in Moscow, a Sunday
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def test_a_demo_tried_on_a_sunday_night_still_reaches_agents() -> None:
    clock = SimClock(SUNDAY_NIGHT)
    frontdesk = assemble(MemoryStore(), clock, CHEAP)
    await frontdesk.dispatcher.start(run_timers=False)
    data = generate(1, DEMO, clock.now(), customers=40)
    assert await load_demo(frontdesk, DEMO, data)
    assert not await load_demo(frontdesk, DEMO, data)  # loaded once only
    submission = Submission(access_point=SUPPORT_NUMBER, sender="+79161112233")

    closed, _ = await frontdesk.dispatcher.submit(DEMO, submission)
    await frontdesk.dispatcher.settle()
    assert (await _state(frontdesk, closed.contact.id)) is ContactState.CALLBACK_SCHEDULED

    days = await open_around_the_clock(frontdesk, DEMO, clock.now())
    assert days == ["2026-12-06", "2026-12-07"]
    calendar = await frontdesk.configuration.get(DEMO, "calendars", "support")
    assert calendar["exceptions"]["2026-12-06"] == AROUND_THE_CLOCK
    assert calendar["hours"] == data.documents["calendars"]["support"]["hours"]  # kept

    opened, _ = await frontdesk.dispatcher.submit(DEMO, submission)
    await frontdesk.dispatcher.settle()
    assert (await _state(frontdesk, opened.contact.id)) is not ContactState.CALLBACK_SCHEDULED
    assert await open_around_the_clock(frontdesk, DEMO, clock.now()) == days  # idempotent
    await frontdesk.dispatcher.stop()


async def _state(frontdesk: Frontdesk, contact: ContactId) -> ContactState:
    async with frontdesk.store.transaction() as tx:
        live = await tx.contacts.get(DEMO, contact)
    assert live is not None
    return live.contact.state
