"""The UI's languages: gettext catalogues, the choice of language, the messages scripts need.

English is the source language: every message is written in English in the templates,
the scripts and this package, and each other language has its catalogues in
``frontdesk/i18n/<locale>/LC_MESSAGES/*.po`` — one file per area of the UI, read and
merged at start-up (no compiled ``.mo`` files to keep in step). ``tests/web/ui/
test_catalogues.py`` extracts every message with Babel and fails on one without a
translation.

Scripts call ``t("...")`` and ``tn("...", "...", n)``; :func:`script_messages` is the
part of a catalogue they use, found by extracting those calls from the shipped scripts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LOCALE = "en"
#: Every language of the UI, as offered by the language switcher.
LOCALES: tuple[str, ...] = ("en", "ru")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
#: The gettext keywords of the scripts: t(message), tn(singular, plural, n).
SCRIPT_KEYWORDS: dict[str, Any] = {"t": None, "tn": (1, 2)}


def catalogue_dir(locale: str) -> Traversable:
    return resources.files("frontdesk") / "i18n" / locale / "LC_MESSAGES"


def script_dir() -> Traversable:
    return resources.files("frontdesk.web") / "static" / "js"


def catalogue_files(locale: str) -> list[Traversable]:
    """The ``.po`` files of ``locale``, by name; none for the source language."""
    folder = catalogue_dir(locale)
    if locale == SOURCE_LOCALE or not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".po")), key=lambda f: f.name)


def read_catalogue(file: Traversable, locale: str) -> Catalog:
    with file.open("rb") as stream:
        return read_po(stream, locale=locale, domain=file.name.removesuffix(".po"))


@cache
def translations(locale: str) -> NullTranslations:
    """Every catalogue of ``locale`` merged; the source language translates to itself."""
    merged: NullTranslations = NullTranslations()
    for file in catalogue_files(locale):
        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(file, locale))
        buffer.seek(0)
        part = Translations(buffer, domain=file.name.removesuffix(".po"))
        if isinstance(merged, Translations):
            merged.merge(part)
        else:
            merged = part
    return merged


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def ngettext(locale: str, singular: str, plural: str, count: int) -> str:
    return translations(locale).ngettext(singular, plural, count)


def negotiate(*preferences: str | None) -> str:
    """The first of ``preferences`` (``ru``, ``ru-RU``, ``ru_RU`` ...) the UI speaks,
    else the source language."""
    wanted = [p.replace("-", "_") for p in preferences if p]
    return negotiate_locale(wanted, list(LOCALES), sep="_") or SOURCE_LOCALE


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        language, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if language and language != "*" and quality > 0:
            weighted.append((-quality, index, language))
    return [language for _, _, language in sorted(weighted)]


def script_files() -> Iterator[Traversable]:
    folder = script_dir()
    stack = [folder]
    while stack:
        for item in stack.pop().iterdir():
            if item.is_dir():
                stack.append(item)
            elif item.name.endswith(".js"):
                yield item


def extract_scripts(files: Iterable[Traversable]) -> Iterator[str | tuple[str, str]]:
    """The messages the scripts translate: a string, or (singular, plural)."""
    for file in files:
        with file.open("rb") as stream:
            for _, message, _, _ in extract("javascript", stream, SCRIPT_KEYWORDS):
                yield message if isinstance(message, str) else (message[0], message[1])


@cache
def script_messages(locale: str) -> dict[str, str | list[str]]:
    """What the scripts need of ``locale``: message → translation, or (for ``tn``)
    singular → the plural forms of the language."""
    if locale == SOURCE_LOCALE:
        return {}
    found = translations(locale)
    result: dict[str, str | list[str]] = {}
    for message in extract_scripts(script_files()):
        if isinstance(message, str):
            result[message] = found.gettext(message)
        else:
            singular, plural = message
            forms = plural_forms(locale)
            result[singular] = [found.ngettext(singular, plural, n) for n in forms]
    return result


def plural_forms(locale: str) -> list[int]:
    """A count for each plural form of ``locale``, in the catalogue's order."""
    return {"ru": [1, 2, 5]}.get(locale, [1, 2])
