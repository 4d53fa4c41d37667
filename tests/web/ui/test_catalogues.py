"""Every message of the UI is translated: Babel extracts them from the templates, the
scripts and the UI's Python, and each catalogue must translate each one, keep its
placeholders, and hold nothing that is no longer used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir

from frontdesk.web.ui import i18n

PACKAGE = Path(i18n.__file__).resolve().parents[2]  # src/frontdesk
METHODS = [
    ("web/templates/**.html", "jinja2.ext:babel_extract"),
    ("web/static/js/**.js", "javascript"),
    ("web/ui/**.py", "python"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, **i18n.SCRIPT_KEYWORDS}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
OTHER_LOCALES = [locale for locale in i18n.LOCALES if locale != i18n.SOURCE_LOCALE]


def used() -> dict[str | tuple[str, str], list[str]]:
    """Every message in the code → where it is used."""
    found: dict[str | tuple[str, str], list[str]] = {}
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, _, _ in extract_from_dir(
        PACKAGE, METHODS, options_map=options, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalogued(locale: str) -> Iterator[tuple[str, str | tuple[str, str], Message]]:
    for file in i18n.catalogue_files(locale):
        for entry in i18n.read_catalogue(file, locale):
            if entry.id:
                key = entry.id if isinstance(entry.id, str) else (entry.id[0], entry.id[1])
                yield file.name, key, entry


def test_the_ui_has_messages_to_translate() -> None:
    messages = used()
    assert "Sign in" in messages
    assert len(messages) > 20


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    messages = used()
    translations = {key: entry for _, key, entry in catalogued(locale)}
    missing = [
        f"{key!r} ({', '.join(places[:2])})"
        for key, places in messages.items()
        if key not in translations or not _complete(translations[key])
    ]
    assert not missing, f"not translated into {locale}:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_no_catalogue_holds_unused_or_conflicting_messages(locale: str) -> None:
    messages = used()
    seen: dict[str | tuple[str, str], tuple[str, object]] = {}
    problems = []
    for file, key, entry in catalogued(locale):
        if key not in messages:
            problems.append(f"{file}: {key!r} is not used anywhere")
        if key in seen and seen[key][1] != entry.string:
            problems.append(f"{file}: {key!r} is translated differently in {seen[key][0]}")
        seen[key] = (file, entry.string)
        if entry.fuzzy:
            problems.append(f"{file}: {key!r} is marked fuzzy")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_translations_keep_their_placeholders(locale: str) -> None:
    wrong = []
    for file, key, entry in catalogued(locale):
        source = key if isinstance(key, str) else key[1]
        for text in _strings(entry):
            if set(PLACEHOLDER.findall(text)) - {*PLACEHOLDER.findall(source), "n"}:
                wrong.append(f"{file}: {key!r} -> {text!r}")
            if isinstance(key, str) and set(PLACEHOLDER.findall(key)) != set(
                PLACEHOLDER.findall(text)
            ):
                wrong.append(f"{file}: {key!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def _strings(entry: Message) -> list[str]:
    string = entry.string
    return [str(s or "") for s in (string if isinstance(string, tuple | list) else (string,))]


def _complete(entry: Message) -> bool:
    return all(_strings(entry)) and not entry.fuzzy


def test_pages_speak_the_language_of_the_catalogue() -> None:
    assert i18n.gettext("ru", "Sign in") == "Войти"
    assert i18n.gettext("en", "Sign in") == "Sign in"
    assert i18n.negotiate("ru-RU") == "ru"
    assert i18n.negotiate("de", None, "ru") == "ru"
    assert i18n.negotiate("de") == "en"
    assert i18n.accepted_languages("de;q=0.5, ru-RU, en;q=0.8") == ["ru-RU", "en", "de"]
