"""The audit log as people read it: the fields that changed, under their editors' labels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.ids import TenantId
from frontdesk.web.ui import audit_trail
from frontdesk.web.ui.i18n import gettext

AT = datetime(2026, 12, 2, 8, tzinfo=UTC)
Record = Mapping[str, Any]


def entry(
    kind: str, key: str, before: Record | None, after: Record | None, action: str = "update"
) -> AuditEntry:
    return AuditEntry(TenantId("t"), AT, "admin", action, kind, key, before, after)


def changes(item: AuditEntry, locale: str = "en") -> list[tuple[str, str | None, str | None]]:
    found = audit_trail.changes(item, lambda message: gettext(locale, message))
    return [(c.field, c.before, c.after) for c in found]


def test_only_changed_fields_are_shown_with_their_labels() -> None:
    item = entry(
        "queues", "sales",
        {"name": "Sales", "service_level": "80/20", "max_wait": "5m"},
        {"name": "Sales", "service_level": "90/20", "overflow": "general"},
    )  # fmt: skip
    assert changes(item) == [
        ("Service level target", "80/20", "90/20"),
        ("Overflow to", None, "general"),
        ("Maximum wait", "5m", None),
    ]


def test_nested_fields_are_named_by_their_path() -> None:
    item = entry(
        "agent", "anna",
        {"name": "Anna", "skills": {"support": 3}, "capacity": {"call": 1}, "blocks": []},
        {"name": "Anna", "skills": {"support": 4, "sales": 2}, "capacity": {"call": 1},
         "blocks": ["call>chat"]},
    )  # fmt: skip
    assert changes(item) == [
        ("Skills › support", "3", "4"),
        ("Skills › sales", None, "2"),
        ("Blocks", "—", "call>chat"),
    ]


def test_settings_fields_are_named_by_the_form_of_their_key() -> None:
    item = entry("settings", "wallboard", None, {"service_level": {"warn": 85}}, "create")
    assert changes(item) == [("Service level: amber below, %", None, "85")]


def test_users_are_named_by_username_and_values_read_in_the_viewers_language() -> None:
    before = {"id": "01h", "username": "olga", "role": "agent", "active": True, "language": "en"}
    after = {**before, "role": "supervisor", "active": False, "language": "ru",
             "password_changed": True}  # fmt: skip
    item = entry("user", "01h", before, after)
    assert audit_trail.subject(item) == "olga"
    assert changes(item, "ru") == [
        ("Роль", "Оператор", "Супервизор"),
        ("Активен", "Да", "Нет"),
        ("Язык", "English", "Русский"),
        ("Пароль изменён", None, "Да"),
    ]


def test_a_sign_in_is_named_by_who_signed_in() -> None:
    item = entry("user", "01h", None, {"client": "10.0.0.7"}, "login")
    line = audit_trail.line(item, lambda message: message)
    assert (line.action, line.kind, line.subject) == ("Signed in", "User", "admin")
    assert [(c.field, c.after) for c in line.changes] == [("IP address", "10.0.0.7")]


def test_long_values_are_cut() -> None:
    item = entry("scripts", "vip", None, {"text": {"en": "word " * 100}}, "create")
    ((field, _, after),) = changes(item)
    assert field == "Text › en"
    assert after is not None
    assert len(after) == audit_trail.MAX_TEXT
    assert after.endswith("…")
