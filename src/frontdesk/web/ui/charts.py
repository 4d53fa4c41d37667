"""Charts drawn on the server as SVG: the geometry is computed here, in view-box units,
and ``templates/charts.html`` draws it. No chart library, no script: a chart is an
image with a title, a description, labelled axes and a legend, and every bar or point
carries a ``<title>`` with its figures.

A chart has one slot per interval along the x axis. :func:`stacked_bars` stacks parts
of a whole in each slot (answered, abandoned, the rest = offered); :func:`line` joins
one value per slot, leaving a gap where a slot has no value, with an optional dashed
target line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 1200.0
HEIGHT = 280.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 16.0, 40.0, 44.0  # the plot area's margins
#: Steps for an axis of counts or percentages, and for one of seconds.
NUMBER_STEPS = (1, 2, 5)
SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)

Format = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # view-box units along the axis
    label: str


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind: str  # the series it belongs to (a CSS class)


@dataclass(frozen=True, slots=True)
class Bar:
    """One slot's stack, with what its tooltip says."""

    parts: tuple[Rect, ...]
    title: str


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True, slots=True)
class Legend:
    kind: str
    label: str
    shape: str  # "box", "line" or "dash"


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    description: str
    x_label: str
    y_label: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    legend: tuple[Legend, ...]
    bars: tuple[Bar, ...] = ()
    paths: tuple[str, ...] = ()  # the line's pieces as SVG path data
    dots: tuple[Dot, ...] = ()
    kind: str = ""  # the line's series
    target: float | None = None  # y of the target line
    target_label: str = ""
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    top: float = TOP
    right: float = WIDTH - RIGHT
    bottom: float = HEIGHT - BOTTOM


@dataclass(frozen=True, slots=True)
class Axis:
    """The x axis: one slot per interval, a tick where a label is wanted."""

    slots: int
    ticks: tuple[tuple[int, str], ...]  # (slot index, label)

    @property
    def slot_width(self) -> float:
        return (WIDTH - RIGHT - LEFT) / max(self.slots, 1)

    def x(self, slot: int) -> float:
        return LEFT + slot * self.slot_width

    def center(self, slot: int) -> float:
        return self.x(slot) + self.slot_width / 2

    def tick_marks(self) -> tuple[Tick, ...]:
        return tuple(Tick(self.x(slot), label) for slot, label in self.ticks)


def nice_scale(largest: float, steps: Sequence[int] = NUMBER_STEPS, count: int = 5) -> list[float]:
    """Tick values from 0 up to at least ``largest``, about ``count`` of them, each a
    round step (1, 2, 5 × 10ⁿ; or from ``steps`` when they are not decades)."""
    largest = max(largest, 1.0)
    wanted = largest / count
    if steps is NUMBER_STEPS:
        power = 10 ** math.floor(math.log10(wanted))
        step = next((s * power for s in (1, 2, 5, 10) if s * power >= wanted), 10 * power)
    else:
        step = next((s for s in steps if s >= wanted), steps[-1] * math.ceil(wanted / steps[-1]))
    top = step * math.ceil(largest / step)
    return [step * n for n in range(round(top / step) + 1)]


def _y(value: float, top: float, height: float) -> float:
    return height - BOTTOM - (height - BOTTOM - TOP) * (value / top)


def _y_ticks(scale: list[float], label: Format, height: float) -> tuple[Tick, ...]:
    return tuple(Tick(_y(value, scale[-1], height), label(value)) for value in scale)


def stacked_bars(
    name: str,
    axis: Axis,
    stacks: Sequence[Sequence[tuple[str, float]]],
    titles: Sequence[str],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    legend: Sequence[tuple[str, str]],
    number: Format,
    height: float = HEIGHT,
) -> Chart:
    """A bar per slot, its parts ``(kind, value)`` stacked from the axis up."""
    scale = nice_scale(max((sum(v for _, v in stack) for stack in stacks), default=0))
    top = scale[-1]
    gap = min(4.0, axis.slot_width * 0.2)
    bars = []
    for slot, (stack, tooltip) in enumerate(zip(stacks, titles, strict=True)):
        base = 0.0
        parts = []
        for kind, value in stack:
            if value <= 0:
                continue
            y0, y1 = _y(base, top, height), _y(base + value, top, height)
            parts.append(Rect(axis.x(slot) + gap / 2, y1, axis.slot_width - gap, y0 - y1, kind))
            base += value
        if parts:
            bars.append(Bar(tuple(parts), tooltip))
    return Chart(
        id=name, title=title, description=description, x_label=x_label, y_label=y_label,
        x_ticks=axis.tick_marks(), y_ticks=_y_ticks(scale, number, height),
        legend=tuple(Legend(kind, label, "box") for kind, label in legend), bars=tuple(bars),
        height=height, bottom=height - BOTTOM,
    )  # fmt: skip


def line(
    name: str,
    axis: Axis,
    values: Sequence[float | None],
    titles: Sequence[str],
    *,
    kind: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    label: str,
    value_format: Format,
    steps: Sequence[int] = NUMBER_STEPS,
    ceiling: float | None = None,
    target: float | None = None,
    target_label: str = "",
    height: float = HEIGHT,
) -> Chart:
    """A line through each slot's value (at the slot's middle), broken where a slot has
    none; ``ceiling`` fixes the top of the scale (100 for percentages)."""
    known = [v for v in values if v is not None]
    largest = max([*known, target or 0.0], default=0.0)
    scale = nice_scale(ceiling if ceiling is not None else largest, steps)
    top = scale[-1]
    pieces: list[list[tuple[float, float]]] = [[]]
    dots = []
    for slot, (value, tooltip) in enumerate(zip(values, titles, strict=True)):
        if value is None:
            if pieces[-1]:
                pieces.append([])
            continue
        point = (axis.center(slot), _y(value, top, height))
        pieces[-1].append(point)
        dots.append(Dot(*point, tooltip))
    paths = tuple(
        "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in piece) for piece in pieces if piece
    )
    legend = [Legend(kind, label, "line")]
    if target is not None:
        legend.append(Legend("target", target_label, "dash"))
    return Chart(
        id=name, title=title, description=description, x_label=x_label, y_label=y_label,
        x_ticks=axis.tick_marks(), y_ticks=_y_ticks(scale, value_format, height),
        legend=tuple(legend), paths=paths, dots=tuple(dots), kind=kind,
        target=None if target is None else _y(target, top, height), target_label=target_label,
        height=height, bottom=height - BOTTOM,
    )  # fmt: skip
