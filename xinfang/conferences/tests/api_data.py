"""Records the schemathesis run steers the conference operations onto, built through the services.

The token of that run is the 金安区 petition bureau's (``county``), secretariat of the 金安区 conference:
it finds a proposed item, an accepted one, a held meeting with draft minutes, a binding decision, a done
one whose petition waits for its reply, and an escalation from 望城街道. Only the operations of this
app get them (the build costs about a second), others get nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.conferences import demo, services
from xinfang.conferences.models import AgendaItem, Funding, ItemSource, MeetingKind
from xinfang.conferences.tests.helpers import held_meeting, pdf
from xinfang.petitions.models import Petition

PREFIXES = ("/conferences", "/agenda-items", "/meetings", "/minutes", "/decisions", "/escalations")
# Operations that need items, meetings, minutes, decisions or escalations, not only the conferences.
HEAVY = ("_id}", "/items", "/decisions", "/measures")


def _decision(minutes_id: int, item_id: int, lead: str, days: int) -> int:
    return services.decision_record(
        minutes_id=minutes_id,
        item_id=item_id,
        user=demo.user("county"),
        data=services.DecisionData(
            statement="由区人社局牵头协调解决。",
            measures="三十日内拿出方案",
            lead_unit=demo.unit(lead),
            cooperating_units=[demo.unit("ah-la-ja-wc")],
            funding=Funding.UNIT_BUDGET,
            due_on=timezone.localdate() + dt.timedelta(days=days),
        ),
    ).pk


def conference_ids(label: str, petitions: dict[str, Petition]) -> dict[str, list[int]]:
    """Ids per parameter name for operation ``label``; each list ends with an id that does not exist."""
    if not any(f"/api/v1{prefix}" in label for prefix in PREFIXES):
        return {}
    demo.ensure_conference_staff()
    county, leader = demo.user("county"), demo.user("leader")
    district = demo.set_up("ja")
    street = demo.set_up("wc")
    missing = 0
    light = {
        "conference_id": [district.pk, street.pk, demo.set_up("ym").pk, missing],
        "unit_id": [demo.unit(c).pk for c in ("ah-la-ja-rsj", "ah-la-ja-wc", "ah-hf-cf-ym")] + [missing],
        "area": [demo.unit(c).pk for c in ("ah-la-ja", "ah-la", "ah-hf-cf")] + [missing],
    }
    if not any(name in label for name in HEAVY):
        return light

    def item(conference, *, petition: Petition | None = None, by: str = "county", accept: bool = True) -> int:
        units = [demo.unit("ah-la-ja-rsj").pk, demo.unit("ah-la-ja-zjj").pk]
        if conference == street:
            units = [demo.unit("ah-la-ja-wc-npy").pk, demo.unit("ah-la-ja-wc-mz").pk]
        created = services.agenda_item_propose(
            user=demo.user(by),
            conference_id=conference.pk,
            title="职责交叉事项",
            reasons="涉及多个部门",
            petition_ids=[petition.pk] if petition else [],
            source=ItemSource.PETITION if petition else ItemSource.DISPUTE,
            dispute_units=None if petition else units,
        )
        if accept:
            services.agenda_item_accept(item_id=created.pk, user=demo.user(by))
        return created.pk

    proposed = item(district, accept=False)
    binding_item = item(district, petition=petitions["registered"])
    done_item = item(district, petition=petitions["handling"])
    decided_meeting = held_meeting(district, by="county", items=())
    for pk in (binding_item, done_item):
        services.agenda_item_schedule(item_id=pk, user=county, meeting_id=None)
    # Items join the meeting before it is held: schedule a second one for the draft minutes.
    meeting = services.meeting_schedule(
        conference_id=district.pk, user=county, kind=MeetingKind.WORKING, scheduled_at=timezone.now()
    )
    for pk in (binding_item, done_item):
        services.agenda_item_schedule(item_id=pk, user=county, meeting_id=meeting.pk)
    services.meeting_hold(
        meeting_id=meeting.pk,
        user=county,
        held_at=timezone.now(),
        chair=leader,
        attendance=demo.full_attendance(district),
    )
    approved = services.minutes_draft(meeting_id=meeting.pk, user=county, summary="研究职责交叉事项。")
    binding = _decision(approved.pk, binding_item, "ah-la-ja-rsj", 20)
    done = _decision(approved.pk, done_item, "ah-la-ja-xfj", 20)
    services.minutes_approve(minutes_id=approved.pk, user=leader)
    services.decision_complete(decision_id=done, user=county, result="已协调解决", evidence=[pdf()])
    draft_item = item(district)
    draft_meeting = held_meeting(district, by="county", items=(AgendaItem.objects.get(pk=draft_item),))
    draft = services.minutes_draft(meeting_id=draft_meeting.pk, user=county, summary="研究。")
    planned = services.meeting_schedule(
        conference_id=district.pk,
        user=county,
        kind=MeetingKind.PLENARY,
        scheduled_at=timezone.now() + dt.timedelta(days=7),
    )
    lower = item(street, by="town")
    escalation = services.agenda_item_escalate(item_id=lower, user=demo.user("town"), reason="区级协调")
    return {
        **light,
        "item_id": [proposed, binding_item, draft_item, escalation.upper_item_id, lower, missing],
        "meeting_id": [planned.pk, draft_meeting.pk, decided_meeting.pk, missing],
        "minutes_id": [draft.pk, approved.pk, missing],
        "decision_id": [binding, done, missing],
        "escalation_id": [escalation.pk, missing],
        "petition_id": [petitions["handling"].pk, petitions["registered"].pk, missing],
        "lead_unit_id": [demo.unit(c).pk for c in ("ah-la-ja-rsj", "ah-la-ja-wc-npy")] + [missing],
        "chair_id": [leader.pk, county.pk, missing],
    }
