"""Routing scenarios: versions saved after validation, diffs, publication, previews.

A scenario is posted as JSON ``{"text": ..., "comment": ...}`` or as the YAML itself
(``text/yaml``, the comment then in the ``comment`` query parameter). Text being edited
is compared and previewed without saving it (``/diff``, ``/preview``): a draft becomes a
version only when it is saved, and readers who may not save can still compare and
preview.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from frontdesk.routing.scenario import ScenarioError
from frontdesk.services.auth import Principal
from frontdesk.services.previews import Traffic, TrafficKind
from frontdesk.web.api.bodies import is_json, media_type, read_json, read_text, unsupported
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.errors import scenario_problems
from frontdesk.web.schemas import (
    DiffOut,
    DraftDiffOut,
    DraftIn,
    PreviewIn,
    PreviewOut,
    PublicationOut,
    ScenarioIn,
    ScenarioOut,
    ScenarioSummary,
    ValidationOut,
    many,
)

router = APIRouter(prefix="/scenarios", tags=["scenarios"])
Reader = Annotated[Principal, Depends(require("scenarios.read"))]
Author = Annotated[Principal, Depends(require("scenarios.publish"))]
Comment = Annotated[str, Query(max_length=4096, description="with a text/yaml body")]
YAML_TYPES = frozenset(
    {"text/yaml", "application/yaml", "application/x-yaml", "text/x-yaml", "text/plain"}
)
SCENARIO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ScenarioIn.model_json_schema()},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


async def scenario_text(request: Request, comment: str) -> tuple[str, str]:
    """The scenario text and comment of a JSON or YAML body."""
    kind = media_type(request)
    if is_json(kind):
        body = await read_json(request, ScenarioIn)
        return body.text, body.comment
    if kind in YAML_TYPES:
        return await read_text(request), comment
    raise unsupported(kind, "application/json or text/yaml")


@router.get("")
async def list_versions(principal: Reader, frontdesk: FrontdeskDep) -> list[ScenarioSummary]:
    """Every saved version, oldest first."""
    return many(ScenarioSummary, await frontdesk.scenarios.versions(principal.tenant))


@router.post("", status_code=201, openapi_extra=SCENARIO_BODY)
async def save(
    request: Request, principal: Author, frontdesk: FrontdeskDep, comment: Comment = ""
) -> ScenarioOut:
    """Save a new version; refused with every problem (line, column) if it is invalid.
    It is not published."""
    text, note = await scenario_text(request, comment)
    version = await frontdesk.scenarios.save(principal.tenant, text, principal.actor, note)
    return ScenarioOut.model_validate(version)


@router.post("/validate", openapi_extra=SCENARIO_BODY)
async def validate(
    request: Request, principal: Reader, frontdesk: FrontdeskDep, comment: Comment = ""
) -> ValidationOut:
    """Check a scenario against the tenant's configuration without saving it."""
    text, _ = await scenario_text(request, comment)
    try:
        await frontdesk.scenarios.validate(principal.tenant, text)
    except ScenarioError as error:
        return ValidationOut.model_validate({"valid": False, "problems": scenario_problems(error)})
    return ValidationOut(valid=True, problems=[])


@router.post("/diff")
async def diff_draft(body: DraftIn, principal: Reader, frontdesk: FrontdeskDep) -> DraftDiffOut:
    """What publishing ``text`` would change against the published version, before it is
    saved."""
    published, diff = await frontdesk.scenarios.diff_text(principal.tenant, body.text)
    return DraftDiffOut(published=published, diff=diff)


@router.post("/preview")
async def preview(body: PreviewIn, principal: Reader, frontdesk: FrontdeskDep) -> PreviewOut:
    """Predict service level, ASA, abandon rate and occupancy per queue for ``text`` and
    for the published version, on yesterday's contacts or on generated traffic, with
    every agent of the company logged in over the working hours of the scenario's
    calendar. A draft with problems is refused (422) with every problem; one preview per
    company runs at a time (409 while one does)."""
    traffic = body.traffic
    wanted = Traffic(
        kind=TrafficKind(traffic.kind),
        per_hour=traffic.per_hour,
        access_point=traffic.access_point,
        known_share=traffic.known_share,
    )
    found = await frontdesk.previews.preview(principal.tenant, body.text, wanted)
    return PreviewOut.model_validate(found)


@router.get("/{version}")
async def get_version(version: int, principal: Reader, frontdesk: FrontdeskDep) -> ScenarioOut:
    return ScenarioOut.model_validate(await frontdesk.scenarios.get(principal.tenant, version))


@router.get("/{version}/diff")
async def diff(version: int, principal: Reader, frontdesk: FrontdeskDep) -> DiffOut:
    """What publishing the version would change, against the published one."""
    return DiffOut(version=version, diff=await frontdesk.scenarios.diff(principal.tenant, version))


@router.post("/{version}/publish")
async def publish(version: int, principal: Author, frontdesk: FrontdeskDep) -> PublicationOut:
    """Publish the version: contacts decided from now on use it; those waiting keep their
    place and treatment."""
    publication = await frontdesk.scenarios.publish(principal.tenant, version, principal.actor)
    return PublicationOut(
        version=publication.version.version,
        previous=publication.previous,
        diff=publication.diff,
        waiting=publication.waiting,
        note=publication.note,
    )
