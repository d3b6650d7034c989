"""Schemas of the assessment API and the functions that fill them from the models.

Points and percentages travel as JSON numbers (bounded, finite) and become decimals in the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from xinfang.assessment import indicators as ind
from xinfang.assessment.models import (
    AccountabilityReview,
    AssessmentScheme,
    Checklist,
    ChecklistItem,
    ReviewFinding,
    ScoreRun,
)
from xinfang.assessment.traceback import duty_text

from .petition_schemas import Day, ErrorWithFieldsOut, Id, Line, Name, Text
from .schemas import ErrorOut

__all__ = ["ErrorOut", "ErrorWithFieldsOut"]

Points = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=2000, le=2100)]
LongText = Annotated[Text, Field(max_length=4000)]


def decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- indicators and figures ---------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    label: str
    formula: str
    numerator_label: str
    denominator_label: str | None
    date_label: str
    is_rate: bool
    scorable: bool
    higher_is_better: bool


def indicator_out(indicator: ind.Indicator) -> IndicatorOut:
    return IndicatorOut(
        code=indicator.code,
        label=str(indicator.label),
        formula=str(indicator.formula),
        numerator_label=str(indicator.numerator_label),
        denominator_label=str(indicator.denominator_label) if indicator.is_rate else None,
        date_label=str(indicator.date_label),
        is_rate=indicator.is_rate,
        scorable=indicator.scorable,
        higher_is_better=indicator.higher_is_better,
    )


class IndicatorFiguresQuery(Schema):
    area: Id = Field(description="An area of your jurisdiction: petitions whose place lies in it.")
    start: Day = Field(description="First day of the period.")
    end: Day = Field(description="Last day of the period (included).")
    basic_counts: bool | None = None
    unrated_counts: bool | None = None


class ReviewQuery(Schema):
    year: Year | None = None


class LedgerQuery(Schema):
    unit: Id | None = Field(None, description="Only items owned by units under this one.")


class FigureOut(Schema):
    code: str
    numerator: int
    denominator: int | None
    rate: float | None
    pending: int


class FiguresOut(Schema):
    area_id: int
    area: str
    start: dt.date
    end: dt.date
    source: str = Field(description="facts (the fact table), records, or both.")
    figures: list[FigureOut]


# --- schemes ----------------------------------------------------------------------------------------------


class ItemIn(Schema):
    indicator: Annotated[Text, Field(max_length=40)]
    weight: Points
    rule: Annotated[Text, Field(max_length=20)] = "target"
    target: Percent | None = None
    floor: Percent | None = None
    per_count: Points | None = None


class SchemeIn(Schema):
    name: Annotated[Text, Field(max_length=120)]
    year: Year
    area_id: Id
    subject_kind: Annotated[Text, Field(max_length=20)]
    total_points: Points = 100
    petition_share: Points
    items: Annotated[list[ItemIn], Field(max_length=30)]
    period_start: Day | None = None
    period_end: Day | None = None
    red_list_min: Percent | None = None
    black_list_below: Percent | None = None
    basic_counts: bool = True
    unrated_counts: bool = False
    one_time_days: Annotated[int, Field(ge=1, le=365)] = 90
    basis: Line = ""
    notes: LongText = ""


class SchemeVersionIn(Schema):
    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class CopyIn(Schema):
    year: Year
    name: Annotated[Text, Field(max_length=120)] = ""
    petition_share: Points | None = None
    weights: Annotated[dict[Annotated[str, Field(max_length=40)], Points], Field(max_length=30)] = {}


class SchemeItemOut(Schema):
    indicator: str
    label: str
    weight: float
    rule: str
    target: float | None
    floor: float | None
    per_count: float | None


class SchemeOut(Schema):
    id: int
    name: str
    year: int
    area_id: int
    area: str
    subject_kind: str
    status: str
    version: int
    petition_share: float
    total_points: float
    petition_points: float
    period_start: dt.date
    period_end: dt.date
    previous_id: int | None


class SchemeDetailOut(SchemeOut):
    items: list[SchemeItemOut]
    latest_run_id: int | None
    history: list[dict[str, Any]] = Field(description="The line of copies: year, share, id.")


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def scheme_out(scheme: AssessmentScheme) -> SchemeOut:
    return SchemeOut(**_scheme_fields(scheme))


def _scheme_fields(scheme: AssessmentScheme) -> dict[str, Any]:
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "year": scheme.year,
        "area_id": scheme.area_id,
        "area": scheme.area.name,
        "subject_kind": scheme.subject_kind,
        "status": scheme.status,
        "version": scheme.version,
        "petition_share": float(scheme.petition_share),
        "total_points": float(scheme.total_points),
        "petition_points": float(scheme.petition_points),
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "previous_id": scheme.previous_id,
    }


def scheme_detail_out(scheme: AssessmentScheme, history: list[AssessmentScheme]) -> SchemeDetailOut:
    run = scheme.runs.order_by("-computed_at", "-pk").first()
    return SchemeDetailOut(
        **_scheme_fields(scheme),
        items=[
            SchemeItemOut(
                indicator=i.indicator,
                label=str(ind.indicator(i.indicator).label),
                weight=float(i.weight),
                rule=i.rule,
                target=_f(i.target),
                floor=_f(i.floor),
                per_count=_f(i.per_count),
            )
            for i in scheme.items.all()
        ],
        latest_run_id=run.pk if run else None,
        history=[{"id": s.pk, "year": s.year, "petition_share": float(s.petition_share)} for s in history],
    )


class ScoreOut(Schema):
    id: int
    unit_id: int
    unit: str
    person: str
    petition_score: float | None
    weighted: float | None
    rank: int | None
    listing: str
    items: list[dict[str, Any]]


class RunOut(Schema):
    id: int
    scheme_id: int
    computed_at: dt.datetime
    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    source: str
    scores: list[ScoreOut]


def run_out(run: ScoreRun) -> RunOut:
    from xinfang.assessment.selectors import league

    return RunOut(
        id=run.pk,
        scheme_id=run.scheme_id,
        computed_at=run.computed_at,
        as_of=run.as_of,
        period_start=run.period_start,
        period_end=run.period_end,
        source=run.source,
        scores=[
            ScoreOut(
                id=s.pk,
                unit_id=s.unit_id,
                unit=s.unit.name,
                person=s.person_name,
                petition_score=_f(s.petition_score),
                weighted=_f(s.weighted),
                rank=s.rank,
                listing=s.listing,
                items=s.items,
            )
            for s in league(run)
        ],
    )


# --- reviews -----------------------------------------------------------------------------------------------


class FindingIn(Schema):
    subject_user_id: Id | None = None
    subject_unit_id: Id | None = None
    subject_name: Name = ""
    ground: Annotated[Text, Field(max_length=10)]
    outcome: Annotated[Text, Field(max_length=30)]
    finding: LongText
    written_feedback: LongText = ""
    supersedes_id: Id | None = None
    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class ConcludeIn(Schema):
    conclusion: LongText
    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class FindingOut(Schema):
    id: int
    subject_name: str
    subject_user_id: int | None
    subject_unit_id: int | None
    ground: str
    ground_label: str
    outcome: str
    outcome_label: str
    finding: str
    recorded_at: dt.datetime
    supersedes_id: int | None


def finding_out(finding: ReviewFinding) -> FindingOut:
    return FindingOut(
        id=finding.pk,
        subject_name=finding.subject_name,
        subject_user_id=finding.subject_user_id,
        subject_unit_id=finding.subject_unit_id,
        ground=finding.ground,
        ground_label=str(finding.get_ground_display()),
        outcome=finding.outcome,
        outcome_label=str(finding.get_outcome_display()),
        finding=finding.finding,
        recorded_at=finding.recorded_at,
        supersedes_id=finding.supersedes_id,
    )


class ReviewOut(Schema):
    id: int
    petition_id: int
    number: str
    area_id: int
    area: str
    year: int
    triggers: list[str]
    status: str
    version: int
    opened_at: dt.datetime


class ReviewDetailOut(ReviewOut):
    chain: list[dict[str, Any]]
    duties: list[dict[str, Any]]
    findings: list[FindingOut]
    conclusion: str


def review_out(review: AccountabilityReview) -> ReviewOut:
    return ReviewOut(**_review_fields(review))


def _review_fields(review: AccountabilityReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "petition_id": review.petition_id,
        "number": review.petition.number,
        "area_id": review.area_id,
        "area": review.area.name,
        "year": review.year,
        "triggers": list(review.triggers),
        "status": review.status,
        "version": review.version,
        "opened_at": review.opened_at,
    }


def review_detail_out(review: AccountabilityReview) -> ReviewDetailOut:
    duties = [{**duty, "text": duty_text(duty)} for duty in review.duties]
    return ReviewDetailOut(
        **_review_fields(review),
        chain=review.chain,
        duties=duties,
        findings=[finding_out(f) for f in review.findings.all()],
        conclusion=review.conclusion,
    )


# --- checklists ---------------------------------------------------------------------------------------------


class ChecklistIn(Schema):
    title: Annotated[Text, Field(max_length=120)]
    area_id: Id
    source: Annotated[Text, Field(max_length=20)]
    source_ref: Line = ""
    description: LongText = ""


class ChecklistItemIn(Schema):
    title: Line
    owner_unit_id: Id
    due_on: Day
    owner_id: Id | None = None
    petition_id: Id | None = None
    detail: LongText = ""


class EvidenceIn(Schema):
    evidence_text: LongText
    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class VerifyIn(Schema):
    accept: bool
    return_visit: LongText = ""
    note: LongText = ""
    expected_version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class ChecklistItemOut(Schema):
    id: int
    checklist_id: int
    title: str
    owner_unit_id: int
    owner_unit: str
    owner_id: int | None
    due_on: dt.date
    state: str
    overdue: bool
    version: int
    evidence_text: str
    verified_by_id: int | None
    return_visit: str
    petition_id: int | None


def item_out(item: ChecklistItem, today: dt.date) -> ChecklistItemOut:
    return ChecklistItemOut(
        id=item.pk,
        checklist_id=item.checklist_id,
        title=item.title,
        owner_unit_id=item.owner_unit_id,
        owner_unit=item.owner_unit.name,
        owner_id=item.owner_id,
        due_on=item.due_on,
        state=item.state,
        overdue=item.is_overdue(today),
        version=item.version,
        evidence_text=item.evidence_text,
        verified_by_id=item.verified_by_id,
        return_visit=item.return_visit,
        petition_id=item.petition_id,
    )


class ChecklistOut(Schema):
    id: int
    title: str
    area_id: int
    area: str
    source: str
    source_ref: str
    created_at: dt.datetime
    items: list[ChecklistItemOut]


def checklist_out(checklist: Checklist, today: dt.date) -> ChecklistOut:
    return ChecklistOut(
        id=checklist.pk,
        title=checklist.title,
        area_id=checklist.area_id,
        area=checklist.area.name,
        source=checklist.source,
        source_ref=checklist.source_ref,
        created_at=checklist.created_at,
        items=[item_out(i, today) for i in checklist.items.select_related("owner_unit")],
    )
