"""What the scenario editor asks of the API: the changes of unsaved text, previews on the
simulator, and the page itself."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import httpx

from frontdesk.domain.ids import TenantId
from frontdesk.services.previews import Preview, PreviewCase
from frontdesk.sim.preview import SimulatorPreview
from frontdesk.web.container import Frontdesk
from tests.unit.sim.history import past_contact, store_history

from .conftest import ACME, CHAT, ONE_QUEUE, VOICE, assert_problem

NOBODY = ONE_QUEUE.replace("queue: main", "queue: nobody")
UNKNOWN_QUEUE = ONE_QUEUE.replace("queue: main", "queue: nowhere")
#: The test clock reads 4 March 2025, 12:00 in Moscow: yesterday is Monday 3 March.
YESTERDAY_MORNING = datetime(2025, 3, 3, 7, tzinfo=UTC)  # 10:00 in Moscow


async def add_queue(admin: httpx.AsyncClient, name: str) -> None:
    answer = await admin.put(f"/api/v1/queues/{name}", json={"name": name.title()})
    assert answer.status_code == 201, answer.text


async def seed_yesterday(frontdesk: Frontdesk, count: int = 60) -> None:
    await store_history(frontdesk.store, [
        past_contact(ACME, n, YESTERDAY_MORNING + timedelta(minutes=5 * n), access_point=VOICE,
                     waited=8, talk=170, wrap_up=12, abandoned=n % 12 == 0)
        for n in range(count)
    ])  # fmt: skip


# --- changes of unsaved text --------------------------------------------------------------


async def test_unsaved_text_is_compared_with_the_published_version(
    sofia: httpx.AsyncClient,
) -> None:
    edited = ONE_QUEUE.replace("queue: main", "queue: {name: main, priority: 2}")
    answer = await sofia.post("/api/v1/scenarios/diff", json={"text": edited})
    assert answer.status_code == 200
    body = answer.json()
    assert body["published"] == 1
    lines = body["diff"].splitlines()
    assert lines[:2] == ["--- version 1", "+++ draft"]
    assert "-  - queue: main" in lines
    assert "+  - queue: {name: main, priority: 2}" in lines
    same = await sofia.post("/api/v1/scenarios/diff", json={"text": ONE_QUEUE})
    assert same.json() == {"published": 1, "diff": ""}
    assert len((await sofia.get("/api/v1/scenarios")).json()) == 1  # nothing was saved


async def test_a_last_line_without_its_newline_does_not_run_into_the_next(
    sofia: httpx.AsyncClient,
) -> None:
    answer = await sofia.post("/api/v1/scenarios/diff", json={"text": ONE_QUEUE + "# end"})
    lines = answer.json()["diff"].splitlines()
    assert lines[-2:] == ["+# end", "\\ No newline at end of file"]


async def test_comparing_needs_the_right_to_read_scenarios(
    anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    assert_problem(
        await anna.post("/api/v1/scenarios/diff", json={"text": ONE_QUEUE}), 403, "auth.forbidden"
    )
    assert_problem(
        await client.post("/api/v1/scenarios/diff", json={"text": ONE_QUEUE}), 401, "auth.required"
    )


# --- previews -----------------------------------------------------------------------------


async def test_a_draft_sending_everyone_to_a_queue_nobody_serves_predicts_worse_service(
    admin: httpx.AsyncClient, sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await add_queue(admin, "nobody")
    await seed_yesterday(frontdesk)
    answer = await sofia.post("/api/v1/scenarios/preview", json={"text": NOBODY})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["traffic"], body["day"], body["contacts"]) == ("yesterday", "2025-03-03", 60)
    assert body["staffing"] == {"agents": 2, "calendar": None, "hours": ["09:00-18:00"]}
    assert body["published"] == 1
    draft, current = body["draft"], body["current"]
    assert current["version"] == 1
    assert draft["version"] is None
    assert current["total"]["service_level"] > 90
    assert draft["total"]["service_level"] < current["total"]["service_level"]
    assert draft["total"]["service_level"] == 0
    assert [q["queue"] for q in draft["queues"]] == ["main", "nobody"]
    nobody = draft["queues"][1]
    assert (nobody["name"], nobody["offered"], nobody["answered"]) == ("Nobody", 60, 0)
    assert body["behaviour"][0]["media"] == "call"
    assert body["behaviour"][0]["learned"] is True


async def test_a_preview_on_generated_traffic(
    sofia: httpx.AsyncClient,
) -> None:
    traffic = {"kind": "generated", "per_hour": 30, "access_point": CHAT, "known_share": 0}
    answer = await sofia.post(
        "/api/v1/scenarios/preview", json={"text": ONE_QUEUE, "traffic": traffic}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["traffic"] == "generated"
    assert 200 < body["contacts"] < 340  # 30 an hour, 09:00 to 18:00
    assert [b["media"] for b in body["behaviour"]] == ["chat"]
    assert body["draft"]["total"] == body["current"]["total"]  # the same scenario


async def test_a_draft_with_problems_is_refused_with_every_problem(
    sofia: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await seed_yesterday(frontdesk, 5)
    answer = await sofia.post("/api/v1/scenarios/preview", json={"text": UNKNOWN_QUEUE})
    body = assert_problem(answer, 422, "scenario.invalid")
    [problem] = body["problems"]
    assert (problem["line"], problem["column"]) == (4, 12)
    assert "nowhere" in problem["message"]


async def test_a_preview_needs_traffic_within_the_limits(
    sofia: httpx.AsyncClient,
) -> None:
    empty = await sofia.post("/api/v1/scenarios/preview", json={"text": ONE_QUEUE})
    assert_problem(empty, 422, "scenario.preview_no_traffic")
    too_much = {"kind": "generated", "per_hour": 100_000}
    answer = await sofia.post(
        "/api/v1/scenarios/preview", json={"text": ONE_QUEUE, "traffic": too_much}
    )
    body = assert_problem(answer, 422, "request.invalid")
    assert [e["field"] for e in body["errors"]] == ["body.traffic.per_hour"]
    no_rate = await sofia.post(
        "/api/v1/scenarios/preview", json={"text": ONE_QUEUE, "traffic": {"kind": "generated"}}
    )
    assert assert_problem(no_rate, 422, "scenario.preview_traffic")["field"] == "traffic.per_hour"
    elsewhere = {"kind": "generated", "per_hour": 10, "access_point": "+74950000000"}
    answer = await sofia.post(
        "/api/v1/scenarios/preview", json={"text": ONE_QUEUE, "traffic": elsewhere}
    )
    assert_problem(answer, 422, "scenario.preview_traffic")


async def test_previews_need_the_right_to_read_scenarios(
    anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    body = {"text": ONE_QUEUE}
    assert_problem(await anna.post("/api/v1/scenarios/preview", json=body), 403, "auth.forbidden")
    assert_problem(await client.post("/api/v1/scenarios/preview", json=body), 401, "auth.required")


class Held:
    """The simulator, held at the start of each preview until let go (in its thread)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.go = threading.Event()

    def preview(self, case: PreviewCase) -> Preview:
        self.started.set()
        self.go.wait(timeout=10)
        return SimulatorPreview().preview(case)


async def test_one_preview_at_a_time_per_company(
    sofia: httpx.AsyncClient, admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await seed_yesterday(frontdesk, 10)
    held = Held()
    frontdesk.previews.simulator = held
    first = asyncio.create_task(sofia.post("/api/v1/scenarios/preview", json={"text": ONE_QUEUE}))
    assert await asyncio.to_thread(held.started.wait, 10)
    second = await admin.post("/api/v1/scenarios/preview", json={"text": ONE_QUEUE})
    assert_problem(second, 409, "scenario.preview_running")
    held.go.set()
    assert (await first).status_code == 200
    again = await admin.post("/api/v1/scenarios/preview", json={"text": ONE_QUEUE})
    assert again.status_code == 200


# --- publishing ---------------------------------------------------------------------------


async def test_the_version_published_last_is_live_even_if_the_clock_went_back(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    edited = ONE_QUEUE + "# edited\n"
    saved = (await admin.post("/api/v1/scenarios", json={"text": edited})).json()
    frontdesk.clock.seconds = -3600  # type: ignore[attr-defined]  # an hour back
    assert (await admin.post(f"/api/v1/scenarios/{saved['version']}/publish")).status_code == 200
    published = await frontdesk.scenarios.published(TenantId(ACME))
    assert published is not None
    assert published.version == saved["version"]
    listed = (await admin.get("/api/v1/scenarios")).json()
    first, second = (datetime.fromisoformat(v["published_at"]) for v in listed)
    assert second > first


# --- the page -----------------------------------------------------------------------------


async def test_the_editor_opens_on_the_published_version_with_every_version(
    admin: httpx.AsyncClient,
) -> None:
    page = await admin.get("/scenarios")
    assert page.status_code == 200
    html = page.text
    assert "queue: main" in html  # the published text in the editor
    assert 'id="scn-publish"' in html
    assert 'id="scn-save"' in html
    assert "&#34;version&#34;: 1" in html  # the versions, for the script
    assert VOICE in html  # an access point for generated traffic


async def test_supervisors_see_the_editor_without_saving_or_publishing(
    sofia: httpx.AsyncClient, anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    page = await sofia.get("/scenarios")
    assert page.status_code == 200
    assert "queue: main" in page.text
    assert 'id="scn-publish"' not in page.text
    assert 'id="scn-save"' not in page.text
    assert (await anna.get("/scenarios")).status_code == 403
    anonymous = await client.get("/scenarios")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fscenarios"
