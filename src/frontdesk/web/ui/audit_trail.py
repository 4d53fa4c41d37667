"""The audit log as people read it: who did what to which object, and which fields changed
from what to what.

An entry keeps the object before and after the change (``domain/audit.py``); the page
shows only the fields that differ, nested fields by their path (``Skills › support``),
under the labels the editors use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.users import Role
from frontdesk.web.ui.admin_forms import FORMS, form_for
from frontdesk.web.ui.i18n import LANGUAGE_NAMES
from frontdesk.web.ui.templating import N_, ROLE_NAMES

Gettext = Callable[[str], str]
MAX_TEXT = 160  # characters of a long value shown (a script's text ...)

ACTIONS = MappingProxyType({
    "create": N_("Created"),
    "update": N_("Updated"),
    "delete": N_("Deleted"),
    "publish": N_("Published"),
    "revoke": N_("Revoked"),
    "login": N_("Signed in"),
    "import": N_("Imported"),
    "merge": N_("Merged"),
})  # fmt: skip

#: What the log's kinds are called; configuration kinds are named by their forms.
KINDS = MappingProxyType({
    "user": N_("User"),
    "agent": N_("Agent"),
    "token": N_("API token"),
    "scenario": N_("Scenario version"),
    "customer": N_("Customer"),
    **{form.kind: form.noun for form in FORMS if form.singleton is None},
    "settings": N_("Settings"),
})  # fmt: skip

_FIELDS = MappingProxyType({
    "user": {"username": N_("User name"), "name": N_("Full name"), "role": N_("Role"),
             "agent": N_("Agent profile"), "language": N_("Language"), "active": N_("Active"),
             "password_changed": N_("Password changed"), "client": N_("IP address")},
    "agent": {"name": N_("Full name"), "skills": N_("Skills"), "languages": N_("Languages"),
              "groups": N_("Groups"), "queues": N_("Queues"), "capacity": N_("Capacity"),
              "blocks": N_("Blocks")},
    "token": {"name": N_("Token name"), "role": N_("Role"), "revoked": N_("Revoked"),
              "created_by": N_("Created by")},
    "scenario": {"version": N_("Version"), "comment": N_("Comment")},
})  # fmt: skip
_HIDDEN = frozenset({"id"})  # the key column names the object already


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str | None  # None: the field was not there
    after: str | None


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of the log, ready to show."""

    entry: AuditEntry
    action: str
    kind: str
    subject: str
    changes: tuple[Change, ...]


def line(entry: AuditEntry, gettext: Gettext) -> Line:
    kind = KINDS.get(entry.kind)
    action = ACTIONS.get(entry.action)
    return Line(
        entry=entry,
        action=gettext(action) if action else entry.action,
        kind=gettext(kind) if kind else entry.kind,
        subject=subject(entry),
        changes=tuple(changes(entry, gettext)),
    )


def subject(entry: AuditEntry) -> str:
    """Which object: a user by username (who signed in: the actor), a token by name
    (their keys are ids), else the key."""
    record = entry.after or entry.before or {}
    if entry.action == "login":
        return entry.actor
    if entry.kind == "user" and record.get("username"):
        return str(record["username"])
    if entry.kind == "token" and record.get("name"):
        return str(record["name"])
    return entry.key


def changes(entry: AuditEntry, gettext: Gettext) -> Iterator[Change]:
    """The fields that differ between before and after, in the order the object has
    them."""
    before = flatten(entry.before or {})
    after = flatten(entry.after or {})
    for path in [*after, *(p for p in before if p not in after)]:
        if path.split(".")[0] in _HIDDEN:
            continue
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        yield Change(
            field=label(entry.kind, entry.key, path, gettext),
            before=shown(path, old, gettext) if path in before else None,
            after=shown(path, new, gettext) if path in after else None,
        )


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted paths: ``{"name": {"en": "A"}}`` → ``{"name.en": "A"}``.
    An empty object stays a value of its own."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def label(kind: str, key: str, path: str, gettext: Gettext) -> str:
    """A field's path under the label its editor gives it: ``Skills › support``."""
    form = form_for(kind, key)
    item = form.field_at(path) if form is not None else None
    if item is not None:
        head, rest = gettext(item.label), path[len(item.name) + 1 :]
        return head + (f" › {rest}" if rest else "")
    head, _, rest = path.partition(".")
    known = _FIELDS.get(kind, {}).get(head)
    text = gettext(known) if known else head
    return text + (f" › {rest}" if rest else "")


def shown(path: str, value: Any, gettext: Gettext) -> str:
    """A value as one short line."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if path == "role" and value in {r.value for r in Role}:
        return gettext(ROLE_NAMES[Role(value)])
    if path == "language" and value in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[value]
    if isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) or "—"
    elif isinstance(value, Mapping):
        text = "—"  # an empty object: flatten keeps the others as paths
    else:
        text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
