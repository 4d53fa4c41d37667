"""The customers pages: who may open them, what the card shows, and addresses that lead
nowhere."""

from __future__ import annotations

from typing import Any

import httpx

from frontdesk.web.container import Frontdesk

from .conftest import VOICE

CALLER = "+79161234567"


async def new_customer(client: httpx.AsyncClient, **fields: Any) -> str:
    answer = await client.post(
        "/api/v1/customers", json={"name": "Иван Петров", "phones": [CALLER], **fields}
    )
    assert answer.status_code == 201, answer.text
    customer: str = answer.json()["id"]
    return customer


async def served(frontdesk: Frontdesk, anna: httpx.AsyncClient, note: str) -> str:
    """A call from the customer's number that anna answers and closes with a sale."""
    assert (await anna.post("/api/v1/agents/anna/state", json={"state": "ready"})).is_success
    answer = await anna.post("/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER})
    contact: str = answer.json()["id"]
    await frontdesk.dispatcher.settle()
    assert (await anna.post(f"/api/v1/contacts/{contact}/accept")).is_success
    closed = await anna.post(
        f"/api/v1/contacts/{contact}/wrap-up",
        json={"disposition": "sale", "note": note, "close": True},
    )
    assert closed.status_code == 200, closed.text
    return contact


async def test_the_search_page_asks_to_sign_in_first(client: httpx.AsyncClient) -> None:
    answer = await client.get("/customers?q=petrov")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcustomers%3Fq%3Dpetrov"


async def test_everyone_searches_and_only_admins_get_the_csv_files(
    anna: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    page = await anna.get("/customers?q=<b>Petrov</b>")
    assert page.status_code == 200
    assert 'value="&lt;b&gt;Petrov&lt;/b&gt;"' in page.text  # what was searched, escaped
    assert "New customer" in page.text
    assert "Import from CSV" not in page.text
    assert "/api/v1/customers/export" not in page.text
    page = await admin.get("/customers")
    assert "Import from CSV" in page.text
    assert 'href="/api/v1/customers/export"' in page.text


async def test_the_card_shows_the_customer_notes_purchases_and_callbacks(
    anna: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.put("/api/v1/categories/regular", json={"name": {"en": "Regular", "ru": "Обычный"}})
    customer = await new_customer(
        anna, category="regular", manager="boris", fields={"city": "Казань"}
    )
    await anna.post(f"/api/v1/customers/{customer}/notes", json={"text": "Prefers e-mail"})
    await anna.post(
        f"/api/v1/customers/{customer}/purchases",
        json={"amount": "1234.5", "description": "Робот-пылесос", "order_no": "ORD-7"},
    )
    await anna.post(
        "/api/v1/callbacks",
        json={"number": CALLER, "due_at": "2025-03-05T09:00:00Z", "customer": customer,
              "note": "about the order"},
    )  # fmt: skip
    page = await anna.get(f"/customers/{customer}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Иван Петров</h1>" in text
    assert "+7 916 123-45-67" in text
    assert "Prefers e-mail" in text
    assert "ORD-7" in text
    assert "RUB1,234.50" in text
    assert "Boris" in text  # the personal manager by name
    assert "Казань" in text
    assert "about the order" in text
    assert "Merge a duplicate" in text  # the API lets anyone with customers.write merge

    assert (await anna.patch("/api/v1/auth/me", json={"language": "ru"})).is_success
    page = await anna.get(f"/customers/{customer}")
    assert "Обычный" in page.text  # the category's own name in the reader's language
    assert "1\xa0234,50\xa0₽" in page.text  # money as a Russian reader writes it
    assert "Заметки" in page.text


async def test_a_customer_that_does_not_exist_is_the_404_page(anna: httpx.AsyncClient) -> None:
    page = await anna.get("/customers/nobody")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is nothing here" in page.text


async def test_a_merged_record_opens_the_one_it_went_into(anna: httpx.AsyncClient) -> None:
    kept = await new_customer(anna)
    duplicate = await new_customer(anna, name="Ivan Petrov", phones=["+79031112233"])
    merged = await anna.post(f"/api/v1/customers/{kept}/merge", json={"duplicate": duplicate})
    assert merged.status_code == 200, merged.text
    answer = await anna.get(f"/customers/{duplicate}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/customers/{kept}?merged={duplicate}"
    page = await anna.get(answer.headers["location"])
    assert "was merged into this one" in page.text
    assert "+7 903 111-22-33" in page.text


async def test_the_timeline_links_the_contacts_each_viewer_may_open(
    frontdesk: Frontdesk,
    anna: httpx.AsyncClient,
    boris: httpx.AsyncClient,
    sofia: httpx.AsyncClient,
) -> None:
    customer = await new_customer(anna)
    closed = await served(frontdesk, anna, "Sold a kettle")
    waiting = (
        await anna.post("/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER})
    ).json()["id"]
    await frontdesk.dispatcher.settle()

    supervisor = (await sofia.get(f"/customers/{customer}")).text
    assert "Sold a kettle" in supervisor
    assert f'href="/contacts/{closed}"' in supervisor
    assert f'href="/contacts/{waiting}"' in supervisor  # not in the history yet, but shown
    assert "Search their contacts" in supervisor

    served_it = (await anna.get(f"/customers/{customer}")).text
    assert f'href="/contacts/{closed}"' in served_it

    other = (await boris.get(f"/customers/{customer}")).text
    assert "Sold a kettle" in other  # the history is the customer's
    assert f'href="/contacts/{closed}"' not in other  # the contact was never boris's
    assert f'href="/contacts/{waiting}"' not in other
    assert "Search their contacts" not in other


async def test_a_history_size_that_is_not_a_number_is_the_usual_one(
    anna: httpx.AsyncClient,
) -> None:
    customer = await new_customer(anna)
    for size in ("abc", "-3", "0", "99999"):
        page = await anna.get(f"/customers/{customer}?history={size}")
        assert page.status_code == 200, size
        assert "Иван Петров" in page.text
