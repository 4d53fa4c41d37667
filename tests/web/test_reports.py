"""The intraday report through the API: the day's contacts per interval, as JSON and CSV;
who may read it; bad days, intervals and queues refused with a clear problem."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from frontdesk.sim.clock import SimClock
from frontdesk.web.container import Frontdesk

from .conftest import CHAT, Session, assert_problem
from .test_contacts import arrive, ready

DAY = "2025-03-04"  # the test clock: 09:00 UTC, 12:00 in Moscow


def slot(body: dict[str, Any], local_start: str) -> dict[str, Any]:
    """The interval starting at ``local_start`` (HH:MM in Moscow, UTC+3)."""
    hour, minute = map(int, local_start.split(":"))
    start = f"{DAY}T{hour - 3:02d}:{minute:02d}:00Z"
    found: list[dict[str, Any]] = [
        i for i in body["intervals"] if i["start"].replace("+00:00", "Z") == start
    ]
    assert len(found) == 1
    return found[0]


async def a_morning(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    """At 12:00: a call answered after 5 s, a call abandoned after 30 s, a chat waiting."""
    clock = frontdesk.clock
    assert isinstance(clock, SimClock)
    await ready(anna, "anna")
    answered = await arrive(frontdesk, sofia)
    clock.seconds += 5
    assert (await anna.post(f"/api/v1/contacts/{answered}/accept")).status_code == 200
    left = await arrive(frontdesk, sofia)
    clock.seconds += 30
    assert (await sofia.post(f"/api/v1/contacts/{left}/abandon")).status_code == 200
    await arrive(frontdesk, sofia, access_point=CHAT, sender="chat-visitor-1")


async def test_the_report_counts_each_contact_in_its_interval(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    await a_morning(frontdesk, anna, sofia)
    answer = await sofia.get(f"/api/v1/reports/intraday?day={DAY}&interval=60")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["day"], body["timezone"], body["interval"]) == (DAY, "Europe/Moscow", 60)
    assert (body["queue"], body["channel"], body["goal"]) == (None, None, 80.0)
    assert len(body["intervals"]) == 24
    noon = slot(body, "12:00")
    assert {k: noon[k] for k in ("offered", "answered", "abandoned", "answered_in_target")} == {
        "offered": 3, "answered": 1, "abandoned": 1, "answered_in_target": 1,
    }  # fmt: skip
    assert (noon["service_level"], noon["asa"]) == (33.3, 5.0)
    assert slot(body, "11:00")["offered"] == 0
    assert slot(body, "11:00")["service_level"] is None
    assert body["total"]["offered"] == 3
    assert body["total"]["start"].startswith("2025-03-03T21:00:00")  # local midnight

    calls = (await sofia.get(f"/api/v1/reports/intraday?day={DAY}&channel=voice")).json()
    assert (calls["channel"], len(calls["intervals"]), calls["total"]["offered"]) == (
        "voice", 48, 2,
    )  # fmt: skip
    main = (await sofia.get(f"/api/v1/reports/intraday?day={DAY}&queue=main")).json()
    assert (main["queue"], main["total"]["answered"]) == ("main", 1)
    other_day = (await sofia.get("/api/v1/reports/intraday?day=2025-03-03")).json()
    assert other_day["total"]["offered"] == 0


async def test_the_report_defaults_to_today_in_half_hours(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    await a_morning(frontdesk, anna, sofia)
    body = (await sofia.get("/api/v1/reports/intraday")).json()
    assert (body["day"], body["interval"], len(body["intervals"])) == (DAY, 30, 48)
    assert body["total"]["offered"] == 3
    empty = await sofia.get("/api/v1/reports/intraday?day=&queue=&channel=&interval=30")
    assert empty.status_code == 200, empty.text
    assert (empty.json()["day"], empty.json()["channel"]) == (DAY, None)


async def test_the_report_as_csv_has_local_times_and_a_total(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    await a_morning(frontdesk, anna, sofia)
    answer = await sofia.get(f"/api/v1/reports/intraday?day={DAY}&interval=15&format=csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert f'filename="intraday-{DAY}.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 96 + 1
    [noon] = [r for r in rows if r["start"] == f"{DAY}T12:00:00+03:00"]
    assert noon == {
        "start": f"{DAY}T12:00:00+03:00", "end": f"{DAY}T12:15:00+03:00", "offered": "3",
        "answered": "1", "abandoned": "1", "answered_in_target": "1", "service_level": "33.3",
        "asa": "5.0",
    }  # fmt: skip
    assert rows[-1]["start"] == f"{DAY}T00:00:00+03:00"
    assert rows[-1]["end"] == "2025-03-05T00:00:00+03:00"
    assert rows[-1]["offered"] == "3"
    assert rows[0]["service_level"] == ""  # nothing offered at night: nothing to measure


async def test_only_supervisors_read_reports(
    session: Session, client: httpx.AsyncClient, anna: httpx.AsyncClient
) -> None:
    assert_problem(await client.get("/api/v1/reports/intraday"), 401, "auth.required")
    assert_problem(await anna.get("/api/v1/reports/intraday"), 403, "auth.forbidden")
    admin = await session("admin")
    assert (await admin.get("/api/v1/reports/intraday")).status_code == 200


async def test_bad_days_intervals_and_queues_are_refused(sofia: httpx.AsyncClient) -> None:
    base = "/api/v1/reports/intraday"
    body = assert_problem(await sofia.get(f"{base}?day=2025-02-30"), 422, "request.invalid")
    assert body["errors"][0]["field"] == "query.day"
    body = assert_problem(await sofia.get(f"{base}?day=yesterday"), 422, "request.invalid")
    assert body["errors"][0]["field"] == "query.day"
    body = assert_problem(await sofia.get(f"{base}?interval=20"), 422, "report.invalid_interval")
    assert body["field"] == "interval"
    assert "15, 30, 60" in body["detail"]
    body = assert_problem(await sofia.get(f"{base}?queue=nope"), 422, "report.unknown_queue")
    assert (body["field"], "main" in body["detail"]) == ("queue", True)
    assert_problem(await sofia.get(f"{base}?channel=fax"), 422, "request.invalid")
    assert_problem(await sofia.get(f"{base}?format=xml"), 422, "request.invalid")
