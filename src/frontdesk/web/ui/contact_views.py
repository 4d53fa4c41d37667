"""Contacts as people read them: how long they waited and were served, their legs, and
their timeline of events told in the reader's language.

Waiting and handling in lists are those of the contact's last leg (a transferred contact
waited again in its new line); the contact page shows every leg, timed from its events.
A contact still waiting or being served has a ``since``: the page counts on from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.domain.contacts import ContactState, Segment
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import CrmStatus, LiveContact
from frontdesk.web.ui import explanations
from frontdesk.web.ui.directory import Directory, phone
from frontdesk.web.ui.formatting import Formats
from frontdesk.web.ui.templating import N_
from frontdesk.web.ui.vocabulary import CHANNELS, CONTACT_STATES

S = ContactState
WAITING_STATES = frozenset({S.ARRIVED, S.ENRICHED, S.QUEUED, S.OFFERED, S.TRANSFERRED})
SERVED_STATES = frozenset({S.CONNECTED, S.WRAP_UP})
#: States in which a contact is over (a callback is a contact of its own when it falls due).
ENDED_STATES = frozenset({S.CLOSED, S.REJECTED, S.ABANDONED, S.SELF_SERVED, S.CALLBACK_SCHEDULED})
Gettext = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Span:
    """A duration: done (``seconds``) or going on since ``since``."""

    seconds: float | None = None
    since: datetime | None = None


def _between(start: datetime | None, end: datetime | None) -> Span:
    if start is None:
        return Span()
    if end is None:
        return Span(since=start)
    return Span(seconds=max(0.0, (end - start).total_seconds()))


def _ended(live: LiveContact) -> datetime | None:
    """When a contact that is over ended; None while it goes on."""
    contact = live.contact
    if contact.state in ENDED_STATES:
        return live.handling.closed_at or contact.state_changed_at or contact.arrived_at
    return None


def waiting(live: LiveContact) -> Span:
    """From the start of the last leg until an agent answered it (or it ended)."""
    contact, handling = live.contact, live.handling
    if not contact.segments:
        return Span()
    start = contact.segments[-1].started_at
    answered = handling.connected_at
    if answered is not None and answered >= start:
        return _between(start, answered)
    if contact.state in WAITING_STATES:
        return Span(since=start)
    return _between(start, _ended(live))


def handling_time(live: LiveContact) -> Span:
    """From the last answer until the contact was closed (talk and wrap-up)."""
    handling = live.handling
    if handling.connected_at is None:
        return Span()
    if live.contact.state in SERVED_STATES:
        return Span(since=handling.connected_at)
    return _between(handling.connected_at, _ended(live) or handling.closed_at)


# --- the legs of a contact -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leg:
    segment: Segment
    queue: str
    agent: str
    answered_at: datetime | None
    ended_at: datetime | None
    waiting: Span
    handling: Span


def legs(live: LiveContact, events: Sequence[StoredEvent], names: Directory) -> list[Leg]:
    """Each segment with the answer that ended its wait (its first ``contact.accepted``)."""
    accepted = [e for e in events if e.type == "contact.accepted"]
    segments = live.contact.segments
    result = []
    for index, segment in enumerate(segments):
        following = segments[index + 1].started_at if index + 1 < len(segments) else None
        answer = next(
            (
                e.at
                for e in accepted
                if e.at >= segment.started_at
                and (following is None or e.at <= following)
                and (segment.agent is None or e.agent == segment.agent)
            ),
            None,
        )
        end = segment.ended_at or _ended(live)
        if answer is None:
            wait = _between(segment.started_at, end)
            served = Span()
        else:
            wait = _between(segment.started_at, answer)
            served = _between(answer, end)
        result.append(
            Leg(segment, names.queue(segment.queue), names.agent(segment.agent), answer, end,
                wait, served)
        )  # fmt: skip
    return result


# --- the timeline of a contact ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One event as shown: what happened, in words, and what else there is to say."""

    seq: int
    type: str
    at: datetime
    after: float | None  # seconds since the event before, when any passed
    title: str
    details: tuple[str, ...] = ()
    minor: bool = False  # a state change: shown quietly
    explanation: tuple[explanations.Item, ...] = ()
    customer: str | None = None  # the customer found, to link to
    customer_name: str = ""


TITLES = {
    "contact.arrived": N_("Arrived"),
    "contact.enriched": N_("Customer look-up"),
    "contact.state_changed": N_("State changed"),
    "contact.routed": N_("Routed by the scenario"),
    "contact.offered": N_("Offered to an agent"),
    "offer.declined": N_("Offer declined"),
    "contact.accepted": N_("Answered"),
    "contact.wrapped_up": N_("Wrapped up"),
    "contact.transferred": N_("Transferred"),
    "callback.scheduled": N_("Callback scheduled"),
    "queue.step_advanced": N_("Next queue step"),
    "contact.recorded": N_("Recording ready"),
    "contact.place_kept": N_("Callback keeping the place"),
}
CRM_RESULTS = {
    CrmStatus.FOUND.value: N_("The customer was found in the CRM."),
    CrmStatus.NOT_FOUND.value: N_("No customer in the CRM has this number or address."),
    CrmStatus.UNAVAILABLE.value: N_(
        "The CRM did not answer in time: the contact was routed without its data."
    ),
    CrmStatus.PENDING.value: N_("The CRM has not answered yet."),
}
ACTIONS = {
    "reject": N_("Rejected"),
    "queue": N_("Queue {queue}"),
    "agent": N_("A named agent first, then queue {queue}"),
    "manager": N_("The personal manager first, then queue {queue}"),
    "callback": N_("A callback from queue {queue}"),
    "menu": N_("The voice menu"),
}
ORDERS = {
    "longest_idle": N_("the agent available longest"),
    "least_occupied": N_("the least occupied agent"),
    "best_skill": N_("the agent with the best skill"),
}
DECLINES = {
    "rejected": N_("{agent} rejected the offer; the contact kept its place in line."),
    "no_answer": N_("{agent} did not answer in time; the contact kept its place in line."),
    "unreachable": N_("{agent}'s phone could not be reached; the contact kept its place in line."),
}
TRANSFERS = {
    "transfer": N_("{agent} transferred the contact to {target}."),
    "consult": N_("{agent} asked {target} to join."),
    "consult_handed_over": N_("{agent} handed the contact over to {target}."),
    "consult_ended": N_("{agent} ended the consult; {target} keeps the contact."),
}


def action_text(gettext: Gettext, action: str, queue: str) -> str:
    text = ACTIONS.get(action)
    return gettext(text).format(queue=queue) if text else action


@dataclass(frozen=True, slots=True)
class Teller:
    """Tells events in the reader's words."""

    gettext: Gettext
    fmt: Formats
    names: Directory
    customers: Mapping[str, str]  # customer id -> name, for the look-up

    def entries(self, events: Sequence[StoredEvent]) -> list[Entry]:
        told = []
        before: datetime | None = None
        for event in events:
            after = None if before is None else (event.at - before).total_seconds()
            told.append(self.entry(event, after if after and after >= 1 else None))
            before = event.at
        return told

    def entry(self, event: StoredEvent, after: float | None) -> Entry:
        _ = self.gettext
        data = event.data
        title = _(TITLES.get(event.type, event.type))
        common: dict[str, Any] = {"seq": event.seq, "type": event.type, "at": event.at}
        details = self._details(event.type, data)
        if event.type == "contact.state_changed":
            states = {code: _(name) for code, name in CONTACT_STATES.items()}
            old, new = str(data.get("old", "")), str(data.get("new", ""))
            title = _("{old} → {new}").format(old=states.get(old, old), new=states.get(new, new))
            return Entry(**common, after=after, title=title, minor=True)
        if event.type in ("contact.routed", "contact.offered"):
            items = tuple(explanations.parse(data.get("explanation") or ()))
            if event.type == "contact.routed":
                details = self._routed(data, items)
            return Entry(**common, after=after, title=title, details=details, explanation=items)
        customer = data.get("customer") if event.type == "contact.enriched" else None
        return Entry(
            **common, after=after, title=title, details=details,
            customer=customer, customer_name=self.customers.get(customer or "", customer or ""),
        )  # fmt: skip

    def _routed(
        self, data: Mapping[str, Any], items: Sequence[explanations.Item]
    ) -> tuple[str, ...]:
        """The rule and what it decided; the explanation's action says more than the
        event's (a manager or agent route is queued like any other)."""
        _, names = self.gettext, self.names
        decided = next((i for i in items if isinstance(i, explanations.Decided)), None)
        action = decided.action if decided else str(data.get("action", ""))
        queue = names.queue(decided.queue if decided else data.get("queue")) or "—"
        return (
            _("Rule “{rule}”: {action}").format(
                rule=data.get("rule", ""), action=action_text(_, action, queue)
            ),
        )

    def _details(self, kind: str, data: Mapping[str, Any]) -> tuple[str, ...]:
        tell = DETAILS.get(kind)
        return tell(self, data) if tell else ()

    def _agent(self, data: Mapping[str, Any], key: str = "agent") -> str:
        return self.names.agent(data.get(key)) or "—"

    def _arrived(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        _ = self.gettext
        channel = str(data.get("channel"))
        text = _("{channel} from {sender} to {address}").format(
            channel=_(CHANNELS.get(channel, channel)),
            sender=phone(str(data.get("ani", ""))),
            address=phone(str(data.get("access_point", ""))),
        )
        return (text,)

    def _enriched(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        found = CRM_RESULTS.get(str(data.get("crm")))
        return (self.gettext(found),) if found else ()

    def _offered(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        _ = self.gettext
        text = _("{agent} was asked to join (a consult).") if data.get("consult") else (
            _("Offered to {agent}.")
        )  # fmt: skip
        lines = [text.format(agent=self._agent(data))]
        if data.get("timeout"):
            ring = self.fmt.duration(float(data["timeout"]))
            lines.append(_("The offer rings for {time}.").format(time=ring))
        return tuple(lines)

    def _declined(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        reason = str(data.get("reason"))
        text = DECLINES.get(reason)
        return (self.gettext(text).format(agent=self._agent(data)) if text else reason,)

    def _accepted(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        waited = self.fmt.duration(float(data.get("waited") or 0))
        text = self.gettext("{agent} answered after {time} in line.")
        return (text.format(agent=self._agent(data), time=waited),)

    def _wrapped_up(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        _ = self.gettext
        lines = [_("{agent} wrapped up.").format(agent=self._agent(data))]
        if data.get("disposition"):
            result = self.names.disposition(data["disposition"])
            lines.append(_("Result: {disposition}").format(disposition=result))
        if data.get("note"):
            lines.append(_("Note: {note}").format(note=data["note"]))
        return tuple(lines)

    def _transferred(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        _, names = self.gettext, self.names
        if data.get("to_queue"):
            target = _("queue {queue}").format(queue=names.queue(data["to_queue"]))
        else:
            target = self._agent(data, "to_agent")
        kind = str(data.get("kind"))
        text = TRANSFERS.get(kind)
        return (_(text).format(agent=self._agent(data), target=target) if text else kind,)

    def _callback(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        names = self.names
        target = names.agent(data.get("agent")) or names.queue(data.get("queue")) or "—"
        text = self.gettext("Call back {number} at {time} ({target}).").format(
            number=phone(str(data.get("number", ""))),
            time=self.fmt.datetime(_parse_time(data.get("due_at"))),
            target=target,
        )
        return (text,)

    def _recorded(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        length = self.fmt.duration(float(data.get("seconds") or 0))
        return (self.gettext("The call was recorded ({time}).").format(time=length),)

    def _place_kept(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        text = self.gettext("The caller hung up keeping their place; {number} is called back.")
        return (text.format(number=phone(str(data.get("number", "")))),)

    def _step(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        step = int(data.get("step") or 0) + 1
        queue = self.names.queue(data.get("queue"))
        return (self.gettext("Step {step} of queue {queue}.").format(step=step, queue=queue),)


#: What each kind of event says beyond its title.
DETAILS: Mapping[str, Callable[[Teller, Mapping[str, Any]], tuple[str, ...]]] = {
    "contact.arrived": Teller._arrived,
    "contact.enriched": Teller._enriched,
    "contact.offered": Teller._offered,
    "offer.declined": Teller._declined,
    "contact.accepted": Teller._accepted,
    "contact.wrapped_up": Teller._wrapped_up,
    "contact.transferred": Teller._transferred,
    "callback.scheduled": Teller._callback,
    "queue.step_advanced": Teller._step,
    "contact.recorded": Teller._recorded,
    "contact.place_kept": Teller._place_kept,
}


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
