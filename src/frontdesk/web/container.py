"""What the web edge serves from: the running services, built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.bus.memory import MemoryBus
from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Store
from frontdesk.services.auth import AuthService
from frontdesk.services.configuration import ConfigurationService
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.previews import PreviewService
from frontdesk.services.scenarios import ScenarioService

MAX_BODY = 1024 * 1024  # bytes; a larger request body is refused with 413


@dataclass(frozen=True, slots=True)
class SipService:
    """Where agents' phones register: for the phone logins the API hands out."""

    domain: str
    registrar: str  # host:port


@dataclass(frozen=True, slots=True)
class WebSettings:
    max_body: int = MAX_BODY
    secure_cookies: bool = False  # True behind HTTPS
    session_cookie: str = "frontdesk_session"
    default_tenant: str = "default"  # the company the sign-in form suggests
    recordings: str | None = None  # the voice channel's folder of call recordings
    prompts: str | None = None  # the voice channel's folder of prompts (None: voice off)
    sip: SipService | None = None  # None: the voice channel is off
    click_to_call: bool = False  # the voice channel calls customers (it has a trunk)


@dataclass(frozen=True, slots=True)
class Frontdesk:
    """Every service the API calls; one instance per running server."""

    store: Store
    clock: Clock
    bus: MemoryBus
    crm: BuiltinCrm
    dispatcher: Dispatcher
    auth: AuthService
    scenarios: ScenarioService
    configuration: ConfigurationService
    previews: PreviewService  # scenario previews on the simulator (wired by the app)
    settings: WebSettings = WebSettings()
