"""The live contact pipeline of one tenant: decision and dispatch around the pure router.

A :class:`TenantDesk` owns the tenant's :class:`RoutingState` and is the only code that
changes it. Every operation runs under the desk's lock, writes the contact, the agents
and the events in one transaction, and publishes the events after the commit; the
routing state follows the store. Should a write fail, the desk rebuilds itself from the
store, so memory never drifts from what is committed.

Time in the routing state is epoch seconds: a contact's place in line (``enqueued_at``,
``seq``) is stored with it, and a restart rebuilds the line in the same order.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact, ContactState, IvrStep, Segment, SegmentKind
from frontdesk.domain.customers import Activity, Customer, CustomerProfile
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.events import (
    AgentStateChanged,
    CallbackScheduled,
    ConfigurationChanged,
    ContactAccepted,
    ContactArrived,
    ContactCustomerLinked,
    ContactEnriched,
    ContactMessage,
    ContactOffered,
    ContactPlaceKept,
    ContactRecorded,
    ContactRouted,
    ContactStateChanged,
    ContactTransferred,
    ContactWrappedUp,
    Event,
    OfferDeclined,
)
from frontdesk.domain.handling import CrmStatus, Handling, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.domain.ports import Clock, Crm, Publisher
from frontdesk.domain.queues import AccessPoint
from frontdesk.domain.repositories import Store, Transaction
from frontdesk.routing.context import Facts, RoutingEnv
from frontdesk.routing.engine import Offer, Router, Treatment
from frontdesk.routing.plan import ActionKind, IndexTerm, Menu, ScenarioPlan, StepPlan, TermKind
from frontdesk.routing.scenario import Catalog, ScenarioError, compile_scenario
from frontdesk.routing.state import RoutingState
from frontdesk.services.catalog import TenantConfig
from frontdesk.services.conversations import Direction, Message, check_message, is_text
from frontdesk.services.enrichment import look_up
from frontdesk.services.ids import new_id
from frontdesk.services.intake import Submission, check, new_contact, sender_address

log = logging.getLogger(__name__)
S = ContactState
MAX_MENU_DEPTH = 10
#: States in which a contact still needs the desk; the rest are done.
OPEN_STATES = frozenset(
    {S.ARRIVED, S.ENRICHED, S.QUEUED, S.OFFERED, S.CONNECTED, S.WRAP_UP, S.TRANSFERRED}
)
#: What an agent may ask for; the other states follow from their work.
REQUESTABLE = frozenset({AgentState.READY, AgentState.NOT_READY, AgentState.LOGGED_OUT})
NO_ANSWER = "no_answer"
#: ``channel_data`` key of a contact whose caller hung up keeping their place in line: the
#: number to call back when an agent takes it.
CALL_BACK = "call_back"
REJECTED = "rejected"
_WORKING = frozenset({AgentState.READY, AgentState.RESERVED, AgentState.BUSY})


@dataclass(slots=True)
class _Timer:
    """A deadline the desk must act on: an offer ringing out, a callback falling due."""

    kind: str  # "offer", "wrap_up", "callback"
    key: str
    token: object  # the offer/wrap-up/callback this timer belongs to; stale if replaced


@dataclass(frozen=True, slots=True)
class Turn:
    """What a live call does next (:meth:`TenantDesk.route` with ``live``,
    :meth:`TenantDesk.answer_menu`).

    ``menu``: play its prompt and report the key pressed. Otherwise the contact is decided
    (its state says how: queued, rejected, a callback); ``announcement`` is the reject's or
    the callback's, played before hanging up. ``greeting`` is the treatment's, played
    first on the call's first turn.
    """

    contact: LiveContact
    menu: Menu | None = None
    greeting: str | None = None
    announcement: str | None = None
    offer_callback: bool = False


class TenantDesk:
    def __init__(
        self, tenant: TenantId, store: Store, crm: Crm, publisher: Publisher, clock: Clock
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.crm = crm
        self.publisher = publisher
        self.clock = clock
        self.lock = asyncio.Lock()
        self.config = TenantConfig()
        self.router: Router | None = None
        self.plan_version: int | None = None  # the version routing runs
        self.published_version: int | None = None  # the version published when loaded
        self.state = RoutingState()
        self.agents: dict[AgentId, Agent] = {}
        self.offers: dict[ContactId, tuple[AgentId, object]] = {}
        self.timers: list[tuple[float, int, _Timer]] = []
        self._timer_seq = 0
        self.problem: str | None = None  # why the desk cannot route (no scenario ...)
        self.wake: Callable[[], None] = lambda: None

    # --- loading and recovery -------------------------------------------------------------
    async def load(self) -> list[ContactId]:
        """(Re)build from the store. Returns contacts that still need a decision."""
        async with self.store.transaction() as tx:
            self.config = await TenantConfig.load(tx, self.tenant)
            agents = await tx.agents.all(self.tenant)
            scenario = await tx.scenarios.published(self.tenant)
            contacts = await tx.contacts.in_states(self.tenant, OPEN_STATES)
            callbacks = await tx.callbacks.all(self.tenant, state=CallbackState.PENDING)
        self.offers.clear()
        self.timers.clear()
        # The load is rebuilt from the contacts below; ringing offers died with the process.
        self.agents = {
            a.id: replace(a, load={}, state=AgentState.READY if a.state in _WORKING else a.state)
            for a in agents
        }
        stored_states = {a.id: a.state for a in agents}
        self.published_version = scenario.version if scenario else None
        self._compile(scenario.text if scenario else None, scenario.version if scenario else None)
        self.state = RoutingState(self.router.plan.aging_per_minute if self.router else 0.0)
        for agent in self.agents.values():
            self.state.set_agent(agent)
        undecided: list[ContactId] = []
        restored: list[LiveContact] = []
        consults: list[LiveContact] = []
        for live in contacts:
            state = live.contact.state
            if state in (S.ARRIVED, S.ENRICHED):
                undecided.append(live.contact.id)
            elif state in (S.CONNECTED, S.WRAP_UP) and live.handling.agent in self.agents:
                self.state.take(live.handling.agent, live.contact.media)
                consultant = live.handling.consult_agent
                if consultant is not None and consultant in self.agents:
                    self.state.take(consultant, live.contact.media)
                elif live.handling.consult is not None:
                    consults.append(live)
            elif state in (S.QUEUED, S.OFFERED, S.TRANSFERRED):
                restored.append(live)
        restored.sort(key=lambda lv: (lv.handling.enqueued_at or 0.0, lv.handling.seq))
        withdrawn = [lv for lv in restored if lv.contact.state is S.OFFERED]
        routers = await self._routers_of(restored)
        for live in restored:
            await self._requeue(live, routers.get(live.handling.scenario_version, self.router))
        for live in consults:  # asked for before the restart: asked for again
            await self._queue_consult(live, await self._profile(live), self.clock.now())
        if withdrawn:
            await self._withdraw_offers(withdrawn)
        await self._settle_agents(stored_states)
        for callback in callbacks:
            self._at(callback.due_at.timestamp(), _Timer("callback", callback.id, callback.id))
        return undecided

    def _compile(self, text: str | None, version: int | None) -> None:
        self.router, self.plan_version, self.problem = None, None, None
        if text is None:
            self.problem = "no scenario is published"
            return
        try:
            plan = compile_scenario(text, self._catalog())
        except ScenarioError as error:
            # The configuration changed under a published scenario (a queue deleted ...).
            self.problem = f"the published scenario no longer compiles: {error}"
            log.error("tenant %s: %s", self.tenant, self.problem)
            return
        self.router = self._router(plan)
        self.plan_version = version

    def _router(self, plan: ScenarioPlan) -> Router:
        facts = Facts(
            timezone=ZoneInfo(plan.timezone),
            calendars=self.config.calendars,
            default_calendar=plan.calendar,
            lists=self.config.lists,
            day_parts=plan.day_parts,
            queues=self.state,
        )
        return Router(plan, self.config.queues, facts)

    async def _routers_of(self, waiting: list[LiveContact]) -> dict[int | None, Router | None]:
        """Routers for the earlier scenario versions that decided contacts still waiting:
        a contact keeps the treatment it was given when a new version is published."""
        versions = {lv.handling.scenario_version for lv in waiting} - {self.plan_version, None}
        routers: dict[int | None, Router | None] = {}
        if not versions:
            return routers
        catalog = self._catalog()
        async with self.store.transaction() as tx:
            for version in versions:
                stored = await tx.scenarios.get(self.tenant, version) if version else None
                if stored is None:
                    continue
                try:
                    routers[version] = self._router(compile_scenario(stored.text, catalog))
                except ScenarioError:  # no longer valid: the current version decides
                    continue
        return routers

    def _catalog(self) -> Catalog:
        return Catalog(
            queues=self.config.queues,
            calendars=tuple(self.config.calendars),
            lists=tuple(self.config.lists),
            agents=None,
        )

    async def _requeue(self, live: LiveContact, router: Router | None) -> None:
        """Put a contact back in line at its stored place (after a restart)."""
        if router is None:
            return
        contact = live.contact
        profile = await self._profile(live)
        now = live.handling.decided_at or contact.arrived_at
        env = router.environment(contact, profile, now)
        steps, queue, priority = self._steps_for(live.handling, env, router)
        if not steps:
            return
        self.state.enqueue(
            contact.id, contact.media, env, queue, steps, priority,
            live.handling.enqueued_at or now.timestamp(),
        )  # fmt: skip

    async def _withdraw_offers(self, offered: list[LiveContact]) -> None:
        """Offers open at a crash are void: the contacts wait again, keeping their place."""
        now = self.clock.now()
        async with self._transaction(dispatching=False) as tx:
            for live in offered:
                contact = live.contact.moved_to(S.QUEUED, now)
                await tx.contacts.put(
                    LiveContact(contact, replace(live.handling, agent=None, offered_at=None))
                )
                self._emit(tx, ContactStateChanged(
                    tenant=self.tenant, at=now, contact=contact.id, old=S.OFFERED, new=S.QUEUED
                ))  # fmt: skip

    async def _settle_agents(self, stored: dict[AgentId, AgentState]) -> None:
        """Store the working state (ready, busy) that the rebuilt load gives each agent."""
        now = self.clock.now()
        async with self._transaction(dispatching=False) as tx:
            for agent_id, agent in self.agents.items():
                if agent.state in _WORKING:
                    self.agents[agent_id] = replace(agent, state=stored[agent_id])
                    await self._agent_to(tx, agent_id, None, now)
                    self.agents[agent_id] = replace(
                        self.agents[agent_id], load=dict(self.state.agents[agent_id].load)
                    )

    async def identify(self, field: str, value: str) -> CustomerProfile | None:
        """The customer whose field ``field`` is ``value`` (a contract number keyed in),
        within the CRM's deadline; None when there is none or the CRM does not answer."""
        try:
            async with asyncio.timeout(self.config.crm_timeout):
                return await self.crm.with_field(self.tenant, field, value)
        except TimeoutError:
            log.warning("tenant %s: the CRM did not answer a look-up by %s", self.tenant, field)
            return None

    async def _profile(self, live: LiveContact) -> CustomerProfile | None:
        if live.contact.customer is None:
            return None
        customer = await self.crm.get(self.tenant, live.contact.customer)
        return customer.profile() if customer is not None else None

    def _steps_for(
        self, handling: Handling, env: RoutingEnv, router: Router
    ) -> tuple[tuple[StepPlan, ...], QueueId | None, int]:
        target = handling.target
        if target is not None:
            kind, _, key = target.partition(":")
            return direct_steps(kind, key), QueueId(key) if kind == "queue" else None, 0
        treatment = self._final_treatment(router, env)
        return treatment.steps, treatment.queue, treatment.priority + env.contact.priority

    @staticmethod
    def _final_treatment(router: Router, env: RoutingEnv, *, live: bool = False) -> Treatment:
        """The scenario's treatment, menus answered from the contact's collected digits.

        ``live``: a menu the contact has not answered yet is the treatment (the caller is
        to hear it); otherwise such a menu ends in its ``on_fail``."""
        treatment = router.treat(env)
        for _ in range(MAX_MENU_DEPTH):
            if treatment.kind is not ActionKind.MENU:
                break
            key = env.contact.digits.get(treatment.menu)
            if key is None and live:
                break
            treatment = router.choose(env, treatment.menu, key or None)
        return treatment

    # --- transactions and events ----------------------------------------------------------
    @asynccontextmanager
    async def _transaction(self, *, dispatching: bool = True) -> AsyncIterator[Transaction]:
        """A store transaction whose events are published after its commit.

        ``dispatching``: the offers the change makes possible are made in the same
        transaction (a contact queued and offered is one commit, not two)."""
        async with self.store.transaction() as tx:
            yield tx
            if dispatching:
                await self._offers_in(tx)
        committed = tx.events.committed
        if committed:
            await self.publisher.publish(committed)

    def _emit(self, tx: Transaction, event: Event) -> None:
        tx.events.append(event)

    async def guarded(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` under the lock, then dispatch; rebuild from the store on failure."""
        async with self.lock:
            try:
                await work()
                await self.dispatch()
            except (ValidationError, NotFoundError, ConflictError):
                raise  # a refusal: every operation checks before it changes anything
            except Exception:
                # The transaction rolled back; the routing state may have moved already.
                log.exception("tenant %s: desk operation failed; reloading", self.tenant)
                await self.load()
                await self.dispatch()
                raise
        self.wake()

    # --- intake ---------------------------------------------------------------------------
    async def submit(self, submission: Submission) -> tuple[LiveContact, bool]:
        """Persist a new contact (or return the one with the same idempotency key).

        Returns the contact and whether it was created. Routing happens afterwards.
        """
        check(submission)
        point = self.access_point(submission.access_point)
        now = self.clock.now()
        key = submission.idempotency_key
        # Not under the desk's lock: this transaction must not make offers.
        async with self._transaction(dispatching=False) as tx:
            if key is not None:
                existing = await tx.contacts.by_idempotency_key(self.tenant, key)
                if existing is not None:
                    return existing, False
            contact, problem = new_contact(ContactId(new_id()), self.tenant, point, submission, now)
            handling = Handling(
                idempotency_key=key,
                errors=(f"sender: {problem}",) if problem else (),
            )
            live = LiveContact(contact, handling)
            await tx.contacts.add(live)
            self._emit(tx, ContactArrived(
                tenant=self.tenant, at=now, contact=contact.id, channel=contact.channel,
                ani=contact.ani, access_point=contact.access_point,
            ))  # fmt: skip
        return live, True

    def access_point(self, address: str) -> AccessPoint:
        points = self.config.access_points
        point = points.get(address)
        if point is None and address.strip():
            normalized, _ = sender_address(Channel.VOICE, address)
            point = points.get(normalized)
        if point is None:
            raise NotFoundError(
                f"access point {address!r} does not exist", code="access_point.not_found"
            )
        return point

    # --- enrichment and decision ----------------------------------------------------------
    async def route(
        self, contact_id: ContactId, *, live: bool = False, known: LiveContact | None = None
    ) -> Turn | None:
        """Stages 2 and 3 for a stored contact, then dispatch.

        ``live``: the contact is a call in progress, and a menu the scenario sends it to is
        played to the caller: the contact stays enriched, and the returned turn names the
        menu; :meth:`answer_menu` carries on with the key pressed. Otherwise (and once
        decided) the turn holds the contact as decided. None: nothing to decide (the
        contact is gone, or decided already). ``known``: the contact as the caller has it
        (just submitted), for the CRM look-up; otherwise it is read first.
        """
        stored = known
        if stored is None:
            async with self.store.transaction() as tx:
                stored = await tx.contacts.get(self.tenant, contact_id)
        if stored is None or stored.contact.state not in (S.ARRIVED, S.ENRICHED):
            return None
        profile, status = await look_up(self.crm, stored.contact, self.config.crm_timeout)
        turns: list[Turn | None] = []

        async def decide() -> None:
            turns.append(await self._decide(contact_id, profile, status, live=live))

        await self.guarded(decide)
        return turns[0]

    async def answer_menu(
        self, turn: Turn, key: str | None, outcome: str = "chosen",
        *, customer: CustomerProfile | None = None,
    ) -> Turn | None:  # fmt: skip
        """The caller of a live contact answered the menu of ``turn`` with ``key`` (None:
        no valid key after the retries; for a menu that collects a number, the number).
        The step goes into the contact's IVR path, and the next turn, another menu or the
        decision, is taken in the same transaction.

        ``customer``: the caller was identified by the number keyed in (a contract
        number looked up in the CRM): the contact is theirs from now on, and the scenario
        decides with what the CRM knows of them."""
        if turn.menu is None:
            raise ValueError("the turn has no menu to answer")
        contact_id, menu = turn.contact.contact.id, turn.menu.name
        profile = customer or await self._profile(turn.contact)
        turns: list[Turn | None] = []

        def answered(tx: Transaction, current: LiveContact) -> LiveContact:
            contact = current.contact
            if contact.state is not S.ENRICHED:
                raise ConflictError(
                    f"contact {contact_id} is {contact.state}, not in a menu",
                    code="contact.not_in_menu",
                )
            step = IvrStep(menu=menu, input=key or "", outcome=outcome)
            contact = replace(
                contact,
                digits={**contact.digits, menu: key or ""},
                ivr_path=(*contact.ivr_path, step),
            )
            if customer is not None and customer.id != contact.customer:
                self._emit(tx, ContactCustomerLinked(
                    tenant=self.tenant, at=self.clock.now(), contact=contact_id,
                    customer=customer.id, previous=contact.customer, agent=None, by="ivr",
                ))  # fmt: skip
                contact = replace(contact, customer=customer.id, category=customer.category)
            return LiveContact(contact, current.handling)

        async def answer() -> None:
            turns.append(await self._decide(
                contact_id, profile, turn.contact.handling.crm, live=True, first=answered
            ))  # fmt: skip

        await self.guarded(answer)
        return turns[0]

    async def _decide(
        self, contact_id: ContactId, profile: CustomerProfile | None, status: CrmStatus,
        *, live: bool = False,
        first: Callable[[Transaction, LiveContact], LiveContact] | None = None,
    ) -> Turn | None:  # fmt: skip
        """Decide the contact (or give it its next menu). ``first`` changes the stored
        contact in the same transaction before (a menu answered); it may refuse."""
        now = self.clock.now()
        async with self._transaction() as tx:
            stored = await tx.contacts.get(self.tenant, contact_id)
            if stored is not None and first is not None:
                stored = first(tx, stored)
            if stored is None or stored.contact.state not in (S.ARRIVED, S.ENRICHED):
                return None  # abandoned meanwhile, or decided by a concurrent retry
            contact, handling = stored.contact, stored.handling
            if contact.state is S.ARRIVED:
                contact = replace(
                    contact.moved_to(S.ENRICHED, now),
                    customer=profile.id if profile else None,
                    category=profile.category if profile else None,
                )
                handling = replace(handling, crm=status)
                self._emit(tx, ContactEnriched(
                    tenant=self.tenant, at=now, contact=contact.id,
                    customer=contact.customer, crm=status.value,
                ))  # fmt: skip
                self._moved(tx, contact, S.ARRIVED, now)
            router = self.router
            if router is None:
                handling = replace(handling, errors=(*handling.errors, self.problem or ""))
                await tx.contacts.put(LiveContact(contact, handling))
                return Turn(LiveContact(contact, handling))
            env = router.environment(contact, profile, now)
            treatment = self._final_treatment(router, env, live=live)
            if treatment.kind is ActionKind.MENU:  # live: the caller hears it now
                menu = router.plan.menus[treatment.menu]
                handling = replace(
                    handling, scenario_version=self.plan_version, rule=treatment.rule.name,
                    greeting=handling.greeting or treatment.greeting,
                    explanation=treatment.explain(),
                )  # fmt: skip
                waiting = LiveContact(contact, handling)
                await tx.contacts.put(waiting)
                return Turn(waiting, menu=menu, greeting=treatment.greeting)
            handling = replace(
                handling,
                scenario_version=self.plan_version,
                rule=treatment.rule.name,
                decided_at=now,
                queue=treatment.queue,
                greeting=handling.greeting or treatment.greeting,
                card=treatment.outputs.card,
                script=treatment.outputs.script,
                record=bool(treatment.outputs.record),
                explanation=treatment.explain(),
            )
            queued = treatment.kind is ActionKind.QUEUE
            priority = treatment.priority + contact.priority
            self._emit(tx, ContactRouted(
                tenant=self.tenant, at=now, contact=contact.id, rule=treatment.rule.name,
                action=treatment.kind.value, queue=treatment.queue,
                explanation=handling.explanation, priority=priority if queued else None,
            ))  # fmt: skip
            if queued:
                contact, handling = self._enqueue(
                    tx, env, contact, handling, treatment.steps, treatment.queue, priority, now
                )
            elif treatment.kind is ActionKind.CALLBACK:
                contact = contact.moved_to(S.CALLBACK_SCHEDULED, now)
                self._moved(tx, contact, S.ENRICHED, now)
                await self._add_callback(tx, Callback(
                    id=new_id(), tenant=self.tenant, number=contact.ani, due_at=now,
                    created_at=now, contact=contact.id, customer=contact.customer,
                    queue=treatment.queue, note=treatment.reason, created_by="scenario",
                ))  # fmt: skip
            else:  # REJECT (a menu ends in one of the others)
                contact = contact.moved_to(S.REJECTED, now)
                self._moved(tx, contact, S.ENRICHED, now)
            decided = LiveContact(contact, handling)
            await tx.contacts.put(decided)
            return Turn(
                decided, greeting=treatment.greeting, announcement=treatment.announcement,
                offer_callback=treatment.offer_callback,
            )  # fmt: skip

    def _enqueue(
        self, tx: Transaction, env: RoutingEnv, contact: Contact, handling: Handling,
        steps: tuple[StepPlan, ...], queue: QueueId | None, priority: int, now: datetime,
    ) -> tuple[Contact, Handling]:  # fmt: skip
        old = contact.state
        contact = contact.moved_to(S.QUEUED, now).with_segment(
            SegmentKind.INITIAL if not contact.segments else SegmentKind.TRANSFER, now, queue
        )
        env.contact = contact
        waiting = self.state.enqueue(
            contact.id, contact.media, env, queue, steps, priority, now.timestamp()
        )
        self._moved(tx, contact, old, now)
        return contact, replace(
            handling, queue=queue, enqueued_at=waiting.enqueued_at, seq=waiting.seq, agent=None,
            priority=priority,
        )  # fmt: skip

    def _moved(self, tx: Transaction, contact: Contact, old: ContactState, now: datetime) -> None:
        self._emit(tx, ContactStateChanged(
            tenant=self.tenant, at=now, contact=contact.id, old=old, new=contact.state
        ))  # fmt: skip

    # --- dispatch -------------------------------------------------------------------------
    async def dispatch(self) -> None:
        """Ask the router for offers and make them. Call under the lock."""
        router = self.router
        if router is None:
            return
        now = self.clock.now()
        offers = router.decide(self.state, now.timestamp())
        if not offers:
            return
        async with self._transaction(dispatching=False) as tx:
            for offer in offers:
                await self._make_offer(tx, offer, now)

    async def _offers_in(self, tx: Transaction) -> None:
        router = self.router
        if router is None:
            return
        now = self.clock.now()
        for offer in router.decide(self.state, now.timestamp()):
            await self._make_offer(tx, offer, now)

    async def _make_offer(self, tx: Transaction, offer: Offer, now: datetime) -> None:
        contact_id = contact_of(offer.contact)
        live = await tx.contacts.get(self.tenant, contact_id)
        if live is None:
            raise NotFoundError(f"contact {contact_id} vanished", code="contact.not_found")
        explanation = offer.explain()
        if offer.contact == contact_id:  # a consult leaves the contact with its agent
            contact = live.contact.moved_to(S.OFFERED, now)
            handling = replace(
                live.handling, agent=offer.agent, offered_at=now,
                explanation=(*live.handling.explanation, *explanation),
            )  # fmt: skip
            await tx.contacts.put(LiveContact(contact, handling))
            self._moved(tx, contact, S.QUEUED, now)
        timeout = self.config.ring_timeout
        contact = live.contact
        self._emit(tx, ContactOffered(
            tenant=self.tenant, at=now, contact=contact_id, agent=offer.agent,
            queue=offer.queue, step=offer.step.index, explanation=explanation, timeout=timeout,
            channel=contact.channel.value, ani=contact.ani, customer=contact.customer,
            arrived_at=contact.arrived_at,
            queued_at=contact.segments[-1].started_at if contact.segments else None,
            consult=offer.contact != contact_id, priority=live.handling.priority,
        ))  # fmt: skip
        token = object()
        self.offers[offer.contact] = (offer.agent, token)
        await self._agent_to(tx, offer.agent, None, now)
        self._at(now.timestamp() + timeout, _Timer("offer", offer.contact, token))

    async def _agent_to(
        self, tx: Transaction, agent_id: AgentId, wanted: AgentState | None, now: datetime,
        reason: str | None = None,
    ) -> None:  # fmt: skip
        """Set the agent's state: ``wanted``, or (None) what their work makes it.

        Ready, reserved and busy follow from the agent's work: asking for ready while a
        contact is in progress makes the agent busy (and routable for what capacity allows).
        """
        agent = self.agents[agent_id]
        state = wanted or agent.state
        if state in _WORKING:
            state = self._working_state(agent_id)
        if state is agent.state and reason == agent.reason:
            return
        updated = replace(
            agent, state=state, reason=reason if state is AgentState.NOT_READY else None,
            state_since=now,
            idle_since=now if state is AgentState.READY else agent.idle_since,
            load=dict(self.state.agents[agent_id].load) if agent_id in self.state.agents else {},
        )  # fmt: skip
        self.agents[agent_id] = updated
        self.state.set_agent(updated)
        await tx.agents.put(updated)
        self._emit(tx, AgentStateChanged(
            tenant=self.tenant, at=now, agent=agent_id, old=agent.state, new=state, reason=reason
        ))  # fmt: skip

    def _working_state(self, agent_id: AgentId) -> AgentState:
        ringing = sum(1 for a, _ in self.offers.values() if a == agent_id)
        slot = self.state.agents.get(agent_id)
        if slot is not None and sum(slot.load.values()) > ringing:
            return AgentState.BUSY
        return AgentState.RESERVED if ringing else AgentState.READY

    # --- timers ---------------------------------------------------------------------------
    def _at(self, when: float, timer: _Timer) -> None:
        self._timer_seq += 1
        heapq.heappush(self.timers, (when, self._timer_seq, timer))
        self.wake()

    def next_deadline(self) -> float | None:
        """Epoch seconds of the next timer or queue-step expiry, if any."""
        candidates = []
        if self.timers:
            candidates.append(self.timers[0][0])
        if self.state.expiries:
            candidates.append(self.state.expiries[0][0])
        return min(candidates) if candidates else None

    async def tick(self) -> None:
        """Act on every deadline that has passed: offers ring out, steps expire, callbacks."""
        now = self.clock.now().timestamp()
        while self.timers and self.timers[0][0] <= now:
            _, _, timer = heapq.heappop(self.timers)
            await self._fire(timer)
        if self.state.expiries and self.state.expiries[0][0] <= now:
            await self.guarded(self.nothing)

    async def nothing(self) -> None:
        """Dispatch alone: steps that expired may now match other agents."""

    async def _fire(self, timer: _Timer) -> None:
        if timer.kind == "offer":
            current = self.offers.get(ContactId(timer.key))
            if current is not None and current[1] is timer.token:
                with suppress(ConflictError):  # answered while the timer fired: no ring-out
                    await self.decline(current[0], contact_of(ContactId(timer.key)), NO_ANSWER)
        elif timer.kind == "wrap_up":
            await self._auto_wrap_up(ContactId(timer.key), timer.token)
        elif timer.kind == "callback":
            await self._callback_due(timer.key)

    # --- agent operations -----------------------------------------------------------------
    def _agent(self, agent_id: AgentId) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise NotFoundError(f"agent {agent_id} does not exist", code="agent.not_found")
        return agent

    async def set_agent_state(
        self, agent_id: AgentId, state: AgentState, reason: str | None = None
    ) -> Agent:
        """An agent (or a supervisor for them) asks for ready, not ready or logged out."""
        agent = self._agent(agent_id)
        if state not in REQUESTABLE:
            raise ValidationError(
                f"an agent can ask for ready, not_ready or logged_out, not {state}",
                code="agent.invalid_state",
            )
        if state is AgentState.NOT_READY:
            if not reason:
                raise ValidationError("not ready needs a reason code", code="agent.reason_required")
            if self.config.reasons and reason not in self.config.reasons:
                known = ", ".join(sorted(self.config.reasons))
                raise ValidationError(
                    f"unknown not-ready reason {reason!r} (known: {known})",
                    code="agent.unknown_reason",
                )
        if agent.state is AgentState.WRAP_UP and state is not AgentState.NOT_READY:
            raise ConflictError(
                f"agent {agent_id} is in wrap-up: close the contact first",
                code="agent.in_wrap_up",
            )

        async def change() -> None:
            # Under the lock: offers may have been accepted or made since the call began.
            working = [c for c, (a, _) in self.offers.items() if a == agent_id]
            slot = self.state.agents.get(agent_id)
            busy = sum(slot.load.values()) - len(working) if slot is not None else 0
            if state is AgentState.LOGGED_OUT and busy > 0:
                raise ConflictError(
                    f"agent {agent_id} still has contacts; finish them before logging out",
                    code="agent.busy",
                )
            now = self.clock.now()
            for contact in working:  # an agent who steps away lets the ringing offer go
                await self._declined(agent_id, contact, REJECTED, now, set_agent=False)
            async with self._transaction() as tx:
                await self._agent_to(tx, agent_id, state, now, reason)

        await self.guarded(change)
        return self.agents[agent_id]

    async def put_agent(self, agent: Agent, audit: AuditEntry | None = None) -> Agent:
        """Create or update an agent's profile; a live state in the store is kept.

        ``audit`` is written in the same transaction as the change."""

        async def change() -> None:
            async with self._transaction() as tx:
                if audit is not None:
                    await tx.audit.add(audit)
                stored = await tx.agents.get(self.tenant, agent.id)
                self._emit(tx, ConfigurationChanged(
                    tenant=self.tenant, at=self.clock.now(), kind="agents", key=agent.id,
                    change="created" if stored is None else "updated",
                ))  # fmt: skip
                live = agent if stored is None else replace(
                    agent, state=stored.state, reason=stored.reason,
                    state_since=stored.state_since, idle_since=stored.idle_since,
                    load=stored.load, occupancy=stored.occupancy,
                )  # fmt: skip
                await tx.agents.put(live)
            self.agents[agent.id] = live
            self.state.set_agent(live)

        await self.guarded(change)
        return self.agents[agent.id]

    async def remove_agent(self, agent_id: AgentId, audit: AuditEntry | None = None) -> None:
        agent = self._agent(agent_id)
        if agent.state not in (AgentState.LOGGED_OUT, AgentState.NOT_READY, AgentState.READY):
            raise ConflictError(f"agent {agent_id} is working", code="agent.busy")

        async def change() -> None:
            async with self._transaction() as tx:
                if audit is not None:
                    await tx.audit.add(audit)
                await tx.agents.delete(self.tenant, agent_id)
                self._emit(tx, ConfigurationChanged(
                    tenant=self.tenant, at=self.clock.now(), kind="agents", key=agent_id,
                    change="deleted",
                ))  # fmt: skip
            del self.agents[agent_id]
            self.state.remove_agent(agent_id)

        await self.guarded(change)

    async def accept(self, agent_id: AgentId, contact_id: ContactId) -> LiveContact:
        key = self._offer_key(agent_id, contact_id)
        if key != contact_id:
            return await self._accept_consult(agent_id, contact_id, key)
        result: list[LiveContact] = []

        async def change() -> None:
            self._offer_key(agent_id, contact_id)
            now = self.clock.now()
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                del self.offers[contact_id]
                self.state.accepted(contact_id)
                contact = live.contact.moved_to(S.CONNECTED, now)
                segments = contact.segments
                if segments:
                    contact = replace(contact, segments=(
                        *segments[:-1], replace(segments[-1], agent=agent_id)
                    ))  # fmt: skip
                handling = replace(live.handling, connected_at=now)
                updated = LiveContact(contact, handling)
                await tx.contacts.put(updated)
                self._moved(tx, contact, S.OFFERED, now)
                waited = now.timestamp() - (handling.enqueued_at or now.timestamp())
                self._emit(tx, ContactAccepted(
                    tenant=self.tenant, at=now, contact=contact_id, agent=agent_id,
                    waited=round(waited, 3),
                ))  # fmt: skip
                await self._agent_to(tx, agent_id, None, now)
                result.append(updated)

        await self.guarded(change)
        return result[0]

    def _offer_key(self, agent_id: AgentId, contact_id: ContactId) -> ContactId:
        """The routing key of the offer of ``contact_id`` to ``agent_id``: the contact's
        own, or its consult's."""
        for key in (contact_id, consult_key(contact_id)):
            offer = self.offers.get(key)
            if offer is not None and offer[0] == agent_id:
                return key
        raise ConflictError(
            f"contact {contact_id} is not offered to agent {agent_id}", code="offer.not_found"
        )

    async def decline(self, agent_id: AgentId, contact_id: ContactId, reason: str) -> None:
        """The agent rejected the offer, or it rang out: the contact keeps its place and
        the agent is set not ready (so the contact goes to someone else)."""
        self._offer_key(agent_id, contact_id)

        async def change() -> None:
            key = self._offer_key(agent_id, contact_id)
            await self._declined(agent_id, key, reason, self.clock.now())

        await self.guarded(change)

    async def _declined(
        self, agent_id: AgentId, key: ContactId, reason: str, now: datetime,
        *, set_agent: bool = True,
    ) -> None:  # fmt: skip
        contact_id = contact_of(key)
        async with self._transaction() as tx:
            live = await self._get(tx, contact_id)
            del self.offers[key]
            self.state.declined(key, now.timestamp())
            if key == contact_id:
                contact = live.contact.moved_to(S.QUEUED, now)
                await tx.contacts.put(
                    LiveContact(contact, replace(live.handling, agent=None, offered_at=None))
                )
                self._moved(tx, contact, S.OFFERED, now)
            self._emit(tx, OfferDeclined(
                tenant=self.tenant, at=now, contact=contact_id, agent=agent_id, reason=reason
            ))  # fmt: skip
            if set_agent:
                await self._agent_to(tx, agent_id, AgentState.NOT_READY, now, reason)
            else:
                await self._agent_to(tx, agent_id, None, now)

    async def _get(self, tx: Transaction, contact_id: ContactId) -> LiveContact:
        live = await tx.contacts.get(self.tenant, contact_id)
        if live is None:
            raise NotFoundError(f"contact {contact_id} does not exist", code="contact.not_found")
        return live

    def _serving(self, live: LiveContact, agent_id: AgentId, *states: ContactState) -> None:
        if live.handling.agent != agent_id or live.contact.state not in states:
            raise ConflictError(
                f"agent {agent_id} is not serving contact {live.contact.id} "
                f"(it is {live.contact.state})",
                code="contact.not_serving",
            )

    @staticmethod
    def _no_consult(live: LiveContact) -> None:
        if live.handling.consult is not None:
            raise ConflictError(
                f"contact {live.contact.id} has a consult open: end it first",
                code="consult.open",
            )

    def _check_disposition(self, disposition: str | None) -> None:
        known = self.config.dispositions
        if disposition is not None and known and disposition not in known:
            raise ValidationError(
                f"unknown disposition {disposition!r} (known: {', '.join(sorted(known))})",
                code="contact.unknown_disposition",
            )

    async def wrap_up(
        self, agent_id: AgentId, contact_id: ContactId,
        disposition: str | None = None, note: str = "", *, close: bool = False,
    ) -> LiveContact:  # fmt: skip
        """End the conversation: the agent goes to wrap-up (or, ``close``, straight on).

        Called again during wrap-up it updates the disposition and note; ``close`` ends the
        wrap-up: the contact is closed, written to the customer's history, the agent
        freed.
        """
        self._check_disposition(disposition)
        result: list[LiveContact] = []

        async def change() -> None:
            now = self.clock.now()
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                self._serving(live, agent_id, S.CONNECTED, S.WRAP_UP)
                self._no_consult(live)
                contact, handling = live.contact, live.handling
                handling = replace(
                    handling,
                    disposition=disposition or handling.disposition,
                    note=note or handling.note,
                )
                if contact.state is S.CONNECTED:
                    contact = contact.moved_to(S.WRAP_UP, now)
                    handling = replace(handling, wrap_up_at=now)
                    self._moved(tx, contact, S.CONNECTED, now)
                if close:
                    contact, handling = await self._close(tx, contact, handling, agent_id, now)
                else:
                    await self._agent_to(tx, agent_id, AgentState.WRAP_UP, now)
                    if self.config.wrap_up is not None and contact.state is S.WRAP_UP:
                        token = handling.wrap_up_at
                        self._at(now.timestamp() + self.config.wrap_up,
                                 _Timer("wrap_up", contact_id, token))  # fmt: skip
                updated = LiveContact(contact, handling)
                await tx.contacts.put(updated)
                result.append(updated)
            if close:
                await self._log_history(result[0], agent_id)

        await self.guarded(change)
        return result[0]

    async def _close(
        self, tx: Transaction, contact: Contact, handling: Handling, agent_id: AgentId,
        now: datetime,
    ) -> tuple[Contact, Handling]:  # fmt: skip
        old = contact.state
        contact = contact.moved_to(S.CLOSED, now)
        handling = replace(handling, closed_at=now)
        self._moved(tx, contact, old, now)
        self._emit(tx, ContactWrappedUp(
            tenant=self.tenant, at=now, contact=contact.id, agent=agent_id,
            disposition=handling.disposition, note=handling.note,
        ))  # fmt: skip
        if agent_id in self.state.agents and self.state.agents[agent_id].load.get(contact.media):
            self.state.release(agent_id, contact.media)
        if handling.connected_at is not None and handling.queue is not None:
            self.state.record_handle_time(
                handling.queue, (now - handling.connected_at).total_seconds()
            )
        agent = self.agents[agent_id]
        back = AgentState.READY if agent.state is AgentState.WRAP_UP else None
        await self._agent_to(tx, agent_id, back, now)
        return contact, handling

    async def _log_history(self, live: LiveContact, agent_id: AgentId) -> None:
        contact = live.contact
        if contact.customer is None:
            return
        summary = live.handling.note or (live.handling.disposition or "")
        try:
            await self.crm.log_activity(self.tenant, Activity(
                id=new_id(), customer=contact.customer, at=live.handling.closed_at or
                self.clock.now(), channel=contact.channel.value, summary=summary,
                contact=contact.id, agent=agent_id, disposition=live.handling.disposition,
            ))  # fmt: skip
        except Exception:  # the contact is closed and its events are stored either way
            log.exception("could not write contact %s to the CRM history", contact.id)

    async def _auto_wrap_up(self, contact_id: ContactId, token: object) -> None:
        async with self.store.transaction() as tx:
            live = await tx.contacts.get(self.tenant, contact_id)
        if (
            live is not None and live.contact.state is S.WRAP_UP
            and live.handling.wrap_up_at == token and live.handling.agent is not None
        ):  # fmt: skip
            await self.wrap_up(live.handling.agent, contact_id, close=True)

    async def transfer(
        self, agent_id: AgentId, contact_id: ContactId, *, queue: QueueId | None = None,
        to_agent: AgentId | None = None, note: str = "",
    ) -> LiveContact:  # fmt: skip
        """Hand the contact to a queue or an agent: a new segment of the same contact."""
        target = self._target(agent_id, queue, to_agent)
        result: list[LiveContact] = []

        async def change() -> None:
            router = self.router
            if router is None:
                raise ConflictError(self.problem or "cannot route", code="desk.not_routing")
            now = self.clock.now()
            async with self.store.transaction() as tx:
                before = await self._get(tx, contact_id)
            # The CRM has its own transactions: ask it before opening ours.
            profile = await self._profile(before)
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                self._serving(live, agent_id, S.CONNECTED)
                self._no_consult(live)
                contact = live.contact.moved_to(S.TRANSFERRED, now)
                self._moved(tx, contact, S.CONNECTED, now)
                handling = replace(live.handling, target=target, note=note or live.handling.note)
                self.state.release(agent_id, contact.media)
                await self._agent_to(tx, agent_id, None, now)
                env = router.environment(contact, profile, now)
                kind, _, key = target.partition(":")
                contact, handling = self._enqueue(
                    tx, env, contact, handling, direct_steps(kind, key), queue,
                    contact.priority, now,
                )  # fmt: skip
                self._emit(tx, ContactTransferred(
                    tenant=self.tenant, at=now, contact=contact_id, agent=agent_id,
                    kind="transfer", to_queue=queue, to_agent=to_agent,
                    segment=len(contact.segments) - 1, priority=handling.priority,
                ))  # fmt: skip
                updated = LiveContact(contact, handling)
                await tx.contacts.put(updated)
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def consult(
        self, agent_id: AgentId, contact_id: ContactId, *, queue: QueueId | None = None,
        to_agent: AgentId | None = None,
    ) -> LiveContact:  # fmt: skip
        """Ask a queue or an agent to join while the agent stays on the contact.

        When someone answers, both serve the contact in its consult segment; the agent
        then ends the consult, handing the contact over or keeping it
        (:meth:`end_consult`)."""
        target = self._target(agent_id, queue, to_agent)
        result: list[LiveContact] = []

        async def change() -> None:
            async with self.store.transaction() as tx:
                before = await self._get(tx, contact_id)
            self._serving(before, agent_id, S.CONNECTED)
            if before.handling.consult is not None:
                raise ConflictError(
                    f"contact {contact_id} has a consult open already", code="consult.open"
                )
            profile = await self._profile(before)
            now = self.clock.now()
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                updated = LiveContact(live.contact, replace(live.handling, consult=target))
                await tx.contacts.put(updated)
                await self._queue_consult(updated, profile, now)
                self._emit(tx, ContactTransferred(
                    tenant=self.tenant, at=now, contact=contact_id, agent=agent_id,
                    kind="consult", to_queue=queue, to_agent=to_agent,
                    segment=len(live.contact.segments),
                ))  # fmt: skip
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def _queue_consult(
        self, live: LiveContact, profile: CustomerProfile | None, now: datetime
    ) -> None:
        router = self.router
        target = live.handling.consult
        if router is None or target is None:
            return
        kind, _, key = target.partition(":")
        env = router.environment(live.contact, profile, now)
        self.state.enqueue(
            consult_key(live.contact.id), live.contact.media, env,
            QueueId(key) if kind == "queue" else None, direct_steps(kind, key),
            live.contact.priority, now.timestamp(),
        )  # fmt: skip

    async def _accept_consult(
        self, agent_id: AgentId, contact_id: ContactId, key: ContactId
    ) -> LiveContact:
        result: list[LiveContact] = []

        async def change() -> None:
            self._offer_key(agent_id, contact_id)
            now = self.clock.now()
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                del self.offers[key]
                self.state.accepted(key)
                kind, _, target = (live.handling.consult or "").partition(":")
                segment = Segment(
                    index=len(live.contact.segments), kind=SegmentKind.CONSULT,
                    started_at=now, queue=QueueId(target) if kind == "queue" else None,
                    agent=agent_id,
                )  # fmt: skip
                contact = replace(live.contact, segments=(*live.contact.segments, segment))
                updated = LiveContact(contact, replace(live.handling, consult_agent=agent_id))
                await tx.contacts.put(updated)
                self._emit(tx, ContactAccepted(
                    tenant=self.tenant, at=now, contact=contact_id, agent=agent_id, waited=0.0
                ))  # fmt: skip
                await self._agent_to(tx, agent_id, None, now)
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def end_consult(
        self, agent_id: AgentId, contact_id: ContactId, *, hand_over: bool
    ) -> LiveContact:
        """End the consult: ``hand_over`` leaves the contact with the agent who answered
        it; otherwise they leave and the agent keeps it. A consult not answered yet is
        withdrawn."""
        result: list[LiveContact] = []

        async def change() -> None:
            now = self.clock.now()
            key = consult_key(contact_id)
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                self._serving(live, agent_id, S.CONNECTED)
                handling = live.handling
                if handling.consult is None:
                    raise ConflictError(
                        f"contact {contact_id} has no consult open", code="consult.not_open"
                    )
                offer = self.offers.pop(key, None)
                if offer is not None:
                    self.state.declined(key, now.timestamp())
                if key in self.state.waiting:
                    self.state.remove(key)
                consultant = handling.consult_agent
                contact = live.contact
                if consultant is None:  # nobody answered: the consult is withdrawn
                    handling = replace(handling, consult=None)
                    self._emit(tx, ContactTransferred(
                        tenant=self.tenant, at=now, contact=contact_id, agent=agent_id,
                        kind="consult_withdrawn", to_queue=None, to_agent=None,
                        segment=len(contact.segments) - 1,
                    ))  # fmt: skip
                else:
                    leaving = agent_id if hand_over else consultant
                    contact = replace(contact, segments=tuple(
                        replace(s, ended_at=now)
                        if s.agent == leaving and s.ended_at is None else s
                        for s in contact.segments
                    ))  # fmt: skip
                    self.state.release(leaving, contact.media)
                    handling = replace(
                        handling, consult=None, consult_agent=None,
                        agent=consultant if hand_over else agent_id,
                    )  # fmt: skip
                    self._emit(tx, ContactTransferred(
                        tenant=self.tenant, at=now, contact=contact_id, agent=agent_id,
                        kind="consult_handed_over" if hand_over else "consult_ended",
                        to_queue=None, to_agent=handling.agent,
                        segment=len(contact.segments) - 1,
                    ))  # fmt: skip
                    await self._agent_to(tx, leaving, None, now)
                updated = LiveContact(contact, handling)
                await tx.contacts.put(updated)
                if offer is not None:
                    await self._agent_to(tx, offer[0], None, now)
                result.append(updated)

        await self.guarded(change)
        return result[0]

    def _target(self, agent_id: AgentId, queue: QueueId | None, to_agent: AgentId | None) -> str:
        """``queue:<id>`` or ``agent:<id>`` for a transfer or consult, checked."""
        if (queue is None) == (to_agent is None):
            raise ValidationError("name a queue or an agent", code="transfer.target")
        if queue is not None and queue not in self.config.queues:
            raise NotFoundError(f"queue {queue} does not exist", code="queue.not_found")
        if to_agent is not None:
            self._agent(to_agent)
            if to_agent == agent_id:
                raise ValidationError("cannot transfer to oneself", code="transfer.target")
        return f"queue:{queue}" if queue is not None else f"agent:{to_agent}"

    async def abandon(self, contact_id: ContactId) -> LiveContact:
        """The customer left (hung up, closed the chat) before being served."""
        result: list[LiveContact] = []

        async def change() -> None:
            now = self.clock.now()
            async with self._transaction() as tx:
                live = await self._get(tx, contact_id)
                contact = live.contact
                if not contact.can_move_to(S.ABANDONED):
                    raise ConflictError(
                        f"contact {contact_id} is {contact.state}: it cannot be abandoned",
                        code="contact.invalid_transition",
                    )
                offer = self.offers.pop(contact_id, None)
                if offer is not None:
                    self.state.declined(contact_id, now.timestamp())
                if contact_id in self.state.waiting:
                    self.state.remove(contact_id)
                moved = contact.moved_to(S.ABANDONED, now)
                self._moved(tx, moved, contact.state, now)
                updated = LiveContact(moved, replace(live.handling, closed_at=now))
                await tx.contacts.put(updated)
                if offer is not None:
                    await self._agent_to(tx, offer[0], None, now)
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def hang_up(self, contact_id: ContactId) -> LiveContact | None:
        """The call ended (either side hung up): a contact not served yet is abandoned; one
        being served goes to wrap-up with its agent (a consult open is ended, the agent who
        joined leaving). None: the contact was over already."""
        for _ in range(3):  # the contact may move on between the look and the change
            async with self.store.transaction() as tx:
                live = await self._get(tx, contact_id)
            contact, handling = live.contact, live.handling
            try:
                if contact.can_move_to(S.ABANDONED):
                    return await self.abandon(contact_id)
                if contact.state is not S.CONNECTED or handling.agent is None:
                    return None
                if handling.consult is not None:
                    await self.end_consult(handling.agent, contact_id, hand_over=False)
                return await self.wrap_up(handling.agent, contact_id)
            except ConflictError:
                continue
        return None

    async def keep_place(self, contact_id: ContactId) -> LiveContact:
        """The caller waiting in line asks to be called back instead of waiting: the
        contact keeps its place, marked :data:`CALL_BACK`, and whoever it reaches calls the
        caller back (the voice channel dials). Refused unless the contact waits in line."""
        result: list[LiveContact] = []

        async def change() -> None:
            async with self._transaction(dispatching=False) as tx:
                live = await self._get(tx, contact_id)
                if live.contact.state is not S.QUEUED:
                    raise ConflictError(
                        f"contact {contact_id} is {live.contact.state}, not waiting in line",
                        code="contact.not_queued",
                    )
                data = {**live.contact.channel_data, CALL_BACK: live.contact.ani}
                updated = LiveContact(replace(live.contact, channel_data=data), live.handling)
                await tx.contacts.put(updated)
                self._emit(tx, ContactPlaceKept(
                    tenant=self.tenant, at=self.clock.now(), contact=contact_id,
                    number=live.contact.ani,
                ))  # fmt: skip
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def add_recording(self, contact_id: ContactId, file: str, seconds: float) -> None:
        """The call's recording is ``file`` (a name the voice channel serves), ``seconds``
        long."""

        async def change() -> None:
            async with self._transaction(dispatching=False) as tx:
                live = await self._get(tx, contact_id)
                handling = replace(live.handling, recording=file)
                await tx.contacts.put(LiveContact(live.contact, handling))
                self._emit(tx, ContactRecorded(
                    tenant=self.tenant, at=self.clock.now(), contact=contact_id,
                    seconds=round(seconds, 1),
                ))  # fmt: skip

        await self.guarded(change)

    # --- the customer and the conversation ----------------------------------------------
    async def link_customer(
        self, contact_id: ContactId, customer_id: CustomerId, *, by: str,
        agent_id: AgentId | None = None,
    ) -> LiveContact:  # fmt: skip
        """Record that the contact is ``customer_id``'s (a merged record: the one it went
        into), with a ``contact.customer_linked`` event: the card shows them and the
        contact goes into their history when it closes. ``agent_id``: the agent asking,
        who must be serving the contact; None for a supervisor (any open contact).

        NotFoundError ``customer.not_found``; ConflictError ``contact.closed`` for a contact
        that is over, ``contact.not_serving`` for an agent not serving it."""
        async with self.store.transaction() as tx:
            await self._get(tx, contact_id)  # an unknown contact is named before the customer
        customer = await self._customer(customer_id)  # the CRM has its own transactions
        result: list[LiveContact] = []

        async def change() -> None:
            now = self.clock.now()
            async with self._transaction(dispatching=False) as tx:
                live = await self._get(tx, contact_id)
                _still_open(live, "it can no longer be linked to a customer")
                if agent_id is not None:
                    self._serving(live, agent_id, S.CONNECTED, S.WRAP_UP)
                if live.contact.customer == customer.id:
                    result.append(live)
                    return
                updated = LiveContact(
                    replace(live.contact, customer=customer.id, category=customer.category),
                    replace(live.handling, crm=CrmStatus.FOUND),
                )
                await tx.contacts.put(updated)
                self._emit(tx, ContactCustomerLinked(
                    tenant=self.tenant, at=now, contact=contact_id, customer=customer.id,
                    previous=live.contact.customer, agent=live.handling.agent, by=by,
                ))  # fmt: skip
                result.append(updated)

        await self.guarded(change)
        return result[0]

    async def _customer(self, customer_id: CustomerId) -> Customer:
        """The customer's record, following merges to the record still in use."""
        customer = await self.crm.get(self.tenant, customer_id)
        seen = {customer_id}
        while customer is not None and customer.merged_into is not None:
            if customer.merged_into in seen:
                break
            seen.add(customer.merged_into)
            customer = await self.crm.get(self.tenant, customer.merged_into)
        if customer is None or customer.merged_into is not None:
            raise NotFoundError(f"customer {customer_id} does not exist", code="customer.not_found")
        return customer

    async def add_message(
        self, contact_id: ContactId, direction: Direction, text: str, author: str, *,
        agent_id: AgentId | None = None,
    ) -> Message:  # fmt: skip
        """Add a message to the contact's conversation (``contact.message``): ``in`` from
        the customer while the contact is open, ``out`` from ``agent_id``, who must be
        serving it. Channel adapters deliver the ``out`` messages by following the events.

        ValidationError ``message.empty`` / ``message.too_long``; ConflictError
        ``message.not_text`` for a call, ``contact.closed`` for a contact that is over,
        ``contact.not_serving`` for an agent not serving it."""
        clean = check_message(text)
        if direction is Direction.OUT and agent_id is None:
            raise ValidationError("an outgoing message needs its agent", code="message.no_agent")
        result: list[Message] = []

        async def change() -> None:
            now = self.clock.now()
            async with self._transaction(dispatching=False) as tx:
                live = await self._get(tx, contact_id)
                if not is_text(live.contact):
                    raise ConflictError(
                        f"contact {contact_id} is a {live.contact.channel} contact: it has no "
                        "written conversation",
                        code="message.not_text",
                    )
                _still_open(live, "no more messages can be added")
                if agent_id is not None:
                    self._serving(live, agent_id, S.CONNECTED)
                self._emit(tx, ContactMessage(
                    tenant=self.tenant, at=now, contact=contact_id, direction=direction.value,
                    text=clean, author=author, agent=live.handling.agent,
                ))  # fmt: skip
            [event] = tx.events.committed
            result.append(Message(now, direction, clean, author, seq=event.seq))

        await self.guarded(change)
        return result[0]

    # --- callbacks ------------------------------------------------------------------------
    async def schedule_callback(self, callback: Callback) -> Callback:
        if callback.agent is not None:
            self._agent(callback.agent)
        if callback.queue is not None and callback.queue not in self.config.queues:
            raise NotFoundError(f"queue {callback.queue} does not exist", code="queue.not_found")
        if callback.agent is None and callback.queue is None:
            raise ValidationError(
                "a callback is for an agent or for a queue", code="callback.target"
            )

        async def change() -> None:
            async with self._transaction() as tx:
                await self._add_callback(tx, callback)

        await self.guarded(change)
        return callback

    async def _add_callback(self, tx: Transaction, callback: Callback) -> None:
        await tx.callbacks.put(callback)
        self._emit(tx, CallbackScheduled(
            tenant=self.tenant, at=callback.created_at, callback=callback.id,
            contact=callback.contact, number=callback.number, due_at=callback.due_at,
            agent=callback.agent, queue=callback.queue,
        ))  # fmt: skip
        self._at(callback.due_at.timestamp(), _Timer("callback", callback.id, callback.id))

    async def _callback_due(self, callback_id: str) -> None:
        """A due callback becomes an outbound contact for its agent or queue."""

        async def change() -> None:
            router = self.router
            if router is None:
                return
            now = self.clock.now()
            async with self._transaction() as tx:
                callback = await tx.callbacks.get(self.tenant, callback_id)
                if callback is None or callback.state is not CallbackState.PENDING:
                    return
                if callback.agent is not None and callback.agent in self.agents:
                    target = f"agent:{callback.agent}"
                elif callback.queue is not None and callback.queue in self.config.queues:
                    target = f"queue:{callback.queue}"
                else:  # its agent or queue was deleted since: it stays pending for a person
                    log.warning("callback %s has no agent or queue to go to", callback_id)
                    return
                contact = Contact(
                    id=ContactId(new_id()), tenant=self.tenant, channel=Channel.CALLBACK,
                    ani=callback.number, access_point="callback", arrived_at=now,
                    state=S.ENRICHED, customer=callback.customer, state_changed_at=now,
                    channel_data={"callback": callback.id, "note": callback.note},
                )  # fmt: skip
                handling = Handling(crm=CrmStatus.FOUND if callback.customer else
                                    CrmStatus.NOT_FOUND, target=target, decided_at=now)  # fmt: skip
                await tx.contacts.add(LiveContact(contact, handling))
                self._emit(tx, ContactArrived(
                    tenant=self.tenant, at=now, contact=contact.id, channel=contact.channel,
                    ani=contact.ani, access_point=contact.access_point,
                ))  # fmt: skip
                kind, _, key = target.partition(":")
                queue = QueueId(key) if kind == "queue" else None
                self._emit(tx, ContactEnriched(
                    tenant=self.tenant, at=now, contact=contact.id, customer=contact.customer,
                    crm=handling.crm.value,
                ))  # fmt: skip
                handling = replace(handling, queue=queue, explanation=(
                    f"callback {callback.id} fell due: to {kind} {key}",
                ))  # fmt: skip
                self._emit(tx, ContactRouted(
                    tenant=self.tenant, at=now, contact=contact.id, rule="callback",
                    action="queue", queue=queue, explanation=handling.explanation, priority=0,
                ))  # fmt: skip
                env = router.environment(contact, None, now)
                contact, handling = self._enqueue(
                    tx, env, contact, handling, direct_steps(kind, key), queue, 0, now
                )
                await tx.contacts.put(LiveContact(contact, handling))
                await tx.callbacks.put(replace(callback, state=CallbackState.DONE))

        await self.guarded(change)

    async def cancel_callback(self, callback_id: str) -> Callback:
        result: list[Callback] = []

        async def change() -> None:
            async with self._transaction() as tx:
                callback = await tx.callbacks.get(self.tenant, callback_id)
                if callback is None:
                    raise NotFoundError(
                        f"callback {callback_id} does not exist", code="callback.not_found"
                    )
                if callback.state is not CallbackState.PENDING:
                    raise ConflictError(
                        f"callback {callback_id} is {callback.state}", code="callback.not_pending"
                    )
                cancelled = replace(callback, state=CallbackState.CANCELLED)
                await tx.callbacks.put(cancelled)
                result.append(cancelled)

        await self.guarded(change)
        return result[0]


def _still_open(live: LiveContact, what: str) -> None:
    """ConflictError ``contact.closed`` unless the contact still needs the desk."""
    if live.contact.state not in OPEN_STATES:
        raise ConflictError(
            f"contact {live.contact.id} is {live.contact.state}: {what}",
            code="contact.closed",
            state=str(live.contact.state),
        )


def direct_steps(kind: str, key: str) -> tuple[StepPlan, ...]:
    """One step: the members of a queue, or one agent (transfers, callbacks)."""
    if kind == "agent":
        term = IndexTerm(TermKind.ID, f'agent.id == "{key}"', constant=key)
        return (StepPlan(index=0, queue=None, require=term.text, terms=(term,), residual=None),)
    return (StepPlan(index=0, queue=QueueId(key), require="", terms=(), residual=None),)


CONSULT = "~consult"


def consult_key(contact: ContactId) -> ContactId:
    """The routing key of a contact's consult: it waits in line beside the contact."""
    return ContactId(contact + CONSULT)


def contact_of(key: ContactId) -> ContactId:
    return ContactId(key.removesuffix(CONSULT))
