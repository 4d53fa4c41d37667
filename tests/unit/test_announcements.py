"""What a waiting caller is told of their place and wait, in English and Russian."""

from __future__ import annotations

import math

import pytest

from frontdesk.channels.voice.announcements import place_in_line


@pytest.mark.parametrize(
    ("place", "wait", "language", "text"),
    [
        (1, 30.0, "en", "You are next in line. The expected wait is about 1 minute."),
        (3, 250.0, "en", "You are number 3 in line. The expected wait is about 5 minutes."),
        (2, math.inf, "en", "You are number 2 in line."),
        (1, 61.0, "ru", "Вы следующий в очереди. Ожидаемое время ожидания — около 2 минуты."),
        (4, 300.0, "ru", "Ваш номер в очереди: 4. Ожидаемое время ожидания — около 5 минут."),
        (2, 21 * 60.0, "ru", "Ваш номер в очереди: 2. Ожидаемое время ожидания — около 21 минута."),
    ],
)
def test_the_place_and_the_wait_in_whole_minutes(
    place: int, wait: float, language: str, text: str
) -> None:
    assert place_in_line(place, wait, language) == text
