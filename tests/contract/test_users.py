"""Users, their sessions and API tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import AgentId
from frontdesk.domain.repositories import Store
from frontdesk.domain.users import ApiToken, Role, Session, User
from tests.contract.samples import MOSCOW, T0, A, B, at

ANN = User(
    id="u1",
    tenant=A,
    username="ann",
    role=Role.SUPERVISOR,
    password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    name="Анна Смирнова",
    agent=AgentId("ann"),
    language="ru",
    active=True,
    created_at=T0.astimezone(MOSCOW),
)


def token(id: str, tenant: str = A, minute: float = 0) -> ApiToken:
    return ApiToken(
        id=id,
        tenant=A if tenant == A else B,
        name=f"crm-sync {id}",
        role=Role.ADMIN,
        token_hash=f"sha256:{id}",
        created_at=at(minute),
        created_by="ann",
    )


async def test_a_user_comes_back_by_id_and_by_username(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.put(ANN)
    async with store.transaction() as tx:
        assert await tx.users.get(A, "u1") == ANN
        assert await tx.users.by_username(A, "ann") == ANN
        assert await tx.users.get(A, "u2") is None
        assert await tx.users.by_username(A, "bob") is None


async def test_a_taken_username_is_a_conflict(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.put(ANN)
    with pytest.raises(ConflictError) as raised:
        async with store.transaction() as tx:
            await tx.users.put(User("u2", A, "ann", Role.AGENT, "other-hash"))
    assert raised.value.code == "user.exists"
    async with store.transaction() as tx:
        assert await tx.users.all(A) == [ANN]


async def test_put_replaces_a_user_who_may_keep_or_change_the_username(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.put(ANN)
        await tx.users.put(User("u2", A, "bob", Role.AGENT, "h"))
    demoted = replace(ANN, role=Role.AGENT, active=False)
    async with store.transaction() as tx:
        await tx.users.put(demoted)
    async with store.transaction() as tx:
        assert await tx.users.get(A, "u1") == demoted
        await tx.users.put(replace(demoted, username="anna"))
    async with store.transaction() as tx:
        assert await tx.users.by_username(A, "ann") is None
        assert [u.username for u in await tx.users.all(A)] == ["anna", "bob"]
        # The name set free may be taken by someone else.
        await tx.users.put(User("u3", A, "ann", Role.AGENT, "h"))


async def test_sessions_are_found_by_token_hash_until_deleted(store: Store) -> None:
    session = Session("hash-1", A, "u1", "csrf-1", at(0), at(60 * 12))
    async with store.transaction() as tx:
        await tx.users.put(ANN)
        await tx.users.add_session(session)
        await tx.users.add_session(Session("hash-2", A, "u1", "csrf-2", at(1), at(2)))
    async with store.transaction() as tx:
        assert await tx.users.session("hash-1") == session
        assert await tx.users.session("hash-9") is None
        await tx.users.delete_session("hash-1")
        await tx.users.delete_session("hash-9")
    async with store.transaction() as tx:
        assert await tx.users.session("hash-1") is None
        assert await tx.users.session("hash-2") is not None


async def test_tokens_are_found_by_hash_listed_and_revoked(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.add_token(token("t2", minute=2))
        await tx.users.add_token(token("t1", minute=1))
        await tx.users.add_token(token("tb", B))
    async with store.transaction() as tx:
        assert await tx.users.token("sha256:t1") == token("t1", minute=1)
        assert await tx.users.token("sha256:nope") is None
        assert [t.id for t in await tx.users.tokens(A)] == ["t1", "t2"]  # oldest first
        assert await tx.users.revoke_token(A, "t1") is True
        assert await tx.users.revoke_token(A, "nope") is False
    async with store.transaction() as tx:
        revoked = await tx.users.token("sha256:t1")
        assert revoked == replace(token("t1", minute=1), revoked=True)
        still = await tx.users.token("sha256:t2")
        assert still is not None
        assert not still.revoked


async def test_users_and_tokens_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.put(ANN)
        await tx.users.add_token(token("t1"))
    async with store.transaction() as tx:
        assert await tx.users.get(B, "u1") is None
        assert await tx.users.by_username(B, "ann") is None
        assert await tx.users.all(B) == []
        assert await tx.users.tokens(B) == []
        assert await tx.users.revoke_token(B, "t1") is False
        # The same username is free in another tenant.
        await tx.users.put(User("u9", B, "ann", Role.ADMIN, "h", created_at=T0 + timedelta(1)))
    async with store.transaction() as tx:
        stored = await tx.users.token("sha256:t1")
        assert stored is not None
        assert not stored.revoked
        b_ann = await tx.users.by_username(B, "ann")
        assert b_ann is not None
        assert b_ann.id == "u9"
        assert await tx.users.by_username(A, "ann") == ANN
