"""Evaluation: null semantics, indexing, has, membership, calls, folding, Compiled."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from frontdesk.routing.expr import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    Call,
    Function,
    ListLiteral,
    Literal,
    Node,
    Root,
    Schema,
    check,
    compile_expression,
    compile_node,
    parse,
)

from .support import SCHEMA, Agent, Contact, Customer, Env

CONTACT = Contact(
    ani="+74951234567",
    channel="voice",
    priority=3,
    wait=1.5,
    vip=True,
    tags=["new", "ru"],
    counts=[10, 20, 30],
    attrs={"k": "v", "lang": "ru"},
    scores={"k": 7},
    note=None,
)
VIP = Customer(category="VIP", manager="m7", level=2, langs=["ru", "en"])
AGENT = Agent(id="m7", languages=["ru", "de"], skills={"billing": 4})
KNOWN = Env(
    contact=CONTACT,
    customer=VIP,
    agent=AGENT,
    open_queues=frozenset({"support"}),
    lists={"blacklist": frozenset({"+70000000000"})},
    hour=9,
)
UNKNOWN = Env(contact=CONTACT, customer=None, agent=None)


def run(source: str, env: Any = KNOWN) -> Any:
    return compile_expression(source, SCHEMA)(env)


# --- the examples of the brief -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "known", "unknown"),
    [
        ('customer.category == "VIP" && in_hours("support")', True, False),
        ('on_list("blacklist", contact.ani)', False, False),
        ('skill(agent, "billing") >= 3 && "ru" in agent.languages', True, False),
        ("has(customer.manager) ? 10 : 1", 10, 1),
    ],
)
def test_examples(source: str, known: object, unknown: object) -> None:
    assert run(source, KNOWN) == known
    assert run(source, UNKNOWN) == unknown


def test_on_list_sees_the_env() -> None:
    env = replace(KNOWN, contact=replace(CONTACT, ani="+70000000000"))
    assert run('on_list("blacklist", contact.ani)', env) is True


# --- null semantics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("customer.category", None),
        ("customer.level", None),
        ("customer.langs[0]", None),
        ('customer.category == "VIP"', False),
        ('customer.category != "VIP"', True),
        ("customer.category == null", True),
        ("customer.category == contact.note", True),
        ("customer == null", True),
        ("customer.level < 5", False),
        ("customer.level >= 0", False),
        ("5 > customer.level", False),
        ("customer.level > customer.level", False),
        ('customer.category < "z"', False),
        ('"ru" in customer.langs', False),
        ('customer.category in ["VIP"]', False),
        ('customer.category in [null, "VIP"]', False),
        ("customer.category in [contact.note]", False),
        ("customer.category in contact.tags", False),
        ('customer.category in "VIP"', False),
        ("customer.level + 1", None),
        ("1 - customer.level", None),
        ("customer.level * 2.5", None),
        ("-customer.level", None),
        ('customer.category + "x"', None),
        ("customer.level == 0 || true", True),
        ("customer.level > 1 && true", False),
        ("!(customer.level > 1)", True),
        ("has(customer)", False),
        ("has(customer.manager)", False),
        ("customer.level > 1 ? 1 : 2", 2),
        ("size(customer.category)", None),
        ('skill(agent, "billing")', 0),
    ],
)
def test_unknown_caller_never_raises(source: str, result: object) -> None:
    assert run(source, UNKNOWN) == result


def test_logic_treats_null_as_false_and_returns_booleans() -> None:
    env = replace(KNOWN, contact=replace(CONTACT, attrs={}))
    expression = compile_expression("contact.attrs.flag == null", SCHEMA)
    assert expression(env) is True
    for source, result in [
        ('!(contact.attrs.x == "y")', True),
        ('contact.attrs.x == "y" || contact.vip', True),
        ("contact.vip && contact.vip", True),
        ("contact.vip && !contact.vip", False),
    ]:
        value = run(source, env)
        assert value is result


def test_null_optional_field_of_a_known_customer() -> None:
    env = replace(KNOWN, customer=Customer(category=None, manager=None))
    assert run("has(customer)", env) is True
    assert run("has(customer.manager)", env) is False
    assert run("agent.id == customer.manager", env) is False
    assert run("agent.id == customer.manager", KNOWN) is True


def test_a_missing_root_object_gives_null_fields() -> None:
    env = Env(contact=None)
    assert run("contact.ani", env) is None
    assert run('contact.attrs["k"]', env) is None
    assert run("contact.tags[0]", env) is None
    assert run("size(contact.ani)", env) is None


# --- indexing, has, membership -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ('contact.attrs["k"]', "v"),
        ("contact.attrs.k", "v"),
        ('contact.attrs["missing"]', None),
        ("contact.attrs.missing", None),
        ('contact.attrs["l" + "ang"]', "ru"),
        ("contact.attrs[contact.attrs.nothing]", None),
        ("contact.scores.k * 2", 14),
        ("contact.tags[0]", "new"),
        ("contact.tags[1]", "ru"),
        ("contact.tags[2]", None),
        ("contact.tags[-1]", None),
        ("contact.counts[contact.priority - 1]", 30),
        ("contact.counts[contact.scores.none]", None),
        ('["a", "b", "c"][1]', "b"),
        ("[1, 2][5]", None),
        ('has(contact.attrs.k) && !has(contact.attrs["x"])', True),
        ("has(contact.tags[1]) && !has(contact.tags[2])", True),
        ("has(contact.note)", False),
        ('"ru" in contact.tags', True),
        ('"de" in contact.tags', False),
        ("20 in contact.counts", True),
        ("20.0 in contact.counts", True),
        ("contact.priority in [1, 2, 3]", True),
        ("contact.priority in [1.5, 3.0]", True),
        ("contact.priority in []", False),
        ('"lang" in contact.attrs', True),
        ('"v" in contact.attrs', False),
        ('"4951" in contact.ani', True),
        ('"" in contact.ani', True),
        ('"x" in contact.ani', False),
        ('contact.channel in ["voice", "chat"]', True),
        ('contact.channel in [contact.ani, "voice"]', True),
        ("contact.tags in [contact.tags]", True),
        ('contact.tags == ["new", "ru"]', True),
        ('["new", "ru"] == contact.tags', True),
        ('contact.tags != ["new"]', True),
        ("agent.languages == customer.langs", False),
        ("agent == agent", True),
    ],
)
def test_indexing_membership_and_has(source: str, result: object) -> None:
    assert run(source) == result


def test_lists_compare_equal_whether_list_or_tuple() -> None:
    env = replace(KNOWN, contact=replace(CONTACT, tags=("new", "ru")))  # type: ignore[arg-type]
    assert run('contact.tags == ["new", "ru"]', env) is True
    assert run("contact.tags == customer.langs", env) is False


# --- arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("6 / 3", 2.0),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("contact.priority / 0", None),
        ("contact.priority % 0", None),
        ("contact.wait / 0.0", None),
        ("1 / 0", None),
        ('"a" + "b" + contact.channel', "abvoice"),
        ("contact.priority + contact.wait", 4.5),
        ("-contact.priority", -3),
        ("1e308 * 10.0", math.inf),
    ],
)
def test_arithmetic(source: str, result: object) -> None:
    value = run(source)
    assert value == result
    assert type(value) is type(result)


def test_overflow_in_mixed_arithmetic_gives_null() -> None:
    env = replace(KNOWN, contact=replace(CONTACT, priority=10**400))
    assert run("contact.priority + 0.5", env) is None
    assert run("contact.priority / 3", env) is None
    assert run("contact.priority * contact.priority > 0", env) is True


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
@pytest.mark.parametrize("priority", [2, 3, 4])
def test_comparisons_at_the_boundary(op: str, priority: int) -> None:
    env = replace(KNOWN, contact=replace(CONTACT, priority=priority))
    expected = {
        "<": priority < 3,
        "<=": priority <= 3,
        ">": priority > 3,
        ">=": priority >= 3,
        "==": priority == 3,
        "!=": priority != 3,
    }[op]
    mirrored = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    assert run(f"contact.priority {op} 3", env) is expected
    assert run(f"3 {mirrored} contact.priority", env) is expected
    assert run(f"contact.priority {op} same_int(3)", env) is expected
    assert run(f"contact.priority {op} 3.0", env) is expected


def test_ternary_picks_a_branch() -> None:
    assert run('contact.vip ? "yes" : "no"') == "yes"
    assert run('customer.level > 5 ? "high" : customer.level > 1 ? "mid" : "low"') == "mid"
    assert run("contact.vip ? contact.priority : contact.wait") == 3


# --- calls ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("hour()", 9),
        ("answer()", 42),
        ('in_hours("support")', True),
        ('in_hours("sales")', False),
        ("in_hours(contact.channel)", False),
        ("in_hours(null)", False),
        ('on_list("blacklist", "+70000000000")', True),
        ("on_list(contact.channel, contact.ani)", False),
        ('skill(agent, "billing")', 4),
        ("skill(agent, contact.channel)", 0),
        ("size(contact.ani)", 12),
        ('lower(contact.attrs.lang + "X")', "rux"),
        ("half(contact.priority)", 1.5),
        ("clamp(contact.priority, 0, 2)", 2),
        ("clamp(5, contact.priority, 4)", 4),
        ("clamp(1, 2, customer.level)", 2),
        ("same_int(contact.priority) + same_float(0.5)", 3.5),
    ],
)
def test_function_calls(source: str, result: object) -> None:
    assert run(source) == result


def test_functions_receive_nulls() -> None:
    seen: list[tuple[Any, ...]] = []

    def spy(env: Env, *args: Any) -> bool:
        seen.append(args)
        return True

    schema = Schema(
        {"customer": SCHEMA.roots["customer"]},
        {"spy": Function("spy", (STRING, INT), BOOL, spy, uses_env=True)},
    )
    assert isinstance(schema.roots["customer"], Root)
    compiled = compile_expression("spy(customer.category, customer.level)", schema, BOOL)
    assert compiled(UNKNOWN) is True
    assert seen == [(None, None)]


# --- constant folding ----------------------------------------------------------------


def _hide_constants(node: Node) -> Node:
    """The same tree with every literal wrapped in an identity call (never folded)."""
    wrappers = {INT: "same_int", FLOAT: "same_float", STRING: "same_string", BOOL: "same_bool"}
    if isinstance(node, Literal) and node.type in wrappers:
        return Call(wrappers[node.type], (Literal(node.value),))
    fields = {}
    for name in type(node).__dataclass_fields__:
        if name in ("pos", "type"):
            continue
        value = getattr(node, name)
        if isinstance(value, Node):
            value = _hide_constants(value)
        elif isinstance(value, tuple):
            value = tuple(_hide_constants(v) for v in value)
        fields[name] = value
    return type(node)(**fields)


@pytest.mark.parametrize(
    "source",
    [
        "1 + 2 * 3 - 4 / 5",
        "7 % 3 + -(2)",
        '"a" + "b" == "ab"',
        '"b" in ["a", "b"] && !("c" in "abc")',
        '[1, 2, 3][1] * 2 > 3 ? "big" : "small"',
        "1 / 0",
        "(1 / 0) == null",
        "2 < 3 && 3.5 >= 3 || false",
        "true ? 1 : 2.5",
        "false && contact.vip",
        "true && contact.vip",
        "contact.vip || true",
        "contact.vip || false",
        "false ? contact.priority : 2",
        "contact.priority in [1, 2, 3]",
        '"ru" in ["en"] || "ru" in contact.tags',
        "contact.priority * (2 + 3) % 4",
        'contact.attrs["l" + "ang"] == "r" + "u"',
        'contact.tags == ["new", "r" + "u"]',
        "[1, 2] == [1, 2]",
        "[] == []",
        "-(3 - 5) < 1e-3",
    ],
)
def test_constant_folding_does_not_change_results(source: str) -> None:
    node = parse(source)
    check(node, SCHEMA)
    folded = compile_node(node, SCHEMA)
    hidden = _hide_constants(node)
    check(hidden, SCHEMA)
    unfolded = compile_node(hidden, SCHEMA)
    for env in (KNOWN, UNKNOWN, replace(KNOWN, contact=replace(CONTACT, vip=False, priority=1))):
        assert folded(env) == unfolded(env)
        assert type(folded(env)) is type(unfolded(env))


def test_constant_list_literal_evaluates_to_its_items() -> None:
    assert list(run('["a", contact.channel]')) == ["a", "voice"]
    assert list(run("[1, 2]")) == [1, 2]


# --- the compiled object -------------------------------------------------------------


def test_compiled_exposes_source_node_type_and_roots() -> None:
    source = 'customer.category == "VIP" && in_hours("support")'
    compiled = compile_expression(source, SCHEMA, BOOL)
    assert compiled.source == source
    assert compiled.node == parse(source)
    assert compiled.type == BOOL
    assert compiled.roots == frozenset({"customer"})
    assert compiled(KNOWN) is True
    assert compiled.evaluate(UNKNOWN) is False


def test_compile_node_needs_a_checked_node() -> None:
    with pytest.raises(ValueError, match="checked"):
        compile_node(parse("contact.ani == 'x'"), SCHEMA)


def test_compile_node_of_a_constant() -> None:
    node = ListLiteral((Literal(1),))
    check(node, SCHEMA)
    assert compile_node(node, SCHEMA)(None) == (1,)
