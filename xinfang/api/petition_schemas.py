"""Schemas of the petitions API and the functions that fill them from the models.

Personal data leaves this module masked only: the full ID number or phone is opened through the
logged reveal endpoint, never through a detail or list response.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import AfterValidator, Field

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.agency import events as agency_events
from xinfang.community import events as community_events
from xinfang.core.idnumber import mask_id_number
from xinfang.core.models import Limit
from xinfang.core.phone import mask_phone
from xinfang.petitions import lifecycle, selectors, services
from xinfang.petitions.detection import reason_texts
from xinfang.petitions.models import (
    Attachment,
    ClockStatus,
    Extension,
    Petition,
    Petitioner,
    PetitionEvent,
)
from xinfang.petitions.states import (
    Channel,
    Decision,
    DeliveryMethod,
    NoticeExemption,
    PartyRole,
    PetitionType,
    Procedure,
    Rating,
    State,
)

from .schemas import ErrorOut

# --- input types ---------------------------------------------------------------------------------

# Dates outside this range are typing mistakes; they would also overflow the deadline arithmetic.
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def _clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded: refuse both up front.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


def _check_moment(value: dt.datetime) -> dt.datetime:
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise ValueError(f"must lie between {FIRST_DAY.year} and {LAST_DAY.year}")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Name = Annotated[Text, Field(max_length=100)]
Line = Annotated[Text, Field(max_length=200)]
Short = Annotated[Text, Field(max_length=300)]
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Moment = Annotated[dt.datetime, AfterValidator(_check_moment)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Count = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class ErrorWithFieldsOut(ErrorOut):
    """A refused form: ``errors`` maps each field to its translated messages."""

    errors: dict[str, list[str]] = {}


# --- listing -------------------------------------------------------------------------------------


class PetitionFilter(Schema):
    q: Annotated[Text, Field(max_length=100)] = Field(
        "", description="Text in the subject, the request or the number."
    )
    state: State | None = None
    petition_type: PetitionType | None = None
    channel: Channel | None = None
    category: Id | None = Field(None, description="Category id; its sub-categories are included.")
    unit: Id | None = Field(None, description="Unit id: petitions any unit of its subtree has had a hand in.")
    received_from: Day | None = None
    received_to: Day | None = None
    is_repeat: bool | None = None
    is_bypass: bool | None = None
    is_first_time: bool | None = None
    overdue: bool | None = Field(None, description="Has a running clock past its due date.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class FlagsOut(Schema):
    is_first_time: bool
    is_repeat: bool
    is_bypass: bool
    is_collective: bool
    is_threat: bool
    is_urgent_major: bool
    is_law_related: bool
    is_supervised: bool
    is_anonymous: bool


class PetitionListItemOut(Schema):
    id: int
    number: str
    subject: str
    state: str
    state_label: str
    petition_type: str
    petition_type_label: str
    channel: str
    channel_label: str
    place_name: str
    current_unit_name: str
    received_at: dt.datetime
    flags: FlagsOut
    next_due_on: dt.date | None


class PetitionPage(Schema):
    count: int
    items: list[PetitionListItemOut]


# --- detail --------------------------------------------------------------------------------------


class PersonOut(Schema):
    petitioner_id: int
    kind: str
    name: str
    id_number_masked: str
    phone_masked: str
    address: str
    home_unit_name: str | None


class PartyOut(PersonOut):
    id: int = Field(description="Party id; pass it to the reveal endpoint.")
    role: str
    role_label: str


class UnitRefOut(Schema):
    id: int
    name: str


class CategoryOut(Schema):
    id: int
    name: str
    path_name: str


class ClockOut(Schema):
    id: int
    kind: str
    label: str
    unit_name: str
    started_on: dt.date
    due_on: dt.date
    status: str
    status_label: str
    days_left: int | None = Field(
        description="Calendar days until the due date while running; negative when late."
    )
    extended_days: int
    excluded_days: int


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    description: str
    uploaded_at: dt.datetime
    uploaded_by: str | None


class SuggestionOut(Schema):
    id: int
    kind: str
    kind_label: str
    candidate_id: int | None = Field(description="The earlier petition, when it lies in your jurisdiction.")
    candidate_number: str | None
    score: float
    reasons: list[str]
    status: str
    status_label: str
    note: str
    decided_at: dt.datetime | None


class OpinionOut(Schema):
    id: int
    stage: str
    stage_label: str
    unit_name: str
    decision: str
    decision_label: str
    facts_found: str
    reasons: str
    legal_basis: str
    issued_on: dt.date
    delivered_on: dt.date | None
    delivery_method: str


class AppealOut(Schema):
    id: int
    level: str
    level_label: str
    requested_on: dt.date
    unit_name: str
    grounds: str
    hearing_days: int
    opinion_id: int | None


class EvaluationOut(Schema):
    id: int
    rating: str
    rating_label: str
    comment: str
    at: dt.datetime
    via_portal: bool


class ExtensionOut(Schema):
    days: int
    reason: str
    approved_by: str
    notice_sent_on: dt.date


class TaskOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit_name: str
    due_on: dt.date | None
    done_at: dt.datetime | None


class ActionOut(Schema):
    action: str = Field(description="Name in the transition table.")
    label: str
    endpoint: str = Field(description="Path under /petitions/{id}/ that performs it.")


class PetitionDetailOut(Schema):
    id: int
    number: str
    query_code: str
    version: int = Field(description="Send it back as expected_version to refuse stale changes.")
    state: str
    state_label: str
    petition_type: str
    petition_type_label: str
    channel: str
    channel_label: str
    category: CategoryOut | None
    subject: str
    request: str
    facts: str
    place: UnitRefOut
    registering_unit: UnitRefOut
    current_unit: UnitRefOut
    handling_unit: UnitRefOut | None
    accused_unit: UnitRefOut | None
    accused_description: str
    people_count: int
    representative_count: int
    principal: PersonOut
    agent: PersonOut | None
    parties: list[PartyOut]
    received_at: dt.datetime
    registered_at: dt.datetime | None
    registered_by: str | None
    accepted_at: dt.datetime | None
    notice_sent_on: dt.date | None
    notice_exemption: str
    replied_on: dt.date | None
    closed_at: dt.datetime | None
    diverted_procedure: str
    repeat_of_id: int | None = Field(description="The earlier matter, when it lies in your jurisdiction.")
    final_of_id: int | None = Field(
        description="The final matter matched, when it lies in your jurisdiction."
    )
    bypass_destination_level: int | None
    flags: FlagsOut
    clocks: list[ClockOut]
    attachments: list[AttachmentOut]
    suggestions: list[SuggestionOut]
    opinions: list[OpinionOut]
    appeals: list[AppealOut]
    evaluations: list[EvaluationOut]
    extension: ExtensionOut | None
    tasks: list[TaskOut]
    allowed_actions: list[ActionOut]


class EventOut(Schema):
    sequence: int
    action: str
    action_label: str
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    actor: str | None
    actor_unit: UnitRefOut | None
    at: dt.datetime
    reason: str
    payload: dict[str, Any]


# --- writes --------------------------------------------------------------------------------------


class PersonIn(Schema):
    name: Name = ""
    id_number: Annotated[Text, Field(max_length=40)] = ""
    phone: Annotated[Text, Field(max_length=40)] = ""
    address: Line = ""
    kind: str = Field("person", pattern="^(person|organisation)$")
    home_unit_id: Id | None = None


class IntakeIn(Schema):
    channel: Channel
    subject: Text
    request: Text
    facts: Text = ""
    place_id: Id
    category_id: Id | None = None
    petition_type: PetitionType | None = None
    principal: PersonIn
    co_petitioners: list[PersonIn] = Field(default_factory=list, max_length=200)
    representatives: list[PersonIn] = Field(default_factory=list, max_length=200)
    agent: PersonIn | None = None
    people_count: Count = 1
    representative_count: Count = 0
    is_anonymous: bool = False
    accused_unit_id: Id | None = None
    accused_description: Line = ""
    is_urgent_major: bool = False
    received_at: Moment | None = None
    registering_unit_id: Id | None = Field(
        None, description="The unit of your post that registers it, when you hold several."
    )


class VersionIn(Schema):
    expected_version: int | None = Field(
        None, description="The version you saw; a different current version answers 409 and changes nothing."
    )


class NoteIn(VersionIn):
    note: Text = ""


class ReasonIn(VersionIn):
    reason: Text


class OptionalReasonIn(VersionIn):
    reason: Text = ""


class RouteIn(VersionIn):
    to_unit_id: Id
    note: Text = ""


class AssignIn(RouteIn):
    feedback_days: int | None = Field(None, ge=-1000, le=1000)


class AcceptIn(VersionIn):
    petition_type: PetitionType
    notice_sent_on: Day | None = None
    notice_exemption: NoticeExemption | None = None
    route: str | None = Field(None, pattern="^(start_study|start_duty|start_handling)$")


class StartRouteIn(VersionIn):
    route: str = Field(pattern="^(start_study|start_duty|start_handling)$")


class DivertIn(ReasonIn):
    procedure: Procedure


class ReferIn(ReasonIn):
    to_unit_id: Id


class ReferDisciplineIn(OptionalReasonIn):
    to_unit_id: Id


class DeclineUpperIn(VersionIn):
    open_case_id: Id


class DeclineFinalIn(VersionIn):
    final_case_id: Id


class SettleIn(VersionIn):
    agreement: Text
    signed_on: Day | None = None


class ExtendIn(VersionIn):
    days: int = Field(ge=-1000, le=1000)
    reason: Text
    approved_by_id: Id
    notice_sent_on: Day


class OpinionIn(VersionIn):
    decision: Decision
    facts_found: Text
    reasons: Text
    legal_basis: Text


class IssueOpinionIn(OpinionIn):
    issued_on: Day | None = None


class DeliverReplyIn(VersionIn):
    delivered_on: Day
    method: DeliveryMethod
    reply_text: Text = ""


class EvaluateIn(VersionIn):
    rating: Rating
    comment: Text = ""


class AppealRequestIn(VersionIn):
    requested_on: Day
    grounds: Text


class DecideReviewIn(OpinionIn):
    delivered_on: Day


class DecideReReviewIn(DecideReviewIn):
    hearing_days: int = Field(0, ge=-1000, le=1000)


class FollowupIn(VersionIn):
    plan: Text


class SuggestionDecideIn(Schema):
    confirm: bool
    note: Short = ""


class AttachmentIn(Schema):
    description: Line = ""


class RevealIn(Schema):
    field: str = Field(pattern="^(id_number|phone)$")
    party_id: Id
    reason: Short


class RevealOut(Schema):
    field: str
    party_id: int
    value: str


# --- presenters ----------------------------------------------------------------------------------

EXTEND_LABEL = gettext_lazy("Extend handling")
# Timeline actions that are not transitions of the table.
EVENT_LABELS = {
    "receive": gettext_lazy("Received"),
    "extend": EXTEND_LABEL,
    "suggestion_confirmed": gettext_lazy("Detection confirmed"),
    "suggestion_dismissed": gettext_lazy("Detection dismissed"),
    "attach": gettext_lazy("Attachment added"),
    **agency_events.EVENT_LABELS,
    **community_events.EVENT_LABELS,
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def flags_out(p: Petition) -> FlagsOut:
    return FlagsOut(
        is_first_time=p.is_first_time,
        is_repeat=p.is_repeat,
        is_bypass=p.is_bypass,
        is_collective=p.is_collective,
        is_threat=p.is_threat,
        is_urgent_major=p.is_urgent_major,
        is_law_related=p.is_law_related,
        is_supervised=p.is_supervised,
        is_anonymous=p.is_anonymous,
    )


def list_item_out(p: Petition) -> PetitionListItemOut:
    return PetitionListItemOut(
        id=p.pk,
        number=p.number,
        subject=p.subject,
        state=p.state,
        state_label=_label(State, p.state),
        petition_type=p.petition_type,
        petition_type_label=_label(PetitionType, p.petition_type) if p.petition_type else "",
        channel=p.channel,
        channel_label=_label(Channel, p.channel),
        place_name=p.place.name,
        current_unit_name=p.current_unit.name,
        received_at=p.received_at,
        flags=flags_out(p),
        next_due_on=getattr(p, "next_due_on", None),
    )


def _unit_ref(unit: Any) -> UnitRefOut | None:
    return UnitRefOut(id=unit.pk, name=unit.name) if unit is not None else None


def _person(petitioner: Petitioner) -> dict[str, Any]:
    return {
        "petitioner_id": petitioner.pk,
        "kind": petitioner.kind,
        "name": petitioner.name,
        "id_number_masked": mask_id_number(petitioner.id_number),
        "phone_masked": mask_phone(petitioner.phone),
        "address": petitioner.address,
        "home_unit_name": petitioner.home_unit.name if petitioner.home_unit is not None else None,
    }


def _user_name(user: User | None) -> str | None:
    return user.display_name() if user is not None else None


def _action_endpoint(action: str) -> str:
    if action in services.ROUTE_LIMITS:
        return "start-route"
    return action.replace("_", "-")


def allowed_actions_for(user: User, petition: Petition) -> list[ActionOut]:
    """The actions the state allows that one of the user's posts may take (the services' own role rule)."""
    everything = scoping.sees_everything(user)
    decided: dict[tuple[tuple[int, ...], frozenset[str]], bool] = {}

    def may(units: list[Any], roles: frozenset[str]) -> bool:
        # Many actions share their units and roles; ask the services' rule once per distinct pair.
        key = (tuple(unit.pk for unit in units), roles)
        if key not in decided:
            decided[key] = everything or services.acting_membership(user, units, roles) is not None
        return decided[key]

    actions = [
        ActionOut(action=t.action, label=str(t.label), endpoint=_action_endpoint(t.action))
        for t in lifecycle.allowed_actions(petition.state)
        if may(services._acting_units(petition, t), t.roles)
    ]
    if (
        petition.state in lifecycle.EXTENDABLE_STATES
        and not Extension.objects.filter(petition=petition).exists()
        and may([petition.current_unit], lifecycle.TRANSITIONS["start_handling"].roles)
    ):
        actions.append(ActionOut(action="extend", label=str(EXTEND_LABEL), endpoint="extend"))
    return actions


def clock_out(clock: Any, today: dt.date) -> ClockOut:
    running = clock.status == ClockStatus.RUNNING
    return ClockOut(
        id=clock.pk,
        kind=clock.kind,
        label=_label(Limit, clock.kind),
        unit_name=clock.unit.name,
        started_on=clock.started_on,
        due_on=clock.due_on,
        status=clock.status,
        status_label=_label(ClockStatus, clock.status),
        days_left=(clock.due_on - today).days if running else None,
        extended_days=clock.extended_days,
        excluded_days=clock.excluded_days,
    )


def attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk,
        original_name=a.original_name,
        content_type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        description=a.description,
        uploaded_at=a.uploaded_at,
        uploaded_by=_user_name(a.uploaded_by),
    )


def detail_out(user: User, petition_id: int) -> PetitionDetailOut:
    """Everything staff may see about one petition; the caller has checked it is visible."""
    p = Petition.objects.select_related(
        "category",
        "place",
        "registering_unit",
        "current_unit",
        "handling_unit",
        "accused_unit",
        "principal__home_unit",
        "agent__home_unit",
        "registered_by",
    ).get(pk=petition_id)
    today = timezone.localdate()
    parties = [
        PartyOut(
            id=party.pk,
            role=party.role,
            role_label=_label(PartyRole, party.role),
            **_person(party.petitioner),
        )
        for party in p.parties.select_related("petitioner__home_unit").order_by("pk")
    ]
    suggestions = list(p.suggestions.select_related("candidate").order_by("pk"))
    # Earlier petitions are named only when the caller may see them (another county's, or an accusation
    # against the caller's unit, stays anonymous).
    linked_ids = [s.candidate_id for s in suggestions if s.candidate_id] + [
        pk for pk in (p.repeat_of_id, p.final_of_id) if pk
    ]
    visible_linked = (
        set(selectors.visible_petitions(user).filter(pk__in=linked_ids).values_list("pk", flat=True))
        if linked_ids
        else set()
    )
    extension = Extension.objects.select_related("approved_by").filter(petition=p).first()
    return PetitionDetailOut(
        id=p.pk,
        number=p.number,
        query_code=p.query_code,
        version=p.version,
        state=p.state,
        state_label=_label(State, p.state),
        petition_type=p.petition_type,
        petition_type_label=_label(PetitionType, p.petition_type) if p.petition_type else "",
        channel=p.channel,
        channel_label=_label(Channel, p.channel),
        category=CategoryOut(id=p.category.pk, name=p.category.name, path_name=p.category.path_name())
        if p.category
        else None,
        subject=p.subject,
        request=p.request,
        facts=p.facts,
        place=UnitRefOut(id=p.place.pk, name=p.place.name),
        registering_unit=UnitRefOut(id=p.registering_unit.pk, name=p.registering_unit.name),
        current_unit=UnitRefOut(id=p.current_unit.pk, name=p.current_unit.name),
        handling_unit=_unit_ref(p.handling_unit),
        accused_unit=_unit_ref(p.accused_unit),
        accused_description=p.accused_description,
        people_count=p.people_count,
        representative_count=p.representative_count,
        principal=PersonOut(**_person(p.principal)),
        agent=PersonOut(**_person(p.agent)) if p.agent is not None else None,
        parties=parties,
        received_at=p.received_at,
        registered_at=p.registered_at,
        registered_by=_user_name(p.registered_by),
        accepted_at=p.accepted_at,
        notice_sent_on=p.notice_sent_on,
        notice_exemption=p.notice_exemption,
        replied_on=p.replied_on,
        closed_at=p.closed_at,
        diverted_procedure=p.diverted_procedure,
        repeat_of_id=p.repeat_of_id if p.repeat_of_id in visible_linked else None,
        final_of_id=p.final_of_id if p.final_of_id in visible_linked else None,
        bypass_destination_level=p.bypass_destination_level,
        flags=flags_out(p),
        clocks=[clock_out(c, today) for c in p.clocks.select_related("unit").order_by("started_on", "pk")],
        attachments=[attachment_out(a) for a in p.attachments.select_related("uploaded_by").order_by("pk")],
        suggestions=[
            SuggestionOut(
                id=s.pk,
                kind=s.kind,
                kind_label=_label(type(s).Kind, s.kind),
                candidate_id=s.candidate_id if s.candidate_id in visible_linked else None,
                candidate_number=s.candidate.number
                if s.candidate_id in visible_linked and s.candidate
                else None,
                score=s.score,
                reasons=reason_texts(s.reasons),
                status=s.status,
                status_label=_label(type(s).Status, s.status),
                note=s.note,
                decided_at=s.decided_at,
            )
            for s in suggestions
        ],
        opinions=[
            OpinionOut(
                id=o.pk,
                stage=o.stage,
                stage_label=_label(type(o).Stage, o.stage),
                unit_name=o.unit.name,
                decision=o.decision,
                decision_label=_label(Decision, o.decision),
                facts_found=o.facts_found,
                reasons=o.reasons,
                legal_basis=o.legal_basis,
                issued_on=o.issued_on,
                delivered_on=o.delivered_on,
                delivery_method=o.delivery_method,
            )
            for o in p.opinions.select_related("unit").order_by("pk")
        ],
        appeals=[
            AppealOut(
                id=a.pk,
                level=a.level,
                level_label=_label(type(a).Level, a.level),
                requested_on=a.requested_on,
                unit_name=a.unit.name,
                grounds=a.grounds,
                hearing_days=a.hearing_days,
                opinion_id=a.opinion_id,
            )
            for a in p.appeals.select_related("unit").order_by("pk")
        ],
        evaluations=[
            EvaluationOut(
                id=e.pk,
                rating=e.rating,
                rating_label=_label(Rating, e.rating),
                comment=e.comment,
                at=e.at,
                via_portal=e.via_portal,
            )
            for e in p.evaluations.order_by("pk")
        ],
        extension=ExtensionOut(
            days=extension.days,
            reason=extension.reason,
            approved_by=extension.approved_by.display_name(),
            notice_sent_on=extension.notice_sent_on,
        )
        if extension
        else None,
        tasks=[
            TaskOut(
                id=t.pk,
                kind=t.kind,
                kind_label=_label(type(t).Kind, t.kind),
                unit_name=t.unit.name,
                due_on=t.due_on,
                done_at=t.done_at,
            )
            for t in p.tasks.select_related("unit").order_by("pk")
        ],
        allowed_actions=allowed_actions_for(user, p),
    )


def event_out(e: PetitionEvent) -> EventOut:
    transition = lifecycle.TRANSITIONS.get(e.action)
    return EventOut(
        sequence=e.sequence,
        action=e.action,
        action_label=str(transition.label) if transition else _event_label(e.action),
        from_state=e.from_state,
        from_state_label=_label(State, e.from_state) if e.from_state else "",
        to_state=e.to_state,
        to_state_label=_label(State, e.to_state) if e.to_state else "",
        actor=_user_name(e.actor),
        actor_unit=_unit_ref(e.actor_unit),
        at=e.at,
        reason=e.reason,
        payload=e.payload or {},
    )


def _event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


class DocumentOut(Schema):
    kind: str
    label: str
    pdf: str
    docx: str


class LeaderCaseIn(Schema):
    leader_id: int
    plan: Text
    target_on: Day


class LeaderCaseReportIn(Schema):
    progress: Text
    done: bool = False


class LeaderCaseOut(Schema):
    id: int
    petition_id: int
    leader_id: int
    plan: str
    target_on: dt.date
    progress: str
    done_at: dt.datetime | None


class SupervisionIn(Schema):
    kind: str = Field(description="chase (催办), supervise (督办) or listed (挂牌督办)")
    to_unit_id: int
    reason: Text
    due_on: Day


class SupervisionReplyIn(Schema):
    reply: Text


class SupervisionOut(Schema):
    id: int
    petition_id: int
    kind: str
    by_unit_id: int
    to_unit_id: int
    reason: str
    due_on: dt.date
    reply: str
    replied_at: dt.datetime | None
