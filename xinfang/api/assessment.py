"""Assessment and accountability: indicator definitions and figures, schemes and their league tables,
trace-back reviews, checklists. Reads through ``assessment.selectors`` (jurisdiction, review secrecy),
writes through ``assessment.services``; whatever lies outside the caller's reach answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.assessment import indicators as ind
from xinfang.assessment import permissions, selectors, services
from xinfang.assessment.figures import Figures
from xinfang.assessment.models import ReviewFinding, ScoreRun, options_for
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions.selectors import visible_petitions

from . import assessment_schemas as s
from .errors import COMMON_ERRORS, WRITE_ERRORS

router = Router(tags=["assessment"])


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _unit(user: User, unit_id: int) -> Unit:
    return scoping.require_unit(user, get_object_or_404(Unit, pk=unit_id))


def _unit_or_none(user: User, unit_id: int | None) -> Unit | None:
    return None if unit_id is None else _unit(user, unit_id)


# --- indicators and figures ---------------------------------------------------------------------------


@router.get("/assessment/indicators", response={200: list[s.IndicatorOut], **COMMON_ERRORS})
def list_indicators(request: HttpRequest) -> list[s.IndicatorOut]:
    """Every registered indicator with its printed definition."""
    return [s.indicator_out(i) for i in ind.registered()]


@router.get("/assessment/figures", response={200: s.FiguresOut, **COMMON_ERRORS, 400: s.ErrorOut})
def get_figures(request: HttpRequest, query: Query[s.IndicatorFiguresQuery]) -> s.FiguresOut:
    """The figures of an area for a period, as the caller may see them (the dashboard's numbers)."""
    user = _actor(request)
    area = get_object_or_404(Unit, pk=query.area)
    if not permissions.may_view_area(user, area):
        raise scoping.OutOfJurisdiction("area")
    if query.end < query.start:
        raise DomainError(_("The period ends before it starts."), code="period")
    local = options_for(area)
    options = ind.Options(
        basic_counts=local.basic_counts if query.basic_counts is None else query.basic_counts,
        unrated_counts=local.unrated_counts if query.unrated_counts is None else query.unrated_counts,
        one_time_days=local.one_time_days,
    )
    scope = ind.Scope(
        petitions=visible_petitions(user), area=area, today=timezone.localdate(), options=options
    )
    figures = Figures(scope, user=user)
    period = ind.Period(query.start, query.end + dt.timedelta(days=1))
    rows = []
    for indicator in ind.registered():
        figure = figures.figure(indicator.code, period)
        rows.append(
            s.FigureOut(
                code=indicator.code,
                numerator=figure.numerator,
                denominator=figure.denominator,
                rate=figure.rate,
                pending=figure.pending,
            )
        )
    return s.FiguresOut(
        area_id=area.pk, area=area.name, start=query.start, end=query.end, source=figures.source, figures=rows
    )


# --- schemes --------------------------------------------------------------------------------------------


def _scheme_detail(user: User, scheme_id: int) -> s.SchemeDetailOut:
    scheme = selectors.get_scheme(user, scheme_id)
    return s.scheme_detail_out(scheme, services.scheme_history(scheme))


@router.get("/assessment/schemes", response={200: list[s.SchemeOut], **COMMON_ERRORS})
def list_schemes(request: HttpRequest) -> list[s.SchemeOut]:
    qs = selectors.visible_schemes(_actor(request)).order_by("-year", "name")[:200]
    return [s.scheme_out(scheme) for scheme in qs]


@router.get("/assessment/schemes/{scheme_id}", response={200: s.SchemeDetailOut, **COMMON_ERRORS})
def get_scheme(request: HttpRequest, scheme_id: int) -> s.SchemeDetailOut:
    return _scheme_detail(_actor(request), scheme_id)


def _scheme_data(user: User, body: s.SchemeIn) -> services.SchemeData:
    area = Unit.objects.filter(pk=body.area_id).first()
    if area is not None and not scoping.can_see_unit(user, area):
        area = None
    return services.SchemeData(
        name=body.name,
        year=body.year,
        area=area,
        subject_kind=body.subject_kind,
        total_points=s.decimal(body.total_points),  # type: ignore[arg-type]
        petition_share=s.decimal(body.petition_share),  # type: ignore[arg-type]
        items=[
            services.ItemData(
                indicator=i.indicator,
                weight=s.decimal(i.weight),  # type: ignore[arg-type]
                rule=i.rule,
                target=s.decimal(i.target),
                floor=s.decimal(i.floor),
                per_count=s.decimal(i.per_count),
            )
            for i in body.items
        ],
        period_start=body.period_start,
        period_end=body.period_end,
        red_list_min=s.decimal(body.red_list_min),
        black_list_below=s.decimal(body.black_list_below),
        basic_counts=body.basic_counts,
        unrated_counts=body.unrated_counts,
        one_time_days=body.one_time_days,
        basis=body.basis,
        notes=body.notes,
    )


def _fields_error(exc: services.FieldErrors) -> dict[str, Any]:
    return {"detail": str(exc), "code": "invalid", "errors": exc.errors}


@router.post(
    "/assessment/schemes", response={201: s.SchemeDetailOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut}
)
def create_scheme(request: HttpRequest, body: s.SchemeIn) -> Any:
    """A scheme saved as a draft; refused with one message per field when the rules say no (e.g. a
    petition share below the locality's minimum)."""
    user = _actor(request)
    try:
        scheme = services.scheme_create(user=user, data=_scheme_data(user, body))
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return Status(201, _scheme_detail(user, scheme.pk))


@router.post("/assessment/schemes/{scheme_id}/publish", response={200: s.SchemeDetailOut, **WRITE_ERRORS})
def publish_scheme(request: HttpRequest, scheme_id: int, body: s.SchemeVersionIn) -> s.SchemeDetailOut:
    user = _actor(request)
    scheme = selectors.get_scheme(user, scheme_id)
    services.scheme_publish(scheme_id=scheme.pk, user=user, expected_version=body.expected_version)
    return _scheme_detail(user, scheme.pk)


@router.post(
    "/assessment/schemes/{scheme_id}/copy",
    response={201: s.SchemeDetailOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def copy_scheme(request: HttpRequest, scheme_id: int, body: s.CopyIn) -> Any:
    """The scheme copied to another year as a new draft, with changed share and weights."""
    user = _actor(request)
    scheme = selectors.get_scheme(user, scheme_id)
    try:
        copy = services.scheme_copy(
            scheme_id=scheme.pk,
            user=user,
            year=body.year,
            name=body.name,
            petition_share=s.decimal(body.petition_share),
            weights={code: s.decimal(value) for code, value in body.weights.items()},  # type: ignore[misc]
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return Status(201, _scheme_detail(user, copy.pk))


@router.post("/assessment/schemes/{scheme_id}/compute", response={201: s.RunOut, **WRITE_ERRORS})
def compute_scheme(request: HttpRequest, scheme_id: int) -> Any:
    """Score every assessed unit with the figures as of today; the run is kept."""
    user = _actor(request)
    scheme = selectors.get_scheme(user, scheme_id)
    run = services.scheme_compute(scheme_id=scheme.pk, user=user)
    return Status(201, s.run_out(run))


@router.get("/assessment/runs/{run_id}", response={200: s.RunOut, **COMMON_ERRORS})
def get_run(request: HttpRequest, run_id: int) -> s.RunOut:
    """A computed league table: every unit's score, rank and list, with its items."""
    user = _actor(request)
    run = get_object_or_404(ScoreRun.objects.select_related("scheme"), pk=run_id)
    selectors.get_scheme(user, run.scheme_id)
    return s.run_out(run)


# --- reviews -----------------------------------------------------------------------------------------------


@router.get("/assessment/reviews", response={200: list[s.ReviewOut], **COMMON_ERRORS})
def list_reviews(request: HttpRequest, query: Query[s.ReviewQuery]) -> list[s.ReviewOut]:
    """Trace-back reviews (petition departments, leaders and discipline inspection only)."""
    qs = selectors.visible_reviews(_actor(request))
    if query.year is not None:
        qs = qs.filter(year=query.year)
    return [s.review_out(r) for r in qs.order_by("-opened_at", "-pk")[:500]]


@router.get("/assessment/reviews/{review_id}", response={200: s.ReviewDetailOut, **COMMON_ERRORS})
def get_review(request: HttpRequest, review_id: int) -> s.ReviewDetailOut:
    return s.review_detail_out(selectors.get_review(_actor(request), review_id))


@router.post(
    "/assessment/reviews/{review_id}/findings",
    response={201: s.FindingOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def record_finding(request: HttpRequest, review_id: int, body: s.FindingIn) -> Any:
    user = _actor(request)
    review = selectors.get_review(user, review_id)
    subject_user = None
    if body.subject_user_id is not None:
        subject_user = get_object_or_404(User, pk=body.subject_user_id)
    supersedes = None
    if body.supersedes_id is not None:
        supersedes = get_object_or_404(ReviewFinding, pk=body.supersedes_id, review=review)
    try:
        finding = services.finding_record(
            review_id=review.pk,
            user=user,
            subject_user=subject_user,
            subject_unit=_unit_or_none(user, body.subject_unit_id),
            subject_name=body.subject_name,
            ground=body.ground,
            outcome=body.outcome,
            finding=body.finding,
            written_feedback=body.written_feedback,
            supersedes=supersedes,
            expected_version=body.expected_version,
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return Status(201, s.finding_out(finding))


@router.post(
    "/assessment/reviews/{review_id}/conclude",
    response={200: s.ReviewDetailOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def conclude_review(request: HttpRequest, review_id: int, body: s.ConcludeIn) -> Any:
    user = _actor(request)
    review = selectors.get_review(user, review_id)
    try:
        services.review_conclude(
            review_id=review.pk, user=user, conclusion=body.conclusion, expected_version=body.expected_version
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return s.review_detail_out(selectors.get_review(user, review.pk))


# --- checklists ---------------------------------------------------------------------------------------------


@router.get("/assessment/checklists", response={200: list[s.ChecklistOut], **COMMON_ERRORS})
def list_checklists(request: HttpRequest) -> list[s.ChecklistOut]:
    today = timezone.localdate()
    qs = selectors.visible_checklists(_actor(request)).order_by("-created_at")[:100]
    return [s.checklist_out(c, today) for c in qs]


@router.post(
    "/assessment/checklists", response={201: s.ChecklistOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut}
)
def create_checklist(request: HttpRequest, body: s.ChecklistIn) -> Any:
    user = _actor(request)
    area = Unit.objects.filter(pk=body.area_id).first()
    if area is not None and not scoping.can_see_unit(user, area):
        area = None
    try:
        checklist = services.checklist_create(
            user=user,
            title=body.title,
            area=area,
            source=body.source,
            source_ref=body.source_ref,
            description=body.description,
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return Status(201, s.checklist_out(checklist, timezone.localdate()))


@router.post(
    "/assessment/checklists/{checklist_id}/items",
    response={201: s.ChecklistItemOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def add_checklist_item(request: HttpRequest, checklist_id: int, body: s.ChecklistItemIn) -> Any:
    user = _actor(request)
    checklist = selectors.get_checklist(user, checklist_id)
    owner = None if body.owner_id is None else get_object_or_404(User, pk=body.owner_id)
    try:
        item = services.checklist_item_add(
            checklist_id=checklist.pk,
            user=user,
            title=body.title,
            owner_unit=_unit_or_none(user, body.owner_unit_id),
            owner=owner,
            due_on=body.due_on,
            detail=body.detail,
            petition_id=body.petition_id,
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return Status(201, s.item_out(item, timezone.localdate()))


@router.post(
    "/assessment/items/{item_id}/evidence",
    response={200: s.ChecklistItemOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def submit_evidence(request: HttpRequest, item_id: int, body: s.EvidenceIn) -> Any:
    """The owner's evidence of completion (files through the web page)."""
    user = _actor(request)
    item = selectors.get_item(user, item_id)
    try:
        item = services.checklist_item_submit(
            item_id=item.pk,
            user=user,
            evidence_text=body.evidence_text,
            expected_version=body.expected_version,
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return s.item_out(item, timezone.localdate())


@router.post(
    "/assessment/items/{item_id}/verify",
    response={200: s.ChecklistItemOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut},
)
def verify_item(request: HttpRequest, item_id: int, body: s.VerifyIn) -> Any:
    """A second person closes the item (with the return visit) or returns it for more evidence."""
    user = _actor(request)
    item = selectors.get_item(user, item_id)
    try:
        item = services.checklist_item_verify(
            item_id=item.pk,
            user=user,
            accept=body.accept,
            return_visit=body.return_visit,
            note=body.note,
            expected_version=body.expected_version,
        )
    except services.FieldErrors as exc:
        return Status(400, _fields_error(exc))
    return s.item_out(item, timezone.localdate())


@router.get("/assessment/ledger", response={200: list[s.ChecklistItemOut], **COMMON_ERRORS})
def get_ledger(request: HttpRequest, query: Query[s.LedgerQuery]) -> list[s.ChecklistItemOut]:
    """Open items owned by units of the caller's jurisdiction (or under ``unit``)."""
    user = _actor(request)
    root = _unit_or_none(user, query.unit)
    today = timezone.localdate()
    return [s.item_out(i, today) for i in selectors.ledger(user, root)[:500]]
