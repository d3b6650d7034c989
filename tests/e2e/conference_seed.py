"""Preconditions of the conference browser tests, built through the real services.

The demo tree and logins exist (``demo_data``); these add the conference staff (the 杨庙镇 and 长丰县
convenors, the 庙南社区 cadre), the two conferences and the villagers' petitions the cadre registered.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.conferences import demo, services
from xinfang.conferences.models import AgendaItem, Decision, Funding, JointConference, MeetingKind, Minutes
from xinfang.petitions.models import Petition


def conferences() -> dict[str, JointConference]:
    from xinfang.petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy()
    demo.ensure_conference_staff()
    return {"ym": demo.set_up("ym"), "cf": demo.set_up("cf")}


def canal_petitions() -> list[Petition]:
    return demo.canal_petitions()


def accepted_item(conference: JointConference, petition: Petition, title: str) -> AgendaItem:
    item = services.agenda_item_propose(
        user=demo.user("cadre_mn"),
        conference_id=conference.pk,
        title=title,
        reasons="需资金约180万元，超出社区和镇级财力。",
        petition_ids=[petition.pk],
        source="petition",
    )
    return services.agenda_item_accept(item_id=item.pk, user=demo.user("town_ym"))


def county_decides(item: AgendaItem) -> tuple[Minutes, Decision]:
    """The 长丰县 meeting on an accepted item is held and its draft decision written (not yet approved)."""
    county = item.conference
    secretary = demo.user("county_cf")
    meeting = services.meeting_schedule(
        conference_id=county.pk, user=secretary, kind=MeetingKind.WORKING, scheduled_at=timezone.now()
    )
    services.agenda_item_schedule(item_id=item.pk, user=secretary, meeting_id=meeting.pk)
    services.meeting_hold(
        meeting_id=meeting.pk,
        user=secretary,
        held_at=timezone.now(),
        chair=demo.user("leader_cf"),
        attendance=demo.full_attendance(county),
    )
    minutes = services.minutes_draft(
        meeting_id=meeting.pk, user=secretary, summary="研究乡镇报请的农田水利问题。"
    )
    decision = services.decision_record(
        minutes_id=minutes.pk,
        item_id=item.pk,
        user=secretary,
        data=services.DecisionData(
            statement="将庙南社区排涝站更新改造列入县农田水利项目。",
            measures="县水利局编制方案，汛前完成泵机更新，杨庙镇做好群众工作。",
            lead_unit=demo.unit("ah-hf-cf-slj"),
            cooperating_units=[demo.unit("ah-hf-cf-ym")],
            funding=Funding.SPECIAL_FUND,
            funding_reference="县级农田水利专项资金",
            due_on=timezone.localdate() + dt.timedelta(days=90),
        ),
    )
    return minutes, decision


def drainage_petition() -> Petition:
    """A request the community registered and accepted: the old drainage station floods the fields."""
    return demo.drainage_petition()


def town_meeting_today(conference: JointConference) -> None:
    """The town conference met today (it counts for the coverage figure)."""
    from xinfang.conferences.tests.helpers import held_meeting

    held_meeting(conference)
