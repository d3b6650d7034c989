"""Writes of the joint conferences. One transaction each; rows two people may change at once are locked
and checked against the version the form was drawn from. A refused request raises ``DomainError`` and
changes nothing. Who may do what is ``access``'s answer (see its docstring for the decisions).

The life of a matter (domain.md §7.3):

1. ``agenda_item_propose``: a unit brings petitions it cannot solve alone (source ``petition``), a group
   of petitions on one matter (``common_issue``) or a competence dispute between units (``dispute``,
   Art. 24, kept as a ``Dispute``). Each petition's timeline says so.
2. The secretariat accepts (``agenda_item_accept``), orders and schedules it on a meeting, or returns it
   with a reason. Meetings come from the rule (``meetings_schedule_rule``) or ad hoc
   (``meeting_schedule``); members are notified ahead (``meeting_notify``); ``meeting_hold`` records
   who attended and who was absent, with reasons.
3. ``minutes_draft`` and ``decision_record`` write the minutes and one decision per item (lead and
   cooperating units, measures, budget or project, due date). ``minutes_approve`` by a convenor makes
   them binding: tasks appear on the units' workbenches and every petition answered gets a timeline row.
4. ``decision_complete`` (with evidence) closes a decision: each petition's handling unit gets a reminder
   and ``decision_reply`` issues the written reply from the decision's result through the petition
   services, one step per click.
5. ``agenda_item_escalate`` sends what this level cannot solve to the next conference up; its decision,
   once approved, binds the lower item and its completion resolves it.
6. ``supervision_measure_issue`` records 约谈, 通报 or 挂牌督办 against a unit (Art. 39).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Role, User
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import services as petition_services
from xinfang.petitions.documents import area_short_name
from xinfang.petitions.intake import ALLOWED_ATTACHMENT_TYPES, attachment_problem
from xinfang.petitions.models import LinkRole, Petition, Reminder
from xinfang.petitions.selectors import get_visible_petition, visible_petitions
from xinfang.petitions.states import OPEN_STATES, DeliveryMethod, PetitionType, State
from xinfang.petitions.states import Decision as OpinionDecision

from . import access, events, schedule, selectors
from .models import (
    CONFERENCE_LEVEL_KINDS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConferenceForm,
    Decision,
    DecisionStatus,
    DecisionTask,
    Dispute,
    Document,
    Escalation,
    EscalationStatus,
    Funding,
    ItemPetition,
    ItemSource,
    ItemStatus,
    JointConference,
    KeyPeriod,
    MeasureKind,
    Meeting,
    MeetingKind,
    MeetingOrigin,
    MeetingStatus,
    Member,
    Minutes,
    MinutesStatus,
    Notice,
    NoticeKind,
    Participant,
    ParticipantRole,
    ProgressReport,
    SupervisionMeasure,
    TaskRole,
)

PROPOSABLE_SOURCES = (ItemSource.PETITION, ItemSource.COMMON_ISSUE, ItemSource.DISPUTE)
# Items that still hold a petition on a conference's table: it is not put on a second one meanwhile.
HOLDING_STATUSES = (ItemStatus.PROPOSED, ItemStatus.ACCEPTED, ItemStatus.ESCALATED)
MAX_KEY_PERIOD_DAYS = 92
FUNDING_NEEDS_REFERENCE = (Funding.LIVELIHOOD_PROJECT, Funding.SPECIAL_FUND)
LEGAL_BASIS = "《信访工作条例》第十三条、第三十二条"


# --- shared plumbing -------------------------------------------------------------------------------


def _check_version(row: Any, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            _("Someone else changed this a moment ago. Reload the page to see the change, then try again.")
        )


def _bump(row: Any, *fields: str) -> None:
    row.version += 1
    row.save(update_fields=[*fields, "version"] if fields else None)


def _text(value: str | None, message: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required")
    if max_length is not None and len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, code="too_long")
    return value


def _not_future(day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), code="future")


def _visible_conference(user: User, conference_id: int, *, lock: bool = False) -> JointConference:
    conference = selectors.get_visible_conference(user, conference_id)
    if lock:
        conference = JointConference.objects.select_for_update().get(pk=conference.pk)
    return conference


def _require_secretariat(user: User, conference: JointConference) -> None:
    if not access.is_secretariat(user, conference):
        raise DomainError(
            _("Only the conference's secretariat or a convenor may do this."), code="not_secretariat"
        )


def _require_convenor(user: User, conference: JointConference) -> None:
    if not access.is_convenor(user, conference):
        raise DomainError(_("Only a convenor of the conference may do this."), code="not_convenor")


def _require_active(conference: JointConference) -> None:
    if not conference.is_active:
        raise DomainError(_("This conference is no longer active."), code="inactive")


def _within_area(conference: JointConference, unit: Unit | None, message: str) -> Unit:
    if unit is None or not unit.is_active or not unit.is_within(conference.area):
        raise DomainError(message, code="unit_outside")
    return unit


def _not_in_area(unit: Unit, conference: JointConference) -> str:
    return _("%(unit)s is not a unit of %(area)s.") % {"unit": unit.name, "area": conference.area.name}


def _actor_unit(user: User, conference: JointConference) -> Unit:
    return access.proposing_unit(user, conference) or conference.office_unit or conference.area


def page_link(name: str, pk: int) -> str:
    return reverse(f"conferences:{name}", args=[pk])


def _notify(
    *,
    key: str,
    kind: str,
    conference: JointConference,
    message: str,
    link: str = "",
    unit: Unit | None = None,
    user: User | None = None,
) -> Notice:
    """Once per key: a retried service or a second sweeper finds the notice already there."""
    notice, _created = Notice.objects.get_or_create(
        key=key[:80],
        defaults={
            "kind": kind,
            "conference": conference,
            "message": message[:300],
            "link": link,
            "unit": unit,
            "user": user,
        },
    )
    return notice


def notify_people(
    *, conference: JointConference, key: str, kind: str, message: str, link: str, roles: Iterable[str]
) -> int:
    """One notice per participant of ``roles``; returns how many were new."""
    created = 0
    for participant in Participant.objects.filter(
        conference=conference, ended_at__isnull=True, role__in=list(roles)
    ):
        before = Notice.objects.filter(key=f"{key}:user:{participant.user_id}"[:80]).exists()
        _notify(
            key=f"{key}:user:{participant.user_id}",
            kind=kind,
            conference=conference,
            message=message,
            link=link,
            user=participant.user,
        )
        created += not before
    return created


ALL_PARTICIPANTS = (ParticipantRole.CONVENOR, ParticipantRole.SECRETARIAT)


def _check_uploads(uploads: Sequence[UploadedFile]) -> None:
    for upload in uploads:
        problem = attachment_problem(upload)
        if problem:
            raise DomainError(problem, code="attachment")


def _store(
    uploads: Sequence[UploadedFile],
    *,
    user: User,
    escalation: Escalation | None = None,
    decision: Decision | None = None,
) -> list[Document]:
    stored = []
    for upload in uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        name = (upload.name or "file").rsplit("/", 1)[-1]
        extension = name[name.rfind(".") :].lower()
        document = Document(
            escalation=escalation,
            decision=decision,
            original_name=name[:200],
            content_type=ALLOWED_ATTACHMENT_TYPES[extension],
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        document.file.save(name, upload, save=False)
        document.save()
        stored.append(document)
    return stored


# --- setting a conference up ---------------------------------------------------------------------


def default_name(area: Unit, form: str = ConferenceForm.CONFERENCE) -> str:
    """The official name (Chinese, as it is printed on the minutes)."""
    suffix = "党政联席会议" if form == ConferenceForm.PARTY_GOVERNMENT else "信访工作联席会议"
    return f"{area.name}{suffix}"


@dataclass
class Rule:
    """The meeting rule and time limits of a conference (domain.md §9 item 8, configurable)."""

    monthly_day: int = 15
    weekly_weekday: int = 0
    meeting_time: dt.time = dt.time(9, 0)
    default_place: str = ""
    notice_lead_days: int = 3
    escalation_days: int = 30


def _check_rule(rule: Rule) -> None:
    if not 1 <= rule.monthly_day <= 28:
        raise DomainError(_("The monthly meeting day must be between 1 and 28."), code="monthly_day")
    if not 0 <= rule.weekly_weekday <= 6:
        raise DomainError(_("Choose a weekday for the weekly meetings."), code="weekday")
    if not 0 <= rule.notice_lead_days <= 20:
        raise DomainError(_("The notice lead time must be between 0 and 20 working days."), code="lead")
    if not 1 <= rule.escalation_days <= 180:
        raise DomainError(
            _("The time limit for escalated items must be between 1 and 180 days."), code="escalation_days"
        )
    if len(rule.default_place) > 120:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": 120}, code="too_long")


@transaction.atomic
def conference_create(
    *,
    user: User,
    area: Unit,
    name: str = "",
    form: str = ConferenceForm.CONFERENCE,
    office_unit: Unit | None = None,
    rule: Rule | None = None,
) -> JointConference:
    """Set up the conference of an area (one active per area). A town may use its 党政联席会议 instead."""
    if area is None or area.kind not in CONFERENCE_LEVEL_KINDS:
        raise DomainError(
            _("A conference sits at a town or street, a county or district, a city or the province."),
            code="level",
        )
    if not access.may_manage(user, area):
        raise DomainError(
            _("Only a leader or a petition officer of the area may set up its conference."), code="role"
        )
    if form not in ConferenceForm.values:
        raise DomainError(_("Choose the form of the conference."), code="form")
    rule = rule or Rule()
    _check_rule(rule)
    if office_unit is not None and not office_unit.is_within(area):
        raise DomainError(_("The conference office must be a unit of the area."), code="unit_outside")
    Unit.objects.select_for_update().filter(pk=area.pk).first()  # one creator at a time per area
    if JointConference.objects.filter(area=area, is_active=True).exists():
        message = _("%(area)s already has an active conference.") % {"area": area.name}
        raise DomainError(message, code="exists")
    name = (name or "").strip() or default_name(area, form)
    conference = JointConference.objects.create(
        name=name[:120],
        area=area,
        form=form,
        office_unit=office_unit,
        monthly_day=rule.monthly_day,
        weekly_weekday=rule.weekly_weekday,
        meeting_time=rule.meeting_time,
        default_place=rule.default_place.strip(),
        notice_lead_days=rule.notice_lead_days,
        escalation_days=rule.escalation_days,
        created_by=user,
    )
    return conference


@transaction.atomic
def conference_update_rule(
    *, conference_id: int, user: User, rule: Rule, expected_version: int | None = None
) -> JointConference:
    conference = _visible_conference(user, conference_id, lock=True)
    if not (access.may_manage(user, conference.area) or access.is_convenor(user, conference)):
        raise DomainError(_("Only a convenor or a manager of the area may change the rule."), code="role")
    _check_version(conference, expected_version)
    _check_rule(rule)
    for field in ("monthly_day", "weekly_weekday", "meeting_time", "notice_lead_days", "escalation_days"):
        setattr(conference, field, getattr(rule, field))
    conference.default_place = rule.default_place.strip()
    _bump(conference)
    return conference


@transaction.atomic
def member_add(*, conference_id: int, user: User, unit: Unit, duty: str = "") -> Member:
    conference = _visible_conference(user, conference_id, lock=True)
    if not (access.may_manage(user, conference.area) or access.is_secretariat(user, conference)):
        raise DomainError(_("Only the secretariat or a manager of the area may add members."), code="role")
    _within_area(conference, unit, _("A member unit must be a unit of the conference's area."))
    if Member.objects.filter(conference=conference, unit=unit, left_on__isnull=True).exists():
        raise DomainError(_("%(unit)s is already a member.") % {"unit": unit.name}, code="exists")
    return Member.objects.create(conference=conference, unit=unit, duty=duty.strip()[:120])


@transaction.atomic
def member_remove(*, member_id: int, user: User) -> Member:
    member = Member.objects.select_for_update().get(pk=member_id)
    conference = _visible_conference(user, member.conference_id)
    if not (access.may_manage(user, conference.area) or access.is_secretariat(user, conference)):
        raise DomainError(_("Only the secretariat or a manager of the area may remove members."), code="role")
    if member.left_on is not None:
        raise DomainError(_("This unit has already left the conference."), code="left")
    member.left_on = timezone.localdate()
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def participant_add(
    *, conference_id: int, user: User, person: User, role: str, title: str = ""
) -> Participant:
    """Name a convenor (a leader covering the area) or a member of the secretariat."""
    conference = _visible_conference(user, conference_id, lock=True)
    if not (access.may_manage(user, conference.area) or access.is_convenor(user, conference)):
        raise DomainError(_("Only a convenor or a manager of the area may name participants."), code="role")
    if role not in ParticipantRole.values:
        raise DomainError(_("Choose convenor or secretariat."), code="role_choice")
    if person is None or not person.is_active:
        raise DomainError(_("Choose an active staff member."), code="person")
    if role == ParticipantRole.CONVENOR and not scoping.can_act_in(person, conference.area, Role.LEADER):
        raise DomainError(_("A convenor must be a leader whose area covers the conference."), code="leader")
    if role == ParticipantRole.SECRETARIAT and not (
        scoping.can_see_unit(person, conference.area)
        or any(m.unit.is_within(conference.area) for m in scoping.active_memberships(person))
    ):
        raise DomainError(_("The secretariat must be staff of the conference's area."), code="outside")
    if Participant.objects.filter(
        conference=conference, user=person, role=role, ended_at__isnull=True
    ).exists():
        raise DomainError(_("%(person)s already holds this role.") % {"person": person}, code="exists")
    return Participant.objects.create(
        conference=conference, user=person, role=role, title=title.strip()[:60], added_by=user
    )


@transaction.atomic
def participant_end(*, participant_id: int, user: User) -> Participant:
    participant = Participant.objects.select_for_update().get(pk=participant_id)
    conference = _visible_conference(user, participant.conference_id)
    if not (access.may_manage(user, conference.area) or access.is_convenor(user, conference)):
        raise DomainError(_("Only a convenor or a manager of the area may do this."), code="role")
    if participant.ended_at is not None:
        raise DomainError(_("This person has already stepped down."), code="ended")
    participant.ended_at = timezone.now()
    participant.save(update_fields=["ended_at"])
    return participant


# --- key periods and the meeting rule -------------------------------------------------------------


def _periods(conference: JointConference) -> list[schedule.Period]:
    return [
        schedule.Period(period.starts_on, period.last_day)
        for period in conference.key_periods.all()
        if period.last_day >= period.starts_on
    ]


@transaction.atomic
def meetings_schedule_rule(*, conference_id: int, today: dt.date | None = None) -> list[Meeting]:
    """Create the rule meetings up to the horizon that do not exist yet (safe to run any number of times)."""
    conference = JointConference.objects.get(pk=conference_id)
    if not conference.is_active:
        return []
    today = today or timezone.localdate()
    made = []
    tz = timezone.get_current_timezone()
    for slot in schedule.rule_slots(
        today=today,
        monthly_day=conference.monthly_day,
        weekly_weekday=conference.weekly_weekday,
        key_periods=_periods(conference),
    ):
        meeting, created = Meeting.objects.get_or_create(
            conference=conference,
            rule_slot=slot.name,
            defaults={
                "kind": MeetingKind.WORKING,
                "origin": MeetingOrigin.RULE,
                "scheduled_at": dt.datetime.combine(slot.day, conference.meeting_time, tzinfo=tz),
                "place": conference.default_place,
                "notice_on": schedule.notice_day(slot.day, conference.notice_lead_days),
            },
        )
        if created:
            made.append(meeting)
    return made


def _release_items(meeting: Meeting) -> None:
    """Items of a meeting that will not take place go back on the agenda for the next one."""
    meeting.items.filter(status=ItemStatus.ACCEPTED).update(meeting=None)


def _cancel(meeting: Meeting, reason: str) -> None:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:200]
    _bump(meeting, "status", "cancel_reason")
    _release_items(meeting)


@transaction.atomic
def key_period_start(
    *, conference_id: int, user: User, starts_on: dt.date, ends_on: dt.date, reason: str
) -> KeyPeriod:
    """A leader switches weekly meetings on (重点时期) from ``starts_on`` to ``ends_on``."""
    conference = _visible_conference(user, conference_id, lock=True)
    _require_active(conference)
    if not access.may_switch_key_period(user, conference):
        raise DomainError(_("Only a leader of the area may switch a key period on."), code="role")
    reason = _text(reason, _("Say why this is a key period."), max_length=200)
    today = timezone.localdate()
    if starts_on < today:
        raise DomainError(_("A key period cannot start in the past."), code="past")
    if ends_on < starts_on:
        raise DomainError(_("The key period must end on or after its first day."), code="order")
    if (ends_on - starts_on).days >= MAX_KEY_PERIOD_DAYS:
        raise DomainError(
            _("A key period lasts at most %(n)d days.") % {"n": MAX_KEY_PERIOD_DAYS}, code="too_long"
        )
    for other in conference.key_periods.all():
        if other.starts_on <= ends_on and starts_on <= other.last_day and other.last_day >= other.starts_on:
            raise DomainError(
                _("It overlaps the key period %(first)s – %(last)s.")
                % {"first": other.starts_on.isoformat(), "last": other.last_day.isoformat()},
                code="overlap",
            )
    period = KeyPeriod.objects.create(
        conference=conference, starts_on=starts_on, ends_on=ends_on, reason=reason, set_by=user
    )
    # A monthly meeting inside the period gives way to the weekly one of its week.
    for meeting in conference.meetings.filter(
        origin=MeetingOrigin.RULE,
        rule_slot__startswith="M",
        status__in=[MeetingStatus.PLANNED, MeetingStatus.NOTIFIED],
        scheduled_at__date__gte=starts_on,
        scheduled_at__date__lte=ends_on,
    ):
        _cancel(meeting, _("Replaced by the weekly meetings of the key period."))
    meetings_schedule_rule(conference_id=conference.pk, today=today)
    return period


@transaction.atomic
def key_period_end(*, key_period_id: int, user: User) -> KeyPeriod:
    """Switch a key period off early: its weekly meetings after today are cancelled."""
    period = KeyPeriod.objects.select_for_update().get(pk=key_period_id)
    conference = _visible_conference(user, period.conference_id, lock=True)
    if not access.may_switch_key_period(user, conference):
        raise DomainError(_("Only a leader of the area may switch a key period off."), code="role")
    today = timezone.localdate()
    if period.ended_early_on is not None or period.ends_on < today:
        raise DomainError(_("This key period is already over."), code="over")
    period.ended_early_on = max(today - dt.timedelta(days=1), period.starts_on - dt.timedelta(days=1))
    period.save(update_fields=["ended_early_on"])
    for meeting in conference.meetings.filter(
        origin=MeetingOrigin.RULE,
        rule_slot__startswith="W",
        status__in=[MeetingStatus.PLANNED, MeetingStatus.NOTIFIED],
        scheduled_at__date__gte=today,
        scheduled_at__date__lte=period.ends_on,
    ):
        _cancel(meeting, _("The key period was switched off."))
    meetings_schedule_rule(conference_id=conference.pk, today=today)
    return period


# --- meetings -------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    conference_id: int,
    user: User,
    kind: str,
    scheduled_at: dt.datetime,
    place: str = "",
    topic: str = "",
) -> Meeting:
    """Call a meeting outside the rule (临时会议): a plenary, or a working meeting on a major issue."""
    conference = _visible_conference(user, conference_id, lock=True)
    _require_active(conference)
    _require_secretariat(user, conference)
    if kind not in MeetingKind.values:
        raise DomainError(_("Choose plenary or working meeting."), code="kind")
    if scheduled_at is None:
        raise DomainError(_("Give the date and time of the meeting."), code="required")
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    today = timezone.localdate()
    day = timezone.localdate(scheduled_at)
    if day < today:
        raise DomainError(_("A meeting cannot be called for a past day."), code="past")
    if len(place) > 120 or len(topic) > 200:
        raise DomainError(_("The place or topic is too long."), code="too_long")
    meeting = Meeting.objects.create(
        conference=conference,
        kind=kind,
        origin=MeetingOrigin.AD_HOC,
        scheduled_at=scheduled_at,
        place=place.strip() or conference.default_place,
        topic=topic.strip(),
        notice_on=max(today, schedule.notice_day(day, conference.notice_lead_days)),
        created_by=user,
    )
    if meeting.notice_on <= today:
        _send_notices(meeting)
    return meeting


def _send_notices(meeting: Meeting) -> int:
    conference = meeting.conference
    when = timezone.localtime(meeting.scheduled_at)
    message = _("%(conference)s: %(kind)s on %(when)s, %(place)s") % {
        "conference": conference.name,
        "kind": meeting.get_kind_display(),
        "when": when.strftime("%Y-%m-%d %H:%M"),
        "place": meeting.place or _("place to be announced"),
    }
    sent = 0
    for member in Member.objects.filter(conference=conference, left_on__isnull=True).select_related("unit"):
        _notify(
            key=f"meeting:{meeting.pk}:{when:%Y%m%d%H%M}:unit:{member.unit_id}",
            kind=NoticeKind.MEETING,
            conference=conference,
            message=message,
            link=page_link("meeting", meeting.pk),
            unit=member.unit,
        )
        sent += 1
    meeting.status = MeetingStatus.NOTIFIED
    meeting.notices_sent_at = timezone.now()
    _bump(meeting, "status", "notices_sent_at")
    return sent


@transaction.atomic
def meeting_notify(*, meeting_id: int, user: User | None) -> int:
    """Send the notice to every member unit now. ``user`` None is the sweeper at the lead time."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if user is not None:
        conference = _visible_conference(user, meeting.conference_id)
        _require_secretariat(user, conference)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.NOTIFIED):
        raise DomainError(_("Only a meeting still to come can be notified."), code="not_planned")
    if meeting.scheduled_at < timezone.now() - dt.timedelta(hours=12):
        raise DomainError(_("This meeting is already past."), code="past")
    return _send_notices(meeting)


@transaction.atomic
def meeting_cancel(
    *, meeting_id: int, user: User, reason: str, expected_version: int | None = None
) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    conference = _visible_conference(user, meeting.conference_id)
    _require_secretariat(user, conference)
    _check_version(meeting, expected_version)
    reason = _text(reason, _("Say why the meeting is cancelled."), max_length=200)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.NOTIFIED):
        raise DomainError(_("Only a meeting still to come can be cancelled."), code="not_planned")
    was_notified = meeting.status == MeetingStatus.NOTIFIED
    _cancel(meeting, reason)
    if was_notified:
        for member in Member.objects.filter(conference=conference, left_on__isnull=True):
            _notify(
                key=f"meeting:{meeting.pk}:cancelled:unit:{member.unit_id}",
                kind=NoticeKind.MEETING,
                conference=conference,
                message=_("%(conference)s: the meeting of %(day)s is cancelled (%(reason)s).")
                % {
                    "conference": conference.name,
                    "day": timezone.localdate(meeting.scheduled_at).isoformat(),
                    "reason": reason,
                },
                link=page_link("meeting", meeting.pk),
                unit=member.unit,
            )
    return meeting


@dataclass(frozen=True)
class AttendanceEntry:
    unit_id: int
    status: str
    attendee: str = ""
    absence_reason: str = ""


@transaction.atomic
def meeting_hold(
    *,
    meeting_id: int,
    user: User,
    held_at: dt.datetime,
    chair: User | None,
    attendance: Sequence[AttendanceEntry],
    expected_version: int | None = None,
) -> Meeting:
    """The meeting took place: who chaired, who came for each member unit, who was absent and why."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    conference = _visible_conference(user, meeting.conference_id)
    _require_secretariat(user, conference)
    _check_version(meeting, expected_version)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.NOTIFIED):
        raise DomainError(_("This meeting is already held or cancelled."), code="not_planned")
    if held_at is None:
        raise DomainError(_("Give the time the meeting was held."), code="required")
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("A meeting can be recorded as held only once it has taken place."), code="future")
    convenors = set(
        Participant.objects.filter(
            conference=conference, role=ParticipantRole.CONVENOR, ended_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    if chair is None or (convenors and chair.pk not in convenors):
        raise DomainError(_("The meeting is chaired by a convenor; choose one."), code="chair")
    members = set(
        Member.objects.filter(conference=conference, left_on__isnull=True).values_list("unit_id", flat=True)
    )
    seen: set[int] = set()
    for entry in attendance:
        if entry.unit_id not in members:
            raise DomainError(_("Attendance can be recorded for member units only."), code="not_member")
        if entry.unit_id in seen:
            raise DomainError(_("A member unit is listed twice."), code="twice")
        seen.add(entry.unit_id)
        if entry.status not in AttendanceStatus.values:
            raise DomainError(_("Choose whether the unit attended."), code="status")
        if entry.status == AttendanceStatus.ABSENT and not entry.absence_reason.strip():
            raise DomainError(_("Give the reason for each absence."), code="absence_reason")
        if entry.status in (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY) and not entry.attendee.strip():
            raise DomainError(_("Name who attended for each unit present."), code="attendee")
        if len(entry.attendee) > 80 or len(entry.absence_reason) > 200:
            raise DomainError(_("A name or reason is too long."), code="too_long")
    if seen != members:
        raise DomainError(_("Record the attendance of every member unit."), code="incomplete")
    for entry in attendance:
        Attendance.objects.create(
            meeting=meeting,
            unit_id=entry.unit_id,
            status=entry.status,
            attendee=entry.attendee.strip(),
            absence_reason=entry.absence_reason.strip() if entry.status == AttendanceStatus.ABSENT else "",
            recorded_by=user,
        )
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    meeting.chair = chair
    _bump(meeting, "status", "held_at", "chair")
    return meeting


# --- agenda -----------------------------------------------------------------------------------------


def _next_position(conference: JointConference) -> int:
    top = conference.items.aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _proposable_petitions(user: User, conference: JointConference, petition_ids: list[int]) -> list[Petition]:
    if len(set(petition_ids)) != len(petition_ids):
        raise DomainError(_("A petition is listed twice."), code="twice")
    found = {p.pk: p for p in visible_petitions(user).filter(pk__in=petition_ids).select_related("place")}
    missing = [pk for pk in petition_ids if pk not in found]
    if missing:
        raise scoping.OutOfJurisdiction(_("This petition is outside your jurisdiction."))
    petitions = [found[pk] for pk in petition_ids]
    for petition in petitions:
        if petition.state not in OPEN_STATES:
            raise DomainError(
                _("%(number)s is no longer in handling.") % {"number": petition.number}, code="not_open"
            )
        if petition.petition_type == PetitionType.ACCUSATION:
            # Accusations (检举控告) stay confidential: never before a table of several units.
            raise DomainError(
                _("%(number)s is an accusation; it is handled by discipline inspection, not a conference.")
                % {"number": petition.number},
                code="accusation",
            )
        if not petition.place.is_within(conference.area):
            raise DomainError(
                _("%(number)s concerns a place outside %(area)s.")
                % {"number": petition.number, "area": conference.area.name},
                code="outside",
            )
        holding = (
            ItemPetition.objects.filter(petition=petition, item__status__in=HOLDING_STATUSES)
            .select_related("item__conference")
            .first()
        )
        if holding is not None:
            raise DomainError(
                _("%(number)s is already before %(conference)s.")
                % {"number": petition.number, "conference": holding.item.conference.name},
                code="already_on_agenda",
            )
    return petitions


@transaction.atomic
def agenda_item_propose(
    *,
    user: Any,
    conference_id: int,
    title: str,
    reasons: str,
    petition_ids: list[int],
    source: str,
    dispute_units: list[int] | None = None,
) -> AgendaItem:
    """Bring a matter to the conference: a petition a unit cannot solve alone (``petition``), a group of
    petitions on one matter (``common_issue``) or an Art. 24 competence dispute (``dispute``, with the
    ids of at least two units in ``dispute_units``). The secretariat then accepts or returns it."""
    conference = _visible_conference(user, conference_id, lock=True)
    _require_active(conference)
    unit = access.proposing_unit(user, conference)
    if unit is None:
        raise DomainError(
            _("Only staff of the conference's area or of its member units may propose items."), code="role"
        )
    if source not in PROPOSABLE_SOURCES:
        raise DomainError(_("Choose where the item comes from."), code="source")
    title = _text(title, _("Give the item a title."), max_length=200)
    reasons = _text(reasons, _("Say why one unit cannot solve this alone."), max_length=4000)
    petition_ids = [int(pk) for pk in petition_ids or []]
    if source == ItemSource.PETITION and not petition_ids:
        raise DomainError(_("Name the petition the item is about."), code="petitions")
    if source == ItemSource.COMMON_ISSUE and len(set(petition_ids)) < 2:
        raise DomainError(_("A common issue groups at least two petitions."), code="petitions")
    candidates: list[Unit] = []
    if source == ItemSource.DISPUTE:
        ids = list(dict.fromkeys(int(pk) for pk in dispute_units or []))
        candidates = list(Unit.objects.filter(pk__in=ids))
        if len(ids) < 2 or len(candidates) != len(ids):
            raise DomainError(_("Name at least two units that dispute the matter."), code="dispute_units")
        for candidate in candidates:
            _within_area(conference, candidate, _not_in_area(candidate, conference))
    elif dispute_units:
        raise DomainError(_("Units in dispute are named only for a dispute."), code="dispute_units")
    petitions = _proposable_petitions(user, conference, petition_ids)
    item = AgendaItem.objects.create(
        conference=conference,
        title=title,
        reasons=reasons,
        source=source,
        proposing_unit=unit,
        proposed_by=user,
        position=_next_position(conference),
    )
    for petition in petitions:
        ItemPetition.objects.create(item=item, petition=petition)
    if candidates:
        dispute = Dispute.objects.create(item=item)
        dispute.candidates.set(candidates)
    events.petitions_append(
        petition_ids=[p.pk for p in petitions],
        action=events.PROPOSED,
        actor=user,
        actor_unit=unit,
        reason=_("%(unit)s brought it to %(conference)s: %(title)s")
        % {"unit": unit.name, "conference": conference.name, "title": title},
        payload={"conference": conference.pk, "item": item.pk},
    )
    notify_people(
        conference=conference,
        key=f"item:{item.pk}",
        kind=NoticeKind.ITEM,
        message=_("New agenda item from %(unit)s: %(title)s") % {"unit": unit.name, "title": title},
        link=page_link("item", item.pk),
        roles=[ParticipantRole.SECRETARIAT],
    )
    return item


def _locked_item(user: User, item_id: int) -> tuple[AgendaItem, JointConference]:
    item = selectors.get_visible_item(user, item_id)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    conference = JointConference.objects.select_related("area").get(pk=item.conference_id)
    return item, conference


def _meeting_for(conference: JointConference, meeting_id: int | None) -> Meeting | None:
    if meeting_id is None:
        return None
    meeting = selectors.open_meetings(conference).filter(pk=meeting_id).first()
    if meeting is None:
        raise DomainError(_("Choose a meeting of this conference that is still to come."), code="meeting")
    return meeting


@transaction.atomic
def agenda_item_accept(
    *,
    item_id: int,
    user: User,
    meeting_id: int | None = None,
    position: int | None = None,
    expected_version: int | None = None,
) -> AgendaItem:
    """列入议题: the secretariat takes the item on the agenda, optionally on a meeting at a position."""
    item, conference = _locked_item(user, item_id)
    _require_secretariat(user, conference)
    _check_version(item, expected_version)
    if item.status != ItemStatus.PROPOSED:
        raise DomainError(_("Only a proposed item can be accepted."), code="not_proposed")
    item.meeting = _meeting_for(conference, meeting_id)
    if position is not None:
        if not 1 <= position <= 999:
            raise DomainError(_("The order must be between 1 and 999."), code="position")
        item.position = position
    item.status = ItemStatus.ACCEPTED
    item.accepted_by = user
    item.accepted_at = timezone.now()
    _bump(item, "status", "meeting", "position", "accepted_by", "accepted_at")
    escalation = Escalation.objects.filter(upper_item=item).first()
    if escalation is not None:
        escalation.status = EscalationStatus.ACCEPTED
        escalation.save(update_fields=["status"])
        _notify_lower(escalation, _("%(conference)s took the escalated item on its agenda: %(title)s"))
    return item


@transaction.atomic
def agenda_item_schedule(
    *,
    item_id: int,
    user: User,
    meeting_id: int | None,
    position: int | None = None,
    expected_version: int | None = None,
) -> AgendaItem:
    """Put an accepted item on a meeting (or take it off, ``meeting_id`` None) at a place in the order."""
    item, conference = _locked_item(user, item_id)
    _require_secretariat(user, conference)
    _check_version(item, expected_version)
    if item.status != ItemStatus.ACCEPTED:
        raise DomainError(_("Only an accepted item can be scheduled."), code="not_accepted")
    if hasattr(item, "decision"):
        raise DomainError(_("A decision is already drafted for this item."), code="drafted")
    item.meeting = _meeting_for(conference, meeting_id)
    if position is not None:
        if not 1 <= position <= 999:
            raise DomainError(_("The order must be between 1 and 999."), code="position")
        item.position = position
    _bump(item, "meeting", "position")
    return item


@transaction.atomic
def agenda_item_return(
    *, item_id: int, user: User, reason: str, expected_version: int | None = None
) -> AgendaItem:
    """退回: not a matter for the conference (e.g. one unit can solve it), with the reason."""
    item, conference = _locked_item(user, item_id)
    _require_secretariat(user, conference)
    _check_version(item, expected_version)
    reason = _text(reason, _("Say why the item is returned."), max_length=300)
    if item.status not in (ItemStatus.PROPOSED, ItemStatus.ACCEPTED) or hasattr(item, "decision"):
        raise DomainError(_("Only an item not yet decided can be returned."), code="not_open")
    item.status = ItemStatus.RETURNED
    item.return_reason = reason
    item.meeting = None
    _bump(item, "status", "return_reason", "meeting")
    events.petitions_append(
        petition_ids=item.petition_links.values_list("petition_id", flat=True),
        action=events.RETURNED,
        actor=user,
        actor_unit=_actor_unit(user, conference),
        reason=reason,
        payload={"conference": conference.pk, "item": item.pk},
    )
    _notify(
        key=f"item:{item.pk}:returned:unit:{item.proposing_unit_id}",
        kind=NoticeKind.ITEM,
        conference=conference,
        message=_("%(conference)s returned “%(title)s”: %(reason)s")
        % {"conference": conference.name, "title": item.title, "reason": reason},
        link=page_link("item", item.pk),
        unit=item.proposing_unit,
    )
    escalation = Escalation.objects.filter(upper_item=item).select_for_update().first()
    if escalation is not None:
        # The lower conference has the matter back and must decide it itself.
        escalation.status = EscalationStatus.RETURNED
        escalation.save(update_fields=["status"])
        lower = AgendaItem.objects.select_for_update().get(pk=escalation.from_item_id)
        lower.status = ItemStatus.ACCEPTED
        _bump(lower, "status")
        _notify_lower(escalation, _("%(conference)s returned the escalated item: %(title)s"))
    return item


# --- escalation -------------------------------------------------------------------------------------


def _notify_lower(escalation: Escalation, template: str) -> None:
    upper = escalation.upper_item
    lower_conference = escalation.from_item.conference
    notify_people(
        conference=lower_conference,
        key=f"escalation:{escalation.pk}:{escalation.status}",
        kind=NoticeKind.ESCALATION,
        message=template % {"conference": upper.conference.name, "title": upper.title},
        link=page_link("escalation", escalation.pk),
        roles=ALL_PARTICIPANTS,
    )


@transaction.atomic
def agenda_item_escalate(
    *,
    item_id: int,
    user: User,
    reason: str,
    documents: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> Escalation:
    """上报: what this level cannot solve goes to the nearest conference above, with reason and documents.
    The lower item waits (``escalated``) and follows the upper item; the upper decision binds it."""
    item, conference = _locked_item(user, item_id)
    _require_secretariat(user, conference)
    _check_version(item, expected_version)
    reason = _text(reason, _("Say why this level cannot solve the matter."), max_length=4000)
    if item.status != ItemStatus.ACCEPTED or hasattr(item, "decision"):
        raise DomainError(_("Only an accepted item not yet decided can be escalated."), code="not_accepted")
    upper = selectors.parent_conference(conference)
    if upper is None:
        raise DomainError(
            _("There is no conference above %(area)s; report to the Party committee and government.")
            % {"area": conference.area.name},
            code="no_upper",
        )
    _check_uploads(documents)
    today = timezone.localdate()
    upper_item = AgendaItem.objects.create(
        conference=upper,
        title=item.title,
        reasons=reason,
        source=ItemSource.ESCALATION,
        proposing_unit=conference.area,
        proposed_by=user,
        position=_next_position(upper),
    )
    petition_ids = list(item.petition_links.values_list("petition_id", flat=True))
    for petition_id in petition_ids:
        ItemPetition.objects.create(item=upper_item, petition_id=petition_id)
    escalation = Escalation.objects.create(
        from_item=item,
        upper_item=upper_item,
        reason=reason,
        due_on=today + dt.timedelta(days=upper.escalation_days),
        escalated_by=user,
    )
    _store(documents, user=user, escalation=escalation)
    item.status = ItemStatus.ESCALATED
    item.meeting = None
    _bump(item, "status", "meeting")
    events.petitions_append(
        petition_ids=petition_ids,
        action=events.ESCALATED,
        actor=user,
        actor_unit=_actor_unit(user, conference),
        reason=_("Escalated from %(lower)s to %(upper)s: %(reason)s")
        % {"lower": conference.name, "upper": upper.name, "reason": reason},
        payload={"conference": upper.pk, "item": upper_item.pk, "escalation": escalation.pk},
    )
    notify_people(
        conference=upper,
        key=f"escalation:{escalation.pk}:in",
        kind=NoticeKind.ESCALATION,
        message=_("%(lower)s escalated an item: %(title)s") % {"lower": conference.name, "title": item.title},
        link=page_link("item", upper_item.pk),
        roles=[ParticipantRole.SECRETARIAT],
    )
    return escalation


# --- minutes and decisions ------------------------------------------------------------------------


def _locked_minutes(user: User, minutes_id: int) -> tuple[Minutes, JointConference]:
    minutes = selectors.get_visible_minutes(user, minutes_id)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    conference = JointConference.objects.select_related("area").get(pk=minutes.conference_id)
    return minutes, conference


@transaction.atomic
def minutes_draft(
    *,
    meeting_id: int,
    user: User,
    summary: str,
    distribution: str = "",
    expected_version: int | None = None,
) -> Minutes:
    """Write or rewrite the draft minutes of a held meeting (until the convenor approves them)."""
    meeting = selectors.get_visible_meeting(user, meeting_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    conference = JointConference.objects.get(pk=meeting.conference_id)
    _require_secretariat(user, conference)
    if meeting.status != MeetingStatus.HELD:
        raise DomainError(_("Minutes are written for a meeting that was held."), code="not_held")
    summary = _text(summary, _("Summarise the meeting."), max_length=8000)
    if len(distribution) > 300:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": 300}, code="too_long")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        return Minutes.objects.create(
            conference=conference,
            meeting=meeting,
            summary=summary,
            distribution=distribution.strip(),
            drafted_by=user,
        )
    if minutes.status != MinutesStatus.DRAFT:
        raise DomainError(_("Approved minutes cannot be changed."), code="approved")
    _check_version(minutes, expected_version)
    minutes.summary = summary
    minutes.distribution = distribution.strip()
    minutes.drafted_by = user
    minutes.drafted_at = timezone.now()
    _bump(minutes, "summary", "distribution", "drafted_by", "drafted_at")
    return minutes


@dataclass
class DecisionData:
    statement: str
    measures: str
    lead_unit: Unit | None
    due_on: dt.date | None
    funding: str = Funding.NONE
    funding_reference: str = ""
    budget_amount: Decimal | None = None
    cooperating_units: Sequence[Unit] = ()


def _check_decision(conference: JointConference, meeting: Meeting, data: DecisionData) -> DecisionData:
    data.statement = _text(data.statement, _("Write what the conference decided."), max_length=4000)
    data.measures = _text(data.measures, _("Write the measures to be taken."), max_length=4000)
    _within_area(conference, data.lead_unit, _("The lead unit must be a unit of the conference's area."))
    assert data.lead_unit is not None
    seen = {data.lead_unit.pk}
    for unit in data.cooperating_units:
        _within_area(conference, unit, _not_in_area(unit, conference))
        if unit.pk in seen:
            raise DomainError(
                _("%(unit)s is named twice among the units.") % {"unit": unit.name}, code="twice"
            )
        seen.add(unit.pk)
    if data.funding not in Funding.values:
        raise DomainError(_("Choose how the measures are funded."), code="funding")
    data.funding_reference = (data.funding_reference or "").strip()
    if data.funding in FUNDING_NEEDS_REFERENCE and not data.funding_reference:
        raise DomainError(_("Name the project or fund."), code="funding_reference")
    if len(data.funding_reference) > 200:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": 200}, code="too_long")
    if data.budget_amount is not None and not Decimal(0) <= data.budget_amount < Decimal("1e12"):
        raise DomainError(_("The budget must be a positive amount in yuan."), code="budget")
    if data.due_on is None:
        raise DomainError(_("Give the due date."), code="required")
    held_on = timezone.localdate(meeting.held_at) if meeting.held_at else timezone.localdate()
    if data.due_on < held_on:
        raise DomainError(_("The due date cannot be before the meeting."), code="due_on")
    return data


@transaction.atomic
def decision_record(
    *,
    minutes_id: int,
    item_id: int,
    user: User,
    data: DecisionData,
    expected_version: int | None = None,
) -> Decision:
    """议定事项 for one item of the meeting, in the draft minutes (rewritten freely until approval)."""
    minutes, conference = _locked_minutes(user, minutes_id)
    _require_secretariat(user, conference)
    if minutes.status != MinutesStatus.DRAFT:
        raise DomainError(_("Approved minutes cannot be changed."), code="approved")
    item = AgendaItem.objects.select_for_update().filter(pk=item_id, meeting_id=minutes.meeting_id).first()
    if item is None or item.status != ItemStatus.ACCEPTED:
        raise DomainError(_("Choose an item that was on this meeting's agenda."), code="item")
    data = _check_decision(conference, minutes.meeting, data)
    decision = Decision.objects.select_for_update().filter(item=item).first()
    fields = {
        "statement": data.statement,
        "measures": data.measures,
        "lead_unit": data.lead_unit,
        "funding": data.funding,
        "funding_reference": data.funding_reference,
        "budget_amount": data.budget_amount,
        "due_on": data.due_on,
    }
    if decision is None:
        decision = Decision.objects.create(minutes=minutes, item=item, **fields)
    else:
        _check_version(decision, expected_version)
        for name, value in fields.items():
            setattr(decision, name, value)
        _bump(decision)
    decision.cooperating_units.set(data.cooperating_units)
    return decision


def _minutes_number(conference: JointConference, year: int, sequence: int) -> str:
    """会议纪要 number, e.g. 杨庙信联纪〔2026〕3号 (党政联席会议: 杨庙党政纪〔2026〕3号)."""
    code = "党政纪" if conference.form == ConferenceForm.PARTY_GOVERNMENT else "信联纪"
    return f"{area_short_name(conference.area)}{code}〔{year}〕{sequence}号"


@transaction.atomic
def minutes_approve(*, minutes_id: int, user: User, expected_version: int | None = None) -> Minutes:
    """The convenor signs off the minutes: every decision in them binds and becomes tracked work."""
    minutes, conference = _locked_minutes(user, minutes_id)
    _require_convenor(user, conference)
    _check_version(minutes, expected_version)
    if minutes.status != MinutesStatus.DRAFT:
        raise DomainError(_("These minutes are already approved."), code="approved")
    JointConference.objects.select_for_update().filter(pk=conference.pk).first()  # serialises numbering
    meeting = minutes.meeting
    year = timezone.localdate(meeting.held_at or timezone.now()).year
    last = Minutes.objects.filter(conference=conference, year=year).aggregate(top=Max("sequence"))["top"]
    minutes.year, minutes.sequence = year, (last or 0) + 1
    minutes.number = _minutes_number(conference, year, minutes.sequence)
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_by = user
    minutes.approved_at = timezone.now()
    _bump(minutes, "year", "sequence", "number", "status", "approved_by", "approved_at")
    for decision in Decision.objects.select_for_update().filter(minutes=minutes).select_related("item"):
        _bind(decision, minutes=minutes, conference=conference, user=user)
    # Items the meeting did not settle stay on the agenda for the next meeting.
    _release_items(meeting)
    return minutes


def _bind(decision: Decision, *, minutes: Minutes, conference: JointConference, user: User) -> None:
    decision.status = DecisionStatus.BINDING
    decision.bound_at = timezone.now()
    _bump(decision, "status", "bound_at")
    units = [(decision.lead_unit, TaskRole.LEAD)] + [
        (unit, TaskRole.COOPERATING) for unit in decision.cooperating_units.all()
    ]
    for unit, role in units:
        DecisionTask.objects.create(decision=decision, unit=unit, role=role)
        _notify(
            key=f"task:{decision.pk}:unit:{unit.pk}",
            kind=NoticeKind.TASK,
            conference=conference,
            message=_("%(conference)s decided (%(role)s, due %(due)s): %(statement)s")
            % {
                "conference": conference.name,
                "role": TaskRole(role).label,
                "due": decision.due_on.isoformat(),
                "statement": decision.statement,
            },
            link=page_link("decision", decision.pk),
            unit=unit,
        )
    item = decision.item
    item.status = ItemStatus.DECIDED
    _bump(item, "status")
    dispute = Dispute.objects.filter(item=item).first()
    if dispute is not None:
        dispute.decided_unit = decision.lead_unit
        dispute.decided_by = user
        dispute.decided_at = timezone.now()
        dispute.decision_text = decision.statement
        dispute.save(update_fields=["decided_unit", "decided_by", "decided_at", "decision_text"])
    escalation = Escalation.objects.filter(upper_item=item).select_related("from_item").first()
    if escalation is not None:
        # The upper decision flows back down and binds the lower item.
        escalation.status = EscalationStatus.DECIDED
        escalation.save(update_fields=["status"])
        _bind_below(escalation.from_item, decision)
        _notify_lower(escalation, _("%(conference)s decided the escalated item: %(title)s"))
    petition_ids = selectors.decision_petition_ids(decision)
    cooperating = "、".join(unit.name for unit, role in units if role == TaskRole.COOPERATING)
    locked = events.petitions_append(
        petition_ids=petition_ids,
        action=events.DECIDED,
        actor=user,
        actor_unit=conference.area,
        reason=_("%(number)s: %(statement)s Lead unit: %(lead)s. Cooperating: %(cooperating)s. Due %(due)s.")
        % {
            "number": minutes.number,
            "statement": decision.statement,
            "lead": decision.lead_unit.name,
            "cooperating": cooperating or "—",
            "due": decision.due_on.isoformat(),
        },
        payload={"conference": conference.pk, "decision_id": decision.pk, "minutes": minutes.number},
    )
    for petition in locked:
        for unit, _role in units:
            petition_services.link_unit(petition=petition, unit=unit, role=LinkRole.CONFERENCE)


def _bind_below(item: AgendaItem, decision: Decision) -> None:
    """An escalated item (and any it came from further down) is bound by the upper decision."""
    lower = AgendaItem.objects.select_for_update().get(pk=item.pk)
    lower.status = ItemStatus.DECIDED_ABOVE
    lower.binding_decision = decision
    _bump(lower, "status", "binding_decision")
    below = Escalation.objects.filter(upper_item=lower).select_related("from_item").first()
    if below is not None:
        below.status = EscalationStatus.DECIDED
        below.save(update_fields=["status"])
        _bind_below(below.from_item, decision)
        _notify_lower(below, _("%(conference)s: the matter was decided further up: %(title)s"))


def _locked_decision(user: User, decision_id: int) -> tuple[Decision, JointConference]:
    decision = selectors.get_visible_decision(user, decision_id)
    decision = Decision.objects.select_for_update().select_related("item", "lead_unit").get(pk=decision.pk)
    conference = JointConference.objects.select_related("area").get(pk=decision.item.conference_id)
    return decision, conference


def _task_unit(user: User, decision: Decision) -> Unit | None:
    acting = access.acting_unit_ids(user)
    for task in decision.tasks.select_related("unit").order_by("-role", "pk"):  # the lead unit first
        if task.unit_id in acting or scoping.sees_everything(user):
            return task.unit
    return None


@transaction.atomic
def decision_report_progress(*, decision_id: int, user: User, text: str) -> ProgressReport:
    decision, conference = _locked_decision(user, decision_id)
    unit = _task_unit(user, decision)
    if unit is None and access.is_secretariat(user, conference):
        unit = conference.office_unit or conference.area
    if unit is None:
        raise DomainError(_("Only the units named in the decision report on it."), code="role")
    if decision.status != DecisionStatus.BINDING:
        raise DomainError(_("Only a binding decision still in progress takes reports."), code="not_binding")
    text = _text(text, _("Describe the progress."), max_length=4000)
    return ProgressReport.objects.create(decision=decision, unit=unit, text=text, by=user)


@transaction.atomic
def decision_complete(
    *,
    decision_id: int,
    user: User,
    result: str,
    evidence: Sequence[UploadedFile],
    done_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """The lead unit reports the decision carried out, with evidence. The petitions it answers move on:
    each handling unit gets a reminder and a timeline row, and the written reply can be issued from here."""
    decision, conference = _locked_decision(user, decision_id)
    lead = access.acts_for(user, decision.lead_unit)
    if not (lead or access.is_secretariat(user, conference)):
        raise DomainError(_("Only the lead unit or the secretariat reports a decision done."), code="role")
    _check_version(decision, expected_version)
    if decision.status != DecisionStatus.BINDING:
        raise DomainError(_("Only a binding decision in progress can be reported done."), code="not_binding")
    result = _text(result, _("Describe what was done."), max_length=4000)
    if not evidence:
        raise DomainError(
            _("Attach the evidence (acceptance report, photos, payment records)."), code="evidence"
        )
    _check_uploads(evidence)
    done_on = done_on or timezone.localdate()
    _not_future(done_on)
    if decision.bound_at is not None and done_on < timezone.localdate(decision.bound_at):
        raise DomainError(_("The decision cannot be done before it was made."), code="before")
    _store(evidence, user=user, decision=decision)
    decision.status = DecisionStatus.DONE
    decision.result = result
    decision.done_on = done_on
    decision.done_by = user
    _bump(decision, "status", "result", "done_on", "done_by")
    unit = decision.lead_unit if lead else (conference.office_unit or conference.area)
    ProgressReport.objects.create(decision=decision, unit=unit, text=result, by=user, is_completion=True)
    item_ids = [decision.item_id, *decision.bound_items.values_list("pk", flat=True)]
    for item in AgendaItem.objects.select_for_update().filter(pk__in=item_ids):
        item.status = ItemStatus.DONE
        _bump(item, "status")
    for escalation in Escalation.objects.filter(upper_item_id__in=item_ids):
        escalation.status = EscalationStatus.RESOLVED
        escalation.resolved_at = timezone.now()
        escalation.save(update_fields=["status", "resolved_at"])
        _notify_lower(
            escalation, _("%(conference)s: the decision on the escalated item is carried out: %(title)s")
        )
    locked = events.petitions_append(
        petition_ids=selectors.decision_petition_ids(decision),
        action=events.DONE,
        actor=user,
        actor_unit=unit,
        reason=result,
        payload={"conference": conference.pk, "decision_id": decision.pk, "done_on": done_on.isoformat()},
    )
    for petition in locked:
        Reminder.objects.create(
            unit=petition.current_unit,
            petition=petition,
            kind=Reminder.Kind.CONFERENCE,
            message=(
                _("%(number)s: the conference decision is carried out; give the written reply from it.")
                % {"number": petition.number}
            )[:300],
        )
    notify_people(
        conference=conference,
        key=f"decision:{decision.pk}:done",
        kind=NoticeKind.TASK,
        message=_("Decision carried out: %(statement)s") % {"statement": decision.statement},
        link=page_link("decision", decision.pk),
        roles=[ParticipantRole.CONVENOR],
    )
    return decision


def reply_step(petition: Petition) -> str | None:
    """The petition service the next click on a done decision calls for this petition, if any."""
    if petition.state == State.IN_HANDLING:
        return "issue_opinion"
    if petition.state in (State.OPINION_ISSUED, State.SUGGESTION_STUDY, State.DUTY_PERFORMANCE):
        return "deliver_reply"
    return None


def may_reply(user: User, petition: Petition) -> bool:
    """Whether the user's seat allows the next reply step on the petition (the petition service decides)."""
    from xinfang.petitions.lifecycle import TRANSITIONS

    step = reply_step(petition)
    if step is None:
        return False
    transition = TRANSITIONS[step]
    return scoping.sees_everything(user) or bool(
        petition_services.acting_membership(user, [petition.current_unit], transition.roles)
    )


def reply_texts(decision: Decision) -> dict[str, str]:
    """What the written reply says, taken from the decision and its result (Chinese, as issued)."""
    minutes = decision.minutes
    conference = decision.item.conference
    reasons = (
        f"经{conference.name}研究（{minutes.number}），议定：{decision.statement}"
        f"落实措施：{decision.measures}"
    )
    if decision.funding_reference:
        reasons += f"资金渠道：{decision.funding_reference}。"
    return {"facts_found": decision.result, "reasons": reasons, "legal_basis": LEGAL_BASIS}


@transaction.atomic
def decision_reply(
    *,
    decision_id: int,
    petition_id: int,
    user: User,
    method: str = DeliveryMethod.IN_PERSON,
    expected_version: int | None = None,
) -> Petition:
    """One click from a done decision: the next step of the written reply on one of its petitions.

    A petition in handling gets its handling opinion (支持, Art. 32) written from the decision's result;
    one whose opinion is issued (or a suggestion or duty matter) gets the reply recorded as delivered
    today. The petition services check the state and the handler's role as always.
    """
    decision = selectors.get_visible_decision(user, decision_id)
    if decision.status != DecisionStatus.DONE:
        raise DomainError(_("The reply follows once the decision is carried out."), code="not_done")
    if petition_id not in selectors.decision_petition_ids(decision):
        raise DomainError(_("This petition is not answered by the decision."), code="not_linked")
    petition = get_visible_petition(user, petition_id)
    step = reply_step(petition)
    texts = reply_texts(decision)
    if step == "issue_opinion":
        return petition_services.petition_issue_opinion(
            petition_id=petition.pk,
            user=user,
            decision=OpinionDecision.SUPPORT,
            facts_found=texts["facts_found"],
            reasons=texts["reasons"],
            legal_basis=texts["legal_basis"],
            expected_version=expected_version,
        )
    if step == "deliver_reply":
        return petition_services.petition_deliver_reply(
            petition_id=petition.pk,
            user=user,
            delivered_on=timezone.localdate(),
            method=method,
            reply_text=f"{texts['reasons']}{texts['facts_found']}",
            expected_version=expected_version,
        )
    raise DomainError(
        _("%(number)s is “%(state)s”: no written reply is due from here.")
        % {"number": petition.number, "state": State(petition.state).label},
        code="not_ready",
    )


# --- supervision --------------------------------------------------------------------------------------


@transaction.atomic
def supervision_measure_issue(
    *,
    conference_id: int,
    user: User,
    unit: Unit,
    kind: str,
    reason: str,
    issued_on: dt.date | None = None,
    decision_id: int | None = None,
    item_id: int | None = None,
) -> SupervisionMeasure:
    """约谈, 通报 or 挂牌督办 against a unit of the area (Art. 39 ¶3), by a convenor."""
    conference = _visible_conference(user, conference_id, lock=True)
    _require_convenor(user, conference)
    if kind not in MeasureKind.values:
        raise DomainError(_("Choose admonition talk, criticism notice or listed supervision."), code="kind")
    _within_area(conference, unit, _("A measure is taken against a unit of the conference's area."))
    reason = _text(reason, _("Give the reason for the measure."), max_length=4000)
    issued_on = issued_on or timezone.localdate()
    _not_future(issued_on)
    decision = item = None
    if decision_id is not None:
        decision = Decision.objects.filter(pk=decision_id, item__conference=conference).first()
        if decision is None:
            raise DomainError(_("Choose a decision of this conference."), code="decision")
    if item_id is not None:
        item = AgendaItem.objects.filter(pk=item_id, conference=conference).first()
        if item is None:
            raise DomainError(_("Choose an agenda item of this conference."), code="item")
    measure = SupervisionMeasure.objects.create(
        conference=conference,
        unit=unit,
        kind=kind,
        issued_on=issued_on,
        reason=reason,
        issued_by=user,
        decision=decision,
        item=item,
    )
    label = MeasureKind(kind).label
    _notify(
        key=f"measure:{measure.pk}",
        kind=NoticeKind.MEASURE,
        conference=conference,
        message=_("%(conference)s: %(kind)s against %(unit)s: %(reason)s")
        % {"conference": conference.name, "kind": label, "unit": unit.name, "reason": reason},
        link=page_link("conference", conference.pk),
        unit=unit,
    )
    petition_ids: set[int] = set()
    if decision is not None:
        petition_ids.update(selectors.decision_petition_ids(decision))
    if item is not None:
        petition_ids.update(item.petition_links.values_list("petition_id", flat=True))
    events.petitions_append(
        petition_ids=petition_ids,
        action=events.MEASURE,
        actor=user,
        actor_unit=conference.area,
        reason=_("%(kind)s against %(unit)s: %(reason)s")
        % {"kind": label, "unit": unit.name, "reason": reason},
        payload={"conference": conference.pk, "measure": measure.pk, "kind": kind},
    )
    return measure


@transaction.atomic
def supervision_measure_lift(
    *, measure_id: int, user: User, reason: str, lifted_on: dt.date | None = None
) -> SupervisionMeasure:
    """End a measure (e.g. 摘牌 once the listed matter is solved). The measure itself stays on record."""
    measure = SupervisionMeasure.objects.select_for_update().get(pk=measure_id)
    conference = _visible_conference(user, measure.conference_id)
    _require_convenor(user, conference)
    if measure.lifted_on is not None:
        raise DomainError(_("This measure is already lifted."), code="lifted")
    reason = _text(reason, _("Give the reason for lifting the measure."), max_length=300)
    lifted_on = lifted_on or timezone.localdate()
    _not_future(lifted_on)
    if lifted_on < measure.issued_on:
        raise DomainError(_("A measure cannot be lifted before it was taken."), code="before")
    measure.lifted_on = lifted_on
    measure.lifted_by = user
    measure.lift_reason = reason
    measure.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
    return measure


# --- notices ----------------------------------------------------------------------------------------


def notice_read(*, notice_id: int, user: User) -> Notice:
    notice = selectors.unread_notices(user).filter(pk=notice_id).first()
    if notice is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    # A notice is a note to a desk, not part of any record: marking it read is no event.
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    notice.refresh_from_db()
    return notice
