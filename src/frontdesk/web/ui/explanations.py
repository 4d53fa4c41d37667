"""The routing explanation, read back into its parts so a page can show it in any language.

The router explains a decision in lines of English (``Treatment.explain`` and
``Offer.explain`` in ``routing/engine.py``; the desk adds the line of a callback that
fell due): every rule looked at and whether it matched, the action, the queue steps, and
for each offer the step it came from and why that agent. They are stored with the
contact and in its ``contact.routed`` and ``contact.offered`` events. :func:`parse`
turns each line into one of the items below; a line it does not know stays a
:class:`Text`, shown as written, so nothing the router says is ever lost.
``tests/web/ui/test_explanations.py`` holds these patterns to the router's own output.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class RuleLooked:
    """A rule of the scenario the contact was checked against."""

    kind: ClassVar[str] = "rule"

    name: str
    matched: bool
    condition: str  # the rule's "when", as written; "" for a rule without one
    path: str = ""  # where the rule is: "rules[3]", "procedures.vip[0]" (matched rules)
    line: int | None = None

    @property
    def menu(self) -> str | None:
        """The voice menu whose answer this rule is (``menus.main.options.2``)."""
        found = _MENU_RULE.match(self.path)
        return found["menu"] if found else None

    @property
    def key(self) -> str | None:
        """The key the caller pressed in :attr:`menu`; None for no valid answer."""
        found = _MENU_RULE.match(self.path)
        return found["key"] if found else None


@dataclass(frozen=True, slots=True)
class Decided:
    """The action of the matching rule: reject, queue, agent, manager, callback, menu."""

    kind: ClassVar[str] = "decision"

    action: str
    queue: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """A queue step: who may take the contact, how one is chosen, for how long."""

    kind: ClassVar[str] = "step"

    number: int  # from 1
    queue: str | None  # agents of this queue only
    require: str  # the agent condition, as written; "" for none
    order_by: str  # longest_idle, least_occupied, best_skill
    seconds: float | None  # how long the step lasts; None: until answered

    @property
    def manager(self) -> bool:
        """The step of the customer's personal manager (a ``manager`` action)."""
        return self.require == "agent.id == (customer.manager)"

    @property
    def agent(self) -> str | None:
        """The one agent the step is for (a transfer, a callback), if it names one."""
        found = _ONE_AGENT.match(self.require)
        return found["agent"] if found else None


@dataclass(frozen=True, slots=True)
class StepSkipped:
    """A step left out: a value its condition needs is missing (no personal manager)."""

    kind: ClassVar[str] = "skipped"

    number: int


@dataclass(frozen=True, slots=True)
class AgentChosen:
    """Why this agent got the offer: ``agent_free`` (an agent became free and this was
    the first contact in line for them, after ``waited`` seconds), or the step's order."""

    kind: ClassVar[str] = "chosen"

    agent: str
    how: str  # "agent_free", or an order_by value
    waited: float | None = None


@dataclass(frozen=True, slots=True)
class CallbackOffered:
    """The caller is offered a callback: the wait is expected to be long."""

    kind: ClassVar[str] = "callback_offered"


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """A callback fell due and became this contact, routed to a queue or an agent."""

    kind: ClassVar[str] = "callback_due"

    callback: str
    target_kind: str  # "queue" or "agent"
    target: str


@dataclass(frozen=True, slots=True)
class Text:
    """A line the patterns do not know, as the router wrote it."""

    kind: ClassVar[str] = "text"

    text: str


Item = (
    RuleLooked | Decided | Step | StepSkipped | AgentChosen | CallbackOffered | CallbackDue | Text
)

_NAME = r"(?P<name>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_MATCHED = re.compile(
    rf"^rule {_NAME} \((?P<path>[^,]+), line (?P<line>\d+), column \d+\) "
    r"matched(?:: (?P<when>.*)| \(no condition\))$"
)
_MENU_RULE = re.compile(r"^menus\.(?P<menu>[^.]+)\.(?:options\.(?P<key>.+)|on_fail)$")
_NOT_MATCHED = re.compile(rf"^rule {_NAME} did not match: (?P<when>.*)$")
_ACTION = re.compile(r"^action: (?P<action>\w+)(?: to queue (?P<queue>\S+))?$")
_STEP = re.compile(
    r"^step (?P<number>\d+): (?:members of (?P<queue>\S+), )?(?:require (?P<require>.*), )?"
    r"order by (?P<order>\w+)(?:, for (?P<seconds>[0-9.e+-]+)s)?$"
)
_ONE_AGENT = re.compile(r'^agent\.id == "(?P<agent>[^"\\]*)"$')
_SKIPPED = re.compile(r"^step (?P<number>\d+) skipped: .*$")
_AGENT_FREE = re.compile(
    r"^agent (?P<agent>\S+) became available; this was the first contact in line "
    r"it qualifies for, after waiting (?P<waited>[0-9.]+)s$"
)
_LONGEST_IDLE = re.compile(r"^chose (?P<agent>\S+): of the agents who qualify, available longest$")
_BEST_BY = re.compile(
    r"^chose (?P<agent>\S+): of the agents who qualify, the best by (?P<how>\w+)$"
)
_CALLBACK_OFFERED = "a callback is offered: the wait is expected to be long"
_CALLBACK_DUE = re.compile(r"^callback (?P<id>\S+) fell due: to (?P<kind>\w+) (?P<target>.+)$")


def parse(lines: Iterable[str]) -> list[Item]:
    """Each line of an explanation as an item, in order."""
    return [parse_line(line.strip()) for line in lines if line.strip()]


def parse_line(line: str) -> Item:
    if found := _MATCHED.match(line):
        return RuleLooked(
            _name(found["name"]), True, found["when"] or "", found["path"], int(found["line"])
        )
    if found := _NOT_MATCHED.match(line):
        return RuleLooked(_name(found["name"]), False, found["when"])
    if found := _ACTION.match(line):
        return Decided(found["action"], found["queue"])
    if found := _STEP.match(line):
        seconds = float(found["seconds"]) if found["seconds"] else None
        return Step(
            int(found["number"]), found["queue"], found["require"] or "", found["order"], seconds
        )
    if found := _SKIPPED.match(line):
        return StepSkipped(int(found["number"]))
    if found := _AGENT_FREE.match(line):
        return AgentChosen(found["agent"], "agent_free", float(found["waited"]))
    if found := _LONGEST_IDLE.match(line):
        return AgentChosen(found["agent"], "longest_idle")
    if found := _BEST_BY.match(line):
        return AgentChosen(found["agent"], found["how"])
    if line == _CALLBACK_OFFERED:
        return CallbackOffered()
    if found := _CALLBACK_DUE.match(line):
        return CallbackDue(found["id"], found["kind"], found["target"])
    return Text(line)


def _name(quoted: str) -> str:
    """A rule name as the router quoted it (Python's repr of a string)."""
    value = ast.literal_eval(quoted)
    return value if isinstance(value, str) else quoted
