"""Agent profiles (administered) and agent states (set by agents, or for them)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from frontdesk.channels.voice.kamailio import ha1
from frontdesk.domain.agents import AgentState
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.ids import AgentId
from frontdesk.services.auth import Principal
from frontdesk.web.auth import Caller, FrontdeskDep, require
from frontdesk.web.schemas import AgentDocument, AgentOut, AgentStateIn

router = APIRouter(prefix="/agents", tags=["agents"])
Admin = Annotated[Principal, Depends(require("admin"))]
CREATED: dict[int | str, dict[str, Any]] = {201: {"model": AgentOut, "description": "Created"}}


def self_or(principal: Principal, agent_id: str, permission: str) -> None:
    """An agent may do this for themself; anyone else needs ``permission``."""
    principal.require("agents.self" if principal.agent == agent_id else permission)


@router.get("")
async def list_agents(
    principal: Annotated[Principal, Depends(require("agents.read"))], frontdesk: FrontdeskDep
) -> list[AgentOut]:
    """Every agent with their live state."""
    agents = await frontdesk.configuration.agents(principal.tenant)
    return [AgentOut.of(agent) for agent in sorted(agents, key=lambda a: a.id)]


@router.get("/{agent_id}")
async def get_agent(agent_id: str, principal: Caller, frontdesk: FrontdeskDep) -> AgentOut:
    self_or(principal, agent_id, "agents.read")
    agent = frontdesk.dispatcher.desk(principal.tenant).agents.get(AgentId(agent_id))
    if agent is None:
        raise NotFoundError(f"agent {agent_id} does not exist", code="agent.not_found")
    return AgentOut.of(agent)


@router.put("/{agent_id}", responses=CREATED)
async def put_agent(
    agent_id: str,
    body: AgentDocument,
    response: Response,
    principal: Admin,
    frontdesk: FrontdeskDep,
) -> AgentOut:
    """Create or replace an agent's profile; their live state is kept."""
    agent, created = await frontdesk.configuration.put_agent(
        principal.tenant,
        agent_id,
        body.model_dump(mode="json", exclude_unset=True),
        principal.actor,
    )
    if created:
        response.status_code = 201
    return AgentOut.of(agent)


@router.delete("/{agent_id}", status_code=204)
async def delete_agent(agent_id: str, principal: Admin, frontdesk: FrontdeskDep) -> None:
    """Remove an agent who is not working and whom the published scenario does not name."""
    await frontdesk.configuration.delete_agent(principal.tenant, agent_id, principal.actor)


@router.post("/{agent_id}/state")
async def set_state(
    agent_id: str, body: AgentStateIn, principal: Caller, frontdesk: FrontdeskDep
) -> AgentOut:
    """Ready, not ready (with a reason) or logged out: agents for themselves,
    supervisors for anyone."""
    self_or(principal, agent_id, "agents.state")
    desk = frontdesk.dispatcher.desk(principal.tenant)
    agent = await desk.set_agent_state(AgentId(agent_id), AgentState(body.state), body.reason)
    return AgentOut.of(agent)


class PhoneIn(BaseModel):
    password: str | None = None  # None: a new one is made


class PhoneOut(BaseModel):
    """A phone's login, with the password in clear: shown this once."""

    username: str
    password: str
    domain: str
    registrar: str


MIN_PHONE_PASSWORD = 8


@router.post("/{agent_id}/phone")
async def set_phone(
    agent_id: str, body: PhoneIn, principal: Caller, frontdesk: FrontdeskDep
) -> PhoneOut:
    """Give the agent's SIP phone a password (the agent for themself, or an admin); the
    phone registers with the agent id as its user name. Only its digest hash is kept."""
    self_or(principal, agent_id, "admin")
    voice = frontdesk.settings.sip
    if voice is None:
        raise ConflictError("the voice channel is off", code="voice.off")
    if AgentId(agent_id) not in frontdesk.dispatcher.desk(principal.tenant).agents:
        raise NotFoundError(f"agent {agent_id} does not exist", code="agent.not_found")
    password = body.password or secrets.token_urlsafe(12)
    if len(password) < MIN_PHONE_PASSWORD:
        raise ValidationError(
            f"a phone password needs at least {MIN_PHONE_PASSWORD} characters",
            code="phone.weak_password",
            field="password",
        )
    document = {"ha1": ha1(agent_id, voice.domain, password)}
    await frontdesk.configuration.put(
        principal.tenant, "phones", agent_id, document, principal.actor
    )
    return PhoneOut(
        username=agent_id, password=password, domain=voice.domain, registrar=voice.registrar
    )
