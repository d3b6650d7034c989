"""Set-ups the conference tests share: a matter taken through the real services to a binding decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.conferences import selectors, services
from xinfang.conferences.demo import canal_petitions, full_attendance, unit, user
from xinfang.conferences.models import (
    AgendaItem,
    Decision,
    Funding,
    ItemSource,
    Meeting,
    MeetingKind,
    Minutes,
)
from xinfang.petitions.models import Petition


def pdf(name: str = "验收报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% evidence\n", content_type="application/pdf")


@dataclass
class Decided:
    petitions: list[Petition]
    item: AgendaItem
    meeting: Meeting
    minutes: Minutes
    decision: Decision


def held_meeting(conference, *, by: str = "town_ym", items: tuple[AgendaItem, ...] = ()) -> Meeting:
    """A working meeting called and held today (at the current time), everyone present."""
    now = timezone.now()
    meeting = services.meeting_schedule(
        conference_id=conference.pk, user=user(by), kind=MeetingKind.WORKING, scheduled_at=now
    )
    for item in items:
        services.agenda_item_schedule(item_id=item.pk, user=user(by), meeting_id=meeting.pk)
    convenor = selectors.active_participants(conference).filter(role="convenor").first()
    return services.meeting_hold(
        meeting_id=meeting.pk,
        user=user(by),
        held_at=now,
        chair=convenor.user if convenor else None,
        attendance=full_attendance(conference),
    )


def decided(
    conference,
    *,
    due_in_days: int = 30,
    approve: bool = True,
    lead: str = "ah-hf-cf-ym",
    cooperating: tuple[str, ...] = ("ah-hf-cf-ym-mn",),
    seed: int = 0,
) -> Decided:
    """The canal petitions of 庙南社区, brought to the 杨庙镇 conference and decided today."""
    petitions = canal_petitions(seed=seed)
    item = services.agenda_item_propose(
        user=user("cadre_mn"),
        conference_id=conference.pk,
        title="灌溉支渠硬化改造",
        reasons="社区力量有限",
        petition_ids=[p.pk for p in petitions],
        source=ItemSource.COMMON_ISSUE,
    )
    services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    meeting = held_meeting(conference, items=(item,))
    minutes = services.minutes_draft(
        meeting_id=meeting.pk, user=user("town_ym"), summary="研究灌溉支渠问题。"
    )
    decision = services.decision_record(
        minutes_id=minutes.pk,
        item_id=item.pk,
        user=user("town_ym"),
        data=services.DecisionData(
            statement="列入镇民生工程。",
            measures="硬化支渠约600米。",
            lead_unit=unit(lead),
            cooperating_units=[unit(code) for code in cooperating],
            funding=Funding.LIVELIHOOD_PROJECT,
            funding_reference="镇民生工程",
            due_on=timezone.localdate() + dt.timedelta(days=due_in_days),
        ),
    )
    if approve:
        minutes = services.minutes_approve(minutes_id=minutes.pk, user=user("leader_ym"))
        decision.refresh_from_db()
    item.refresh_from_db()
    return Decided(petitions, item, meeting, minutes, decision)
