"""Users, their roles and what each role may do; API tokens and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from frontdesk.domain.ids import AgentId, TenantId


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


#: Permissions by role. Each role holds every permission of the roles before it.
_AGENT = frozenset(
    {
        "contacts.own",  # the contacts offered to or served by the agent themself
        "contacts.submit",  # the inbound endpoint: web forms, other systems' webhooks
        "customers.read",
        "customers.write",
        "agents.self",  # own state, own stream
        "callbacks.own",
    }
)
_SUPERVISOR = _AGENT | {
    "contacts.read",  # every contact of the tenant
    "contacts.write",  # force routing actions, close
    "agents.read",
    "agents.state",  # force an agent's state
    "queues.read",
    "scenarios.read",
    "callbacks.read",
    "supervisor.stream",
    "audit.read",
    "recordings.listen",  # call recordings (agents do not hear them)
}
_ADMIN = _SUPERVISOR | {
    "admin",  # users, tokens, webhooks, configuration
    "scenarios.publish",
    "customers.import",
}
PERMISSIONS = MappingProxyType(
    {Role.AGENT: _AGENT, Role.SUPERVISOR: _SUPERVISOR, Role.ADMIN: _ADMIN}
)


def allows(role: Role, permission: str) -> bool:
    return permission in PERMISSIONS[role]


@dataclass(frozen=True, slots=True)
class User:
    id: str
    tenant: TenantId
    username: str
    role: Role
    password_hash: str
    name: str = ""
    agent: AgentId | None = None  # the agent profile this user works as
    language: str = "en"  # UI language
    active: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token for integrations. Only its hash is stored; the token is shown once."""

    id: str
    tenant: TenantId
    name: str
    role: Role
    token_hash: str
    created_at: datetime
    created_by: str = ""
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in UI session. ``token_hash`` identifies it; ``csrf`` guards its forms."""

    token_hash: str
    tenant: TenantId
    user: str
    csrf: str
    created_at: datetime
    expires_at: datetime
