"""The legal calendar: the one place that decides whether a date is a working day.

Day counting (domain.md §3.2): the trigger day is not counted; the law's 日 are calendar days and its
工作日 are working days; a deadline that falls on a rest day or holiday moves to the next working day
(民法典 Art. 201, 203). Working days come from the ``chinesecalendar`` package (official holidays and the
make-up working weekends, 调休), corrected by admin-maintained ``HolidayOverride`` rows. For years the
package does not cover, Monday to Friday are working days unless an override says otherwise.

Overrides are read from the database once per ``LegalCalendar`` (one small range query per year
touched), so a change in the admin takes effect for the next computation in every process without any
cache invalidation. Batch callers (the deadline sweeper) may create one ``LegalCalendar`` and reuse it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache

import chinese_calendar
from chinese_calendar.constants import holidays as _LIBRARY_HOLIDAYS
from django.utils import timezone

from .models import HolidayOverride

# Years for which chinese_calendar has official data; it raises NotImplementedError outside them.
COVERED_YEARS = range(min(_LIBRARY_HOLIDAYS).year, max(_LIBRARY_HOLIDAYS).year + 1)

# A guard against endless walks when overrides mark long stretches as rest days.
_MAX_WALK_DAYS = 3660


def is_covered_year(year: int) -> bool:
    """True when the installed chinesecalendar has the official holidays of ``year``."""
    return year in COVERED_YEARS


def years_without_holidays(start: dt.date, end: dt.date) -> list[int]:
    """Years of ``start``..``end`` for which no official holidays are known: the installed
    chinesecalendar does not cover them and no ``HolidayOverride`` row falls in them.

    On such years Monday to Friday count as working days, so holidays are not skipped and make-up
    working weekends (调休) are missing. The gap closes once an administrator enters the year's
    official holidays as overrides (the State Council publishes them each November); any override
    in a year counts as that year having been entered.
    """
    uncovered = [year for year in range(start.year, end.year + 1) if not is_covered_year(year)]
    if not uncovered:
        return []
    entered = {
        day.year
        for day in HolidayOverride.objects.filter(
            date__gte=dt.date(uncovered[0], 1, 1), date__lte=dt.date(uncovered[-1], 12, 31)
        ).dates("date", "year")
    }
    return [year for year in uncovered if year not in entered]


@lru_cache(maxsize=16384)
def _library_is_working_day(day: dt.date) -> bool:
    # Cached: the library scans its whole holiday table on every call to check the year.
    if day.year in COVERED_YEARS:
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


class LegalCalendar:
    """Working-day arithmetic with the overrides loaded lazily, one query per year.

    ``overrides`` may be given (date -> is_working_day) to compute without the database, e.g. in previews.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self._overrides: dict[dt.date, bool] = dict(overrides or {})
        # With explicit overrides nothing is loaded from the database.
        self._loaded_years: set[int] | None = None if overrides is not None else set()

    def _load_year(self, year: int) -> None:
        if self._loaded_years is None or year in self._loaded_years:
            return
        rows = HolidayOverride.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).values_list("date", "is_working_day")
        self._overrides.update(dict(rows))
        self._loaded_years.add(year)

    def is_working_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        self._load_year(day.year)
        override = self._overrides.get(day)
        if override is not None:
            return override
        return _library_is_working_day(day)

    def roll_to_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next working day."""
        day = _as_date(day)
        for _step in range(_MAX_WALK_DAYS):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("No working day within ten years; check the holiday overrides.")

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (the trigger day is not counted).

        ``n == 0`` gives ``start`` rolled to a working day, so the result is always a working day and
        grows with ``n``.
        """
        if n < 0:
            raise ValueError("n must be zero or more")
        day = _as_date(start)
        if n == 0:
            return self.roll_to_working_day(day)
        counted = 0
        for _step in range(_MAX_WALK_DAYS + n):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return day
        raise ValueError("No working day within ten years; check the holiday overrides.")

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b (negative when b is before a).

        Matches ``add_working_days``: ``working_days_between(s, add_working_days(s, n)) == n`` for n >= 1.
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def _as_date(value: dt.date) -> dt.date:
    """Accept a datetime too (its local date), because callers often hold a timestamp."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return timezone.localdate(value)
        return value.date()
    return value


def today() -> dt.date:
    """Today's date in the project time zone (Asia/Shanghai), the date every clock starts from."""
    return timezone.localdate()


def is_working_day(d: dt.date) -> bool:
    return LegalCalendar().is_working_day(d)


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """``start`` plus n calendar days (the trigger day is not counted, so day 1 is the next day)."""
    return _as_date(start) + dt.timedelta(days=n)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return LegalCalendar().add_working_days(start, n)


def roll_to_working_day(d: dt.date) -> dt.date:
    return LegalCalendar().roll_to_working_day(d)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return LegalCalendar().working_days_between(a, b)


def days_left(today: dt.date, due: dt.date, *, working: bool = False) -> int:
    """Days remaining until ``due``: 0 on the due day, negative once overdue.

    ``working=True`` counts working days instead, for limits a locality counts in working days.
    """
    if working:
        return LegalCalendar().working_days_between(today, due)
    return (_as_date(due) - _as_date(today)).days
