"""A compiled scenario: what the router executes. Built only by ``scenario.compile``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from typing import Any

from frontdesk.domain.errors import Location
from frontdesk.domain.ids import QueueId

Evaluator = Callable[[Any], Any]


class OrderBy(StrEnum):
    """How a step chooses among the agents that qualify."""

    LONGEST_IDLE = "longest_idle"  # the agent available for longest (the default)
    LEAST_OCCUPIED = "least_occupied"  # lowest occupancy today
    BEST_SKILL = "best_skill"  # highest proficiency in the step's skill


class TermKind(StrEnum):
    """Agent conditions answered from indexes instead of evaluating every agent."""

    QUEUE = "queue"
    GROUP = "group"
    LANGUAGE = "language"
    SKILL = "skill"  # proficiency >= level
    ID = "id"


@dataclass(frozen=True, slots=True)
class IndexTerm:
    """``kind`` with a key that is constant or computed from the contact.

    ``value`` is either a constant key or an evaluator over the contact's environment
    (``agent.id == customer.manager`` needs the customer first).
    """

    kind: TermKind
    text: str
    constant: str | None = None
    value: Evaluator | None = None
    level: int = 1

    def key(self, env: Any) -> tuple[str, str, int] | None:
        raw = self.constant if self.value is None else self.value(env)
        if raw is None:
            return None
        return (self.kind, str(raw), self.level)


@dataclass(frozen=True, slots=True)
class StepPlan:
    """One queue step. Each step's conditions replace the previous step's."""

    index: int
    queue: QueueId | None
    require: str  # the condition's source, for explanations
    terms: tuple[IndexTerm, ...]
    residual: Evaluator | None  # what indexes cannot answer, evaluated per candidate
    order_by: OrderBy = OrderBy.LONGEST_IDLE
    order_skill: str | None = None
    expire: float | None = None  # seconds in this step before the next one applies
    priority: int = 0
    location: Location | None = None


class ActionKind(StrEnum):
    REJECT = "reject"
    QUEUE = "queue"
    AGENT = "agent"
    MANAGER = "manager"
    CALLBACK = "callback"
    MENU = "menu"
    USE = "use"


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    queue: QueueId | None = None
    steps: tuple[StepPlan, ...] = ()
    priority: Evaluator | int = 0
    callback_offer: Evaluator | None = None
    reason: str = ""
    announcement: str | None = None
    target: str = ""  # the menu or procedure name


@dataclass(frozen=True, slots=True)
class Outputs:
    """What the scenario says besides where the contact goes."""

    greeting: str | Mapping[str, str] | None = None  # a prompt, or one per day part
    card: str | None = None
    script: str | None = None
    record: bool | None = None
    tags: tuple[str, ...] = ()

    def over(self, base: Outputs) -> Outputs:
        """These outputs, falling back to ``base`` where unset."""
        if base is NO_OUTPUTS:
            return self
        return Outputs(
            greeting=self.greeting if self.greeting is not None else base.greeting,
            card=self.card if self.card is not None else base.card,
            script=self.script if self.script is not None else base.script,
            record=self.record if self.record is not None else base.record,
            tags=tuple(dict.fromkeys((*base.tags, *self.tags))),
        )


NO_OUTPUTS = Outputs()


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    path: str  # "rules[2]" or "procedures.vip[0]"
    when: Evaluator | None
    when_source: str
    action: Action
    outputs: Outputs
    location: Location


@dataclass(frozen=True, slots=True)
class Collect:
    """What a menu that takes a number (not a choice) accepts."""

    min_digits: int
    max_digits: int
    end: str  # the key that ends the number early ("#"); "" for none
    lookup: str | None = None  # the customer field the number must be found in


@dataclass(frozen=True, slots=True)
class Menu:
    name: str
    prompt: str
    options: Mapping[str, Rule]
    on_fail: Rule
    timeout: float
    retries: int
    location: Location
    collect: Collect | None = None  # a number to key in, instead of options
    then: Rule | None = None  # a collect menu's rule once the number is in


@dataclass(frozen=True, slots=True)
class ScenarioPlan:
    name: str
    version: int
    timezone: str
    calendar: str | None
    day_parts: Mapping[str, time]
    aging_per_minute: float
    rules: tuple[Rule, ...]
    procedures: Mapping[str, tuple[Rule, ...]]
    menus: Mapping[str, Menu]
    queues: frozenset[QueueId] = field(default_factory=frozenset)
    reads_occupancy: bool = False  # a step orders by it or a condition reads it
