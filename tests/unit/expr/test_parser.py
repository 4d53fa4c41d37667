"""Lexing and parsing: literals, precedence, positions, syntax errors, limits, unparse."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import FrontdeskError
from frontdesk.routing.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    SYNTAX,
    TOO_COMPLEX,
    Attribute,
    Binary,
    Call,
    Conditional,
    ExpressionError,
    Has,
    Index,
    ListLiteral,
    Literal,
    Name,
    Node,
    Unary,
    conjuncts,
    parse,
    roots_of,
    unparse,
    walk,
)


def sexpr(node: Node) -> str:
    """Fully parenthesised prefix form, to make grouping visible."""
    match node:
        case Literal(value=value):
            return repr(value)
        case ListLiteral(items=items):
            return "[" + " ".join(sexpr(i) for i in items) + "]"
        case Name(root=root):
            return root
        case Attribute(obj=obj, name=name):
            return f"(. {sexpr(obj)} {name})"
        case Index(obj=obj, key=key):
            return f"([] {sexpr(obj)} {sexpr(key)})"
        case Call(name=name, args=args):
            return f"({name}" + "".join(" " + sexpr(a) for a in args) + ")"
        case Has(target=target):
            return f"(has {sexpr(target)})"
        case Unary(op=op, operand=operand):
            return f"({op} {sexpr(operand)})"
        case Binary(op=op, left=left, right=right):
            return f"({op} {sexpr(left)} {sexpr(right)})"
        case Conditional(cond=cond, then=then, otherwise=otherwise):
            return f"(? {sexpr(cond)} {sexpr(then)} {sexpr(otherwise)})"
    raise AssertionError(node)


def syntax_error(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    return info.value


# --- literals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        ("2e+2", 200.0),
        ("-3", -3),
        ("-2.5", -2.5),
        ("- 4", -4),
        ("-(4)", -4),
        ("9223372036854775807", 2**63 - 1),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"double"', "double"),
        ("'single'", "single"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"a\\\\b"', "a\\b"),
        ('"line\\nnext\\ttab\\rcr"', "line\nnext\ttab\rcr"),
        ('"\\u0419\\u00e9"', "Йé"),
        ('"Привет"', "Привет"),
        ("'\"'", '"'),
        ('""', ""),
    ],
)
def test_literals(source: str, value: object) -> None:
    node = parse(source)
    assert node == Literal(value)  # type: ignore[arg-type]
    assert type(node.value) is type(value)  # type: ignore[attr-defined]


def test_literal_equality_distinguishes_python_types() -> None:
    assert Literal(1) != Literal(True)
    assert Literal(1) != Literal(1.0)
    assert Literal(0) != Literal(None)
    assert Literal("a") == Literal("a", pos=5)
    assert len({Literal(1), Literal(True), Literal(1.0)}) == 3


def test_list_literals() -> None:
    assert parse("[]") == ListLiteral(())
    assert parse('["a", "b"]') == ListLiteral((Literal("a"), Literal("b")))
    assert parse("[1, 2,]") == ListLiteral((Literal(1), Literal(2)))
    assert parse("[[1], []]") == ListLiteral((ListLiteral((Literal(1),)), ListLiteral(())))


def test_minus_on_a_non_literal_stays_an_operator() -> None:
    assert parse("-x") == Unary("-", Name("x"))
    assert parse("-x.y") == Unary("-", Attribute(Name("x"), "y"))
    assert parse("-true") == Unary("-", Literal(True))
    assert parse("--1") == Literal(1)


# --- structure and precedence --------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c", "(|| (&& a b) c)"),
        ("a || b || c", "(|| (|| a b) c)"),
        ("a == b && c != d", "(&& (== a b) (!= c d))"),
        ("a < b == c", "(== (< a b) c)"),
        ('"ru" in agent.languages && x', "(&& (in 'ru' (. agent languages)) x)"),
        ("a + b * c", "(+ a (* b c))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a - (b - c)", "(- a (- b c))"),
        ("a / b % c", "(% (/ a b) c)"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("!a && b", "(&& (! a) b)"),
        ("!a.b", "(! (. a b))"),
        ("!!a", "(! (! a))"),
        ("-a * b", "(* (- a) b)"),
        ("a * -b", "(* a (- b))"),
        ("a - -1", "(- a -1)"),
        ("a ? b : c", "(? a b c)"),
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("a ? b ? c : d : e", "(? a (? b c d) e)"),
        ("(a ? b : c) ? d : e", "(? (? a b c) d e)"),
        ("a || b ? c + 1 : d", "(? (|| a b) (+ c 1) d)"),
        ("a.b.c", "(. (. a b) c)"),
        ('m["k"].x[0]', "([] (. ([] m 'k') x) 0)"),
        ("xs[i + 1]", "([] xs (+ i 1))"),
        ("m.in", "(. m in)"),
        ("m.null", "(. m null)"),
        ("f()", "(f)"),
        ("f(a, b.c, 1 + 2)", "(f a (. b c) (+ 1 2))"),
        ("skill(agent, 'billing') >= 3", "(>= (skill agent 'billing') 3)"),
        ("has(customer.manager) ? 10 : 1", "(? (has (. customer manager)) 10 1)"),
        ('has(m["k"])', "(has ([] m 'k'))"),
        ("[1, 2][0]", "([] [1 2] 0)"),
        ("a\n  &&\n  b", "(&& a b)"),
    ],
)
def test_precedence_and_structure(source: str, tree: str) -> None:
    assert sexpr(parse(source)) == tree


def test_example_conditions_parse_to_the_documented_nodes() -> None:
    node = parse('customer.category == "VIP" && in_hours("support")')
    assert node == Binary(
        "&&",
        Binary("==", Attribute(Name("customer"), "category"), Literal("VIP")),
        Call("in_hours", (Literal("support"),)),
    )
    assert parse('on_list("blacklist", contact.ani)') == Call(
        "on_list", (Literal("blacklist"), Attribute(Name("contact"), "ani"))
    )


def test_positions_point_at_the_token_a_node_is_about() -> None:
    source = 'customer.category == "VIP" && f(x)[0]'
    node = parse(source)
    assert isinstance(node, Binary)
    assert node.pos == source.index("&&")
    eq = node.left
    assert isinstance(eq, Binary)
    assert eq.pos == source.index("==")
    assert isinstance(eq.left, Attribute)
    assert eq.left.pos == source.index("category")
    assert eq.left.obj.pos == 0
    assert eq.right.pos == source.index('"VIP"')
    index = node.right
    assert isinstance(index, Index)
    assert index.pos == source.index("[")
    assert index.obj.pos == source.index("f(")


# --- syntax errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "fragment"),
    [
        ("", 1, 1, "empty expression"),
        ("   ", 1, 4, "empty expression"),
        ("a +", 1, 4, "a value is missing"),
        ("a = b", 1, 3, "use '=='"),
        ("a & b", 1, 3, "did you mean '&&'"),
        ("a | b", 1, 3, "did you mean '||'"),
        ("a @ b", 1, 3, "unexpected character '@'"),
        ("a b", 1, 3, "unexpected 'b'"),
        ("(a", 1, 3, "expected ')'"),
        ("[1, 2", 1, 6, "expected ']'"),
        ("f(1, 2", 1, 7, "expected ')'"),
        ("a[1", 1, 4, "expected ']'"),
        ("a ? b", 1, 6, "expected ':'"),
        ("a.", 1, 3, "expected a field name"),
        ("a.1", 1, 3, "expected a field name"),
        ("a.b()", 1, 4, "only library functions can be called"),
        ("f(x)(y)", 1, 5, "only library functions can be called"),
        ("has", 1, 1, "has needs an argument"),
        ("has(a, b)", 1, 1, "exactly one argument"),
        ("has()", 1, 1, "exactly one argument"),
        ('"abc', 1, 1, "unterminated string"),
        ("'abc\"", 1, 1, "unterminated string"),
        ('"a\nb"', 1, 1, "unterminated string"),
        ('"\\q"', 1, 2, "unknown escape"),
        ('"\\u12"', 1, 2, "four hex digits"),
        ('"\\ud800"', 1, 2, "surrogate"),
        ("1e", 1, 1, "malformed number"),
        ("12abc", 1, 1, "malformed number"),
        ("1e999", 1, 1, "out of range"),
        ("9223372036854775808", 1, 1, "out of range"),
        ("in", 1, 1, "expected a value, found 'in'"),
        (")", 1, 1, "expected a value"),
        ("a\n  && \n    (b ||)", 3, 10, "expected a value, found ')'"),
        ("x == 1\n&& y ==", 2, 8, "a value is missing"),
    ],
)
def test_syntax_errors_name_the_problem_and_the_place(
    source: str, line: int, column: int, fragment: str
) -> None:
    error = syntax_error(source)
    assert error.code == SYNTAX
    assert (error.line, error.column) == (line, column)
    assert fragment in error.problem
    assert str(error) == f"line {line}, column {column}: {error.problem}"
    assert error.message == str(error)
    assert isinstance(error, FrontdeskError)
    assert error.details["line"] == line


# --- limits --------------------------------------------------------------------------


def test_too_long_source_is_too_complex() -> None:
    ok = "a" * MAX_LENGTH
    assert parse(ok) == Name(ok)
    error = syntax_error("a" * (MAX_LENGTH + 1))
    assert error.code == TOO_COMPLEX
    assert "4097 characters" in error.problem


@pytest.mark.parametrize(
    "source",
    [
        "(" * 100 + "1" + ")" * 100,
        "(" * 3000 + "1",
        "[" * 200 + "]" * 200,
        "!" * 100 + "a",
        "-" * 100 + "a",
        "f(" * 100 + ")" * 100,
        "a" + "[0]" * 100,
        "a" + ".b" * 100,
        " && ".join(["a"] * 100),
        " + ".join(["1"] * 100),
        "a ? " * 100 + "1" + " : 2" * 100,
    ],
)
def test_deep_nesting_is_too_complex(source: str) -> None:
    assert syntax_error(source).code == TOO_COMPLEX


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1
    assert parse("(" * depth + "1" + ")" * depth) == Literal(1)
    chain = " && ".join(["a"] * MAX_DEPTH)  # a tree MAX_DEPTH deep
    assert len(conjuncts(parse(chain))) == MAX_DEPTH


# --- unparse, walks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("a&&b||c", "a && b || c"),
        ("(a && b) || c", "a && b || c"),
        ("a && (b || c)", "a && (b || c)"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
        ("a ? (b ? c : d) : (e ? f : g)", "a ? (b ? c : d) : e ? f : g"),
        ("!(a && b)", "!(a && b)"),
        ("-(a + b)", "-(a + b)"),
        ("- - a", "--a"),
        ("-(-1)", "1"),
        ("(-1).x", "(-1).x"),
        ("-(a.b)", "-a.b"),
        ("'it\\'s'", '"it\'s"'),
        ('"tab\\there\\u0001"', '"tab\\there\\u0001"'),
        ("[ 1,2 , ]", "[1, 2]"),
        ("f( a ,b )", "f(a, b)"),
        ("has( m [ 'k' ] )", 'has(m["k"])'),
        ("1.0", "1.0"),
        ("1e20", "1e+20"),
        ("0.000015", "1.5e-05"),
    ],
)
def test_unparse_is_canonical(source: str, canonical: str) -> None:
    node = parse(source)
    assert unparse(node) == canonical
    assert parse(canonical) == node


def test_conjuncts_flatten_only_the_top_level_and_chain() -> None:
    node = parse("a && (b || c) && d && (e && f)")
    assert [unparse(n) for n in conjuncts(node)] == ["a", "b || c", "d", "e", "f"]
    assert conjuncts(parse("a || b")) == [parse("a || b")]


def test_roots_of_includes_function_arguments() -> None:
    node = parse('skill(agent, "x") >= 3 && customer.level > size(contact.ani) ? 1 : 2')
    assert roots_of(node) == frozenset({"agent", "customer", "contact"})
    assert roots_of(parse('in_hours("support")')) == frozenset()


def test_walk_visits_parents_before_children_left_to_right() -> None:
    node = parse("a + f(b, c[d])")
    assert [unparse(n) for n in walk(node)] == [
        "a + f(b, c[d])",
        "a",
        "f(b, c[d])",
        "b",
        "c[d]",
        "c",
        "d",
    ]
