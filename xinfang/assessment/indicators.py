"""The assessment indicators of domain.md §6 (考核指标) as definitions.

Every indicator is a small object with a code, a label and the formula in words, which the dashboard
prints beside the figure ("every report shows the definition it used"). Its numerator and denominator
are QuerySets of petitions, so every figure drills down to the matters it counted, and the figure, the
trend, the ranking and the drill-down list are all read from the same two QuerySets.

Population rule (one for all indicators): **the petitions whose place of the problem (``Petition.place``)
lies in the chosen area**, among those the viewer may see (``petitions.selectors.visible_petitions``).
A matter forwarded to a county department still counts for the village where the problem arose, so an
area is measured on the problems of its people wherever they were handled.

Each indicator also names the one date that puts a matter into a period [start, end): the due date of a
clock, the day a window ended, the day of receipt or of closure. A clock still running and not yet due
is left out until it is decided (met, met late, or overdue).

Cautions (§6): these figures count resolution, timeliness and satisfaction, not raw volume; nothing here
scores or ranks petitioners. Records are never deleted, so every figure can be recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.core.models import Limit
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Appeal, Clock, ClockStatus, Evaluation, Petition
from xinfang.petitions.states import Rating, State

__all__ = [
    "INDICATORS",
    "Figure",
    "Indicator",
    "Options",
    "Period",
    "Scope",
    "category_key",
    "child_area_key",
    "figure",
    "grouped",
    "indicator",
    "month_key",
    "one_time_days",
]

DEFAULT_ONE_TIME_DAYS = 90
HANDLING_KINDS = (Limit.HANDLING.value, Limit.DUTY_PERFORMANCE.value, Limit.SUGGESTION_STUDY.value)
# Where a matter counts as closed for one-time resolution: 办结, or final after the appeals.
CLOSED_STATES = (State.CLOSED.value, State.FINAL.value, State.POST_FINAL_FOLLOWUP.value)
# Destination levels of a bypass petition (the level of the area that received it).
BYPASS_LEVELS = {
    0: _("Beijing (进京)"),
    1: _("Province (赴省)"),
    2: _("City (赴市)"),
    3: _("County (赴县)"),
}


def one_time_days() -> int:
    """N of one-time resolution (default 90); ``settings.XINFANG["ONE_TIME_RESOLUTION_DAYS"]`` sets it."""
    value = getattr(settings, "XINFANG", {}).get("ONE_TIME_RESOLUTION_DAYS")
    return DEFAULT_ONE_TIME_DAYS if value is None else int(value)


@dataclass(frozen=True)
class Period:
    """A half-open range of days: ``start`` included, ``end`` excluded."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("A period ends after it starts.")

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


@dataclass(frozen=True)
class Options:
    """The switches of §6. Satisfaction: 基本满意 counts (default on); unrated counts (default off)."""

    basic_counts: bool = True
    unrated_counts: bool = False
    one_time_days: int = DEFAULT_ONE_TIME_DAYS


@dataclass(frozen=True)
class Scope:
    """Whose figures: the viewer's visible petitions, the area, the reference day and the switches."""

    petitions: QuerySet[Petition]
    area: Unit
    today: dt.date
    options: Options = Options()

    def population(self) -> QuerySet[Petition]:
        """The population rule: petitions whose place lies in the area (one indexed prefix on the path)."""
        return self.petitions.filter(place__path__startswith=self.area.path)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    numerator: int
    denominator: int | None
    pending: int = 0

    @property
    def rate(self) -> float | None:
        if self.denominator is None or self.denominator == 0:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{100 * rate:.1f}%"


class Indicator:
    """One indicator. Subclasses say which date places a matter in a period and what it counts."""

    code: str = ""
    label: Promise = _("Indicator")
    formula: Promise = _("numerator ÷ denominator")
    numerator_label: Promise = _("counted")
    denominator_label: Promise = _("of")
    is_rate: bool = True
    # What the date that places a matter in the period is, for the drill-down column.
    date_label: Promise = _("Date")
    # The chart a trend of this indicator belongs to on the dashboard ("" = not charted).
    chart: str = ""

    # --- what subclasses define ---

    def when(self, scope: Scope) -> BaseExpression:
        """A date expression on Petition placing the matter in a period (None = not in any)."""
        raise NotImplementedError

    def annotations(self, scope: Scope) -> dict[str, Any]:
        """Further annotations the conditions below read."""
        return {}

    def denominator_q(self, scope: Scope) -> Q:
        return Q()

    def numerator_q(self, scope: Scope) -> Q:
        return Q()

    def notes(self, scope: Scope) -> list[str]:
        return []

    # --- the QuerySets every figure is read from ---

    def dated(self, scope: Scope) -> QuerySet[Petition]:
        return scope.population().annotate(ind_when=self.when(scope), **self.annotations(scope))

    def in_period(self, scope: Scope, period: Period) -> QuerySet[Petition]:
        # Q objects: the annotation is not a model field, and the type checker only knows the fields.
        return self.dated(scope).filter(Q(ind_when__gte=period.start) & Q(ind_when__lt=period.end))

    def denominator(self, scope: Scope, period: Period) -> QuerySet[Petition] | None:
        if not self.is_rate:
            return None
        return self.in_period(scope, period).filter(self.denominator_q(scope))

    def numerator(self, scope: Scope, period: Period) -> QuerySet[Petition]:
        return self.in_period(scope, period).filter(self.denominator_q(scope)).filter(self.numerator_q(scope))

    def pending(self, scope: Scope, period: Period) -> int:
        """Matters of the period not yet reportable (only one-time resolution has any)."""
        return 0


# --- clock-based indicators ---------------------------------------------------------------------


def _decided(today: dt.date) -> Q:
    """A clock whose outcome is known: stopped, or running past its due date (open overdue)."""
    return ~Q(status=ClockStatus.RUNNING) | Q(due_on__lt=today)


class ClockIndicator(Indicator):
    """Met clocks ÷ decided clocks of some kinds whose due date fell in the period.

    When a matter has several such clocks (a notice clock cancelled after an agreed objection and a new
    one), its latest decided clock is the one counted, so each matter counts once.
    """

    kinds: tuple[str, ...] = ()
    date_label = _("Due date")
    include_cancelled = False
    exclude_notice_exempt = False

    def clocks(self, scope: Scope) -> QuerySet[Clock]:
        qs = Clock.objects.filter(petition=OuterRef("pk"), kind__in=self.kinds).filter(_decided(scope.today))
        if not self.include_cancelled:
            qs = qs.exclude(status=ClockStatus.CANCELLED)
        return qs.order_by("-due_on", "-pk")

    def when(self, scope: Scope) -> BaseExpression:
        return Subquery(self.clocks(scope).values("due_on")[:1], output_field=DateField())

    def annotations(self, scope: Scope) -> dict[str, Any]:
        return {"ind_status": Subquery(self.clocks(scope).values("status")[:1])}

    def denominator_q(self, scope: Scope) -> Q:
        q = Q(ind_when__isnull=False)
        if self.exclude_notice_exempt:
            q &= Q(notice_exemption="")
        return q

    def numerator_q(self, scope: Scope) -> Q:
        return Q(ind_status=ClockStatus.MET)


class TimelyAcceptance(ClockIndicator):
    """及时受理率 (acceptance notice on time)."""

    code = "timely_acceptance"
    label = _("Timely acceptance notice")
    formula = _(
        "Acceptance notices sent within the notice limit (15 days from receipt by the handling unit) ÷ "
        "notices that fell due in the period. Matters exempt from notice (name or address unclear, "
        "Art. 23 ¶2) are left out; a notice still owed after its due date stays in the denominator."
    )
    numerator_label = _("sent on time")
    denominator_label = _("notices due")
    kinds = (Limit.NOTICE.value,)
    exclude_notice_exempt = True
    chart = "timeliness"


class TimelyForwarding(ClockIndicator):
    """按期转送交办率: the petition department's 15-day disposal (Art. 22)."""

    code = "timely_forwarding"
    label = _("Timely forwarding by petition departments")
    formula = _(
        "Matters a petition department forwarded, assigned or accepted within 15 days of registration ÷ "
        "such disposal deadlines that fell in the period (overdue ones included)."
    )
    numerator_label = _("on time")
    denominator_label = _("deadlines due")
    kinds = (Limit.FORWARD.value,)


class OnTimeCompletion(ClockIndicator):
    """按期办结率."""

    code = "on_time"
    label = _("On-time completion")
    formula = _(
        "Handling deadlines met (reply or opinion by the deadline, 60 days plus any extension) ÷ handling "
        "deadlines that fell in the period. Open matters past their deadline stay in the denominator."
    )
    numerator_label = _("completed on time")
    denominator_label = _("deadlines due")
    kinds = HANDLING_KINDS
    chart = "timeliness"


class EvaluationIndicator(ClockIndicator):
    """Evaluation windows (评价期) that ended in the period, however they ended."""

    kinds = (Limit.EVALUATION_WINDOW.value,)
    date_label = _("Window ended")
    include_cancelled = True

    def annotations(self, scope: Scope) -> dict[str, Any]:
        evaluations = Evaluation.objects.filter(petition=OuterRef("pk"))
        satisfied = [Rating.SATISFIED.value] + (
            [Rating.BASICALLY.value] if scope.options.basic_counts else []
        )
        return {
            "ind_evaluated": Exists(evaluations),
            "ind_satisfied": Exists(evaluations.filter(rating__in=satisfied)),
        }


class Participation(EvaluationIndicator):
    """参评率."""

    code = "participation"
    label = _("Evaluation participation")
    formula = _(
        "Matters the petitioner rated ÷ matters whose evaluation window ended in the period (a window "
        "ends on its last day, or earlier when the matter was rated, appealed or closed)."
    )
    numerator_label = _("rated")
    denominator_label = _("windows ended")
    chart = "evaluation"

    def numerator_q(self, scope: Scope) -> Q:
        return Q(ind_evaluated=True)


class Satisfaction(EvaluationIndicator):
    """满意率."""

    code = "satisfaction"
    label = _("Satisfaction")
    formula = _(
        "(Satisfied + basically satisfied) ÷ rated matters, among matters whose evaluation window ended "
        "in the period."
    )
    numerator_label = _("satisfied")
    denominator_label = _("rated")
    chart = "evaluation"

    def denominator_q(self, scope: Scope) -> Q:
        q = super().denominator_q(scope)
        if scope.options.unrated_counts:
            return q
        return q & Q(ind_evaluated=True)

    def numerator_q(self, scope: Scope) -> Q:
        q = Q(ind_satisfied=True)
        if scope.options.unrated_counts:
            q |= Q(ind_evaluated=False)
        return q

    def notes(self, scope: Scope) -> list[str]:
        return [
            str(_("“Basically satisfied” counts as satisfied."))
            if scope.options.basic_counts
            else str(_("“Basically satisfied” does not count as satisfied.")),
            str(_("Unrated matters count as satisfied."))
            if scope.options.unrated_counts
            else str(_("Unrated matters are left out.")),
        ]


# --- indicators dated by receipt or closure ---------------------------------------------------------


class ReceivedIndicator(Indicator):
    date_label = _("Received")

    def when(self, scope: Scope) -> BaseExpression:
        return TruncDate("received_at")


class RepeatRate(ReceivedIndicator):
    """重复信访率 (per submission)."""

    code = "repeat"
    label = _("Repeat petitions (per submission)")
    formula = _(
        "Submissions received in the period confirmed as repeat petitions (same person, same matter) ÷ "
        "all submissions received in the period. It measures whether problems were solved the first "
        "time; it is never a mark against the petitioner."
    )
    numerator_label = _("repeat submissions")
    denominator_label = _("received")
    chart = "resolution"

    def numerator_q(self, scope: Scope) -> Q:
        return Q(is_repeat=True)


class Bypass(ReceivedIndicator):
    """越级访 by destination level."""

    code = "bypass"
    label = _("Bypass petitions")
    formula = _(
        "Submissions received in the period confirmed as bypass petitions, by the level that received "
        "them. Used to trace back where handling failed below, never to penalise the petitioner."
    )
    numerator_label = _("bypass petitions")
    is_rate = False

    def numerator_q(self, scope: Scope) -> Q:
        return Q(is_bypass=True)


class Received(ReceivedIndicator):
    """Matters received, for context and the counts by state (not a score)."""

    code = "received"
    label = _("Received in the period")
    formula = _(
        "All submissions received in the period, by their state today. Shown for context only: volume "
        "is not a measure of good work."
    )
    numerator_label = _("received")
    is_rate = False


class OneTimeResolution(Indicator):
    """一次性化解率 (初信初访 resolved at once)."""

    code = "one_time"
    label = _("One-time resolution")
    formula = _(
        "First-time matters closed in the period with no review (复查) and no later repeat or bypass "
        "petition linked to them received up to N days after closure ÷ first-time matters closed in the "
        "period. A closure is reported only once its N-day window has passed."
    )
    numerator_label = _("resolved at once")
    denominator_label = _("first-time matters closed")
    chart = "resolution"
    date_label = _("Closed")

    def when(self, scope: Scope) -> BaseExpression:
        return TruncDate("closed_at")

    def annotations(self, scope: Scope) -> dict[str, Any]:
        window_end = ExpressionWrapper(
            OuterRef("closed_at") + dt.timedelta(days=scope.options.one_time_days),
            output_field=DateTimeField(),
        )
        later = Petition.objects.filter(repeat_of=OuterRef("pk"), received_at__lt=window_end)
        return {
            "ind_appealed": Exists(Appeal.objects.filter(petition=OuterRef("pk"))),
            "ind_came_back": Exists(later),
        }

    def _closed_first_time(self) -> Q:
        return Q(is_first_time=True, state__in=CLOSED_STATES, closed_at__isnull=False)

    def _window_passed(self, scope: Scope) -> Q:
        return Q(ind_when__lt=scope.today - dt.timedelta(days=scope.options.one_time_days))

    def denominator_q(self, scope: Scope) -> Q:
        return self._closed_first_time() & self._window_passed(scope)

    def numerator_q(self, scope: Scope) -> Q:
        return Q(ind_appealed=False, ind_came_back=False)

    def pending(self, scope: Scope, period: Period) -> int:
        return (
            self.in_period(scope, period)
            .filter(self._closed_first_time())
            .exclude(self._window_passed(scope))
            .count()
        )

    def notes(self, scope: Scope) -> list[str]:
        return [str(_("N = %(days)d days.") % {"days": scope.options.one_time_days})]


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in [
        TimelyAcceptance(),
        TimelyForwarding(),
        OnTimeCompletion(),
        Participation(),
        Satisfaction(),
        RepeatRate(),
        OneTimeResolution(),
        Bypass(),
        Received(),
    ]
}


def indicator(code: str) -> Indicator:
    try:
        return INDICATORS[code]
    except KeyError:
        raise LookupError(code) from None


def figure(ind: Indicator, scope: Scope, period: Period) -> Figure:
    """The numerator and denominator counts of one indicator (two COUNT queries)."""
    denominator = ind.denominator(scope, period)
    return Figure(
        indicator=ind,
        numerator=ind.numerator(scope, period).count(),
        denominator=None if denominator is None else denominator.count(),
        pending=ind.pending(scope, period),
    )


# --- grouped figures: one GROUP BY query per indicator ----------------------------------------------


def month_key() -> Expression:
    """Group by the month of the indicator's date (trends)."""
    return TruncMonth("ind_when", output_field=DateField())


def category_key() -> Expression:
    """Group by the top-level category of the three-level taxonomy (None = uncategorised)."""
    return Coalesce("category__parent__parent_id", "category__parent_id", "category_id")


def category_q(top_id: int | None) -> Q:
    """The petitions of one top-level category: the filter that matches :func:`category_key`."""
    if top_id is None:
        return Q(category__isnull=True)
    return Q(category_id=top_id) | Q(category__parent_id=top_id) | Q(category__parent__parent_id=top_id)


def child_area_key(area: Unit) -> Expression:
    """Group by the child of ``area`` that holds the place (its path prefix one level down)."""
    return Substr("place__path", 1, len(area.path) + Unit.steplen)


def grouped(
    ind: Indicator, scope: Scope, period: Period, key: BaseExpression
) -> dict[Any, tuple[int, int | None]]:
    """``{key: (numerator, denominator)}`` in one query; the same rows as the drill-down of each key."""
    qs = ind.in_period(scope, period).filter(ind.denominator_q(scope)).annotate(ind_key=key)
    rows = (
        qs.values("ind_key")
        .annotate(den=Count("pk"), num=Count("pk", filter=ind.numerator_q(scope)))
        .order_by()
    )
    return {row["ind_key"]: (row["num"], row["den"] if ind.is_rate else None) for row in rows}


def counts_by(ind: Indicator, scope: Scope, period: Period, field: str) -> dict[Any, int]:
    """Numerator counts grouped by a plain field (state, bypass level)."""
    rows = ind.numerator(scope, period).values(field).annotate(n=Count("pk")).order_by()
    return {row[field]: row["n"] for row in rows}


def months_back(today: dt.date, count: int = 12) -> list[Period]:
    """The last ``count`` calendar months, the current one last."""
    first = today.replace(day=1)
    periods = []
    for back in range(count - 1, -1, -1):
        year, month = first.year, first.month - back
        while month < 1:
            month += 12
            year -= 1
        start = dt.date(year, month, 1)
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        periods.append(Period(start, end))
    return periods


def trend(ind: Indicator, scope: Scope, months: Iterable[Period]) -> list[tuple[Period, int, int | None]]:
    months = list(months)
    span = Period(months[0].start, months[-1].end)
    by_month = grouped(ind, scope, span, month_key())
    result = []
    for month in months:
        num, den = _month_value(by_month, month.start)
        result.append((month, num, den if ind.is_rate else None))
    return result


def _month_value(by_month: dict[Any, tuple[int, int | None]], start: dt.date) -> tuple[int, int | None]:
    for key, value in by_month.items():
        if key is None:
            continue
        day = key.date() if isinstance(key, dt.datetime) else key
        if day == start:
            return value
    return 0, 0
