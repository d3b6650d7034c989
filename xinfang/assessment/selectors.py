"""Reads of assessment and accountability, each scoped through ``accounts.scoping`` or
``petitions.selectors.visible_petitions``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestor_paths, path_prefix_q
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions

from . import indicators as ind
from . import permissions
from .models import (
    AccountabilityReview,
    AssessmentScheme,
    Checklist,
    ChecklistItem,
    Commendation,
    ItemState,
    Outcome,
    ReviewFinding,
    ScoreRun,
    SubjectScore,
)

# --- schemes -----------------------------------------------------------------------------------------


def visible_schemes(user: Any) -> QuerySet[AssessmentScheme]:
    """Schemes organised inside the user's jurisdiction or by an area that contains the user's seat."""
    qs = AssessmentScheme.objects.select_related("area")
    if scoping.sees_everything(user):
        return qs
    roots = scoping.jurisdiction_roots(user)
    if not roots:
        return qs.none()
    above = {path for root in roots for path in [*ancestor_paths(root.path), root.path]}
    return qs.filter(path_prefix_q(roots, field="area__path") | Q(area__path__in=above))


def get_scheme(user: Any, pk: int) -> AssessmentScheme:
    scheme = visible_schemes(user).filter(pk=pk).first()
    if scheme is None:
        raise scoping.OutOfJurisdiction("scheme")
    return scheme


def latest_run(scheme: AssessmentScheme) -> ScoreRun | None:
    return scheme.runs.order_by("-computed_at", "-pk").first()


def league(run: ScoreRun) -> list[SubjectScore]:
    scores = list(run.scores.select_related("unit"))
    return sorted(scores, key=lambda s: (s.rank is None, s.rank or 0, s.unit.path))


def get_score(user: Any, pk: int) -> SubjectScore:
    score = SubjectScore.objects.select_related("run__scheme__area", "unit").filter(pk=pk).first()
    if score is None or not visible_schemes(user).filter(pk=score.run.scheme_id).exists():
        raise scoping.OutOfJurisdiction("score")
    return score


def score_period(score: SubjectScore) -> ind.Period:
    return ind.Period(score.run.period_start, score.run.period_end + dt.timedelta(days=1))


def drill_rows(user: Any, score: SubjectScore, code: str, part: str) -> tuple[ind.Indicator, Any]:
    """The records one item of a score counted (numerator or denominator), as the viewer may see them.

    The score itself counts every record (a unit's score does not depend on who looks at it); the list
    shows those the viewer may see, so confidential accusations are counted but not listed.
    """
    indicator = ind.indicator(code)
    run = score.run
    scheme = run.scheme
    options = ind.Options(**run.options) if run.options else scheme.options()
    basis = ind.UNIT if scheme.subject_kind == "department" else ind.PLACE
    scope = ind.Scope(
        petitions=visible_petitions(user), area=score.unit, today=run.as_of, options=options, basis=basis
    )
    period = score_period(score)
    qs = indicator.denominator(scope, period) if part == "den" else indicator.numerator(scope, period)
    if qs is None:
        qs = indicator.numerator(scope, period)
    return indicator, qs


# --- accountability reviews --------------------------------------------------------------------------


def visible_reviews(user: Any) -> QuerySet[AccountabilityReview]:
    """Reviews of petitions the user may see, for petition departments, leaders and discipline inspection;
    never a review whose findings name the user."""
    qs = AccountabilityReview.objects.select_related("petition", "area")
    if scoping.sees_everything(user):
        return qs
    if not permissions.may_read_reviews(user):
        return qs.none()
    visible = visible_petitions(user).filter(pk=OuterRef("petition_id"))
    named = ReviewFinding.objects.filter(review=OuterRef("pk"), subject_user=user)
    return qs.filter(Exists(visible)).exclude(Exists(named))


def get_review(user: Any, pk: int) -> AccountabilityReview:
    review = visible_reviews(user).filter(pk=pk).first()
    if review is None:
        raise scoping.OutOfJurisdiction("review")
    return review


def current_findings(review: AccountabilityReview) -> list[ReviewFinding]:
    """The findings not corrected by a later one."""
    return list(
        review.findings.filter(superseded_by__isnull=True).select_related(
            "subject_user", "subject_unit", "recorded_by"
        )
    )


@dataclass
class AccountabilityFigures:
    opened: int
    concluded: int
    outcomes: list[tuple[str, str, int]]
    people_dealt_with: int
    by_area: list[dict[str, Any]]


def accountability_figures(user: Any, year: int | None = None) -> AccountabilityFigures:
    """Reviews opened and concluded, outcomes by kind, people dealt with (an outcome other than cleared),
    per area and year, over the reviews the user may see."""
    reviews = visible_reviews(user)
    if year is not None:
        reviews = reviews.filter(year=year)
    review_ids = list(reviews.values_list("pk", flat=True))
    findings = ReviewFinding.objects.filter(
        review_id__in=review_ids, superseded_by__isnull=True
    ).select_related("review__area")
    outcome_counts: Counter[str] = Counter()
    dealt: set[tuple[Any, ...]] = set()
    per_area: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"opened": 0, "concluded": 0, "people": set(), "outcomes": Counter()}
    )
    for review in reviews.select_related("area"):
        row = per_area[(review.area_id, review.year)]
        row["area"] = review.area
        row["year"] = review.year
        row["opened"] += 1
        row["concluded"] += int(review.status == "concluded")
    for finding in findings:
        outcome_counts[finding.outcome] += 1
        row = per_area[(finding.review.area_id, finding.review.year)]
        row["outcomes"][finding.outcome] += 1
        if finding.outcome != Outcome.CLEARED:
            who = (
                ("user", finding.subject_user_id)
                if finding.subject_user_id
                else ("name", finding.subject_name)
            )
            dealt.add(who)
            row["people"].add(who)
    rows = []
    for row in per_area.values():
        rows.append(
            {
                "area": row["area"],
                "year": row["year"],
                "opened": row["opened"],
                "concluded": row["concluded"],
                "people": len(row["people"]),
                "outcomes": [(o.value, str(o.label), row["outcomes"][o.value]) for o in Outcome],
            }
        )
    rows.sort(key=lambda r: (-r["year"], r["area"].path))
    return AccountabilityFigures(
        opened=len(review_ids),
        concluded=reviews.filter(status="concluded").count(),
        outcomes=[(o.value, str(o.label), outcome_counts[o.value]) for o in Outcome],
        people_dealt_with=len(dealt),
        by_area=rows,
    )


# --- checklists --------------------------------------------------------------------------------------


def visible_checklists(user: Any) -> QuerySet[Checklist]:
    """Checklists of areas in the user's jurisdiction, or with an item owned by the user's units."""
    qs = Checklist.objects.select_related("area", "created_by")
    if scoping.sees_everything(user):
        return qs
    roots = scoping.jurisdiction_roots(user)
    owned = ChecklistItem.objects.filter(checklist=OuterRef("pk")).filter(
        path_prefix_q(roots, field="owner_unit__path")
    )
    return qs.filter(path_prefix_q(roots, field="area__path") | Q(Exists(owned)))


def get_checklist(user: Any, pk: int) -> Checklist:
    checklist = visible_checklists(user).filter(pk=pk).first()
    if checklist is None:
        raise scoping.OutOfJurisdiction("checklist")
    return checklist


def get_item(user: Any, pk: int) -> ChecklistItem:
    item = (
        ChecklistItem.objects.select_related("checklist__area", "owner_unit", "owner").filter(pk=pk).first()
    )
    if item is None or not visible_checklists(user).filter(pk=item.checklist_id).exists():
        raise scoping.OutOfJurisdiction("item")
    return item


def ledger(user: Any, unit: Unit | None = None, *, open_only: bool = True) -> QuerySet[ChecklistItem]:
    """台账: the items owned by units in the user's jurisdiction (or under ``unit``), open ones by default."""
    qs = ChecklistItem.objects.select_related("checklist", "owner_unit", "owner", "petition")
    if not scoping.sees_everything(user):
        qs = qs.filter(scoping.jurisdiction_q(user, "owner_unit__path"))
    if unit is not None:
        qs = qs.filter(owner_unit__path__startswith=unit.path)
    if open_only:
        qs = qs.exclude(state=ItemState.CLOSED)
    return qs.order_by("due_on", "pk")


def ledger_summary(items: QuerySet[ChecklistItem], today: dt.date) -> list[dict[str, Any]]:
    """Open and overdue items per owner unit."""
    per_unit: dict[int, dict[str, Any]] = {}
    for item in items:
        row = per_unit.setdefault(item.owner_unit_id, {"unit": item.owner_unit, "open": 0, "overdue": 0})
        row["open"] += 1
        row["overdue"] += int(item.is_overdue(today))
    return sorted(per_unit.values(), key=lambda r: (-r["overdue"], -r["open"], r["unit"].path))


# --- commendations -----------------------------------------------------------------------------------


def visible_commendations(user: Any) -> QuerySet[Commendation]:
    qs = Commendation.objects.select_related("unit", "person", "by_area")
    if scoping.sees_everything(user):
        return qs
    roots = scoping.jurisdiction_roots(user)
    above = {path for root in roots for path in [*ancestor_paths(root.path), root.path]}
    return qs.filter(path_prefix_q(roots, field="unit__path") | Q(by_area__path__in=above))


@dataclass
class Nomination:
    kind: str
    unit: Unit
    person: User | None
    reason: str
    evidence: dict[str, Any]


def nominations(run: ScoreRun, *, handled_at_least: int = 3) -> list[Nomination]:
    """Nominations from a computed scheme: the units on its red list and, in them, the staff who first
    handled the most matters of the period with every handling deadline met."""
    from .scoring import HUNDRED

    found: list[Nomination] = []
    period = ind.Period(run.period_start, run.period_end + dt.timedelta(days=1))
    for score in league(run):
        if score.listing != "red":
            continue
        evidence = {
            "scheme": run.scheme.name,
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "petition_score": str(score.petition_score),
            "rank": score.rank,
            "items": score.items,
        }
        found.append(Nomination("unit", score.unit, None, "red_list", evidence))
        people = _first_handlers(score.unit, period, run.as_of)
        for user, handled, on_time in people:
            if handled >= handled_at_least and on_time == handled:
                rate = str((Decimal(on_time) * HUNDRED / Decimal(handled)).quantize(Decimal("0.1")))
                person_evidence = {**evidence, "handled": handled, "on_time": on_time, "on_time_rate": rate}
                found.append(Nomination("person", score.unit, user, "all_on_time", person_evidence))
    return found


def _first_handlers(unit: Unit, period: ind.Period, today: dt.date) -> list[tuple[User, int, int]]:
    """Staff who first handled matters of the unit's area, with how many handling deadlines they met."""
    indicator = ind.indicator("on_time")
    scope = ind.Scope(petitions=None, area=unit, today=today)
    denominator = indicator.denominator(scope, period)
    if denominator is None:
        return []
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for handler_id, status in denominator.filter(first_handler__isnull=False).values_list(
        "first_handler_id", "ind_status"
    ):
        counts[handler_id][0] += 1
        counts[handler_id][1] += int(status == "met")
    users = User.objects.in_bulk(list(counts))
    return [(users[pk], handled, met) for pk, (handled, met) in counts.items() if pk in users]


def today() -> dt.date:
    return timezone.localdate()


def petitions_of(user: Any) -> QuerySet[Petition]:
    return visible_petitions(user)
