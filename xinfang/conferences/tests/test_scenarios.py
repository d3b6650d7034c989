"""The two scenarios of issue 6, through the services, with the clock moved as the days pass.

1. The article: 庙南社区 brings its villager groups' irrigation-canal petitions to the 杨庙镇 conference,
   which makes the repair a town livelihood project (民生工程, about 600 m, 400+ people); the decision is
   carried out and the petitions get their written replies from its result.
2. A drainage station the town cannot fund goes up to the 长丰县 conference, whose decision flows back,
   binds the town's item and, once carried out, resolves it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument

from xinfang.conferences import documents, selectors, services
from xinfang.conferences.demo import (
    CANAL_MEASURES,
    CANAL_REASONS,
    CANAL_RESULT,
    CANAL_STATEMENT,
    CANAL_TITLE,
    canal_petitions,
    drainage_petition,
    full_attendance,
    unit,
    user,
)
from xinfang.conferences.models import (
    DecisionStatus,
    EscalationStatus,
    Funding,
    ItemSource,
    ItemStatus,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Notice,
    NoticeKind,
    TaskRole,
)
from xinfang.core.errors import DomainError
from xinfang.petitions.models import LinkRole, Petition, PetitionUnit, Reminder
from xinfang.petitions.states import Decision, State

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(moment).replace(tzinfo=TZ), tick=False)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% scanned\n", content_type="application/pdf")


def actions(petition: Petition) -> list[str]:
    return list(petition.events.order_by("sequence").values_list("action", flat=True))


def test_the_miaonan_canal_becomes_a_town_livelihood_project_and_the_petitions_get_their_replies(town):
    cadre, secretary, convenor = user("cadre_mn"), user("town_ym"), user("leader_ym")

    # 庙南社区 registers its villagers' requests and, unable to fund the lining, brings them to the town.
    with at("2025-04-07T09:00"):
        petitions = canal_petitions()
        item = services.agenda_item_propose(
            user=cadre,
            conference_id=town.pk,
            title=CANAL_TITLE,
            reasons=CANAL_REASONS,
            petition_ids=[p.pk for p in petitions],
            source=ItemSource.COMMON_ISSUE,
        )
    assert (item.status, item.proposing_unit.code) == (ItemStatus.PROPOSED, "ah-hf-cf-ym-mn")
    assert all("conference_proposed" in actions(p) for p in petitions)
    assert Notice.objects.filter(user=secretary, kind=NoticeKind.ITEM).count() == 1

    # The secretariat calls a working meeting for Thursday: the members are notified at once (lead time).
    with at("2025-04-07T10:00"):
        meeting = services.meeting_schedule(
            conference_id=town.pk,
            user=secretary,
            kind=MeetingKind.WORKING,
            scheduled_at=dt.datetime(2025, 4, 10, 9, 0, tzinfo=TZ),
            topic="研究庙南社区农业用水问题",
        )
        item = services.agenda_item_accept(item_id=item.pk, user=secretary, meeting_id=meeting.pk, position=1)
    members = selectors.active_members(town).count()
    assert meeting.status == MeetingStatus.NOTIFIED
    assert Notice.objects.filter(kind=NoticeKind.MEETING, conference=town).count() == members

    # Thursday: the meeting is held, one member absent with its reason; the minutes decide the project.
    with at("2025-04-10T15:00"):
        services.meeting_hold(
            meeting_id=meeting.pk,
            user=secretary,
            held_at=dt.datetime(2025, 4, 10, 9, 0, tzinfo=TZ),
            chair=convenor,
            attendance=full_attendance(town, {"ah-hf-cf-ym-jw": "参加县纪委业务培训"}),
        )
        minutes = services.minutes_draft(
            meeting_id=meeting.pk, user=secretary, summary="会议听取了庙南社区关于灌溉支渠损坏问题的汇报。"
        )
        decision = services.decision_record(
            minutes_id=minutes.pk,
            item_id=item.pk,
            user=secretary,
            data=services.DecisionData(
                statement=CANAL_STATEMENT,
                measures=CANAL_MEASURES,
                lead_unit=unit("ah-hf-cf-ym"),
                cooperating_units=[unit("ah-hf-cf-ym-nyb"), unit("ah-hf-cf-ym-mn")],
                funding=Funding.LIVELIHOOD_PROJECT,
                funding_reference="杨庙镇民生工程（农田水利）",
                due_on=dt.date(2025, 6, 30),
            ),
        )
        # Until the convenor signs, nothing binds and the secretariat cannot sign in the convenor's place.
        with pytest.raises(DomainError) as refused:
            services.minutes_approve(minutes_id=minutes.pk, user=secretary)
        assert refused.value.code == "not_convenor"
    assert decision.status == DecisionStatus.DRAFT and not selectors.open_tasks(cadre).exists()

    with at("2025-04-11T09:00"):
        minutes = services.minutes_approve(minutes_id=minutes.pk, user=convenor)
    decision.refresh_from_db()
    assert (minutes.status, minutes.number) == (MinutesStatus.APPROVED, "杨庙信联纪〔2025〕1号")
    assert decision.status == DecisionStatus.BINDING
    assert {(t.unit.code, t.role) for t in decision.tasks.all()} == {
        ("ah-hf-cf-ym", TaskRole.LEAD),
        ("ah-hf-cf-ym-nyb", TaskRole.COOPERATING),
        ("ah-hf-cf-ym-mn", TaskRole.COOPERATING),
    }
    # The tasks sit on the workbenches of the town (lead) and of the community (cooperating).
    assert [t.role for t in selectors.open_tasks(secretary)] == [TaskRole.LEAD]
    assert [t.role for t in selectors.open_tasks(cadre)] == [TaskRole.COOPERATING]
    for petition in petitions:
        assert actions(petition)[-1] == "conference_decided"
        assert "杨庙信联纪〔2025〕1号" in petition.events.get(action="conference_decided").reason
        assert PetitionUnit.objects.filter(
            petition=petition, unit__code="ah-hf-cf-ym-nyb", role=LinkRole.CONFERENCE
        ).exists()

    # The work is done: the town reports it with the acceptance report; the handler is told.
    with at("2025-06-20T10:00"):
        decision = services.decision_complete(
            decision_id=decision.pk, user=secretary, result=CANAL_RESULT, evidence=[pdf("验收报告.pdf")]
        )
    item.refresh_from_db()
    assert (decision.status, decision.on_time, item.status) == (DecisionStatus.DONE, True, ItemStatus.DONE)
    assert decision.evidence.count() == 1
    for petition in petitions:
        reminder = Reminder.objects.get(petition=petition, kind=Reminder.Kind.CONFERENCE)
        assert reminder.unit.code == "ah-hf-cf-ym-mn"
        assert actions(petition)[-1] == "conference_done"

    # One click each from the decision page: the handling opinion from the result, then the delivery.
    with at("2025-06-23T10:00"):
        for petition in petitions:
            issued = services.decision_reply(decision_id=decision.pk, petition_id=petition.pk, user=cadre)
            assert issued.state == State.OPINION_ISSUED
            replied = services.decision_reply(decision_id=decision.pk, petition_id=petition.pk, user=cadre)
            assert replied.state == State.REPLIED
            opinion = replied.opinions.get()
            assert opinion.decision == Decision.SUPPORT
            assert "600" in opinion.facts_found and "杨庙信联纪〔2025〕1号" in opinion.reasons
            assert replied.replied_on == dt.date(2025, 6, 23)

    # The minutes as a Word document: the usual parts of 会议纪要.
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(documents.render_docx(minutes))).paragraphs)
    for part in ("杨庙镇信访工作联席会议纪要", "第1期", "杨庙信联纪〔2025〕1号", "出席：", "缺席："):
        assert part in text
    for part in ("参加县纪委业务培训", "牵头单位：", "配合单位：", "列入民生工程", "2025年6月30日", "分送："):
        assert part in text


def test_a_matter_the_town_cannot_solve_goes_to_the_county_whose_decision_flows_back(town, county):
    town_secretary, county_secretary = user("town_ym"), user("county_cf")
    with at("2025-05-06T09:00"):
        petition = drainage_petition(seed=901)
        lower = services.agenda_item_propose(
            user=user("cadre_mn"),
            conference_id=town.pk,
            title="庙南社区排涝站更新改造",
            reasons="需资金约180万元，超出社区和镇级财力。",
            petition_ids=[petition.pk],
            source=ItemSource.PETITION,
        )
        services.agenda_item_accept(item_id=lower.pk, user=town_secretary)
        escalation = services.agenda_item_escalate(
            item_id=lower.pk,
            user=town_secretary,
            reason="超出镇级财力，且须纳入县级水利规划，报请县联席会议研究。",
            documents=[pdf("请示.pdf")],
        )
    lower.refresh_from_db()
    upper = escalation.upper_item
    assert lower.status == ItemStatus.ESCALATED and escalation.status == EscalationStatus.SUBMITTED
    assert (upper.conference_id, upper.source, upper.proposing_unit.code) == (
        county.pk,
        ItemSource.ESCALATION,
        "ah-hf-cf-ym",
    )
    assert list(upper.petitions.all()) == [petition] and escalation.documents.count() == 1
    assert escalation.due_on == dt.date(2025, 6, 5)  # 30 days, the county's limit
    assert Notice.objects.filter(user=county_secretary, kind=NoticeKind.ESCALATION).exists()
    # The town follows it: it sees the escalation and the item above, though not the county's agenda.
    assert selectors.visible_escalations(town_secretary).filter(pk=escalation.pk).exists()
    assert selectors.get_visible_item(town_secretary, upper.pk) == upper

    with at("2025-05-08T09:00"):
        meeting = services.meeting_schedule(
            conference_id=county.pk,
            user=county_secretary,
            kind=MeetingKind.WORKING,
            scheduled_at=dt.datetime(2025, 5, 15, 9, 30, tzinfo=TZ),
        )
        services.agenda_item_accept(item_id=upper.pk, user=county_secretary, meeting_id=meeting.pk)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ACCEPTED
    assert Notice.objects.filter(user=town_secretary, kind=NoticeKind.ESCALATION).exists()

    with at("2025-05-15T16:00"):
        services.meeting_hold(
            meeting_id=meeting.pk,
            user=county_secretary,
            held_at=dt.datetime(2025, 5, 15, 9, 30, tzinfo=TZ),
            chair=user("leader_cf"),
            attendance=full_attendance(county),
        )
        minutes = services.minutes_draft(
            meeting_id=meeting.pk, user=county_secretary, summary="研究乡镇报请事项。"
        )
        decision = services.decision_record(
            minutes_id=minutes.pk,
            item_id=upper.pk,
            user=county_secretary,
            data=services.DecisionData(
                statement="将庙南社区排涝站更新改造列入县农田水利项目。",
                measures="县水利局编制方案，汛前完成泵机更新。",
                lead_unit=unit("ah-hf-cf-slj"),
                cooperating_units=[unit("ah-hf-cf-ym")],
                funding=Funding.SPECIAL_FUND,
                funding_reference="县级农田水利专项资金",
                due_on=dt.date(2025, 7, 31),
            ),
        )
        services.minutes_approve(minutes_id=minutes.pk, user=user("leader_cf"))
    lower.refresh_from_db()
    escalation.refresh_from_db()
    # The county's decision flows back down and binds the town's item.
    assert (lower.status, lower.binding_decision_id) == (ItemStatus.DECIDED_ABOVE, decision.pk)
    assert escalation.status == EscalationStatus.DECIDED
    assert selectors.visible_decisions(town_secretary).filter(pk=decision.pk).exists()
    assert [t.role for t in selectors.open_tasks(user("handler_cf"))] == [TaskRole.LEAD]
    assert [t.role for t in selectors.open_tasks(town_secretary)] == [TaskRole.COOPERATING]
    assert "长丰信联纪〔2025〕1号" in petition.events.filter(action="conference_decided").get().reason

    with at("2025-07-20T10:00"):
        services.decision_complete(
            decision_id=decision.pk,
            user=user("handler_cf"),
            result="排涝站两台泵机已更新，排涝沟渠完成扩建。",
            evidence=[pdf("竣工验收.pdf")],
        )
    lower.refresh_from_db()
    escalation.refresh_from_db()
    assert lower.status == ItemStatus.DONE
    assert escalation.status == EscalationStatus.RESOLVED and escalation.resolved_at is not None
    reminder = Reminder.objects.get(petition=petition, kind=Reminder.Kind.CONFERENCE)
    assert reminder.unit.code == "ah-hf-cf-ym-mn"


def test_an_item_is_escalated_only_once_and_not_above_the_top_conference(town, county):
    with at("2025-05-06T09:00"):
        petition = drainage_petition(seed=901)
        lower = services.agenda_item_propose(
            user=user("cadre_mn"),
            conference_id=town.pk,
            title="排涝站",
            reasons="镇级财力不足",
            petition_ids=[petition.pk],
            source=ItemSource.PETITION,
        )
        services.agenda_item_accept(item_id=lower.pk, user=user("town_ym"))
        escalation = services.agenda_item_escalate(item_id=lower.pk, user=user("town_ym"), reason="报请县里")
        with pytest.raises(DomainError) as twice:
            services.agenda_item_escalate(item_id=lower.pk, user=user("town_ym"), reason="再次报请")
        assert twice.value.code == "not_accepted"
        # 长丰县 has no conference above it in this test: the county cannot escalate further.
        services.agenda_item_accept(item_id=escalation.upper_item_id, user=user("county_cf"))
        with pytest.raises(DomainError) as top:
            services.agenda_item_escalate(
                item_id=escalation.upper_item_id, user=user("county_cf"), reason="上报"
            )
        assert top.value.code == "no_upper"
