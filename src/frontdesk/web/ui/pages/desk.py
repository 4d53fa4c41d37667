"""The agent's desk: state, offers with the screen pop, the contacts being served.

The page is a frame and the names the script shows (not-ready reasons, dispositions,
categories, queues, agents, in the viewer's language); everything that moves comes from
the agent stream (``static/js/pages/desk.js``), and every change goes through the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from frontdesk.domain.errors import NotFoundError
from frontdesk.services.auth import Forbidden
from frontdesk.services.desk import NO_ANSWER, REJECTED
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.templating import N_, Viewer, render
from frontdesk.web.ui.vocabulary import local_name

router = APIRouter(include_in_schema=False)
#: Reasons the desk sets by itself (an agent does not pick them), and their names where
#: the tenant gave them none.
SYSTEM_REASONS = {NO_ANSWER: N_("Missed an offer"), REJECTED: N_("Rejected an offer")}


@router.get("/desk", response_class=HTMLResponse)
async def desk_page(
    request: Request, viewer: Annotated[Viewer, Depends(page("agents.self"))]
) -> Response:
    """The desk of the signed-in user's agent profile; 403 for a user without one."""
    principal = signed_in_viewer(viewer)
    if principal.agent is None:
        raise Forbidden(f"{principal.name} has no agent profile: the desk is for agents")
    frontdesk = frontdesk_of(request.app)
    desk = frontdesk.dispatcher.desk(principal.tenant)
    agent = desk.agents.get(principal.agent)
    if agent is None:
        raise NotFoundError(
            f"agent profile {principal.agent} does not exist", code="agent.not_found"
        )
    configuration = frontdesk.configuration
    locale = viewer.locale

    async def names(kind: str) -> dict[str, dict[str, Any]]:
        documents = await configuration.all(principal.tenant, kind)
        return {
            code: {"name": local_name(body, code, locale), "color": body.get("color")}
            for code, body in documents.items()
        }

    reasons = await names("reasons")
    categories = await names("categories")
    shown_reasons = {code: viewer.gettext(name) for code, name in SYSTEM_REASONS.items()}
    shown_reasons.update({code: entry["name"] for code, entry in reasons.items()})
    settings = {
        "agent": agent.id,
        "reasons": shown_reasons,
        "choices": [code for code in reasons if code not in SYSTEM_REASONS],
        "dispositions": {code: e["name"] for code, e in (await names("dispositions")).items()},
        "categories": categories,
        "queues": {key: queue.name or key for key, queue in desk.config.queues.items()},
        "agents": {key: other.name or key for key, other in desk.agents.items()},
        "wrap_up": desk.config.wrap_up,
    }
    options = [(code, entry["name"]) for code, entry in categories.items()]
    return render(request, viewer, "desk.html", agent=agent, settings=settings, categories=options)
