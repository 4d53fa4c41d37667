"""Compile a scenario document (YAML) into a checked :class:`ScenarioPlan`.

Every problem is collected with its line and column, then reported together in one
:class:`ScenarioError`: syntax, unknown fields (with a suggestion), expression type
errors, references to missing queues, calendars, lists, procedures or menus, rules
that can never match, loops between procedures, and lists without a catch-all rule.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk.domain.dayparts import DEFAULT_BOUNDARIES, validate_boundaries
from frontdesk.domain.errors import Location, ValidationError
from frontdesk.domain.ids import AgentId, QueueId
from frontdesk.domain.queues import Queue
from frontdesk.routing.context import CONTACT_SCHEMA, SCHEMA
from frontdesk.routing.document import DocumentError, Node, Problem, load
from frontdesk.routing.expr import (
    BOOL,
    INT,
    STRING,
    Call,
    Compiled,
    ExpressionError,
    Literal,
    compile_expression,
)
from frontdesk.routing.expr import Node as ExprNode
from frontdesk.routing.expr.errors import position as offset_position
from frontdesk.routing.plan import (
    NO_OUTPUTS,
    Action,
    ActionKind,
    Collect,
    Evaluator,
    Menu,
    OrderBy,
    Outputs,
    Rule,
    ScenarioPlan,
    StepPlan,
)
from frontdesk.routing.requirements import plan_requirement

ACTIONS = tuple(kind.value for kind in ActionKind)
OUTPUT_KEYS = ("greeting", "card", "script", "record", "tags")
RULE_KEYS = ("name", "when", "description", *ACTIONS, *OUTPUT_KEYS)
TOP_KEYS = (
    "scenario", "version", "description", "timezone", "calendar", "day_parts",
    "aging_per_minute", "rules", "procedures", "menus",
)  # fmt: skip
QUEUE_KEYS = ("name", "priority", "steps", "callback_offer")
STEP_KEYS = ("queue", "require", "order_by", "skill", "expire", "priority")
DEFAULT_RING_TIMEOUT = 20.0
#: Stands for a queue whose problem is reported already (no follow-on step_scope problem).
_REPORTED = QueueId("")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?!s))?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$")
_DIGITS = re.compile(r"^[0-9*#]{1,8}$")
_COUNT = re.compile(r"^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$")
#: The longest number a caller keys in.
MAX_COLLECTED = 32
_NAME = re.compile(r"^[\w.-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Catalog:
    """What a scenario may refer to. ``agents=None`` skips checking agent ids."""

    queues: Mapping[QueueId, Queue]
    calendars: Collection[str] = ()
    lists: Collection[str] = ()
    agents: Collection[AgentId] | None = None


class ScenarioError(ValidationError):
    """A scenario that cannot be published; ``problems`` lists every one found."""

    code = "scenario.invalid"

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"scenario has {len(problems)} {noun}:\n{lines}")
        self.problems = tuple(problems)


def compile_scenario(text: str, catalog: Catalog) -> ScenarioPlan:
    """The checked plan for ``text``; ScenarioError listing every problem otherwise."""
    try:
        root = load(text)
    except DocumentError as error:
        raise ScenarioError([error.problem]) from None
    compiler = _Compiler(catalog)
    plan = compiler.scenario(root)
    if compiler.problems or plan is None:
        raise ScenarioError(sorted(compiler.problems, key=_place))
    return plan


def parse_duration(value: object) -> float | None:
    """Seconds from ``20``, ``20s``, ``2m``, ``1h30m``, ``1.5s``; None when not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str) or not value.strip():
        return None
    match = _DURATION.match(value)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


class _Compiler:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.uses: dict[str, list[tuple[str, Location]]] = {}  # list name -> procedures used

    # --- reporting -------------------------------------------------------------------
    def problem(self, code: str, message: str, where: Node | Location | None) -> None:
        location = where.location if isinstance(where, Node) else where
        self.problems.append(Problem(code, message, location))

    def check_keys(self, node: Node, allowed: tuple[str, ...], what: str) -> None:
        for key in node.value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(
                    "scenario.unknown_field",
                    f"unknown field {key!r} in {what}{hint}",
                    node.keys.get(key, node.location),
                )

    def mapping(self, node: Node | None, what: str) -> Node | None:
        if node is None:
            return None
        if not node.is_map():
            self.problem("scenario.type", f"{what} must be a mapping", node)
            return None
        return node

    def text(self, node: Node | None, what: str, *, required: bool = False) -> str | None:
        if node is None or node.value is None:
            if required:
                self.problem("scenario.missing", f"{what} is required", node)
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, str | int | float):
            self.problem("scenario.type", f"{what} must be text", node)
            return None
        return str(node.value)

    def duration(self, node: Node | None, what: str) -> float | None:
        if node is None:
            return None
        seconds = parse_duration(node.value)
        if seconds is None:
            self.problem(
                "scenario.duration", f"{what} must be a duration like 20s, 2m or 1h30m", node
            )
        return seconds

    def expression(self, node: Node, schema_has_agent: bool, expected: object) -> Compiled | None:
        source = node.value
        if isinstance(source, bool):
            source = "true" if source else "false"
        if not isinstance(source, str | int | float):
            self.problem("scenario.type", "an expression must be text", node)
            return None
        schema = SCHEMA if schema_has_agent else CONTACT_SCHEMA
        try:
            compiled = compile_expression(
                str(source),
                schema,
                expected,  # type: ignore[arg-type]
                origin=node.origin,
            )
        except ExpressionError as error:
            column = error.column
            if error.line > node.origin[0]:  # a later line of a block scalar: add its indent
                column += node.origin[1] - 1
            self.problems.append(Problem(error.code, error.problem, Location(error.line, column)))
            return None
        self.check_references(compiled.node, node)
        return compiled

    def check_references(self, expr: ExprNode, where: Node) -> None:
        """Literal names given to functions must exist: in_hours("support") etc."""
        kinds: dict[str, tuple[str, Callable[[str], bool]]] = {
            "in_hours": ("calendar", lambda n: n in self.catalog.calendars),
            "on_list": ("list", lambda n: n in self.catalog.lists),
            **{
                f: ("queue", lambda n: QueueId(n) in self.catalog.queues)
                for f in (
                    "estimated_wait",
                    "waiting",
                    "longest_wait",
                    "agents_available",
                    "agents_logged_in",
                )
            },
        }
        for call in _calls(expr):
            if call.name in kinds and call.args and isinstance(call.args[0], Literal):
                kind, exists = kinds[call.name]
                name = call.args[0].value
                if isinstance(name, str) and not exists(name):
                    self.problem(
                        f"scenario.unknown_{kind}",
                        f"{call.name}() names {kind} {name!r}, which does not exist",
                        self.place(where, call.args[0].pos),
                    )

    @staticmethod
    def place(node: Node, offset: int) -> Location:
        """Where character ``offset`` of the expression held by ``node`` is in the document."""
        if not isinstance(node.value, str) or node.origin == (0, 0):
            return node.location
        line, column = offset_position(node.value, offset)
        origin_line, origin_column = node.origin
        if line == 1:
            return Location(origin_line, origin_column + column - 1)
        return Location(origin_line + line - 1, origin_column + column - 1)  # a block scalar

    def queue_ref(self, node: Node | None, what: str) -> QueueId | None:
        name = self.text(node, what, required=True)
        if name is None:
            return None
        queue = QueueId(name)
        if queue not in self.catalog.queues:
            close = difflib.get_close_matches(name, list(self.catalog.queues), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.problem("scenario.unknown_queue", f"queue {name!r} does not exist{hint}", node)
            return None
        return queue

    # --- document --------------------------------------------------------------------
    def scenario(self, root: Node) -> ScenarioPlan | None:
        if self.mapping(root, "the scenario") is None:
            return None
        self.check_keys(root, TOP_KEYS, "the scenario")
        name = self.text(root.get("scenario"), "scenario (its name)", required=True) or ""
        version = self.version(root.get("version"))
        timezone = self.timezone(root.get("timezone"))
        calendar = self.text(root.get("calendar"), "calendar")
        if calendar is not None and calendar not in self.catalog.calendars:
            self.problem(
                "scenario.unknown_calendar", f"calendar {calendar!r} does not exist",
                root.get("calendar"),
            )  # fmt: skip
        day_parts = self.day_parts(root.get("day_parts"))
        aging = root.get("aging_per_minute")
        aging_value = 0.0
        if aging is not None:
            if isinstance(aging.value, bool) or not isinstance(aging.value, int | float):
                self.problem("scenario.type", "aging_per_minute must be a number", aging)
            else:
                aging_value = float(aging.value)

        procedures: dict[str, tuple[Rule, ...]] = {}
        procedures_node = self.mapping(root.get("procedures"), "procedures")
        if procedures_node is not None:
            for proc_name, body in procedures_node.items():
                procedures[proc_name] = self.rule_list(body, f"procedures.{proc_name}")
        menus: dict[str, Menu] = {}
        menus_node = self.mapping(root.get("menus"), "menus")
        if menus_node is not None:
            for menu_name, body in menus_node.items():
                menu = self.menu(menu_name, body)
                if menu is not None:
                    menus[menu_name] = menu
        rules_node = root.get("rules")
        if rules_node is None:
            self.problem("scenario.missing", "rules are required", root)
            rules: tuple[Rule, ...] = ()
        else:
            rules = self.rule_list(rules_node, "rules")
        self.check_targets(rules, procedures, menus)
        self.check_loops(procedures)
        if self.problems:
            return None
        queues = frozenset(
            q for r in _all_rules(rules, procedures, menus) for q in _queues_of(r.action)
        )
        reads_occupancy = any(
            step.order_by is OrderBy.LEAST_OCCUPIED or "agent.occupancy" in step.require
            for rule in _all_rules(rules, procedures, menus)
            for step in rule.action.steps
        )
        return ScenarioPlan(
            name=name,
            version=version,
            timezone=timezone,
            calendar=calendar,
            day_parts=day_parts,
            aging_per_minute=aging_value,
            rules=rules,
            procedures=procedures,
            menus=menus,
            queues=queues,
            reads_occupancy=reads_occupancy,
        )

    def version(self, node: Node | None) -> int:
        if node is None:
            self.problem("scenario.missing", "version is required", None)
            return 0
        if isinstance(node.value, bool) or not isinstance(node.value, int) or node.value < 1:
            self.problem("scenario.type", "version must be a positive integer", node)
            return 0
        return node.value

    def timezone(self, node: Node | None) -> str:
        name = self.text(node, "timezone") or "Europe/Moscow"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem("scenario.timezone", f"unknown time zone {name!r}", node)
        return name

    def day_parts(self, node: Node | None) -> Mapping[str, time]:
        if self.mapping(node, "day_parts") is None:
            return dict(DEFAULT_BOUNDARIES)
        assert node is not None
        parts: dict[str, time] = {}
        for part, value in node.items():
            try:
                parts[part] = time.fromisoformat(str(value.value))
            except ValueError:
                self.problem("scenario.type", f"day part {part!r} needs a time like 05:00", value)
        try:
            return validate_boundaries(parts)
        except ValidationError as error:
            self.problem(error.code, error.message, node)
            return dict(DEFAULT_BOUNDARIES)

    # --- rules -----------------------------------------------------------------------
    def rule_list(self, node: Node, path: str) -> tuple[Rule, ...]:
        if not node.is_list() or not node.value:
            self.problem("scenario.type", f"{path} must be a non-empty list of rules", node)
            return ()
        rules: list[Rule] = []
        for position, item in enumerate(node.value):
            rule = self.rule(item, f"{path}[{position}]", position)
            if rule is not None:
                rules.append(rule)
        catch_all: Rule | None = None
        for rule in rules:
            if catch_all is not None:
                self.problem(
                    "scenario.unreachable",
                    f"rule {rule.name!r} can never match: rule {catch_all.name!r} "
                    f"at {catch_all.location} matches every contact before it",
                    rule.location,
                )
                break
            if rule.when is None:
                catch_all = rule
        written = any(i.is_map() and "when" not in i.value for i in node.value)
        if rules and catch_all is None and not written:  # not when the catch-all is broken
            self.problem(
                "scenario.no_default",
                f"{path} has no final rule without 'when': some contacts would match nothing",
                node,
            )
        return tuple(rules)

    def rule(self, node: Node, path: str, position: int) -> Rule | None:
        if self.mapping(node, f"rule {path}") is None:
            return None
        self.check_keys(node, RULE_KEYS, f"rule {path}")
        name = self.text(node.get("name"), "rule name") or f"rule {position + 1}"
        when_node = node.get("when")
        when: Evaluator | None = None
        when_source = ""
        if when_node is not None:
            compiled = self.expression(when_node, False, BOOL)
            if compiled is None:
                when = _never  # reported already; it must not count as a catch-all
            elif isinstance(compiled.node, Literal):
                if compiled.node.value is False:
                    self.problem(
                        "scenario.unreachable",
                        f"rule {name!r} can never match: its condition is always false",
                        when_node,
                    )
                    when = _never
            else:
                when, when_source = compiled.evaluate, compiled.source
        return self.action_rule(node, name, path, when, when_source)

    def action_rule(
        self,
        node: Node,
        name: str,
        path: str,
        when: Evaluator | None = None,
        when_source: str = "",
    ) -> Rule | None:
        present = [key for key in ACTIONS if key in node.value]
        if len(present) != 1:
            found = ", ".join(present) if present else "none"
            self.problem(
                "scenario.action",
                f"{path} ({name}) needs exactly one action of {', '.join(ACTIONS)}; found {found}",
                node,
            )
            return None
        kind = ActionKind(present[0])
        action = self.action(kind, node.value[kind.value], path)
        outputs = self.outputs(node)
        if action is None:
            return None
        return Rule(name, path, when, when_source, action, outputs, node.location)

    def action(self, kind: ActionKind, node: Node, path: str) -> Action | None:
        if kind is ActionKind.REJECT:
            return self.reject(node)
        if kind is ActionKind.QUEUE:
            return self.queue(node, path)
        if kind in (ActionKind.AGENT, ActionKind.MANAGER):
            return self.personal(kind, node, path)
        if kind is ActionKind.CALLBACK:
            spec = self.mapping(node, "callback")
            if spec is None:
                return None
            self.check_keys(spec, ("queue", "announcement"), "callback")
            queue = self.queue_ref(spec.get("queue"), "callback queue")
            announcement = self.text(spec.get("announcement"), "announcement")
            return Action(kind, queue=queue, announcement=announcement)
        target = self.text(node, kind.value, required=True) or ""
        return Action(kind, target=target)

    def reject(self, node: Node) -> Action:
        if not node.is_map():
            reason = self.text(node, "reject reason", required=True) or ""
            return Action(ActionKind.REJECT, reason=reason)
        self.check_keys(node, ("reason", "announcement"), "reject")
        reason = self.text(node.get("reason"), "reject reason", required=True) or ""
        announcement = self.text(node.get("announcement"), "announcement")
        return Action(ActionKind.REJECT, reason=reason, announcement=announcement)

    def queue(self, node: Node, path: str, first_step: int = 0) -> Action | None:
        if not node.is_map():
            queue = self.queue_ref(node, "queue")
            if queue is None:
                return None
            step = self.step(None, queue, first_step, path)
            return Action(ActionKind.QUEUE, queue=queue, steps=(step,) if step else ())
        self.check_keys(node, QUEUE_KEYS, "queue")
        queue = self.queue_ref(node.get("name"), "queue name")
        priority = self.priority(node.get("priority"))
        offer = None
        offer_node = self.mapping(node.get("callback_offer"), "callback_offer")
        if offer_node is not None:
            self.check_keys(offer_node, ("when",), "callback_offer")
            when = offer_node.get("when")
            compiled = self.expression(when, False, BOOL) if when is not None else None
            offer = compiled.evaluate if compiled is not None else None
        steps = self.steps(node.get("steps"), queue or _REPORTED, first_step, path)
        if queue is None:
            return None
        return Action(
            ActionKind.QUEUE, queue=queue, steps=steps, priority=priority, callback_offer=offer
        )

    def priority(self, node: Node | None) -> Evaluator | int:
        if node is None:
            return 0
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        compiled = self.expression(node, False, INT)
        return compiled.evaluate if compiled is not None else 0

    def steps(
        self, node: Node | None, queue: QueueId | None, first: int, path: str
    ) -> tuple[StepPlan, ...]:
        if node is None:
            step = self.step(None, queue, first, path)
            return (step,) if step else ()
        if not node.is_list() or not node.value:
            self.problem("scenario.type", "steps must be a non-empty list", node)
            return ()
        steps: list[StepPlan] = []
        for offset, item in enumerate(node.value):
            step = self.step(item, queue, first + offset, path)
            if step is not None:
                steps.append(step)
        for step, item in zip(steps[:-1], node.value, strict=False):
            if step.expire is None:
                self.problem(
                    "scenario.unreachable",
                    f"step {step.index + 1} has no 'expire', so the steps after it never apply",
                    item,
                )
                break
        return tuple(steps)

    def step(
        self, node: Node | None, queue: QueueId | None, index: int, path: str, **fixed: object
    ) -> StepPlan | None:
        if node is None:
            node = Node({}, Location(0, 0))
        elif self.mapping(node, f"step {index + 1}") is None:
            return None
        self.check_keys(node, STEP_KEYS, f"step {index + 1} of {path}")
        if "queue" in node.value:
            queue = self.queue_ref(node.value["queue"], "step queue") or _REPORTED
        require_node = node.get("require")
        require = None
        source = ""
        if require_node is not None:
            compiled = self.expression(require_node, True, BOOL)
            if compiled is None:
                return None
            require, source = compiled.node, compiled.source
        requirement = plan_requirement(require, SCHEMA)
        if queue is None and not requirement.terms:
            self.problem(
                "scenario.step_scope",
                f"step {index + 1} of {path} names no queue and no indexed agent condition "
                "(skill, language, group or agent id): it would search every agent",
                node,
            )
        order_by, skill = self.order_by(node)
        priority = node.get("priority")
        step_priority = 0
        if priority is not None:
            if isinstance(priority.value, bool) or not isinstance(priority.value, int):
                self.problem("scenario.type", "step priority must be an integer", priority)
            else:
                step_priority = priority.value
        expire = fixed.get("expire", self.duration(node.get("expire"), "expire"))
        assert expire is None or isinstance(expire, float)
        return StepPlan(
            index=index,
            queue=queue,
            require=source,
            terms=requirement.terms,
            residual=requirement.residual,
            order_by=order_by,
            order_skill=skill,
            expire=expire,
            priority=step_priority,
            location=node.location if node.location.line else None,
        )

    def order_by(self, node: Node) -> tuple[OrderBy, str | None]:
        text = self.text(node.get("order_by"), "order_by")
        if text is None:
            return OrderBy.LONGEST_IDLE, None
        try:
            order = OrderBy(text)
        except ValueError:
            choices = ", ".join(o.value for o in OrderBy)
            self.problem("scenario.order_by", f"order_by must be one of {choices}", node)
            return OrderBy.LONGEST_IDLE, None
        skill = self.text(node.get("skill"), "skill")
        if order is OrderBy.BEST_SKILL and skill is None:
            self.problem("scenario.missing", "order_by best_skill needs 'skill'", node)
        return order, skill

    def personal(self, kind: ActionKind, node: Node, path: str) -> Action | None:
        spec = self.mapping(node, kind.value)
        if spec is None:
            return None
        allowed = ("id", "timeout", "then") if kind is ActionKind.AGENT else ("timeout", "then")
        self.check_keys(spec, allowed, kind.value)
        if kind is ActionKind.AGENT:
            id_node = spec.get("id")
            if id_node is None:
                self.problem("scenario.missing", "agent needs 'id' (an expression)", spec)
                return None
            # Checked on its own so that errors point into the text the author wrote.
            if self.expression(id_node, False, STRING) is None:
                return None
            self.check_agent(id_node)
            target = str(id_node.value)
        else:
            target = "customer.manager"
        timeout = self.duration(spec.get("timeout"), "timeout") or DEFAULT_RING_TIMEOUT
        require = Node(
            f"agent.id == ({target})",
            spec.location,
            origin=(spec.location.line, spec.location.column),
        )
        compiled = self.expression(require, True, BOOL)
        if compiled is None:
            return None
        requirement = plan_requirement(compiled.node, SCHEMA)
        first = StepPlan(
            index=0,
            queue=None,
            require=compiled.source,
            terms=requirement.terms,
            residual=requirement.residual,
            expire=timeout,
            location=spec.location,
        )
        then = spec.get("then")
        if then is None:
            self.problem(
                "scenario.missing",
                f"{kind.value} needs 'then': the queue for contacts the "
                + ("agent does not answer" if kind is ActionKind.AGENT else
                   "manager does not answer, or whose customer has no manager"),
                spec,
            )  # fmt: skip
            return None
        fallback = self.queue(then, path, first_step=1)
        if fallback is None:
            return None
        return dataclasses.replace(fallback, kind=kind, steps=(first, *fallback.steps))

    def check_agent(self, node: Node) -> None:
        known = self.catalog.agents
        value = node.value
        if known is None or not isinstance(value, str):
            return
        literal = re.fullmatch(r"\s*([\"'])(.*)\1\s*", value)
        if literal and AgentId(literal.group(2)) not in known:
            self.problem(
                "scenario.unknown_agent", f"agent {literal.group(2)!r} does not exist", node
            )

    def outputs(self, node: Node) -> Outputs:
        greeting: str | dict[str, str] | None = None
        greeting_node = node.get("greeting")
        if greeting_node is not None:
            if greeting_node.is_map():
                greeting = {
                    part: self.text(value, f"greeting for {part}", required=True) or ""
                    for part, value in greeting_node.items()
                }
            else:
                greeting = self.text(greeting_node, "greeting")
        record = node.get("record")
        if record is not None and not isinstance(record.value, bool):
            self.problem("scenario.type", "record must be true or false", record)
        tags_node = node.get("tags")
        tags: tuple[str, ...] = ()
        if tags_node is not None:
            if not tags_node.is_list():
                self.problem("scenario.type", "tags must be a list", tags_node)
            else:
                tags = tuple(str(t.value) for t in tags_node.value)
        return Outputs(
            greeting=greeting,
            card=self.text(node.get("card"), "card"),
            script=self.text(node.get("script"), "script"),
            record=record.value if record is not None and isinstance(record.value, bool) else None,
            tags=tags,
        )

    # --- menus -----------------------------------------------------------------------
    def menu(self, name: str, node: Node) -> Menu | None:
        if self.mapping(node, f"menu {name}") is None:
            return None
        self.check_keys(
            node, ("prompt", "options", "collect", "then", "timeout", "retries", "on_fail"), "menu"
        )
        prompt = self.text(node.get("prompt"), f"menu {name} prompt", required=True) or ""
        options: dict[str, Rule] = {}
        collect, then = self.collect(name, node)
        options_node = (
            self.mapping(node.get("options"), f"menu {name} options")
            if collect is None or node.get("options") is not None
            else None
        )
        if collect is not None and options_node is not None:
            self.problem(
                "scenario.menu_kind", f"menu {name} has options or collect, not both",
                node.get("options"),
            )  # fmt: skip
        elif options_node is None and collect is None:
            self.problem("scenario.missing", f"menu {name} needs options (or collect)", node)
        elif options_node is not None:
            for key, body in options_node.items():
                if not _DIGITS.match(key):
                    self.problem(
                        "scenario.menu_key", f"menu option {key!r} must be keypad digits",
                        options_node.keys.get(key),
                    )  # fmt: skip
                if self.mapping(body, f"menu {name} option {key}") is None:
                    continue
                self.check_keys(body, ("name", *ACTIONS, *OUTPUT_KEYS), f"menu option {key}")
                rule = self.action_rule(body, f"{name}:{key}", f"menus.{name}.options.{key}")
                if rule is not None:
                    options[key] = rule
        fail_node = self.mapping(node.get("on_fail"), f"menu {name} on_fail")
        on_fail = None
        if fail_node is None:
            self.problem("scenario.missing", f"menu {name} needs on_fail", node)
        else:
            self.check_keys(fail_node, ("name", *ACTIONS, *OUTPUT_KEYS), "on_fail")
            on_fail = self.action_rule(fail_node, f"{name}:fail", f"menus.{name}.on_fail")
        timeout = self.duration(node.get("timeout"), "menu timeout") or 5.0
        retries_node = node.get("retries")
        retries = 2
        if retries_node is not None:
            if not isinstance(retries_node.value, int) or not 0 <= retries_node.value <= 9:
                self.problem("scenario.type", "retries must be 0..9", retries_node)
            else:
                retries = retries_node.value
        if on_fail is None:
            return None
        return Menu(name, prompt, options, on_fail, timeout, retries, node.location, collect, then)

    def collect(self, name: str, node: Node) -> tuple[Collect | None, Rule | None]:
        """A menu's ``collect`` (how many digits, the end key, the field to look the
        number up in) and its ``then``."""
        collect_node = node.get("collect")
        if collect_node is None:
            if node.get("then") is not None:
                self.problem(
                    "scenario.menu_kind", f"menu {name}: then is for a menu with collect",
                    node.get("then"),
                )  # fmt: skip
            return None, None
        if self.mapping(collect_node, f"menu {name} collect") is None:
            return None, None
        self.check_keys(collect_node, ("digits", "end", "lookup"), "collect")
        digits = collect_node.get("digits")
        low = high = 0
        match = _COUNT.match(str(digits.value)) if digits is not None else None
        if match is None:
            self.problem(
                "scenario.type", 'collect digits must be a count or a range like "6-10"',
                digits or collect_node,
            )  # fmt: skip
        else:
            low = int(match.group(1))
            high = int(match.group(2) or low)
            if not 1 <= low <= high <= MAX_COLLECTED:
                self.problem(
                    "scenario.type", f"collect digits must be within 1..{MAX_COLLECTED}", digits
                )
        end_node = collect_node.get("end")
        end = "#" if end_node is None else str(end_node.value)
        if end not in ("", "#", "*"):
            self.problem("scenario.type", 'collect end must be "#", "*" or ""', end_node)
        lookup = self.text(collect_node.get("lookup"), "collect lookup")
        then_node = self.mapping(node.get("then"), f"menu {name} then")
        then = None
        if then_node is None:
            self.problem("scenario.missing", f"menu {name} with collect needs then", node)
        else:
            self.check_keys(then_node, ("name", *ACTIONS, *OUTPUT_KEYS), "then")
            then = self.action_rule(then_node, f"{name}:then", f"menus.{name}.then")
        return Collect(low, high, end, lookup or None), then

    # --- whole-document checks -------------------------------------------------------
    def check_targets(
        self,
        rules: tuple[Rule, ...],
        procedures: Mapping[str, tuple[Rule, ...]],
        menus: Mapping[str, Menu],
    ) -> None:
        for rule in _all_rules(rules, procedures, menus):
            action = rule.action
            if action.kind is ActionKind.USE and action.target not in procedures:
                self.missing("procedure", action.target, list(procedures), rule.location)
            if action.kind is ActionKind.MENU and action.target not in menus:
                self.missing("menu", action.target, list(menus), rule.location)

    def missing(self, kind: str, name: str, known: list[str], where: Location) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.problem(f"scenario.unknown_{kind}", f"{kind} {name!r} does not exist{hint}", where)

    def check_loops(self, procedures: Mapping[str, tuple[Rule, ...]]) -> None:
        graph = {
            name: [(r.action.target, r.location) for r in body if r.action.kind is ActionKind.USE]
            for name, body in procedures.items()
        }
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done

        def visit(name: str, path: list[str]) -> None:
            state[name] = 1
            for target, location in graph.get(name, []):
                if state.get(target) == 1:
                    cycle = " → ".join([*path[path.index(target) :], target])
                    self.problem("scenario.loop", f"procedures call each other: {cycle}", location)
                elif target in graph and target not in state:
                    visit(target, [*path, target])
            state[name] = 2

        for name in graph:
            if name not in state:
                visit(name, [name])


def _place(problem: Problem) -> tuple[int, int]:
    where = problem.location
    return (where.line, where.column) if where is not None else (0, 0)


def _never(env: object) -> bool:
    """The condition of a rule whose own condition is broken or always false."""
    return False


def _all_rules(
    rules: tuple[Rule, ...], procedures: Mapping[str, tuple[Rule, ...]], menus: Mapping[str, Menu]
) -> Iterator[Rule]:
    yield from rules
    for body in procedures.values():
        yield from body
    for menu in menus.values():
        yield from menu.options.values()
        yield menu.on_fail


def _queues_of(action: Action) -> Iterator[QueueId]:
    if action.queue is not None:
        yield action.queue
    for step in action.steps:
        if step.queue is not None:
            yield step.queue


def _calls(node: ExprNode) -> Iterator[Call]:
    if isinstance(node, Call):
        yield node
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            child = getattr(node, f.name)
            children = child if isinstance(child, list | tuple) else [child]
            for item in children:
                if dataclasses.is_dataclass(item) and not isinstance(item, type):
                    yield from _calls(item)  # type: ignore[arg-type]


__all__ = ["NO_OUTPUTS", "Catalog", "ScenarioError", "compile_scenario", "parse_duration"]
