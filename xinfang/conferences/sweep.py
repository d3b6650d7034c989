"""The conference sweep (``manage.py sweep_conferences``): what no person has to remember.

One pass (1) creates the rule meetings of every active conference up to the horizon, (2) sends the
notice of each meeting whose lead time has come, (3) flags each binding decision past its due date to
the conference's convenors, once, (4) flags each escalation the upper conference has not decided in
time to the upper convenors, once, and (5) reports each leader case ownership (包案) past its target
date to the office of the conference covering the petition (domain.md §4), once. Accusations are left
out of (5): their number and subject never go to a table of several units.

Safe to run as N processes (design.md): a rule meeting is unique per slot, a notice per key, and the
"flagged" marks are set by a conditional UPDATE only one process can win; on PostgreSQL rows are read
with ``FOR UPDATE SKIP LOCKED`` so sweepers share the work instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.core.errors import DomainError
from xinfang.petitions.models import LeaderCase
from xinfang.petitions.states import OPEN_STATES, PetitionType

from . import selectors, services
from .models import (
    Decision,
    DecisionStatus,
    Escalation,
    EscalationStatus,
    JointConference,
    Meeting,
    MeetingStatus,
    NoticeKind,
    ParticipantRole,
)


@dataclass
class SweepResult:
    scheduled: int = 0
    notified: int = 0
    overdue_decisions: int = 0
    overdue_escalations: int = 0
    overdue_leader_cases: int = 0


def _skip_locked(qs: QuerySet) -> QuerySet:
    if connection.vendor == "postgresql":
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def sweep_once(*, today: dt.date | None = None) -> SweepResult:
    today = today or timezone.localdate()
    result = SweepResult()
    for conference_id in JointConference.objects.filter(is_active=True).values_list("pk", flat=True):
        result.scheduled += len(services.meetings_schedule_rule(conference_id=conference_id, today=today))
    due = Meeting.objects.filter(status=MeetingStatus.PLANNED, notice_on__lte=today).values_list(
        "pk", flat=True
    )
    for meeting_id in list(due):
        try:
            services.meeting_notify(meeting_id=meeting_id, user=None)
        except DomainError:
            continue  # held, cancelled or past by now
        result.notified += 1
    result.overdue_decisions = _flag_overdue_decisions(today)
    result.overdue_escalations = _flag_overdue_escalations(today)
    result.overdue_leader_cases = _flag_overdue_leader_cases(today)
    return result


def _flag_overdue_decisions(today: dt.date) -> int:
    flagged = 0
    with transaction.atomic():
        rows = _skip_locked(
            Decision.objects.filter(
                status=DecisionStatus.BINDING, due_on__lt=today, overdue_flagged_at__isnull=True
            )
        )
        for decision in rows.select_related("item__conference", "lead_unit"):
            claimed = Decision.objects.filter(pk=decision.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=timezone.now()
            )
            if not claimed:
                continue
            conference = decision.item.conference
            services.notify_people(
                conference=conference,
                key=f"overdue:{decision.pk}",
                kind=NoticeKind.OVERDUE,
                message=_("Overdue since %(due)s (lead unit %(unit)s): %(statement)s")
                % {
                    "due": decision.due_on.isoformat(),
                    "unit": decision.lead_unit.name,
                    "statement": decision.statement,
                },
                link=services.page_link("decision", decision.pk),
                roles=[ParticipantRole.CONVENOR],
            )
            flagged += 1
    return flagged


def _flag_overdue_escalations(today: dt.date) -> int:
    flagged = 0
    with transaction.atomic():
        rows = _skip_locked(
            Escalation.objects.filter(
                status__in=[EscalationStatus.SUBMITTED, EscalationStatus.ACCEPTED],
                due_on__lt=today,
                overdue_flagged_at__isnull=True,
            )
        )
        for escalation in rows.select_related("upper_item__conference"):
            claimed = Escalation.objects.filter(pk=escalation.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=timezone.now()
            )
            if not claimed:
                continue
            upper = escalation.upper_item
            services.notify_people(
                conference=upper.conference,
                key=f"escalation-overdue:{escalation.pk}",
                kind=NoticeKind.OVERDUE,
                message=_("Escalated item not decided by %(due)s: %(title)s")
                % {"due": escalation.due_on.isoformat(), "title": upper.title},
                link=services.page_link("item", upper.pk),
                roles=[ParticipantRole.CONVENOR],
            )
            flagged += 1
    return flagged


def _flag_overdue_leader_cases(today: dt.date) -> int:
    cases = (
        LeaderCase.objects.filter(done_at__isnull=True, target_on__lt=today, petition__state__in=OPEN_STATES)
        .exclude(petition__petition_type=PetitionType.ACCUSATION)
        .select_related("petition__current_unit", "leader")
    )
    flagged = 0
    for case in cases:
        conference = selectors.conference_for_unit(case.petition.current_unit)
        if conference is None:
            continue
        petition = case.petition
        created = services.notify_people(
            conference=conference,
            key=f"leader-case:{case.pk}",
            kind=NoticeKind.OVERDUE,
            message=_("Leader case ownership past its target %(due)s (%(leader)s): %(number)s")
            % {"due": case.target_on.isoformat(), "leader": case.leader, "number": petition.number},
            link=reverse("web:petition_detail", args=[petition.pk]),
            roles=[ParticipantRole.SECRETARIAT],
        )
        flagged += bool(created)
    return flagged
