"""Wire models of the REST API (pydantic v2).

Request models forbid unknown fields, so a misspelt field is a 422 naming it instead of
being ignored. Response models read the domain's dataclasses by attribute
(``Model.model_validate(record)``); sets come out sorted, so answers are stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.callbacks import CallbackState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState, SegmentKind
from frontdesk.domain.handling import CrmStatus, LiveContact
from frontdesk.domain.users import Role
from frontdesk.services.catalog import agent_document
from frontdesk.services.previews import MAX_PER_HOUR
from frontdesk.web.ui.i18n import LOCALES


def _ui_language(value: str) -> str:
    if value not in LOCALES:
        raise ValueError(f"the UI speaks {', '.join(LOCALES)}, not {value!r}")
    return value


def _sorted(value: Any) -> Any:
    return sorted(value) if isinstance(value, set | frozenset) else value


Names = Annotated[list[str], BeforeValidator(_sorted)]
Duration = str | int | float  # 30, "30s", "5m", "1h30m"
Text = Annotated[str, Field(max_length=4096)]
Key = Annotated[str, Field(min_length=1, max_length=128)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


OutputT = TypeVar("OutputT", bound=Output)


# --- errors -------------------------------------------------------------------------------


class Problem(BaseModel):
    """An error (RFC 9457), served as application/problem+json; more members may follow."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str


class ScenarioProblem(BaseModel):
    line: int | None
    column: int | None
    code: str
    message: str


# --- sessions -----------------------------------------------------------------------------


class LoginIn(Input):
    tenant: Key = "default"
    username: Annotated[str, Field(max_length=64)]
    password: Annotated[str, Field(max_length=1024)]


class SessionOut(BaseModel):
    """Who is calling. ``csrf_token`` goes in X-CSRF-Token on unsafe cookie requests."""

    user: str
    user_id: str | None
    tenant: str
    role: Role
    kind: Literal["session", "token"]
    agent: str | None
    csrf_token: str | None
    language: str = Field(description="the user's UI language")


class PreferencesIn(Input):
    language: Annotated[str, AfterValidator(_ui_language)]


# --- contacts -----------------------------------------------------------------------------


class InboundIn(Input):
    access_point: Annotated[str, Field(min_length=1, max_length=256)]
    sender: str
    channel_data: dict[str, str] = {}
    digits: dict[str, str] = {}
    priority: int = 0
    language: Annotated[str, Field(max_length=16)] | None = None
    idempotency_key: str | None = None


class SegmentOut(Output):
    index: int
    kind: SegmentKind
    started_at: datetime
    queue: str | None
    agent: str | None
    ended_at: datetime | None


class IvrStepOut(Output):
    menu: str
    input: str
    outcome: str


class HandlingOut(Output):
    crm: CrmStatus
    target: str | None
    scenario_version: int | None
    rule: str | None
    decided_at: datetime | None
    queue: str | None
    agent: str | None
    offered_at: datetime | None
    connected_at: datetime | None
    wrap_up_at: datetime | None
    closed_at: datetime | None
    greeting: str | None
    card: str | None
    script: str | None
    record: bool
    explanation: list[str]
    disposition: str | None
    note: str
    idempotency_key: str | None
    consult: str | None = Field(description='an open consult: "queue:<id>" or "agent:<id>"')
    consult_agent: str | None
    errors: list[str] = Field(description="problems met on the way, e.g. an unreadable sender")


class ContactOut(Output):
    id: str
    channel: Channel
    ani: str
    access_point: str
    state: ContactState
    arrived_at: datetime
    state_changed_at: datetime | None
    line: str
    channel_data: dict[str, str]
    digits: dict[str, str]
    ivr_path: list[IvrStepOut]
    customer: str | None
    category: str | None
    priority: int
    language: str | None
    segments: list[SegmentOut]
    handling: HandlingOut

    @classmethod
    def of(cls, live: LiveContact) -> ContactOut:
        fields = {
            name: getattr(live.contact, name) for name in cls.model_fields if name != "handling"
        }
        return cls.model_validate({**fields, "handling": live.handling})


class EventOut(Output):
    seq: int
    type: str
    at: datetime
    contact: str | None
    agent: str | None
    data: dict[str, Any]


class AgentRef(Input):
    """Acting for an agent: supervisors may name one; agents act as themselves."""

    agent: Key | None = None


class WrapUpIn(AgentRef):
    disposition: Key | None = None
    note: Text = ""
    close: bool = False


class TransferIn(Input):
    """To a queue or to an agent (exactly one of them)."""

    queue: Key | None = None
    agent: Key | None = None
    note: Text = ""


class ConsultIn(Input):
    """Ask a queue or an agent (exactly one of them) to join; the caller stays on."""

    queue: Key | None = None
    agent: Key | None = None


class ConsultEndIn(Input):
    hand_over: bool = Field(
        description="true: the agent who joined keeps the contact; false: they leave"
    )


# --- agents -------------------------------------------------------------------------------


class AgentDocument(Input):
    """An agent's profile. Capacity counts contacts per media (call, chat, email); a
    block ``"call>chat"`` means no chat is offered while the agent is on a call."""

    name: str | None = None
    skills: dict[str, int] | None = None
    languages: list[str] | None = None
    groups: list[str] | None = None
    queues: list[str] | None = None
    capacity: dict[str, int] | None = None
    blocks: list[str] | None = None


class AgentOut(BaseModel):
    id: str
    name: str
    skills: dict[str, int]
    languages: list[str]
    groups: list[str]
    queues: list[str]
    capacity: dict[str, int]
    blocks: list[str]
    state: AgentState
    reason: str | None
    state_since: datetime | None
    idle_since: datetime | None
    load: dict[str, int]

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls.model_validate(
            {
                **agent_document(agent),
                "id": agent.id,
                "state": agent.state,
                "reason": agent.reason,
                "state_since": agent.state_since,
                "idle_since": agent.idle_since,
                "load": {str(media): count for media, count in agent.load.items()},
            }
        )


class AgentStateIn(Input):
    state: Literal["ready", "not_ready", "logged_out"]
    reason: Key | None = Field(default=None, description="required for not_ready")


# --- configuration documents ----------------------------------------------------------------


class QueueDocument(Input):
    name: str | None = None
    service_level: str | None = Field(default=None, examples=["80/20"])
    priority: int | None = None
    aging_per_minute: float | None = None
    max_wait: Duration | None = None
    max_length: int | None = None
    overflow: str | None = None
    calendar: str | None = None


class AccessPointDocument(Input):
    """Keyed by the address: a phone number for voice and SMS, a name otherwise."""

    channel: Channel | None = None
    line: str | None = None
    agent: str | None = Field(default=None, description="a personal manager's direct line")
    calendar: str | None = None


class CalendarDocument(Input):
    timezone: str | None = None
    hours: dict[str, str] | None = Field(default=None, examples=[{"mon-fri": "09:00-18:00"}])
    holidays: str | None = Field(default=None, description="country code; null for none")
    exceptions: dict[str, str | None] | None = None


class ListDocument(Input):
    values: list[str | int] | None = None
    description: str | None = None


class NamedDocument(Input):
    """A disposition, not-ready reason or category: names by language."""

    name: dict[str, str] | None = None
    color: str | None = None
    description: str | None = None


class WebhookDocument(Input):
    """``secret`` is write-only: it reads back as "***", and "***" written keeps it."""

    url: str
    events: list[str] | None = None
    secret: str
    active: bool | None = None


class LevelDocument(Input):
    warn: Duration | None = None
    alarm: Duration | None = None


class SettingsDocument(Input):
    """``desk``: the desk's timings; ``wallboard``: where its figures turn amber and red."""

    ring_timeout: Duration | None = None
    crm_timeout: Duration | None = None
    wrap_up: Duration | None = None
    timezone: str | None = None
    service_level: LevelDocument | None = Field(default=None, examples=[{"warn": 80, "alarm": 60}])
    longest_wait: LevelDocument | None = Field(
        default=None, examples=[{"warn": "30s", "alarm": "2m"}]
    )
    waiting: LevelDocument | None = Field(default=None, examples=[{"warn": 5, "alarm": 10}])


class ScriptDocument(Input):
    """A service script: its title and text by language."""

    name: dict[str, str] | None = None
    text: dict[str, Annotated[str, Field(max_length=20_000)]] | None = None


class PromptDocument(Input):
    """What a prompt says, by language (``{"en": ..., "ru": ...}``): calls speak it."""

    text: dict[str, Annotated[str, Field(min_length=1, max_length=5000)]]


class PhoneDocument(Input):
    """An agent's phone login: the digest hash of its password. Set it with
    ``POST /api/v1/agents/{id}/phone``; ``ha1`` reads back as "***"."""

    ha1: str


# --- scenarios ----------------------------------------------------------------------------


class ScenarioIn(Input):
    text: Annotated[str, Field(min_length=1)]
    comment: Text = ""


class ScenarioSummary(Output):
    version: int
    created_at: datetime
    author: str
    comment: str
    published_at: datetime | None


class ScenarioOut(ScenarioSummary):
    text: str


class ValidationOut(BaseModel):
    valid: bool
    problems: list[ScenarioProblem]


class DiffOut(BaseModel):
    version: int
    diff: str = Field(description="unified diff against the published version")


class PublicationOut(BaseModel):
    version: int
    previous: int | None
    diff: str
    waiting: int
    note: str


# --- users and tokens -----------------------------------------------------------------------


class UserIn(Input):
    username: str
    password: Annotated[str, Field(max_length=1024)]
    role: Role
    name: str = ""
    agent: Key | None = None
    language: Annotated[str, Field(max_length=16)] = "en"


class UserPatch(Input):
    """Only the fields given change; ``"agent": null`` unlinks the agent profile."""

    role: Role | None = None
    name: str | None = None
    agent: Key | None = None
    language: Annotated[str, Field(max_length=16)] | None = None
    active: bool | None = None
    password: Annotated[str, Field(max_length=1024)] | None = None


class UserOut(Output):
    id: str
    username: str
    role: Role
    name: str
    agent: str | None
    language: str
    active: bool
    created_at: datetime | None


class TokenIn(Input):
    name: str
    role: Role = Role.AGENT


class TokenOut(Output):
    id: str
    name: str
    role: Role
    created_at: datetime
    created_by: str
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(description="the token itself, shown this once only")


# --- customers ----------------------------------------------------------------------------


class CustomerIn(Input):
    name: Annotated[str, Field(max_length=512)]
    company: str = ""
    category: str | None = None
    status: str | None = None
    manager: str | None = None
    vip: bool = False
    blacklisted: bool = False
    languages: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    messenger_ids: dict[str, str] = {}
    fields: dict[str, str] = {}


class CustomerOut(Output):
    id: str
    name: str
    company: str
    category: str | None
    status: str | None
    manager: str | None
    vip: bool
    blacklisted: bool
    languages: Names
    phones: list[str]
    emails: list[str]
    messenger_ids: dict[str, str]
    fields: dict[str, str]
    created_at: datetime | None
    updated_at: datetime | None
    merged_into: str | None


class PurchaseIn(Input):
    amount: Decimal
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "RUB"
    description: Text = ""
    order_no: Annotated[str, Field(max_length=128)] = ""
    at: AwareDatetime | None = Field(default=None, description="default: now")


class PurchaseOut(Output):
    id: str
    customer: str
    at: datetime
    amount: Decimal
    currency: str
    description: str
    order_no: str


class NoteIn(Input):
    text: Text
    contact: Key | None = None


class NoteOut(Output):
    id: str
    customer: str
    at: datetime
    text: str
    author: str
    contact: str | None


class ActivityOut(Output):
    id: str
    customer: str
    at: datetime
    channel: str
    summary: str
    contact: str | None
    direction: str
    agent: str | None
    disposition: str | None


class CallbackOut(Output):
    id: str
    number: str
    due_at: datetime
    created_at: datetime
    contact: str | None
    customer: str | None
    agent: str | None
    queue: str | None
    note: str
    state: CallbackState
    created_by: str


class CardOut(Output):
    customer: CustomerOut
    purchases: list[PurchaseOut]
    activities: list[ActivityOut]
    notes: list[NoteOut]
    callbacks: list[CallbackOut]


class MergeIn(Input):
    duplicate: Key


class RowErrorOut(Output):
    line: int
    reason: str
    code: str


class ImportReportOut(Output):
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


# --- callbacks and audit --------------------------------------------------------------------


class CallbackIn(Input):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    due_at: AwareDatetime
    agent: Key | None = Field(default=None, description="default: yourself, when no queue")
    queue: Key | None = None
    contact: Key | None = None
    customer: Key | None = None
    note: Text = ""


class AuditOut(Output):
    seq: int
    at: datetime
    actor: str
    action: str
    kind: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def many(model: type[OutputT], records: Iterable[object]) -> list[OutputT]:
    """Every record read into ``model``."""
    return [model.model_validate(record) for record in records]


# --- scenario editor: drafts compared and previewed ----------------------------------------


class DraftIn(Input):
    text: Annotated[str, Field(min_length=1)]


class DraftDiffOut(BaseModel):
    published: int | None = Field(description="the published version; null when none is")
    diff: str = Field(description="unified diff from the published version to the text")


class PreviewTrafficIn(Input):
    """``yesterday``: the tenant's contacts of yesterday replayed; ``generated``:
    ``per_hour`` contacts an hour over the working day at ``access_point`` (default: the
    first voice number), ``known_share`` of them from customers of the CRM."""

    kind: Literal["yesterday", "generated"] = "yesterday"
    per_hour: Annotated[float, Field(gt=0, le=MAX_PER_HOUR)] | None = None
    access_point: Key | None = None
    known_share: Annotated[float, Field(ge=0, le=1)] = 0.5


class PreviewIn(Input):
    text: Annotated[str, Field(min_length=1)]
    traffic: PreviewTrafficIn = PreviewTrafficIn()


class QueueForecastOut(Output):
    queue: str | None = Field(description="null: every queue together")
    name: str
    target: str = Field(examples=["80/20"])
    offered: int
    answered: int
    abandoned: int
    service_level: float | None = Field(description="percent answered within the target")
    asa: float | None = Field(description="average speed of answer, seconds")
    abandon_rate: float | None = Field(description="percent of offered")
    occupancy: float | None = Field(description="percent busy of the serving agents' time")


class ForecastOut(Output):
    version: int | None = Field(description="the published version; null for the draft")
    total: QueueForecastOut
    queues: list[QueueForecastOut]
    outcomes: dict[str, int]


class StaffingOut(Output):
    agents: int
    calendar: str | None
    hours: list[str] = Field(examples=[["08:00-20:00"]])


class BehaviourOut(Output):
    media: str
    talk: float
    wrap_up: float
    patience: float | None
    learned: bool = Field(description="from the day's contacts, not defaults")


class PreviewOut(Output):
    traffic: Literal["yesterday", "generated"]
    day: date
    timezone: str
    contacts: int
    left_out: int = Field(description="contacts of the day not replayed")
    staffing: StaffingOut
    behaviour: list[BehaviourOut]
    draft: ForecastOut
    current: ForecastOut | None = Field(description="the published version, on the same day")
    published: int | None


# --- reports --------------------------------------------------------------------------------


class FiguresOut(Output):
    """One interval's figures (or the whole day's). Service level is a percentage, ASA in
    seconds; both are null when there is nothing to measure."""

    start: datetime
    end: datetime
    offered: int
    answered: int
    abandoned: int
    answered_in_target: int
    service_level: float | None
    asa: float | None


class IntradayOut(Output):
    day: date
    timezone: str
    interval: int = Field(description="minutes")
    queue: str | None = Field(description="null: every queue")
    channel: str | None = Field(description="null: every channel")
    goal: float | None = Field(description="the service-level target, percent")
    intervals: list[FiguresOut]
    total: FiguresOut


# --- the agent's desktop ------------------------------------------------------------------


class MessageIn(Input):
    """A message of the contact's conversation (at most 10,000 characters)."""

    text: Annotated[str, Field(min_length=1, max_length=10_000)]


class MessageOut(Output):
    seq: int = Field(description="the message's event; 0 for what the contact arrived with")
    at: datetime
    direction: Literal["in", "out"] = Field(description="in: from the customer; out: to them")
    text: str
    author: str = Field(description="the agent's user name, the integration that delivered "
                                    "it, or the sender of the contact's first message")  # fmt: skip
    subject: str = ""


class CustomerLinkIn(Input):
    customer: Key


class DirectoryAgentOut(Output):
    id: str
    name: str
    state: AgentState
    reason: str | None
    free: dict[str, int] = Field(description="contacts of each media the agent could still take")


class DirectoryQueueOut(Output):
    id: str
    name: str
    waiting: int = Field(description="contacts in line now")


class DirectoryOut(Output):
    agents: list[DirectoryAgentOut]
    queues: list[DirectoryQueueOut]
