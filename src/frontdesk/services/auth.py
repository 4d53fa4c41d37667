"""Who is calling and what they may do: users, logins, sessions and API tokens.

No HTTP here. The web layer reads the session cookie or the ``Authorization: Bearer``
token, asks ``AuthService.session`` or ``AuthService.token`` for the ``Principal``,
calls ``check_csrf`` on unsafe requests, and maps the error codes to statuses:
``auth.required`` and ``auth.invalid_credentials`` → 401, ``auth.forbidden`` and
``auth.csrf`` → 403, ``auth.rate_limited`` → 429 (``details["retry_after"]`` seconds).

Session and API tokens are random and long, so a SHA-256 digest is enough to store
them: only the digest is kept, and the raw token is returned once to its owner.
Passwords are low in entropy and get Argon2id instead (``services.passwords``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum
from typing import Any, Literal

from argon2 import PasswordHasher

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import ConflictError, FrontdeskError, NotFoundError, ValidationError
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Store, Tenant, Transaction
from frontdesk.domain.users import ApiToken, Role, Session, User, allows
from frontdesk.services.ids import new_id
from frontdesk.services.passwords import Passwords
from frontdesk.services.ratelimit import FailureLimiter

TOKEN_PREFIX = "fd_"
MAX_TOKEN_NAME = 100
_USERNAME = re.compile(r"[a-z0-9._@-]{3,64}")


class Unauthenticated(FrontdeskError):  # noqa: N818 - named after the refusal the client sees
    """No valid session or token, or a failed login (code ``auth.invalid_credentials``)."""

    code = "auth.required"


class Forbidden(FrontdeskError):  # noqa: N818 - named after the refusal the client sees
    """The caller is known but may not do this (or sent a wrong CSRF token: ``auth.csrf``)."""

    code = "auth.forbidden"


class RateLimited(FrontdeskError):  # noqa: N818 - named after the refusal the client sees
    """Too many failed logins; ``details["retry_after"]`` holds the whole seconds to wait."""

    code = "auth.rate_limited"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request: a logged-in user or an API token."""

    tenant: TenantId
    user: str | None  # the user id; None for an API token
    name: str  # the username, or the token's name
    role: Role
    kind: Literal["session", "token"]
    agent: AgentId | None = None  # the agent profile a user works as
    csrf: str = field(default="", repr=False)  # the session's CSRF token; "" for a token
    language: str = "en"  # the user's UI language

    @property
    def actor(self) -> str:
        """How the audit log names this caller: the username, or ``token:<name>``."""
        return self.name if self.kind == "session" else f"token:{self.name}"

    def can(self, permission: str) -> bool:
        return allows(self.role, permission)

    def require(self, permission: str) -> None:
        """Forbidden (``auth.forbidden``) unless the role holds ``permission``."""
        if not self.can(permission):
            raise Forbidden(
                f"{self.actor} ({self.role}) may not do this: it needs {permission!r}",
                permission=permission,
            )


class Keep(Enum):
    """The type of ``KEEP``."""

    KEEP = "keep"


#: "Leave it as it is", for ``update_user`` fields where None is a value (the agent).
KEEP = Keep.KEEP


def normalise_username(text: str) -> str:
    """The stored form of a username: stripped, lower case, 3–64 of ``a-z 0-9 . _ @ -``;
    ValidationError ``user.invalid_username`` otherwise."""
    username = text.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise ValidationError(
            f"a username is 3 to 64 characters of a-z, 0-9, '.', '_', '@' and '-', not {text!r}",
            code="user.invalid_username",
            field="username",
            username=text,
        )
    return username


class AuthService:
    """Users, passwords, sessions and API tokens of every tenant.

    Refusals about one field of a user or a token name it in ``details["field"]``
    (``username``, ``password``, ``agent``, ``name``), so a form can show them there.

    Changes to users and tokens take an ``actor``: a ``Principal``, which must belong
    to the tenant and hold ``admin`` (else Forbidden), or a plain string naming a
    trusted caller such as ``"cli"`` that has no principal. Each change is audited
    under the actor's name, never with a password hash or a token.

    Failed logins are counted in this process only (see ``FailureLimiter``): more
    than ``login_limit`` within ``login_window`` for one username of a tenant, or from
    one client, are refused with RateLimited until the oldest failure is older than
    the window — even with the right password.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        hasher: PasswordHasher | None = None,
        session_ttl: timedelta = timedelta(hours=12),
        login_limit: int = 5,
        login_window: timedelta = timedelta(minutes=5),
    ) -> None:
        self._store = store
        self._clock = clock
        self._passwords = Passwords(hasher)
        self._session_ttl = session_ttl
        self._failures = FailureLimiter(login_limit, login_window)

    async def ensure_tenant(self, tenant: TenantId, name: str) -> Tenant:
        """The tenant, created with ``name`` if it does not exist yet."""
        async with self._store.transaction() as tx:
            existing = await tx.tenants.get(tenant)
            if existing is not None:
                return existing
            created = Tenant(id=tenant, name=name, created_at=self._clock.now())
            await tx.tenants.put(created)
        return created

    # Users

    async def create_user(
        self,
        tenant: TenantId,
        username: str,
        password: str,
        role: Role,
        *,
        name: str = "",
        agent: AgentId | None = None,
        language: str = "en",
        actor: Principal | str,
    ) -> User:
        """A new active user. ValidationError ``user.invalid_username``,
        ``user.weak_password`` or ``user.unknown_agent``; ConflictError ``user.exists``
        when the tenant already has the username."""
        actor_name = _authorise(actor, tenant)
        username = normalise_username(username)
        password_hash = self._passwords.hash(password)
        now = self._clock.now()
        user = User(
            id=new_id(),
            tenant=tenant,
            username=username,
            role=role,
            password_hash=password_hash,
            name=name.strip(),
            agent=agent,
            language=language,
            created_at=now,
        )
        async with self._store.transaction() as tx:
            if await tx.users.by_username(tenant, username) is not None:
                raise ConflictError(
                    f"there is already a user {username!r}",
                    code="user.exists",
                    field="username",
                    username=username,
                )
            await _check_agent(tx, tenant, agent)
            await tx.users.put(user)
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=now,
                    actor=actor_name,
                    action="create",
                    kind="user",
                    key=user.id,
                    after=_record(user),
                )
            )
        return user

    async def update_user(
        self,
        tenant: TenantId,
        user_id: str,
        *,
        role: Role | None = None,
        name: str | None = None,
        agent: AgentId | Keep | None = KEEP,
        language: str | None = None,
        active: bool | None = None,
        password: str | None = None,
        actor: Principal | str,
    ) -> User:
        """Change the given fields (None or ``KEEP``: unchanged). NotFoundError
        ``user.not_found``; ValidationError ``user.weak_password`` or
        ``user.unknown_agent``; ConflictError ``user.last_admin`` when no active admin
        would be left. A deactivated user's sessions stop working at once."""
        actor_name = _authorise(actor, tenant)
        password_hash = None if password is None else self._passwords.hash(password)
        async with self._store.transaction() as tx:
            before = await tx.users.get(tenant, user_id)
            if before is None:
                raise NotFoundError(f"there is no user {user_id!r}", code="user.not_found")
            after = replace(
                before,
                role=before.role if role is None else role,
                name=before.name if name is None else name.strip(),
                language=before.language if language is None else language,
                active=before.active if active is None else active,
                password_hash=before.password_hash if password_hash is None else password_hash,
            )
            if agent is not KEEP:
                await _check_agent(tx, tenant, agent)
                after = replace(after, agent=agent)
            if _is_admin(before) and not _is_admin(after):
                others = [u for u in await tx.users.all(tenant) if u.id != user_id]
                if not any(_is_admin(u) for u in others):
                    raise ConflictError(
                        f"{before.username!r} is the last active admin of the tenant",
                        code="user.last_admin",
                    )
            await tx.users.put(after)
            record = _record(after)
            if password_hash is not None:
                record["password_changed"] = True
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=self._clock.now(),
                    actor=actor_name,
                    action="update",
                    kind="user",
                    key=user_id,
                    before=_record(before),
                    after=record,
                )
            )
        return after

    async def set_language(self, principal: Principal, language: str) -> User:
        """The signed-in user's own UI language: a preference, not an administrative
        change, so it needs no admin and is not audited. NotFoundError
        ``user.not_found`` for an API token or a user removed meanwhile."""
        async with self._store.transaction() as tx:
            user = (
                None
                if principal.user is None
                else await tx.users.get(principal.tenant, principal.user)
            )
            if user is None:
                raise NotFoundError(
                    f"{principal.actor} is not a user with a language", code="user.not_found"
                )
            user = replace(user, language=language)
            await tx.users.put(user)
        return user

    async def list_users(self, tenant: TenantId) -> list[User]:
        """Every user of the tenant. The records hold password hashes: never send them."""
        async with self._store.transaction() as tx:
            return await tx.users.all(tenant)

    # Sessions

    async def login(
        self, tenant: TenantId, username: str, password: str, client: str
    ) -> tuple[str, Session]:
        """The raw session token (to set as a cookie) and its Session.

        ``client`` identifies where the attempt comes from (the remote address) for
        rate limiting. Unauthenticated ``auth.invalid_credentials`` for an unknown user,
        a wrong password or an inactive user alike; RateLimited ``auth.rate_limited``
        while the username or the client has too many recent failures.
        """
        now = self._clock.now()
        username = username.strip().lower()
        user_key = ("user", tenant, username)
        client_key = ("client", client)
        waits = [
            wait
            for key in (user_key, client_key)
            if (wait := self._failures.retry_after(key, now)) is not None
        ]
        if waits:
            seconds = math.ceil(max(waits).total_seconds())
            raise RateLimited(
                f"too many failed logins, try again in {seconds} s", retry_after=seconds
            )
        async with self._store.transaction() as tx:
            user = await tx.users.by_username(tenant, username)
        # The hash is checked even for an unknown user: the answer takes as long either way.
        verified = self._passwords.verify(None if user is None else user.password_hash, password)
        if user is None or not verified or not user.active:
            self._failures.fail(user_key, now)
            self._failures.fail(client_key, now)
            raise Unauthenticated("wrong username or password", code="auth.invalid_credentials")
        # Only the username's count is forgiven: one good account must not let a client
        # go on guessing the passwords of others.
        self._failures.clear(user_key)
        upgraded = self._passwords.upgraded(user.password_hash, password)
        raw = secrets.token_urlsafe(32)
        session = Session(
            token_hash=_digest(raw),
            tenant=tenant,
            user=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + self._session_ttl,
        )
        async with self._store.transaction() as tx:
            if upgraded is not None:
                await tx.users.put(replace(user, password_hash=upgraded))
            await tx.users.add_session(session)
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=now,
                    actor=user.username,
                    action="login",
                    kind="user",
                    key=user.id,
                    after={"client": client},
                )
            )
        return raw, session

    async def session(self, raw_token: str) -> Principal | None:
        """The user behind a session token; None when it is unknown, expired (then it is
        deleted) or its user is gone or inactive."""
        token_hash = _digest(raw_token)
        async with self._store.transaction() as tx:
            session = await tx.users.session(token_hash)
            if session is None:
                return None
            user = await tx.users.get(session.tenant, session.user)
            if session.expires_at <= self._clock.now() or user is None or not user.active:
                await tx.users.delete_session(token_hash)
                return None
        return Principal(
            tenant=user.tenant,
            user=user.id,
            name=user.username,
            role=user.role,
            kind="session",
            agent=user.agent,
            csrf=session.csrf,
            language=user.language,
        )

    async def logout(self, raw_token: str) -> None:
        """End the session (nothing happens for an unknown token)."""
        async with self._store.transaction() as tx:
            await tx.users.delete_session(_digest(raw_token))

    def check_csrf(self, principal: Principal, header_value: str | None) -> None:
        """Forbidden ``auth.csrf`` unless ``header_value`` is the session's CSRF token.

        Call it on every unsafe request. An API token passes: browsers never attach a
        bearer token on their own, so a forged cross-site request cannot carry one.
        """
        if principal.kind == "token":
            return
        if not header_value or not hmac.compare_digest(
            principal.csrf.encode(), header_value.encode()
        ):
            raise Forbidden("the CSRF token is missing or wrong", code="auth.csrf")

    # API tokens

    async def create_token(
        self, tenant: TenantId, name: str, role: Role, *, actor: Principal | str
    ) -> tuple[str, ApiToken]:
        """A new token: the raw value (``fd_…``, shown once) and its record.
        ValidationError ``token.invalid_name`` for an empty or over-long name;
        ConflictError ``token.exists`` when a live token has the name."""
        actor_name = _authorise(actor, tenant)
        name = name.strip()
        if not 1 <= len(name) <= MAX_TOKEN_NAME:
            raise ValidationError(
                f"a token name is 1 to {MAX_TOKEN_NAME} characters, not {name!r}",
                code="token.invalid_name",
                field="name",
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id=new_id(),
            tenant=tenant,
            name=name,
            role=role,
            token_hash=_digest(raw),
            created_at=self._clock.now(),
            created_by=actor_name,
        )
        async with self._store.transaction() as tx:
            if any(t.name == name and not t.revoked for t in await tx.users.tokens(tenant)):
                raise ConflictError(
                    f"there is already a token named {name!r}",
                    code="token.exists",
                    field="name",
                    name=name,
                )
            await tx.users.add_token(token)
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=token.created_at,
                    actor=actor_name,
                    action="create",
                    kind="token",
                    key=token.id,
                    after=_token_record(token),
                )
            )
        return raw, token

    async def revoke_token(
        self, tenant: TenantId, token_id: str, *, actor: Principal | str
    ) -> None:
        """Revoke a token for good; NotFoundError ``token.not_found`` if the tenant has
        no such token. Revoking a revoked token changes nothing."""
        actor_name = _authorise(actor, tenant)
        async with self._store.transaction() as tx:
            token = next((t for t in await tx.users.tokens(tenant) if t.id == token_id), None)
            if token is None:
                raise NotFoundError(f"there is no token {token_id!r}", code="token.not_found")
            if token.revoked:
                return
            await tx.users.revoke_token(tenant, token_id)
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=self._clock.now(),
                    actor=actor_name,
                    action="revoke",
                    kind="token",
                    key=token_id,
                    before=_token_record(token),
                    after=_token_record(replace(token, revoked=True)),
                )
            )

    async def list_tokens(self, tenant: TenantId) -> list[ApiToken]:
        """Every token of the tenant, revoked ones included."""
        async with self._store.transaction() as tx:
            return await tx.users.tokens(tenant)

    async def token(self, raw_token: str) -> Principal | None:
        """The principal of an API token; None when it is unknown or revoked."""
        if not raw_token.startswith(TOKEN_PREFIX):
            return None
        async with self._store.transaction() as tx:
            token = await tx.users.token(_digest(raw_token))
        if token is None or token.revoked:
            return None
        return Principal(
            tenant=token.tenant, user=None, name=token.name, role=token.role, kind="token"
        )


def _authorise(actor: Principal | str, tenant: TenantId) -> str:
    """The actor's audit name, once a principal is known to administer ``tenant``."""
    if isinstance(actor, str):
        return actor
    if actor.tenant != tenant:
        raise Forbidden(f"{actor.actor} belongs to another tenant", tenant=tenant)
    actor.require("admin")
    return actor.actor


async def _check_agent(tx: Transaction, tenant: TenantId, agent: AgentId | None) -> None:
    if agent is not None and await tx.agents.get(tenant, agent) is None:
        raise ValidationError(
            f"there is no agent {agent!r} to link the user to",
            code="user.unknown_agent",
            field="agent",
            agent=agent,
        )


def _is_admin(user: User) -> bool:
    return user.active and user.role == Role.ADMIN


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def _record(user: User) -> dict[str, Any]:
    """A user as the audit log keeps it: everything but the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "name": user.name,
        "agent": user.agent,
        "language": user.language,
        "active": user.active,
    }


def _token_record(token: ApiToken) -> dict[str, Any]:
    """A token as the audit log keeps it: everything but its hash."""
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "created_by": token.created_by,
        "revoked": token.revoked,
    }
