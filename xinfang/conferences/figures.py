"""Figures of the joint conferences (issue 6 item 7, domain.md §7.3): coverage, items handled, decisions
closed on time, items escalated and resolved above. Every figure lists what it counted.

Definitions (the project's own; the article gives 86% for Anhui's towns and streets without a formula):

* **Coverage** (覆盖率): towns and streets under an area with an *active* conference ÷ all towns and
  streets under it. Active means the conference is switched on and held at least one meeting in the
  last three months up to today (the same day three months back, inclusive).
* **Items handled**: decisions that became binding (minutes approved) in the period.
* **Decisions closed on time**: decisions done on or before their due date ÷ decisions due in the period
  (up to today); an open decision past its date stays in the denominator.
* **Escalated / resolved above**: items a conference of the area escalated in the period, and how many
  of them the upper conference's decision has resolved.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import prefix_lookup

from .models import Decision, DecisionStatus, Escalation, EscalationStatus, JointConference, MeetingStatus

COVERAGE_MONTHS = 3


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, the last day of that month when it is shorter."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def coverage_since(today: dt.date) -> dt.date:
    return months_back(today, COVERAGE_MONTHS)


@dataclass
class TownRow:
    town: Unit
    conference: JointConference | None
    last_meeting: dt.datetime | None
    covered: bool


@dataclass
class AreaCoverage:
    area: Unit
    towns: list[TownRow] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(row.covered for row in self.towns)

    @property
    def total(self) -> int:
        return len(self.towns)

    @property
    def rate(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{100 * self.rate:.1f}%"


def _town_rows(area: Unit, today: dt.date) -> list[TownRow]:
    since = coverage_since(today)
    towns = list(
        Unit.objects.filter(prefix_lookup("path", area.path), kind=UnitKind.TOWN, is_active=True).order_by(
            "path"
        )
    )
    conferences = {
        c.area_id: c
        for c in JointConference.objects.filter(area__in=towns, is_active=True).annotate(
            last_held=Max("meetings__held_at", filter=Q(meetings__status=MeetingStatus.HELD))
        )
    }
    rows = []
    for town in towns:
        conference = conferences.get(town.pk)
        last = getattr(conference, "last_held", None) if conference else None
        covered = last is not None and timezone.localdate(last) >= since
        rows.append(TownRow(town, conference, last, covered))
    return rows


def coverage(area: Unit, today: dt.date) -> AreaCoverage:
    """The coverage of one area (a town counts itself)."""
    return AreaCoverage(area, _town_rows(area, today))


def coverage_breakdown(area: Unit, today: dt.date) -> list[AreaCoverage]:
    """The area itself, then each city and county under it: the list behind the dashboard figure."""
    units = [area]
    if area.kind in (UnitKind.PROVINCE, UnitKind.CITY):
        units += list(
            Unit.objects.filter(
                prefix_lookup("path", area.path),
                kind__in=[UnitKind.CITY, UnitKind.COUNTY],
                is_active=True,
            )
            .exclude(pk=area.pk)
            .order_by("path")
        )
    return [coverage(unit, today) for unit in units]


@dataclass
class Figures:
    handled: int
    due: int
    on_time: int
    escalated: int
    resolved_above: int

    @property
    def on_time_percent(self) -> str:
        return "—" if not self.due else f"{100 * self.on_time / self.due:.1f}%"


def _in_area(area: Unit, field_path: str) -> Q:
    return prefix_lookup(field_path, area.path)


def decisions_handled(area: Unit, start: dt.date, end: dt.date) -> QuerySet[Decision]:
    return Decision.objects.filter(
        _in_area(area, "item__conference__area__path"),
        bound_at__date__gte=start,
        bound_at__date__lt=end,
    )


def decisions_due(area: Unit, start: dt.date, end: dt.date, today: dt.date) -> QuerySet[Decision]:
    return Decision.objects.filter(
        _in_area(area, "item__conference__area__path"),
        status__in=[DecisionStatus.BINDING, DecisionStatus.DONE],
        due_on__gte=start,
        due_on__lt=min(end, today + dt.timedelta(days=1)),
    )


def escalations_from(area: Unit, start: dt.date, end: dt.date) -> QuerySet[Escalation]:
    return Escalation.objects.filter(
        _in_area(area, "from_item__conference__area__path"),
        escalated_at__date__gte=start,
        escalated_at__date__lt=end,
    )


def figures(area: Unit, start: dt.date, end: dt.date, today: dt.date) -> Figures:
    """The figures of ``area`` for the period [start, end)."""
    due = decisions_due(area, start, end, today)
    escalated = escalations_from(area, start, end)
    return Figures(
        handled=decisions_handled(area, start, end).count(),
        due=due.count(),
        on_time=due.filter(done_on__isnull=False, done_on__lte=F("due_on")).count(),
        escalated=escalated.count(),
        resolved_above=escalated.filter(status=EscalationStatus.RESOLVED).count(),
    )
