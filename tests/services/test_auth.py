"""Users, logins, sessions, API tokens and permissions, over the in-memory store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from frontdesk.domain.agents import Agent
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import ConflictError, FrontdeskError, NotFoundError, ValidationError
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.users import Role, User
from frontdesk.services.auth import (
    AuthService,
    Forbidden,
    Principal,
    RateLimited,
    Unauthenticated,
)
from frontdesk.sim.clock import SimClock
from frontdesk.storage.memory import MemoryStore

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ACME = TenantId("acme")
GLOBEX = TenantId("globex")
PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> SimClock:
    return SimClock(datetime(2025, 3, 3, 9, tzinfo=UTC))


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def auth(store: MemoryStore, clock: SimClock) -> AuthService:
    return AuthService(store, clock, hasher=CHEAP)


async def add_user(
    auth: AuthService,
    username: str = "anna",
    role: Role = Role.AGENT,
    tenant: TenantId = ACME,
    password: str = PASSWORD,
) -> User:
    return await auth.create_user(tenant, username, password, role, actor="cli")


async def stored_user(store: MemoryStore, tenant: TenantId, username: str) -> User:
    async with store.transaction() as tx:
        user = await tx.users.by_username(tenant, username)
    assert user is not None
    return user


async def audit_log(store: MemoryStore, tenant: TenantId) -> list[AuditEntry]:
    async with store.transaction() as tx:
        return await tx.audit.all(tenant)


async def login_error(
    auth: AuthService, username: str, password: str, client: str = "10.0.0.1"
) -> FrontdeskError:
    with pytest.raises(FrontdeskError) as caught:
        await auth.login(ACME, username, password, client)
    return caught.value


# Users and passwords


async def test_passwords_are_stored_as_argon2_hashes_never_in_clear(
    auth: AuthService, store: MemoryStore
) -> None:
    await add_user(auth)
    user = await stored_user(store, ACME, "anna")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    other = await add_user(auth, "boris")
    assert other.password_hash != user.password_hash  # salted


async def test_a_short_password_is_refused(auth: AuthService) -> None:
    with pytest.raises(ValidationError) as caught:
        await add_user(auth, password="seven77")
    assert caught.value.code == "user.weak_password"
    assert await auth.list_users(ACME) == []


async def test_usernames_are_stripped_and_lower_cased(auth: AuthService) -> None:
    user = await add_user(auth, "  Anna.K@Example-1_X ")
    assert user.username == "anna.k@example-1_x"
    token, _ = await auth.login(ACME, "ANNA.K@example-1_x", PASSWORD, "10.0.0.1")
    assert await auth.session(token) is not None


@pytest.mark.parametrize("username", ["ab", "x" * 65, "anna k", "анна", "anna/k", ""])
async def test_malformed_usernames_are_refused(auth: AuthService, username: str) -> None:
    with pytest.raises(ValidationError) as caught:
        await add_user(auth, username)
    assert caught.value.code == "user.invalid_username"


async def test_a_username_is_unique_within_a_tenant_only(auth: AuthService) -> None:
    await add_user(auth, "anna")
    with pytest.raises(ConflictError) as caught:
        await add_user(auth, "ANNA")
    assert caught.value.code == "user.exists"
    await add_user(auth, "anna", tenant=GLOBEX)
    assert [u.username for u in await auth.list_users(ACME)] == ["anna"]
    assert [u.username for u in await auth.list_users(GLOBEX)] == ["anna"]


async def test_a_user_can_be_linked_only_to_an_existing_agent(
    auth: AuthService, store: MemoryStore
) -> None:
    with pytest.raises(ValidationError) as caught:
        await auth.create_user(ACME, "anna", PASSWORD, Role.AGENT, agent=AgentId("a1"), actor="cli")
    assert caught.value.code == "user.unknown_agent"
    async with store.transaction() as tx:
        await tx.agents.put(Agent(id=AgentId("a1"), tenant=ACME))
    await auth.create_user(ACME, "anna", PASSWORD, Role.AGENT, agent=AgentId("a1"), actor="cli")
    token, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    principal = await auth.session(token)
    assert principal is not None
    assert principal.agent == AgentId("a1")


async def test_a_password_change_replaces_the_old_password(auth: AuthService) -> None:
    user = await add_user(auth)
    await auth.update_user(ACME, user.id, password="a brand new secret", actor="cli")
    assert (await login_error(auth, "anna", PASSWORD)).code == "auth.invalid_credentials"
    token, _ = await auth.login(ACME, "anna", "a brand new secret", "10.0.0.1")
    assert await auth.session(token) is not None
    with pytest.raises(ValidationError) as caught:
        await auth.update_user(ACME, user.id, password="short", actor="cli")
    assert caught.value.code == "user.weak_password"


async def test_a_role_change_applies_to_open_sessions(auth: AuthService) -> None:
    user = await add_user(auth)
    token, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    await auth.update_user(ACME, user.id, role=Role.SUPERVISOR, name=" Anna K ", actor="cli")
    principal = await auth.session(token)
    assert principal is not None
    assert principal.role is Role.SUPERVISOR
    assert principal.can("audit.read")
    assert [(u.name, u.role) for u in await auth.list_users(ACME)] == [("Anna K", Role.SUPERVISOR)]


async def test_updating_an_unknown_user_is_not_found(auth: AuthService) -> None:
    with pytest.raises(NotFoundError) as caught:
        await auth.update_user(ACME, "nobody", name="x", actor="cli")
    assert caught.value.code == "user.not_found"


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(auth: AuthService) -> None:
    root = await add_user(auth, "root", Role.ADMIN)
    with pytest.raises(ConflictError) as demoting:
        await auth.update_user(ACME, root.id, role=Role.AGENT, actor="cli")
    assert demoting.value.code == "user.last_admin"
    with pytest.raises(ConflictError) as deactivating:
        await auth.update_user(ACME, root.id, active=False, actor="cli")
    assert deactivating.value.code == "user.last_admin"
    await add_user(auth, "second", Role.ADMIN)
    demoted = await auth.update_user(ACME, root.id, role=Role.AGENT, actor="cli")
    assert demoted.role is Role.AGENT


async def test_only_an_admin_of_the_same_tenant_may_manage_users(auth: AuthService) -> None:
    agent = Principal(ACME, "u1", "anna", Role.AGENT, "session")
    supervisor = Principal(ACME, "u2", "sveta", Role.SUPERVISOR, "session")
    foreign_admin = Principal(GLOBEX, "u3", "root", Role.ADMIN, "session")
    for actor in (agent, supervisor, foreign_admin):
        with pytest.raises(Forbidden) as caught:
            await auth.create_user(ACME, "eve", PASSWORD, Role.ADMIN, actor=actor)
        assert caught.value.code == "auth.forbidden"
        with pytest.raises(Forbidden):
            await auth.create_token(ACME, "crm", Role.ADMIN, actor=actor)
    assert await auth.list_users(ACME) == []
    admin = Principal(ACME, "u4", "root", Role.ADMIN, "session")
    created = await auth.create_user(ACME, "eve", PASSWORD, Role.AGENT, actor=admin)
    assert created.username == "eve"


# Logging in


async def test_wrong_password_and_unknown_user_look_the_same(auth: AuthService) -> None:
    await add_user(auth)
    wrong_password = await login_error(auth, "anna", "not the password")
    unknown_user = await login_error(auth, "nobody", PASSWORD)
    assert isinstance(wrong_password, Unauthenticated)
    assert isinstance(unknown_user, Unauthenticated)
    assert wrong_password.code == unknown_user.code == "auth.invalid_credentials"
    assert str(wrong_password) == str(unknown_user)
    assert wrong_password.details == unknown_user.details


async def test_an_inactive_user_cannot_log_in_and_loses_its_sessions(auth: AuthService) -> None:
    user = await add_user(auth)
    token, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    await auth.update_user(ACME, user.id, active=False, actor="cli")
    assert await auth.session(token) is None
    assert (await login_error(auth, "anna", PASSWORD)).code == "auth.invalid_credentials"


async def test_credentials_of_one_tenant_do_not_open_another(auth: AuthService) -> None:
    await add_user(auth, tenant=ACME)
    with pytest.raises(Unauthenticated) as caught:
        await auth.login(GLOBEX, "anna", PASSWORD, "10.0.0.1")
    assert caught.value.code == "auth.invalid_credentials"
    await add_user(auth, tenant=GLOBEX, password="globex password")
    with pytest.raises(Unauthenticated):
        await auth.login(GLOBEX, "anna", PASSWORD, "10.0.0.1")
    token, _ = await auth.login(GLOBEX, "anna", "globex password", "10.0.0.1")
    principal = await auth.session(token)
    assert principal is not None
    assert principal.tenant == GLOBEX


async def test_a_login_gives_a_session_stored_only_as_a_digest(
    auth: AuthService, store: MemoryStore
) -> None:
    user = await add_user(auth)
    token, session = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    assert session.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(session)
    assert session.csrf != token
    assert len(token) >= 40
    async with store.transaction() as tx:
        assert await tx.users.session(session.token_hash) == session
    principal = await auth.session(token)
    assert principal == Principal(
        tenant=ACME,
        user=user.id,
        name="anna",
        role=Role.AGENT,
        kind="session",
        csrf=session.csrf,
    )
    assert await auth.session(session.token_hash) is None  # the digest is not a token


async def test_sessions_expire_and_are_deleted(
    auth: AuthService, store: MemoryStore, clock: SimClock
) -> None:
    await add_user(auth)
    token, session = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    assert session.expires_at == session.created_at + timedelta(hours=12)
    clock.seconds += 12 * 3600 - 1
    assert await auth.session(token) is not None
    clock.seconds += 1
    assert await auth.session(token) is None
    async with store.transaction() as tx:
        assert await tx.users.session(session.token_hash) is None


async def test_session_lifetime_is_configurable(store: MemoryStore, clock: SimClock) -> None:
    auth = AuthService(store, clock, hasher=CHEAP, session_ttl=timedelta(minutes=30))
    await add_user(auth)
    token, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    clock.seconds += 30 * 60
    assert await auth.session(token) is None


async def test_logout_ends_the_session(auth: AuthService) -> None:
    await add_user(auth)
    token, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    other, _ = await auth.login(ACME, "anna", PASSWORD, "10.0.0.2")
    await auth.logout(token)
    assert await auth.session(token) is None
    assert await auth.session(other) is not None
    await auth.logout(token)  # twice is harmless


async def test_a_hash_made_with_old_parameters_is_upgraded_at_login(
    auth: AuthService, store: MemoryStore, clock: SimClock
) -> None:
    await add_user(auth)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    upgraded_auth = AuthService(store, clock, hasher=stronger)
    await upgraded_auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    user = await stored_user(store, ACME, "anna")
    assert "m=16,t=2,p=1" in user.password_hash
    assert not stronger.check_needs_rehash(user.password_hash)
    await upgraded_auth.login(ACME, "anna", PASSWORD, "10.0.0.1")


# Rate limiting


async def test_too_many_failures_for_a_user_block_it_until_the_window_passes(
    auth: AuthService, clock: SimClock
) -> None:
    await add_user(auth)
    for attempt in range(5):
        clock.seconds = attempt * 10
        error = await login_error(auth, "anna", "wrong password", client=f"10.0.0.{attempt}")
        assert error.code == "auth.invalid_credentials"
    clock.seconds = 60
    # Refused even with the right password, and from a client that never failed.
    blocked = await login_error(auth, "anna", PASSWORD, client="192.168.1.1")
    assert isinstance(blocked, RateLimited)
    assert blocked.code == "auth.rate_limited"
    assert blocked.details["retry_after"] == 240  # the first failure ages out at 300 s
    clock.seconds = 299
    assert (await login_error(auth, "anna", PASSWORD, client="192.168.1.1")).details[
        "retry_after"
    ] == 1
    clock.seconds = 300
    token, _ = await auth.login(ACME, "anna", PASSWORD, "192.168.1.1")
    assert await auth.session(token) is not None


async def test_a_blocked_user_does_not_block_others(auth: AuthService) -> None:
    await add_user(auth, "anna")
    await add_user(auth, "boris")
    for attempt in range(5):
        await login_error(auth, "anna", "wrong password", client=f"10.0.0.{attempt}")
    assert (await login_error(auth, "anna", PASSWORD, "10.0.1.1")).code == "auth.rate_limited"
    await auth.login(ACME, "boris", PASSWORD, "10.0.1.1")


async def test_too_many_failures_from_a_client_block_it_for_every_user(
    auth: AuthService, clock: SimClock
) -> None:
    await add_user(auth, "anna")
    for attempt in range(5):
        await login_error(auth, f"guess{attempt}", "wrong password", client="203.0.113.9")
    blocked = await login_error(auth, "anna", PASSWORD, client="203.0.113.9")
    assert blocked.code == "auth.rate_limited"
    assert blocked.details["retry_after"] == 300
    await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")  # another client is let in
    clock.seconds += 300
    await auth.login(ACME, "anna", PASSWORD, "203.0.113.9")


async def test_a_successful_login_forgives_the_users_earlier_failures(auth: AuthService) -> None:
    await add_user(auth)
    for attempt in range(4):
        await login_error(auth, "anna", "wrong password", client=f"10.0.0.{attempt}")
    await auth.login(ACME, "anna", PASSWORD, "10.0.1.1")
    for attempt in range(4):
        await login_error(auth, "anna", "wrong password", client=f"10.0.2.{attempt}")
    await auth.login(ACME, "anna", PASSWORD, "10.0.3.1")


async def test_a_successful_login_does_not_forgive_the_clients_failures(
    auth: AuthService,
) -> None:
    await add_user(auth, "anna")
    await add_user(auth, "boris")
    for attempt in range(4):
        await login_error(auth, f"guess{attempt}", "wrong password", client="203.0.113.9")
    await auth.login(ACME, "anna", PASSWORD, "203.0.113.9")
    await login_error(auth, "guess5", "wrong password", client="203.0.113.9")
    assert (await login_error(auth, "boris", PASSWORD, "203.0.113.9")).code == "auth.rate_limited"


async def test_the_login_limit_is_configurable(store: MemoryStore, clock: SimClock) -> None:
    auth = AuthService(
        store, clock, hasher=CHEAP, login_limit=2, login_window=timedelta(seconds=30)
    )
    await add_user(auth)
    for _ in range(2):
        await login_error(auth, "anna", "wrong password")
    assert (await login_error(auth, "anna", PASSWORD)).details["retry_after"] == 30
    clock.seconds += 30
    await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")


# CSRF


async def test_a_csrf_header_must_match_the_session(auth: AuthService) -> None:
    await add_user(auth)
    token, session = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    principal = await auth.session(token)
    assert principal is not None
    auth.check_csrf(principal, session.csrf)
    _, other_session = await auth.login(ACME, "anna", PASSWORD, "10.0.0.1")
    for header in (other_session.csrf, "", None, token, session.csrf + "x", "ключ"):
        with pytest.raises(Forbidden) as caught:
            auth.check_csrf(principal, header)
        assert caught.value.code == "auth.csrf"


async def test_an_api_token_needs_no_csrf_header(auth: AuthService) -> None:
    raw, _ = await auth.create_token(ACME, "crm", Role.SUPERVISOR, actor="cli")
    principal = await auth.token(raw)
    assert principal is not None
    auth.check_csrf(principal, None)


# API tokens


async def test_a_token_works_until_it_is_revoked(auth: AuthService, store: MemoryStore) -> None:
    raw, token = await auth.create_token(ACME, " crm sync ", Role.SUPERVISOR, actor="cli")
    assert raw.startswith("fd_")
    assert token.name == "crm sync"
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in repr(token)
    principal = await auth.token(raw)
    assert principal == Principal(
        tenant=ACME, user=None, name="crm sync", role=Role.SUPERVISOR, kind="token"
    )
    assert principal.actor == "token:crm sync"
    await auth.revoke_token(ACME, token.id, actor="cli")
    assert await auth.token(raw) is None
    assert [t.revoked for t in await auth.list_tokens(ACME)] == [True]
    await auth.revoke_token(ACME, token.id, actor="cli")  # again: nothing changes


async def test_unknown_or_malformed_tokens_give_no_principal(auth: AuthService) -> None:
    raw, token = await auth.create_token(ACME, "crm", Role.ADMIN, actor="cli")
    assert await auth.token("fd_" + "x" * 43) is None
    assert await auth.token(raw[3:]) is None
    assert await auth.token(token.token_hash) is None


async def test_a_token_of_one_tenant_is_not_revocable_from_another(auth: AuthService) -> None:
    raw, token = await auth.create_token(ACME, "crm", Role.ADMIN, actor="cli")
    with pytest.raises(NotFoundError) as caught:
        await auth.revoke_token(GLOBEX, token.id, actor="cli")
    assert caught.value.code == "token.not_found"
    assert await auth.token(raw) is not None
    assert await auth.list_tokens(GLOBEX) == []


async def test_token_names_are_checked(auth: AuthService) -> None:
    with pytest.raises(ValidationError) as caught:
        await auth.create_token(ACME, "  ", Role.AGENT, actor="cli")
    assert caught.value.code == "token.invalid_name"
    _, first = await auth.create_token(ACME, "crm", Role.AGENT, actor="cli")
    with pytest.raises(ConflictError) as conflict:
        await auth.create_token(ACME, "crm", Role.AGENT, actor="cli")
    assert conflict.value.code == "token.exists"
    await auth.revoke_token(ACME, first.id, actor="cli")
    await auth.create_token(ACME, "crm", Role.AGENT, actor="cli")  # the name is free again


# Roles and permissions


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.AGENT, ["contacts.own", "customers.write"], ["contacts.read", "audit.read", "admin"]),
        (Role.SUPERVISOR, ["contacts.own", "contacts.read", "audit.read"], ["admin"]),
        (Role.ADMIN, ["contacts.own", "audit.read", "admin", "scenarios.publish"], []),
    ],
)
async def test_each_role_holds_its_permissions(
    auth: AuthService, role: Role, allowed: list[str], refused: list[str]
) -> None:
    raw, _ = await auth.create_token(ACME, "t", role, actor="cli")
    principal = await auth.token(raw)
    assert principal is not None
    for permission in allowed:
        assert principal.can(permission)
        principal.require(permission)
    for permission in refused:
        assert not principal.can(permission)
        with pytest.raises(Forbidden) as caught:
            principal.require(permission)
        assert caught.value.code == "auth.forbidden"
        assert caught.value.details["permission"] == permission


# Audit


async def test_changes_and_logins_are_audited_without_secrets(
    auth: AuthService, store: MemoryStore
) -> None:
    admin = Principal(ACME, "u0", "root", Role.ADMIN, "session")
    user = await auth.create_user(ACME, "anna", PASSWORD, Role.AGENT, actor=admin)
    await auth.update_user(ACME, user.id, password="a brand new secret", actor=admin)
    session_token, session = await auth.login(ACME, "anna", "a brand new secret", "10.0.0.7")
    await login_error(auth, "anna", "wrong password")
    raw, token = await auth.create_token(ACME, "crm", Role.SUPERVISOR, actor=admin)
    await auth.revoke_token(ACME, token.id, actor=admin)

    entries = await audit_log(store, ACME)
    assert sorted((e.actor, e.action, e.kind, e.key) for e in entries) == sorted(
        [
            ("root", "create", "user", user.id),
            ("root", "update", "user", user.id),
            ("anna", "login", "user", user.id),
            ("root", "create", "token", token.id),
            ("root", "revoke", "token", token.id),
        ]
    )
    by_action = {(e.kind, e.action): e for e in entries}
    assert by_action["user", "create"].after == {
        "id": user.id,
        "username": "anna",
        "role": "agent",
        "name": "",
        "agent": None,
        "language": "en",
        "active": True,
    }
    assert by_action["user", "update"].after is not None
    assert by_action["user", "update"].after["password_changed"] is True
    assert by_action["user", "login"].after == {"client": "10.0.0.7"}
    assert by_action["token", "revoke"].after is not None
    assert by_action["token", "revoke"].after["revoked"] is True
    stored = await stored_user(store, ACME, "anna")
    text = repr(entries)
    for secret in (
        PASSWORD,
        "a brand new secret",
        user.password_hash,
        stored.password_hash,
        "$argon2",
        session_token,
        session.token_hash,
        session.csrf,
        raw,
        token.token_hash,
    ):
        assert secret not in text


async def test_listing_changes_nothing_in_the_audit_log(
    auth: AuthService, store: MemoryStore
) -> None:
    await add_user(auth)
    await auth.list_users(ACME)
    await auth.list_tokens(ACME)
    assert [e.action for e in await audit_log(store, ACME)] == ["create"]


# Tenants


async def test_ensure_tenant_creates_it_once(auth: AuthService, clock: SimClock) -> None:
    created = await auth.ensure_tenant(ACME, "Acme Ltd")
    assert (created.id, created.name, created.created_at) == (ACME, "Acme Ltd", clock.now())
    clock.seconds += 60
    again = await auth.ensure_tenant(ACME, "Another name")
    assert again == created
