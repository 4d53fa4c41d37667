"""What a caller waiting in line is told: their place, the expected wait, the callback offer.

The texts are spoken with the tenant's prompt voice; a tenant may give its own words for
the callback offer and its confirmation as prompts (``queue-callback-offer``,
``queue-callback-kept``), as for any other prompt.
"""

from __future__ import annotations

import math

CALLBACK_OFFER = "queue-callback-offer"
CALLBACK_KEPT = "queue-callback-kept"
#: The key that asks for a callback while waiting.
CALLBACK_KEY = "1"
DEFAULTS = {
    CALLBACK_OFFER: {
        "en": "To be called back without losing your place in line, press 1.",
        "ru": "Чтобы мы перезвонили вам, не теряя вашего места в очереди, нажмите 1.",
    },
    CALLBACK_KEPT: {
        "en": "Thank you. We will call you back as soon as it is your turn. Goodbye.",
        "ru": "Спасибо. Мы перезвоним вам, как только подойдёт ваша очередь. До свидания.",
    },
}


def _russian_plural(number: int, one: str, few: str, many: str) -> str:
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def place_in_line(place: int, wait: float, language: str) -> str:
    """The caller's place (1: next) and, when it can be told, the expected wait, rounded up
    to whole minutes."""
    minutes = max(1, math.ceil(wait / 60)) if math.isfinite(wait) else None
    if language == "ru":
        text = "Вы следующий в очереди." if place == 1 else f"Ваш номер в очереди: {place}."
        if minutes is not None:
            unit = _russian_plural(minutes, "минута", "минуты", "минут")
            text += f" Ожидаемое время ожидания — около {minutes} {unit}."
        return text
    text = "You are next in line." if place == 1 else f"You are number {place} in line."
    if minutes is not None:
        text += f" The expected wait is about {minutes} minute{'s' if minutes > 1 else ''}."
    return text
