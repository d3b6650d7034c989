"""Writes of assessment and accountability. One transaction each, keyword-only arguments, the row locked
where two people can act at once, an ``expected_version`` check where a form may be stale. Bad input
raises ``DomainError`` (``FieldErrors`` with one message per field for forms) and changes nothing.

Nothing is deleted: a scheme is copied, a finding is corrected by a new one, a checklist item returned for
more evidence keeps its history. Anything that concerns a petition also writes to its timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Role, User
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions.intake import attachment_problem
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import get_visible_petition
from xinfang.petitions.services import event_append

from . import indicators as ind
from . import permissions, scoring
from .figures import Figures
from .models import (
    AccountabilityReview,
    AssessmentScheme,
    Checklist,
    ChecklistItem,
    ChecklistItemEvent,
    ChecklistSource,
    Commendation,
    CommendationKind,
    Ground,
    ItemRule,
    ItemState,
    Outcome,
    ReviewFinding,
    ReviewStatus,
    SchemeEvent,
    SchemeItem,
    SchemeStatus,
    ScoreRun,
    SharePolicy,
    SubjectKind,
    SubjectScore,
)


class FieldErrors(DomainError):
    """Validation errors by field, so that forms show each one beside its field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages), code="invalid")


def _conflict(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise ConflictError(
            _(
                "Someone else changed this record a moment ago. "
                "Reload the page to see the change, then try again."
            )
        )


def _text(value: str) -> str:
    return (value or "").strip()


plain = scoring.plain


# --- schemes ---------------------------------------------------------------------------------------------


@dataclass
class ItemData:
    indicator: str
    weight: Decimal
    rule: str = ItemRule.TARGET
    target: Decimal | None = None
    floor: Decimal | None = None
    per_count: Decimal | None = None


@dataclass
class SchemeData:
    name: str
    year: int
    area: Unit | None
    subject_kind: str
    total_points: Decimal
    petition_share: Decimal
    items: list[ItemData] = field(default_factory=list)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    red_list_min: Decimal | None = None
    black_list_below: Decimal | None = None
    basic_counts: bool = True
    unrated_counts: bool = False
    one_time_days: int = ind.DEFAULT_ONE_TIME_DAYS
    basis: str = ""
    notes: str = ""

    @classmethod
    def of(cls, scheme: AssessmentScheme) -> SchemeData:
        return cls(
            name=scheme.name,
            year=scheme.year,
            area=scheme.area,
            subject_kind=scheme.subject_kind,
            total_points=scheme.total_points,
            petition_share=scheme.petition_share,
            items=[
                ItemData(i.indicator, i.weight, i.rule, i.target, i.floor, i.per_count)
                for i in scheme.items.all()
            ],
            period_start=scheme.period_start,
            period_end=scheme.period_end,
            red_list_min=scheme.red_list_min,
            black_list_below=scheme.black_list_below,
            basic_counts=scheme.basic_counts,
            unrated_counts=scheme.unrated_counts,
            one_time_days=scheme.one_time_days,
            basis=scheme.basis,
            notes=scheme.notes,
        )


def share_policy_for(area: Unit, subject_kind: str) -> SharePolicy | None:
    """The nearest locality rule on the petition share for this kind of subject (e.g. 长丰县 ≥ 20 %)."""
    paths = [*ancestor_paths(area.path), area.path]
    return (
        SharePolicy.objects.filter(unit__path__in=paths, subject_kind=subject_kind)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def scheme_subjects(scheme: AssessmentScheme | SchemeData) -> list[tuple[Unit, str]]:
    """The assessed units (and, for secretaries, the person holding the leader's seat there)."""
    area = scheme.area
    if area is None:
        return []
    below = Unit.objects.filter(path__startswith=area.path, is_active=True).exclude(pk=area.pk)
    kind = scheme.subject_kind
    if kind in (SubjectKind.TOWN, SubjectKind.SECRETARY):
        units = list(below.filter(kind=UnitKind.TOWN).order_by("path"))
    elif kind == SubjectKind.COUNTY:
        units = list(below.filter(kind=UnitKind.COUNTY).order_by("path"))
    else:
        units = list(below.filter(kind=UnitKind.DEPARTMENT, depth=area.depth + 1).order_by("path"))
    if kind != SubjectKind.SECRETARY:
        return [(unit, "") for unit in units]
    from xinfang.accounts.models import Membership

    people: dict[int, str] = {}
    for membership in (
        Membership.objects.filter(unit__in=units, role=Role.LEADER, is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        people.setdefault(membership.unit_id, membership.user.display_name())
    return [(unit, people.get(unit.pk, "")) for unit in units]


def scheme_errors(data: SchemeData, *, user: User) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not _text(data.name):
        add("name", _("Give the scheme a name."))
    elif len(data.name) > 120:
        add("name", _("The name may have at most 120 characters."))
    if not 2000 <= data.year <= 2100:
        add("year", _("Give a year between 2000 and 2100."))
    if data.area is None or not data.area.is_area:
        add("area", _("Choose the area that organises the assessment."))
    elif not permissions.may_manage_schemes(user, data.area):
        add("area", _("Only leaders and county petition bureaus of this area set up its assessments."))
    if data.subject_kind not in SubjectKind.values:
        add("subject_kind", _("Choose who is assessed."))
    elif data.area is not None and not scheme_subjects(data):
        add("subject_kind", _("There is nobody of this kind to assess in this area."))
    start = data.period_start or (dt.date(data.year, 1, 1) if 2000 <= data.year <= 2100 else None)
    end = data.period_end or (dt.date(data.year, 12, 31) if 2000 <= data.year <= 2100 else None)
    if start and end and end < start:
        add("period_end", _("The period ends before it starts."))
    if not Decimal(0) < data.total_points <= Decimal(1000):
        add("total_points", _("The whole assessment must carry between 0 and 1,000 points."))
    if not Decimal(0) < data.petition_share <= Decimal(100):
        add("petition_share", _("The share of petition work must be a percentage above 0 and at most 100."))
    elif data.area is not None and data.subject_kind in SubjectKind.values:
        policy = share_policy_for(data.area, data.subject_kind)
        if policy is not None and data.petition_share < policy.minimum_share:
            add(
                "petition_share",
                _("%(unit)s requires petition work to be at least %(min)s %% of this assessment (%(basis)s).")
                % {
                    "unit": policy.unit.name,
                    "min": plain(policy.minimum_share),
                    "basis": policy.basis or "—",
                },
            )
    for name in ("red_list_min", "black_list_below"):
        value = getattr(data, name)
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            add(name, _("A list threshold is a petition score between 0 and 100."))
    if (
        data.red_list_min is not None
        and data.black_list_below is not None
        and data.black_list_below > data.red_list_min
    ):
        add("black_list_below", _("The black list threshold must lie below the red list threshold."))
    if not 1 <= data.one_time_days <= 365:
        add("one_time_days", _("Give between 1 and 365 days."))
    for message in items_errors(data.items):
        add("items", message)
    return errors


def items_errors(items: list[ItemData]) -> list[str]:
    messages: list[str] = []
    seen: set[str] = set()
    if not any(i.rule == ItemRule.TARGET for i in items):
        messages.append(_("Add at least one indicator scored against a target."))
    for position, item in enumerate(items, start=1):
        where = _("Indicator %(n)d: ") % {"n": position}
        try:
            indicator = ind.indicator(item.indicator)
        except LookupError:
            messages.append(where + _("unknown indicator."))
            continue
        if item.indicator in seen:
            messages.append(where + _("“%(label)s” is already in the scheme.") % {"label": indicator.label})
        seen.add(item.indicator)
        if not indicator.scorable:
            messages.append(
                where
                + _("“%(label)s” counts petitions, not how they were resolved: raw volume is never scored.")
                % {"label": indicator.label}
            )
            continue
        if item.weight is None or not Decimal(0) < item.weight <= Decimal(1000):
            messages.append(where + _("the points must be more than 0 and at most 1,000."))
        if item.rule not in ItemRule.values:
            messages.append(where + _("choose how it is scored."))
        elif item.rule == ItemRule.TARGET:
            if not indicator.is_rate:
                messages.append(
                    where + _("only a rate can be scored against a target; deduct or award per measure.")
                )
                continue
            if item.target is None or not Decimal(0) <= item.target <= Decimal(100):
                messages.append(where + _("give the target as a percentage between 0 and 100."))
                continue
            if item.floor is not None:
                if not Decimal(0) <= item.floor <= Decimal(100):
                    messages.append(where + _("give the no-points level as a percentage between 0 and 100."))
                elif indicator.higher_is_better and item.floor >= item.target:
                    messages.append(where + _("the no-points level must lie below the target."))
                elif not indicator.higher_is_better and item.floor <= item.target:
                    messages.append(
                        where
                        + _("lower is better for this rate: the no-points level must lie above the target.")
                    )
        else:
            if indicator.is_rate:
                messages.append(where + _("a rate is scored against a target, not per measure."))
            elif item.per_count is None or not Decimal(0) < item.per_count <= Decimal(100):
                messages.append(where + _("give the points per measure (more than 0, at most 100)."))
    return messages


def _apply(scheme: AssessmentScheme, data: SchemeData) -> None:
    scheme.name = _text(data.name)
    scheme.year = data.year
    assert data.area is not None
    scheme.area = data.area
    scheme.subject_kind = data.subject_kind
    scheme.period_start = data.period_start or dt.date(data.year, 1, 1)
    scheme.period_end = data.period_end or dt.date(data.year, 12, 31)
    scheme.total_points = data.total_points
    scheme.petition_share = data.petition_share
    scheme.red_list_min = data.red_list_min
    scheme.black_list_below = data.black_list_below
    scheme.basic_counts = data.basic_counts
    scheme.unrated_counts = data.unrated_counts
    scheme.one_time_days = data.one_time_days
    scheme.basis = _text(data.basis)
    scheme.notes = _text(data.notes)


def _write_items(scheme: AssessmentScheme, items: list[ItemData]) -> None:
    # Items of a draft are its definition being edited; the scheme's events keep every earlier version.
    scheme.items.all().delete()
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            indicator=i.indicator,
            weight=i.weight,
            rule=i.rule,
            target=i.target if i.rule == ItemRule.TARGET else None,
            floor=i.floor if i.rule == ItemRule.TARGET else None,
            per_count=i.per_count if i.rule != ItemRule.TARGET else None,
            position=index,
        )
        for index, i in enumerate(items)
    )


def scheme_snapshot(scheme: AssessmentScheme) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "year": scheme.year,
        "petition_share": str(scheme.petition_share),
        "total_points": str(scheme.total_points),
        "items": [
            {
                "indicator": i.indicator,
                "weight": str(i.weight),
                "rule": i.rule,
                "target": None if i.target is None else str(i.target),
                "floor": None if i.floor is None else str(i.floor),
                "per_count": None if i.per_count is None else str(i.per_count),
            }
            for i in scheme.items.all()
        ],
    }


def _event(scheme: AssessmentScheme, action: str, user: User | None, **payload: Any) -> None:
    SchemeEvent.objects.create(scheme=scheme, action=action, actor=user, payload=payload)


@transaction.atomic
def scheme_create(
    *, user: User, data: SchemeData, previous: AssessmentScheme | None = None
) -> AssessmentScheme:
    errors = scheme_errors(data, user=user)
    if errors:
        raise FieldErrors(errors)
    scheme = AssessmentScheme(created_by=user, previous=previous)
    _apply(scheme, data)
    scheme.save()
    _write_items(scheme, data.items)
    _event(scheme, "copied" if previous else "created", user, **scheme_snapshot(scheme))
    return scheme


@transaction.atomic
def scheme_update(
    *, scheme_id: int, user: User, data: SchemeData, expected_version: int | None = None
) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme_id)
    if not permissions.may_manage_schemes(user, scheme.area):
        raise scoping.OutOfJurisdiction(_("This scheme is outside your jurisdiction."))
    _conflict(scheme.version, expected_version)
    if scheme.status != SchemeStatus.DRAFT:
        raise DomainError(
            _("A published scheme is not changed; copy it to make a new version."), code="published"
        )
    errors = scheme_errors(data, user=user)
    if errors:
        raise FieldErrors(errors)
    _apply(scheme, data)
    scheme.version += 1
    scheme.save()
    _write_items(scheme, data.items)
    _event(scheme, "changed", user, **scheme_snapshot(scheme))
    return scheme


@transaction.atomic
def scheme_publish(*, scheme_id: int, user: User, expected_version: int | None = None) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme_id)
    if not permissions.may_manage_schemes(user, scheme.area):
        raise scoping.OutOfJurisdiction(_("This scheme is outside your jurisdiction."))
    _conflict(scheme.version, expected_version)
    if scheme.status == SchemeStatus.PUBLISHED:
        raise DomainError(_("This scheme is already published."), code="published")
    errors = scheme_errors(SchemeData.of(scheme), user=user)
    if errors:
        raise FieldErrors(errors)
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.version += 1
    scheme.save()
    _event(scheme, "published", user, **scheme_snapshot(scheme))
    return scheme


def scheme_copy(
    *,
    scheme_id: int,
    user: User,
    year: int,
    name: str = "",
    petition_share: Decimal | None = None,
    weights: dict[str, Decimal] | None = None,
) -> AssessmentScheme:
    """The scheme of another year as a new draft, with changed weights; the original stays as it was."""
    source = AssessmentScheme.objects.get(pk=scheme_id)
    if not permissions.may_manage_schemes(user, source.area):
        raise scoping.OutOfJurisdiction(_("This scheme is outside your jurisdiction."))
    data = SchemeData.of(source)
    data.year = year
    data.period_start = data.period_end = None
    data.name = _text(name) or source.name.replace(str(source.year), str(year))
    if petition_share is not None:
        data.petition_share = petition_share
    for item in data.items:
        if weights and item.indicator in weights:
            item.weight = weights[item.indicator]
    return scheme_create(user=user, data=data, previous=source)


def scheme_history(scheme: AssessmentScheme) -> list[AssessmentScheme]:
    """Every scheme of the same line (copied from one another), oldest first: the weights over the years."""
    first = scheme
    seen = {first.pk}
    while first.previous_id is not None and first.previous_id not in seen:
        first = AssessmentScheme.objects.get(pk=first.previous_id)
        seen.add(first.pk)
    line, frontier = [first], [first]
    while frontier:
        nxt = list(AssessmentScheme.objects.filter(previous__in=frontier).order_by("year", "pk"))
        line.extend(nxt)
        frontier = nxt
    return sorted(line, key=lambda s: (s.year, s.pk))


# --- computing scores ---------------------------------------------------------------------------------


def subject_figures(
    scheme: AssessmentScheme, subjects: list[Unit], today: dt.date, *, use_facts: bool = True
) -> tuple[dict[int, dict[str, tuple[int, int | None]]], str]:
    """The figures of every item for every subject, and where they were read from."""
    period = ind.Period(scheme.period_start, scheme.period_end + dt.timedelta(days=1))
    options = scheme.options()
    codes = [item.indicator for item in scheme.items.all()]
    result: dict[int, dict[str, tuple[int, int | None]]] = {unit.pk: {} for unit in subjects}
    sources: set[str] = set()
    if scheme.subject_kind == SubjectKind.DEPARTMENT:
        for unit in subjects:
            scope = ind.Scope(petitions=None, area=unit, today=today, options=options, basis=ind.UNIT)
            figures = Figures(scope, use_facts=use_facts)
            for code in codes:
                f = figures.figure(code, period)
                result[unit.pk][code] = (f.numerator, f.denominator)
            sources |= figures.sources
        return result, "+".join(sorted(sources))
    area = scheme.area
    children = all(unit.depth == area.depth + 1 for unit in subjects)
    if children:
        figures = Figures(
            ind.Scope(petitions=None, area=area, today=today, options=options), use_facts=use_facts
        )
        by_path = {unit.path: unit.pk for unit in subjects}
        for code in codes:
            indicator = ind.indicator(code)
            empty = (0, 0 if indicator.is_rate else None)
            grouped = figures.grouped(code, period, "child")
            for path, pk in by_path.items():
                result[pk][code] = grouped.get(path, empty)
        return result, figures.source
    for unit in subjects:
        figures = Figures(
            ind.Scope(petitions=None, area=unit, today=today, options=options), use_facts=use_facts
        )
        for code in codes:
            f = figures.figure(code, period)
            result[unit.pk][code] = (f.numerator, f.denominator)
        sources |= figures.sources
    return result, "+".join(sorted(sources))


def definitions_of(scheme: AssessmentScheme) -> list[dict[str, str]]:
    scope_options = scheme.options()
    scope = ind.Scope(petitions=None, area=scheme.area, today=timezone.localdate(), options=scope_options)
    rows = []
    for item in scheme.items.all():
        indicator = ind.indicator(item.indicator)
        rows.append(
            {
                "code": indicator.code,
                "label": str(indicator.label),
                "formula": str(indicator.formula),
                "notes": " ".join(indicator.notes(scope)),
            }
        )
    return rows


@transaction.atomic
def scheme_compute(
    *, scheme_id: int, user: User | None, today: dt.date | None = None, use_facts: bool = True
) -> ScoreRun:
    """Score every subject of a published scheme and keep the run (earlier runs stay as they were)."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme_id)
    if user is not None and not permissions.may_manage_schemes(user, scheme.area):
        raise scoping.OutOfJurisdiction(_("This scheme is outside your jurisdiction."))
    if scheme.status != SchemeStatus.PUBLISHED:
        raise DomainError(_("Publish the scheme before computing it."), code="draft")
    today = today or timezone.localdate()
    subjects = scheme_subjects(scheme)
    figures, source = subject_figures(scheme, [u for u, _p in subjects], today, use_facts=use_facts)
    items = list(scheme.items.all())
    run = ScoreRun.objects.create(
        scheme=scheme,
        computed_by=user,
        as_of=today,
        period_start=scheme.period_start,
        period_end=scheme.period_end,
        source=source or "records",
        options={
            "basic_counts": scheme.basic_counts,
            "unrated_counts": scheme.unrated_counts,
            "one_time_days": scheme.one_time_days,
        },
        definitions=definitions_of(scheme),
    )
    results = [
        (unit, person, scoring.score_subject(scheme, items, figures[unit.pk])) for unit, person in subjects
    ]
    places = scoring.ranks([r.petition_score for _u, _p, r in results])
    SubjectScore.objects.bulk_create(
        SubjectScore(
            run=run,
            unit=unit,
            person_name=person,
            petition_score=result.petition_score,
            weighted=result.weighted,
            rank=rank,
            listing=scoring.listing(scheme, result.petition_score),
            items=[i.as_json() for i in result.items],
        )
        for (unit, person, result), rank in zip(results, places, strict=True)
    )
    _event(scheme, "computed", user, run=run.pk, as_of=today.isoformat(), source=run.source)
    return run


# --- accountability reviews ------------------------------------------------------------------------------
# A review is confidential to petition departments, leaders and discipline inspection, while a petition's
# timeline is read by every unit that handled the matter, those under review included. So a review writes
# no timeline row: its own append-only findings are its audit.


def _review_locked(user: User, review_id: int) -> AccountabilityReview:
    from .selectors import visible_reviews

    if not visible_reviews(user).filter(pk=review_id).exists():
        raise scoping.OutOfJurisdiction(_("Not found."))
    return AccountabilityReview.objects.select_for_update().get(pk=review_id)


@transaction.atomic
def finding_record(
    *,
    review_id: int,
    user: User,
    subject_name: str,
    ground: str,
    finding: str,
    outcome: str,
    subject_user: User | None = None,
    subject_unit: Unit | None = None,
    written_feedback: str = "",
    supersedes: ReviewFinding | None = None,
    expected_version: int | None = None,
) -> ReviewFinding:
    """A finding about one person or unit and the outcome decided (约谈, 通报批评, 诫勉, … or cleared)."""
    review = _review_locked(user, review_id)
    _conflict(review.version, expected_version)
    if not permissions.may_decide_review(user, review.area):
        raise DomainError(_("Findings are recorded by discipline inspectors and leaders."), code="role")
    if review.status != ReviewStatus.OPEN:
        raise DomainError(_("This review is concluded; its findings no longer change."), code="concluded")
    errors: dict[str, list[str]] = {}
    name = _text(subject_name) or (subject_user.display_name() if subject_user else "")
    if not name:
        errors["subject_name"] = [_("Name the person or unit concerned.")]
    if ground not in Ground.values:
        errors["ground"] = [_("Choose the ground in Art. 42-46.")]
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not _text(finding):
        errors["finding"] = [_("Write down what was found.")]
    if supersedes is not None and (supersedes.review_id != review.pk or hasattr(supersedes, "superseded_by")):
        errors["supersedes"] = [_("Only the latest finding of this review can be corrected.")]
    if errors:
        raise FieldErrors(errors)
    record = ReviewFinding.objects.create(
        review=review,
        subject_user=subject_user,
        subject_name=name[:100],
        subject_unit=subject_unit,
        ground=ground,
        finding=_text(finding),
        outcome=outcome,
        written_feedback=_text(written_feedback),
        recorded_by=user,
        supersedes=supersedes,
    )
    review.version += 1
    review.save(update_fields=["version"])
    return record


@transaction.atomic
def review_conclude(
    *, review_id: int, user: User, conclusion: str, expected_version: int | None = None
) -> AccountabilityReview:
    review = _review_locked(user, review_id)
    _conflict(review.version, expected_version)
    if not permissions.may_decide_review(user, review.area):
        raise DomainError(_("A review is concluded by discipline inspectors and leaders."), code="role")
    if review.status != ReviewStatus.OPEN:
        raise DomainError(_("This review is already concluded."), code="concluded")
    if not review.findings.exists():
        raise FieldErrors(
            {"conclusion": [_("Record at least one finding (or that nobody is responsible) first.")]}
        )
    if not _text(conclusion):
        raise FieldErrors({"conclusion": [_("Write the conclusion of the review.")]})
    from .traceback import review_rebuild

    review_rebuild(review)
    review.status = ReviewStatus.CONCLUDED
    review.concluded_at = timezone.now()
    review.concluded_by = user
    review.conclusion = _text(conclusion)
    review.version += 1
    review.save()
    return review


def _petition_event(
    petition: Petition, action: str, user: User | None, *, reason: str = "", **payload: Any
) -> None:
    """A line on the petition's timeline (the timeline is the audit), under the petition's row lock."""
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    event_append(
        petition=locked,
        action=action,
        actor=user,
        actor_unit=None,
        from_state=locked.state,
        to_state=locked.state,
        reason=reason,
        payload=payload,
    )


# --- checklists ----------------------------------------------------------------------------------------


@transaction.atomic
def checklist_create(
    *, user: User, title: str, area: Unit | None, source: str, source_ref: str = "", description: str = ""
) -> Checklist:
    errors: dict[str, list[str]] = {}
    if not _text(title):
        errors["title"] = [_("Give the checklist a title.")]
    if area is None or not area.is_area:
        errors["area"] = [_("Choose the area the checklist is for.")]
    elif not permissions.may_keep_checklists(user, area):
        errors["area"] = [_("Only petition departments and leaders of this area keep its checklists.")]
    if source not in ChecklistSource.values:
        errors["source"] = [_("Say where the checklist comes from.")]
    if errors:
        raise FieldErrors(errors)
    assert area is not None
    return Checklist.objects.create(
        title=_text(title)[:120],
        area=area,
        source=source,
        source_ref=_text(source_ref)[:200],
        description=_text(description),
        created_by=user,
    )


def _item_event(item: ChecklistItem, action: str, user: User, note: str = "") -> None:
    ChecklistItemEvent.objects.create(item=item, action=action, actor=user, note=note)
    if item.petition_id is not None:
        _petition_event(
            item.petition,  # type: ignore[arg-type]
            f"checklist_{action}",
            user,
            reason=item.title,
            checklist_item=item.pk,
            note=note,
        )


@transaction.atomic
def checklist_item_add(
    *,
    checklist_id: int,
    user: User,
    title: str,
    owner_unit: Unit | None,
    due_on: dt.date | None,
    owner: User | None = None,
    detail: str = "",
    petition_id: int | None = None,
) -> ChecklistItem:
    checklist = Checklist.objects.select_for_update().get(pk=checklist_id)
    if not permissions.may_keep_checklists(user, checklist.area):
        raise scoping.OutOfJurisdiction(_("This checklist is outside your jurisdiction."))
    errors: dict[str, list[str]] = {}
    if not _text(title):
        errors["title"] = [_("Describe the problem or task.")]
    if owner_unit is None or not owner_unit.path.startswith(checklist.area.path):
        errors["owner_unit"] = [_("Choose the unit responsible, inside the checklist's area.")]
    if due_on is None:
        errors["due_on"] = [_("Give the due date.")]
    elif due_on < timezone.localdate(checklist.created_at):
        errors["due_on"] = [_("The due date cannot lie before the checklist was made.")]
    if (
        owner is not None
        and owner_unit is not None
        and not owner.memberships.filter(unit=owner_unit, is_active=True).exists()
    ):
        errors["owner"] = [_("The person responsible must hold a seat in the owner unit.")]
    petition = None
    if petition_id is not None:
        try:
            petition = get_visible_petition(user, petition_id)
        except scoping.OutOfJurisdiction:
            errors["petition"] = [_("No petition with this number is within your reach.")]
    if errors:
        raise FieldErrors(errors)
    assert owner_unit is not None and due_on is not None
    item = ChecklistItem.objects.create(
        checklist=checklist,
        title=_text(title)[:200],
        detail=_text(detail),
        owner_unit=owner_unit,
        owner=owner,
        due_on=due_on,
        petition=petition,
    )
    _item_event(item, "created", user)
    return item


def _item_locked(item_id: int) -> ChecklistItem:
    return (
        ChecklistItem.objects.select_for_update()
        .select_related("checklist__area", "owner_unit")
        .get(pk=item_id)
    )


def may_submit(user: User, item: ChecklistItem) -> bool:
    return (
        item.owner_id == user.pk
        or permissions.seats_in(user, item.owner_unit)
        or scoping.sees_everything(user)
    )


@transaction.atomic
def checklist_item_submit(
    *,
    item_id: int,
    user: User,
    evidence_text: str,
    upload: UploadedFile | None = None,
    expected_version: int | None = None,
) -> ChecklistItem:
    """The owner unit gives the evidence of completion (text, and a file if any)."""
    item = _item_locked(item_id)
    _conflict(item.version, expected_version)
    if not may_submit(user, item):
        raise DomainError(_("Evidence is given by the person or unit responsible for the item."), code="role")
    if item.state == ItemState.CLOSED:
        raise DomainError(_("This item is verified and closed."), code="closed")
    errors: dict[str, list[str]] = {}
    if not _text(evidence_text):
        errors["evidence_text"] = [_("Describe what was done and how it can be checked.")]
    if upload is not None:
        problem = attachment_problem(upload)
        if problem:
            errors["evidence_file"] = [problem]
    if errors:
        raise FieldErrors(errors)
    item.evidence_text = _text(evidence_text)
    if upload is not None:
        name = (upload.name or "evidence").rsplit("/", 1)[-1]
        item.evidence_file.save(name, upload, save=False)
        item.evidence_name = name[:200]
    item.state = ItemState.SUBMITTED
    item.submitted_by = user
    item.submitted_at = timezone.now()
    item.version += 1
    item.save()
    _item_event(item, "submitted", user, item.evidence_text)
    return item


@transaction.atomic
def checklist_item_verify(
    *,
    item_id: int,
    user: User,
    accept: bool,
    return_visit: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> ChecklistItem:
    """A second person checks the evidence: closes the item (with the return visit) or returns it."""
    item = _item_locked(item_id)
    _conflict(item.version, expected_version)
    if not permissions.may_keep_checklists(user, item.checklist.area):
        raise DomainError(
            _("Items are verified by the petition department or a leader of the area."), code="role"
        )
    if item.state != ItemState.SUBMITTED:
        raise DomainError(_("There is no evidence to verify yet."), code="not_submitted")
    if user.pk in {item.owner_id, item.submitted_by_id}:
        raise DomainError(
            _(
                "The evidence must be verified by a second person, "
                "not the one responsible or the one who gave it."
            ),
            code="same_person",
        )
    if accept:
        if not _text(return_visit):
            raise FieldErrors(
                {"return_visit": [_("Record the return visit: who was asked, and what they said.")]}
            )
        item.state = ItemState.CLOSED
        item.verified_by = user
        item.verified_at = timezone.now()
        item.return_visit = _text(return_visit)
        action = "verified"
    else:
        if not _text(note):
            raise FieldErrors({"note": [_("Say what is missing, so the owner can complete it.")]})
        item.state = ItemState.OPEN
        action = "returned"
    item.version += 1
    item.save()
    _item_event(item, action, user, _text(return_visit) if accept else _text(note))
    return item


# --- commendations -------------------------------------------------------------------------------------


@transaction.atomic
def commendation_record(
    *,
    user: User,
    year: int,
    kind: str,
    unit: Unit | None,
    title: str,
    citation: str,
    by_area: Unit | None,
    decided_on: dt.date | None,
    person: User | None = None,
    evidence: dict[str, Any] | None = None,
    source_run: ScoreRun | None = None,
) -> Commendation:
    """表彰, with the figures that justify it kept as they were (never recomputed)."""
    errors: dict[str, list[str]] = {}
    if kind not in CommendationKind.values:
        errors["kind"] = [_("Choose a person or a unit.")]
    if by_area is None or not permissions.may_commend(user, by_area):
        errors["by_area"] = [
            _("Commendations are recorded by leaders and petition bureaus of the commending area.")
        ]
    if unit is None or (by_area is not None and not unit.path.startswith(by_area.path)):
        errors["unit"] = [_("Choose the unit, inside the commending area.")]
    if kind == CommendationKind.PERSON:
        if person is None:
            errors["person"] = [_("Choose the person commended.")]
        elif unit is not None and not person.memberships.filter(unit=unit).exists():
            errors["person"] = [_("The person must hold a seat in the unit.")]
    if not _text(title):
        errors["title"] = [_("Give the title of the commendation.")]
    if not _text(citation):
        errors["citation"] = [_("Write the citation.")]
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the decision.")]
    if not 2000 <= year <= 2100:
        errors["year"] = [_("Give a year between 2000 and 2100.")]
    if errors:
        raise FieldErrors(errors)
    assert unit is not None and by_area is not None and decided_on is not None
    return Commendation.objects.create(
        year=year,
        kind=kind,
        unit=unit,
        person=person if kind == CommendationKind.PERSON else None,
        title=_text(title)[:120],
        citation=_text(citation),
        by_area=by_area,
        decided_on=decided_on,
        evidence=evidence or {},
        source_run=source_run,
        recorded_by=user,
    )
