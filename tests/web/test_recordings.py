"""The voice channel in the API and the UI: call recordings (supervisors listen, agents do
not), prompt recordings uploaded by admins, and the customer card's click-to-call."""

from __future__ import annotations

import dataclasses
import io
import math
import wave
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from frontdesk.domain.ids import ContactId
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk, SipService

from .conftest import ACME, VOICE

CALLER = "+79161234567"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def app(frontdesk: Frontdesk, folder: Path) -> FastAPI:
    """The app of a server whose voice channel records calls and has a trunk."""
    settings = dataclasses.replace(
        frontdesk.settings, recordings=str(folder), prompts=str(folder.parent / "prompts"),
        click_to_call=True, sip=SipService("127.0.0.1", "127.0.0.1:5060"),
    )  # fmt: skip
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


def wav(seconds: float, rate: int = 44100, channels: int = 2) -> bytes:
    """A WAV as a person would upload it: CD quality, a tone."""
    frames = int(seconds * rate)
    samples = bytearray()
    for n in range(frames):
        value = int(8000 * math.sin(2 * math.pi * 440 * n / rate)).to_bytes(
            2, "little", signed=True
        )
        samples += value * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(channels)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(bytes(samples))
    return out.getvalue()


async def test_an_admin_uploads_a_prompt_recording_in_the_call_format(
    admin: httpx.AsyncClient, sofia: httpx.AsyncClient, tmp_path: Path
) -> None:
    body = wav(7.0)  # 1.2 MB: more than a request may carry elsewhere
    assert len(body) > 1024 * 1024
    stored = await admin.put(
        "/api/v1/prompts/welcome/audio", content=body, headers={"Content-Type": "audio/wav"}
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["name"] == "welcome"
    assert 7 * 8000 < stored.json()["bytes"] < 7 * 8000 + 1000  # 8 kHz, mono, A-law
    refused = await sofia.put("/api/v1/prompts/welcome/audio", content=body)
    assert refused.status_code == 403
    broken = await admin.put("/api/v1/prompts/welcome/audio", content=b"RIFF....WAVE junk")
    assert broken.status_code == 422
    assert broken.json()["code"] == "prompt.unreadable"
    not_wav = await admin.put("/api/v1/prompts/welcome/audio", content=b"ID3 an mp3 file")
    assert not_wav.json()["code"] == "prompt.not_wav"
    audit = (await admin.get("/api/v1/audit", params={"kind": "prompt_audio"})).json()
    assert [entry["action"] for entry in audit] == ["update"]
    assert (await admin.delete("/api/v1/prompts/welcome/audio")).status_code == 204
    assert (await admin.delete("/api/v1/prompts/welcome/audio")).status_code == 404


async def test_an_agent_gets_a_phone_login_whose_password_is_shown_once(
    anna: httpx.AsyncClient, boris: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    given = await anna.post("/api/v1/agents/anna/phone", json={})
    assert given.status_code == 200, given.text
    login = given.json()
    assert (login["username"], login["domain"], login["registrar"]) == (
        "anna",
        "127.0.0.1",
        "127.0.0.1:5060",
    )
    assert len(login["password"]) >= 12
    stored = (await admin.get("/api/v1/phones/anna")).json()
    assert stored == {"ha1": "***"}  # neither the password nor its hash is ever read back
    assert (await boris.post("/api/v1/agents/anna/phone", json={})).status_code == 403
    weak = await anna.post("/api/v1/agents/anna/phone", json={"password": "short"})
    assert weak.json()["code"] == "phone.weak_password"
    assert (await admin.delete("/api/v1/phones/anna")).status_code == 204
