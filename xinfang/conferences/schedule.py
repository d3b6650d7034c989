"""The meeting rule of a conference: monthly working meetings, weekly ones in a key period.

Shizi Town's rules (domain.md §7.3 E) hold working meetings monthly, weekly in key periods, and ad hoc
for major issues. The rule here (design choice): one working meeting a month on the conference's
``monthly_day``; while a leader has switched a key period on, one a week on ``weekly_weekday`` instead
(a monthly date inside a key period is left out, the weekly meeting of that week covers it). A rule date
on a rest day or holiday moves to the next working day, as the legal calendar decides. Each rule
meeting has a slot name (``M2026-12``, ``W2026-49``) so the scheduler can run any number of times.

Members are notified ``notice_lead_days`` working days before a meeting (never later than the day of
an ad hoc meeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xinfang.core.calendar import LegalCalendar

# How far ahead rule meetings are created.
HORIZON_DAYS = 35


@dataclass(frozen=True)
class Slot:
    name: str
    day: dt.date
    weekly: bool


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def rule_slots(
    *,
    today: dt.date,
    monthly_day: int,
    weekly_weekday: int,
    key_periods: list[Period],
    calendar: LegalCalendar | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> list[Slot]:
    """The rule meetings from ``today`` to the horizon, in date order."""
    calendar = calendar or LegalCalendar()
    end = today + dt.timedelta(days=horizon_days)
    slots: list[Slot] = []
    for year, month in _months(today, end):
        day = calendar.roll_to_working_day(dt.date(year, month, monthly_day))
        if today <= day <= end and not any(p.covers(day) for p in key_periods):
            slots.append(Slot(f"M{year}-{month:02d}", day, weekly=False))
    for period in key_periods:
        first = max(period.first, today)
        # The Monday of the first week, then every week up to the period's end and the horizon.
        monday = first - dt.timedelta(days=first.weekday())
        while monday <= min(period.last, end):
            day = monday + dt.timedelta(days=weekly_weekday)
            rolled = calendar.roll_to_working_day(day)
            if first <= day <= period.last and today <= rolled <= end:
                iso_year, iso_week, _ = day.isocalendar()
                slots.append(Slot(f"W{iso_year}-{iso_week:02d}", rolled, weekly=True))
            monday += dt.timedelta(days=7)
    unique = {slot.name: slot for slot in slots}
    return sorted(unique.values(), key=lambda slot: (slot.day, slot.name))


def notice_day(meeting_day: dt.date, lead_days: int, calendar: LegalCalendar | None = None) -> dt.date:
    """The working day ``lead_days`` working days before the meeting (the meeting day itself when 0)."""
    calendar = calendar or LegalCalendar()
    day = meeting_day
    counted = 0
    while counted < lead_days:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day
