"""Which dates and hours a station is open: its weekly pattern laid over the legal calendar.

The rule (documented in README and on the station page):

- a station opens only on working days of ``xinfang.core.calendar`` (chinese-calendar plus the admin's
  ``HolidayOverride`` rows), so weekends, official holidays and their in-lieu rest days are never
  scheduled;
- on a working Monday to Friday the pattern of that weekday applies (e.g. Monday to Thursday,
  8:30-12:00 and 14:30-17:30);
- an adjusted working day (调休: a Saturday or Sunday made a working day) follows the pattern of the
  weekday the station names in ``adjusted_workday_as`` (default Monday). A station that names no
  weekday, or one it is closed on, stays closed on adjusted working days.

Each opening session of a date is one shift.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from xinfang.core.calendar import LegalCalendar


@dataclass(frozen=True, order=True)
class Session:
    """One opening session of a weekday (0 = Monday): from ``starts`` to ``ends``."""

    weekday: int
    starts: dt.time
    ends: dt.time


@dataclass(frozen=True)
class ShiftSlot:
    """A shift to staff: one session on one date. ``session`` numbers the sessions of the day from 0."""

    index: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    pattern_weekday: int
    session: int
    adjusted: bool

    def overlaps(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


def dates(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def pattern_weekday(day: dt.date, *, calendar: LegalCalendar, adjusted_as: int | None) -> int | None:
    """The weekday whose sessions apply on ``day``, or None when the station is closed by the calendar."""
    if not calendar.is_working_day(day):
        return None
    if day.weekday() < 5:
        return day.weekday()
    return adjusted_as  # a working Saturday or Sunday: an adjusted working day (调休)


def opening_shifts(
    *,
    start: dt.date,
    end: dt.date,
    sessions: Iterable[Session],
    adjusted_as: int | None,
    calendar: LegalCalendar,
) -> list[ShiftSlot]:
    """Every shift of the period ``start``..``end`` (both included), in time order."""
    by_weekday: dict[int, list[Session]] = {}
    for session in sorted(sessions):
        by_weekday.setdefault(session.weekday, []).append(session)
    zone = timezone.get_current_timezone()
    shifts: list[ShiftSlot] = []
    for day in dates(start, end):
        weekday = pattern_weekday(day, calendar=calendar, adjusted_as=adjusted_as)
        if weekday is None:
            continue
        for number, session in enumerate(by_weekday.get(weekday, [])):
            shifts.append(
                ShiftSlot(
                    index=len(shifts),
                    date=day,
                    starts_at=dt.datetime.combine(day, session.starts, tzinfo=zone),
                    ends_at=dt.datetime.combine(day, session.ends, tzinfo=zone),
                    pattern_weekday=weekday,
                    session=number,
                    adjusted=day.weekday() >= 5,
                )
            )
    return shifts


def sessions_overlap(sessions: Iterable[Session]) -> bool:
    """True when two sessions of the same weekday overlap in time (a person could not do both)."""
    ordered = sorted(sessions)
    return any(a.weekday == b.weekday and b.starts < a.ends for a, b in itertools.pairwise(ordered))


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * (quarter - 1) + 1
    start, _end = month_bounds(year, first_month)
    _start, end = month_bounds(year, first_month + 2)
    return start, end
