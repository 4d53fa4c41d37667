"""The administration (``/admin``, administrators only): users and roles, agents, the
configuration documents, API tokens and webhooks, the audit log.

The pages only read; every change is made by the page's script through the REST API,
which checks and audits it. Configuration documents of every kind share one list and
one editor, driven by their descriptions in ``web/ui/admin_forms.py``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from frontdesk.domain.agents import MAX_PROFICIENCY, MIN_PROFICIENCY
from frontdesk.domain.channels import Media
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.repositories import AuditFilter
from frontdesk.domain.users import Role
from frontdesk.services.catalog import agent_document
from frontdesk.web.api.configuration import KINDS
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.container import Frontdesk
from frontdesk.web.ui import audit_trail
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.admin_forms import (
    AGENTS,
    Form,
    Options,
    color_of,
    editor_text,
    form_of,
    menu,
    option_list,
    shown_value,
)
from frontdesk.web.ui.templating import N_, ROLE_NAMES, Viewer, render
from frontdesk.web.ui.vocabulary import AGENT_STATES, local_name, translated

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Viewer, Depends(page("admin"))]
_KINDS = {kind.name: kind for kind in KINDS}
AUDIT_PAGE = 50
#: Capacity and blocks are counted per media.
MEDIA = MappingProxyType({Media.CALL.value: N_("Calls"), Media.CHAT.value: N_("Chats"),
                          Media.EMAIL.value: N_("E-mails")})  # fmt: skip


@cache
def timezones() -> list[str]:
    """The time zones a calendar may name, for the editor to suggest."""
    skipped = ("Etc/", "posix/", "right/", "SystemV/")
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(skipped))


def _admin_page(
    request: Request, viewer: Viewer, template: str, current: str, **context: Any
) -> HTMLResponse:
    return render(
        request, viewer, template, menu=menu(), current=current,
        editor_text=editor_text, shown_value=shown_value, color_of=color_of, **context,
    )  # fmt: skip


def _services(request: Request) -> Frontdesk:
    return frontdesk_of(request.app)


@router.get("")
async def administration(viewer: Admin) -> Response:
    """The first page of the administration."""
    return RedirectResponse("/admin/users", status_code=303)


# --- users ------------------------------------------------------------------------------


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, viewer: Admin) -> Response:
    frontdesk = _services(request)
    tenant = signed_in_viewer(viewer).tenant
    users = sorted(await frontdesk.auth.list_users(tenant), key=lambda u: u.username)
    agents = await frontdesk.configuration.agents(tenant)
    return _admin_page(
        request, viewer, "admin/users.html", "/admin/users",
        users=users,
        agent_names={a.id: a.name for a in agents},
        agent_options=sorted(((a.id, f"{a.name} ({a.id})") for a in agents), key=lambda o: o[1]),
        roles=_roles(viewer),
    )  # fmt: skip


def _roles(viewer: Viewer) -> list[tuple[str, str]]:
    return [(role.value, viewer.gettext(ROLE_NAMES[role])) for role in Role]


# --- agents -----------------------------------------------------------------------------


@router.get("/agents", response_class=HTMLResponse)
async def agents_page(request: Request, viewer: Admin) -> Response:
    frontdesk = _services(request)
    tenant = signed_in_viewer(viewer).tenant
    agents = sorted(await frontdesk.configuration.agents(tenant), key=lambda a: a.name)
    users = await frontdesk.auth.list_users(tenant)
    reasons = await frontdesk.configuration.all(tenant, "reasons")
    return _admin_page(
        request, viewer, "admin/agents.html", "/admin/agents",
        agents=agents,
        users_of={u.agent: u.username for u in users if u.agent},
        queue_names=await _queue_names(frontdesk, viewer),
        states=translated(AGENT_STATES, viewer.gettext),
        reasons={code: local_name(body, code, viewer.locale) for code, body in reasons.items()},
        media_names=MEDIA,
    )  # fmt: skip


@router.get("/agents/new", response_class=HTMLResponse)
async def new_agent_page(request: Request, viewer: Admin) -> Response:
    return await _agent_editor(request, viewer, None)


@router.get("/agents/edit/{agent_id}", response_class=HTMLResponse)
async def agent_page(request: Request, viewer: Admin, agent_id: str) -> Response:
    return await _agent_editor(request, viewer, agent_id)


async def _agent_editor(request: Request, viewer: Viewer, agent_id: str | None) -> Response:
    frontdesk = _services(request)
    tenant = signed_in_viewer(viewer).tenant
    agents = await frontdesk.configuration.agents(tenant)
    document: dict[str, Any] = {"capacity": {Media.CALL.value: 1}}
    if agent_id is not None:
        agent = next((a for a in agents if a.id == agent_id), None)
        if agent is None:
            raise NotFoundError(f"agent {agent_id} does not exist", code="agent.not_found")
        document = agent_document(agent)
    media = list(MEDIA)
    return _admin_page(
        request, viewer, "admin/agent.html", "/admin/agents",
        agent_id=agent_id,
        agent=document,
        queue_names=await _queue_names(frontdesk, viewer),
        known_skills=sorted({skill for a in agents for skill in a.skills}),
        proficiencies=range(MIN_PROFICIENCY, MAX_PROFICIENCY + 1),
        media_names=MEDIA,
        blocks=[(busy, blocked) for busy in media for blocked in media if busy != blocked],
    )  # fmt: skip


async def _queue_names(frontdesk: Frontdesk, viewer: Viewer) -> dict[str, str]:
    tenant = signed_in_viewer(viewer).tenant
    queues = await frontdesk.configuration.all(tenant, "queues")
    return {key: str(body.get("name") or key) for key, body in sorted(queues.items())}


# --- API tokens -------------------------------------------------------------------------


@router.get("/tokens", response_class=HTMLResponse)
async def tokens_page(request: Request, viewer: Admin) -> Response:
    frontdesk = _services(request)
    tokens = await frontdesk.auth.list_tokens(signed_in_viewer(viewer).tenant)
    tokens.sort(key=lambda t: (t.revoked, -t.created_at.timestamp()))
    return _admin_page(
        request, viewer, "admin/tokens.html", "/admin/tokens",
        tokens=tokens, roles=_roles(viewer),
    )  # fmt: skip


# --- the audit log ----------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    viewer: Admin,
    actor: str = "",
    kind: str = "",
    action: str = "",
    first_day: Annotated[str, Query(alias="from")] = "",
    last_day: Annotated[str, Query(alias="to")] = "",
    logins: bool = False,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    """The log newest first, a page at a time; the dates are days of the tenant's zone,
    both included. Sign-ins are left out unless ``logins`` or asked for by action."""
    frontdesk = _services(request)
    tenant = signed_in_viewer(viewer).tenant
    zone = viewer.fmt.zone
    since, until = _day(first_day), _day(last_day)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), zone)

    where = AuditFilter(
        actor=actor or None,
        kind=kind or None,
        action=action or None,
        since=midnight(since) if since else None,
        until=midnight(until + timedelta(days=1)) if until else None,
        skip_actions=frozenset() if logins or action else frozenset({"login"}),
    )
    async with frontdesk.store.transaction() as tx:
        entries = await tx.audit.all(
            tenant, limit=AUDIT_PAGE + 1, offset=(page_number - 1) * AUDIT_PAGE, where=where
        )
    users = await frontdesk.auth.list_users(tenant)
    filters = {
        "actor": actor,
        "kind": kind,
        "action": action,
        "from": since.isoformat() if since else "",
        "to": until.isoformat() if until else "",
        "logins": "1" if logins else "",
    }

    def page_link(number: int) -> str:
        return "/admin/audit?" + urlencode({**{k: v for k, v in filters.items() if v},
                                            "page": number})  # fmt: skip

    return _admin_page(
        request, viewer, "admin/audit.html", "/admin/audit",
        lines=[audit_trail.line(e, viewer.gettext) for e in entries[:AUDIT_PAGE]],
        filters=filters,
        actors=sorted(u.username for u in users),
        kinds=sorted(((code, viewer.gettext(name)) for code, name in audit_trail.KINDS.items()),
                     key=lambda k: k[1]),
        actions=[(code, viewer.gettext(name)) for code, name in audit_trail.ACTIONS.items()],
        newer=page_link(page_number - 1) if page_number > 1 else None,
        older=page_link(page_number + 1) if len(entries) > AUDIT_PAGE else None,
        page_number=page_number,
    )  # fmt: skip


def _day(text: str) -> date | None:
    """A day of a date field (``2026-12-02``); none for an empty or malformed one."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- configuration documents ------------------------------------------------------------


@router.get("/config/{slug}", response_class=HTMLResponse)
async def documents_page(request: Request, viewer: Admin, slug: str) -> Response:
    """The documents of a kind; a settings document opens in its editor."""
    form = form_of(slug)
    if form.singleton is not None:
        return await _document_editor(request, viewer, form, form.singleton)
    tenant = signed_in_viewer(viewer).tenant
    kind = _KINDS[form.kind]
    stored = await _services(request).configuration.all(tenant, form.kind)
    return _admin_page(
        request, viewer, "admin/documents.html", f"/admin/config/{slug}",
        form=form,
        api_path=f"/{kind.path}",
        documents={key: kind.shown(body) for key, body in sorted(stored.items())},
        options=await _options(request, viewer, form),
    )  # fmt: skip


@router.get("/config/{slug}/new", response_class=HTMLResponse)
async def new_document_page(request: Request, viewer: Admin, slug: str) -> Response:
    form = form_of(slug)
    if form.singleton is not None:
        raise NotFoundError(f"{slug} are edited, not created", code="admin.not_found")
    return await _document_editor(request, viewer, form, None)


@router.get("/config/{slug}/edit/{key}", response_class=HTMLResponse)
async def document_page(request: Request, viewer: Admin, slug: str, key: str) -> Response:
    form = form_of(slug)
    if form.singleton is not None and key != form.singleton:
        raise NotFoundError(f"there are no settings {key!r}", code="config.not_found")
    return await _document_editor(request, viewer, form, key)


async def _document_editor(
    request: Request, viewer: Viewer, form: Form, key: str | None
) -> Response:
    """The editor of ``key`` (None: a new document). A settings document not stored yet
    is edited empty: its defaults apply."""
    configuration = _services(request).configuration
    tenant = signed_in_viewer(viewer).tenant
    kind = _KINDS[form.kind]
    document: dict[str, Any] | None = None
    if key is not None:
        try:
            document = kind.shown(await configuration.get(tenant, form.kind, key))
        except NotFoundError:
            if form.singleton is None:
                raise
            document = {}
    return _admin_page(
        request, viewer, "admin/document.html", f"/admin/config/{form.slug}",
        form=form,
        key=key,
        api_path=f"/{kind.path}",
        document=document,
        options=await _options(request, viewer, form, key),
        timezones=timezones(),
    )  # fmt: skip


async def _options(request: Request, viewer: Viewer, form: Form, key: str | None = None) -> Options:
    """The choices of the form's selects that come from the tenant's configuration;
    document ``key`` is no choice for itself (a queue does not overflow to itself)."""
    configuration = _services(request).configuration
    tenant = signed_in_viewer(viewer).tenant
    options: Options = {}
    for item in form.fields:
        if item.options_from == AGENTS:
            agents = await configuration.agents(tenant)
            options[item.name] = sorted(
                ((a.id, f"{a.name} ({a.id})") for a in agents), key=lambda o: o[1]
            )
        elif item.options_from is not None:
            documents = await configuration.all(tenant, item.options_from)
            others = {
                k: v for k, v in documents.items() if item.options_from != form.kind or k != key
            }
            options[item.name] = option_list(others, viewer.locale)
    return options
