"""Previews of a scenario on a tenant's own day: the simulator's side of the
:class:`~frontdesk.services.previews.ScenarioSimulator` port.

A preview builds one site from the tenant's live configuration (queues, calendars,
lists, access points, agents) and one list of contacts, and runs the draft and the
published scenario on the very same contacts with the very same agents, so what differs
between the two forecasts is the scenario alone:

* **traffic** — yesterday's contacts replayed as they came: arrival time, access point,
  sender and customer, the digits they brought for menus; or contacts generated at a
  rate per hour over the working day, from customers of the CRM or new senders, drawn
  once before both runs;
* **behaviour** — a contact that was answered talks as long as it did; one that gave up
  waits as long as it did; the rest draw from the day's means per media (patience is
  the exponential estimate: time spent in line by everyone / contacts that gave up),
  or from :data:`DEFAULTS` when the day taught nothing;
* **staffing** — every agent of the tenant, with their skills, queues and capacity,
  logged in over the working hours of the scenario's calendar that day, without breaks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.analytics.metrics import QueueMetrics, Report
from frontdesk.analytics.records import AgentInterval, Outcome, SegmentRecord
from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.calendar import BusinessCalendar, TimeRange
from frontdesk.domain.channels import MEDIA_OF, Channel, Media
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import QueueId
from frontdesk.domain.queues import AccessPoint, Queue
from frontdesk.routing.plan import ScenarioPlan
from frontdesk.services.previews import (
    DEFAULT_HOURS,
    Behaviour,
    Forecast,
    Preview,
    PreviewCase,
    QueueForecast,
    Staffing,
    TrafficKind,
)
from frontdesk.sim.engine import SimResult, Simulation
from frontdesk.sim.model import Arrival, RosterEntry, Shift, SiteModel

DAY = 86_400.0
#: How people behave when the day's contacts do not tell: mean seconds of talk and of
#: patience in line per media (e-mails do not give up).
DEFAULTS: Mapping[Media, tuple[float, float | None]] = {
    Media.CALL: (180.0, 120.0),
    Media.CHAT: (420.0, 600.0),
    Media.EMAIL: (300.0, None),
}
#: Wrap-up when the desk settings do not end it automatically and the day does not tell.
DEFAULT_WRAP_UP = 15.0
#: How far back a generated working day is looked for.
LOOK_BACK_DAYS = 14
_PHONE_CHANNELS = frozenset({Channel.VOICE, Channel.CALLBACK, Channel.SMS})


class SimulatorPreview:
    """Runs a preview case on the simulator (see the module docstring)."""

    def preview(self, case: PreviewCase) -> Preview:
        zone = ZoneInfo(case.timezone)
        behaviour = behaviour_of(case.history, case.config.wrap_up)
        rng = random.Random(case.seed)
        if case.traffic.kind is TrafficKind.YESTERDAY:
            day = case.day
            hours = working_hours(case.staffing_calendar, day)
            epoch = datetime.combine(day, time(0), zone)
            arrivals, left_out = replayed(case, epoch, behaviour, rng)
            if not arrivals:
                raise ValidationError(
                    f"there were no contacts to replay on {day.isoformat()}: "
                    "preview on generated traffic",
                    code="scenario.preview_no_traffic",
                    field="traffic.kind",
                )
        else:
            day = working_day(case.staffing_calendar, case.day)
            hours = working_hours(case.staffing_calendar, day)
            epoch = datetime.combine(day, time(0), zone)
            arrivals, left_out = generated(case, hours, behaviour, rng), 0
            if not arrivals:
                raise ValidationError(
                    "the generated traffic has no contacts: raise the rate per hour",
                    code="scenario.preview_no_contacts",
                    field="traffic.per_hour",
                )
        site = site_of(case, epoch, hours, arrivals)
        draft = Simulation(case.draft, site, case.seed).run(1.0)
        current = Simulation(case.current, site, case.seed).run(1.0) if case.current else None
        queues = _queues_with_contacts(draft, current)
        return Preview(
            traffic=case.traffic.kind,
            day=day,
            timezone=case.timezone,
            contacts=len(arrivals),
            left_out=left_out,
            staffing=Staffing(
                agents=len(case.agents),
                calendar=case.staffing_calendar.name if case.staffing_calendar else None,
                hours=tuple(_hhmm(start) + "-" + _hhmm(end) for start, end in hours),
            ),
            behaviour=tuple(
                behaviour[media]
                for media in Media
                if any(MEDIA_OF[a.access_point.channel] is media for a in arrivals)
            ),
            draft=forecast(draft, site, case.agents, queues, None),
            current=forecast(current, site, case.agents, queues, case.published)
            if current is not None
            else None,
            published=case.published,
        )


# --- the working day and the agents -------------------------------------------------------


def working_hours(calendar: BusinessCalendar | None, day: date) -> tuple[tuple[float, float], ...]:
    """The calendar's hours on ``day`` as seconds after local midnight (the end may pass
    midnight); :data:`DEFAULT_HOURS` without a calendar."""
    if calendar is None:
        start, end = DEFAULT_HOURS
        return ((_seconds(start), _seconds(end)),)
    return tuple(_span(hours) for hours in calendar.hours_on(day))


def working_day(calendar: BusinessCalendar | None, day: date) -> date:
    """``day``, or the last day before it on which the calendar has working hours."""
    if calendar is None:
        return day
    for back in range(LOOK_BACK_DAYS):
        candidate = day - timedelta(days=back)
        if calendar.hours_on(candidate):
            return candidate
    raise ValidationError(
        f"calendar {calendar.name} has no working hours in the {LOOK_BACK_DAYS} days "
        "before today: there is no working day to generate traffic for",
        code="scenario.preview_no_working_day",
        field="traffic.kind",
    )


def roster_of(
    agents: Iterable[Agent], hours: Sequence[tuple[float, float]], day: date
) -> tuple[RosterEntry, ...]:
    """Every agent, free of their live load and state, logged in over ``hours``."""
    shifts = tuple(Shift(start, end) for start, end in hours)
    return tuple(
        RosterEntry(
            replace(agent, state=AgentState.LOGGED_OUT, reason=None, load={}, occupancy=0.0),
            shifts,
            frozenset({day.isoweekday()}),
        )
        for agent in agents
    )


def site_of(
    case: PreviewCase,
    epoch: datetime,
    hours: Sequence[tuple[float, float]],
    arrivals: Sequence[Arrival],
) -> SiteModel:
    """The tenant's configuration and agents as a site whose traffic is ``arrivals``."""
    config = case.config
    return SiteModel(
        epoch=epoch,
        queues=config.queues,
        roster=roster_of(case.agents, hours, epoch.date()),
        streams=(),
        calendars=config.calendars,
        lists=config.lists,
        arrivals=tuple(arrivals),
    )


def _seconds(at: time) -> float:
    return at.hour * 3600.0 + at.minute * 60.0 + at.second


def _span(hours: TimeRange) -> tuple[float, float]:
    start = _seconds(hours.start)
    return start, start + hours.duration.total_seconds()


def _hhmm(seconds: float) -> str:
    minutes = round(seconds / 60) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- how people behave ------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    talk: float = 0.0
    talked: int = 0
    wrap_up: float = 0.0
    wrapped: int = 0
    in_line: float = 0.0  # seconds spent waiting by everyone who was queued
    gave_up: int = 0


def behaviour_of(history: Iterable[LiveContact], wrap_up: float | None) -> dict[Media, Behaviour]:
    """Mean talk, wrap-up and patience per media, learned from the day's contacts.

    Patience is exponential: everyone who waited is a lower bound on theirs, everyone who
    gave up an exact value, so its estimate is the time in line of all / those who gave
    up. What the day does not show comes from :data:`DEFAULTS`; wrap-up from the desk's
    automatic wrap-up, else :data:`DEFAULT_WRAP_UP`.
    """
    tallies: dict[Media, _Tally] = {media: _Tally() for media in Media}
    for live in history:
        tally = tallies[live.contact.media]
        talk, wrap, waited = _observed(live)
        if talk is not None:
            tally.talk += talk
            tally.talked += 1
        if wrap is not None:
            tally.wrap_up += wrap
            tally.wrapped += 1
        if waited is not None:
            tally.in_line += waited
            tally.gave_up += live.contact.state is ContactState.ABANDONED
    result: dict[Media, Behaviour] = {}
    default_wrap = wrap_up if wrap_up is not None else DEFAULT_WRAP_UP
    for media, tally in tallies.items():
        talk, patience = DEFAULTS[media]
        learned = bool(tally.talked or tally.gave_up)
        result[media] = Behaviour(
            media=media.value,
            talk=tally.talk / tally.talked if tally.talked else talk,
            wrap_up=tally.wrap_up / tally.wrapped if tally.wrapped else default_wrap,
            patience=tally.in_line / tally.gave_up if tally.gave_up else patience,
            learned=learned,
        )
    return result


def _observed(live: LiveContact) -> tuple[float | None, float | None, float | None]:
    """Seconds of talk and wrap-up of an answered contact, and seconds in line of a
    contact that was answered or gave up (None where the contact does not tell)."""
    handling = live.handling
    contact = live.contact
    connected, wrapping, closed = handling.connected_at, handling.wrap_up_at, handling.closed_at
    talk = wrap = waited = None
    if connected is not None:
        end = wrapping or closed
        talk = (end - connected).total_seconds() if end is not None else None
        if wrapping is not None and closed is not None:
            wrap = (closed - wrapping).total_seconds()
    queued = handling.enqueued_at
    if queued is not None:
        if connected is not None:
            waited = max(connected.timestamp() - queued, 0.0)
        elif contact.state is ContactState.ABANDONED and contact.state_changed_at is not None:
            waited = max(contact.state_changed_at.timestamp() - queued, 0.0)
    return talk, wrap, waited


# --- traffic ------------------------------------------------------------------------------------


def replayed(
    case: PreviewCase, epoch: datetime, behaviour: Mapping[Media, Behaviour], rng: random.Random
) -> tuple[list[Arrival], int]:
    """The day's contacts as arrivals, and how many were left out (routed without the
    scenario, or at an access point that no longer exists).

    Each keeps what it showed: talk and wrap-up if answered, patience if it gave up; an
    answered contact would have waited at least as long as it did (and, patience being
    memoryless, a draw more); the rest draw from the means.
    """
    arrivals: list[Arrival] = []
    left_out = 0
    points = case.config.access_points
    for live in case.history:
        contact = live.contact
        point = points.get(contact.access_point)
        if live.handling.target is not None or point is None:
            left_out += 1
            continue
        means = behaviour[contact.media]
        talk, wrap, waited = _observed(live)
        if contact.state is ContactState.ABANDONED and waited is not None:
            patience: float | None = waited
        else:
            patience = _patience(rng, means)
            if patience is not None and waited is not None:
                patience += waited
        customer = case.customers.get(contact.customer) if contact.customer else None
        arrivals.append(
            Arrival(
                at=(contact.arrived_at - epoch).total_seconds(),
                access_point=point,
                ani=contact.ani,
                talk=talk if talk is not None else _draw(rng, means.talk),
                wrap_up=wrap if wrap is not None else means.wrap_up,
                patience=patience,
                customer=customer,
                digits=contact.digits,
                channel_data=contact.channel_data,
                language=contact.language,
                priority=contact.priority,
            )
        )
    return arrivals, left_out


def generated(
    case: PreviewCase,
    hours: Sequence[tuple[float, float]],
    behaviour: Mapping[Media, Behaviour],
    rng: random.Random,
) -> list[Arrival]:
    """Contacts at ``per_hour`` (Poisson) over ``hours`` at the chosen access point.

    ``known_share`` of them come from customers of the population (by phone, e-mail or
    messenger as the channel needs), the rest from new senders. Menus are answered with
    a key drawn from the options both scenarios offer, so both runs meet the same
    contacts pressing the same keys.
    """
    traffic = case.traffic
    point = _access_point(case.config.access_points, traffic.access_point)
    rate = (traffic.per_hour or 0.0) / 3600.0
    means = behaviour[MEDIA_OF[point.channel]]
    menus = _menu_keys(plan for plan in (case.draft, case.current) if plan is not None)
    arrivals: list[Arrival] = []
    for start, end in hours:
        at = start + rng.expovariate(rate)
        while at < end:
            customer = None
            if case.population and rng.random() < traffic.known_share:
                customer = case.population[rng.randrange(len(case.population))]
            arrivals.append(
                Arrival(
                    at=at,
                    access_point=point,
                    ani=_sender(point.channel, customer, rng),
                    talk=_draw(rng, means.talk),
                    wrap_up=means.wrap_up,
                    patience=_patience(rng, means),
                    customer=customer,
                    digits={menu: rng.choice(keys) for menu, keys in menus.items()},
                )
            )
            at += rng.expovariate(rate)
    return arrivals


def _access_point(points: Mapping[str, AccessPoint], wanted: str | None) -> AccessPoint:
    if wanted is not None:
        point = points.get(wanted)
        if point is None:
            raise ValidationError(
                f"traffic.access_point: there is no access point {wanted!r}",
                code="scenario.preview_traffic",
                field="traffic.access_point",
            )
        return point
    voice = [p for p in points.values() if p.channel is Channel.VOICE and p.agent is None]
    found = voice or list(points.values())
    if not found:
        raise ValidationError(
            "traffic.access_point: the company has no access point for contacts to arrive at",
            code="scenario.preview_traffic",
            field="traffic.access_point",
        )
    return found[0]


def _menu_keys(plans: Iterable[ScenarioPlan]) -> dict[str, list[str]]:
    keys: dict[str, set[str]] = {}
    for plan in plans:
        for name, menu in plan.menus.items():
            keys.setdefault(name, set()).update(menu.options)
    return {name: sorted(options) for name, options in keys.items() if options}


def _sender(channel: Channel, customer: CustomerProfile | None, rng: random.Random) -> str:
    """The customer's address for the channel, else a new sender's."""
    if channel in _PHONE_CHANNELS:
        phones = [p.e164 for p in customer.phones if p.e164] if customer else []
        return phones[0] if phones else f"+7900{rng.randrange(10_000_000):07d}"
    if customer is not None and customer.emails:
        return customer.emails[0]
    return f"visitor-{rng.randrange(10_000_000):07d}@example.invalid"


def _draw(rng: random.Random, mean: float) -> float:
    """An exponential duration: how long people talk and wait varies that way."""
    return rng.expovariate(1.0 / mean)


def _patience(rng: random.Random, means: Behaviour) -> float | None:
    return None if means.patience is None else _draw(rng, means.patience)


# --- the figures -----------------------------------------------------------------------------


def _queues_with_contacts(*results: SimResult | None) -> list[str]:
    found = {
        str(queue)
        for result in results
        if result is not None
        for queue, metrics in result.report.by_queue.items()
        if queue is not None and metrics.offered
    }
    return sorted(found)


def forecast(
    result: SimResult,
    site: SiteModel,
    agents: Sequence[Agent],
    queues: Sequence[str],
    version: int | None,
) -> Forecast:
    """A run's figures for ``queues`` (in that order) and for all queues together."""
    report = result.report
    logged, busy = _agent_time(result.agent_intervals)
    serving = _serving(agents, result.records)
    rows = []
    for queue in queues:
        found = site.queues.get(QueueId(queue))
        members = serving.get(queue, set())
        time_in = sum(logged.get(a, 0.0) for a in members)
        rows.append(
            _row(
                queue,
                found,
                report.by_queue.get(queue) or QueueMetrics(),
                sum(busy.get(a, 0.0) for a in members) / time_in if time_in else None,
            )
        )
    total = _row(None, None, _sum(report), report.total_occupancy)
    return Forecast(version, total, tuple(rows), _outcomes(report))


def _row(
    queue: str | None, found: Queue | None, metrics: QueueMetrics, occupancy: float | None
) -> QueueForecast:
    target = ""
    if found is not None:
        level = found.service_level
        target = f"{level.percent:g}/{level.seconds:g}"
    return QueueForecast(
        queue=queue,
        name=(found.name or str(found.id)) if found is not None else (queue or ""),
        target=target,
        offered=metrics.offered,
        answered=metrics.answered,
        abandoned=metrics.abandoned,
        service_level=_percent(metrics.service_level),
        asa=None if metrics.asa is None else round(metrics.asa, 1),
        abandon_rate=_percent(metrics.abandon_rate),
        occupancy=_percent(occupancy),
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _sum(report: Report) -> QueueMetrics:
    """Every queue together, each contact measured against its own queue's target."""
    total = QueueMetrics()
    for metrics in report.by_queue.values():
        total.offered += metrics.offered
        total.answered += metrics.answered
        total.abandoned += metrics.abandoned
        total.answered_in_target += metrics.answered_in_target
        total.waited += metrics.waited
        total.total_wait_answered += metrics.total_wait_answered
        total.total_handle += metrics.total_handle
        total.max_wait = max(total.max_wait, metrics.max_wait)
    return total


def _outcomes(report: Report) -> dict[str, int]:
    return {outcome.value: report.outcomes.get(outcome, 0) for outcome in Outcome}


def _agent_time(rows: Iterable[AgentInterval]) -> tuple[dict[str, float], dict[str, float]]:
    logged: dict[str, float] = {}
    busy: dict[str, float] = {}
    for row in rows:
        logged[row.agent] = logged.get(row.agent, 0.0) + row.logged_in
        busy[row.agent] = busy.get(row.agent, 0.0) + row.busy
    return logged, busy


def _serving(agents: Iterable[Agent], records: Iterable[SegmentRecord]) -> dict[str, set[str]]:
    """The agents who serve each queue: its members, and whoever answered its contacts."""
    serving: dict[str, set[str]] = {}
    for agent in agents:
        for queue in agent.queues:
            serving.setdefault(str(queue), set()).add(str(agent.id))
    for record in records:
        if record.queue is not None and record.agent is not None:
            serving.setdefault(record.queue, set()).add(record.agent)
    return serving
