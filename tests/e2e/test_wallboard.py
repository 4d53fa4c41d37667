"""The wallboard and the reports in a browser: the board follows contacts and agents
live, supervisors force agent states from it, admins set its colours; the reports page
charts the day's contacts."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from frontdesk.app.demo_data import CHAT_WIDGET, SALES_NUMBER, SUPPORT_NUMBER
from frontdesk.domain.agents import Agent
from tests.e2e.conftest import Login, shoot
from tests.e2e.live import LiveServer, ShiftedClock

SALES, GENERAL = "sales", "general"
_callers = iter(range(1000, 10_000))


def caller() -> str:
    """A number no demo customer has: the contact goes through the voice menu."""
    return f"+7999555{next(_callers):04d}"


def submit(api: httpx.Client, **fields: Any) -> str:
    answer = api.post("/inbound", json=fields)
    assert answer.status_code == 201, answer.text
    contact: str = answer.json()["id"]
    return contact


def to_sales(api: httpx.Client, **extra: Any) -> str:
    """A call that chooses "1" in the menu: the sales queue."""
    return submit(api, access_point=SALES_NUMBER, sender=caller(), digits={"main": "1"}, **extra)


def to_general(api: httpx.Client, **extra: Any) -> str:
    """A call that chooses "2" in the menu: the general queue."""
    return submit(api, access_point=SUPPORT_NUMBER, sender=caller(), digits={"main": "2"}, **extra)


def set_state(api: httpx.Client, agent: str, state: str, reason: str | None = None) -> None:
    body = {"state": state, **({"reason": reason} if reason else {})}
    answer = api.post(f"/agents/{agent}/state", json=body)
    assert answer.status_code == 200, answer.text


def team(server: LiveServer, queue: str) -> list[Agent]:
    """The demo agents who serve ``queue``, by id."""
    return sorted((a for a in server.data.agents if queue in a.queues), key=lambda a: a.id)


def only_in(server: LiveServer, queue: str) -> list[Agent]:
    """Agents who serve ``queue`` and not the vip or service queues (so that a ready one
    takes only what the test sends)."""
    return [a for a in team(server, queue) if not {"vip", "service", "reception"} & a.queues]


def tile(page: Page, queue: str) -> Locator:
    return page.locator(f'.wb-tile[data-queue="{queue}"]')


def waiting(page: Page, queue: str) -> Locator:
    return tile(page, queue).locator(".wb-big .wb-metric").first.locator(".wb-value")


def agent_row(page: Page, agent: str) -> Locator:
    return page.locator(f'tr[data-agent="{agent}"]')


def open_wallboard(login: Login, server: LiveServer, user: str | None = None) -> Page:
    page = login(user or server.data.supervisors[0][0], path="/wallboard")
    expect(page.locator("[data-link-state]")).to_have_attribute("data-state", "live")
    expect(tile(page, SALES)).to_be_visible()
    return page


@pytest.fixture
def quiet(api: httpx.Client, server: LiveServer) -> Iterator[None]:
    """Every agent logged out and nobody waiting, before and after the test."""
    calm(api, server)
    yield
    calm(api, server)


@pytest.fixture(scope="module")
def morning(server: LiveServer) -> None:
    """The morning before the tests' 11:00: 08:00–10:45, about forty calls and chats
    through sales and general, most answered within the target, some late, some
    abandoned. Made by moving the server's clock back and letting it run forward."""
    with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as api:
        answer = api.post("/auth/login", json={
            "tenant": "demo", "username": server.data.admins[0][0],
            "password": server.data.password,
        })  # fmt: skip
        answer.raise_for_status()
        api.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        calm(api, server)
        seller = only_in(server, SALES)[-1].id
        helper = next(a.id for a in team(server, GENERAL)
                      if SALES not in a.queues and a.skills.get("support", 0) >= 3)  # fmt: skip
        traffic(api, server, seller, helper)
        calm(api, server)


#: Per half hour from 08:00: (seconds each contact waits, None: it is abandoned).
MORNING: tuple[tuple[float | None, ...], ...] = (
    (4, 12),
    (6, 9, 25, None),
    (3, 8, 15, 30, 11),
    (5, 14, 45, None, 7, 19, 9),
    (12, 35, 8, 60, None, 16),
    (6, 10, 4, 22, 13),
)


def traffic(api: httpx.Client, server: LiveServer, seller: str, helper: str) -> None:
    """Sales calls for ``seller``, general calls and chats for ``helper``: each waits its
    time while they are on a break, then they answer, talk 90 s and close."""
    clock = server.clock
    real = clock.offset
    zone = ZoneInfo("Europe/Moscow")
    today = clock.now().astimezone(zone).date()
    routes: list[tuple[Callable[..., str], str]] = [
        (to_sales, seller), (to_general, helper), (chat, helper),
    ]  # fmt: skip
    try:
        for agent in (seller, helper):
            set_state(api, agent, "not_ready", "break")
        for slot, waits in enumerate(MORNING):
            start = datetime.combine(today, clock_time(8), zone) + timedelta(minutes=30 * slot)
            for n, wait in enumerate(waits):
                move(clock, start + timedelta(minutes=25 * n / len(waits)))
                route, agent = routes[(slot + n) % len(routes)]
                contact = route(api)
                reach(api, contact, "queued")
                move(clock, clock.now() + timedelta(seconds=wait or 40))
                if wait is None:
                    assert api.post(f"/contacts/{contact}/abandon").status_code == 200
                    continue
                set_state(api, agent, "ready")
                reach(api, contact, "offered")
                assert api.post(f"/contacts/{contact}/accept", json={"agent": agent}).is_success
                move(clock, clock.now() + timedelta(seconds=90))
                done = api.post(f"/contacts/{contact}/wrap-up", json={"close": True})
                assert done.is_success, done.text
                set_state(api, agent, "not_ready", "break")
    finally:
        clock.offset = real
        for agent in (seller, helper):
            set_state(api, agent, "logged_out")


def move(clock: ShiftedClock, to: datetime) -> None:
    clock.offset = to.astimezone(UTC) - datetime.now(UTC)


def reach(api: httpx.Client, contact: str, state: str) -> None:
    """Wait until the server has moved ``contact`` to ``state`` (routing runs apart)."""
    deadline = time.monotonic() + 5
    while api.get(f"/contacts/{contact}").json()["state"] != state:
        assert time.monotonic() < deadline, f"contact {contact} never became {state}"
        time.sleep(0.02)


def chat(api: httpx.Client, **extra: Any) -> str:
    return submit(api, access_point=CHAT_WIDGET, sender=f"visitor-{next(_callers)}", **extra)


def calm(api: httpx.Client, server: LiveServer) -> None:
    for live in api.get("/contacts", params={"state": ["queued", "offered"]}).json():
        api.post(f"/contacts/{live['id']}/abandon")
    for live in api.get("/contacts", params={"state": ["connected", "wrap_up"]}).json():
        api.post(f"/contacts/{live['id']}/wrap-up", json={"close": True})
    for agent in server.data.agents:
        api.post(f"/agents/{agent.id}/state", json={"state": "logged_out"})
    api.delete("/settings/wallboard")


def test_contacts_and_agents_move_the_board_without_a_reload(
    login: Login, server: LiveServer, api: httpx.Client, quiet: None
) -> None:
    page = open_wallboard(login, server)
    before = int(waiting(page, SALES).inner_text())
    answered = int(tile(page, SALES).locator(".wb-small dd").nth(1).inner_text())

    contact = to_sales(api)
    expect(waiting(page, SALES)).to_have_text(str(before + 1))
    expect(waiting(page, GENERAL)).to_have_text("0")
    expect(tile(page, SALES).locator("time.wb-value")).not_to_have_text("—")

    # An agent made ready is offered the call: their row rings; accepting it answers it.
    agent = only_in(server, SALES)[0]
    set_state(api, agent.id, "ready")
    row = agent_row(page, agent.id)
    expect(row.locator(".state")).to_have_text("Ringing")
    accept = api.post(f"/contacts/{contact}/accept", json={"agent": agent.id})
    assert accept.status_code == 200, accept.text
    expect(waiting(page, SALES)).to_have_text(str(before))
    expect(tile(page, SALES).locator(".wb-small dd").nth(1)).to_have_text(str(answered + 1))
    expect(row.locator(".state")).to_have_text("Busy")
    link = row.locator(f'a[href="/contacts/{contact}"]')
    expect(link).to_contain_text("Call +7999555")
    expect(row.locator("time")).to_have_text(re.compile(r"^0:0\d$"))
    expect(page.locator('.wb-counts [data-state="busy"]')).to_have_text("Busy: 1")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_forcing_an_agents_state_from_the_board(
    login: Login, server: LiveServer, api: httpx.Client, quiet: None
) -> None:
    page = open_wallboard(login, server)
    resting, working = only_in(server, SALES)[:2]
    row = agent_row(page, resting.id)
    expect(row.locator(".state")).to_have_text("Logged out")

    row.get_by_role("button", name=f"Change the state of {resting.name}").click()
    dialog = page.locator("#wb-force")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Not ready").check()
    dialog.get_by_label("Reason").select_option("lunch")
    expect(dialog.locator("[data-force-summary]")).to_have_text(
        f"{resting.name} will be set to Not ready: Lunch."
    )
    dialog.get_by_role("button", name="Change state").click()
    expect(dialog).to_be_hidden()
    expect(row.locator(".state")).to_have_text("Not ready")
    expect(row.locator(".wb-reason")).to_have_text("Lunch")
    assert api.get(f"/agents/{resting.id}").json()["reason"] == "lunch"

    # An agent serving a call cannot be logged out: the refusal is shown, nothing changes.
    set_state(api, working.id, "ready")
    contact = to_sales(api)
    expect(agent_row(page, working.id).locator(".state")).to_have_text("Ringing")
    assert api.post(f"/contacts/{contact}/accept", json={"agent": working.id}).status_code == 200
    busy = agent_row(page, working.id)
    expect(busy.locator(".state")).to_have_text("Busy")
    busy.get_by_role("button", name=f"Change the state of {working.name}").click()
    dialog.get_by_label("Logged out").check()
    dialog.get_by_role("button", name="Change state").click()
    expect(dialog.locator(".form-error")).to_contain_text("contact")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(busy.locator(".state")).to_have_text("Busy")


def test_a_colour_level_crossing_turns_a_tile_amber_and_red(
    login: Login, server: LiveServer, api: httpx.Client, quiet: None
) -> None:
    page = open_wallboard(login, server, user=server.data.admins[0][0])
    general = tile(page, GENERAL)
    expect(general).to_have_attribute("data-level", "ok")

    page.get_by_role("button", name="Colours").click()
    dialog = page.locator("#wb-colours")
    # Only the number waiting should colour the tile here.
    dialog.locator('[name="service_level.warn"]').fill("0")
    dialog.locator('[name="service_level.alarm"]').fill("0")
    # Red below amber for the number waiting is refused at the field; nothing is saved.
    dialog.locator('[name="waiting.warn"]').fill("2")
    dialog.locator('[name="waiting.alarm"]').fill("1")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator(".field-error")).to_contain_text("above the warning level")
    expect(dialog.locator('[name="waiting.alarm"]')).to_have_attribute("aria-invalid", "true")
    dialog.locator('[name="waiting.warn"]').fill("1")
    dialog.locator('[name="waiting.alarm"]').fill("2")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    to_general(api)
    expect(general).to_have_attribute("data-level", "warn")
    expect(general.locator(".badge")).to_have_text("Warning")
    to_general(api)
    expect(general).to_have_attribute("data-level", "alarm")
    expect(general.locator(".badge")).to_have_text("Alarm")
    expect(general).to_have_class(re.compile(r"\blevel-alarm\b"))
    expect(tile(page, SALES)).to_have_attribute("data-level", "ok")


def test_the_live_queue_lists_who_waits_in_order(
    login: Login, server: LiveServer, api: httpx.Client, quiet: None
) -> None:
    page = open_wallboard(login, server)
    first = to_general(api)
    urgent = to_general(api, priority=5)
    page.locator("[data-line-queue]").select_option(GENERAL)
    line = page.locator("[data-line] tr")
    expect(line).to_have_count(2)
    expect(line.nth(0)).to_have_attribute("data-contact", urgent)  # higher priority first
    expect(line.nth(0).locator("td").nth(4)).to_have_text("5")
    expect(line.nth(1)).to_have_attribute("data-contact", first)
    expect(line.nth(1).locator("td").first).to_have_text("2")
    clock = line.nth(1).locator("time")
    shown = clock.inner_text()
    expect(clock).not_to_have_text(shown)  # the waiting time ticks
    listening = "Listening to calls comes with the voice channel."
    expect(page.locator(".wb-note")).to_have_text(listening)

    # Keyboard: 3 shows the third queue's line (general, reception, sales ...), T the TV
    # mode, Escape leaves it.
    page.locator("body").press("3")
    expect(page.locator("[data-line-queue]")).to_have_value(SALES)
    page.locator("body").press("t")
    expect(page.locator("body")).to_have_class(re.compile(r"\btv\b"))
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".wb-hide")).to_be_hidden()
    page.locator("body").press("Escape")
    expect(page.locator(".topbar")).to_be_visible()


def test_the_reports_page_charts_the_days_contacts(
    login: Login, server: LiveServer, api: httpx.Client, morning: None, screenshots: Any
) -> None:
    day = api.get("/reports/intraday").json()
    assert day["total"]["offered"] > 0  # the tests before made contacts today
    page = login(server.data.supervisors[0][0], path="/reports")
    expect(page.locator("h1")).to_have_text("Intraday report")
    total = page.locator(".rp-table tfoot tr")
    expect(total.locator("td").first).to_have_text(str(day["total"]["offered"]))
    expect(page.locator("#chart-contacts .chart-bar").first).to_be_visible()
    expect(page.locator("#chart-contacts desc")).to_contain_text(
        f"In all: {day['total']['offered']} offered"
    )
    expect(page.locator("#chart-service-level .chart-target")).to_have_count(2)  # and legend
    shoot(page, screenshots, "reports")

    page.get_by_label("Interval", exact=True).select_option("60")
    expect(page).to_have_url(re.compile(r"interval=60"))
    page.wait_for_load_state()  # the new page's script, which submits on change, has run
    expect(total.locator("td").first).to_have_text(str(day["total"]["offered"]))
    page.get_by_label("Channel", exact=True).select_option("chat")
    expect(page).to_have_url(re.compile(r"channel=chat"))
    chats = api.get("/reports/intraday", params={"channel": "chat"}).json()["total"]["offered"]
    expect(total.locator("td").first).to_have_text(str(chats))
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    download = page.request.get(href or "")
    assert download.ok
    assert download.text().startswith("start,end,offered,answered,abandoned")


def test_a_busy_board_for_the_screenshot(
    login: Login,
    server: LiveServer,
    api: httpx.Client,
    quiet: None,
    morning: None,
    screenshots: Any,
) -> None:
    sales, general = only_in(server, SALES), team(server, GENERAL)
    vip = next(c for c in server.data.customers
               if c.profile().vip and c.phones and not c.blacklisted)  # fmt: skip
    repair = next(c for c in server.data.customers if c.category == "in-repair" and c.phones)
    page = open_wallboard(login, server)
    # Two agents talking, one on lunch, one on a break; calls and chats waiting.
    for agent in sales[:2]:
        set_state(api, agent.id, "ready")
        contact = to_sales(api)
        expect(agent_row(page, agent.id).locator(".state")).to_have_text("Ringing")
        assert api.post(f"/contacts/{contact}/accept", json={"agent": agent.id}).status_code == 200
    set_state(api, sales[2].id, "not_ready", "lunch")
    set_state(api, general[-1].id, "not_ready", "break")
    regulars = [c for c in server.data.customers
                if c.category == "regular" and c.phones and not c.blacklisted]  # fmt: skip
    for customer in regulars[:2]:
        submit(api, access_point=SALES_NUMBER, sender=customer.phones[0], digits={"main": "1"})
    to_sales(api)
    to_general(api, priority=3)
    submit(api, access_point=CHAT_WIDGET, sender="visitor-42")
    submit(api, access_point=SUPPORT_NUMBER, sender=vip.phones[0])
    submit(api, access_point=SUPPORT_NUMBER, sender=repair.phones[0])
    expect(waiting(page, SALES)).to_have_text("3")
    page.locator("[data-line-queue]").select_option(SALES)
    expect(page.locator("[data-line] tr")).to_have_count(3)
    page.wait_for_timeout(1500)  # the times in state tick past 0:00
    shoot(page, screenshots, "wallboard")
