"""Configuration documents: one router per kind, all made by :func:`document_router`.

Every kind has the same four operations at ``/<kind>``: the documents by key, one
document, create or replace (201 when created), delete. Writes need ``admin``; the
service checks each document fully and audits the change. Secret fields (a webhook's
signing secret) are never returned: they read as ``"***"``, and writing ``"***"`` back
keeps the stored secret.

(No ``from __future__ import annotations`` here: FastAPI reads each kind's model from
the endpoints' annotations, which must be evaluated where the model is in scope.)
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from frontdesk.domain.errors import NotFoundError
from frontdesk.services.auth import Principal
from frontdesk.web.auth import FrontdeskDep, authenticate, require
from frontdesk.web.schemas import (
    AccessPointDocument,
    CalendarDocument,
    ListDocument,
    NamedDocument,
    PhoneDocument,
    PromptDocument,
    QueueDocument,
    ScriptDocument,
    SettingsDocument,
    WebhookDocument,
)

HIDDEN = "***"


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the stored kind, as services.catalog names it
    path: str  # the URL segment
    model: type[BaseModel]
    read: str | None  # the permission to read; None: anyone signed in
    secrets: tuple[str, ...] = ()

    def shown(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return {k: HIDDEN if k in self.secrets else v for k, v in body.items()}

    def kept(self, body: dict[str, Any], stored: Mapping[str, Any] | None) -> dict[str, Any]:
        """``body`` with each secret written as "***" replaced by the stored one."""
        for name in self.secrets:
            if body.get(name) == HIDDEN and stored is not None and name in stored:
                body[name] = stored[name]
        return body


KINDS = (
    Kind("queues", "queues", QueueDocument, "queues.read"),
    Kind("access_points", "access-points", AccessPointDocument, "queues.read"),
    Kind("calendars", "calendars", CalendarDocument, "queues.read"),
    Kind("lists", "lists", ListDocument, "queues.read"),
    Kind("dispositions", "dispositions", NamedDocument, None),
    Kind("reasons", "reasons", NamedDocument, None),
    Kind("categories", "categories", NamedDocument, None),
    Kind("webhooks", "webhooks", WebhookDocument, "queues.read", secrets=("secret",)),
    Kind("settings", "settings", SettingsDocument, "queues.read"),
    Kind("scripts", "scripts", ScriptDocument, None),
    Kind("prompts", "prompts", PromptDocument, None),
    Kind("phones", "phones", PhoneDocument, "admin", secrets=("ha1",)),
)


def document_router(kind: Kind) -> APIRouter:
    router = APIRouter(prefix=f"/{kind.path}", tags=[kind.path])
    reader = Depends(require(kind.read) if kind.read else authenticate)
    admin = Depends(require("admin"))
    model = kind.model
    label = kind.path.replace("-", " ")

    @router.get(
        "",
        response_model=dict[str, model],  # type: ignore[valid-type]
        response_model_exclude_unset=True,
        summary=f"All {label}",
    )
    async def list_documents(
        principal: Annotated[Principal, reader], frontdesk: FrontdeskDep
    ) -> dict[str, BaseModel]:
        documents = await frontdesk.configuration.all(principal.tenant, kind.name)
        return {key: model.model_validate(kind.shown(body)) for key, body in documents.items()}

    @router.get(
        "/{key}",
        response_model=model,
        response_model_exclude_unset=True,
        summary=f"One of the {label}",
    )
    async def get_document(
        key: str, principal: Annotated[Principal, reader], frontdesk: FrontdeskDep
    ) -> BaseModel:
        body = await frontdesk.configuration.get(principal.tenant, kind.name, key)
        return model.model_validate(kind.shown(body))

    @router.put(
        "/{key}",
        response_model=model,
        response_model_exclude_unset=True,
        responses={201: {"model": model, "description": "Created"}},
        summary=f"Create or replace one of the {label}",
    )
    async def put_document(
        key: str,
        body: model,  # type: ignore[valid-type]  # each kind's own model, read by FastAPI
        response: Response,
        principal: Annotated[Principal, admin],
        frontdesk: FrontdeskDep,
    ) -> BaseModel:
        configuration = frontdesk.configuration
        document = cast(BaseModel, body).model_dump(mode="json", exclude_unset=True)
        if kind.secrets:
            try:
                stored = await configuration.get(principal.tenant, kind.name, key)
            except NotFoundError:
                stored = None
            document = kind.kept(document, stored)
        created = await configuration.put(
            principal.tenant, kind.name, key, document, principal.actor
        )
        if created:
            response.status_code = 201
        return model.model_validate(kind.shown(document))

    @router.delete("/{key}", status_code=204, summary=f"Delete one of the {label}")
    async def delete_document(
        key: str, principal: Annotated[Principal, admin], frontdesk: FrontdeskDep
    ) -> None:
        await frontdesk.configuration.delete(principal.tenant, kind.name, key, principal.actor)

    return router


ROUTERS = tuple(document_router(kind) for kind in KINDS)
