"""Rendering pages: the Jinja environment, who is looking, and the navigation they get.

Templates live in ``frontdesk/web/templates`` and are autoescaped. Each page gets
``_``/``gettext``/``ngettext`` for the viewer's language, ``fmt`` (:class:`Formats`) for
dates, numbers and durations in the tenant's time zone, ``viewer``, and ``nav``: the
sections the viewer's role may open (a page they may not open is not linked, and its
route refuses them anyway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.users import Role
from frontdesk.services.auth import Principal
from frontdesk.services.realtime import DEFAULT_TIMEZONE, timezone_of
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui import i18n
from frontdesk.web.ui.formatting import Formats

LANGUAGE_COOKIE = "frontdesk_lang"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for the catalogues; it is translated where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    permission: str
    needs_agent: bool = False  # only for users who work as an agent

    def open_to(self, principal: Principal) -> bool:
        return principal.can(self.permission) and (not self.needs_agent or bool(principal.agent))


ROLE_NAMES = {Role.AGENT: N_("Agent"), Role.SUPERVISOR: N_("Supervisor"), Role.ADMIN: N_("Admin")}

#: The sections of the UI, in the order of the header.
NAV: tuple[NavItem, ...] = (
    NavItem("/desk", N_("Desk"), "agents.self", needs_agent=True),
    NavItem("/customers", N_("Customers"), "customers.read"),
    NavItem("/wallboard", N_("Wallboard"), "supervisor.stream"),
    NavItem("/reports", N_("Reports"), "contacts.read"),
    NavItem("/contacts", N_("Contacts"), "contacts.read"),
    NavItem("/scenarios", N_("Scenario"), "scenarios.read"),
    NavItem("/admin", N_("Administration"), "admin"),
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at a page, in which language and time zone."""

    principal: Principal | None
    locale: str
    timezone: str

    @property
    def fmt(self) -> Formats:
        return Formats(self.locale, self.timezone)

    @property
    def nav(self) -> list[NavItem]:
        principal = self.principal
        return [] if principal is None else [item for item in NAV if item.open_to(principal)]

    def gettext(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return i18n.ngettext(self.locale, singular, plural, count)


#: Where a user lands after signing in: the first of these their role opens.
HOMES = ("/desk", "/wallboard", "/customers")


def home_of(principal: Principal) -> str:
    """Agents land on their desk, supervisors on the wallboard, the rest on customers."""
    for item in NAV:
        if item.href in HOMES[:-1] and item.open_to(principal):
            return item.href
    return HOMES[-1]


async def viewer_of(request: Request, principal: Principal | None) -> Viewer:
    """The viewer: a signed-in user's own language, else the language cookie set on the
    sign-in page, else the browser's; the time zone of the user's tenant."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    browser = i18n.accepted_languages(request.headers.get("accept-language"))
    if principal is not None:
        locale = i18n.negotiate(principal.language, cookie, *browser)
        timezone = tenant_timezone(request, principal)
    else:
        locale = i18n.negotiate(cookie, *browser)
        timezone = DEFAULT_TIMEZONE
    return Viewer(principal, locale, timezone)


def tenant_timezone(request: Request, principal: Principal) -> str:
    """The time zone the tenant's published scenario works in."""
    try:
        desk = frontdesk_of(request.app).dispatcher.desk(principal.tenant)
    except NotFoundError:
        return DEFAULT_TIMEZONE
    return timezone_of(desk)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("frontdesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_attr"] = _json_attribute
    return env


def _json_attribute(value: Any) -> Markup:
    """``value`` as JSON, escaped for an HTML attribute (``data-x="{{ v|tojson_attr }}"``)."""
    return Markup.escape(json.dumps(value, ensure_ascii=False, default=str))


def render(
    request: Request, viewer: Viewer, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """The page ``template`` for ``viewer``; ``context`` adds the page's own values."""
    principal = viewer.principal
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            viewer=viewer,
            principal=principal,
            nav=viewer.nav,
            fmt=viewer.fmt,
            locale=viewer.locale,
            languages=i18n.LANGUAGE_NAMES,
            role_names=ROLE_NAMES,
            csrf=principal.csrf if principal is not None else "",
            script_messages=i18n.script_messages(viewer.locale),
            _=viewer.gettext,
            gettext=viewer.gettext,
            ngettext=viewer.ngettext,
            **context,
        )
    )
    headers = {"Cache-Control": "no-store", "Content-Language": viewer.locale}
    return HTMLResponse(page, status_code=status, headers=headers)
