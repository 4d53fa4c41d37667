"""Previews on the simulator: the site built from a tenant's configuration, the traffic
from its history or generated, and the draft next to the published version."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.analytics.records import Outcome
from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.calendar import BusinessCalendar, TimeRange
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import AgentId, CustomerId, QueueId, TenantId
from frontdesk.domain.phones import normalize_phone
from frontdesk.domain.queues import AccessPoint, Queue
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.services.catalog import TenantConfig
from frontdesk.services.previews import PreviewCase, Traffic, TrafficKind
from frontdesk.sim.engine import Simulation
from frontdesk.sim.model import Arrival, SiteModel
from frontdesk.sim.preview import (
    DEFAULT_WRAP_UP,
    DEFAULTS,
    SimulatorPreview,
    behaviour_of,
    generated,
    replayed,
    roster_of,
    site_of,
    working_day,
    working_hours,
)

from .history import past_contact

TENANT = TenantId("acme")
MOSCOW = ZoneInfo("Europe/Moscow")
VOICE = "+74951234567"
CHAT = "chat-widget"
DAY = date(2025, 3, 3)  # a Monday
EPOCH = datetime(2025, 3, 3, tzinfo=MOSCOW)
OFFICE = BusinessCalendar(
    "office", "Europe/Moscow", {d: (TimeRange.parse("09:00-18:00"),) for d in range(5)}
)
QUEUES = {QueueId(q): Queue(QueueId(q), name=q.title()) for q in ("main", "sales", "nobody")}
CONFIG = TenantConfig(
    queues=QUEUES,
    access_points={
        VOICE: AccessPoint(VOICE, Channel.VOICE, line="sales"),
        CHAT: AccessPoint(CHAT, Channel.CHAT, line="support"),
    },
    calendars={"office": OFFICE},
)
AGENTS = (
    Agent(AgentId("anna"), queues=frozenset({QueueId("main"), QueueId("sales")}),
          state=AgentState.BUSY, load={Media.CALL: 1}),
    Agent(AgentId("boris"), queues=frozenset({QueueId("main")})),
)  # fmt: skip
ONE_QUEUE = "scenario: s\nversion: 1\ncalendar: office\nrules:\n  - queue: main\n"
WITH_MENU = """\
scenario: s
version: 1
calendar: office
rules:
  - menu: main
menus:
  main:
    prompt: p
    options:
      "1": {queue: sales}
      "2": {queue: main}
    on_fail: {queue: main}
"""
NOBODY = ONE_QUEUE.replace("queue: main", "queue: nobody")
CUSTOMER = CustomerProfile(
    CustomerId("c1"), category="VIP", phones=(normalize_phone("+79161112233"),)
)


def plan(text: str):  # type: ignore[no-untyped-def]
    return compile_scenario(text, Catalog(queues=QUEUES, calendars=("office",)))


YESTERDAY = Traffic()


def case(
    traffic: Traffic = YESTERDAY,
    history: tuple = (),  # type: ignore[type-arg]
    draft: str = ONE_QUEUE,
    current: str | None = ONE_QUEUE,
    **changes: object,
) -> PreviewCase:
    made = PreviewCase(
        tenant=TENANT,
        day=DAY,
        timezone="Europe/Moscow",
        draft=plan(draft),
        current=plan(current) if current else None,
        published=1 if current else None,
        config=CONFIG,
        agents=AGENTS,
        traffic=traffic,
        history=history,
        customers={CUSTOMER.id: CUSTOMER},
        staffing_calendar=OFFICE,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 3, hour, minute, tzinfo=MOSCOW).astimezone(UTC)


# --- the working day and the agents -------------------------------------------------------


def test_working_hours_come_from_the_calendar_in_seconds_after_midnight() -> None:
    assert working_hours(OFFICE, DAY) == ((9 * 3600.0, 18 * 3600.0),)
    assert working_hours(OFFICE, date(2025, 3, 8)) == ()  # a Saturday: closed
    night = BusinessCalendar("night", "Europe/Moscow", {0: (TimeRange.parse("22:00-06:00"),)})
    assert working_hours(night, DAY) == ((22 * 3600.0, 30 * 3600.0),)  # into the next morning
    assert working_hours(None, DAY) == ((9 * 3600.0, 18 * 3600.0),)  # no calendar: 9 to 6


def test_generated_traffic_falls_on_the_last_working_day() -> None:
    assert working_day(OFFICE, date(2025, 3, 9)) == date(2025, 3, 7)  # Sunday → Friday
    assert working_day(OFFICE, DAY) == DAY
    assert working_day(None, date(2025, 3, 9)) == date(2025, 3, 9)
    closed = BusinessCalendar("closed", "Europe/Moscow", {})
    with pytest.raises(ValidationError) as refused:
        working_day(closed, DAY)
    assert refused.value.code == "scenario.preview_no_working_day"


def test_every_agent_is_rostered_over_the_working_hours_free_of_live_work() -> None:
    roster = roster_of(AGENTS, working_hours(OFFICE, DAY), DAY)
    assert [entry.agent.id for entry in roster] == ["anna", "boris"]
    anna = roster[0]
    assert anna.agent.state is AgentState.LOGGED_OUT
    assert dict(anna.agent.load) == {}
    assert anna.agent.queues == AGENTS[0].queues  # skills and queues as configured
    assert [(s.start, s.end) for s in anna.shifts or ()] == [(32400.0, 64800.0)]
    assert anna.days == frozenset({1})


def test_the_site_is_the_tenants_configuration() -> None:
    site = site_of(case(), EPOCH, working_hours(OFFICE, DAY), [])
    assert site.queues is CONFIG.queues
    assert site.calendars is CONFIG.calendars
    assert site.epoch == EPOCH
    assert len(site.roster) == len(AGENTS)


# --- behaviour learned from history -------------------------------------------------------


def test_talk_wrap_up_and_patience_are_learned_from_the_day() -> None:
    history = [
        past_contact(TENANT, 1, at(10), access_point=VOICE, waited=20, talk=100, wrap_up=10),
        past_contact(TENANT, 2, at(11), access_point=VOICE, waited=40, talk=300, wrap_up=30),
        past_contact(TENANT, 3, at(12), access_point=VOICE, waited=60, abandoned=True),
    ]
    calls = behaviour_of(history, None)[Media.CALL]
    assert (calls.talk, calls.wrap_up) == (200.0, 20.0)
    assert calls.patience == (20 + 40 + 60) / 1  # time in line of all / those who gave up
    assert calls.learned


def test_without_history_the_defaults_are_assumed() -> None:
    behaviour = behaviour_of([], wrap_up=None)
    chats = behaviour[Media.CHAT]
    assert (chats.talk, chats.patience) == DEFAULTS[Media.CHAT]
    assert chats.wrap_up == DEFAULT_WRAP_UP
    assert not chats.learned
    assert behaviour[Media.EMAIL].patience is None  # e-mails do not give up
    assert behaviour_of([], wrap_up=45.0)[Media.CALL].wrap_up == 45.0  # the desk's setting


# --- traffic ------------------------------------------------------------------------------


def test_yesterday_is_replayed_as_it_came() -> None:
    history = (
        past_contact(TENANT, 1, at(10, 30), access_point=VOICE, customer=CUSTOMER.id,
                     digits={"main": "1"}, waited=15, talk=240, wrap_up=20),
        past_contact(TENANT, 2, at(11), access_point=VOICE, waited=70, abandoned=True),
        past_contact(TENANT, 3, at(12), access_point=VOICE, target="agent:anna"),
        past_contact(TENANT, 4, at(13), access_point="+74959999999"),
    )  # fmt: skip
    arrivals, left_out = replayed(case(history=history), EPOCH, behaviour_of(history, None),
                                  random.Random(1))  # fmt: skip
    assert left_out == 2  # routed without the scenario; an access point that is gone
    first, second = arrivals
    assert first.at == 10.5 * 3600
    assert first.access_point is CONFIG.access_points[VOICE]
    assert first.customer == CUSTOMER
    assert dict(first.digits) == {"main": "1"}
    assert (first.talk, first.wrap_up) == (240.0, 20.0)
    assert first.patience is not None
    assert first.patience > 15
    assert second.patience == 70.0  # gave up after 70 s: exactly their patience


def test_generated_traffic_has_the_rate_the_customers_and_the_menus() -> None:
    population = tuple(
        CustomerProfile(CustomerId(f"c{n}"), phones=(normalize_phone(f"+7916000{n:04d}"),))
        for n in range(50)
    )
    traffic = Traffic(TrafficKind.GENERATED, per_hour=120, access_point=VOICE, known_share=0.5)
    made = case(traffic, draft=WITH_MENU, population=population)
    hours = working_hours(OFFICE, DAY)
    arrivals = generated(made, hours, behaviour_of([], None), random.Random(7))
    assert 950 < len(arrivals) < 1210  # 120 an hour for 9 hours: 1,080 on average
    assert all(9 * 3600 <= a.at < 18 * 3600 for a in arrivals)
    known = [a for a in arrivals if a.customer is not None]
    assert 0.4 < len(known) / len(arrivals) < 0.6
    assert all(a.ani == str(a.customer.phones[0]) for a in known if a.customer)
    assert {a.digits["main"] for a in arrivals} == {"1", "2"}
    again = generated(made, hours, behaviour_of([], None), random.Random(7))
    assert again == arrivals  # drawn once, the same for the draft and the published run


def test_generated_traffic_needs_a_known_access_point() -> None:
    traffic = Traffic(TrafficKind.GENERATED, per_hour=10, access_point="+70000000000")
    with pytest.raises(ValidationError) as refused:
        generated(case(traffic), ((0.0, 3600.0),), behaviour_of([], None), random.Random(1))
    assert refused.value.code == "scenario.preview_traffic"
    default = generated(case(replace(traffic, access_point=None)), ((0.0, 36000.0),),
                        behaviour_of([], None), random.Random(1))  # fmt: skip
    assert {a.access_point.address for a in default} == {VOICE}  # the first voice number


# --- the engine replays arrivals ----------------------------------------------------------


def test_replayed_contacts_answer_menus_from_their_digits_and_give_up_on_time() -> None:
    point = CONFIG.access_points[VOICE]
    arrivals = (
        Arrival(at=36000.0, access_point=point, ani="+79160000001", talk=60, digits={"main": "1"}),
        Arrival(at=36010.0, access_point=point, ani="+79160000002", talk=60, digits={"main": "2"}),
        Arrival(at=36020.0, access_point=point, ani="+79160000003", talk=60, patience=5.0),
    )
    site = SiteModel(epoch=EPOCH, queues=QUEUES, roster=(), streams=(), arrivals=arrivals)
    result = Simulation(plan(WITH_MENU), site, 1).run(1.0)
    by_ani = {r.contact: r for r in result.records}
    assert [r.queue for r in result.records] == ["sales", "main", "main"]  # no digit: on_fail
    assert by_ani["c1"].queued_at == 36000.0  # a menu answered from digits takes no time
    third = by_ani["c3"]
    assert third.outcome is Outcome.ABANDONED
    assert third.ended_at == 36025.0


# --- the preview --------------------------------------------------------------------------


def yesterday() -> tuple:  # type: ignore[type-arg]
    return tuple(
        past_contact(TENANT, n, at(9) + timedelta(minutes=6 * n), access_point=VOICE,
                     waited=5, talk=200, wrap_up=10, abandoned=n % 9 == 0)
        for n in range(80)
    )  # fmt: skip


def test_a_draft_sending_everyone_to_an_unserved_queue_predicts_worse_service() -> None:
    preview = SimulatorPreview().preview(case(history=yesterday(), draft=NOBODY))
    assert preview.current is not None
    assert (preview.day, preview.contacts, preview.left_out) == (DAY, 80, 0)
    assert preview.staffing.agents == 2
    assert preview.staffing.hours == ("09:00-18:00",)
    assert [q.queue for q in preview.draft.queues] == ["main", "nobody"]
    assert [q.queue for q in preview.current.queues] == ["main", "nobody"]
    draft, current = preview.draft.total, preview.current.total
    assert draft.offered == current.offered == 80
    assert current.service_level is not None
    assert current.service_level > 90
    assert draft.service_level == 0.0
    assert draft.abandon_rate is not None
    assert draft.abandon_rate > 50
    nobody = preview.draft.queues[1]
    assert (nobody.name, nobody.target, nobody.answered) == ("Nobody", "80/20", 0)
    assert nobody.occupancy is None  # nobody serves it
    main = preview.current.queues[0]
    assert main.occupancy is not None
    assert 0 < main.occupancy < 100
    assert [b.media for b in preview.behaviour] == ["call"]


def test_the_same_case_gives_the_same_preview() -> None:
    made = case(Traffic(TrafficKind.GENERATED, per_hour=40), draft=NOBODY)
    assert SimulatorPreview().preview(made) == SimulatorPreview().preview(made)


def test_without_a_published_version_the_draft_is_shown_alone() -> None:
    preview = SimulatorPreview().preview(case(history=yesterday(), current=None))
    assert preview.current is None
    assert preview.draft.total.offered == 80


def test_a_day_without_contacts_cannot_be_replayed() -> None:
    with pytest.raises(ValidationError) as refused:
        SimulatorPreview().preview(case())
    assert refused.value.code == "scenario.preview_no_traffic"
