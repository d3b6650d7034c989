"""Petitions: listing, detail, timeline, intake, one endpoint per lifecycle action, detection, reveal.

Every read goes through ``selectors.visible_petitions`` (jurisdiction and accusation secrecy), every
write through a service; a petition outside the caller's reach answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.core.services import personal_data_reveal
from xinfang.orgs.models import Unit
from xinfang.petitions import detection, documents, intake, lifecycle, oversight, selectors, services
from xinfang.petitions.models import (
    Category,
    Clock,
    ClockStatus,
    LeaderCase,
    Petition,
    PetitionParty,
    PetitionUnit,
    Suggestion,
    Supervision,
)

from . import petition_schemas as s
from .errors import COMMON_ERRORS, WRITE_ERRORS

router = Router(tags=["petitions"])

DETAIL = {200: s.PetitionDetailOut, **WRITE_ERRORS}


# --- helpers -------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # both authenticators return a staff user
    return user


def _open(request: HttpRequest, petition_id: int) -> User:
    """The caller, once the petition is known to be visible to them (else 404)."""
    user = _actor(request)
    selectors.get_visible_petition(user, petition_id)
    return user


def _unit(user: User, unit_id: int, *, enclosing_organs: bool = False) -> Unit:
    """A unit the caller may address: inside their jurisdiction, or with ``enclosing_organs`` also an organ
    of an area that encloses it (a town refers to the county's discipline commission)."""
    unit = get_object_or_404(Unit, pk=unit_id)
    if scoping.can_see_unit(user, unit):
        return unit
    if enclosing_organs and unit.is_organ:
        area_path = unit.area().path
        if any(root.path.startswith(area_path) for root in scoping.jurisdiction_roots(user)):
            return unit
    raise scoping.OutOfJurisdiction(_("This unit is outside your jurisdiction."))


def _referenced_petition(user: User, petition_id: int, reference_id: int, kinds: set[str]) -> Petition:
    """An earlier petition named by an action: visible to the caller, or detection proposed it here."""
    suggested = Suggestion.objects.filter(petition_id=petition_id, candidate_id=reference_id, kind__in=kinds)
    qs = Petition.objects.filter(
        Q(pk__in=selectors.visible_petitions(user).values("pk")) | Q(Exists(suggested))
    )
    return get_object_or_404(qs.select_related("current_unit"), pk=reference_id)


def _detail(user: User, petition_id: int) -> s.PetitionDetailOut:
    return s.detail_out(user, petition_id)


def _search(user: User, f: s.PetitionFilter) -> QuerySet[Petition]:
    qs = selectors.visible_petitions(user)
    if f.q.strip():
        text = f.q.strip()
        qs = qs.filter(Q(subject__icontains=text) | Q(request__icontains=text) | Q(number__icontains=text))
    if f.state:
        qs = qs.filter(state=f.state)
    if f.petition_type:
        qs = qs.filter(petition_type=f.petition_type)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category is not None:
        qs = qs.filter(
            Q(category_id=f.category)
            | Q(category__parent_id=f.category)
            | Q(category__parent__parent_id=f.category)
        )
    if f.unit is not None:
        root = scoping.require_unit(user, get_object_or_404(Unit, pk=f.unit))
        links = PetitionUnit.objects.filter(petition=OuterRef("pk"), unit_path__startswith=root.path)
        qs = qs.filter(Exists(links))
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    for flag in ("is_repeat", "is_bypass", "is_first_time"):
        value = getattr(f, flag)
        if value is not None:
            qs = qs.filter(**{flag: value})
    if f.overdue is not None:
        late = Clock.objects.filter(
            petition=OuterRef("pk"), status=ClockStatus.RUNNING, due_on__lt=timezone.localdate()
        )
        qs = qs.filter(Exists(late)) if f.overdue else qs.exclude(Exists(late))
    return qs


def _person(data: s.PersonIn, errors: dict[str, list[str]], field: str) -> intake.PersonData:
    home_unit = None
    if data.home_unit_id is not None:
        home_unit = Unit.objects.filter(pk=data.home_unit_id).first()
        if home_unit is None:
            errors.setdefault(f"{field}_home_unit", []).append(_("Unknown unit."))
    return intake.PersonData(
        name=data.name,
        id_number=data.id_number,
        phone=data.phone,
        address=data.address,
        kind=data.kind,
        home_unit=home_unit,
    )


def _intake_data(body: s.IntakeIn) -> intake.IntakeData:
    """Resolve the ids of an intake form; unknown ones join the service's own field errors."""
    errors: dict[str, list[str]] = {}
    place = Unit.objects.filter(pk=body.place_id).first()
    category = None
    if body.category_id is not None:
        category = Category.objects.filter(pk=body.category_id, is_active=True).first()
        if category is None:
            errors.setdefault("category", []).append(_("Unknown category."))
    accused_unit = None
    if body.accused_unit_id is not None:
        accused_unit = Unit.objects.filter(pk=body.accused_unit_id).first()
        if accused_unit is None:
            errors.setdefault("accused_unit", []).append(_("Unknown unit."))
    data = intake.IntakeData(
        channel=body.channel,
        subject=body.subject,
        request=body.request,
        facts=body.facts,
        place=place,  # None is reported by validate_intake as a field error
        category=category,
        petition_type=body.petition_type or "",
        principal=_person(body.principal, errors, "principal"),
        co_petitioners=[_person(p, errors, "co_petitioners") for p in body.co_petitioners],
        representatives=[_person(p, errors, "representatives") for p in body.representatives],
        agent=_person(body.agent, errors, "agent") if body.agent else None,
        people_count=body.people_count,
        representative_count=body.representative_count,
        is_anonymous=body.is_anonymous,
        accused_unit=accused_unit,
        accused_description=body.accused_description,
        is_urgent_major=body.is_urgent_major,
        received_at=body.received_at,
    )
    if errors:
        for name, messages in intake.validate_intake(data).items():
            errors.setdefault(name, []).extend(messages)
        raise intake.IntakeError(errors)
    return data


def _fields_error(exc: intake.IntakeError) -> dict[str, Any]:
    return {"detail": str(exc), "code": "invalid", "errors": exc.errors}


# --- reads ---------------------------------------------------------------------------------------


@router.get("/petitions", response={200: s.PetitionPage, **COMMON_ERRORS})
def list_petitions(request: HttpRequest, filters: Query[s.PetitionFilter]) -> s.PetitionPage:
    user = _actor(request)
    qs = _search(user, filters)
    count = qs.count()
    page = (
        qs.select_related("place", "current_unit")
        .annotate(next_due_on=Min("clocks__due_on", filter=Q(clocks__status=ClockStatus.RUNNING)))
        .order_by("-received_at", "-pk")[filters.offset : filters.offset + filters.limit]
    )
    return s.PetitionPage(count=count, items=[s.list_item_out(p) for p in page])


@router.get("/petitions/{petition_id}", response={200: s.PetitionDetailOut, **COMMON_ERRORS})
def get_petition(request: HttpRequest, petition_id: int) -> s.PetitionDetailOut:
    return _detail(_open(request, petition_id), petition_id)


@router.get("/petitions/{petition_id}/events", response={200: list[s.EventOut], **COMMON_ERRORS})
def get_petition_events(request: HttpRequest, petition_id: int) -> list[s.EventOut]:
    petition = selectors.get_visible_petition(_actor(request), petition_id)
    return [s.event_out(e) for e in selectors.timeline(petition)]


@router.get("/petitions/{petition_id}/documents", response={200: list[s.DocumentOut], **COMMON_ERRORS})
def list_petition_documents(request: HttpRequest, petition_id: int) -> list[s.DocumentOut]:
    """The official documents that exist for the petition now, with their download addresses."""
    petition = selectors.get_visible_petition(_actor(request), petition_id)
    base = f"/api/v1/petitions/{petition.pk}/documents"
    return [
        s.DocumentOut(
            kind=kind.value,
            label=str(kind.label),
            pdf=f"{base}/{kind.value}/pdf",
            docx=f"{base}/{kind.value}/docx",
        )
        for kind in documents.available_documents(petition)
    ]


@router.get(
    "/petitions/{petition_id}/documents/{kind}/{fmt}",
    response={200: None, **COMMON_ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The document (PDF or DOCX)",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def download_petition_document(request: HttpRequest, petition_id: int, kind: str, fmt: str) -> HttpResponse:
    petition = selectors.get_visible_petition(_actor(request), petition_id)
    if kind not in documents.DocumentKind.values or fmt not in {"pdf", "docx"}:
        raise Http404
    document_kind = documents.DocumentKind(kind)
    if document_kind not in documents.available_documents(petition):
        raise Http404
    if fmt == "pdf":
        response = HttpResponse(documents.render_pdf(petition, document_kind), content_type="application/pdf")
    else:
        response = HttpResponse(
            documents.render_docx(petition, document_kind),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    response["Content-Disposition"] = f'attachment; filename="{petition.number}-{kind}.{fmt}"'
    return response


# --- intake --------------------------------------------------------------------------------------


@router.post("/petitions", response={201: s.PetitionDetailOut, **WRITE_ERRORS, 400: s.ErrorWithFieldsOut})
def create_petition(request: HttpRequest, body: s.IntakeIn) -> Any:
    """Register a petition received through any channel; files follow through the attachments endpoint."""
    user = _actor(request)
    registering_unit = None
    if body.registering_unit_id is not None:
        registering_unit = Unit.objects.filter(pk=body.registering_unit_id).first()
    try:
        data = _intake_data(body)
        if body.registering_unit_id is not None and registering_unit is None:
            raise intake.IntakeError({"registering_unit": [_("Unknown unit.")]})
        petition = intake.petition_register(user=user, data=data, registering_unit=registering_unit)
    except intake.IntakeError as exc:
        return Status(400, _fields_error(exc))
    return Status(201, _detail(user, petition.pk))


@router.post("/petitions/{petition_id}/attachments", response={201: s.AttachmentOut, **WRITE_ERRORS})
def add_attachment(
    request: HttpRequest, petition_id: int, file: File[UploadedFile], form: Form[s.AttachmentIn]
) -> Any:
    """Upload one file (PDF, image, Word, Excel, text, audio; at most 20 MB)."""
    user = _open(request, petition_id)
    problem = intake.attachment_problem(file)
    if problem:
        raise DomainError(problem, code="attachment")
    attachment = _attachment_add(
        petition_id=petition_id, user=user, upload=file, description=form.description
    )
    return Status(201, s.attachment_out(attachment))


def _attachment_add(*, petition_id: int, user: User, upload: UploadedFile, description: str) -> Any:
    # TODO(services): belongs in petitions as ``petition_attachment_add``; kept here until that exists.
    roles = lifecycle.INTAKE | lifecycle.HANDLERS
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update()
            .select_related("current_unit", "registering_unit")
            .get(pk=petition_id)
        )
        membership = services.acting_membership(
            user, [petition.current_unit, petition.registering_unit], roles
        )
        if membership is None and not scoping.sees_everything(user):
            raise DomainError(
                _("Your role does not allow adding materials to this petition."), code="role_not_allowed"
            )
        attachment = intake.attachment_store(petition=petition, upload=upload, user=user)
        if description:
            attachment.description = description
            attachment.save(update_fields=["description"])
        services.event_append(
            petition=petition,
            action="attach",
            actor=user,
            actor_unit=membership.unit if membership else None,
            from_state=petition.state,
            to_state=petition.state,
            payload={"attachment": attachment.pk, "name": attachment.original_name},
        )
    return attachment


# --- lifecycle actions ---------------------------------------------------------------------------


@router.post("/petitions/{petition_id}/register", response=DETAIL)
def register(request: HttpRequest, petition_id: int, body: s.VersionIn) -> s.PetitionDetailOut:
    """登记: staff register an online or agent submission (received → registered)."""
    user = _open(request, petition_id)
    intake.petition_register_received(
        petition_id=petition_id, user=user, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/triage", response=DETAIL)
def triage(request: HttpRequest, petition_id: int, body: s.VersionIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_triage(petition_id=petition_id, user=user, expected_version=body.expected_version)
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/forward", response=DETAIL)
def forward(request: HttpRequest, petition_id: int, body: s.RouteIn) -> s.PetitionDetailOut:
    """转送 to a unit inside the caller's jurisdiction."""
    user = _open(request, petition_id)
    to_unit = _unit(user, body.to_unit_id)
    services.petition_forward(
        petition_id=petition_id,
        user=user,
        to_unit=to_unit,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/assign", response=DETAIL)
def assign(request: HttpRequest, petition_id: int, body: s.AssignIn) -> s.PetitionDetailOut:
    """交办 with a feedback deadline."""
    user = _open(request, petition_id)
    to_unit = _unit(user, body.to_unit_id)
    services.petition_assign(
        petition_id=petition_id,
        user=user,
        to_unit=to_unit,
        note=body.note,
        feedback_days=body.feedback_days,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/accept", response=DETAIL)
def accept(request: HttpRequest, petition_id: int, body: s.AcceptIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_accept(
        petition_id=petition_id,
        user=user,
        petition_type=body.petition_type,
        notice_sent_on=body.notice_sent_on,
        notice_exemption=body.notice_exemption or "",
        route=body.route,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/raise-objection", response=DETAIL)
def raise_objection(request: HttpRequest, petition_id: int, body: s.ReasonIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_raise_objection(
        petition_id=petition_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/agree-objection", response=DETAIL)
def agree_objection(request: HttpRequest, petition_id: int, body: s.NoteIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_agree_objection(
        petition_id=petition_id, user=user, note=body.note, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/reject-objection", response=DETAIL)
def reject_objection(request: HttpRequest, petition_id: int, body: s.ReasonIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_reject_objection(
        petition_id=petition_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/divert", response=DETAIL)
def divert(request: HttpRequest, petition_id: int, body: s.DivertIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_divert(
        petition_id=petition_id,
        user=user,
        procedure=body.procedure,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/redirect", response=DETAIL)
def redirect(request: HttpRequest, petition_id: int, body: s.ReasonIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_redirect(
        petition_id=petition_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/refer-discipline", response=DETAIL)
def refer_discipline(
    request: HttpRequest, petition_id: int, body: s.ReferDisciplineIn
) -> s.PetitionDetailOut:
    """转纪检监察: the discipline unit may be an organ of an enclosing area."""
    user = _open(request, petition_id)
    to_unit = _unit(user, body.to_unit_id, enclosing_organs=True)
    services.petition_refer_discipline(
        petition_id=petition_id,
        user=user,
        to_unit=to_unit,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/refer-political-legal", response=DETAIL)
def refer_political_legal(request: HttpRequest, petition_id: int, body: s.ReferIn) -> s.PetitionDetailOut:
    """诉访分离: the political-legal organ may be an organ of an enclosing area."""
    user = _open(request, petition_id)
    to_unit = _unit(user, body.to_unit_id, enclosing_organs=True)
    services.petition_refer_political_legal(
        petition_id=petition_id,
        user=user,
        to_unit=to_unit,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/decline-upper", response=DETAIL)
def decline_upper(request: HttpRequest, petition_id: int, body: s.DeclineUpperIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    open_case = _referenced_petition(
        user, petition_id, body.open_case_id, {Suggestion.Kind.OPEN_BELOW, Suggestion.Kind.REPEAT}
    )
    services.petition_decline_upper(
        petition_id=petition_id, user=user, open_case=open_case, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/decline-final", response=DETAIL)
def decline_final(request: HttpRequest, petition_id: int, body: s.DeclineFinalIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    final_case = _referenced_petition(user, petition_id, body.final_case_id, {Suggestion.Kind.FINAL_MATCH})
    services.petition_decline_final(
        petition_id=petition_id, user=user, final_case=final_case, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/start-route", response=DETAIL)
def start_route(request: HttpRequest, petition_id: int, body: s.StartRouteIn) -> s.PetitionDetailOut:
    """After acceptance: study a suggestion, perform a duty, or investigate and verify."""
    user = _open(request, petition_id)
    services.petition_start_route(
        petition_id=petition_id, user=user, route=body.route, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/open-hearing", response=DETAIL)
def open_hearing(request: HttpRequest, petition_id: int, body: s.NoteIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_open_hearing(
        petition_id=petition_id, user=user, note=body.note, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/close-hearing", response=DETAIL)
def close_hearing(request: HttpRequest, petition_id: int, body: s.NoteIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_close_hearing(
        petition_id=petition_id, user=user, note=body.note, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/start-mediation", response=DETAIL)
def start_mediation(request: HttpRequest, petition_id: int, body: s.NoteIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_start_mediation(
        petition_id=petition_id, user=user, note=body.note, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/end-mediation", response=DETAIL)
def end_mediation(request: HttpRequest, petition_id: int, body: s.ReasonIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_end_mediation(
        petition_id=petition_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/settle", response=DETAIL)
def settle(request: HttpRequest, petition_id: int, body: s.SettleIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_settle(
        petition_id=petition_id,
        user=user,
        agreement=body.agreement,
        signed_on=body.signed_on,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/extend", response=DETAIL)
def extend(request: HttpRequest, petition_id: int, body: s.ExtendIn) -> s.PetitionDetailOut:
    """One extension of handling, at most 30 days, approved by the head of the handling unit (Art. 34)."""
    user = _open(request, petition_id)
    approver = get_object_or_404(User, pk=body.approved_by_id, is_active=True)
    services.petition_extend(
        petition_id=petition_id,
        user=user,
        days=body.days,
        reason=body.reason,
        approved_by=approver,
        notice_sent_on=body.notice_sent_on,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/issue-opinion", response=DETAIL)
def issue_opinion(request: HttpRequest, petition_id: int, body: s.IssueOpinionIn) -> s.PetitionDetailOut:
    """信访处理意见书 (Art. 32)."""
    user = _open(request, petition_id)
    services.petition_issue_opinion(
        petition_id=petition_id,
        user=user,
        decision=body.decision,
        facts_found=body.facts_found,
        reasons=body.reasons,
        legal_basis=body.legal_basis,
        issued_on=body.issued_on,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/deliver-reply", response=DETAIL)
def deliver_reply(request: HttpRequest, petition_id: int, body: s.DeliverReplyIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_deliver_reply(
        petition_id=petition_id,
        user=user,
        delivered_on=body.delivered_on,
        method=body.method,
        reply_text=body.reply_text,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/evaluate", response=DETAIL)
def evaluate(request: HttpRequest, petition_id: int, body: s.EvaluateIn) -> s.PetitionDetailOut:
    """Record the petitioner's rating (a return visit or the reception desk)."""
    user = _open(request, petition_id)
    services.petition_evaluate(
        petition_id=petition_id,
        user=user,
        rating=body.rating,
        comment=body.comment,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/request-review", response=DETAIL)
def request_review(request: HttpRequest, petition_id: int, body: s.AppealRequestIn) -> s.PetitionDetailOut:
    """复查 within 30 days of the reply (Art. 35)."""
    user = _open(request, petition_id)
    services.petition_request_review(
        petition_id=petition_id,
        user=user,
        requested_on=body.requested_on,
        grounds=body.grounds,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/decide-review", response=DETAIL)
def decide_review(request: HttpRequest, petition_id: int, body: s.DecideReviewIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_decide_review(
        petition_id=petition_id,
        user=user,
        decision=body.decision,
        facts_found=body.facts_found,
        reasons=body.reasons,
        legal_basis=body.legal_basis,
        delivered_on=body.delivered_on,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/request-re-review", response=DETAIL)
def request_re_review(request: HttpRequest, petition_id: int, body: s.AppealRequestIn) -> s.PetitionDetailOut:
    """复核 within 30 days of the review opinion (Art. 36)."""
    user = _open(request, petition_id)
    services.petition_request_re_review(
        petition_id=petition_id,
        user=user,
        requested_on=body.requested_on,
        grounds=body.grounds,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/decide-re-review", response=DETAIL)
def decide_re_review(request: HttpRequest, petition_id: int, body: s.DecideReReviewIn) -> s.PetitionDetailOut:
    """复核意见: the matter becomes final (Art. 36 ¶3)."""
    user = _open(request, petition_id)
    services.petition_decide_re_review(
        petition_id=petition_id,
        user=user,
        decision=body.decision,
        facts_found=body.facts_found,
        reasons=body.reasons,
        legal_basis=body.legal_basis,
        delivered_on=body.delivered_on,
        hearing_days=body.hearing_days,
        expected_version=body.expected_version,
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/close", response=DETAIL)
def close(request: HttpRequest, petition_id: int, body: s.OptionalReasonIn) -> s.PetitionDetailOut:
    user = _open(request, petition_id)
    services.petition_close(
        petition_id=petition_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


@router.post("/petitions/{petition_id}/start-followup", response=DETAIL)
def start_followup(request: HttpRequest, petition_id: int, body: s.FollowupIn) -> s.PetitionDetailOut:
    """终结后化解: guidance, conflict resolution, assistance; never reopens the matter."""
    user = _open(request, petition_id)
    services.petition_start_followup(
        petition_id=petition_id, user=user, plan=body.plan, expected_version=body.expected_version
    )
    return _detail(user, petition_id)


# --- detection and personal data -----------------------------------------------------------------


@router.post("/suggestions/{suggestion_id}/decide", response=DETAIL)
def decide_suggestion(
    request: HttpRequest, suggestion_id: int, body: s.SuggestionDecideIn
) -> s.PetitionDetailOut:
    """Confirm or dismiss a detection result (repeat, bypass, finality, collective, threat, urgent)."""
    user = _actor(request)
    suggestion = get_object_or_404(Suggestion, pk=suggestion_id)
    selectors.get_visible_petition(user, suggestion.petition_id)
    detection.suggestion_decide(suggestion_id=suggestion.pk, user=user, confirm=body.confirm, note=body.note)
    return _detail(user, suggestion.petition_id)


@router.post("/petitions/{petition_id}/reveal", response={200: s.RevealOut, **WRITE_ERRORS})
def reveal(request: HttpRequest, petition_id: int, body: s.RevealIn) -> s.RevealOut:
    """Open a petitioner's full ID number or phone. Who, when, why and from where is logged."""
    user = _open(request, petition_id)
    party = get_object_or_404(
        PetitionParty.objects.select_related("petitioner"), pk=body.party_id, petition_id=petition_id
    )
    value = personal_data_reveal(
        user=user, obj=party.petitioner, field=body.field, reason=body.reason, ip=_client_ip(request)
    )
    return s.RevealOut(field=body.field, party_id=party.pk, value=value)


def _client_ip(request: HttpRequest) -> str:
    ip = request.META.get("REMOTE_ADDR", "") or ""
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return ""
    return ip


# --- leader case ownership (包案) and supervision (督办) ----------------------------------------------


@router.post("/petitions/{petition_id}/leader-cases", response={201: s.LeaderCaseOut, **WRITE_ERRORS})
def open_leader_case(request: HttpRequest, petition_id: int, body: s.LeaderCaseIn) -> tuple[int, LeaderCase]:
    user = _open(request, petition_id)
    leader = get_object_or_404(User, pk=body.leader_id, is_active=True)
    case = oversight.leader_case_open(
        petition_id=petition_id, user=user, leader=leader, plan=body.plan, target_on=body.target_on
    )
    return 201, case


@router.post("/leader-cases/{case_id}/report", response={200: s.LeaderCaseOut, **WRITE_ERRORS})
def report_leader_case(request: HttpRequest, case_id: int, body: s.LeaderCaseReportIn) -> LeaderCase:
    user = _actor(request)
    case = get_object_or_404(LeaderCase, pk=case_id)
    selectors.get_visible_petition(user, case.petition_id)
    return oversight.leader_case_report(case_id=case.pk, user=user, progress=body.progress, done=body.done)


@router.post("/petitions/{petition_id}/supervisions", response={201: s.SupervisionOut, **WRITE_ERRORS})
def open_supervision(
    request: HttpRequest, petition_id: int, body: s.SupervisionIn
) -> tuple[int, Supervision]:
    user = _open(request, petition_id)
    to_unit = _unit(user, body.to_unit_id)
    supervision = oversight.supervision_open(
        petition_id=petition_id,
        user=user,
        kind=body.kind,
        to_unit=to_unit,
        reason=body.reason,
        due_on=body.due_on,
    )
    return 201, supervision


@router.post("/supervisions/{supervision_id}/reply", response={200: s.SupervisionOut, **WRITE_ERRORS})
def reply_supervision(request: HttpRequest, supervision_id: int, body: s.SupervisionReplyIn) -> Supervision:
    user = _actor(request)
    supervision = get_object_or_404(Supervision, pk=supervision_id)
    selectors.get_visible_petition(user, supervision.petition_id)
    return oversight.supervision_reply(supervision_id=supervision.pk, user=user, reply=body.reply)
