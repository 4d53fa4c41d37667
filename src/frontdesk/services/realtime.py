"""Realtime views: the agent desktop and the supervisor wallboard, as snapshot + events.

A view is a frozen value. :func:`agent_snapshot` and :func:`supervisor_snapshot` read
one from the store together with the seq of the last event it reflects;
:func:`apply_event` is pure and turns a view and the next event of the tenant into the
next view. Applying every event published after a snapshot gives what a fresh snapshot
reads — the tests hold both views to that. :func:`agent_json` and
:func:`supervisor_json` are the wire forms.

"Today" is the tenant's local day, in the time zone of the published scenario (else
Europe/Moscow). Today's figures are those of the contacts that **arrived today**; a
contact counts in each queue it entered (a transfer to a queue is a new entry), as in
:mod:`frontdesk.analytics.metrics`: *offered* is every entry, *answered* and
*abandoned* are entries that ended so, the service level is entries answered within
the queue's target over entries offered, ASA the mean wait of answered entries (the
entries are :func:`frontdesk.analytics.entries.queue_entries`). An
agent's figures are the contacts that arrived today which the agent closed, and their
handle time from the agent's accept to the close. A view moves on to the next day with
the first event after local midnight.

The supervisor's view follows every open contact of the tenant; an agent's view only
the contacts offered to or served by that agent: the event that offers a contact
repeats its channel, number and customer, and every other event of another contact
leaves the agent's view as it is, so a thousand agent streams cost a thousand look-ups
per event, not a thousand copies.

Consults: the agent serving a contact sees the consult it opened (``consult``) and who
joined it (``consultant``). The agent asked to join sees the consult ring among its
offers, then the contact among its own until the consult ends, and keeps it when it is
handed over. What the event of such a change says is not enough to build the joining
agent's line, so :func:`needs_snapshot` tells the stream to read that view afresh; a
consult neither counts as a queue entry nor moves the contact's place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo

from frontdesk.analytics.entries import needs_accepts, queue_entries
from frontdesk.analytics.records import Outcome
from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.contacts import ContactState, SegmentKind
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.domain.queues import ServiceLevelTarget
from frontdesk.domain.repositories import ContactFilter, Contacts, EventLog, Store
from frontdesk.services.catalog import WallboardLevels, wallboard_from
from frontdesk.services.desk import OPEN_STATES, TenantDesk, consult_key

S = ContactState
DEFAULT_TIMEZONE = "Europe/Moscow"
#: Contact states in which a contact waits in line.
IN_LINE = frozenset({S.QUEUED, S.OFFERED})
#: Contact states in which a contact is an agent's: ringing or being served.
WITH_AGENT = frozenset({S.OFFERED, S.CONNECTED, S.WRAP_UP})
#: Contact states in which an agent serves the contact.
SERVED = frozenset({S.CONNECTED, S.WRAP_UP})
_PAGE = 1000

V = TypeVar("V", "AgentView", "SupervisorView")


@dataclass(frozen=True, slots=True)
class ContactLine:
    """An open contact as the views follow it."""

    state: ContactState
    channel: str
    ani: str
    arrived_at: datetime
    customer: CustomerId | None = None
    queue: QueueId | None = None  # the decided queue; of the current entry once in line
    agent: AgentId | None = None  # offered to, or serving
    queued_since: datetime | None = None  # when the contact last entered a line
    connected_at: datetime | None = None  # the accept of the service going on now
    priority: int | None = None  # in line: higher is served first; None when not known
    wrap_up_at: datetime | None = None  # when the conversation ended
    consult: str | None = None  # an open consult: "queue:<id>" or "agent:<id>"
    consultant: AgentId | None = None  # who joined the consult


@dataclass(frozen=True, slots=True)
class AgentLine:
    state: AgentState
    reason: str | None = None  # the not-ready reason
    since: datetime | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class OfferLine:
    queue: QueueId | None
    offered_at: datetime
    timeout: float  # seconds the agent has to accept
    consult: bool = False  # asked to join a contact another agent serves


@dataclass(frozen=True, slots=True)
class QueueDay:
    """A queue's service-level target and today's figures. ``target`` is None for a queue
    that is no longer configured but still has contacts."""

    name: str
    target: ServiceLevelTarget | None
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_target: int = 0
    answered_wait: timedelta = timedelta()  # the total wait of answered entries


@dataclass(frozen=True, slots=True)
class AgentView:
    """One agent's desktop: ``contacts`` are the contacts offered to or served by them,
    or whose consult they joined; ``offers`` ring, consults among them."""

    tenant: TenantId
    agent: AgentId
    seq: int  # the last event included
    timezone: str
    day: date
    line: AgentLine
    offers: Mapping[ContactId, OfferLine]
    contacts: Mapping[ContactId, ContactLine]
    handled: int = 0
    handle_time: timedelta = timedelta()


@dataclass(frozen=True, slots=True)
class SupervisorView:
    """The tenant's wallboard: queues, agents and the open contacts, and where its
    figures turn amber and red (the ``settings.wallboard`` document)."""

    tenant: TenantId
    seq: int  # the last event included
    timezone: str
    day: date
    queues: Mapping[QueueId, QueueDay]
    agents: Mapping[AgentId, AgentLine]
    contacts: Mapping[ContactId, ContactLine]
    levels: WallboardLevels


# --- snapshots --------------------------------------------------------------------------


def timezone_of(desk: TenantDesk) -> str:
    """The tenant's time zone: the published scenario's, else Europe/Moscow."""
    return desk.router.plan.timezone if desk.router is not None else DEFAULT_TIMEZONE


async def last_seq(events: EventLog, tenant: TenantId) -> int:
    """The seq of the tenant's newest event, 0 when it has none.

    The log only answers "what comes after seq n", so probe doubling n and then bisect:
    a logarithmic number of one-row look-ups.
    """
    low, high = 0, 1
    while await events.since(tenant, high, 1):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if await events.since(tenant, middle, 1):
            low = middle
        else:
            high = middle
    return high if await events.since(tenant, low, 1) else 0


async def supervisor_snapshot(store: Store, desk: TenantDesk, now: datetime) -> SupervisorView:
    """The tenant's wallboard as the store has it at ``now``."""
    tenant = desk.tenant
    zone = timezone_of(desk)
    day, start = day_of(now, zone)
    async with store.transaction() as tx:
        # First the seq, then the rest, in one transaction: the view holds no later event.
        await tx.events.hold()
        seq = await last_seq(tx.events, tenant)
        open_contacts = await tx.contacts.in_states(tenant, OPEN_STATES)
        today = await every_contact(tx.contacts, tenant, ContactFilter(since=start))
        agents = await tx.agents.all(tenant)
        accepts = await accept_times(tx.events, today)
        levels = wallboard_from(await tx.documents.get(tenant, "settings", "wallboard"))
    queues = {
        queue_id: QueueDay(name=queue.name or queue_id, target=queue.service_level)
        for queue_id, queue in desk.config.queues.items()
    }
    for live in today:
        _count_entries(queues, live, accepts.get(live.contact.id, ()))
    return SupervisorView(
        tenant=tenant,
        seq=seq,
        timezone=zone,
        day=day,
        queues=queues,
        agents={agent.id: _agent_line(agent) for agent in agents},
        contacts={live.contact.id: _contact_line(live) for live in open_contacts},
        levels=levels,
    )


async def agent_snapshot(
    store: Store, desk: TenantDesk, agent_id: AgentId, now: datetime
) -> AgentView:
    """One agent's desktop as the store has it at ``now``; NotFoundError
    ``agent.not_found`` for an unknown agent."""
    tenant = desk.tenant
    zone = timezone_of(desk)
    day, start = day_of(now, zone)
    async with store.transaction() as tx:
        await tx.events.hold()
        seq = await last_seq(tx.events, tenant)
        agent = await tx.agents.get(tenant, agent_id)
        if agent is None:
            raise NotFoundError(f"agent {agent_id} does not exist", code="agent.not_found")
        open_contacts = await tx.contacts.in_states(tenant, OPEN_STATES)
        offers = {
            live.contact.id: await _offer(tx.events, live, agent_id, desk.config.ring_timeout)
            for live in open_contacts
            if live.contact.state is S.OFFERED and live.handling.agent == agent_id
        }
        for live in open_contacts:
            ringing = desk.offers.get(consult_key(live.contact.id))
            if ringing is not None and ringing[0] == agent_id and live.handling.consult:
                consult = await _consult_offer(tx.events, live, agent_id)
                if consult is not None:
                    offers[live.contact.id] = consult
        closed_today = ContactFilter(states=frozenset({S.CLOSED}), agent=agent_id, since=start)
        closed = await every_contact(tx.contacts, tenant, closed_today)
    handle_time = sum(
        (
            live.handling.closed_at - live.handling.connected_at
            for live in closed
            if live.handling.closed_at is not None and live.handling.connected_at is not None
        ),
        timedelta(),
    )
    return AgentView(
        tenant=tenant,
        agent=agent_id,
        seq=seq,
        timezone=zone,
        day=day,
        line=_agent_line(agent),
        offers=offers,
        contacts={
            live.contact.id: line
            for live in open_contacts
            if agent_id in (live.handling.agent, live.handling.consult_agent)
            and _mine(agent_id, line := _contact_line(live))
        },
        handled=len(closed),
        handle_time=handle_time,
    )


def day_of(now: datetime, zone: str) -> tuple[date, datetime]:
    """The local day of ``now`` in ``zone`` and the instant (UTC) it began."""
    day = now.astimezone(ZoneInfo(zone)).date()
    return day, day_start(day, zone)


def day_start(day: date, zone: str) -> datetime:
    """The instant (UTC) local ``day`` begins in ``zone``."""
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


async def every_contact(
    contacts: Contacts, tenant: TenantId, where: ContactFilter
) -> list[LiveContact]:
    """Every contact ``where`` matches, read page by page."""
    found: list[LiveContact] = []
    while True:
        page = await contacts.search(tenant, replace(where, limit=_PAGE, offset=len(found)))
        found.extend(page)
        if len(page) < _PAGE:
            return found


async def accept_times(
    events: EventLog, contacts: Iterable[LiveContact]
) -> dict[ContactId, list[datetime]]:
    """The accept times of the contacts whose queue entries need them (see
    :func:`frontdesk.analytics.entries.needs_accepts`), oldest first."""
    return {
        live.contact.id: [
            e.at
            for e in await events.for_contact(live.contact.tenant, live.contact.id)
            if e.type == "contact.accepted"
        ]
        for live in contacts
        if needs_accepts(live)
    }


async def _offer(events: EventLog, live: LiveContact, agent: AgentId, timeout: float) -> OfferLine:
    """The ringing offer as its event made it (the timeout is not kept on the contact)."""
    for event in reversed(await events.for_contact(live.contact.tenant, live.contact.id)):
        if event.type == "contact.offered" and event.agent == agent:
            return _offer_line(event)
    offered_at = (
        live.handling.offered_at or live.contact.state_changed_at or live.contact.arrived_at
    )
    return OfferLine(queue=live.handling.queue, offered_at=offered_at, timeout=timeout)


async def _consult_offer(events: EventLog, live: LiveContact, agent: AgentId) -> OfferLine | None:
    """The consult of ``live`` ringing for ``agent``: its last consult offer, unless the
    agent answered or refused it, or the consult ended, since."""
    found: OfferLine | None = None
    for event in await events.for_contact(live.contact.tenant, live.contact.id):
        if event.type == "contact.offered" and event.data.get("consult"):
            found = _offer_line(event) if event.agent == agent else None
        elif event.type == "contact.transferred" or (
            event.type in ("offer.declined", "contact.accepted") and event.agent == agent
        ):
            found = None
    return found


def _count_entries(
    queues: dict[QueueId, QueueDay], live: LiveContact, accepts: Iterable[datetime]
) -> None:
    """Add the queue entries of one contact of today to ``queues``."""
    for entry in queue_entries(live, accepts):
        _bump(queues, entry.queue, offered=1)
        if entry.answered_at is not None:
            _answered(queues, entry.queue, entry.answered_at - entry.entered_at)
        elif entry.outcome is Outcome.ABANDONED:
            _bump(queues, entry.queue, abandoned=1)


def _agent_line(agent: Agent) -> AgentLine:
    reason = agent.reason if agent.state is AgentState.NOT_READY else None
    return AgentLine(state=agent.state, reason=reason, since=agent.state_since, name=agent.name)


def _contact_line(live: LiveContact) -> ContactLine:
    contact, handling = live.contact, live.handling
    entries = [s for s in contact.segments if s.kind is not SegmentKind.CONSULT]
    return ContactLine(
        state=contact.state,
        channel=contact.channel.value,
        ani=contact.ani,
        arrived_at=contact.arrived_at,
        customer=contact.customer,
        queue=handling.queue,
        agent=handling.agent,
        queued_since=entries[-1].started_at if entries else None,
        connected_at=handling.connected_at if contact.state in SERVED else None,
        priority=handling.priority,
        wrap_up_at=handling.wrap_up_at,
        consult=handling.consult,
        consultant=handling.consult_agent,
    )


def _offer_line(event: StoredEvent) -> OfferLine:
    return OfferLine(
        queue=event.data.get("queue"),
        offered_at=event.at,
        timeout=float(event.data.get("timeout", 0.0)),
        consult=bool(event.data.get("consult")),
    )


# --- events -----------------------------------------------------------------------------


@overload
def apply_event(view: AgentView, event: StoredEvent) -> AgentView: ...
@overload
def apply_event(view: SupervisorView, event: StoredEvent) -> SupervisorView: ...
def apply_event(view: AgentView | SupervisorView, event: StoredEvent) -> Any:
    """The view after ``event``, the next event of the view's tenant. Pure: ``view`` is
    left as it is. Events of another tenant, or already included, change nothing."""
    if event.tenant != view.tenant or event.seq <= view.seq:
        return view
    if isinstance(view, AgentView):
        return _apply_to_agent(_rolled(view, event.at), event)
    return _apply_to_supervisor(_rolled(view, event.at), event)


def own_contacts(view: AgentView) -> dict[ContactId, ContactLine]:
    """The contacts offered to or served by the view's agent, or whose consult they
    joined."""
    return {cid: line for cid, line in view.contacts.items() if _mine(view.agent, line)}


def agent_sees(before: AgentView, after: AgentView, event: StoredEvent) -> bool:
    """Whether the agent's stream shows ``event``: it is about the agent, or about a
    contact offered to or served by them before or after it."""
    if event.agent == before.agent:
        return True
    contact = event.contact
    return contact is not None and (
        _is_own(before, ContactId(contact)) or _is_own(after, ContactId(contact))
    )


def needs_snapshot(view: AgentView, event: StoredEvent) -> bool:
    """Whether ``event`` changes a consult the view's agent is asked to join or has
    joined: :func:`apply_event` leaves such a view as it is, and the stream reads it
    afresh (see the module docstring)."""
    contact = event.contact
    if contact is None:
        return False
    data = event.data
    if event.type == "contact.offered":
        return bool(data.get("consult")) and event.agent == view.agent
    offer = view.offers.get(ContactId(contact))
    if offer is not None and offer.consult:
        return event.type in ("offer.declined", "contact.accepted", "contact.transferred")
    line = view.contacts.get(ContactId(contact))
    return (
        event.type == "contact.transferred"
        and str(data.get("kind", "")).startswith("consult_")
        and view.agent in (data.get("to_agent"), line.consultant if line else None)
        and (line is None or line.agent != view.agent)
    )


def _is_own(view: AgentView, contact: ContactId) -> bool:
    line = view.contacts.get(contact)
    return contact in view.offers or (line is not None and _mine(view.agent, line))


def _mine(agent: AgentId, line: ContactLine) -> bool:
    """Whether ``agent`` works on the contact of ``line``: offered to or serving it, or
    joined to its consult."""
    return line.state in WITH_AGENT and agent in (line.agent, line.consultant)


def _rolled(view: V, at: datetime) -> V:
    """A view of the day of ``at``: today's figures start again at midnight."""
    day = at.astimezone(ZoneInfo(view.timezone)).date()
    if day <= view.day:
        return view
    if isinstance(view, AgentView):
        return replace(view, day=day, handled=0, handle_time=timedelta())
    queues = {
        queue_id: QueueDay(name=figures.name, target=figures.target)
        for queue_id, figures in view.queues.items()
        if figures.target is not None
    }
    return replace(view, day=day, queues=queues)


def _apply_to_supervisor(view: SupervisorView, event: StoredEvent) -> SupervisorView:
    view = replace(view, seq=event.seq)
    if event.type == "agent.state_changed" and event.agent is not None:
        agents = dict(view.agents)
        agents[event.agent] = _agent_changed(view.agents.get(event.agent), event)
        return replace(view, agents=agents)
    contacts, before, after = _follow(view.contacts, event)
    if after is None:
        return view
    view = replace(view, contacts=contacts)
    if after.arrived_at.astimezone(ZoneInfo(view.timezone)).date() != view.day:
        return view
    queues = dict(view.queues)
    if _entry_counted(queues, before, after, event):
        return replace(view, queues=queues)
    return view


def _apply_to_agent(view: AgentView, event: StoredEvent) -> AgentView:
    view = replace(view, seq=event.seq)
    if event.type == "agent.state_changed":
        if event.agent != view.agent:
            return view
        return replace(view, line=_agent_changed(view.line, event))
    if event.contact is None:
        return view
    contact = ContactId(event.contact)
    if needs_snapshot(view, event):
        return view  # the stream reads the view afresh
    if event.type == "contact.offered":
        if event.agent != view.agent or event.data.get("consult"):
            return view
        offers = dict(view.offers)
        offers[contact] = _offer_line(event)
        contacts = dict(view.contacts)
        contacts[contact] = _offered_line(event)
        return replace(view, offers=offers, contacts=contacts)
    before = view.contacts.get(contact)
    if before is None:
        return view  # not the agent's: nothing to follow
    after = _next_line(before, event)
    if after is None or after is before:
        return view
    contacts = dict(view.contacts)
    if _mine(view.agent, after):
        contacts[contact] = after
    else:
        del contacts[contact]
    view = replace(view, contacts=contacts)
    if before.state is S.OFFERED and after.state is not S.OFFERED and contact in view.offers:
        offers = dict(view.offers)
        del offers[contact]
        view = replace(view, offers=offers)
    local_day = after.arrived_at.astimezone(ZoneInfo(view.timezone)).date()
    if after.state is S.CLOSED and before.agent == view.agent and local_day == view.day:
        view = replace(
            view,
            handled=view.handled + 1,
            handle_time=view.handle_time + (event.at - (before.connected_at or event.at)),
        )
    return view


def _offered_line(event: StoredEvent) -> ContactLine:
    """The contact as its offer to the agent describes it."""
    data = event.data
    arrived = data.get("arrived_at")
    queued = data.get("queued_at")
    return ContactLine(
        state=S.OFFERED,
        channel=data.get("channel", ""),
        ani=data.get("ani", ""),
        arrived_at=datetime.fromisoformat(arrived) if arrived else event.at,
        customer=data.get("customer"),
        queue=data.get("queue"),
        agent=event.agent,
        queued_since=datetime.fromisoformat(queued) if queued else None,
        priority=data.get("priority"),
    )


def _agent_changed(line: AgentLine | None, event: StoredEvent) -> AgentLine:
    state = AgentState(event.data["new"])
    reason = event.data.get("reason") if state is AgentState.NOT_READY else None
    name = line.name if line is not None else str(event.agent)
    return AgentLine(state=state, reason=reason, since=event.at, name=name)


def _follow(
    contacts: Mapping[ContactId, ContactLine], event: StoredEvent
) -> tuple[Mapping[ContactId, ContactLine], ContactLine | None, ContactLine | None]:
    """The open contacts after ``event``, and its contact's line before and after it (the
    line after may be in a final state: it has just left the open contacts)."""
    if event.contact is None:
        return contacts, None, None
    contact = ContactId(event.contact)
    before = contacts.get(contact)
    after = _next_line(before, event)
    if after is None or after is before:
        return contacts, before, after
    changed = dict(contacts)
    if after.state in OPEN_STATES:
        changed[contact] = after
    else:
        changed.pop(contact, None)
    return changed, before, after


def _next_line(line: ContactLine | None, event: StoredEvent) -> ContactLine | None:
    data = event.data
    if event.type == "contact.arrived":
        return ContactLine(
            state=S.ARRIVED, channel=data["channel"], ani=data["ani"], arrived_at=event.at
        )
    if line is None:  # a contact closed before the view began
        return None
    if event.type == "contact.enriched":
        return replace(line, customer=data.get("customer"))
    if event.type == "contact.routed":
        return replace(line, queue=data.get("queue"), priority=data.get("priority"))
    if event.type == "contact.offered":
        return line if data.get("consult") else replace(line, agent=data["agent"])
    if event.type == "contact.accepted":
        if line.agent is not None and event.agent != line.agent:  # joined the consult
            return replace(line, consultant=event.agent)
        return replace(line, connected_at=event.at)
    if event.type == "contact.transferred":
        return _transferred(line, data)
    if event.type == "contact.customer_linked":
        return replace(line, customer=data["customer"])
    if event.type != "contact.state_changed":
        return line
    old, new = S(data["old"]), S(data["new"])
    if new not in SERVED:
        line = replace(line, connected_at=None)
    if new is S.WRAP_UP:
        return replace(line, state=new, wrap_up_at=event.at)
    if new is not S.QUEUED:
        return replace(line, state=new)
    if old is S.OFFERED:  # declined, rang out or withdrawn: the place in line is kept
        return replace(line, state=new, agent=None)
    if old is S.TRANSFERRED:  # a new entry; ``contact.transferred`` names the queue next
        return replace(line, state=new, agent=None, queue=None, queued_since=event.at)
    return replace(line, state=new, queued_since=event.at)


def _transferred(line: ContactLine, data: Mapping[str, Any]) -> ContactLine:
    kind = data.get("kind")
    if kind == "consult":
        target = data.get("to_queue")
        return replace(line, consult=f"queue:{target}" if target else f"agent:{data['to_agent']}")
    if kind == "consult_handed_over":
        return replace(line, agent=data.get("to_agent"), consult=None, consultant=None)
    if kind in ("consult_ended", "consult_withdrawn"):
        return replace(line, consult=None, consultant=None)
    priority = data.get("priority")  # a transfer: the new entry's queue and place
    return replace(
        line,
        queue=data.get("to_queue"),
        priority=line.priority if priority is None else priority,
    )


def _entry_counted(
    queues: dict[QueueId, QueueDay],
    before: ContactLine | None,
    after: ContactLine,
    event: StoredEvent,
) -> bool:
    """Count what ``event`` did to a queue entry of a contact of today into ``queues``;
    False when it did nothing."""
    queue = after.queue
    if queue is None:
        return False
    if event.type == "contact.transferred":
        if event.data.get("kind") != "transfer":
            return False  # a consult is no queue entry
        _bump(queues, queue, offered=1)
        return True
    if event.type != "contact.state_changed" or before is None:
        return False
    old, new = S(event.data["old"]), S(event.data["new"])
    if new is S.QUEUED and old not in (S.OFFERED, S.TRANSFERRED):
        _bump(queues, queue, offered=1)
    elif new is S.CONNECTED and old is S.OFFERED:
        _answered(queues, queue, event.at - (after.queued_since or event.at))
    elif new is S.ABANDONED and old in IN_LINE:
        _bump(queues, queue, abandoned=1)
    else:
        return False
    return True


def _bump(queues: dict[QueueId, QueueDay], queue: QueueId, **steps: int) -> None:
    figures = queues.get(queue) or QueueDay(name=queue, target=None)
    queues[queue] = replace(
        figures, **{name: getattr(figures, name) + step for name, step in steps.items()}
    )


def _answered(queues: dict[QueueId, QueueDay], queue: QueueId, wait: timedelta) -> None:
    figures = queues.get(queue) or QueueDay(name=queue, target=None)
    target = figures.target
    in_target = target is not None and wait <= timedelta(seconds=target.seconds)
    queues[queue] = replace(
        figures,
        answered=figures.answered + 1,
        answered_in_target=figures.answered_in_target + in_target,
        answered_wait=figures.answered_wait + wait,
    )


# --- wire forms -------------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def _seconds(total: timedelta, count: int) -> float | None:
    return round(total.total_seconds() / count, 2) if count else None


def contact_json(contact: ContactId, line: ContactLine) -> dict[str, Any]:
    return {
        "contact": contact,
        "state": line.state.value,
        "channel": line.channel,
        "ani": line.ani,
        "customer": line.customer,
        "arrived_at": _iso(line.arrived_at),
        "queue": line.queue,
        "agent": line.agent,
        "queued_since": _iso(line.queued_since),
        "connected_at": _iso(line.connected_at),
        "priority": line.priority,
        "wrap_up_at": _iso(line.wrap_up_at),
        "consult": line.consult,
        "consultant": line.consultant,
    }


def agent_json(view: AgentView) -> dict[str, Any]:
    """The agent's desktop as JSON: state, ringing offers, own contacts, today's figures."""
    offers = sorted(view.offers.items(), key=lambda item: (item[1].offered_at, item[0]))
    own = sorted(own_contacts(view).items(), key=lambda item: (item[1].arrived_at, item[0]))
    return {
        "tenant": view.tenant,
        "agent": view.agent,
        "seq": view.seq,
        "day": view.day.isoformat(),
        "timezone": view.timezone,
        "state": view.line.state.value,
        "reason": view.line.reason,
        "since": _iso(view.line.since),
        "offers": [
            {
                "contact": contact,
                "queue": offer.queue,
                "offered_at": _iso(offer.offered_at),
                "timeout": offer.timeout,
                "expires_at": _iso(offer.offered_at + timedelta(seconds=offer.timeout)),
                "consult": offer.consult,
            }
            for contact, offer in offers
        ],
        "contacts": [
            contact_json(contact, line) for contact, line in own if line.state is not S.OFFERED
        ],
        "today": {
            "handled": view.handled,
            "average_handle_time": _seconds(view.handle_time, view.handled),
        },
    }


def _service_level(figures: QueueDay, waiting: int) -> float | None:
    """Percent of today's settled entries answered within the target. An entry still in
    line is not settled yet: counting it as missed would show a queue red at its first
    caller. Entries that ended without an answer (abandoned, a callback ...) count."""
    settled = max(figures.answered + figures.abandoned, figures.offered - waiting)
    if figures.target is None or not settled:
        return None
    return round(100 * figures.answered_in_target / settled, 1)


def supervisor_json(view: SupervisorView) -> dict[str, Any]:
    """The wallboard as JSON: per queue waiting and today's figures, agents by state and
    by name, the open contacts (with their priority in line when known), and the colour
    levels. Service level is a percentage; ASA and waits are in seconds."""
    in_line: dict[QueueId, list[datetime]] = {}
    for line in view.contacts.values():
        if line.state in IN_LINE and line.queue is not None:
            in_line.setdefault(line.queue, []).append(line.queued_since or line.arrived_at)
    working: dict[AgentId, list[ContactId]] = {}
    for contact, line in sorted(view.contacts.items()):
        if line.agent is not None and line.state in WITH_AGENT:
            working.setdefault(line.agent, []).append(contact)
    queues = []
    for queue in sorted(set(view.queues) | set(in_line)):
        figures = view.queues.get(queue) or QueueDay(name=queue, target=None)
        waiting = in_line.get(queue, [])
        target = figures.target
        queues.append({
            "queue": queue,
            "name": figures.name,
            "target": None if target is None else {"percent": target.percent,
                                                   "seconds": target.seconds},
            "waiting": len(waiting),
            "oldest_waiting_since": _iso(min(waiting)) if waiting else None,
            "offered": figures.offered,
            "answered": figures.answered,
            "abandoned": figures.abandoned,
            "answered_in_target": figures.answered_in_target,
            "service_level": _service_level(figures, len(waiting)),
            "asa": _seconds(figures.answered_wait, figures.answered),
        })  # fmt: skip
    by_state = {state.value: 0 for state in AgentState}
    for agent_line in view.agents.values():
        by_state[agent_line.state.value] += 1
    return {
        "tenant": view.tenant,
        "seq": view.seq,
        "day": view.day.isoformat(),
        "timezone": view.timezone,
        "queues": queues,
        "agents_by_state": by_state,
        "levels": levels_json(view.levels),
        "agents": [
            {
                "agent": agent,
                "name": line.name or agent,
                "state": line.state.value,
                "reason": line.reason,
                "since": _iso(line.since),
                "contacts": working.get(agent, []),
            }
            for agent, line in sorted(view.agents.items())
        ],
        "contacts": [
            contact_json(contact, line)
            for contact, line in sorted(
                view.contacts.items(), key=lambda i: (i[1].arrived_at, i[0])
            )
        ],
    }


def levels_json(levels: WallboardLevels) -> dict[str, dict[str, float | bool]]:
    """Where each wallboard figure turns amber (``warn``) and red (``alarm``): service
    level in percent (``less_is_worse``), longest wait in seconds, waiting in contacts."""
    return {
        name: {"warn": level.warn, "alarm": level.alarm, "less_is_worse": level.less_is_worse}
        for name, level in (
            ("service_level", levels.service_level),
            ("longest_wait", levels.longest_wait),
            ("waiting", levels.waiting),
        )
    }
