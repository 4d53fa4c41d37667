"""Every example of docs/scenario-language.md, run through the router.

The guide is read as a sequence of fenced blocks, each tagged in its info string:

``yaml site``      the one site (the format of examples/site.yaml) every example uses
``yaml scenario``  a scenario; the next block must be a ``yaml expect``
``yaml expect``    the cases of the scenario just above it (format below)
``yaml invalid``   a scenario that must be refused; the next block (``text``) is the
                   exact ``str()`` of the ScenarioError
``yaml fragment``  an illustration, not a whole scenario (no ``scenario`` and ``rules``
                   keys together); it must be valid YAML
``text``           anything else (command output)

An untagged or plain ``yaml`` block fails the suite, and so does a scenario without
cases: no example of the guide can go untested. One test runs per heading that holds
examples (``test_example[blacklist-rejection]`` ...).

A case is a mapping:

    name:      what the case shows (required)
    time:      ISO 8601 with a UTC offset (required); for a timeline, its t = 0
    contact:   ani, line, channel, access_point, direct_agent, language, priority,
               digits {name: value}, data {key: value}                  (all optional)
    customer:  id, name, category, vip, manager, blacklisted, status, languages,
               fields           (absent or null: an unknown caller)
    figures:   {queue: {waiting, longest_wait, estimated_wait, agents_available,
               agents_logged_in}}: live figures the conditions see (default all 0)
    expect:    what Router.classify decides: any of the keys of ``_outcome`` below.
               Every key is compared for equality except ``steps`` (a list with one
               mapping per step, overflow included, comparing the keys given of
               queue / require / expire / order_by) and ``explain`` (strings that
               must each occur in a line of Treatment.explain()).
    press:     a key, or null for "no valid key", pressed in the menu of ``expect``
    then:      what Router.choose decides after it, like ``expect``

or, to show matching, a timeline instead of expect / press / then:

    agents:    ids of site agents ready at t = 0, the longest idle first
    timeline:  a list of moments:
      at:      a duration after t = 0, never decreasing
      hangup:  contact ids whose (offered) contact ends: its agent is free again
      away:    agent ids that go not ready
      ready:   agent ids that become ready (logging in if needed)
      arrive:  one contact or a list: {id, contact, customer, expect}; classified at
               that moment and, when the treatment is a queue, enqueued
      offers:  the offers Router.decide made since the moment before, in order, each
               {contact, agent, step (from 1), queue, skipped (steps from 1)}; only
               the keys given are compared. Default: no offers.
    Between moments the test calls decide at every step expiry, as the dispatcher's
    timers (and the simulator) do; the events of a moment happen in the order above.

Conditions see the site's calendars and lists, the scenario's time zone, calendar and
day parts, and the ``figures`` (decisions) or the routing state itself (timelines).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, ContactId, CustomerId, QueueId
from frontdesk.routing.context import SCHEMA, Facts, QueueFigures, QueueFiguresSource
from frontdesk.routing.engine import Offer, Router, Treatment
from frontdesk.routing.plan import ActionKind, ScenarioPlan
from frontdesk.routing.scenario import ScenarioError, compile_scenario, parse_duration
from frontdesk.routing.state import RoutingState
from frontdesk.sim.loader import catalog_of, load_site
from frontdesk.sim.model import SiteModel

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "scenario-language.md"
SOURCES = ROOT / "src" / "frontdesk"
TAGS = ("yaml site", "yaml scenario", "yaml expect", "yaml invalid", "yaml fragment", "text")

#: The procedures of the source documents: each must have an example (heading words).
REQUIRED_EXAMPLES = (
    "blacklist",
    "direct number",
    "morning",
    "public holidays",
    "customer category",
    "never in the general queue",
    "personal manager",
    "callback offer",
)

CASE_KEYS = frozenset({"name", "time", "contact", "customer", "figures", "expect", "press",
                       "then", "agents", "timeline"})  # fmt: skip
CONTACT_KEYS = frozenset({"ani", "line", "channel", "access_point", "direct_agent", "language",
                          "priority", "digits", "data"})  # fmt: skip
CUSTOMER_KEYS = frozenset({"id", "name", "category", "vip", "manager", "blacklisted", "status",
                           "languages", "fields"})  # fmt: skip
MOMENT_KEYS = frozenset({"at", "hangup", "away", "ready", "arrive", "offers"})
ARRIVAL_KEYS = frozenset({"id", "contact", "customer", "expect"})
STEP_KEYS = frozenset({"queue", "require", "expire", "order_by"})
OFFER_KEYS = frozenset({"contact", "agent", "step", "queue", "skipped"})


# --- reading the guide ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    tag: str
    text: str
    line: int  # of the opening fence, 1-based
    heading: str


def read_blocks(text: str) -> tuple[list[Block], list[str]]:
    """The fenced blocks of a markdown text, each under its heading; and problems."""
    blocks: list[Block] = []
    problems: list[str] = []
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                problems.append(f"line {start}: the block is never closed")
            blocks.append(Block(line[3:].strip(), "\n".join(body) + "\n", start, heading))
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        i += 1
    return blocks, problems


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Example:
    heading: str
    pairs: tuple[tuple[Block, Block], ...]  # (scenario, expect)


def structure(blocks: list[Block]) -> tuple[list[Example], list[tuple[Block, Block]], list[str]]:
    """Examples by heading, invalid scenarios with their listing, and structure problems."""
    problems: list[str] = []
    pairs: dict[str, list[tuple[Block, Block]]] = {}
    invalid: list[tuple[Block, Block]] = []
    for index, block in enumerate(blocks):
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        before = blocks[index - 1] if index else None
        where = f"{GUIDE.name}:{block.line}"
        if block.tag not in TAGS:
            problems.append(f"{where}: a block tagged {block.tag!r}; use one of {TAGS}")
        elif block.tag == "yaml scenario":
            if after is None or after.tag != "yaml expect" or after.heading != block.heading:
                problems.append(f"{where}: a scenario without a 'yaml expect' block right after")
            else:
                pairs.setdefault(block.heading, []).append((block, after))
        elif block.tag == "yaml expect":
            if before is None or before.tag != "yaml scenario":
                problems.append(f"{where}: cases without a 'yaml scenario' block right before")
        elif block.tag == "yaml invalid":
            if after is None or after.tag != "text":
                problems.append(f"{where}: an invalid scenario without its 'text' listing")
            else:
                invalid.append((block, after))
        elif block.tag == "yaml fragment":
            try:
                fragment = yaml.safe_load(block.text)
            except yaml.YAMLError as error:
                problems.append(f"{where}: the fragment is not valid YAML: {error}")
            else:
                if isinstance(fragment, dict) and {"scenario", "rules"} <= set(fragment):
                    problems.append(f"{where}: a whole scenario: tag it 'yaml scenario'")
    examples = [Example(heading, tuple(found)) for heading, found in pairs.items()]
    return examples, invalid, problems


TEXT = GUIDE.read_text(encoding="utf-8")
BLOCKS, READ_PROBLEMS = read_blocks(TEXT)
EXAMPLES, INVALID, STRUCTURE_PROBLEMS = structure(BLOCKS)


@cache
def site() -> SiteModel:
    found = [b for b in BLOCKS if b.tag == "yaml site"]
    assert len(found) == 1, f"{GUIDE.name} needs exactly one 'yaml site' block, has {len(found)}"
    return load_site(found[0].text, f"{GUIDE.name} site block")


def compile_block(block: Block) -> ScenarioPlan:
    try:
        return compile_scenario(block.text, catalog_of(site()))
    except ScenarioError as error:
        places = "\n".join(
            f"  {GUIDE.name}:{block.line + p.location.line if p.location else block.line}: "
            f"{p.message} [{p.code}]"
            for p in error.problems
        )
        pytest.fail(f"the scenario at {GUIDE.name}:{block.line} does not compile:\n{places}")


# --- building contacts and customers ----------------------------------------------------


class Problems:
    """Mismatches of one example, reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def keys(self, where: str, spec: Mapping[str, Any], allowed: frozenset[str]) -> None:
        unknown = sorted(set(spec) - allowed)
        if unknown:
            self.add(where, f"unknown keys {unknown}; allowed: {sorted(allowed)}")


def mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        pytest.fail(f"{where}: expected a mapping, got {value!r}")
    return value


def listing(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def instant(value: Any, where: str) -> datetime:
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        pytest.fail(f"{where}: time must be ISO 8601 with a UTC offset, got {value!r}")
    return moment


def seconds(value: Any, where: str) -> float:
    found = parse_duration(value)
    if found is None:
        pytest.fail(f"{where}: not a duration: {value!r}")
    return found


def make_contact(
    spec: Mapping[str, Any], contact_id: str, at: datetime, where: str, problems: Problems
) -> Contact:
    problems.keys(where, spec, CONTACT_KEYS)
    data = {str(k): str(v) for k, v in mapping(spec.get("data"), where).items()}
    if spec.get("direct_agent") is not None:
        data["agent"] = str(spec["direct_agent"])
    return Contact(
        id=ContactId(contact_id),
        tenant=DEFAULT_TENANT,
        channel=Channel(spec.get("channel", "voice")),
        ani=str(spec.get("ani", "+74951112233")),
        access_point=str(spec.get("access_point", "+74951234567")),
        arrived_at=at,
        line=str(spec.get("line", "support")),
        channel_data=data,
        digits={str(k): str(v) for k, v in mapping(spec.get("digits"), where).items()},
        priority=int(spec.get("priority", 0)),
        language=spec.get("language"),
    )


def make_customer(spec: Any, where: str, problems: Problems) -> CustomerProfile | None:
    if spec is None:
        return None
    spec = mapping(spec, where)
    problems.keys(where, spec, CUSTOMER_KEYS)
    manager = spec.get("manager")
    return CustomerProfile(
        id=CustomerId(str(spec.get("id", "customer-1"))),
        name=str(spec.get("name", "")),
        category=spec.get("category"),
        vip=bool(spec.get("vip", False)),
        status=spec.get("status"),
        manager=AgentId(str(manager)) if manager is not None else None,
        blacklisted=bool(spec.get("blacklisted", False)),
        languages=frozenset(spec.get("languages", ())),
        fields={str(k): str(v) for k, v in mapping(spec.get("fields"), where).items()},
    )


class FixedFigures:
    """Live figures given by a case; zero for queues it does not name."""

    def __init__(self, figures: Mapping[str, Any]) -> None:
        self.figures_by_queue = {
            QueueId(queue): QueueFigures(**mapping(values, f"figures.{queue}"))
            for queue, values in figures.items()
        }

    def figures(self, queue: QueueId) -> QueueFigures:
        return self.figures_by_queue.get(queue, QueueFigures())


def router_for(plan: ScenarioPlan, figures: QueueFiguresSource) -> Router:
    """The router as the dispatcher builds it: the site's data, the scenario's settings."""
    facts = Facts(
        timezone=ZoneInfo(plan.timezone),
        calendars=site().calendars,
        default_calendar=plan.calendar,
        lists=site().lists,
        day_parts=plan.day_parts,
        queues=figures,
    )
    return Router(plan, site().queues, facts)


# --- comparing outcomes -----------------------------------------------------------------


def _outcome(t: Treatment) -> dict[str, Any]:
    return {
        "action": t.kind.value,
        "rule": t.rule.name,
        "queue": t.queue,
        "greeting": t.greeting,
        "reason": t.reason,
        "announcement": t.announcement,
        "menu": t.menu,
        "priority": t.priority,
        "offer_callback": t.offer_callback,
        "card": t.outputs.card,
        "script": t.outputs.script,
        "record": t.outputs.record,
        "tags": list(t.outputs.tags),
        "first_step": t.steps[0].require if t.steps else None,
        "steps": [
            {"queue": s.queue, "require": s.require, "expire": s.expire, "order_by": s.order_by}
            for s in t.steps
        ],
        "explain": list(t.explain()),
    }


def check_treatment(
    treatment: Treatment, expected: Mapping[str, Any], where: str, problems: Problems
) -> None:
    actual = _outcome(treatment)
    problems.keys(where, expected, frozenset(actual))
    for key, want in expected.items():
        if key not in actual:
            continue
        got = actual[key]
        if key == "steps":
            check_steps(got, listing(want), where, problems)
        elif key == "explain":
            for text in listing(want):
                if not any(text in line for line in got):
                    problems.add(where, f"no line of explain() contains {text!r}: {got}")
        elif got != want:
            problems.add(where, f"{key}: expected {want!r}, got {got!r}")


def check_steps(got: list[dict[str, Any]], want: list[Any], where: str, problems: Problems) -> None:
    if len(got) != len(want):
        problems.add(where, f"steps: expected {len(want)}, got {len(got)}: {got}")
        return
    for number, (step, raw) in enumerate(zip(got, want, strict=True), 1):
        spec = mapping(raw, f"{where}, step {number}")
        problems.keys(f"{where}, step {number}", spec, STEP_KEYS)
        for key, given in spec.items():
            value = seconds(given, where) if key == "expire" and given is not None else given
            if key in step and step[key] != value:
                problems.add(where, f"step {number} {key}: expected {value!r}, got {step[key]!r}")


def offer_facts(offer: Offer) -> dict[str, Any]:
    return {
        "contact": offer.contact,
        "agent": offer.agent,
        "step": offer.step.index + 1,
        "queue": offer.queue,
        "skipped": [index + 1 for index in offer.skipped_steps],
    }


def check_offers(offers: list[Offer], want: list[Any], where: str, problems: Problems) -> None:
    got = [offer_facts(o) for o in offers]
    shown = [{k: v for k, v in o.items() if k != "skipped" or v} for o in got]
    if len(got) != len(want):
        problems.add(where, f"expected {len(want)} offer(s) {want}, got {shown}")
        return
    for actual, raw in zip(got, want, strict=True):
        spec = mapping(raw, where)
        problems.keys(where, spec, OFFER_KEYS)
        if any(actual[k] != v for k, v in spec.items() if k in actual):
            problems.add(where, f"expected offers {want}, got {shown}")
            return


# --- running cases ----------------------------------------------------------------------


def run_decision(plan: ScenarioPlan, case: Mapping[str, Any], where: str, p: Problems) -> None:
    at = instant(case.get("time"), where)
    router = router_for(plan, FixedFigures(mapping(case.get("figures"), where)))
    contact = make_contact(mapping(case.get("contact"), where), "contact-1", at, where, p)
    customer = make_customer(case.get("customer"), f"{where}, customer", p)
    env = router.environment(contact, customer, at)
    treatment = router.treat(env)
    check_treatment(treatment, mapping(case.get("expect"), where), where, p)
    if "press" in case:
        if treatment.kind is not ActionKind.MENU:
            p.add(where, f"'press' needs a menu, but the action is {treatment.kind.value}")
            return
        key = case["press"]
        chosen = router.choose(env, treatment.menu, None if key is None else str(key))
        check_treatment(chosen, mapping(case.get("then"), where), f"{where}, then", p)
    elif "then" in case:
        p.add(where, "'then' without 'press'")


def site_agent(agent_id: Any, where: str) -> Agent:
    for entry in site().roster:
        if entry.agent.id == str(agent_id):
            return entry.agent
    pytest.fail(f"{where}: {agent_id!r} is not an agent of the site")


def run_timeline(plan: ScenarioPlan, case: Mapping[str, Any], where: str, p: Problems) -> None:
    start = instant(case.get("time"), where)
    state = RoutingState(plan.aging_per_minute)
    router = router_for(plan, state)
    for agent_id in listing(case.get("agents")):
        state.set_agent(replace(site_agent(agent_id, where), state=AgentState.READY))
    previous = 0.0
    for raw_moment in listing(case.get("timeline")):
        moment = mapping(raw_moment, where)
        at = seconds(moment.get("at"), where)
        here = f"{where}, at {moment.get('at')}"
        p.keys(here, moment, MOMENT_KEYS)
        if at < previous:
            p.add(here, "moments must not go back in time")
        previous = at
        offers: list[Offer] = []
        while state.expiries and state.expiries[0][0] < at:
            offers += router.decide(state, state.expiries[0][0])
        for contact_id in listing(moment.get("hangup")):
            entry = state.offered.get(ContactId(str(contact_id)))
            if entry is None:
                p.add(here, f"hangup: {contact_id} was not offered to anyone")
                continue
            waiting, agent = entry
            state.accepted(waiting.contact)
            state.release(agent, waiting.media)
        for agent_id in listing(moment.get("away")):
            state.set_agent(replace(site_agent(agent_id, here), state=AgentState.NOT_READY))
        for agent_id in listing(moment.get("ready")):
            state.set_agent(replace(site_agent(agent_id, here), state=AgentState.READY))
        for raw_arrival in listing(moment.get("arrive")):
            arrival = mapping(raw_arrival, here)
            p.keys(here, arrival, ARRIVAL_KEYS)
            contact_id = str(arrival.get("id", "contact-1"))
            now = start + timedelta(seconds=at)
            contact_where = f"{here}, {contact_id}"
            contact = make_contact(
                mapping(arrival.get("contact"), here), contact_id, now, contact_where, p
            )
            customer = make_customer(arrival.get("customer"), contact_where, p)
            env = router.environment(contact, customer, now)
            treatment = router.treat(env)
            check_treatment(treatment, mapping(arrival.get("expect"), here), contact_where, p)
            if treatment.kind is ActionKind.QUEUE:
                router.enqueue(state, contact.id, env, treatment, at)
        offers += router.decide(state, at)
        check_offers(offers, listing(moment.get("offers")), f"{here}, offers", p)


def run_case(plan: ScenarioPlan, case: Any, where: str, problems: Problems) -> None:
    case = mapping(case, where)
    where = f"{where} {case.get('name', '(no name)')!r}"
    problems.keys(where, case, CASE_KEYS)
    if "name" not in case:
        problems.add(where, "a case needs a name")
    if ("timeline" in case) == ("expect" in case):
        problems.add(where, "a case has either 'expect' or 'timeline'")
    elif "timeline" in case:
        run_timeline(plan, case, where, problems)
    else:
        run_decision(plan, case, where, problems)


# --- the tests --------------------------------------------------------------------------


def test_every_block_of_the_guide_is_tagged_and_paired() -> None:
    assert not READ_PROBLEMS + STRUCTURE_PROBLEMS, "\n".join(READ_PROBLEMS + STRUCTURE_PROBLEMS)
    assert [b.tag for b in BLOCKS].count("yaml site") == 1


def test_every_procedure_of_the_sources_has_an_example() -> None:
    headings = [e.heading.lower() for e in EXAMPLES]
    missing = [w for w in REQUIRED_EXAMPLES if not any(w in h for h in headings)]
    assert not missing, f"no example heading mentions {missing}; headings: {headings}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[slug(e.heading) for e in EXAMPLES])
def test_example(example: Example) -> None:
    problems = Problems()
    for scenario, expect in example.pairs:
        plan = compile_block(scenario)
        cases = yaml.safe_load(expect.text)
        where = f"{GUIDE.name}:{expect.line}"
        if not isinstance(cases, list) or not cases:
            pytest.fail(f"{where}: the expect block must be a non-empty list of cases")
        for case in cases:
            run_case(plan, case, where, problems)
    assert not problems.items, f"{example.heading}:\n  " + "\n  ".join(problems.items)


@pytest.mark.parametrize(
    ("scenario", "listing_block"), INVALID, ids=[f"line-{b.line}" for b, _ in INVALID]
)
def test_invalid_scenarios_are_reported_as_the_guide_says(
    scenario: Block, listing_block: Block
) -> None:
    with pytest.raises(ScenarioError) as raised:
        compile_scenario(scenario.text, catalog_of(site()))
    assert str(raised.value).strip() == listing_block.text.strip()


def _section(title: str) -> str:
    start = TEXT.index(f"\n## {title}")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start : end if end >= 0 else len(TEXT)]


def test_the_schema_section_lists_every_field_and_function() -> None:
    text = _section("The schema")
    documented = {
        (m["root"], m["field"]): (m["type"], m["null"] == "yes")
        for m in re.finditer(
            r"^\| `(?P<root>\w+)\.(?P<field>\w+)` \| `(?P<type>[^`]+)` \| (?P<null>yes)? ?\|",
            text,
            re.MULTILINE,
        )
    }
    published = {
        (root.name, name): (str(f.type), f.optional)
        for root in SCHEMA.roots.values()
        for name, f in root.type.fields.items()
    }
    assert documented == published, (
        f"missing or wrong: {sorted(set(published.items()) - set(documented.items()))}; "
        f"not in the schema: {sorted(set(documented.items()) - set(published.items()))}"
    )
    signatures = set(re.findall(r"^\| `(\w+\(.*?\) -> [\w<>, ]+)` \|", text, re.MULTILINE))
    assert signatures == {f.signature() for f in SCHEMA.functions.values()}


def _codes_in_sources() -> Iterator[str]:
    pattern = re.compile(r"\"((?:scenario|dayparts|expression)\.[a-z_]*[a-z])\"")
    files = ("routing/scenario.py", "routing/document.py", "routing/expr/errors.py",
             "domain/dayparts.py")  # fmt: skip
    for name in files:
        yield from pattern.findall((SOURCES / name).read_text(encoding="utf-8"))


#: Codes the compiler builds as f"scenario.unknown_{kind}".
BUILT_CODES = {f"scenario.unknown_{k}" for k in ("calendar", "list", "procedure", "menu")}


def test_every_error_code_is_documented() -> None:
    text = _section("Validation errors")
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, re.MULTILINE))
    known = (set(_codes_in_sources()) | BUILT_CODES) - {"scenario.invalid"}
    assert known - documented == set(), "codes missing from the guide"
    assert documented - known == set(), "codes the compiler does not use"
