"""Reports: a day's contacts per interval as charts (SVG drawn here) and a table.

The filters are a plain GET form, so every report has an address to keep or share; a
filter that cannot be read is named on the page and the report falls back to its
default (today, every queue, every channel, half hours). The CSV download is the API's
``/api/v1/reports/intraday?format=csv`` with the same filters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from frontdesk.analytics.intraday import INTERVALS
from frontdesk.domain.channels import Channel
from frontdesk.domain.ids import QueueId
from frontdesk.services.realtime import day_of, timezone_of
from frontdesk.services.reports import IntradayReport, intraday_report
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.charts import SECOND_STEPS, Axis, Chart, line, stacked_bars
from frontdesk.web.ui.templating import N_, Viewer, render
from frontdesk.web.ui.vocabulary import CHANNELS, translated

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Viewer, Depends(page("contacts.read"))]
#: The chart shows at least these local hours, and any other hour with contacts.
WORKING_HOURS = (8, 20)
DEFAULT_INTERVAL = 30
SMALL = 230.0  # the height of the line charts, in view-box units
T = TypeVar("T")


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    viewer: Supervisor,
    day: str = "",
    queue: str = "",
    channel: str = "",
    interval: str = "",
) -> Response:
    """The intraday report of ``day`` (default today) for the filters given."""
    frontdesk = frontdesk_of(request.app)
    desk = frontdesk.dispatcher.desk(signed_in_viewer(viewer).tenant)
    now = frontdesk.clock.now()
    today = day_of(now, timezone_of(desk))[0]
    queues = desk.config.queues
    problems: list[str] = []
    chosen_day = _read(day, date.fromisoformat, today, problems, viewer,
                       N_("“{value}” is not a day: showing today."))  # fmt: skip
    chosen_channel = _read(channel, Channel, None, problems, viewer,
                           N_("“{value}” is not a channel: showing every channel."))  # fmt: skip
    minutes = _read(interval, _interval, DEFAULT_INTERVAL, problems, viewer,
                    N_("Intervals are 15, 30 or 60 minutes: showing 30."))  # fmt: skip
    chosen_queue: QueueId | None = QueueId(queue) if queue else None
    if chosen_queue is not None and chosen_queue not in queues:
        problems.append(viewer.gettext(N_("There is no queue “{value}”: showing every queue."))
                        .format(value=queue))  # fmt: skip
        chosen_queue = None
    report = await intraday_report(
        frontdesk.store, desk, chosen_day, interval=minutes, queue=chosen_queue,
        channel=chosen_channel,
    )  # fmt: skip
    filters = {
        "day": chosen_day.isoformat(), "queue": chosen_queue or "",
        "channel": chosen_channel.value if chosen_channel else "", "interval": str(minutes),
    }  # fmt: skip
    shown = _shown(report)
    return render(
        request, viewer, "reports.html",
        report=report, filters=filters, problems=problems, today=today,
        rows=[row for row in report.intervals[shown] if row.start <= now],  # none to come
        charts=charts(viewer, report, shown),
        queues=sorted(((key, q.name or key) for key, q in queues.items()), key=lambda q: q[1]),
        channels=translated(CHANNELS, viewer.gettext).items(), intervals=INTERVALS,
        csv_url="/api/v1/reports/intraday?" + urlencode(
            {**{k: v for k, v in filters.items() if v}, "format": "csv"}
        ),
        previous_url=_link(filters, chosen_day - timedelta(days=1)),
        next_url=_link(filters, chosen_day + timedelta(days=1)) if chosen_day < today else None,
    )  # fmt: skip


def _read(
    text: str,
    parse: Callable[[str], T],
    default: T,
    problems: list[str],
    viewer: Viewer,
    message: str,
) -> T:
    """``text`` parsed, ``default`` when empty; when it cannot be read, ``message`` (with
    ``{value}``) is added to ``problems`` and the default used."""
    if not text:
        return default
    try:
        return parse(text)
    except ValueError:
        problems.append(viewer.gettext(message).format(value=text))
        return default


def _interval(text: str) -> int:
    minutes = int(text)
    if minutes not in INTERVALS:
        raise ValueError(text)
    return minutes


def _link(filters: dict[str, str], day: date) -> str:
    return "/reports?" + urlencode({**{k: v for k, v in filters.items() if v}, "day": day})


def _shown(report: IntradayReport) -> slice:
    """The intervals the page shows: the working hours and any hour with contacts, in
    whole hours."""
    zone = ZoneInfo(report.timezone)
    starts = [figures.start.astimezone(zone) for figures in report.intervals]
    first, last = WORKING_HOURS
    wanted = [
        index
        for index, (figures, start) in enumerate(zip(report.intervals, starts, strict=True))
        if figures.offered or first <= start.hour < last
    ]
    if not wanted:  # a day of no working hours and no contacts: all of it
        return slice(0, len(starts))
    low, high = min(wanted), max(wanted) + 1
    while low > 0 and starts[low].minute:
        low -= 1
    while high < len(starts) and starts[high].minute:
        high += 1
    return slice(low, high)


def charts(viewer: Viewer, report: IntradayReport, shown: slice) -> list[Chart]:
    """Contacts (stacked bars), service level and ASA (lines) of the shown intervals."""
    rows = report.intervals[shown]
    fmt, _ = viewer.fmt, viewer.gettext
    hours = {row.start.astimezone(fmt.zone).hour for row in rows}
    every = 1 if len(hours) <= 14 else 2
    axis = Axis(len(rows), tuple(
        (slot, fmt.time(row.start))
        for slot, row in enumerate(rows)
        if row.start.astimezone(fmt.zone).minute == 0
        and row.start.astimezone(fmt.zone).hour % every == 0
    ))  # fmt: skip
    spans = [f"{fmt.time(r.start)}–{fmt.time(r.end)}" for r in rows]
    total = report.total
    day, minutes = fmt.date(report.day, "long"), report.interval
    waiting = [max(r.offered - r.answered - r.abandoned, 0) for r in rows]
    contacts = stacked_bars(
        "chart-contacts", axis,
        [[("answered", r.answered), ("abandoned", r.abandoned), ("other", w)]
         for r, w in zip(rows, waiting, strict=True)],
        [_("{span}: {offered} offered, {answered} answered, {abandoned} abandoned").format(
            span=span, offered=r.offered, answered=r.answered, abandoned=r.abandoned)
         for span, r in zip(spans, rows, strict=True)],
        title=_("Contacts per interval"),
        description=_("Contacts offered per {minutes}-minute interval on {day}, "
                      "stacked: answered, abandoned, waiting or ended otherwise. "
                      "In all: {offered} offered, {answered} answered, {abandoned} abandoned.")
        .format(minutes=minutes, day=day, offered=total.offered, answered=total.answered,
                abandoned=total.abandoned),
        x_label=_("Time"), y_label=_("Contacts"),
        legend=[("answered", _("Answered")), ("abandoned", _("Abandoned")),
                ("other", _("Waiting or ended otherwise"))],
        number=fmt.number,
    )  # fmt: skip
    goal = report.goal
    level = line(
        "chart-service-level", axis, [r.service_level for r in rows],
        [_("{span}: service level {level} of {offered} offered").format(
            span=span, level=fmt.percent(r.service_level), offered=r.offered)
         for span, r in zip(spans, rows, strict=True)],
        kind="level", title=_("Service level per interval"),
        description=_("Share of contacts answered within the target time, per interval on "
                      "{day}; the dashed line is the target of {goal}. The day: {level}.")
        .format(day=day, goal=fmt.percent(goal), level=fmt.percent(total.service_level)),
        x_label=_("Time"), y_label=_("Share, %"), label=_("Service level"),
        value_format=fmt.number, ceiling=100, target=goal, height=SMALL,
        target_label=_("Target {goal}").format(goal=fmt.percent(goal)),
    )  # fmt: skip
    asa = line(
        "chart-asa", axis, [r.asa for r in rows],
        [_("{span}: average speed of answer {asa} over {answered} answered").format(
            span=span, asa=fmt.duration(r.asa), answered=r.answered)
         for span, r in zip(spans, rows, strict=True)],
        kind="asa", title=_("Average speed of answer per interval"),
        description=_("Mean wait of answered contacts, per interval on {day}. "
                      "The day: {asa}.").format(day=day, asa=fmt.duration(total.asa)),
        x_label=_("Time"), y_label=_("Wait, min:s"), label=_("Average speed of answer"),
        value_format=fmt.duration, steps=SECOND_STEPS, height=SMALL,
    )  # fmt: skip
    return [contacts, level, asa]
