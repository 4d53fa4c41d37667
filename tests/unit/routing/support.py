"""Small builders for router tests: a router from scenario text, agents, contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from frontdesk.domain.agents import Agent, AgentState, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.queues import Queue
from frontdesk.routing.context import Facts
from frontdesk.routing.engine import Offer, Router
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.routing.state import RoutingState

NOON = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)  # a Tuesday, 12:00 in Moscow
_ids = count(1)


def queues(*names: str, **options: Queue) -> dict[QueueId, Queue]:
    found = {QueueId(n): Queue(QueueId(n)) for n in names}
    found.update({QueueId(k): v for k, v in options.items()})
    return found


class Desk:
    """A router with its state, driven like the dispatcher drives it."""

    def __init__(self, scenario: str, known: dict[QueueId, Queue], aging: float = 0.0) -> None:
        plan = compile_scenario(scenario, Catalog(queues=known, lists=("blacklist",)))
        self.state = RoutingState(plan.aging_per_minute or aging)
        self.router = Router(plan, known, Facts(queues=self.state))
        self.contacts: dict[ContactId, Contact] = {}

    def agent(
        self,
        name: str,
        *,
        queues: tuple[str, ...] = ("main",),
        skills: dict[str, int] | None = None,
        groups: tuple[str, ...] = (),
        languages: tuple[str, ...] = (),
        capacity: Capacity | None = None,
        state: AgentState = AgentState.READY,
    ) -> Agent:
        agent = Agent(
            id=AgentId(name),
            skills=skills or {},
            groups=frozenset(groups),
            languages=frozenset(languages),
            queues=frozenset(QueueId(q) for q in queues),
            capacity=capacity or Capacity(),
            state=state,
        )
        self.state.set_agent(agent)
        return agent

    def arrive(
        self,
        at: float = 0.0,
        *,
        customer: CustomerProfile | None = None,
        channel: Channel = Channel.VOICE,
        line: str = "support",
        data: dict[str, str] | None = None,
        language: str | None = None,
        priority: int = 0,
    ) -> ContactId:
        contact = Contact(
            id=ContactId(f"c{next(_ids)}"),
            tenant=DEFAULT_TENANT,
            channel=channel,
            ani="+74951234567",
            access_point="+74950000000",
            arrived_at=NOON,
            line=line,
            channel_data=data or {},
            language=language,
            priority=priority,
        )
        self.contacts[contact.id] = contact
        env = self.router.environment(contact, customer, NOON)
        treatment = self.router.treat(env)
        self.router.enqueue(self.state, contact.id, env, treatment, at)
        return contact.id

    def decide(self, at: float = 0.0) -> list[Offer]:
        return self.router.decide(self.state, at)

    def finish(self, contact: ContactId, agent: AgentId, media: Media = Media.CALL) -> None:
        self.state.accepted(contact)
        self.state.release(agent, media)


def vip(manager: str | None = None) -> CustomerProfile:
    return CustomerProfile(
        id=CustomerId("vip1"), category="VIP", vip=True,
        manager=AgentId(manager) if manager else None,
    )  # fmt: skip
