"""Recorded prompts: a WAV uploaded under a prompt's name plays instead of its speech.

The texts of prompts are configuration documents (``/api/v1/prompts/{name}``); this
router takes the audio. The file is converted to the call format (8 kHz mono) when it is
stored, and refused with the problem named when it is no WAV, unreadable, empty, longer
than 10 minutes or larger than 20 MB.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from frontdesk.channels.voice.prompts import UPLOADS, PromptLibrary, check_name
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.services.auth import Principal
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.container import Frontdesk

PREFIX = "/prompts/"
router = APIRouter(prefix="/prompts", tags=["prompts"])
Admin = Annotated[Principal, Depends(require("admin"))]


class PromptAudioOut(BaseModel):
    name: str
    bytes: int  # of the stored file, in the call format


def uploads(frontdesk: Frontdesk, principal: Principal) -> PromptLibrary:
    folder = frontdesk.settings.prompts
    if folder is None:
        raise ConflictError(
            "the voice channel is off: there is nowhere to play prompts",
            code="voice.off",
        )
    return PromptLibrary(Path(folder) / principal.tenant / UPLOADS)


@router.put("/{name}/audio")
async def upload(
    name: str, request: Request, principal: Admin, frontdesk: FrontdeskDep
) -> PromptAudioOut:
    """Store the request body (a WAV file) as the recording of prompt ``name``."""
    library = uploads(frontdesk, principal)
    check_name(name)
    data = await request.body()
    stored = await asyncio.to_thread(library.store_upload, name, data)
    await _audit(frontdesk, principal, "update", name, {"file": stored.name})
    return PromptAudioOut(name=name, bytes=stored.stat().st_size)


@router.delete("/{name}/audio", status_code=204)
async def remove(name: str, principal: Admin, frontdesk: FrontdeskDep) -> None:
    """Forget the recording: the prompt is spoken from its text again."""
    library = uploads(frontdesk, principal)
    if not await asyncio.to_thread(library.remove, name):
        raise NotFoundError(f"prompt {name!r} has no recording", code="prompt.no_audio")
    await _audit(frontdesk, principal, "delete", name, None)


async def _audit(
    frontdesk: Frontdesk, principal: Principal, action: str, name: str, after: dict[str, str] | None
) -> None:
    async with frontdesk.store.transaction() as tx:
        await tx.audit.add(AuditEntry(
            principal.tenant, frontdesk.clock.now(), principal.actor, action, "prompt_audio",
            name, after=after,
        ))  # fmt: skip
