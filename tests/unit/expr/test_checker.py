"""Type checking: inferred types, every error code with its place, schema behaviour."""

from __future__ import annotations

import pickle
from operator import attrgetter

import pytest

from frontdesk.routing.expr import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    STRING,
    TOO_COMPLEX,
    TYPE,
    UNKNOWN_FIELD,
    UNKNOWN_FUNCTION,
    Binary,
    ExpressionError,
    Field,
    Function,
    ListType,
    Literal,
    MapType,
    RecordType,
    Root,
    Schema,
    Type,
    Unary,
    check,
    compile_expression,
    parse,
    walk,
)

from .support import SCHEMA


def type_of(source: str, schema: Schema = SCHEMA) -> Type:
    return check(parse(source), schema, source=source)


def failure(
    source: str,
    schema: Schema = SCHEMA,
    expected: Type | None = None,
    origin: tuple[int, int] | None = None,
) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, schema, expected, origin=origin)
    return info.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", INT),
        ("1.5", FLOAT),
        ('"a"', STRING),
        ("true", BOOL),
        ("null", NULL),
        ("[]", ListType(NULL)),
        ("[1, 2.5]", ListType(FLOAT)),
        ('["a", null]', ListType(STRING)),
        ("[[1], []]", ListType(ListType(INT))),
        ("contact.ani", STRING),
        ("contact.tags", ListType(STRING)),
        ("contact.tags[0]", STRING),
        ("contact.attrs", MapType(STRING)),
        ('contact.attrs["k"]', STRING),
        ("contact.attrs.k", STRING),
        ("contact.scores.k + 1", INT),
        ("customer.level", INT),
        ("1 + 2", INT),
        ("1 + 2.0", FLOAT),
        ("7 / 2", FLOAT),
        ("7 % 2", INT),
        ("contact.wait * 2", FLOAT),
        ("-contact.priority", INT),
        ('"a" + contact.ani', STRING),
        ("contact.priority > contact.wait", BOOL),
        ('"a" < "b"', BOOL),
        ('"ru" in agent.languages', BOOL),
        ("1 in [1.5, 2.5]", BOOL),
        ('"k" in contact.attrs', BOOL),
        ('"49" in contact.ani', BOOL),
        ("contact.priority in contact.counts", BOOL),
        ("has(customer.manager)", BOOL),
        ("has(customer)", BOOL),
        ("has(contact.attrs.k)", BOOL),
        ('has(contact.attrs["k"])', BOOL),
        ("has(contact.tags[3])", BOOL),
        ("true ? 1 : 2", INT),
        ("true ? 1 : 2.5", FLOAT),
        ("true ? null : 2", INT),
        ('true ? [] : ["a"]', ListType(STRING)),
        ('skill(agent, "billing")', INT),
        ("half(contact.priority)", FLOAT),
        ("hour()", INT),
        ("answer()", INT),
        ("size(null)", INT),
        ("customer.manager == null", BOOL),
        ("null != customer", BOOL),
        ("contact.attrs.k == null", BOOL),
        ("contact.tags == []", BOOL),
        ("agent == agent", BOOL),
        ("1 == 1.0", BOOL),
    ],
)
def test_inferred_types(source: str, expected: Type) -> None:
    assert type_of(source) == expected


def test_check_annotates_every_node() -> None:
    node = parse('customer.category == "VIP" && in_hours("support") || contact.priority > 2')
    check(node, SCHEMA, BOOL)
    assert all(n.type is not None for n in walk(node))
    assert isinstance(node, Binary)
    assert node.left.type == BOOL


def test_type_names_are_readable() -> None:
    assert str(ListType(MapType(INT))) == "list<map<string, int>>"
    assert str(SCHEMA.roots["contact"].type) == "contact"
    assert repr(BOOL) == "BOOL"


# --- unknown names -------------------------------------------------------------------


def test_unknown_field_names_path_place_and_suggestion() -> None:
    source = 'contact.priority > 1 &&\n  in_hours("x") &&\n  customer.categroy == "VIP"'
    error = failure(source)
    assert error.code == UNKNOWN_FIELD
    assert (error.line, error.column) == (3, 12)
    assert error.message == (
        "line 3, column 12: unknown field 'customer.categroy' (did you mean 'category'?)"
    )


def test_unknown_field_without_a_close_match_has_no_suggestion() -> None:
    error = failure("contact.zzzzzz")
    assert error.problem == "unknown field 'contact.zzzzzz'"
    assert (error.line, error.column) == (1, 9)


def test_unknown_root_suggests_a_root() -> None:
    error = failure("custmer.level > 1")
    assert error.code == UNKNOWN_FIELD
    assert error.problem == "unknown name 'custmer' (did you mean 'customer'?)"
    assert (error.line, error.column) == (1, 1)


def test_a_removed_root_is_not_available() -> None:
    schema = SCHEMA.without("agent")
    assert "agent" not in schema.roots
    error = failure('"ru" in agent.languages', schema)
    assert error.code == UNKNOWN_FIELD
    assert error.problem == "'agent' is not available here"
    assert (error.line, error.column) == (1, 9)
    with pytest.raises(ValueError, match="no such roots"):
        SCHEMA.without("agnet")


def test_a_function_used_as_a_value() -> None:
    error = failure("hour > 3")
    assert error.code == UNKNOWN_FIELD
    assert "'hour' is a function: call it as hour(...)" in error.problem


def test_unknown_function_suggests_a_function() -> None:
    error = failure('contact.priority > 1 && in_hour("support")')
    assert error.code == UNKNOWN_FUNCTION
    assert error.problem == "unknown function 'in_hour' (did you mean 'in_hours'?)"
    assert (error.line, error.column) == (1, 25)
    assert failure("contact(1)").problem == "'contact' is not a function"


def test_nested_record_field_path() -> None:
    inner = RecordType("queue", {"name": Field(STRING, attrgetter("name"))})
    outer = RecordType("call", {"queue": Field(inner, attrgetter("queue"))})
    schema = Schema.of([Root("call", outer, attrgetter("call"))])
    assert type_of("call.queue.name", schema) == STRING
    error = failure("call.queue.nmae", schema)
    assert error.problem == "unknown field 'call.queue.nmae' (did you mean 'name'?)"


# --- type errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("contact.ani == 1", 13, "cannot compare string with int using '=='"),
        ("contact.tags != contact.ani", 14, "cannot compare list<string> with string"),
        ("contact.ani < 1", 13, "compares two numbers or two strings, found string and int"),
        ("true < false", 6, "found bool and bool"),
        ("contact.ani && true", 13, "needs bool operands, found string on the left"),
        ("true || 1", 6, "found int on the right"),
        ("!contact.ani", 1, "operator '!' needs bool, found string"),
        ('-"a"', 1, "operator '-' needs a number, found string"),
        ('1 + "a"', 3, "adds two numbers or two strings, found int and string"),
        ('"a" - "b"', 5, "operator '-' needs numbers"),
        ("2.5 % 2", 5, "operator '%' needs ints, found float and int"),
        ("1 in contact.tags", 3, "'in' cannot look for int in list<string>"),
        ("1 in contact.attrs", 3, "'in' cannot look for int in map<string, string>"),
        ("1 in 2", 3, "needs a list, a map or a string on the right, found int"),
        ("contact.ani == null", 13, "'contact.ani' (string) is never null"),
        ('null == size("a") && "a" + "b" == null', 32, '\'"a" + "b"\' (string) is never null'),
        ("contact == null", 9, "'contact' (contact) is never null"),
        ('contact.tags["a"]', 14, "a list index must be int, found string"),
        ("contact.attrs[1]", 15, "a map key must be string, found int"),
        ("contact.ani[0]", 12, "'contact.ani' is string, which cannot be indexed"),
        ("contact.ani.x", 13, "'contact.ani' is string, which has no field 'x'"),
        ("(1 + 2).x", 9, "'1 + 2' is int, which has no field 'x'"),
        ("1 ? 2 : 3", 1, "the condition of '?:' is int, not bool"),
        ('true ? 1 : "a"', 6, "the branches of '?:' have different types: int and string"),
        ('[1, "a"]', 5, "list items must share one type: int and string"),
        ('skill(contact, "x")', 7, "argument 1 of skill() must be agent, found contact"),
        ("size(1)", 6, "argument 1 of size() must be string, found int"),
        ("same_int(1.5)", 10, "argument 1 of same_int() must be int, found float"),
        ("size()", 1, "size() takes 1 argument, got 0: size(string) -> int"),
        ('on_list("a")', 1, "on_list() takes 2 arguments, got 1"),
        ("has(contact.ani)", 13, "'contact.ani' is not optional, so has() would always be true"),
        ("has(contact)", 5, "'contact' is always present"),
        ("has(1)", 5, "has() takes an optional field, a map entry or a list element"),
        ("has(size(contact.ani))", 5, "has() takes an optional field"),
    ],
)
def test_type_errors(source: str, column: int, fragment: str) -> None:
    error = failure(source)
    assert error.code == TYPE
    assert fragment in error.problem
    assert (error.line, error.column) == (1, column)


@pytest.mark.parametrize(
    ("source", "expected", "problem"),
    [
        ("contact.priority", BOOL, "expected bool, found int"),
        ('contact.ani + "x"', INT, "expected int, found string"),
        ("null", BOOL, "expected bool, found null"),
        ("contact.wait", INT, "expected int, found float"),
    ],
)
def test_expected_type_mismatch_names_what_was_found(
    source: str, expected: Type, problem: str
) -> None:
    error = failure(source, expected=expected)
    assert error.code == TYPE
    assert error.problem == problem
    assert (error.line, error.column) == (1, 1)


def test_int_is_accepted_where_float_is_expected() -> None:
    assert compile_expression("contact.priority + 1", SCHEMA, FLOAT).type == INT
    assert compile_expression("[1]", SCHEMA, ListType(FLOAT)).type == ListType(INT)


# --- places in a larger document -----------------------------------------------------


def test_origin_offsets_the_column_on_the_first_line() -> None:
    error = failure("customer.categroy", origin=(7, 11))
    assert (error.line, error.column) == (7, 20)
    assert error.message.startswith("line 7, column 20: unknown field")


def test_origin_moves_only_the_line_after_the_first() -> None:
    error = failure("contact.priority > 1 &&\n   contact.ani", expected=BOOL, origin=(7, 11))
    assert (error.line, error.column) == (7, 32)  # the '&&' is on the first line
    error = failure("contact.priority > 1 &&\n   size(1) > 0", origin=(7, 11))
    assert (error.line, error.column) == (8, 9)
    error = failure("true &&\n\n  (1 +", origin=(2, 5))
    assert (error.line, error.column) == (4, 7)


def test_errors_without_source_fall_back_to_offsets() -> None:
    with pytest.raises(ExpressionError) as info:
        check(parse("a\n.b"), SCHEMA)
    assert (info.value.line, info.value.column) == (1, 1)
    with pytest.raises(ExpressionError) as info:
        check(parse("contact\n.bad"), SCHEMA)
    assert (info.value.line, info.value.column) == (1, 10)


def test_errors_survive_pickling() -> None:
    error = failure("customer.categroy")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.line, copy.column) == (
        error.code,
        error.message,
        error.line,
        error.column,
    )


def test_error_shifted_keeps_code_and_problem() -> None:
    error = ExpressionError("boom", code=TYPE, line=2, column=3)
    moved = error.shifted((10, 5))
    assert (moved.code, moved.problem, moved.line, moved.column) == (TYPE, "boom", 11, 3)
    assert moved.location.line == 11


def test_hand_built_trees_deeper_than_the_limit_are_too_complex() -> None:
    node: Binary | Unary | Literal = Literal(True)
    for _ in range(100):
        node = Unary("!", node)
    with pytest.raises(ExpressionError) as info:
        check(node, SCHEMA)
    assert info.value.code == TOO_COMPLEX


# --- schema --------------------------------------------------------------------------


def test_schema_rejects_unusable_names() -> None:
    record = RecordType("r", {})
    root = Root("r", record, attrgetter("r"))
    with pytest.raises(ValueError, match="published as"):
        Schema({"x": root}, {})
    with pytest.raises(ValueError, match="not a usable identifier"):
        Schema.of([Root("has", record, attrgetter("r"))])
    with pytest.raises(ValueError, match="both a root and a function"):
        Schema.of([root], [Function("r", (), INT, lambda: 1)])
    with pytest.raises(ValueError, match="not an identifier"):
        RecordType("bad", {"a-b": Field(INT, attrgetter("x"))})


def test_schema_describes_itself() -> None:
    described = SCHEMA.describe()
    assert [r["name"] for r in described["roots"]] == ["contact", "customer", "agent"]
    assert described["roots"][1]["optional"] is True
    records = {r["name"]: r for r in described["records"]}
    assert {"name": "note", "type": "string", "optional": True, "doc": "the note"} in records[
        "contact"
    ]["fields"]
    functions = {f["name"]: f for f in described["functions"]}
    assert functions["skill"]["signature"] == "skill(agent, string) -> int"
    assert functions["in_hours"]["doc"] == "queue is open"
    markdown = SCHEMA.to_markdown()
    assert "| `customer` | `customer` | yes |" in markdown
    assert "## Record `contact`" in markdown
    assert "| `tags` | `list<string>` | no | the tags |" in markdown
    assert "| `on_list(string, string) -> bool` |" in markdown
