"""Turn a step's ``require`` condition into index look-ups plus a residual check.

The conjuncts of the form below become :class:`IndexTerm`s, answered from the agent
index without looking at other agents; everything else stays a compiled residual
evaluated only for the candidates the index returned.

==================================  ======================
``skill(agent, "billing") >= 3``    skill ≥ level (also ``>``, and mirrored)
``"ru" in agent.languages``         language (any contact-side expression on the left)
``"vip" in agent.groups``           group
``"sales" in agent.queues``         queue membership
``agent.id == customer.manager``    agent id (either side)
==================================  ======================
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.routing.expr import (
    Attribute,
    Binary,
    Call,
    Literal,
    Name,
    Node,
    Schema,
    compile_node,
    conjuncts,
    roots_of,
    unparse,
)
from frontdesk.routing.plan import Evaluator, IndexTerm, TermKind

_MEMBERSHIP = {"languages": TermKind.LANGUAGE, "groups": TermKind.GROUP, "queues": TermKind.QUEUE}
_MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "=="}


@dataclass(frozen=True, slots=True)
class Requirement:
    terms: tuple[IndexTerm, ...]
    residual: Evaluator | None
    residual_source: str


def plan_requirement(node: Node | None, schema: Schema) -> Requirement:
    """Split a checked boolean condition over ``agent`` into index terms and a residual."""
    if node is None:
        return Requirement((), None, "")
    terms: list[IndexTerm] = []
    rest: list[Node] = []
    for part in conjuncts(node):
        term = _term(part, schema)
        if term is None:
            rest.append(part)
        elif term.kind is not TermKind.SKILL or term.level > 0:
            terms.append(term)  # skill >= 0 holds for everyone: nothing to look up
    if not rest:
        return Requirement(tuple(terms), None, "")
    checks = [compile_node(part, schema) for part in rest]
    source = " && ".join(unparse(part) for part in rest)
    if len(checks) == 1:
        return Requirement(tuple(terms), checks[0], source)

    def all_hold(env: object) -> bool:
        return all(check(env) for check in checks)

    return Requirement(tuple(terms), all_hold, source)


def _is_agent_field(node: Node, name: str) -> bool:
    return (
        isinstance(node, Attribute)
        and node.name == name
        and isinstance(node.obj, Name)
        and node.obj.root == "agent"
    )


def _contact_side(node: Node, kind: TermKind, text: str, schema: Schema) -> IndexTerm | None:
    if "agent" in roots_of(node):
        return None
    if isinstance(node, Literal):
        if not isinstance(node.value, str):
            return None
        return IndexTerm(kind, text, constant=node.value)
    return IndexTerm(kind, text, value=compile_node(node, schema))


def _term(node: Node, schema: Schema) -> IndexTerm | None:
    if not isinstance(node, Binary):
        return None
    text = unparse(node)
    if node.op == "in":
        for field, kind in _MEMBERSHIP.items():
            if _is_agent_field(node.right, field):
                return _contact_side(node.left, kind, text, schema)
        return None
    if node.op == "==":
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            if _is_agent_field(mine, "id"):
                return _contact_side(other, TermKind.ID, text, schema)
        return None
    for op, call, bound in (
        (node.op, node.left, node.right),
        (_MIRROR.get(node.op), node.right, node.left),
    ):
        level = _skill_level(op, call, bound)
        if level is not None:
            assert isinstance(call, Call)
            skill = call.args[1]
            assert isinstance(skill, Literal)
            return IndexTerm(TermKind.SKILL, text, constant=str(skill.value), level=level)
    return None


def _skill_level(op: str | None, call: Node, bound: Node) -> int | None:
    if op not in (">=", ">") or not isinstance(call, Call) or call.name != "skill":
        return None
    if len(call.args) != 2 or not isinstance(call.args[0], Name) or call.args[0].root != "agent":
        return None
    skill, level = call.args[1], bound
    if not isinstance(skill, Literal) or not isinstance(skill.value, str):
        return None
    if not isinstance(level, Literal) or type(level.value) is not int:
        return None
    return level.value + (1 if op == ">" else 0)
