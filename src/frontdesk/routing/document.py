"""YAML documents that remember where each value came from.

Scenario authors need errors that name a line and column, so the scenario compiler
works on :class:`Node` trees built from PyYAML's composed nodes rather than on plain
dicts. Anchors and aliases are refused (they let a tiny document expand enormously),
and so are duplicate keys and documents past a size limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from frontdesk.domain.errors import Location

MAX_DOCUMENT_BYTES = 1_000_000
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document, at a place."""

    code: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message} [{self.code}]"


class DocumentError(Exception):
    """Raised inside the compiler to stop at a problem that makes going on pointless."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Node:
    """A value with its location. ``value`` is a dict of str → Node, a list of Node,
    or a scalar (str, int, float, bool, None). ``origin`` is where scalar text starts."""

    value: Any
    location: Location
    origin: tuple[int, int] = (1, 1)
    keys: dict[str, Location] = field(default_factory=dict)

    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def items(self) -> Iterator[tuple[str, Node]]:
        assert isinstance(self.value, dict)
        yield from self.value.items()

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None


def load(text: str) -> Node:
    """Parse YAML text into a located tree; DocumentError names the first problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            Problem("scenario.too_large", f"document is larger than {MAX_DOCUMENT_BYTES} bytes")
        )
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise DocumentError(Problem("scenario.empty", "the document is empty"))
        return _convert(loader, root, text.splitlines(), set(), 0)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(mark.line + 1, mark.column + 1) if mark else None
        message = f"YAML syntax: {error.problem or error.context}"
        raise DocumentError(Problem("scenario.syntax", message, location)) from None
    except yaml.YAMLError as error:
        raise DocumentError(Problem("scenario.syntax", f"YAML syntax: {error}")) from None
    finally:
        loader.dispose()


def _location(node: yaml.Node) -> Location:
    return Location(node.start_mark.line + 1, node.start_mark.column + 1)


def _origin(node: yaml.ScalarNode, lines: list[str]) -> tuple[int, int]:
    line, column = node.start_mark.line, node.start_mark.column
    if node.style in ("|", ">"):
        following = lines[line + 1] if line + 1 < len(lines) else ""
        return line + 2, len(following) - len(following.lstrip(" ")) + 1
    if node.style in ('"', "'"):
        return line + 1, column + 2
    return line + 1, column + 1


def _convert(
    loader: yaml.SafeLoader, node: yaml.Node, lines: list[str], seen: set[int], depth: int
) -> Node:
    if id(node) in seen:
        raise DocumentError(
            Problem("scenario.alias", "anchors and aliases are not allowed", _location(node))
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise DocumentError(
            Problem("scenario.too_deep", f"nesting deeper than {MAX_DEPTH}", _location(node))
        )
    if isinstance(node, yaml.MappingNode):
        value: dict[str, Node] = {}
        keys: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise DocumentError(
                    Problem("scenario.bad_key", "keys must be text", _location(key_node))
                )
            key = str(key)
            if key in value:
                raise DocumentError(
                    Problem(
                        "scenario.duplicate_key",
                        f"key {key!r} appears twice (first at {keys[key]})",
                        _location(key_node),
                    )
                )
            keys[key] = _location(key_node)
            value[key] = _convert(loader, value_node, lines, seen, depth + 1)
        return Node(value, _location(node), keys=keys)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(loader, item, lines, seen, depth + 1) for item in node.value]
        return Node(items, _location(node))
    assert isinstance(node, yaml.ScalarNode)
    scalar = loader.construct_object(node)
    if not isinstance(scalar, str | int | float | bool | type(None)):
        scalar = node.value  # dates and the like stay text; the compiler judges them
    return Node(scalar, _location(node), origin=_origin(node, lines))
