"""Schemas of the joint conferences API and the functions that fill them from the models.

Petitions appear by id, number and state only, and only those the caller may see
(``visible_petitions``); the others are counted, never named.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from xinfang.conferences import access, selectors, services
from xinfang.conferences.models import (
    AgendaItem,
    Decision,
    Escalation,
    JointConference,
    Meeting,
    Minutes,
    SupervisionMeasure,
)
from xinfang.orgs.models import Unit
from xinfang.petitions.selectors import visible_petitions

from .petition_schemas import Day, Id, Line, Moment, Short, Text

Long = Annotated[Text, Field(max_length=4000)]
Position = Annotated[int, Field(ge=1, le=999)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ConferenceUnitRef(Schema):
    id: int
    name: str


def unit_ref(unit: Unit) -> ConferenceUnitRef:
    return ConferenceUnitRef(id=unit.pk, name=unit.name)


def optional_unit_ref(unit: Unit | None) -> ConferenceUnitRef | None:
    return unit_ref(unit) if unit is not None else None


# --- conferences ----------------------------------------------------------------------------------


class ConferenceRuleOut(Schema):
    monthly_day: int
    weekly_weekday: int
    meeting_time: str = Field(description="HH:MM, local time")
    default_place: str
    notice_lead_days: int
    escalation_days: int


class ConferenceOut(Schema):
    id: int
    name: str
    area: ConferenceUnitRef
    form: str = Field(description="conference (信访工作联席会议) or party_government (党政联席会议)")
    office_unit: ConferenceUnitRef | None
    is_active: bool
    rule: ConferenceRuleOut
    version: int


class ConferenceParticipantOut(Schema):
    user_id: int
    name: str
    role: str = Field(description="convenor (召集人) or secretariat")
    title: str


class ConferenceMemberOut(Schema):
    unit: ConferenceUnitRef
    duty: str


class KeyPeriodOut(Schema):
    id: int
    starts_on: dt.date
    last_day: dt.date
    reason: str


class MeetingSummaryOut(Schema):
    id: int
    kind: str
    scheduled_at: dt.datetime
    status: str


class ItemSummaryOut(Schema):
    id: int
    title: str
    source: str
    status: str
    position: int
    meeting_id: int | None


class ConferenceRolesOut(Schema):
    convenor: bool
    secretariat: bool
    may_propose: bool


class ConferenceDetailOut(ConferenceOut):
    participants: list[ConferenceParticipantOut]
    members: list[ConferenceMemberOut]
    key_periods: list[KeyPeriodOut]
    upcoming_meetings: list[MeetingSummaryOut]
    agenda: list[ItemSummaryOut]
    you: ConferenceRolesOut


def conference_out(conference: JointConference) -> ConferenceOut:
    return ConferenceOut(**_conference_fields(conference))


def _conference_fields(conference: JointConference) -> dict[str, Any]:
    return {
        "id": conference.pk,
        "name": conference.name,
        "area": unit_ref(conference.area),
        "form": conference.form,
        "office_unit": optional_unit_ref(conference.office_unit),
        "is_active": conference.is_active,
        "rule": ConferenceRuleOut(
            monthly_day=conference.monthly_day,
            weekly_weekday=conference.weekly_weekday,
            meeting_time=conference.meeting_time.strftime("%H:%M"),
            default_place=conference.default_place,
            notice_lead_days=conference.notice_lead_days,
            escalation_days=conference.escalation_days,
        ),
        "version": conference.version,
    }


def conference_detail_out(user: Any, conference: JointConference) -> ConferenceDetailOut:
    return ConferenceDetailOut(
        **_conference_fields(conference),
        participants=[
            ConferenceParticipantOut(
                user_id=p.user_id, name=p.user.display_name(), role=p.role, title=p.title
            )
            for p in selectors.active_participants(conference)
        ],
        members=[
            ConferenceMemberOut(unit=unit_ref(m.unit), duty=m.duty)
            for m in selectors.active_members(conference)
        ],
        key_periods=[
            KeyPeriodOut(id=p.pk, starts_on=p.starts_on, last_day=p.last_day, reason=p.reason)
            for p in conference.key_periods.order_by("-starts_on")[:10]
        ],
        upcoming_meetings=[
            MeetingSummaryOut(id=m.pk, kind=m.kind, scheduled_at=m.scheduled_at, status=m.status)
            for m in selectors.upcoming_meetings(conference)[:10]
        ],
        agenda=[
            ItemSummaryOut(
                id=i.pk,
                title=i.title,
                source=i.source,
                status=i.status,
                position=i.position,
                meeting_id=i.meeting_id,
            )
            for i in selectors.agenda(conference)
        ],
        you=ConferenceRolesOut(
            convenor=access.is_convenor(user, conference),
            secretariat=access.is_secretariat(user, conference),
            may_propose=access.proposing_unit(user, conference) is not None,
        ),
    )


# --- agenda ---------------------------------------------------------------------------------------


class ProposeIn(Schema):
    title: Line
    reasons: Long
    source: str = Field(description="petition, common_issue or dispute (Art. 24)")
    petition_ids: list[Id] = Field(default_factory=list, max_length=200)
    dispute_units: list[Id] | None = Field(default=None, max_length=20)


class ItemAcceptIn(Schema):
    meeting_id: Id | None = None
    position: Position | None = None
    expected_version: Version | None = None


class ItemReturnIn(Schema):
    reason: Short
    expected_version: Version | None = None


class EscalateIn(Schema):
    reason: Long
    expected_version: Version | None = None


class ConferencePetitionRef(Schema):
    id: int
    number: str
    state: str


class ItemOut(Schema):
    id: int
    conference_id: int
    title: str
    reasons: str
    source: str
    status: str
    proposing_unit: ConferenceUnitRef
    proposed_at: dt.datetime
    position: int
    meeting_id: int | None
    petitions: list[ConferencePetitionRef]
    hidden_petitions: int = Field(description="petitions of the item outside the caller's reach")
    dispute_units: list[ConferenceUnitRef]
    decided_unit: ConferenceUnitRef | None
    decision_id: int | None
    escalation_id: int | None = Field(description="set when this item was escalated up")
    escalated_from_id: int | None = Field(description="set when this item came up from below")
    binding_decision_id: int | None
    return_reason: str
    version: int


def item_out(user: Any, item: AgendaItem) -> ItemOut:
    shown, hidden = selectors.item_petitions(user, item)
    dispute = getattr(item, "dispute", None)
    decision = Decision.objects.filter(item=item).values_list("pk", flat=True).first()
    return ItemOut(
        id=item.pk,
        conference_id=item.conference_id,
        title=item.title,
        reasons=item.reasons,
        source=item.source,
        status=item.status,
        proposing_unit=unit_ref(item.proposing_unit),
        proposed_at=item.proposed_at,
        position=item.position,
        meeting_id=item.meeting_id,
        petitions=[ConferencePetitionRef(id=p.pk, number=p.number, state=p.state) for p in shown],
        hidden_petitions=hidden,
        dispute_units=[unit_ref(u) for u in dispute.candidates.order_by("path")] if dispute else [],
        decided_unit=optional_unit_ref(dispute.decided_unit) if dispute else None,
        decision_id=decision,
        escalation_id=Escalation.objects.filter(from_item=item).values_list("pk", flat=True).first(),
        escalated_from_id=Escalation.objects.filter(upper_item=item).values_list("pk", flat=True).first(),
        binding_decision_id=item.binding_decision_id,
        return_reason=item.return_reason,
        version=item.version,
    )


# --- meetings and minutes -------------------------------------------------------------------------


class MeetingIn(Schema):
    kind: str = Field(description="plenary or working")
    scheduled_at: Moment
    place: Annotated[Text, Field(max_length=120)] = ""
    topic: Line = ""


class MeetingAttendanceIn(Schema):
    unit_id: Id
    status: str = Field(description="present, deputy, absent or observer")
    attendee: Annotated[Text, Field(max_length=80)] = ""
    absence_reason: Annotated[Text, Field(max_length=200)] = ""


class MeetingHoldIn(Schema):
    held_at: Moment
    chair_id: Id
    attendance: list[MeetingAttendanceIn] = Field(max_length=200)
    expected_version: Version | None = None


class MeetingAttendanceOut(Schema):
    unit: ConferenceUnitRef
    status: str
    attendee: str
    absence_reason: str


class MeetingOut(Schema):
    id: int
    conference_id: int
    kind: str
    origin: str
    scheduled_at: dt.datetime
    place: str
    topic: str
    status: str
    notice_on: dt.date
    notices_sent_at: dt.datetime | None
    held_at: dt.datetime | None
    chair_id: int | None
    attendance: list[MeetingAttendanceOut]
    item_ids: list[int]
    minutes_id: int | None
    version: int


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.pk,
        conference_id=meeting.conference_id,
        kind=meeting.kind,
        origin=meeting.origin,
        scheduled_at=meeting.scheduled_at,
        place=meeting.place,
        topic=meeting.topic,
        status=meeting.status,
        notice_on=meeting.notice_on,
        notices_sent_at=meeting.notices_sent_at,
        held_at=meeting.held_at,
        chair_id=meeting.chair_id,
        attendance=[
            MeetingAttendanceOut(
                unit=unit_ref(a.unit), status=a.status, attendee=a.attendee, absence_reason=a.absence_reason
            )
            for a in meeting.attendance.select_related("unit").order_by("unit__path")
        ],
        item_ids=list(meeting.items.order_by("position", "pk").values_list("pk", flat=True)),
        minutes_id=Minutes.objects.filter(meeting=meeting).values_list("pk", flat=True).first(),
        version=meeting.version,
    )


class MinutesIn(Schema):
    summary: Annotated[Text, Field(max_length=8000)]
    distribution: Annotated[Text, Field(max_length=300)] = ""
    expected_version: Version | None = None


class MinutesApproveIn(Schema):
    expected_version: Version | None = None


class MinutesOut(Schema):
    id: int
    meeting_id: int
    number: str
    status: str
    summary: str
    distribution: str
    approved_at: dt.datetime | None
    decision_ids: list[int]
    version: int


def minutes_out(minutes: Minutes) -> MinutesOut:
    return MinutesOut(
        id=minutes.pk,
        meeting_id=minutes.meeting_id,
        number=minutes.number,
        status=minutes.status,
        summary=minutes.summary,
        distribution=minutes.distribution,
        approved_at=minutes.approved_at,
        decision_ids=list(minutes.decisions.order_by("pk").values_list("pk", flat=True)),
        version=minutes.version,
    )


# --- decisions --------------------------------------------------------------------------------------


class DecisionIn(Schema):
    item_id: Id
    statement: Long
    measures: Long
    lead_unit_id: Id
    cooperating_unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    funding: str = Field(description="unit_budget, livelihood_project (民生工程), special_fund or none")
    funding_reference: Line = ""
    budget_amount: Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), decimal_places=2)] | None = None
    due_on: Day
    expected_version: Version | None = None


class DecisionProgressIn(Schema):
    text: Long


class DecisionCompleteIn(Schema):
    result: Long
    done_on: Day | None = None
    expected_version: Version | None = None


class DecisionReplyIn(Schema):
    method: str = Field(default="in_person", description="in_person, post, online or phone")
    expected_version: Version | None = Field(default=None, description="the petition's version")


class DecisionPetitionOut(Schema):
    id: int
    number: str
    state: str
    reply_step: str | None = Field(description="issue_opinion or deliver_reply once the decision is done")
    may_reply: bool
    version: int


class DecisionTaskOut(Schema):
    unit: ConferenceUnitRef
    role: str


class DecisionOut(Schema):
    id: int
    conference_id: int
    item_id: int
    minutes_id: int
    minutes_number: str
    statement: str
    measures: str
    lead_unit: ConferenceUnitRef
    cooperating_units: list[ConferenceUnitRef]
    funding: str
    funding_reference: str
    budget_amount: Decimal | None
    due_on: dt.date
    status: str
    overdue: bool
    done_on: dt.date | None
    on_time: bool | None
    result: str
    tasks: list[DecisionTaskOut]
    petitions: list[DecisionPetitionOut]
    hidden_petitions: int
    version: int


def decision_out(user: Any, decision: Decision) -> DecisionOut:
    ids = selectors.decision_petition_ids(decision)
    shown = list(visible_petitions(user).filter(pk__in=ids).order_by("pk"))
    done = decision.status == "done"
    return DecisionOut(
        id=decision.pk,
        conference_id=decision.item.conference_id,
        item_id=decision.item_id,
        minutes_id=decision.minutes_id,
        minutes_number=decision.minutes.number,
        statement=decision.statement,
        measures=decision.measures,
        lead_unit=unit_ref(decision.lead_unit),
        cooperating_units=[unit_ref(u) for u in decision.cooperating_units.order_by("path")],
        funding=decision.funding,
        funding_reference=decision.funding_reference,
        budget_amount=decision.budget_amount,
        due_on=decision.due_on,
        status=decision.status,
        overdue=decision.is_overdue,
        done_on=decision.done_on,
        on_time=decision.on_time,
        result=decision.result,
        tasks=[
            DecisionTaskOut(unit=unit_ref(t.unit), role=t.role) for t in decision.tasks.select_related("unit")
        ],
        petitions=[
            DecisionPetitionOut(
                id=p.pk,
                number=p.number,
                state=p.state,
                reply_step=services.reply_step(p) if done else None,
                may_reply=done and services.may_reply(user, p),
                version=p.version,
            )
            for p in shown
        ],
        hidden_petitions=len(ids) - len(shown),
        version=decision.version,
    )


class TaskListOut(Schema):
    decision_id: int
    conference: str
    statement: str
    unit: ConferenceUnitRef
    role: str
    due_on: dt.date
    overdue: bool


# --- escalations, measures, coverage -------------------------------------------------------------------


class ConferenceDocumentOut(Schema):
    id: int
    name: str
    size: int


class EscalationOut(Schema):
    id: int
    status: str
    reason: str
    from_conference: str
    from_item_id: int
    upper_conference: str
    upper_item_id: int
    upper_item_status: str
    upper_meeting_at: dt.datetime | None
    due_on: dt.date
    escalated_at: dt.datetime
    resolved_at: dt.datetime | None
    decision_id: int | None
    documents: list[ConferenceDocumentOut]


def escalation_out(escalation: Escalation) -> EscalationOut:
    upper = escalation.upper_item
    decision = (
        Decision.objects.filter(item=upper).exclude(status="draft").values_list("pk", flat=True).first()
    )
    return EscalationOut(
        id=escalation.pk,
        status=escalation.status,
        reason=escalation.reason,
        from_conference=escalation.from_item.conference.name,
        from_item_id=escalation.from_item_id,
        upper_conference=upper.conference.name,
        upper_item_id=upper.pk,
        upper_item_status=upper.status,
        upper_meeting_at=upper.meeting.scheduled_at if upper.meeting else None,
        due_on=escalation.due_on,
        escalated_at=escalation.escalated_at,
        resolved_at=escalation.resolved_at,
        decision_id=decision,
        documents=[
            ConferenceDocumentOut(id=d.pk, name=d.original_name, size=d.size)
            for d in escalation.documents.order_by("pk")
        ],
    )


class SupervisionMeasureIn(Schema):
    unit_id: Id
    kind: str = Field(description="interview (约谈), notice (通报) or listed (挂牌督办)")
    reason: Long
    issued_on: Day | None = None
    decision_id: Id | None = None
    item_id: Id | None = None


class SupervisionMeasureOut(Schema):
    id: int
    conference_id: int
    unit: ConferenceUnitRef
    kind: str
    issued_on: dt.date
    reason: str
    issued_by_id: int
    decision_id: int | None
    item_id: int | None
    lifted_on: dt.date | None


def measure_out(measure: SupervisionMeasure) -> SupervisionMeasureOut:
    return SupervisionMeasureOut(
        id=measure.pk,
        conference_id=measure.conference_id,
        unit=unit_ref(measure.unit),
        kind=measure.kind,
        issued_on=measure.issued_on,
        reason=measure.reason,
        issued_by_id=measure.issued_by_id,
        decision_id=measure.decision_id,
        item_id=measure.item_id,
        lifted_on=measure.lifted_on,
    )


class CoverageTownOut(Schema):
    town: ConferenceUnitRef
    conference_id: int | None
    last_meeting: dt.datetime | None
    covered: bool


class AreaCoverageOut(Schema):
    area: ConferenceUnitRef
    covered: int
    total: int
    rate: float | None
    towns: list[CoverageTownOut]


class CoverageOut(Schema):
    definition: str
    since: dt.date
    today: dt.date
    areas: list[AreaCoverageOut]


def coverage_out(rows: list[Any], since: dt.date, definition: str) -> CoverageOut:
    return CoverageOut(
        definition=definition,
        since=since,
        today=timezone.localdate(),
        areas=[
            AreaCoverageOut(
                area=unit_ref(row.area),
                covered=row.covered,
                total=row.total,
                rate=row.rate,
                towns=[
                    CoverageTownOut(
                        town=unit_ref(t.town),
                        conference_id=t.conference.pk if t.conference else None,
                        last_meeting=t.last_meeting,
                        covered=t.covered,
                    )
                    for t in row.towns
                ],
            )
            for row in rows
        ],
    )
