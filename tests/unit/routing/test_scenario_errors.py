"""Scenarios the compiler refuses: each problem's code, and the line and column it names.

Lines and columns are 1-based, as an editor shows them. Each scenario's first line is
line 1 (the text starts right after ``dedent(`` and its opening quotes and backslash), so
the numbers can be counted in the text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest

from frontdesk.cli import main
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact
from frontdesk.domain.errors import Location
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, ContactId, QueueId
from frontdesk.domain.queues import Queue
from frontdesk.routing.context import Facts
from frontdesk.routing.document import MAX_DOCUMENT_BYTES, Problem
from frontdesk.routing.engine import Router
from frontdesk.routing.scenario import Catalog, ScenarioError, compile_scenario

ROOT = Path(__file__).resolve().parents[3]
CATALOG = Catalog(
    queues={QueueId(q): Queue(QueueId(q)) for q in ("general", "sales", "vip")},
    calendars=("office",),
    lists=("blacklist",),
    agents=frozenset({AgentId("anna"), AgentId("boris")}),
)


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as raised:
        compile_scenario(text, CATALOG)
    return list(raised.value.problems)


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def at(line: int, column: int) -> Location:
    return Location(line, column)


def test_a_valid_scenario_compiles() -> None:
    plan = compile_scenario(
        dedent("""\
            scenario: ok
            version: 1
            rules:
              - queue: general
        """),
        CATALOG,
    )
    assert plan.name == "ok"


# --- the document -----------------------------------------------------------------------


def test_yaml_syntax_error() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue: [general
              - queue: sales
        """)
    )
    assert problem.code == "scenario.syntax"
    assert problem.message == "YAML syntax: expected ',' or ']', but got ':'"
    assert problem.location == at(5, 10)  # where the parser found it could not go on


def test_a_tab_in_the_indentation_is_a_syntax_error() -> None:
    problem = only_problem("scenario: x\nversion: 1\nrules:\n\t- queue: general\n")
    assert problem.code == "scenario.syntax"
    assert problem.location == at(4, 1)


def test_anchors_and_aliases_are_refused() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - &general {queue: general}
              - *general
        """)
    )
    assert problem.code == "scenario.alias"
    assert problem.location == at(4, 5)  # the value the alias repeats


def test_a_billion_laughs_is_refused_before_it_expands() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.code == "scenario.alias"
    assert problem.location == at(1, 5)


def test_a_duplicate_key() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - name: a
                queue: general
                name: b
        """)
    )
    assert problem.code == "scenario.duplicate_key"
    assert "'name' appears twice (first at line 4, column 5)" in problem.message
    assert problem.location == at(6, 5)


def test_a_huge_document_is_refused() -> None:
    text = "scenario: x\nversion: 1\nrules:\n  - queue: general\n"
    text += "# padding\n" * (MAX_DOCUMENT_BYTES // 10)
    problem = only_problem(text)
    assert problem.code == "scenario.too_large"
    assert problem.location is None


def test_an_empty_document() -> None:
    assert only_problem("# nothing here\n").code == "scenario.empty"


# --- fields -----------------------------------------------------------------------------


def test_an_unknown_field_with_a_suggestion() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue: general
                greting: hello
        """)
    )
    assert problem.code == "scenario.unknown_field"
    assert "unknown field 'greting'" in problem.message
    assert "did you mean 'greeting'?" in problem.message
    assert problem.location == at(5, 5)


def test_an_unknown_top_level_field_with_a_suggestion() -> None:
    problems = problems_of(
        dedent("""\
            scenario: x
            version: 1
            rule:
              - queue: general
        """)
    )
    assert [(p.code, p.location) for p in problems] == [
        ("scenario.missing", at(1, 1)),  # rules are required: the document is named
        ("scenario.unknown_field", at(3, 1)),
    ]
    assert "did you mean 'rules'?" in problems[1].message


def test_an_unknown_field_in_a_step() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue:
                  name: general
                  steps:
                    - require: skill(agent, "x") >= 3
                      expire: 10s
                    - require: skill(agent, "x") >= 1
                      expires: 10s
        """)
    )
    assert problem.code == "scenario.unknown_field"
    assert "did you mean 'expire'?" in problem.message
    assert problem.location == at(10, 11)


def test_a_bad_duration() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - agent: {id: '"anna"', timeout: 20 seconds, then: general}
        """)
    )
    assert problem.code == "scenario.duration"
    assert problem.location == at(4, 36)


def test_a_rule_with_two_actions() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue: general
                reject: spam
        """)
    )
    assert problem.code == "scenario.action"
    assert "found reject, queue" in problem.message
    assert problem.location == at(4, 5)


# --- expressions ------------------------------------------------------------------------


def test_a_type_error_points_inside_the_expression() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.vip == "yes"
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.type"
    assert problem.message == "cannot compare bool with string using '=='"
    assert problem.location == at(4, 24)  # the '=='


def test_a_type_error_in_a_quoted_expression() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: 'contact.line == "vip" && customer.vip == 1'
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.type"
    assert problem.location == at(4, 50)  # the second '=='


def test_a_type_error_on_a_later_line_of_a_block_scalar() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: |
                  contact.line == "vip" &&
                    customer.vip == "yes"
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.type"
    assert problem.location == at(6, 22)  # the indentation of the block counts


def test_an_unknown_field_in_an_expression() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.catgory == "VIP"
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.unknown_field"
    assert "unknown field 'customer.catgory'" in problem.message
    assert "did you mean 'category'?" in problem.message
    assert problem.location == at(4, 20)  # the field name


def test_the_agent_is_not_available_in_a_rule_condition() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: '"ru" in agent.languages'
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.unknown_field"
    assert "'agent' is not available here" in problem.message
    assert problem.location == at(4, 20)


def test_an_expression_syntax_error() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: contact.line = "vip"
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.syntax"
    assert "use '==' to compare" in problem.message
    assert problem.location == at(4, 24)


def test_an_unknown_function() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: in_hour("office")
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "expression.unknown_function"
    assert "did you mean 'in_hours'?" in problem.message
    assert problem.location == at(4, 11)


def test_a_broken_condition_is_not_taken_for_a_catch_all() -> None:
    problems = problems_of(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.vip == "yes"
                queue: vip
              - when: contact.line == "sales"
                queue: sales
              - queue: general
        """)
    )
    assert [p.code for p in problems] == ["expression.type"]  # and no "unreachable"


# --- rules that can never match ---------------------------------------------------------


def test_a_rule_after_a_catch_all_is_unreachable() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - name: everyone
                queue: general
              - name: vip
                when: customer.vip
                queue: vip
        """)
    )
    assert problem.code == "scenario.unreachable"
    assert "rule 'vip' can never match" in problem.message
    assert "rule 'everyone' at line 4, column 5" in problem.message
    assert problem.location == at(6, 5)


def test_a_rule_whose_condition_is_false_is_unreachable() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - name: never
                when: false
                queue: vip
              - queue: general
        """)
    )
    assert problem.code == "scenario.unreachable"
    assert "its condition is always false" in problem.message
    assert problem.location == at(5, 11)


def test_a_false_last_rule_is_not_a_catch_all() -> None:
    problems = problems_of(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: false
                queue: general
        """)
    )
    assert [(p.code, p.location) for p in problems] == [
        ("scenario.no_default", at(4, 3)),  # the list
        ("scenario.unreachable", at(4, 11)),  # the false
    ]


def test_a_rule_list_without_a_catch_all() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.vip
                queue: vip
              - when: '!customer.vip'
                queue: general
        """)
    )
    assert problem.code == "scenario.no_default"
    assert "rules has no final rule without 'when'" in problem.message
    assert problem.location == at(4, 3)


def test_a_procedure_without_a_catch_all() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - use: vip
            procedures:
              vip:
                - when: customer.vip
                  queue: vip
        """)
    )
    assert problem.code == "scenario.no_default"
    assert "procedures.vip has no final rule" in problem.message
    assert problem.location == at(7, 5)


def test_a_broken_catch_all_is_not_reported_missing() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.vip
                queue: vip
              - queue: generl
        """)
    )
    assert problem.code == "scenario.unknown_queue"  # and no "no_default"
    assert problem.location == at(6, 12)


def test_a_step_without_expire_before_another_step() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue:
                  name: general
                  steps:
                    - require: skill(agent, "support") >= 4
                    - require: skill(agent, "support") >= 1
        """)
    )
    assert problem.code == "scenario.unreachable"
    assert "step 1 has no 'expire'" in problem.message
    assert problem.location == at(7, 11)


def test_an_unknown_queue_in_a_step_is_one_problem() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue:
                  name: general
                  steps:
                    - require: agent.occupancy < 0.5
                      queue: genral
        """)
    )
    assert problem.code == "scenario.unknown_queue"  # and no "step_scope"
    assert "did you mean 'general'?" in problem.message
    assert problem.location == at(8, 18)


def test_a_loop_between_procedures() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - use: a
            procedures:
              a:
                - when: customer.vip
                  queue: vip
                - use: b
              b:
                - use: a
        """)
    )
    assert problem.code == "scenario.loop"
    assert "a → b → a" in problem.message
    assert problem.location == at(11, 7)  # the use that closes the loop


# --- references -------------------------------------------------------------------------


def test_a_missing_queue() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - queue: {name: sale}
        """)
    )
    assert problem.code == "scenario.unknown_queue"
    assert "queue 'sale' does not exist (did you mean 'sales'?)" in problem.message
    assert problem.location == at(4, 19)


def test_a_missing_queue_in_a_function() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: estimated_wait("support") > 60
                callback: {queue: general}
              - queue: general
        """)
    )
    assert problem.code == "scenario.unknown_queue"
    assert problem.location == at(4, 26)  # the name, inside the expression


def test_a_missing_calendar_in_a_condition() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: '!in_hours("nope")'
                callback: {queue: general}
              - queue: general
        """)
    )
    assert problem.code == "scenario.unknown_calendar"
    assert "in_hours() names calendar 'nope', which does not exist" in problem.message
    assert problem.location == at(4, 22)


def test_a_missing_scenario_calendar() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            calendar: ofice
            rules:
              - queue: general
        """)
    )
    assert problem.code == "scenario.unknown_calendar"
    assert problem.location == at(3, 11)


def test_a_missing_list() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: on_list("blocklist", contact.ani)
                reject: spam
              - queue: general
        """)
    )
    assert problem.code == "scenario.unknown_list"
    assert problem.location == at(4, 19)


def test_a_missing_menu() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - menu: mian
            menus:
              main:
                prompt: press-1
                options: {"1": {queue: sales}}
                on_fail: {queue: general}
        """)
    )
    assert problem.code == "scenario.unknown_menu"
    assert "menu 'mian' does not exist (did you mean 'main'?)" in problem.message
    assert problem.location == at(4, 5)


def test_a_missing_procedure() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - when: customer.vip
                use: vips
              - queue: general
            procedures:
              vip:
                - queue: vip
        """)
    )
    assert problem.code == "scenario.unknown_procedure"
    assert "did you mean 'vip'?" in problem.message
    assert problem.location == at(4, 5)


def test_a_missing_agent() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - agent: {id: '"zoe"', then: general}
        """)
    )
    assert problem.code == "scenario.unknown_agent"
    assert "agent 'zoe' does not exist" in problem.message
    assert problem.location == at(4, 17)


def test_a_menu_key_that_is_not_digits() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - menu: main
            menus:
              main:
                prompt: press-1
                options: {"1": {queue: sales}, "one": {queue: general}}
                on_fail: {queue: general}
        """)
    )
    assert problem.code == "scenario.menu_key"
    assert problem.location == at(8, 36)


# --- everything at once -----------------------------------------------------------------


def test_several_problems_are_reported_together_in_order() -> None:
    text = dedent("""\
        scenario: x
        version: 1
        calendar: ofice
        rules:
          - name: vip
            when: customer.vip == "yes"
            queue: vip
          - name: closed
            when: '!in_hours("nope")'
            callback: {queue: general}
          - name: rest
            queue: generl
            greting: welcome
    """)
    with pytest.raises(ScenarioError) as raised:
        compile_scenario(text, CATALOG)
    error = raised.value
    assert [(p.code, p.location) for p in error.problems] == [
        ("scenario.unknown_calendar", at(3, 11)),
        ("expression.type", at(6, 24)),
        ("scenario.unknown_calendar", at(9, 22)),
        ("scenario.unknown_queue", at(12, 12)),
        ("scenario.unknown_field", at(13, 5)),
    ]
    assert error.code == "scenario.invalid"
    assert str(error).startswith("scenario has 5 problems:\n")
    assert "  line 6, column 24: cannot compare bool with string using '==' [expression.type]" in (
        str(error)
    )


# --- the example and the command line ---------------------------------------------------


def test_the_example_scenario_validates(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = ROOT / "examples" / "scenario.yaml"
    site = ROOT / "examples" / "site.yaml"
    assert main(["scenario", "validate", str(scenario), "--site", str(site)]) == 0
    out = capsys.readouterr().out
    assert "scenario acme-contact-center v1 is valid" in out


def test_validate_reports_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "scenario.yaml"
    broken.write_text(
        (ROOT / "examples" / "scenario.yaml")
        .read_text(encoding="utf-8")
        .replace("queue: {name: service, priority: 3}", "queue: {name: servise, priority: 3}"),
        encoding="utf-8",
    )
    site = ROOT / "examples" / "site.yaml"
    assert main(["scenario", "validate", str(broken), "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert (
        "queue 'servise' does not exist (did you mean 'service'?) [scenario.unknown_queue]" in err
    )


def test_an_agent_id_expression_error_points_into_the_id() -> None:
    problem = only_problem(
        dedent("""\
            scenario: x
            version: 1
            rules:
              - agent: {id: contact.agnt, then: general}
        """)
    )
    assert problem.code == "expression.unknown_field"
    assert problem.location == at(4, 25)


COLLECTING = """\
scenario: t
version: 1
rules:
  - menu: contract
menus:
  contract:
    prompt: key-in-your-contract
    collect: {digits: "6-10", lookup: contract}
    then: {queue: vip}
    on_fail: {queue: general}
"""


def test_a_menu_that_collects_a_number_compiles_and_decides_by_it() -> None:
    plan = compile_scenario(COLLECTING, CATALOG)
    menu = plan.menus["contract"]
    assert menu.collect is not None
    assert (menu.collect.min_digits, menu.collect.max_digits) == (6, 10)
    assert (menu.collect.end, menu.collect.lookup) == ("#", "contract")
    router = Router(plan, CATALOG.queues, Facts())
    call = Contact(ContactId("c1"), DEFAULT_TENANT, Channel.VOICE, "+79161234567",
                   "+74950000000", datetime(2026, 12, 2, 9, tzinfo=UTC))  # fmt: skip
    env = router.environment(call, None, call.arrived_at)
    assert router.treat(env).menu == "contract"
    assert router.choose(env, "contract", "1234567").queue == "vip"
    assert router.choose(env, "contract", None).queue == "general"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (("    then: {queue: vip}\n", ""), "scenario.missing", "needs then"),
        (
            (
                'collect: {digits: "6-10"',
                'options: {"1": {queue: vip}}\n    collect: {digits: "6-10"',
            ),
            "scenario.menu_kind",
            "not both",
        ),
        (('"6-10"', '"0"'), "scenario.type", "within 1..32"),
        (('"6-10"', '"six"'), "scenario.type", "a count or a range"),
        ((", lookup: contract", ', end: "5"'), "scenario.type", "collect end"),
    ],
)
def test_a_collecting_menu_with_a_mistake_is_refused(
    change: tuple[str, str], code: str, words: str
) -> None:
    problem = only_problem(COLLECTING.replace(*change))
    assert problem.code == code
    assert words in problem.message
