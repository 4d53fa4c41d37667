"""The scenario editor: the published version's text, every version, checks as you type,
the changes against the published version, previews on the simulator, and (for admins)
saving and publishing. The page reads; the editor's script does the rest over the API
(``/api/v1/scenarios``). See ``docs/ui/scenario.md``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.ids import TenantId
from frontdesk.services.previews import MAX_PER_HOUR
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.schemas import ScenarioSummary
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.templating import Viewer, render
from frontdesk.web.ui.vocabulary import CHANNELS, translated

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page("scenarios.read"))]


@router.get("/scenarios", response_class=HTMLResponse)
async def scenario_editor(request: Request, viewer: Reader) -> Response:
    """The editor opened on the published version (on a blank scenario before the first)."""
    principal = signed_in_viewer(viewer)
    frontdesk = frontdesk_of(request.app)
    published = await frontdesk.scenarios.published(principal.tenant)
    versions = await frontdesk.scenarios.versions(principal.tenant)
    return render(
        request,
        viewer,
        "scenario.html",
        text=published.text if published is not None else "",
        published=published.version if published is not None else None,
        versions=[
            ScenarioSummary.model_validate(v).model_dump(mode="json") for v in reversed(versions)
        ],
        can_publish=principal.can("scenarios.publish"),
        access_points=_access_points(request, principal.tenant, viewer),
        max_per_hour=MAX_PER_HOUR,
    )


def _access_points(request: Request, tenant: TenantId, viewer: Viewer) -> list[dict[str, Any]]:
    """Where generated traffic may arrive: the tenant's access points, voice first."""
    try:
        desk = frontdesk_of(request.app).dispatcher.desk(tenant)
    except NotFoundError:
        return []
    channels = translated(CHANNELS, viewer.gettext)
    points = sorted(
        desk.config.access_points.values(),
        key=lambda p: (p.channel.value != "voice", p.agent is not None, p.address),
    )
    return [
        {
            "address": p.address,
            "label": " · ".join(x for x in (p.address, channels[p.channel.value], p.line) if x),
        }
        for p in points
    ]
