"""Dates, times, numbers and durations as a person of the page's language reads them, in
the tenant's time zone (Babel's CLDR data: ``3 дек. 2026 г., 14:05`` / ``Dec 3, 2026,
2:05 PM``). The scripts do the same with ``Intl`` (``static/js/i18n.js``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates, numbers


@dataclass(frozen=True, slots=True)
class Formats:
    locale: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self.zone)

    def datetime(self, at: dt.datetime | None, width: str = "medium") -> str:
        if at is None:
            return ""
        return dates.format_datetime(self.local(at), format=width, locale=self.locale)

    def date(self, at: dt.date | dt.datetime | None, width: str = "medium") -> str:
        if at is None:
            return ""
        day = self.local(at).date() if isinstance(at, dt.datetime) else at
        return dates.format_date(day, format=width, locale=self.locale)

    def time(self, at: dt.datetime | None, width: str = "short") -> str:
        if at is None:
            return ""
        return dates.format_time(self.local(at), format=width, locale=self.locale)

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return numbers.format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float | None) -> str:
        """``value`` is a percentage (80.5 → 80.5 %)."""
        if value is None:
            return "—"
        return numbers.format_percent(value / 100, format="#,##0.#%", locale=self.locale)

    def money(self, amount: Decimal | float, currency: str) -> str:
        return numbers.format_currency(amount, currency, locale=self.locale)

    def duration(self, seconds: float | dt.timedelta | None) -> str:
        """A clock-like duration: ``0:42``, ``12:05``, ``1:02:03``."""
        if seconds is None:
            return "—"
        total = round(seconds.total_seconds() if isinstance(seconds, dt.timedelta) else seconds)
        sign = "-" if total < 0 else ""
        hours, rest = divmod(abs(total), 3600)
        minutes, secs = divmod(rest, 60)
        if hours:
            return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
        return f"{sign}{minutes}:{secs:02d}"
