"""Reads of joint conferences. Every list starts from ``visible_conferences`` or the user's own units."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions

from . import access
from .models import (
    OPEN_ITEM_STATUSES,
    AgendaItem,
    Decision,
    DecisionStatus,
    DecisionTask,
    Escalation,
    ItemPetition,
    ItemStatus,
    JointConference,
    Meeting,
    MeetingStatus,
    Member,
    Minutes,
    Notice,
    Participant,
    SupervisionMeasure,
    TaskRole,
)


def visible_conferences(user: Any) -> QuerySet[JointConference]:
    """Conferences of the user's jurisdiction, those they take part in and those their units sit in."""
    qs = JointConference.objects.all()
    if scoping.sees_everything(user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    seats = Member.objects.filter(
        conference=OuterRef("pk"), left_on__isnull=True, unit_id__in=access.acting_unit_ids(user)
    )
    named = Participant.objects.filter(conference=OuterRef("pk"), user=user, ended_at__isnull=True)
    return qs.filter(scoping.jurisdiction_q(user, "area__path") | Q(Exists(seats)) | Q(Exists(named)))


def get_visible_conference(user: Any, pk: int) -> JointConference:
    conference = visible_conferences(user).select_related("area", "office_unit").filter(pk=pk).first()
    if conference is None:
        raise scoping.OutOfJurisdiction(_("This conference is outside your jurisdiction."))
    return conference


def conference_for_unit(unit: Unit) -> JointConference | None:
    """The nearest active conference whose area covers ``unit`` (a village's is its town's)."""
    paths = [*ancestor_paths(unit.path), unit.path]
    return (
        JointConference.objects.filter(is_active=True, area__path__in=paths)
        .select_related("area")
        .order_by("-area__depth")
        .first()
    )


def parent_conference(conference: JointConference) -> JointConference | None:
    """The nearest active conference above this one: where what this level cannot solve goes."""
    paths = ancestor_paths(conference.area.path)
    return (
        JointConference.objects.filter(is_active=True, area__path__in=paths)
        .select_related("area")
        .order_by("-area__depth")
        .first()
    )


def _item_visibility(user: Any) -> Q:
    """Items of visible conferences, the user's own proposals, and upper items of their escalations."""
    if scoping.sees_everything(user):
        return Q()
    conferences = visible_conferences(user).values("pk")
    return (
        Q(conference__in=conferences)
        | Q(proposed_by=user)
        | Q(escalated_from__from_item__conference__in=conferences)
    )


def visible_items(user: Any) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(_item_visibility(user))


def get_visible_item(user: Any, pk: int) -> AgendaItem:
    item = (
        visible_items(user)
        .select_related("conference__area", "proposing_unit", "meeting", "proposed_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise scoping.OutOfJurisdiction(_("This agenda item is outside your jurisdiction."))
    return item


def visible_decisions(user: Any) -> QuerySet[Decision]:
    """Decisions of visible items, and those with a task for one of the user's units."""
    if scoping.sees_everything(user):
        return Decision.objects.all()
    tasks = DecisionTask.objects.filter(decision=OuterRef("pk"), unit_id__in=access.acting_unit_ids(user))
    bound_below = AgendaItem.objects.filter(binding_decision=OuterRef("pk")).filter(_item_visibility(user))
    return Decision.objects.filter(
        Q(item__in=visible_items(user).values("pk")) | Q(Exists(tasks)) | Q(Exists(bound_below))
    )


def get_visible_decision(user: Any, pk: int) -> Decision:
    decision = (
        visible_decisions(user)
        .select_related("item__conference__area", "minutes__meeting", "lead_unit", "done_by")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise scoping.OutOfJurisdiction(_("This decision is outside your jurisdiction."))
    return decision


def get_visible_meeting(user: Any, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(conference__in=visible_conferences(user).values("pk"), pk=pk)
        .select_related("conference__area", "chair")
        .first()
    )
    if meeting is None:
        raise scoping.OutOfJurisdiction(_("This meeting is outside your jurisdiction."))
    return meeting


def get_visible_minutes(user: Any, pk: int) -> Minutes:
    minutes = (
        Minutes.objects.filter(conference__in=visible_conferences(user).values("pk"), pk=pk)
        .select_related("conference__area", "meeting__chair", "approved_by", "drafted_by")
        .first()
    )
    if minutes is None:
        raise scoping.OutOfJurisdiction(_("These minutes are outside your jurisdiction."))
    return minutes


def visible_escalations(user: Any) -> QuerySet[Escalation]:
    """Escalations seen from either end: the lower conference follows its progress above."""
    if scoping.sees_everything(user):
        return Escalation.objects.all()
    conferences = visible_conferences(user).values("pk")
    return Escalation.objects.filter(
        Q(from_item__conference__in=conferences) | Q(upper_item__conference__in=conferences)
    )


def get_visible_escalation(user: Any, pk: int) -> Escalation:
    escalation = (
        visible_escalations(user)
        .select_related(
            "from_item__conference__area",
            "upper_item__conference__area",
            "upper_item__meeting",
            "escalated_by",
        )
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        raise scoping.OutOfJurisdiction(_("This escalation is outside your jurisdiction."))
    return escalation


def visible_measures(user: Any) -> QuerySet[SupervisionMeasure]:
    """Measures of visible conferences, and those taken against one of the user's units."""
    if scoping.sees_everything(user):
        return SupervisionMeasure.objects.all()
    return SupervisionMeasure.objects.filter(
        Q(conference__in=visible_conferences(user).values("pk")) | Q(unit_id__in=access.acting_unit_ids(user))
    )


# --- petitions of an item -------------------------------------------------------------------------


def item_petitions(user: Any, item: AgendaItem) -> tuple[list[Petition], int]:
    """The item's petitions the user may see, and how many others there are (never named)."""
    ids = list(item.petition_links.values_list("petition_id", flat=True))
    shown = list(
        visible_petitions(user)
        .filter(pk__in=ids)
        .select_related("current_unit", "place")
        .order_by("received_at", "pk")
    )
    return shown, len(ids) - len(shown)


def decision_petition_ids(decision: Decision) -> list[int]:
    """Every petition a decision answers: its item's, and those of lower items it binds."""
    items = [decision.item_id, *decision.bound_items.values_list("pk", flat=True)]
    links = ItemPetition.objects.filter(item_id__in=items).values_list("petition_id", flat=True)
    return sorted(set(links))


# --- the workbench panel ---------------------------------------------------------------------------


def open_tasks(user: Any) -> QuerySet[DecisionTask]:
    """Binding decisions one of the user's units must carry out (lead) or help with (cooperating)."""
    qs = DecisionTask.objects.filter(decision__status=DecisionStatus.BINDING)
    if not scoping.sees_everything(user):
        qs = qs.filter(unit_id__in=access.acting_unit_ids(user))
    return qs.select_related("decision__item__conference", "unit").order_by("decision__due_on", "pk")


def secretariat_conferences(user: Any) -> QuerySet[JointConference]:
    if scoping.sees_everything(user):
        return JointConference.objects.filter(is_active=True)
    named = Participant.objects.filter(conference=OuterRef("pk"), user=user, ended_at__isnull=True)
    return JointConference.objects.filter(Exists(named), is_active=True)


def items_to_accept(user: Any) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(
        conference__in=secretariat_conferences(user).values("pk"), status=ItemStatus.PROPOSED
    )


def unread_notices(user: Any) -> QuerySet[Notice]:
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return (
        Notice.objects.filter(read_at__isnull=True)
        .filter(Q(user=user) | Q(unit_id__in=access.acting_unit_ids(user)))
        .select_related("conference", "unit")
        .order_by("-created_at", "-pk")
    )


def task_counts(user: Any) -> dict[str, int]:
    today = timezone.localdate()
    tasks = open_tasks(user)
    counts = tasks.aggregate(
        lead=Count("pk", filter=Q(role=TaskRole.LEAD)),
        cooperating=Count("pk", filter=Q(role=TaskRole.COOPERATING)),
        overdue=Count("pk", filter=Q(decision__due_on__lt=today)),
    )
    counts["to_accept"] = items_to_accept(user).count()
    return counts


# --- conference pages -----------------------------------------------------------------------------


def upcoming_meetings(conference: JointConference) -> QuerySet[Meeting]:
    return conference.meetings.filter(
        status__in=[MeetingStatus.PLANNED, MeetingStatus.NOTIFIED], scheduled_at__gte=timezone.now()
    ).order_by("scheduled_at")


def open_meetings(conference: JointConference) -> QuerySet[Meeting]:
    """Meetings items may still be put on: planned or notified, today or later."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return conference.meetings.filter(
        status__in=[MeetingStatus.PLANNED, MeetingStatus.NOTIFIED], scheduled_at__gte=start
    ).order_by("scheduled_at")


def agenda(conference: JointConference) -> QuerySet[AgendaItem]:
    """Open items: proposed ones waiting for the secretariat, accepted ones in agenda order."""
    return (
        conference.items.filter(status__in=OPEN_ITEM_STATUSES)
        .select_related("proposing_unit", "meeting")
        .order_by("status", "meeting__scheduled_at", "position", "pk")
    )


def overdue_decisions(conference: JointConference) -> QuerySet[Decision]:
    return Decision.objects.filter(
        item__conference=conference, status=DecisionStatus.BINDING, due_on__lt=timezone.localdate()
    ).select_related("lead_unit")


def active_members(conference: JointConference) -> QuerySet[Member]:
    return conference.members.filter(left_on__isnull=True).select_related("unit").order_by("unit__path")


def active_participants(conference: JointConference) -> QuerySet[Participant]:
    return conference.participants.filter(ended_at__isnull=True).select_related("user").order_by("role", "pk")
