"""The built-in CRM through the API: records, card, purchases, notes, merges, CSV files."""

from __future__ import annotations

from typing import Any

import httpx

from frontdesk.web.container import Frontdesk

from .conftest import Session, assert_problem, customer_count

IVAN = {
    "name": "Ivan Petrov",
    "company": "Acme",
    "phones": ["8 916 123-45-67"],
    "emails": ["Ivan@Example.COM"],
    "languages": ["ru", "en"],
}


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    answer = await client.post("/api/v1/customers", json={**IVAN, **fields})
    assert answer.status_code == 201, answer.text
    customer: dict[str, Any] = answer.json()
    return customer


async def test_a_customer_is_created_found_and_updated(anna: httpx.AsyncClient) -> None:
    ivan = await create(anna)
    assert ivan["phones"] == ["+79161234567"]
    assert ivan["emails"] == ["Ivan@example.com"]  # the domain is case-blind
    assert ivan["languages"] == ["en", "ru"]
    found = (await anna.get("/api/v1/customers", params={"q": "+7 (916) 123 45 67"})).json()
    assert found[0]["id"] == ivan["id"]
    assert (await anna.get("/api/v1/customers")).json()[0]["id"] == ivan["id"]
    updated = await anna.put(f"/api/v1/customers/{ivan['id']}", json={**IVAN, "vip": True})
    assert updated.json()["vip"] is True
    assert (await anna.get(f"/api/v1/customers/{ivan['id']}")).json()["vip"] is True


async def test_unknown_customers_are_404s(anna: httpx.AsyncClient, frontdesk: Frontdesk) -> None:
    assert_problem(await anna.get("/api/v1/customers/nobody"), 404, "customer.not_found")
    assert_problem(await anna.put("/api/v1/customers/nobody", json=IVAN), 404, "customer.not_found")
    assert await customer_count(frontdesk) == 0


async def test_an_invalid_phone_is_refused_and_nothing_is_stored(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    answer = await anna.post("/api/v1/customers", json={**IVAN, "phones": ["12ab"]})
    assert_problem(answer, 422, "customer.invalid_phone")
    assert await customer_count(frontdesk) == 0


async def test_a_phone_of_another_customer_is_a_conflict(
    anna: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await create(anna)
    answer = await anna.post("/api/v1/customers", json={**IVAN, "name": "Someone Else"})
    assert_problem(answer, 409, "customer.identity_taken")
    assert await customer_count(frontdesk) == 1


async def test_the_card_gathers_purchases_notes_and_pending_callbacks(
    anna: httpx.AsyncClient,
) -> None:
    ivan = (await create(anna))["id"]
    purchase = await anna.post(
        f"/api/v1/customers/{ivan}/purchases",
        json={"amount": "1299.90", "description": "headphones"},
    )
    assert purchase.status_code == 201
    assert purchase.json()["amount"] == "1299.90"
    note = await anna.post(f"/api/v1/customers/{ivan}/notes", json={"text": "prefers e-mail"})
    assert note.json()["author"] == "anna"
    await anna.post(
        "/api/v1/callbacks",
        json={"number": "+79161234567", "customer": ivan, "due_at": "2025-03-04T12:00:00+03:00"},
    )
    card = (await anna.get(f"/api/v1/customers/{ivan}/card")).json()
    assert card["customer"]["id"] == ivan
    assert [p["description"] for p in card["purchases"]] == ["headphones"]
    assert [n["text"] for n in card["notes"]] == ["prefers e-mail"]
    assert len(card["callbacks"]) == 1
    assert (await anna.get(f"/api/v1/customers/{ivan}/history")).json() == []
    empty = await anna.post(f"/api/v1/customers/{ivan}/notes", json={"text": "  "})
    assert_problem(empty, 422, "customer.note_empty")


async def test_merging_keeps_everything_both_records_knew(anna: httpx.AsyncClient) -> None:
    kept = await create(anna)
    duplicate = await create(anna, name="I. Petrov", phones=["+79035550000"], emails=[])
    answer = await anna.post(
        f"/api/v1/customers/{kept['id']}/merge", json={"duplicate": duplicate["id"]}
    )
    assert answer.status_code == 200
    assert answer.json()["phones"] == ["+79161234567", "+79035550000"]
    gone = (await anna.get(f"/api/v1/customers/{duplicate['id']}")).json()
    assert gone["merged_into"] == kept["id"]
    itself = await anna.post(
        f"/api/v1/customers/{kept['id']}/merge", json={"duplicate": kept["id"]}
    )
    assert_problem(itself, 409, "customer.merge_self")


async def test_customers_import_from_csv_and_export_to_it(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    csv = "name,phones,vip\nIvan Petrov,+79161234567,yes\n,+79035550000,no\nAnna Smith,,maybe\n"
    answer = await admin.post(
        "/api/v1/customers/import", content=csv.encode(), headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["created"], report["updated"]) == (1, 0)
    assert [(e["line"], e["code"]) for e in report["errors"]] == [
        (3, "customer.name_required"),
        (4, "csv.invalid_boolean"),
    ]
    assert await customer_count(frontdesk) == 1
    exported = await admin.get("/api/v1/customers/export")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert "Ivan Petrov" in exported.text
    assert "+79161234567" in exported.text
    again = await admin.post(
        "/api/v1/customers/import", content=exported.content, headers={"content-type": "text/csv"}
    )
    assert (again.json()["unchanged"], again.json()["errors"]) == (1, [])


async def test_files_need_the_import_permission_and_a_csv_body(
    admin: httpx.AsyncClient, session: Session, frontdesk: Frontdesk
) -> None:
    sofia = await session("sofia")
    assert_problem(await sofia.get("/api/v1/customers/export"), 403, "auth.forbidden")
    as_json = await admin.post("/api/v1/customers/import", json={"name": "Ivan"})
    assert_problem(as_json, 415, "request.unsupported_media_type")
    assert await customer_count(frontdesk) == 0
