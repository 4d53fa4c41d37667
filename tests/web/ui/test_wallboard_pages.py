"""The wallboard and reports pages: who may open them, what they bring, the charts."""

from __future__ import annotations

import json
import re

import httpx

from frontdesk.web.container import Frontdesk

from ..conftest import ACME
from ..test_reports import a_morning

NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM and PM


def page_data(html: str) -> dict[str, object]:
    script = r'<script type="application/json" id="wallboard-data">(.*?)</script>'
    found = re.search(script, html, re.S)
    assert found, "the wallboard's data is in the page"
    data: dict[str, object] = json.loads(found.group(1))
    return data


async def test_supervisors_open_the_wallboard_with_names_and_levels(
    sofia: httpx.AsyncClient,
) -> None:
    answer = await sofia.get("/wallboard")
    assert answer.status_code == 200
    html = answer.text
    data = page_data(html)
    assert data["reasons"] == {"break": "Break"}
    assert data["levels"] == {
        "service_level": {"warn": 80.0, "alarm": 60.0, "less_is_worse": True},
        "longest_wait": {"warn": 30.0, "alarm": 120.0, "less_is_worse": False},
        "waiting": {"warn": 5.0, "alarm": 10.0, "less_is_worse": False},
    }
    assert (data["can_force"], data["can_colour"]) == (True, False)
    assert 'id="wb-force"' in html
    assert 'id="wb-colours"' not in html  # only admins set the colours
    assert "Listening to calls comes with the voice channel." in html
    assert '<script type="module" src="/static/js/pages/wallboard.js">' in html
    assert 'href="/static/css/wallboard.css"' in html


async def test_admins_get_the_colours_dialog_with_the_stored_levels(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await frontdesk.configuration.put(
        ACME, "settings", "wallboard", {"longest_wait": {"warn": "45s", "alarm": "3m"}}, "cli"
    )
    html = (await admin.get("/wallboard")).text
    assert page_data(html)["can_colour"] is True
    assert 'id="wb-longest_wait-warn" name="longest_wait.warn"' in html
    assert re.search(r'name="longest_wait.warn"[^>]*value="45"', html)
    assert re.search(r'name="longest_wait.alarm"[^>]*value="180"', html)


async def test_tv_mode_opens_from_the_address(sofia: httpx.AsyncClient) -> None:
    html = (await sofia.get("/wallboard?tv=1")).text
    assert re.search(r'<body class="wallboard-body tv">', html)
    assert 'data-tv aria-pressed="true"' in html


async def test_agents_may_open_neither_page(anna: httpx.AsyncClient) -> None:
    for path in ("/wallboard", "/reports"):
        answer = await anna.get(path)
        assert answer.status_code == 403
        assert "You do not have access to this page" in answer.text


async def test_the_report_page_draws_the_days_contacts(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    await a_morning(frontdesk, anna, sofia)
    answer = await sofia.get("/reports?day=2025-03-04&interval=60")
    assert answer.status_code == 200
    html = answer.text
    for chart in ("chart-contacts", "chart-service-level", "chart-asa"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert '<title id="chart-contacts-title">Contacts per interval</title>' in html
    assert "In all: 3 offered, 1 answered, 1 abandoned." in html
    noon = f"12:00{NNBSP}PM–1:00{NNBSP}PM"
    assert f"{noon}: 3 offered, 1 answered, 1 abandoned" in html  # a bar's tooltip
    assert html.count('<rect class="series-') >= 3 + 3  # three parts, three legend boxes
    assert "Target 80%" in html
    row = re.search(rf"<th scope=\"row\">12:00{NNBSP}PM–1:00{NNBSP}PM</th>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(1))
    assert cells == ["3", "1", "1", "1", "33.3%", "0:05"]
    assert "/api/v1/reports/intraday?day=2025-03-04&amp;interval=60&amp;format=csv" in html
    assert 'href="/reports?day=2025-03-03&amp;interval=60"' in html  # the day before
    # The working hours 08:00–20:00 are shown, not the night.
    assert f"8:00{NNBSP}AM–9:00{NNBSP}AM" in html
    assert f"7:00{NNBSP}AM–8:00{NNBSP}AM" not in html


async def test_the_report_page_speaks_russian_and_names_bad_filters(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    await a_morning(frontdesk, anna, sofia)
    assert (await sofia.patch("/api/v1/auth/me", json={"language": "ru"})).status_code == 200
    answer = await sofia.get("/reports?day=2025-13-01&queue=nope&interval=7&channel=chat")
    assert answer.status_code == 200
    html = answer.text
    assert "«2025-13-01» — не дата" in html or "2025-13-01" in html
    assert html.count('class="banner"') == 3
    assert '<title id="chart-contacts-title">Обращения по интервалам</title>' in html
    # Today, chats only: the one chat is waiting.
    assert 'value="chat" selected' in html
    assert "В целом: поступило 1, отвечено 0, потеряно 0." in html


async def test_a_day_without_contacts_has_empty_charts(sofia: httpx.AsyncClient) -> None:
    html = (await sofia.get("/reports?day=2025-03-01")).text
    assert "In all: 0 offered, 0 answered, 0 abandoned." in html
    assert '<g class="chart-bar">' not in html
    assert '<circle class="chart-dot' not in html
    assert "banner" not in html
