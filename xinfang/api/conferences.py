"""Joint conferences (信访工作联席会议): agenda, meetings, minutes, decisions, escalation, measures, coverage.

Every read goes through the conference selectors (jurisdiction, participation, member units) and every
write through ``xinfang.conferences.services``; anything outside the caller's reach answers 404.
Uploads (escalation documents, evidence of a decision carried out) are multipart forms.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from xinfang.accounts.models import User
from xinfang.conferences import figures, selectors, services
from xinfang.conferences.models import DecisionStatus, TaskRole
from xinfang.orgs.models import Unit

from . import conference_schemas as s
from .errors import COMMON_ERRORS, WRITE_ERRORS

router = Router(tags=["conferences"])


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # both authenticators return a staff user
    return user


def _unit(unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


# --- conferences ----------------------------------------------------------------------------------


@router.get("/conferences", response={200: list[s.ConferenceOut], **COMMON_ERRORS})
def list_conferences(request: HttpRequest) -> list[s.ConferenceOut]:
    qs = selectors.visible_conferences(_actor(request)).select_related("area", "office_unit")
    return [s.conference_out(c) for c in qs.filter(is_active=True).order_by("area__path")]


class UnitQuery(Schema):
    unit: int


@router.get("/conferences/for-unit", response={200: s.ConferenceOut | None, **COMMON_ERRORS})
def conference_for_unit(request: HttpRequest, query: Query[UnitQuery]) -> s.ConferenceOut | None:
    """The nearest active conference whose area covers the unit (where its common issues go)."""
    user = _actor(request)
    conference = selectors.conference_for_unit(_unit(query.unit))
    if conference is None or not selectors.visible_conferences(user).filter(pk=conference.pk).exists():
        return None
    return s.conference_out(conference)


class AreaQuery(Schema):
    area: int | None = None


@router.get("/conferences/coverage", response={200: s.CoverageOut, **COMMON_ERRORS})
def coverage(request: HttpRequest, query: Query[AreaQuery]) -> s.CoverageOut:
    """Share of towns and streets with an active conference (a meeting in the last three months)."""
    from xinfang.web.dashboard.views import area_allowed, home_area

    user = _actor(request)
    area = home_area(user) if query.area is None else Unit.objects.filter(pk=query.area).first()
    if area is None or not area_allowed(user, area):
        raise Http404
    today = timezone.localdate()
    definition = _(
        "Towns and streets with an active joint conference (at least one meeting held in the last three "
        "months) divided by all towns and streets of the area."
    )
    return s.coverage_out(figures.coverage_breakdown(area, today), figures.coverage_since(today), definition)


@router.get("/conferences/{conference_id}", response={200: s.ConferenceDetailOut, **COMMON_ERRORS})
def conference_detail(request: HttpRequest, conference_id: int) -> s.ConferenceDetailOut:
    user = _actor(request)
    return s.conference_detail_out(user, selectors.get_visible_conference(user, conference_id))


# --- agenda ---------------------------------------------------------------------------------------


@router.post("/conferences/{conference_id}/items", response={201: s.ItemOut, **WRITE_ERRORS})
def propose_item(request: HttpRequest, conference_id: int, body: s.ProposeIn) -> Any:
    """Bring petitions a unit cannot solve alone, a common issue, or an Art. 24 dispute to the conference."""
    user = _actor(request)
    item = services.agenda_item_propose(
        user=user,
        conference_id=conference_id,
        title=body.title,
        reasons=body.reasons,
        petition_ids=list(body.petition_ids),
        source=body.source,
        dispute_units=list(body.dispute_units) if body.dispute_units is not None else None,
    )
    return Status(201, s.item_out(user, item))


@router.get("/agenda-items/{item_id}", response={200: s.ItemOut, **COMMON_ERRORS})
def item_detail(request: HttpRequest, item_id: int) -> s.ItemOut:
    user = _actor(request)
    return s.item_out(user, selectors.get_visible_item(user, item_id))


@router.post("/agenda-items/{item_id}/accept", response={200: s.ItemOut, **WRITE_ERRORS})
def accept_item(request: HttpRequest, item_id: int, body: s.ItemAcceptIn) -> s.ItemOut:
    """列入议题 (secretariat), optionally on a coming meeting at a position in the order."""
    user = _actor(request)
    item = services.agenda_item_accept(
        item_id=item_id,
        user=user,
        meeting_id=body.meeting_id,
        position=body.position,
        expected_version=body.expected_version,
    )
    return s.item_out(user, item)


@router.post("/agenda-items/{item_id}/return", response={200: s.ItemOut, **WRITE_ERRORS})
def return_item(request: HttpRequest, item_id: int, body: s.ItemReturnIn) -> s.ItemOut:
    user = _actor(request)
    item = services.agenda_item_return(
        item_id=item_id, user=user, reason=body.reason, expected_version=body.expected_version
    )
    return s.item_out(user, item)


@router.post("/agenda-items/{item_id}/escalate", response={201: s.EscalationOut, **WRITE_ERRORS})
def escalate_item(
    request: HttpRequest,
    item_id: int,
    form: Form[s.EscalateIn],
    documents: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Any:
    """上报 to the nearest conference above, with the reason and documents (multipart)."""
    user = _actor(request)
    escalation = services.agenda_item_escalate(
        item_id=item_id,
        user=user,
        reason=form.reason,
        documents=list(documents or []),
        expected_version=form.expected_version,
    )
    return Status(201, s.escalation_out(escalation))


# --- meetings and minutes -------------------------------------------------------------------------


@router.post("/conferences/{conference_id}/meetings", response={201: s.MeetingOut, **WRITE_ERRORS})
def schedule_meeting(request: HttpRequest, conference_id: int, body: s.MeetingIn) -> Any:
    """Call a plenary or an ad hoc working meeting; members are notified at the lead time."""
    meeting = services.meeting_schedule(
        conference_id=conference_id,
        user=_actor(request),
        kind=body.kind,
        scheduled_at=body.scheduled_at,
        place=body.place,
        topic=body.topic,
    )
    return Status(201, s.meeting_out(meeting))


@router.post("/meetings/{meeting_id}/hold", response={200: s.MeetingOut, **WRITE_ERRORS})
def hold_meeting(request: HttpRequest, meeting_id: int, body: s.MeetingHoldIn) -> s.MeetingOut:
    """Record the meeting as held: the chair and the attendance of every member unit."""
    user = _actor(request)
    chair = get_object_or_404(User, pk=body.chair_id, is_active=True)
    meeting = services.meeting_hold(
        meeting_id=selectors.get_visible_meeting(user, meeting_id).pk,
        user=user,
        held_at=body.held_at,
        chair=chair,
        attendance=[
            services.AttendanceEntry(a.unit_id, a.status, a.attendee, a.absence_reason)
            for a in body.attendance
        ],
        expected_version=body.expected_version,
    )
    return s.meeting_out(meeting)


@router.post("/meetings/{meeting_id}/minutes", response={200: s.MinutesOut, **WRITE_ERRORS})
def draft_minutes(request: HttpRequest, meeting_id: int, body: s.MinutesIn) -> s.MinutesOut:
    minutes = services.minutes_draft(
        meeting_id=meeting_id,
        user=_actor(request),
        summary=body.summary,
        distribution=body.distribution,
        expected_version=body.expected_version,
    )
    return s.minutes_out(minutes)


@router.post("/minutes/{minutes_id}/decisions", response={200: s.DecisionOut, **WRITE_ERRORS})
def record_decision(request: HttpRequest, minutes_id: int, body: s.DecisionIn) -> s.DecisionOut:
    """Write (or rewrite) the decision on one item of the draft minutes."""
    user = _actor(request)
    decision = services.decision_record(
        minutes_id=minutes_id,
        item_id=body.item_id,
        user=user,
        expected_version=body.expected_version,
        data=services.DecisionData(
            statement=body.statement,
            measures=body.measures,
            lead_unit=_unit(body.lead_unit_id),
            cooperating_units=[_unit(pk) for pk in dict.fromkeys(body.cooperating_unit_ids)],
            funding=body.funding,
            funding_reference=body.funding_reference,
            budget_amount=body.budget_amount,
            due_on=body.due_on,
        ),
    )
    return s.decision_out(user, decision)


@router.post("/minutes/{minutes_id}/approve", response={200: s.MinutesOut, **WRITE_ERRORS})
def approve_minutes(request: HttpRequest, minutes_id: int, body: s.MinutesApproveIn) -> s.MinutesOut:
    """The convenor approves: the decisions bind and go to the units' workbenches."""
    minutes = services.minutes_approve(
        minutes_id=minutes_id, user=_actor(request), expected_version=body.expected_version
    )
    return s.minutes_out(minutes)


# --- decisions --------------------------------------------------------------------------------------


class TaskQuery(Schema):
    role: str | None = None


@router.get("/decisions", response={200: list[s.TaskListOut], **COMMON_ERRORS})
def my_tasks(request: HttpRequest, query: Query[TaskQuery]) -> list[s.TaskListOut]:
    """Binding decisions the caller's units lead (``role=lead``) or cooperate on (``role=cooperating``)."""
    tasks = selectors.open_tasks(_actor(request))
    if query.role in TaskRole.values:
        tasks = tasks.filter(role=query.role)
    today = timezone.localdate()
    return [
        s.TaskListOut(
            decision_id=t.decision_id,
            conference=t.decision.item.conference.name,
            statement=t.decision.statement,
            unit=s.unit_ref(t.unit),
            role=t.role,
            due_on=t.decision.due_on,
            overdue=t.decision.due_on < today,
        )
        for t in tasks[:500]
    ]


@router.get("/decisions/{decision_id}", response={200: s.DecisionOut, **COMMON_ERRORS})
def decision_detail(request: HttpRequest, decision_id: int) -> s.DecisionOut:
    user = _actor(request)
    return s.decision_out(user, selectors.get_visible_decision(user, decision_id))


@router.post("/decisions/{decision_id}/progress", response={201: None, **WRITE_ERRORS})
def report_progress(request: HttpRequest, decision_id: int, body: s.DecisionProgressIn) -> Any:
    services.decision_report_progress(decision_id=decision_id, user=_actor(request), text=body.text)
    return Status(201, None)


@router.post("/decisions/{decision_id}/complete", response={200: s.DecisionOut, **WRITE_ERRORS})
def complete_decision(
    request: HttpRequest,
    decision_id: int,
    form: Form[s.DecisionCompleteIn],
    evidence: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> s.DecisionOut:
    """The lead unit reports the decision carried out, with evidence files (multipart)."""
    user = _actor(request)
    decision = services.decision_complete(
        decision_id=decision_id,
        user=user,
        result=form.result,
        evidence=list(evidence or []),
        done_on=form.done_on,
        expected_version=form.expected_version,
    )
    return s.decision_out(user, decision)


@router.post(
    "/decisions/{decision_id}/petitions/{petition_id}/reply",
    response={200: s.DecisionPetitionOut, **WRITE_ERRORS},
)
def reply_from_decision(
    request: HttpRequest, decision_id: int, petition_id: int, body: s.DecisionReplyIn
) -> s.DecisionPetitionOut:
    """The next step of one petition's written reply from a done decision: the opinion, then the delivery."""
    user = _actor(request)
    petition = services.decision_reply(
        decision_id=decision_id,
        petition_id=petition_id,
        user=user,
        method=body.method,
        expected_version=body.expected_version,
    )
    decision = selectors.get_visible_decision(user, decision_id)
    return s.DecisionPetitionOut(
        id=petition.pk,
        number=petition.number,
        state=petition.state,
        reply_step=services.reply_step(petition) if decision.status == DecisionStatus.DONE else None,
        may_reply=services.may_reply(user, petition),
        version=petition.version,
    )


# --- escalations and measures -------------------------------------------------------------------------


@router.get("/escalations/{escalation_id}", response={200: s.EscalationOut, **COMMON_ERRORS})
def escalation_detail(request: HttpRequest, escalation_id: int) -> s.EscalationOut:
    """The progress of an escalation, seen from the lower or the upper conference."""
    return s.escalation_out(selectors.get_visible_escalation(_actor(request), escalation_id))


@router.post("/conferences/{conference_id}/measures", response={201: s.SupervisionMeasureOut, **WRITE_ERRORS})
def issue_measure(request: HttpRequest, conference_id: int, body: s.SupervisionMeasureIn) -> Any:
    """约谈, 通报 or 挂牌督办 against a unit of the area (Art. 39), by a convenor."""
    measure = services.supervision_measure_issue(
        conference_id=conference_id,
        user=_actor(request),
        unit=_unit(body.unit_id),
        kind=body.kind,
        reason=body.reason,
        issued_on=body.issued_on,
        decision_id=body.decision_id,
        item_id=body.item_id,
    )
    return Status(201, s.measure_out(measure))
