"""The assessment indicators of domain.md §6 (考核指标) as definitions, in a registry other apps extend.

Every indicator is a small object with a code, a label and the formula in words, which every page prints
beside the figure ("every report shows the definition it used"). Its numerator and denominator are
QuerySets, so every figure drills down to the records it counted, and the figure, the trend, the ranking,
the drill-down list and the monthly fact table of the fast path (``facts.py``) are all read from the same
definitions.

**Population.** For an area (the default basis, ``PLACE``) an indicator counts the rows whose *subject*
lies in the area: for petitions the place of the problem (``Petition.place``), so a matter forwarded to a
county department still counts for the village where it arose and an area is measured on the problems of
its people wherever they were handled. For an organ (basis ``UNIT``, used to assess departments) it counts
the matters the organ was responsible for: the clocks it owed, the matters it handled. Rows are always
among those the viewer may see (``petitions.selectors.visible_petitions``) when a viewer is given.

**Dating.** Each indicator names the one date that puts a row into a period [start, end): the due date of
a clock, the day a window ended, the day of receipt or of closure. A clock still running and not yet due
is left out until it is decided (met, met late, or overdue). An evaluation window *ends* on the day the
petitioner rated the reply or requested a review or the matter was closed, or on its last day when none
of these came first; a rating therefore counts in the month it was given, an unrated window in the month
it lapsed (design choice: the leader reading "May" sees the ratings given in May).

**Components.** Besides the two QuerySets, an indicator splits its rows into named counts (components)
that do not depend on the per-locality switches, and says how the switches combine them into numerator
and denominator (``combine``). The fact table stores components, so a switch such as "unrated counts as
satisfied" works on the fast path too. Only N of one-time resolution changes which rows are counted; it is
a *variant* of the facts.

**Registry.** ``register(indicator)`` adds an indicator; the apps of the joint conferences, the stations
and mediation add theirs from their ``AppConfig.ready()``. An indicator may count any model that leads to
a petition (``petition_path``) or stands alone (``petition_path = None``), with a ``subject_field`` naming
the unit that places a row in an area. For example, conference decisions closed on time would be a
subclass with ``model = Decision``, ``petition_path = None``, ``subject_field = "owner_unit"``, ``when``
returning the due date, ``numerator_q`` the decisions closed by it, ``changed_since`` the decisions
written since a moment (so the fact table refreshes their units) and ``affected_by_time`` those falling
due; ``SupervisionMeasures`` below is such an indicator over ``petitions.Supervision``. Set ``scorable =
False`` for anything that counts volume.

Cautions (§6): these figures count resolution, timeliness and satisfaction, not raw volume (indicators
that count volume are marked ``scorable = False`` and a scheme refuses to score them); nothing here scores
or ranks petitioners. Records are never deleted, so every figure can be recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.core.models import Limit
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import prefix_lookup
from xinfang.petitions.models import Appeal, Clock, ClockStatus, Evaluation, Petition, Supervision
from xinfang.petitions.states import Rating, State

__all__ = [
    "INDICATORS",
    "PLACE",
    "UNIT",
    "Figure",
    "Indicator",
    "Options",
    "Period",
    "Scope",
    "category_key",
    "child_area_key",
    "component_counts",
    "figure",
    "grouped",
    "indicator",
    "month_key",
    "one_time_days",
    "register",
    "registered",
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
# Levels a bypass breakdown distinguishes (areas go down to level 6, villager groups).
BREAKDOWN_LEVELS = range(7)
PLACE = "place"  # population: rows whose subject (the place of the problem) lies in the area
UNIT = "unit"  # population: rows an organ was responsible for (departments, petition offices)
# A component condition that holds for every row (``Count(filter=Q())`` counts all rows).
EVERY_ROW = Q()


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

    @property
    def is_whole_months(self) -> bool:
        """True when the period starts on a first of month and ends on one (the fact table's grain)."""
        return self.start.day == 1 and self.end.day == 1

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month < self.end:
            months.append(month)
            month = next_month(month)
        return months

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def month(cls, day: dt.date) -> Period:
        first = day.replace(day=1)
        return cls(first, next_month(first))


def next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


@dataclass(frozen=True)
class Options:
    """The switches of §6 a locality sets (``models.IndicatorSettings``).

    Satisfaction: 基本满意 counts (default on); unrated counts as satisfied (default off). One-time
    resolution: N days (default 90). Whether a deadline is counted in calendar or working days is the
    locality's clock policy (``core.ClockPolicy``): the indicators read the due dates the clocks stored.
    """

    basic_counts: bool = True
    unrated_counts: bool = False
    one_time_days: int = DEFAULT_ONE_TIME_DAYS


@dataclass(frozen=True)
class Scope:
    """Whose figures: the rows a viewer may see, the area (or organ), the reference day and the switches.

    ``petitions`` None means every petition (assessment scores do not depend on who looks); ``area`` None
    means every area (the fact table is built that way and split by subject afterwards).
    """

    petitions: QuerySet[Petition] | None
    area: Unit | None
    today: dt.date
    options: Options = Options()
    basis: str = PLACE

    def population(self) -> QuerySet[Petition]:
        """Petitions whose place lies in the area (one indexed prefix on the path)."""
        qs = Petition.objects.all() if self.petitions is None else self.petitions
        return qs if self.area is None else qs.filter(prefix_lookup("place__path", self.area.path))

    def with_options(self, options: Options) -> Scope:
        return replace(self, options=options)


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

    @property
    def has_data(self) -> bool:
        return self.rate is not None if self.denominator is not None else True


class Indicator:
    """One indicator. Subclasses say which rows it counts, which date places a row in a period, and how."""

    code: str = ""
    label: Promise = _("Indicator")
    formula: Promise = _("numerator ÷ denominator")
    numerator_label: Promise = _("counted")
    denominator_label: Promise = _("of")
    is_rate: bool = True
    # What the date that places a row in the period is, for the drill-down column.
    date_label: Promise = _("Date")
    # The chart a trend of this indicator belongs to on the dashboard ("" = not charted).
    chart: str = ""
    # What the indicator counts, how a row leads to its petition ("" = the row is the petition, None =
    # no petition), and which unit field places a row in an area.
    model: type[Model] = Petition
    petition_path: str | None = ""
    subject_field: str = "place"
    # Unit basis: which unit field says who was responsible (clock indicators read the counted clock).
    responsible_field: str = "handling_unit"
    # Facts per top-level category (the dashboard's breakdown by category).
    by_category: bool = False
    # A scheme may score it: rates of timeliness, satisfaction and resolution, and measures against
    # units. Raw volumes of petitions are never scored (§6 cautions).
    scorable: bool = True
    higher_is_better: bool = True
    # Breakdowns of the numerator by a plain field, served by components named "<prefix><value>".
    breakdowns: Mapping[str, tuple[str, Iterable[Any]]] = {}

    # --- what subclasses define ---

    def when(self, scope: Scope) -> BaseExpression:
        """A date expression on the model placing the row in a period (None = not in any)."""
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

    # --- population ---

    def objects(self, scope: Scope) -> QuerySet[Any]:
        """The rows of the model the scope may count (every row, or those of visible petitions)."""
        if self.model is Petition:
            return Petition.objects.all() if scope.petitions is None else scope.petitions
        qs = self.model._default_manager.all()
        if scope.petitions is not None and self.petition_path is not None:
            qs = qs.filter(Exists(scope.petitions.filter(pk=OuterRef(self.petition_path))))
        return qs

    def population_q(self, scope: Scope) -> Q:
        if scope.area is None:
            return Q()
        if scope.basis == UNIT:
            return self.responsible_q(scope, scope.area)
        return prefix_lookup(f"{self.subject_field}__path", scope.area.path)

    def responsible_q(self, scope: Scope, unit: Unit) -> Q:
        return prefix_lookup(f"{self.responsible_field}__path", unit.path)

    # --- the QuerySets every figure is read from ---

    def dated(self, scope: Scope) -> QuerySet[Any]:
        qs = self.objects(scope).annotate(ind_when=self.when(scope), **self.annotations(scope))
        return qs.filter(self.population_q(scope))

    def in_period(self, scope: Scope, period: Period) -> QuerySet[Any]:
        # Q objects: the annotation is not a model field, and the type checker only knows the fields.
        return self.dated(scope).filter(Q(ind_when__gte=period.start) & Q(ind_when__lt=period.end))

    def denominator(self, scope: Scope, period: Period) -> QuerySet[Any] | None:
        if not self.is_rate:
            return None
        return self.in_period(scope, period).filter(self.denominator_q(scope))

    def numerator(self, scope: Scope, period: Period) -> QuerySet[Any]:
        return self.in_period(scope, period).filter(self.denominator_q(scope)).filter(self.numerator_q(scope))

    def pending(self, scope: Scope, period: Period) -> int:
        """Rows of the period not yet reportable (only one-time resolution has any)."""
        return 0

    # --- components: switch-free counts the fact table stores ---

    def components(self, scope: Scope) -> dict[str, Q]:
        """Named conditions on the rows of a period; ``combine`` turns their counts into a figure."""
        den = self.denominator_q(scope)
        comps = {"num": den & self.numerator_q(scope)}
        if self.is_rate:
            comps["den"] = den
        for field, (prefix, values) in self.breakdowns.items():
            for value in values:
                match = Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
                comps[f"{prefix}{'none' if value is None else value}"] = comps["num"] & match
        return comps

    def combine(self, counts: Mapping[str, int], options: Options) -> tuple[int, int | None]:
        return counts.get("num", 0), counts.get("den", 0) if self.is_rate else None

    def pending_count(self, counts: Mapping[str, int]) -> int:
        return counts.get("pending", 0)

    def variant(self, options: Options) -> str:
        """The options that change which rows the components count ("" when none do)."""
        return ""

    # --- time: which subjects' figures change when the reference day moves on, with no record changed ---

    def affected_by_time(self, before: dt.date, after: dt.date) -> QuerySet[Any] | None:
        """Rows whose counting changes when ``today`` moves from ``before`` to ``after`` (None: none)."""
        return None

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        """Rows written since ``moment`` (the fact table refreshes their subjects)."""
        return self.model._default_manager.none()

    def drill_row(self, obj: Any) -> dict[str, Any]:
        """What the drill-down list shows of a counted row that is not a petition."""
        return {"text": str(obj), "petition_id": None}

    def fact_rows(self, scope: Scope) -> tuple[QuerySet[Any], str]:
        """The dated rows the fact table counts, and the lookup prefix from them to the counted model.

        By default the very rows of the figures. An indicator may give an equivalent query that is cheaper
        over a whole province (the clock indicators count the clocks themselves, see ``ClockIndicator``);
        the tests check it gives the same figures as the default.
        """
        return self.dated(scope), ""


# --- clock-based indicators ---------------------------------------------------------------------


def _decided(today: dt.date) -> Q:
    """A clock whose outcome is known: stopped, or running past its due date (open overdue)."""
    return ~Q(status=ClockStatus.RUNNING) | Q(due_on__lt=today)


class PetitionIndicator(Indicator):
    """Indicators counting petitions: a petition saved by a service is a changed row."""

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        changed = Petition.objects.filter(updated_at__gte=moment)
        # One-time resolution of a matter depends on the later petitions that came back about it.
        return Petition.objects.filter(Q(updated_at__gte=moment) | Q(pk__in=changed.values("repeat_of")))


class ClockIndicator(PetitionIndicator):
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
        values = {"ind_status": Subquery(self.clocks(scope).values("status")[:1])}
        if scope.basis == UNIT:
            values["ind_unit_path"] = Subquery(self.clocks(scope).values("unit__path")[:1])
        return values

    def responsible_q(self, scope: Scope, unit: Unit) -> Q:
        # The unit that owed the counted clock (a notice is the handler's, forwarding the desk's).
        return prefix_lookup("ind_unit_path", unit.path)

    def denominator_q(self, scope: Scope) -> Q:
        q = Q(ind_when__isnull=False)
        if self.exclude_notice_exempt:
            q &= Q(notice_exemption="")
        return q

    def numerator_q(self, scope: Scope) -> Q:
        return Q(ind_status=ClockStatus.MET)

    def counted_clocks(self, scope: Scope) -> QuerySet[Clock]:
        """The clock each petition is counted by: its latest decided clock of the kinds (no later one)."""
        decided = Clock.objects.filter(kind__in=self.kinds).filter(_decided(scope.today))
        if not self.include_cancelled:
            decided = decided.exclude(status=ClockStatus.CANCELLED)
        later = decided.filter(petition=OuterRef("petition")).filter(
            Q(due_on__gt=OuterRef("due_on")) | Q(due_on=OuterRef("due_on"), pk__gt=OuterRef("pk"))
        )
        return decided.exclude(Exists(later))

    def clock_when(self) -> Any:
        return F("due_on")

    def fact_rows(self, scope: Scope) -> tuple[QuerySet[Any], str]:
        """Driven from the clocks: the counted clock's own columns replace the per-petition subqueries,
        which a GROUP BY over millions of petitions would evaluate several times each."""
        qs = self.counted_clocks(scope).annotate(
            ind_when=self.clock_when(),
            ind_status=F("status"),
            notice_exemption=F("petition__notice_exemption"),
        )
        qs = qs.annotate(**self.clock_annotations())
        if scope.petitions is not None:
            qs = qs.filter(Exists(scope.petitions.filter(pk=OuterRef("petition"))))
        if scope.area is not None:
            if scope.basis == UNIT:
                qs = qs.filter(prefix_lookup("unit__path", scope.area.path))
            else:
                qs = qs.filter(prefix_lookup("petition__place__path", scope.area.path))
        return qs, "petition__"

    def clock_annotations(self) -> dict[str, Any]:
        return {}

    def affected_by_time(self, before: dt.date, after: dt.date) -> QuerySet[Any] | None:
        # A running clock becomes decided (overdue) the day after it falls due.
        due = Clock.objects.filter(
            kind__in=self.kinds, status=ClockStatus.RUNNING, due_on__gte=before, due_on__lt=after
        )
        return Petition.objects.filter(pk__in=due.values("petition_id"))


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
    by_category = True


class EvaluationIndicator(ClockIndicator):
    """Evaluation windows (评价期) that ended in the period, however they ended.

    The date is the day the window ended: the day it was stopped (a rating, a review request, a closure)
    when that came before its last day, else its last day.
    """

    kinds = (Limit.EVALUATION_WINDOW.value,)
    date_label = _("Window ended")
    include_cancelled = True

    def when(self, scope: Scope) -> BaseExpression:
        ended = (
            self.clocks(scope)
            .annotate(stopped_on=TruncDate("stopped_at"))
            .annotate(
                ended_on=Case(
                    When(stopped_on__lt=F("due_on"), then=F("stopped_on")),
                    default=F("due_on"),
                    output_field=DateField(),
                )
            )
        )
        return Subquery(ended.values("ended_on")[:1], output_field=DateField())

    def clock_when(self) -> BaseExpression:
        stopped = TruncDate("stopped_at")
        return Case(
            When(Q(stopped_at__isnull=False) & Q(due_on__gt=stopped), then=stopped),
            default=F("due_on"),
            output_field=DateField(),
        )

    def clock_annotations(self) -> dict[str, Any]:
        evaluations = Evaluation.objects.filter(petition=OuterRef("petition"))
        return self._evaluated(evaluations)

    @staticmethod
    def _evaluated(evaluations: QuerySet[Evaluation]) -> dict[str, Any]:
        return {
            "ind_evaluated": Exists(evaluations),
            "ind_sat": Exists(evaluations.filter(rating=Rating.SATISFIED)),
            "ind_satb": Exists(evaluations.filter(rating__in=[Rating.SATISFIED, Rating.BASICALLY])),
        }

    def annotations(self, scope: Scope) -> dict[str, Any]:
        evaluations = Evaluation.objects.filter(petition=OuterRef("pk"))
        values = super().annotations(scope)
        values.update(self._evaluated(evaluations))
        return values

    def components(self, scope: Scope) -> dict[str, Q]:
        base = ClockIndicator.denominator_q(self, scope)
        return {
            "ended": base,
            "rated": base & Q(ind_evaluated=True),
            "sat": base & Q(ind_sat=True),
            "satb": base & Q(ind_satb=True),
        }


class Participation(EvaluationIndicator):
    """参评率."""

    code = "participation"
    label = _("Evaluation participation")
    formula = _(
        "Matters the petitioner rated ÷ matters whose evaluation window ended in the period. A window ends "
        "on the day the petitioner rated the reply or asked for a review or the matter was closed, or on "
        "its last day if none of these came first; a rating therefore counts in the month it was given."
    )
    numerator_label = _("rated")
    denominator_label = _("windows ended")
    chart = "evaluation"

    def numerator_q(self, scope: Scope) -> Q:
        return Q(ind_evaluated=True)

    def combine(self, counts: Mapping[str, int], options: Options) -> tuple[int, int | None]:
        return counts.get("rated", 0), counts.get("ended", 0)


class Satisfaction(EvaluationIndicator):
    """满意率."""

    code = "satisfaction"
    label = _("Satisfaction")
    formula = _(
        "(Satisfied + basically satisfied) ÷ rated matters, among matters whose evaluation window ended "
        "in the period (a rating counts in the month it was given; an unrated window in the month it "
        "lapsed)."
    )
    numerator_label = _("satisfied")
    denominator_label = _("rated")
    chart = "evaluation"
    by_category = True

    def denominator_q(self, scope: Scope) -> Q:
        q = super().denominator_q(scope)
        if scope.options.unrated_counts:
            return q
        return q & Q(ind_evaluated=True)

    def numerator_q(self, scope: Scope) -> Q:
        q = Q(ind_satb=True) if scope.options.basic_counts else Q(ind_sat=True)
        if scope.options.unrated_counts:
            q |= Q(ind_evaluated=False)
        return q

    def combine(self, counts: Mapping[str, int], options: Options) -> tuple[int, int | None]:
        ended, rated = counts.get("ended", 0), counts.get("rated", 0)
        num = counts.get("satb" if options.basic_counts else "sat", 0)
        if options.unrated_counts:
            return num + ended - rated, ended
        return num, rated

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


class ReceivedIndicator(PetitionIndicator):
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
    higher_is_better = False

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
    scorable = False
    breakdowns = {"bypass_destination_level": ("level:", [*BREAKDOWN_LEVELS, None])}

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
    scorable = False
    by_category = True
    breakdowns = {"state": ("state:", State.values)}


class OneTimeResolution(PetitionIndicator):
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
        return self.in_period(scope, period).filter(self._pending_q(scope)).count()

    def _pending_q(self, scope: Scope) -> Q:
        return self._closed_first_time() & ~self._window_passed(scope)

    def components(self, scope: Scope) -> dict[str, Q]:
        return {**super().components(scope), "pending": self._pending_q(scope)}

    def variant(self, options: Options) -> str:
        return f"n={options.one_time_days}"

    def affected_by_time(self, before: dt.date, after: dt.date) -> QuerySet[Any] | None:
        # Closures whose N-day window passes between the two days, for every N the facts keep.
        from .models import fact_variants

        condition = Q(pk__in=[])
        for options in fact_variants():
            days = dt.timedelta(days=options.one_time_days)
            condition |= Q(closed_at__date__gte=before - days, closed_at__date__lt=after - days)
        return Petition.objects.filter(self._closed_first_time()).filter(condition)

    def notes(self, scope: Scope) -> list[str]:
        return [str(_("N = %(days)d days.") % {"days": scope.options.one_time_days})]


# --- measures against units ------------------------------------------------------------------------


class SupervisionMeasures(Indicator):
    """督办 and 挂牌督办 against units (Art. 39 ¶3, 40); 催办 reminders are counted apart."""

    code = "supervision"
    label = _("Supervision of units (督办, 挂牌督办)")
    formula = _(
        "Supervisions a petition department or a conference opened in the period against units of the "
        "area, by the day they were opened: supervision (督办) and listed supervision (挂牌督办); chasing "
        "reminders (催办) are not counted. It counts measures taken against units for "
        "delay or non-execution, not petitions, and may be scored as a deduction."
    )
    numerator_label = _("supervisions")
    date_label = _("Opened")
    is_rate = False
    model = Supervision
    petition_path = "petition"
    subject_field = "to_unit"
    responsible_field = "to_unit"
    higher_is_better = False
    breakdowns = {"kind": ("kind:", Supervision.Kind.values)}

    def when(self, scope: Scope) -> BaseExpression:
        return TruncDate("created_at")

    def numerator_q(self, scope: Scope) -> Q:
        return Q(kind__in=[Supervision.Kind.SUPERVISE, Supervision.Kind.LISTED])

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        return Supervision.objects.filter(Q(created_at__gte=moment) | Q(replied_at__gte=moment))

    def drill_row(self, obj: Any) -> dict[str, Any]:
        return {
            "text": f"{obj.get_kind_display()} · {obj.to_unit.name} · {obj.reason}",
            "petition_id": obj.petition_id,
        }


# --- the registry ------------------------------------------------------------------------------------

# Every indicator by code. Other apps add theirs with ``register`` (kept under this name for the
# modules that read it directly).
INDICATORS: dict[str, Indicator] = {}


def register(ind: Indicator, *, replace: bool = False) -> Indicator:
    """Add an indicator to the registry; a second one with the same code is refused unless ``replace``."""
    if not ind.code:
        raise ValueError("An indicator needs a code.")
    if ind.code in INDICATORS and not replace:
        raise ValueError(f"An indicator with the code {ind.code!r} is already registered.")
    INDICATORS[ind.code] = ind
    return ind


def unregister(code: str) -> Indicator | None:
    """Take an indicator out of the registry (an app that is switched off; tests)."""
    return INDICATORS.pop(code, None)


def registered() -> list[Indicator]:
    return list(INDICATORS.values())


for _builtin in (
    TimelyAcceptance(),
    TimelyForwarding(),
    OnTimeCompletion(),
    Participation(),
    Satisfaction(),
    RepeatRate(),
    OneTimeResolution(),
    Bypass(),
    Received(),
    SupervisionMeasures(),
):
    register(_builtin)


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


def category_key(prefix: str = "") -> Expression:
    """Group by the top-level category of the three-level taxonomy (None = uncategorised)."""
    return Coalesce(
        f"{prefix}category__parent__parent_id", f"{prefix}category__parent_id", f"{prefix}category_id"
    )


def category_q(top_id: int | None) -> Q:
    """The petitions of one top-level category: the filter that matches :func:`category_key`."""
    if top_id is None:
        return Q(category__isnull=True)
    return Q(category_id=top_id) | Q(category__parent_id=top_id) | Q(category__parent__parent_id=top_id)


def child_area_key(area: Unit, ind: Indicator | None = None) -> Expression:
    """Group by the child of ``area`` that holds the subject (its path prefix one level down)."""
    field = ind.subject_field if ind is not None else "place"
    return Substr(f"{field}__path", 1, len(area.path) + Unit.steplen)


def component_counts(
    ind: Indicator,
    scope: Scope,
    period: Period | None,
    keys: Mapping[str, BaseExpression] | None = None,
    *,
    where: Q | None = None,
) -> dict[tuple[Any, ...], dict[str, int]]:
    """``{key values: {component: count}}`` in one query: the counts ``combine`` turns into figures.

    ``period`` None counts every dated row (the fact table groups them by month itself); ``where``
    restricts the rows further (the fact table's dirty units).
    """
    qs = ind.dated(scope) if period is None else ind.in_period(scope, period)
    return counts_on(qs.filter(where) if where is not None else qs, ind.components(scope), keys)


def counts_on(
    qs: QuerySet[Any], components: Mapping[str, Q], keys: Mapping[str, BaseExpression] | None = None
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Count each component over the dated rows ``qs``, grouped by ``keys`` (one query)."""
    qs = qs.filter(ind_when__isnull=False)
    names = list(components.items())
    aggregates = {f"c{index}": Count("pk", filter=q) for index, (_name, q) in enumerate(names)}
    keys = dict(keys or {})
    if not keys:
        row = qs.aggregate(**aggregates)
        return {(): {name: row[f"c{index}"] or 0 for index, (name, _q) in enumerate(names)}}
    aliases = [f"k_{name}" for name in keys]
    qs = qs.annotate(**{f"k_{name}": expression for name, expression in keys.items()})
    result: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in qs.values(*aliases).annotate(**aggregates).order_by():
        counts = {name: row[f"c{index}"] for index, (name, _q) in enumerate(names) if row[f"c{index}"]}
        if counts:
            result[tuple(row[alias] for alias in aliases)] = counts
    return result


def grouped(
    ind: Indicator, scope: Scope, period: Period, key: BaseExpression
) -> dict[Any, tuple[int, int | None]]:
    """``{key: (numerator, denominator)}`` in one query; the same rows as the drill-down of each key."""
    result = {}
    for values, counts in component_counts(ind, scope, period, {"key": key}).items():
        num, den = ind.combine(counts, scope.options)
        if num or den:
            result[values[0]] = (num, den)
    return result


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
        periods.append(Period(start, next_month(start)))
    return periods


def trend(ind: Indicator, scope: Scope, months: Iterable[Period]) -> list[tuple[Period, int, int | None]]:
    months = list(months)
    span = Period(months[0].start, months[-1].end)
    by_month = grouped(ind, scope, span, month_key())
    result = []
    for month in months:
        num, den = month_value(by_month, month.start)
        result.append((month, num, den if ind.is_rate else None))
    return result


def month_value(by_month: Mapping[Any, tuple[int, int | None]], start: dt.date) -> tuple[int, int | None]:
    for key, value in by_month.items():
        if key is None:
            continue
        day = key.date() if isinstance(key, dt.datetime) else key
        if day == start:
            return value
    return 0, 0
