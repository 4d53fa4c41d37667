"""The administration's configuration editors, described once per kind of document.

Every configuration document (``docs/service.md``: queues, access points, calendars ...)
is listed and edited by the same page and the same script: a :class:`Form` says which
document it edits, what its key is called, and its :class:`Field` s — the document's
field (a dotted name nests: ``service_level.warn``), the label, the type of control, a
hint and, for a choice, where its options come from. ``templates/admin/fields.html``
renders a field by its type and ``static/js/forms.js`` turns the controls back into the
document, so a new kind of document needs a description here and nothing else.

Settings documents have fixed keys: each is a form of its own (``singleton``) that opens
straight into its editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from frontdesk.domain.errors import NotFoundError
from frontdesk.web.ui.i18n import LOCALES
from frontdesk.web.ui.templating import N_
from frontdesk.web.ui.vocabulary import CHANNELS, local_name


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"  # several lines of text
    NUMBER = "number"  # any number
    INT = "int"  # a whole number
    DURATION = "duration"  # 30s, 5m, 1h30m (or seconds)
    SELECT = "select"  # one of the options
    LIST = "list"  # values, one a line
    MAP = "map"  # lines "key: value"
    NAMES = "names"  # a text by language: {"en": ..., "ru": ...}
    BOOL = "bool"  # a checkbox
    SECRET = "secret"  # write-only: reads "***", and "***" written back keeps it
    COLOR = "color"  # #rrggbb
    TIMEZONE = "timezone"  # an IANA time zone


#: The options of a select come from the tenant's documents of a kind, or from agents.
AGENTS = "agents"


@dataclass(frozen=True, slots=True)
class Field:
    """One control of a form: ``name`` is the document's field (dotted names nest)."""

    name: str
    label: str  # marked with N_, shown translated
    type: FieldType = FieldType.TEXT
    hint: str = ""  # marked with N_
    options: tuple[tuple[str, str], ...] = ()  # (value, label marked with N_)
    options_from: str | None = None  # a configuration kind, or AGENTS
    blank: str | None = None  # a select's empty choice (marked with N_): the field left out
    multiline: bool = False  # NAMES: a text area per language
    required: bool = False
    default: Any = None  # the value a new document starts with
    placeholder: str = ""  # what an empty field means (the service's default)
    column: bool = False  # shown in the list of documents
    empty_is_null: bool = False  # an empty value is sent as null instead of left out

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    def read(self, document: Mapping[str, Any] | None) -> Any:
        """The field's value in ``document`` (None when it is not there)."""
        value: Any = document
        for part in self.name.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def languages(self, value: Any) -> list[str]:
        """NAMES: the UI's languages, then any other language the document holds (kept
        when it is saved again)."""
        held = [lang for lang in value if lang not in LOCALES] if isinstance(value, Mapping) else []
        return [*LOCALES, *sorted(held)]


@dataclass(frozen=True, slots=True)
class Form:
    """The editor of one kind of configuration document."""

    slug: str  # /admin/config/<slug>
    kind: str  # the document kind (services.catalog)
    title: str  # the menu entry and heading (N_)
    noun: str  # one document, as the audit log names it (N_)
    new_label: str  # the button that creates one (N_)
    intro: str  # what these documents do (N_)
    fields: tuple[Field, ...]
    key_label: str = N_("Id")
    key_hint: str = N_("Letters, digits and . _ - : @ +; the scenario refers to it by this id")
    singleton: str | None = None  # the one key of a settings document
    group: str = ""  # the group of the side menu (N_)

    @property
    def columns(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.column)

    def field_at(self, path: str) -> Field | None:
        """The field ``path`` names, or the one it lies in (``hours.mon-fri``)."""
        for item in self.fields:
            if path == item.name or path.startswith(item.name + "."):
                return item
        return None


ROUTING = N_("Routing")
SERVICE = N_("Service")
INTEGRATIONS = N_("Integrations")

_NAME_BY_LANGUAGE = Field(
    "name", N_("Display name"), FieldType.NAMES,
    N_("As agents and supervisors read it, by language"), column=True,
)  # fmt: skip
_COLOR = Field("color", N_("Colour"), FieldType.COLOR, N_("Where it is shown, e.g. #1f6fb2"),
               column=True)  # fmt: skip
_DESCRIPTION = Field("description", N_("Description"), FieldType.TEXTAREA, column=True)
_CALENDAR = Field(
    "calendar", N_("Calendar"), FieldType.SELECT, N_("Opening hours it keeps"),
    options_from="calendars", blank=N_("Always open"), column=True,
)  # fmt: skip
_DURATION_HINT = N_("30s, 5m, 1h30m")

FORMS: tuple[Form, ...] = (
    Form(
        "queues", "queues", N_("Queues"), N_("Queue"), N_("New queue"),
        N_("Lines contacts wait in for an agent, each with its service-level target."),
        (
            Field("name", N_("Display name"), required=True, column=True),
            Field("service_level", N_("Service level target"), hint=N_(
                "Percent of contacts answered within so many seconds: 80/20"),
                default="80/20", placeholder="80/20", column=True),
            Field("priority", N_("Priority"), FieldType.INT, N_(
                "Higher is served first by agents of several queues"), default=0, column=True),
            Field("aging_per_minute", N_("Priority gained per minute"), FieldType.NUMBER, N_(
                "Long waits move up: the priority a contact gains for each minute in line")),
            Field("max_wait", N_("Maximum wait"), FieldType.DURATION, N_(
                "Then the contact overflows (30s, 5m, 1h); empty: no limit"), column=True),
            Field("max_length", N_("Maximum line length"), FieldType.INT, N_(
                "Contacts in line at most; empty: no limit")),
            Field("overflow", N_("Overflow to"), FieldType.SELECT, N_(
                "Where contacts go when the wait or the line is too long"),
                options_from="queues", blank=N_("None"), column=True),
            _CALENDAR,
        ),
        key_hint=N_("Letters, digits and . _ -; the scenario routes to the queue by this id"),
        group=ROUTING,
    ),
    Form(
        "access-points", "access_points", N_("Access points"), N_("Access point"),
        N_("New access point"),
        N_("Where contacts arrive: phone numbers, chat widgets, mailboxes, web forms."),
        (
            Field("channel", N_("Channel"), FieldType.SELECT,
                  options=tuple(CHANNELS.items()), default="voice", column=True),
            Field("line", N_("Line"), hint=N_(
                "A label the scenario can route by (contact.line), e.g. sales"), column=True),
            Field("agent", N_("Direct line of"), FieldType.SELECT, N_(
                "Contacts here go to this agent: a personal manager's number"),
                options_from=AGENTS, blank=N_("None"), column=True),
            _CALENDAR,
        ),
        key_label=N_("Address"),
        key_hint=N_("An international phone number (+74951234567) for calls, SMS and "
                    "callbacks; a name for a chat widget, mailbox or web form"),
        group=ROUTING,
    ),
    Form(
        "calendars", "calendars", N_("Calendars"), N_("Calendar"), N_("New calendar"),
        N_("Business hours in a time zone, with public holidays and exceptions by date."),
        (
            Field("timezone", N_("Time zone"), FieldType.TIMEZONE, default="Europe/Moscow",
                  required=True, column=True),
            Field("hours", N_("Opening hours"), FieldType.MAP, N_(
                "A line per range of weekdays: mon-fri: 09:00-18:00; several periods: "
                "09:00-13:00,14:00-18:00"), default={"mon-fri": "09:00-18:00"}, column=True),
            Field("holidays", N_("Public holidays of"), hint=N_(
                "A country code such as RU; empty: no public holidays"),
                default="RU", column=True, empty_is_null=True),
            Field("exceptions", N_("Exceptions"), FieldType.MAP, N_(
                "A line per date: 2026-12-31: 10:00-15:00; no hours: closed that day")),
        ),
        group=ROUTING,
    ),
    Form(
        "lists", "lists", N_("Lists"), N_("List"), N_("New list"),
        N_("Named lists the scenario checks, such as the blacklist of numbers."),
        (
            _DESCRIPTION,
            Field("values", N_("Values"), FieldType.LIST, N_(
                "One a line; phone numbers are kept in international format"), column=True),
        ),
        group=ROUTING,
    ),
    Form(
        "categories", "categories", N_("Customer categories"), N_("Customer category"),
        N_("New category"), N_("Categories of customers, such as VIP, that routing can use."),
        (_NAME_BY_LANGUAGE, _COLOR, _DESCRIPTION),
        group=ROUTING,
    ),
    Form(
        "dispositions", "dispositions", N_("Disposition codes"), N_("Disposition code"),
        N_("New disposition code"), N_("The outcomes agents choose when they wrap a contact up."),
        (_NAME_BY_LANGUAGE, _COLOR, _DESCRIPTION),
        group=SERVICE,
    ),
    Form(
        "reasons", "reasons", N_("Not-ready reasons"), N_("Not-ready reason"),
        N_("New reason"), N_("Why an agent is not ready: break, lunch, training ..."),
        (_NAME_BY_LANGUAGE, _COLOR, _DESCRIPTION),
        group=SERVICE,
    ),
    Form(
        "scripts", "scripts", N_("Service scripts"), N_("Service script"), N_("New script"),
        N_("What agents read to the customer; the scenario names the script to show."),
        (
            _NAME_BY_LANGUAGE,
            Field("text", N_("Text"), FieldType.NAMES, N_("What the agent reads, by language"),
                  multiline=True),
        ),
        group=SERVICE,
    ),
    Form(
        "desk", "settings", N_("Desk settings"), N_("Settings"), N_("Desk settings"),
        N_("How long offers ring, how long the CRM may take, when wrap-up ends."),
        (
            Field("ring_timeout", N_("Ring time"), FieldType.DURATION, N_(
                "An offer not answered by then goes to someone else"), placeholder="20s"),
            Field("crm_timeout", N_("CRM look-up limit"), FieldType.DURATION, N_(
                "A slower CRM is skipped: the contact is routed without its data"),
                placeholder="0.5s"),
            Field("wrap_up", N_("Wrap-up time"), FieldType.DURATION, N_(
                "Wrap-up ends by itself after this; empty: the agent ends it")),
        ),
        singleton="desk",
        group=SERVICE,
    ),
    Form(
        "wallboard", "settings", N_("Wallboard levels"), N_("Settings"), N_("Wallboard levels"),
        N_("Where the wallboard's figures turn amber and red; empty: the default shown."),
        (
            Field("service_level.warn", N_("Service level: amber below, %"), FieldType.NUMBER,
                  placeholder="80"),
            Field("service_level.alarm", N_("Service level: red below, %"), FieldType.NUMBER,
                  placeholder="60"),
            Field("longest_wait.warn", N_("Longest wait: amber from"), FieldType.DURATION,
                  _DURATION_HINT, placeholder="30s"),
            Field("longest_wait.alarm", N_("Longest wait: red from"), FieldType.DURATION,
                  _DURATION_HINT, placeholder="2m"),
            Field("waiting.warn", N_("Contacts waiting: amber from"), FieldType.INT,
                  placeholder="5"),
            Field("waiting.alarm", N_("Contacts waiting: red from"), FieldType.INT,
                  placeholder="10"),
        ),
        singleton="wallboard",
        group=SERVICE,
    ),
    Form(
        "webhooks", "webhooks", N_("Webhooks"), N_("Webhook"), N_("New webhook"),
        N_("Other systems hear of events as they happen, by signed HTTP calls."),
        (
            Field("url", N_("Address (URL)"), hint=N_("Where the events are posted: https://..."),
                  required=True, column=True),
            Field("events", N_("Events"), FieldType.LIST, N_(
                "Event types, one a line: contact.*, agent.state_changed; empty: every event"),
                column=True),
            Field("secret", N_("Signing secret"), FieldType.SECRET, N_(
                "At least 16 characters; each call is signed with it. *** keeps the one "
                "stored"), required=True),
            Field("active", N_("Active"), FieldType.BOOL, default=True, column=True),
        ),
        key_hint=N_("Letters, digits and . _ -, e.g. crm"),
        group=INTEGRATIONS,
    ),
)  # fmt: skip

_BY_SLUG = {form.slug: form for form in FORMS}


def form_of(slug: str) -> Form:
    """The form at ``/admin/config/<slug>``; NotFoundError for none."""
    form = _BY_SLUG.get(slug)
    if form is None:
        raise NotFoundError(f"there is no configuration page {slug!r}", code="admin.not_found")
    return form


def form_for(kind: str, key: str) -> Form | None:
    """The form that edits the document ``kind``/``key`` (settings: by key)."""
    for form in FORMS:
        if form.kind == kind and form.singleton in (None, key):
            return form
    return None


Options = dict[str, list[tuple[str, str]]]


def option_list(documents: Mapping[str, Mapping[str, Any]], locale: str) -> list[tuple[str, str]]:
    """Documents as (key, label) choices: "Sales (sales)" where they have a name."""
    choices = []
    for key, body in sorted(documents.items()):
        name = body.get("name")
        shown = local_name(body, key, locale) if isinstance(name, Mapping) else name
        choices.append((key, f"{shown} ({key})" if shown and shown != key else key))
    return choices


def shown_value(
    item: Field, value: Any, gettext: Callable[[str], str], locale: str, options: Options
) -> str:
    """A field's value as one line of a table."""
    if value is None or value in ("", [], {}):
        return gettext(item.blank) if item.blank else "—"
    match item.type:
        case FieldType.NAMES:
            return local_name({"name": value}, "—", locale)
        case FieldType.BOOL:
            return gettext("Yes") if value else gettext("No")
        case FieldType.LIST:
            return _some(str(v) for v in value)
        case FieldType.MAP:
            return "; ".join(f"{k} {v or '—'}" for k, v in value.items())
        case FieldType.SELECT:
            choices = dict(item.options) if item.options else dict(options.get(item.name, []))
            label = choices.get(str(value))
            return gettext(label) if item.options and label else (label or str(value))
        case FieldType.SECRET:
            return "***"
        case _:
            return str(value)


def _some(values: Iterable[str], shown: int = 3) -> str:
    items = list(values)
    text = ", ".join(items[:shown])
    return f"{text} … (+{len(items) - shown})" if len(items) > shown else text


def editor_text(item: Field, value: Any) -> str:
    """A field's value as its control shows it."""
    if value is None:
        return ""
    if item.type == FieldType.LIST:
        return "\n".join(str(v) for v in value)
    if item.type == FieldType.MAP:
        return "\n".join(f"{k}: {'' if v is None else v}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True, slots=True)
class MenuItem:
    href: str
    label: str  # N_


@dataclass(frozen=True, slots=True)
class MenuGroup:
    label: str  # N_
    items: tuple[MenuItem, ...] = field(default_factory=tuple)


def menu() -> tuple[MenuGroup, ...]:
    """The side menu of the administration."""

    def documents(group: str) -> tuple[MenuItem, ...]:
        return tuple(
            MenuItem(f"/admin/config/{f.slug}", f.title) for f in FORMS if f.group == group
        )

    return (
        MenuGroup(N_("People"), (MenuItem("/admin/users", N_("Users and roles")),
                                 MenuItem("/admin/agents", N_("Agents")))),
        MenuGroup(ROUTING, documents(ROUTING)),
        MenuGroup(SERVICE, documents(SERVICE)),
        MenuGroup(INTEGRATIONS, (MenuItem("/admin/tokens", N_("API tokens")),
                                 *documents(INTEGRATIONS))),
        MenuGroup(N_("Audit"), (MenuItem("/admin/audit", N_("Audit log")),)),
    )  # fmt: skip


_COLOR_VALUE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def color_of(value: Any) -> str | None:
    """``value`` if it is a CSS colour in #rgb or #rrggbb form (safe in a style), else None."""
    return value if isinstance(value, str) and _COLOR_VALUE.fullmatch(value) else None
