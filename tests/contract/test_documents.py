"""Configuration documents by kind and key: JSON bodies stored as given."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.repositories import Store
from tests.contract.samples import A, B

QUEUE: dict[str, Any] = {
    "name": "Продажи",
    "service_level": {"percent": 80.0, "seconds": 20},
    "overflow": None,
    "steps": [{"require": "skill('sales') >= 3", "timeout": 30}, {"require": "true"}],
    "vip": True,
}


async def test_a_document_comes_back_as_it_was_put(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.documents.put(A, "queue", "sales", QUEUE)
    async with store.transaction() as tx:
        assert await tx.documents.get(A, "queue", "sales") == QUEUE
        assert await tx.documents.get(A, "queue", "billing") is None
        assert await tx.documents.get(A, "calendar", "sales") is None


async def test_put_replaces_and_delete_reports_whether_there_was_one(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.documents.put(A, "queue", "sales", QUEUE)
        await tx.documents.put(A, "queue", "sales", {"name": "Sales"})
    async with store.transaction() as tx:
        assert await tx.documents.get(A, "queue", "sales") == {"name": "Sales"}
        assert await tx.documents.delete(A, "queue", "sales") is True
        assert await tx.documents.delete(A, "queue", "sales") is False
    async with store.transaction() as tx:
        assert await tx.documents.get(A, "queue", "sales") is None


async def test_all_returns_one_kind_by_key_in_key_order(store: Store) -> None:
    async with store.transaction() as tx:
        for key in ("support", "billing", "sales"):
            await tx.documents.put(A, "queue", key, {"name": key})
        await tx.documents.put(A, "calendar", "office", {"tz": "Europe/Moscow"})
    async with store.transaction() as tx:
        queues = await tx.documents.all(A, "queue")
        assert list(queues) == ["billing", "sales", "support"]
        assert queues["sales"] == {"name": "sales"}
        assert await tx.documents.all(A, "calendar") == {"office": {"tz": "Europe/Moscow"}}
        assert await tx.documents.all(A, "list") == {}


async def test_changing_a_body_after_put_does_not_change_the_stored_one(store: Store) -> None:
    body: dict[str, Any] = {"numbers": ["+79161234567"]}
    async with store.transaction() as tx:
        await tx.documents.put(A, "list", "blacklist", body)
    body["numbers"].append("+70000000000")
    async with store.transaction() as tx:
        stored = await tx.documents.get(A, "list", "blacklist")
    assert stored == {"numbers": ["+79161234567"]}


async def test_documents_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.documents.put(A, "queue", "sales", QUEUE)
    async with store.transaction() as tx:
        assert await tx.documents.get(B, "queue", "sales") is None
        assert await tx.documents.all(B, "queue") == {}
        assert await tx.documents.delete(B, "queue", "sales") is False
        await tx.documents.put(B, "queue", "sales", {"name": "B sales"})
    async with store.transaction() as tx:
        assert await tx.documents.get(A, "queue", "sales") == QUEUE
        assert await tx.documents.get(B, "queue", "sales") == {"name": "B sales"}
