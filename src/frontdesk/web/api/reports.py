"""Reports: a day's contacts in intervals, as JSON or as a CSV file."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BeforeValidator

from frontdesk.domain.channels import Channel
from frontdesk.domain.ids import QueueId
from frontdesk.services.auth import Principal
from frontdesk.services.realtime import day_of, timezone_of
from frontdesk.services.reports import Figures, IntradayReport, intraday_report
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import IntradayOut

router = APIRouter(prefix="/reports", tags=["reports"])
Reader = Annotated[Principal, Depends(require("contacts.read"))]
#: An empty filter, as a form sends it (``channel=``), is no filter.
EMPTY_IS_NONE = BeforeValidator(lambda value: value or None)
CSV_COLUMNS = ("start", "end", "offered", "answered", "abandoned", "answered_in_target",
               "service_level", "asa")  # fmt: skip


@router.get(
    "/intraday",
    response_model=IntradayOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def intraday(
    principal: Reader,
    frontdesk: FrontdeskDep,
    day: Annotated[
        date | None, EMPTY_IS_NONE, Query(description="YYYY-MM-DD; default: today")
    ] = None,
    queue: Annotated[str | None, Query(description="a queue id; default: every queue")] = None,
    channel: Annotated[
        Channel | None, EMPTY_IS_NONE, Query(description="default: every channel")
    ] = None,
    interval: Annotated[int, Query(description="minutes: 15, 30 or 60")] = 30,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> IntradayOut | Response:
    """Offered, answered and abandoned contacts, service level and ASA per interval of a
    day in the tenant's time zone; each contact counts in the interval it entered the
    queue. ``format=csv`` gives the same figures as a CSV file (local times)."""
    desk = frontdesk.dispatcher.desk(principal.tenant)
    if day is None:
        day = day_of(frontdesk.clock.now(), timezone_of(desk))[0]
    report = await intraday_report(
        frontdesk.store, desk, day, interval=interval,
        queue=QueueId(queue) if queue else None, channel=channel,
    )  # fmt: skip
    if output == "csv":
        name = f"intraday-{report.day.isoformat()}{'-' + queue if queue else ''}.csv"
        return Response(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return IntradayOut.model_validate(report)


def report_csv(report: IntradayReport) -> str:
    """One row per interval and a last row for the day, times in the tenant's zone."""
    zone = ZoneInfo(report.timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def row(figures: Figures) -> list[object]:
        return [
            figures.start.astimezone(zone).isoformat(), figures.end.astimezone(zone).isoformat(),
            figures.offered, figures.answered, figures.abandoned, figures.answered_in_target,
            "" if figures.service_level is None else figures.service_level,
            "" if figures.asa is None else figures.asa,
        ]  # fmt: skip

    for figures in report.intervals:
        writer.writerow(row(figures))
    writer.writerow(row(report.total))
    return out.getvalue()
