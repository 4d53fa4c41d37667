"""The wallboard: live queues and agents for supervisors (``static/js/pages/wallboard.js``
follows ``/api/v1/stream/supervisor`` and draws them).

The page brings what the stream does not: the names of the not-ready reasons and the
customer categories in the viewer's language, and the colour levels for the first
paint and the admins' "Colours" dialog (the stream's snapshots carry the levels too,
and a new snapshot follows every configuration change).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from frontdesk.domain.agents import AgentState
from frontdesk.services.catalog import wallboard_from
from frontdesk.services.realtime import levels_json
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.templating import Viewer, render
from frontdesk.web.ui.vocabulary import AGENT_STATES, local_name, translated

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Viewer, Depends(page("supervisor.stream"))]
#: The states a supervisor may force (the others follow from an agent's work).
FORCED_STATES = (AgentState.READY, AgentState.NOT_READY, AgentState.LOGGED_OUT)


@router.get("/wallboard", response_class=HTMLResponse)
async def wallboard_page(request: Request, viewer: Supervisor) -> Response:
    """The wallboard; ``?tv=1`` opens it in TV mode (for a wall display)."""
    principal = signed_in_viewer(viewer)
    configuration = frontdesk_of(request.app).configuration
    tenant = principal.tenant
    settings = await configuration.all(tenant, "settings")
    reasons = await configuration.all(tenant, "reasons")
    categories = await configuration.all(tenant, "categories")
    states = translated(AGENT_STATES, viewer.gettext)
    return render(
        request, viewer, "wallboard.html",
        levels=levels_json(wallboard_from(settings.get("wallboard"))),
        reasons={code: local_name(doc, code, viewer.locale) for code, doc in reasons.items()},
        categories={
            code: {"name": local_name(doc, code, viewer.locale), "color": doc.get("color")}
            for code, doc in categories.items()
        },
        forced_states=[(state.value, states[state.value]) for state in FORCED_STATES],
        can_force=principal.can("agents.state"),
        can_colour=principal.can("admin"),
        tv=request.query_params.get("tv") == "1",
    )  # fmt: skip
