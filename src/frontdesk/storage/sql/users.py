"""Users, UI sessions and API tokens on SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import TenantId
from frontdesk.domain.users import ApiToken, Role, Session, User
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import api_tokens, sessions, users
from frontdesk.storage.sql.upsert import upsert


class SqlUsers:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def get(self, tenant: TenantId, user: str) -> User | None:
        return await self._one(users.c.id == user, tenant)

    async def by_username(self, tenant: TenantId, username: str) -> User | None:
        return await self._one(users.c.username == username, tenant)

    async def put(self, user: User) -> None:
        """Insert or replace; ConflictError ``user.exists`` if the username is taken."""
        holder = await self.by_username(user.tenant, user.username)
        if holder is not None and holder.id != user.id:
            raise ConflictError(
                f"username {user.username!r} is taken",
                code="user.exists",
                username=user.username,
            )
        row = {
            "tenant": user.tenant,
            "id": user.id,
            "username": user.username,
            "role": str(user.role),
            "password_hash": user.password_hash,
            "name": user.name,
            "agent": user.agent,
            "language": user.language,
            "active": user.active,
            "created_at": user.created_at,
        }
        await upsert(self._connection, users, row, ("tenant", "id"))

    async def all(self, tenant: TenantId) -> list[User]:
        """Ordered by username."""
        result = await self._connection.execute(
            sa.select(users).where(users.c.tenant == tenant).order_by(users.c.username)
        )
        return [_user(row) for row in result]

    async def add_session(self, session: Session) -> None:
        row = {
            "token_hash": session.token_hash,
            "tenant": session.tenant,
            "user_id": session.user,
            "csrf": session.csrf,
            "created_at": session.created_at,
            "expires_at": session.expires_at,
        }
        await upsert(self._connection, sessions, row, ("token_hash",))

    async def session(self, token_hash: str) -> Session | None:
        # Looked up by its hash alone: the session is what tells the tenant.
        result = await self._connection.execute(
            sa.select(sessions).where(sessions.c.token_hash == token_hash)
        )
        row = result.first()
        if row is None:
            return None
        return Session(
            token_hash=row.token_hash,
            tenant=row.tenant,
            user=row.user_id,
            csrf=row.csrf,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    async def delete_session(self, token_hash: str) -> None:
        await self._connection.execute(
            sa.delete(sessions).where(sessions.c.token_hash == token_hash)
        )

    async def add_token(self, token: ApiToken) -> None:
        row = {
            "tenant": token.tenant,
            "id": token.id,
            "name": token.name,
            "role": str(token.role),
            "token_hash": token.token_hash,
            "created_at": token.created_at,
            "created_by": token.created_by,
            "revoked": token.revoked,
        }
        await upsert(self._connection, api_tokens, row, ("tenant", "id"))

    async def token(self, token_hash: str) -> ApiToken | None:
        # Looked up by its hash alone: the token is what tells the tenant.
        result = await self._connection.execute(
            sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        )
        row = result.first()
        return None if row is None else _token(row)

    async def tokens(self, tenant: TenantId) -> list[ApiToken]:
        """Oldest first."""
        result = await self._connection.execute(
            sa.select(api_tokens)
            .where(api_tokens.c.tenant == tenant)
            .order_by(api_tokens.c.created_at, api_tokens.c.id)
        )
        return [_token(row) for row in result]

    async def revoke_token(self, tenant: TenantId, token: str) -> bool:
        """Whether the tenant has a token with the id ``token`` (now revoked)."""
        result = await self._connection.execute(
            sa.update(api_tokens)
            .where(api_tokens.c.tenant == tenant, api_tokens.c.id == token)
            .values(revoked=True)
        )
        return result.rowcount > 0

    async def _one(self, condition: sa.ColumnElement[bool], tenant: TenantId) -> User | None:
        result = await self._connection.execute(
            sa.select(users).where(users.c.tenant == tenant, condition)
        )
        row = result.first()
        return None if row is None else _user(row)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        tenant=row.tenant,
        username=row.username,
        role=Role(row.role),
        password_hash=row.password_hash,
        name=row.name,
        agent=row.agent,
        language=row.language,
        active=row.active,
        created_at=row.created_at,
    )


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        tenant=row.tenant,
        name=row.name,
        role=Role(row.role),
        token_hash=row.token_hash,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked=row.revoked,
    )
