"""The audit log: every entry numbered, read newest first."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.repositories import AuditFilter, Store
from tests.contract.samples import MOSCOW, A, B, at


def entry(n: int, tenant: str = A) -> AuditEntry:
    return AuditEntry(
        tenant=A if tenant == A else B,
        at=at(n),
        actor="ann",
        action="update",
        kind="queue",
        key=f"q{n}",
        before={"name": f"old {n}", "steps": [1, 2]},
        after={"name": f"new {n}", "steps": [], "vip": None},
    )


async def test_entries_come_back_newest_first_with_increasing_seq(store: Store) -> None:
    async with store.transaction() as tx:
        for n in (1, 2, 3):
            await tx.audit.add(entry(n))
    async with store.transaction() as tx:
        entries = await tx.audit.all(A)
    assert [e.key for e in entries] == ["q3", "q2", "q1"]
    assert entries[0].seq > entries[1].seq > entries[2].seq > 0
    assert entries[2] == replace(entry(1), seq=entries[2].seq)


async def test_an_entry_without_bodies_keeps_them_empty(store: Store) -> None:
    login = AuditEntry(A, at(1).astimezone(MOSCOW), "token:crm", "login", "user", "u1")
    async with store.transaction() as tx:
        await tx.audit.add(login)
    async with store.transaction() as tx:
        (stored,) = await tx.audit.all(A)
    assert stored == replace(login, seq=stored.seq)
    assert stored.before is None
    assert stored.after is None


async def test_audit_is_read_a_page_at_a_time(store: Store) -> None:
    async with store.transaction() as tx:
        for n in range(1, 8):
            await tx.audit.add(entry(n))
    async with store.transaction() as tx:
        assert [e.key for e in await tx.audit.all(A, limit=3)] == ["q7", "q6", "q5"]
        assert [e.key for e in await tx.audit.all(A, limit=3, offset=3)] == ["q4", "q3", "q2"]
        assert [e.key for e in await tx.audit.all(A, limit=3, offset=6)] == ["q1"]


async def test_audit_of_one_tenant_is_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.audit.add(entry(1))
        await tx.audit.add(entry(2, B))
        await tx.audit.add(entry(3))
    async with store.transaction() as tx:
        assert [e.key for e in await tx.audit.all(A)] == ["q3", "q1"]
        assert [e.key for e in await tx.audit.all(B)] == ["q2"]


async def test_audit_is_searched_by_actor_kind_action_key_and_period(store: Store) -> None:
    async with store.transaction() as tx:
        for n in range(1, 7):
            await tx.audit.add(
                replace(
                    entry(n),
                    actor="ann" if n % 2 else "bob",
                    kind="queues" if n <= 3 else "user",
                    action="create" if n in (1, 4) else "update",
                )
            )
        await tx.audit.add(replace(entry(7, B), actor="ann", kind="queues"))
    async with store.transaction() as tx:

        async def keys(where: AuditFilter) -> list[str]:
            return [e.key for e in await tx.audit.all(A, where=where)]

        assert await keys(AuditFilter(actor="ann")) == ["q5", "q3", "q1"]
        assert await keys(AuditFilter(kind="queues")) == ["q3", "q2", "q1"]
        assert await keys(AuditFilter(kind="user", action="create")) == ["q4"]
        assert await keys(AuditFilter(key="q2")) == ["q2"]
        assert await keys(AuditFilter(since=at(2), until=at(4))) == ["q3", "q2"]
        assert await keys(AuditFilter(actor="bob", since=at(3))) == ["q6", "q4"]
        assert await keys(AuditFilter(actor="nobody")) == []
        assert await keys(AuditFilter(skip_actions=frozenset({"update"}))) == ["q4", "q1"]
        only_updates = AuditFilter(kind="user", skip_actions=frozenset({"create", "login"}))
        assert await keys(only_updates) == ["q6", "q5"]
        paged = await tx.audit.all(A, limit=1, offset=1, where=AuditFilter(actor="ann"))
        assert [e.key for e in paged] == ["q3"]
