"""Properties: garbage in gives ExpressionError only; compiled code agrees with a
reference interpreter on random well-typed trees; unparse round-trips."""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.routing.expr import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    Attribute,
    Binary,
    Call,
    Conditional,
    ExpressionError,
    Has,
    Index,
    ListLiteral,
    ListType,
    Literal,
    MapType,
    Name,
    Node,
    Type,
    Unary,
    compile_expression,
    is_assignable,
    parse,
    unparse,
)

from .support import IMPLS, SCHEMA, Agent, Contact, Customer, Env

SAMPLE_ENV = Env(
    contact=Contact(tags=["a"], counts=[1], attrs={"a": "b"}, scores={"a": 1}),
    customer=Customer(category="VIP"),
    agent=Agent(languages=["ru"], skills={"a": 3}),
    open_queues=frozenset({"a"}),
)

# --- (1) arbitrary text --------------------------------------------------------------

TOKENS = [
    "contact", "customer", "agent", ".", "ani", "tags", "attrs", "priority", "wait", "k",
    "manager", "level", "[", "]", "(", ")", ",", "0", "1", "2.5", "1e3", '"a"', "'b'",
    '"\\u0041"', "true", "false", "null", "in", "has", "size", "in_hours", "skill", "?",
    ":", "!", "-", "+", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
    "\n", "=", "&", "@", '"', "\\",
]  # fmt: skip


def _must_fail_cleanly_or_work(source: str) -> None:
    """Anything but an ExpressionError escapes and fails the test."""
    failure: ExpressionError | None = None
    try:
        compiled = compile_expression(source, SCHEMA)
    except ExpressionError as error:
        failure = error
    if failure is not None:
        assert failure.code.startswith("expression.")
        assert failure.line >= 1
        assert failure.column >= 1
        return
    compiled(SAMPLE_ENV)
    compiled(Env(contact=None))


@given(st.text(max_size=300))
@settings(max_examples=400)
def test_arbitrary_text_raises_only_expression_errors(source: str) -> None:
    _must_fail_cleanly_or_work(source)


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
@settings(max_examples=600)
def test_token_soup_raises_only_expression_errors(source: str) -> None:
    _must_fail_cleanly_or_work(source)


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
@settings(max_examples=400)
def test_parse_unparse_round_trips(source: str) -> None:
    try:
        node = parse(source)
    except ExpressionError:
        return
    text = unparse(node)
    assert parse(text) == node
    assert unparse(parse(text)) == text


# --- (2) random well-typed trees against a reference interpreter ---------------------

KEYS = ["a", "b", "k"]
WORDS = ["", "a", "b", "ab", "VIP", "ru", "A"]
LIST_STRING = ListType(STRING)
LIST_INT = ListType(INT)
MAP_STRING = MapType(STRING)
MAP_INT = MapType(INT)


def attr(root: str, *path: str) -> Node:
    node: Node = Name(root)
    for name in path:
        node = Attribute(node, name)
    return node


FIELDS: dict[Type, list[Node]] = {
    BOOL: [attr("contact", "vip")],
    INT: [attr("contact", "priority"), attr("customer", "level")],
    FLOAT: [attr("contact", "wait")],
    STRING: [
        attr("contact", "ani"),
        attr("contact", "channel"),
        attr("contact", "note"),
        attr("customer", "category"),
        attr("customer", "manager"),
        attr("agent", "id"),
    ],
    LIST_STRING: [attr("contact", "tags"), attr("customer", "langs"), attr("agent", "languages")],
    LIST_INT: [attr("contact", "counts")],
    MAP_STRING: [attr("contact", "attrs")],
    MAP_INT: [attr("contact", "scores"), attr("agent", "skills")],
}
NULLABLE = [
    attr("contact", "note"),
    attr("customer", "category"),
    attr("customer", "manager"),
    attr("customer", "level"),
    attr("customer"),
    Attribute(attr("contact", "attrs"), "a"),
]
OPTIONAL = [attr("customer"), attr("customer", "manager"), attr("contact", "note")]


def literals(t: Type) -> st.SearchStrategy[Node]:
    if t == BOOL:
        return st.booleans().map(Literal)
    if t == INT:
        small = st.integers(-3, 12)
        return st.one_of(small, small, st.sampled_from([2**62, -(2**62), 10**18])).map(Literal)
    if t == FLOAT:
        return st.one_of(
            st.sampled_from([0.0, 0.5, -2.5, 1e300, 3.0]),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
        ).map(Literal)
    if t == STRING:
        return st.one_of(
            st.sampled_from(WORDS), st.text(alphabet="ab\"'\\\n\t\u00e9\u0439\x01", max_size=4)
        ).map(Literal)
    raise AssertionError(t)


def binary(op: str, a: st.SearchStrategy[Node], b: st.SearchStrategy[Node]) -> Any:
    return st.builds(lambda left, right: Binary(op, left, right), a, b)


def call(name: str, *args: st.SearchStrategy[Node]) -> Any:
    return st.tuples(*args).map(lambda xs: Call(name, tuple(xs)))


def cond(t: Type, depth: int) -> Any:
    return st.builds(Conditional, exprs(BOOL, depth - 1), exprs(t, depth - 1), exprs(t, depth - 1))


@functools.cache
def exprs(t: Type, depth: int) -> st.SearchStrategy[Node]:
    """Well-typed expressions of type ``t`` at most ``depth`` levels of operators deep."""
    leaves: list[st.SearchStrategy[Node]] = [st.sampled_from(FIELDS[t])]
    if t in (BOOL, INT, FLOAT, STRING):
        leaves.append(literals(t))
    if t == BOOL:
        leaves.append(st.sampled_from(OPTIONAL).map(Has))
        leaves.append(
            st.sampled_from(KEYS).map(lambda k: Has(Attribute(attr("contact", "attrs"), k)))
        )
    if t == INT:
        leaves.append(st.just(Call("answer", ())))
        leaves.append(st.just(Call("hour", ())))
    if depth == 0:
        return st.one_of(leaves)

    def sub(u: Type) -> st.SearchStrategy[Node]:
        return exprs(u, depth - 1)

    number = st.one_of(sub(INT), sub(FLOAT))
    options: list[Any] = [*leaves, cond(t, depth)]
    if t == BOOL:
        options += [
            sub(BOOL).map(lambda x: Unary("!", x)),
            binary("&&", sub(BOOL), sub(BOOL)),
            binary("||", sub(BOOL), sub(BOOL)),
            *[binary(op, number, number) for op in ("==", "!=", "<", "<=", ">", ">=")],
            # a constant on one side takes other code paths in the compiler
            *[binary(op, number, literals(INT)) for op in ("==", "<", "<=", ">", ">=")],
            *[binary(op, literals(INT), number) for op in ("!=", "<", ">=")],
            binary("&&", literals(BOOL), sub(BOOL)),
            binary("||", sub(BOOL), literals(BOOL)),
            *[binary(op, sub(STRING), sub(STRING)) for op in ("==", "!=", "<", ">=")],
            binary("==", sub(BOOL), sub(BOOL)),
            binary("==", sub(LIST_STRING), sub(LIST_STRING)),
            binary("in", sub(STRING), sub(LIST_STRING)),
            binary("in", sub(STRING), sub(MAP_STRING)),
            binary("in", sub(STRING), sub(STRING)),
            binary("in", number, sub(LIST_INT)),
            binary("in", sub(STRING), st.just(ListLiteral(()))),
            binary("==", sub(LIST_INT), st.just(ListLiteral(()))),
            binary("==", st.sampled_from(NULLABLE), st.just(Literal(None))),
            binary("!=", st.just(Literal(None)), st.sampled_from(NULLABLE)),
            call("in_hours", sub(STRING)),
            call("on_list", sub(STRING), sub(STRING)),
        ]
    elif t == INT:
        options += [
            *[binary(op, sub(INT), sub(INT)) for op in ("+", "-", "*", "%")],
            sub(INT).map(lambda x: Unary("-", x)),
            call("skill", st.just(Name("agent")), sub(STRING)),
            call("size", sub(STRING)),
            call("clamp", sub(INT), sub(INT), sub(INT)),
            st.builds(Index, sub(LIST_INT), sub(INT)),
            st.builds(Index, sub(MAP_INT), sub(STRING)),
            st.builds(Attribute, sub(MAP_INT), st.sampled_from(KEYS)),
        ]
    elif t == FLOAT:
        options += [
            *[binary(op, sub(FLOAT), number) for op in ("+", "-", "*", "/")],
            *[binary(op, number, sub(FLOAT)) for op in ("+", "-", "*")],
            binary("/", number, number),
            sub(FLOAT).map(lambda x: Unary("-", x)),
            call("half", number),
        ]
    elif t == STRING:
        options += [
            binary("+", sub(STRING), sub(STRING)),
            call("lower", sub(STRING)),
            st.builds(Index, sub(MAP_STRING), sub(STRING)),
            st.builds(Attribute, sub(MAP_STRING), st.sampled_from(KEYS)),
            st.builds(Index, sub(LIST_STRING), sub(INT)),
        ]
    elif t == LIST_STRING:
        # never empty: [] has type list<null>, and [][0] would be null, not a string
        options.append(
            st.lists(sub(STRING), min_size=1, max_size=3).map(lambda xs: ListLiteral(tuple(xs)))
        )
    elif t == LIST_INT:
        options.append(
            st.lists(sub(INT), min_size=1, max_size=3).map(lambda xs: ListLiteral(tuple(xs)))
        )
    return st.one_of(options)


def envs() -> st.SearchStrategy[Env]:
    word = st.sampled_from(WORDS)
    words = st.lists(word, max_size=3)
    ints = st.one_of(st.integers(-3, 12), st.sampled_from([10**30, -(10**30)]))
    floats = st.floats(allow_nan=False, width=32)
    contact = st.builds(
        Contact,
        ani=word,
        channel=word,
        priority=ints,
        wait=floats,
        vip=st.booleans(),
        tags=words,
        counts=st.lists(ints, max_size=3),
        attrs=st.dictionaries(st.sampled_from(KEYS), word, max_size=3),
        scores=st.dictionaries(st.sampled_from(KEYS), ints, max_size=3),
        note=st.none() | word,
    )
    customer = st.builds(
        Customer,
        category=st.none() | word,
        manager=st.none() | word,
        level=ints,
        langs=words,
    )
    agent = st.builds(
        Agent,
        id=word,
        languages=words,
        skills=st.dictionaries(word, st.integers(0, 5), max_size=3),
    )
    return st.builds(
        Env,
        contact=contact,
        customer=st.none() | customer,
        agent=st.none() | agent,
        open_queues=st.frozensets(word, max_size=3),
        lists=st.dictionaries(word, st.frozensets(word, max_size=3), max_size=2),
        hour=st.integers(0, 23),
    )


# The reference: a direct tree walk of the semantics the documentation states.


def truthy(value: Any) -> bool:
    return value is not None and value is not False


def arithmetic(f: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        return f(a, b)
    except (ZeroDivisionError, OverflowError):
        return None


def plain(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
ARITH = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


def reference(node: Node, env: Env) -> Any:
    match node:
        case Literal(value=value):
            return value
        case ListLiteral(items=items):
            return [reference(i, env) for i in items]
        case Name(root=root):
            return getattr(env, root)
        case Attribute(obj=obj, name=name):
            o = reference(obj, env)
            if o is None:
                return None
            return o.get(name) if isinstance(o, dict) else getattr(o, name)
        case Index(obj=obj, key=key):
            o, k = reference(obj, env), reference(key, env)
            if o is None or k is None:
                return None
            if isinstance(o, dict):
                return o.get(k)
            return o[k] if 0 <= k < len(o) else None
        case Call(name=name, args=args):
            function = IMPLS[name]
            values = [reference(a, env) for a in args]
            return function.impl(env, *values) if function.uses_env else function.impl(*values)
        case Has(target=target):
            return reference(target, env) is not None
        case Unary(op="!", operand=operand):
            return not truthy(reference(operand, env))
        case Unary(op="-", operand=operand):
            v = reference(operand, env)
            return None if v is None else -v
        case Binary(op="&&", left=left, right=right):
            return truthy(reference(left, env)) and truthy(reference(right, env))
        case Binary(op="||", left=left, right=right):
            return truthy(reference(left, env)) or truthy(reference(right, env))
        case Binary(op=op, left=left, right=right):
            a, b = reference(left, env), reference(right, env)
            if op == "==":
                return plain(a) == plain(b)
            if op == "!=":
                return plain(a) != plain(b)
            if op in ORDER:
                return a is not None and b is not None and ORDER[op](a, b)
            if op == "in":
                return a is not None and b is not None and a in b
            return arithmetic(ARITH[op], a, b)
        case Conditional(cond=c, then=then, otherwise=otherwise):
            return reference(then if truthy(reference(c, env)) else otherwise, env)
    raise AssertionError(node)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


TYPES = [BOOL, INT, FLOAT, STRING, LIST_STRING, LIST_INT]


@st.composite
def typed_trees(draw: st.DrawFn) -> tuple[Type, Node]:
    t = draw(st.sampled_from(TYPES))
    return t, draw(exprs(t, draw(st.integers(1, 5))))


@given(typed_trees(), st.lists(envs(), min_size=1, max_size=3))
@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_compiled_code_agrees_with_the_reference(tree: tuple[Type, Node], cases: list[Env]) -> None:
    t, node = tree
    text = unparse(node)
    compiled = compile_expression(text, SCHEMA, t)
    assert is_assignable(compiled.type, t)
    for env in cases:
        expected = reference(node, env)
        actual = compiled(env)
        assert same(actual, expected), (text, actual, expected)


@given(typed_trees())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_unparse_of_typed_trees_round_trips(tree: tuple[Type, Node]) -> None:
    _, node = tree
    # A hand-built tree may hold what the parser folds ("-(-1)" reads back as 1), so the
    # text is canonical after one trip and then a fixed point.
    reparsed = parse(unparse(node))
    text = unparse(reparsed)
    assert parse(text) == reparsed
    assert unparse(parse(text)) == text
