"""The contacts pages: the supervisors' search with its filters and pages, and one
contact's page with its timeline and routing explanation, open to whoever worked on it."""

from __future__ import annotations

import re

import httpx
import pytest

from frontdesk.web.container import Frontdesk
from frontdesk.web.ui.pages import contacts as contact_pages

from .conftest import CHAT, VOICE

CALLER = "+79161234567"


async def submit(
    frontdesk: Frontdesk, client: httpx.AsyncClient, access_point: str = VOICE, sender: str = CALLER
) -> str:
    answer = await client.post(
        "/api/v1/inbound", json={"access_point": access_point, "sender": sender}
    )
    assert answer.status_code == 201, answer.text
    await frontdesk.dispatcher.settle()
    contact: str = answer.json()["id"]
    return contact


def listed(page: httpx.Response) -> list[str]:
    """The contacts a search page lists, in order."""
    return re.findall(r'<td><a href="/contacts/([^"]+)">', page.text)


async def test_only_supervisors_search_contacts(
    anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    assert (await sofia.get("/contacts")).status_code == 200
    refused = await anna.get("/contacts")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.text


async def test_the_search_filters_by_channel_number_state_customer_and_day(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    customer = (
        await anna.post("/api/v1/customers", json={"name": "Иван Петров", "phones": [CALLER]})
    ).json()["id"]
    call = await submit(frontdesk, anna)
    chat = await submit(frontdesk, anna, CHAT, "web:visitor-7")
    everything = await sofia.get("/contacts")
    assert listed(everything) == [chat, call]
    assert "2 contacts found" in everything.text
    assert "+7 916 123-45-67" in everything.text
    assert listed(await sofia.get("/contacts?channel=chat")) == [chat]
    assert listed(await sofia.get("/contacts?number=8 (916) 123-45-67")) == [call]
    assert listed(await sofia.get("/contacts?number=web:visitor-7")) == [chat]
    assert listed(await sofia.get("/contacts?state=queued&state=offered")) == [chat, call]
    assert listed(await sofia.get("/contacts?state=closed")) == []
    assert listed(await sofia.get("/contacts?queue=main&agent=boris")) == []
    by_customer = await sofia.get(f"/contacts?customer={customer}")
    assert listed(by_customer) == [call]
    assert 'value="Иван Петров"' in by_customer.text  # the customer chosen, by name
    # the clock reads 09:00 UTC: 12:00 on 4 March in Moscow, the tenant's zone
    assert listed(await sofia.get("/contacts?from=2025-03-04&to=2025-03-04")) == [chat, call]
    assert listed(await sofia.get("/contacts?from=2025-03-05")) == []
    assert listed(await sofia.get("/contacts?to=2025-03-03")) == []


async def test_bad_filters_are_said_and_the_rest_still_searched(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    call = await submit(frontdesk, anna)
    page = await sofia.get("/contacts?state=bogus&channel=fax&from=yesterday")
    assert page.status_code == 200
    assert "Some of the states asked for do not exist." in page.text
    assert "There is no channel fax." in page.text
    assert "The first day is not a date." in page.text
    assert listed(page) == [call]
    page = await sofia.get("/contacts?from=2025-03-05&to=2025-03-04&page=x")
    assert "The first day is after the last day." in page.text


async def test_the_search_goes_a_page_at_a_time(
    frontdesk: Frontdesk,
    anna: httpx.AsyncClient,
    sofia: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contact_pages, "PAGE_SIZE", 2)
    made = [await submit(frontdesk, anna) for _ in range(5)]
    first = await sofia.get("/contacts?channel=voice")
    assert listed(first) == made[:-3:-1]
    assert "Page 1 of 3" in first.text
    assert 'href="/contacts?channel=voice&amp;page=2"' in first.text
    last = await sofia.get("/contacts?channel=voice&page=3")
    assert listed(last) == made[:1]
    assert 'href="/contacts?channel=voice&amp;page=2"' in last.text
    assert "page=4" not in last.text


async def test_a_contact_page_tells_its_timeline_and_why_it_went_there(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    assert (await anna.post("/api/v1/agents/anna/state", json={"state": "ready"})).is_success
    contact = await submit(frontdesk, anna)
    assert (await anna.post(f"/api/v1/contacts/{contact}/accept")).is_success
    await anna.post(
        f"/api/v1/contacts/{contact}/wrap-up",
        json={"disposition": "sale", "note": "Sold a kettle", "close": True},
    )
    page = await sofia.get(f"/contacts/{contact}")
    assert page.status_code == 200
    text = page.text
    assert "Call from +7 916 123-45-67" in text
    assert "Routed by the scenario" in text
    assert "Why it went there" in text
    assert "Rules looked at, in order:" in text
    assert "applies to everyone who gets this far" in text
    assert "agents of queue Main" in text
    assert "Offered to Anna." in text
    assert "Anna answered after 0:00 in line." in text
    assert "Result: Sale" in text
    assert "Note: Sold a kettle" in text
    assert "Waiting → Ringing" in text

    assert (await sofia.patch("/api/v1/auth/me", json={"language": "ru"})).is_success
    russian = (await sofia.get(f"/contacts/{contact}")).text
    assert "Почему обращение попало туда" in russian
    assert "Проверенные правила по порядку:" in russian
    assert "Вызов оператору Anna." in russian


async def test_agents_open_only_the_contacts_they_worked_on(
    frontdesk: Frontdesk,
    anna: httpx.AsyncClient,
    boris: httpx.AsyncClient,
) -> None:
    assert (await anna.post("/api/v1/agents/anna/state", json={"state": "ready"})).is_success
    contact = await submit(frontdesk, anna)  # offered to anna, the only one ready
    assert (await anna.get(f"/contacts/{contact}")).status_code == 200
    refused = await boris.get(f"/contacts/{contact}")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.text


async def test_a_contact_that_does_not_exist_is_the_404_page(sofia: httpx.AsyncClient) -> None:
    page = await sofia.get("/contacts/nothing-here")
    assert page.status_code == 404
    assert "There is nothing here" in page.text
