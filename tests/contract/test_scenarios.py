"""Scenario versions: numbered per tenant; the one published last is in force."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.repositories import Store
from frontdesk.domain.scenarios import ScenarioVersion
from tests.contract.samples import MOSCOW, A, B, at


def version(n: int, tenant: str = A) -> ScenarioVersion:
    return ScenarioVersion(
        tenant=A if tenant == A else B,
        version=n,
        text=f"version: {n}\nrules:\n  - when: true\n    queue: sales\n",
        created_at=at(n),
        author="ann",
        comment=f"правка {n}",
    )


async def test_a_tenant_starts_with_no_scenario(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.scenarios.latest_version(A) == 0
        assert await tx.scenarios.published(A) is None
        assert await tx.scenarios.all(A) == []
        assert await tx.scenarios.get(A, 1) is None


async def test_versions_are_kept_and_listed_in_order(store: Store) -> None:
    async with store.transaction() as tx:
        for n in (2, 1, 3):
            await tx.scenarios.add(version(n))
    async with store.transaction() as tx:
        assert await tx.scenarios.latest_version(A) == 3
        assert await tx.scenarios.get(A, 2) == version(2)
        assert await tx.scenarios.all(A) == [version(1), version(2), version(3)]
        assert await tx.scenarios.published(A) is None


async def test_adding_a_version_number_twice_is_a_conflict(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.scenarios.add(version(1))
    with pytest.raises(ConflictError) as raised:
        async with store.transaction() as tx:
            await tx.scenarios.add(version(1))
    assert raised.value.code == "scenario.exists"


async def test_the_version_published_last_is_in_force(store: Store) -> None:
    async with store.transaction() as tx:
        for n in (1, 2, 3):
            await tx.scenarios.add(version(n))
        await tx.scenarios.mark_published(A, 2, at(10))
    async with store.transaction() as tx:
        published = await tx.scenarios.published(A)
        assert published is not None
        assert (published.version, published.published_at) == (2, at(10))
        await tx.scenarios.mark_published(A, 3, at(20).astimezone(MOSCOW))
    async with store.transaction() as tx:
        published = await tx.scenarios.published(A)
        assert published is not None
        assert (published.version, published.published_at) == (3, at(20))
        # Rolling back to an older version is publishing it again.
        await tx.scenarios.mark_published(A, 1, at(30))
    async with store.transaction() as tx:
        published = await tx.scenarios.published(A)
        assert published is not None
        assert published.version == 1
        assert published.text == version(1).text


async def test_publishing_a_missing_version_is_not_found(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.scenarios.add(version(1))
    with pytest.raises(NotFoundError) as raised:
        async with store.transaction() as tx:
            await tx.scenarios.mark_published(A, 7, at(1))
    assert raised.value.code == "scenario.not_found"


async def test_scenarios_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.scenarios.add(version(1))
        await tx.scenarios.add(version(2))
        await tx.scenarios.mark_published(A, 2, at(5))
    async with store.transaction() as tx:
        assert await tx.scenarios.latest_version(B) == 0
        assert await tx.scenarios.published(B) is None
        assert await tx.scenarios.get(B, 1) is None
        assert await tx.scenarios.all(B) == []
        await tx.scenarios.add(version(1, B))
    async with store.transaction() as tx:
        assert await tx.scenarios.latest_version(B) == 1
        assert await tx.scenarios.latest_version(A) == 2
