"""Call recordings in the API and the UI: supervisors listen, agents do not; and the
customer card's click-to-call for agents when the voice channel can call customers."""

from __future__ import annotations

import dataclasses
import wave
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from frontdesk.domain.ids import ContactId
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk

from .conftest import ACME, VOICE

CALLER = "+79161234567"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def app(frontdesk: Frontdesk, folder: Path) -> FastAPI:
    """The app of a server whose voice channel records calls and has a trunk."""
    settings = dataclasses.replace(frontdesk.settings, recordings=str(folder), click_to_call=True)
    return create_app(dataclasses.replace(frontdesk, settings=settings))


async def recorded_call(frontdesk: Frontdesk, anna: httpx.AsyncClient, folder: Path) -> str:
    """A call anna answered, whose recording the voice channel has kept."""
    assert (await anna.post("/api/v1/agents/anna/state", json={"state": "ready"})).is_success
    answer = await anna.post("/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER})
    contact: str = answer.json()["id"]
    await frontdesk.dispatcher.settle()
    assert (await anna.post(f"/api/v1/contacts/{contact}/accept")).is_success
    name = f"{ACME}/{contact}.wav"
    (folder / ACME).mkdir(parents=True)
    with wave.open(str(folder / name), "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(range(256)) * 64)
    await frontdesk.dispatcher.desk(ACME).add_recording(ContactId(contact), name, 2.5)
    return contact


async def test_a_supervisor_plays_the_recording_and_an_agent_may_not(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient, folder: Path
) -> None:
    contact = await recorded_call(frontdesk, anna, folder)
    url = f"/api/v1/contacts/{contact}/recording"
    heard = await sofia.get(url)
    assert heard.status_code == 200
    assert heard.headers["content-type"] == "audio/wav"
    assert heard.content == (folder / ACME / f"{contact}.wav").read_bytes()
    part = await sofia.get(url, headers={"Range": "bytes=0-99"})  # the player seeks
    assert part.status_code == 206
    assert len(part.content) == 100
    refused = await anna.get(url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.forbidden"


async def test_the_contact_page_has_a_player_for_supervisors_only(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient, folder: Path
) -> None:
    contact = await recorded_call(frontdesk, anna, folder)
    player = f'src="/api/v1/contacts/{contact}/recording"'
    supervisor_page = await sofia.get(f"/contacts/{contact}")
    assert player in supervisor_page.text
    assert "Recording ready" in supervisor_page.text  # the timeline's entry
    assert player not in (await anna.get(f"/contacts/{contact}")).text


async def test_a_contact_without_a_recording_is_a_404(
    frontdesk: Frontdesk, anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    answer = await anna.post("/api/v1/inbound", json={"access_point": VOICE, "sender": CALLER})
    missing = await sofia.get(f"/api/v1/contacts/{answer.json()['id']}/recording")
    assert missing.status_code == 404
    assert missing.json()["code"] == "recording.not_found"


async def test_agents_call_a_customer_from_the_card(
    anna: httpx.AsyncClient, sofia: httpx.AsyncClient
) -> None:
    created = await anna.post("/api/v1/customers", json={"name": "Ivan", "phones": [CALLER]})
    card = f"/customers/{created.json()['id']}"
    assert f'data-call="{CALLER}"' in (await anna.get(card)).text
    assert "data-call=" not in (await sofia.get(card)).text  # no agent profile, no phone
