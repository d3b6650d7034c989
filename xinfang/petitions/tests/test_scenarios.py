"""Scenario tests: petitions walked through every path of domain.md §3 with time moved forward."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.intake import IntakeError
from xinfang.petitions.models import Appeal, ClockStatus, FollowUpTask, Petition, Suggestion
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType, Procedure, Rating, State

from .factories import register

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


def u(name: str) -> User:
    return User.objects.get(username=name)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def forwarded_and_accepted(day: str, **kwargs) -> Petition:
    with at(day):
        p = register(by="county", **kwargs)
        services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
        return services.petition_accept(
            petition_id=p.pk,
            user=u("handler"),
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date.fromisoformat(day),
            route="start_handling",
        )


def replied(day: str, decision: str = Decision.NOT_SUPPORT, **kwargs) -> Petition:
    p = forwarded_and_accepted(day, **kwargs)
    with at(day):
        services.petition_issue_opinion(
            petition_id=p.pk,
            user=u("handler"),
            decision=decision,
            facts_found="经核查",
            reasons="理由",
            legal_basis="依据",
        )
        return services.petition_deliver_reply(
            petition_id=p.pk,
            user=u("handler"),
            delivered_on=dt.date.fromisoformat(day),
            method=DeliveryMethod.POST,
        )


# --- registration and routing -----------------------------------------------------------------


def test_registration_by_a_petition_department_starts_the_15_day_forwarding_clock(demo):
    with at("2025-03-03"):
        p = register(by="county")
    clock = p.clocks.get()
    assert clock.kind == "forward" and clock.started_on == D(2025, 3, 3) and clock.due_on == D(2025, 3, 18)


def test_forwarding_stops_the_forwarding_clock_and_starts_notice_and_objection_at_the_handler(demo):
    with at("2025-03-03"):
        p = register(by="county")
    with at("2025-03-10"):
        p = services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
    assert p.clocks.get(kind="forward").status == ClockStatus.MET
    notice = p.clocks.get(kind="notice")
    objection = p.clocks.get(kind="objection")
    assert notice.unit.code == "ah-la-ja-rsj" and notice.due_on == D(2025, 3, 25)
    assert objection.due_on == D(2025, 3, 17)  # 5 working days after Monday 10 March
    assert p.handling_unit is not None and p.handling_unit.code == "ah-la-ja-rsj"


def test_assignment_adds_a_feedback_deadline(demo):
    with at("2025-03-03"):
        p = register(by="county")
        p = services.petition_assign(
            petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"), feedback_days=20
        )
    assert p.state == State.ASSIGNED
    assert p.clocks.get(kind="assignment_feedback").due_on == D(2025, 3, 24)


def test_objection_within_5_working_days_agreed_returns_the_matter_for_rerouting(demo):
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
    with at("2025-03-07"):
        p = services.petition_raise_objection(petition_id=p.pk, user=u("handler"), reason="属住建部门职责")
        assert p.state == State.OBJECTION_RAISED
        p = services.petition_agree_objection(petition_id=p.pk, user=u("county"))
    assert p.state == State.TRIAGE
    assert p.current_unit.code == "ah-la-ja-xfj"
    assert p.clocks.get(kind="notice").status == ClockStatus.CANCELLED
    assert p.clocks.filter(kind="forward", status=ClockStatus.RUNNING).count() == 1


def test_objection_rejected_sends_the_matter_back_with_its_clocks_unchanged(demo):
    with at("2025-03-03"):
        p = register(by="county")
        p = services.petition_assign(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
        notice_due = p.clocks.get(kind="notice").due_on
        services.petition_raise_objection(petition_id=p.pk, user=u("handler"), reason="不属本部门")
        p = services.petition_reject_objection(petition_id=p.pk, user=u("county"), reason="属劳动报酬争议")
    assert p.state == State.ASSIGNED
    assert p.clocks.get(kind="notice").due_on == notice_due


def test_objection_after_5_working_days_is_refused(demo):
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
    with at("2025-03-12"), pytest.raises(DomainError) as refused:
        services.petition_raise_objection(petition_id=p.pk, user=u("handler"), reason="不属本部门")
    assert refused.value.code == "objection_late"
    assert Petition.objects.get(pk=p.pk).state == State.FORWARDED


def test_non_acceptance_names_the_procedure_to_use_instead(demo):
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
        p = services.petition_divert(
            petition_id=p.pk,
            user=u("handler"),
            procedure=Procedure.ARBITRATION,
            reason="请向劳动人事争议仲裁委员会申请仲裁",
        )
    assert p.state == State.DIVERTED_PROCEDURE and p.diverted_procedure == Procedure.ARBITRATION
    assert not p.clocks.filter(status=ClockStatus.RUNNING).exists()


def test_law_related_matters_go_to_political_legal_organs(demo):
    with at("2025-03-03"):
        p = register(by="county")
        p = services.petition_refer_political_legal(
            petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-zfw"), reason="涉诉，已释法明理"
        )
    assert p.state == State.REFERRED_POLITICAL_LEGAL and p.is_law_related


def test_an_accusation_goes_to_discipline_and_is_hidden_from_the_accused_unit(demo):
    with at("2025-03-03"):
        p = register(
            by="county",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=unit("ah-la-ja-wc"),
            accused_description="街道某干部",
        )
        p = services.petition_refer_discipline(
            petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-jw")
        )
    assert p.state == State.REFERRED_DISCIPLINE
    assert visible_petitions(u("inspector")).filter(pk=p.pk).exists()
    assert visible_petitions(u("county")).filter(pk=p.pk).exists()
    assert not visible_petitions(u("town")).filter(pk=p.pk).exists()


def test_an_accusation_cannot_be_sent_to_discipline_inside_the_accused_unit(demo):
    with at("2025-03-03"):
        p = register(
            by="city",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=unit("ah-la-ja"),
            accused_description="区某部门",
        )
        with pytest.raises(DomainError):
            services.petition_refer_discipline(petition_id=p.pk, user=u("city"), to_unit=unit("ah-la-ja-jw"))
        p = services.petition_refer_discipline(petition_id=p.pk, user=u("city"), to_unit=unit("ah-la-jw"))
    assert p.state == State.REFERRED_DISCIPLINE


def test_staff_inside_the_accused_unit_lose_sight_of_the_accusation_they_registered(demo):
    with at("2025-03-03"):
        p = register(
            by="county",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=unit("ah-la-ja"),
            accused_description="区某部门",
        )
    assert not visible_petitions(u("county")).filter(pk=p.pk).exists()
    assert not visible_petitions(u("leader")).filter(pk=p.pk).exists()
    assert visible_petitions(u("leader_city")).filter(pk=p.pk).exists()


def test_an_accusation_without_an_accused_is_refused_at_intake(demo):
    with pytest.raises(IntakeError) as refused:
        register(by="county", petition_type=PetitionType.ACCUSATION)
    assert "accused_description" in refused.value.errors


def test_redirect_tells_the_petitioner_where_to_go(demo):
    with at("2025-03-03"):
        p = register(by="county")
        p = services.petition_redirect(petition_id=p.pk, user=u("county"), reason="请向市场监管部门反映")
    assert p.state == State.REDIRECTED


# --- handling ---------------------------------------------------------------------------------


def test_handling_runs_60_days_from_acceptance(demo):
    p = forwarded_and_accepted("2025-03-03")
    assert p.clocks.get(kind="handling").due_on == D(2025, 5, 6)  # 2 May falls in the Labour Day holiday


def test_one_extension_of_at_most_30_days_approved_by_the_unit_head(demo):
    p = forwarded_and_accepted("2025-03-03")
    due = p.clocks.get(kind="handling").due_on
    with at("2025-04-20"):
        with pytest.raises(DomainError):
            services.petition_extend(
                petition_id=p.pk,
                user=u("handler"),
                days=31,
                reason="复杂",
                approved_by=u("leader"),
                notice_sent_on=D(2025, 4, 20),
            )
        with pytest.raises(DomainError) as wrong_approver:
            services.petition_extend(
                petition_id=p.pk,
                user=u("handler"),
                days=20,
                reason="复杂",
                approved_by=u("handler"),
                notice_sent_on=D(2025, 4, 20),
            )
        assert wrong_approver.value.code == "approver"
        p = services.petition_extend(
            petition_id=p.pk,
            user=u("handler"),
            days=30,
            reason="需多部门会商",
            approved_by=u("leader"),
            notice_sent_on=D(2025, 4, 20),
        )
        assert p.clocks.get(kind="handling").due_on > due
        with pytest.raises(DomainError) as twice:
            services.petition_extend(
                petition_id=p.pk,
                user=u("handler"),
                days=5,
                reason="再延",
                approved_by=u("leader"),
                notice_sent_on=D(2025, 4, 20),
            )
    assert twice.value.code == "extended"
    assert p.extension.days == 30


def test_mediation_settles_with_a_written_agreement_and_stops_the_handling_clock(demo):
    p = forwarded_and_accepted("2025-03-03")
    with at("2025-03-20"):
        services.petition_start_mediation(petition_id=p.pk, user=u("handler"), note="双方同意调解")
        p = services.petition_settle(petition_id=p.pk, user=u("handler"), agreement="分两期支付欠薪")
    assert p.state == State.SETTLED
    assert p.clocks.get(kind="handling").status == ClockStatus.MET
    assert p.events.get(action="settle").payload["agreement"] == "分两期支付欠薪"


def test_failed_mediation_returns_to_handling_with_the_clock_still_running(demo):
    p = forwarded_and_accepted("2025-03-03")
    with at("2025-03-20"):
        services.petition_start_mediation(petition_id=p.pk, user=u("handler"))
        p = services.petition_end_mediation(petition_id=p.pk, user=u("handler"), reason="一方拒绝调解")
    assert p.state == State.IN_HANDLING
    assert p.clocks.get(kind="handling").status == ClockStatus.RUNNING


def test_a_hearing_returns_to_handling(demo):
    p = forwarded_and_accepted("2025-03-03")
    with at("2025-03-20"):
        services.petition_open_hearing(petition_id=p.pk, user=u("handler"))
        p = services.petition_close_hearing(petition_id=p.pk, user=u("handler"))
    assert p.state == State.IN_HANDLING


@pytest.mark.parametrize(
    ("decision", "task"),
    [
        (Decision.SUPPORT, FollowUpTask.Kind.EXECUTION),
        (Decision.NOT_SUPPORT, FollowUpTask.Kind.GUIDANCE),
    ],
)
def test_the_opinion_opens_its_follow_up_task(demo, decision, task):
    p = replied("2025-03-03", decision=decision)
    assert p.tasks.filter(kind=task).exists()


def test_an_opinion_without_legal_basis_is_refused(demo):
    p = forwarded_and_accepted("2025-03-03")
    with at("2025-03-10"), pytest.raises(DomainError):
        services.petition_issue_opinion(
            petition_id=p.pk,
            user=u("handler"),
            decision=Decision.SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis=" ",
        )
    assert Petition.objects.get(pk=p.pk).state == State.IN_HANDLING


def test_a_suggestion_is_studied_and_answered(demo):
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(petition_id=p.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
        p = services.petition_accept(
            petition_id=p.pk,
            user=u("handler"),
            petition_type=PetitionType.SUGGESTION,
            notice_sent_on=D(2025, 3, 3),
            route="start_study",
        )
        assert p.state == State.SUGGESTION_STUDY
        with pytest.raises(DomainError):
            services.petition_deliver_reply(
                petition_id=p.pk, user=u("handler"), delivered_on=D(2025, 3, 3), method=DeliveryMethod.ONLINE
            )
        p = services.petition_deliver_reply(
            petition_id=p.pk,
            user=u("handler"),
            delivered_on=D(2025, 3, 3),
            method=DeliveryMethod.ONLINE,
            reply_text="建议已部分采纳",
        )
    assert p.state == State.REPLIED


def test_acceptance_needs_the_notice_date_or_a_recorded_exemption(demo):
    with at("2025-03-03"):
        p = register(by="county")
        with pytest.raises(DomainError):
            services.petition_accept(petition_id=p.pk, user=u("county"), petition_type=PetitionType.GRIEVANCE)
        p = services.petition_accept(
            petition_id=p.pk,
            user=u("county"),
            petition_type=PetitionType.GRIEVANCE,
            notice_exemption="address_unclear",
        )
    assert p.state == State.ACCEPTED and p.notice_exemption == "address_unclear"


# --- evaluation, review, re-review, finality -------------------------------------------------------


def test_dissatisfied_rating_opens_a_re_handling_check(demo):
    p = replied("2025-03-03")
    with at("2025-03-05"):
        p = services.petition_evaluate(petition_id=p.pk, user=u("county"), rating=Rating.DISSATISFIED)
    assert p.state == State.EVALUATED
    assert p.tasks.filter(kind=FollowUpTask.Kind.REHANDLING_CHECK).exists()


def test_the_handler_cannot_record_the_rating_of_its_own_handling(demo):
    p = replied("2025-03-03")
    with at("2025-03-05"), pytest.raises(DomainError):
        services.petition_evaluate(petition_id=p.pk, user=u("handler"), rating=Rating.SATISFIED)


def test_the_petitioner_rates_through_the_portal_within_the_window_only(demo):
    p = replied("2025-03-03")
    with at("2025-06-30"), pytest.raises(DomainError) as late:
        services.petition_evaluate(petition_id=p.pk, user=None, rating=Rating.SATISFIED, via_portal=True)
    assert late.value.code == "evaluation_closed"
    p = replied("2025-03-03")
    with at("2025-03-06"):
        p = services.petition_evaluate(petition_id=p.pk, user=None, rating=Rating.SATISFIED, via_portal=True)
    last = p.events.order_by("sequence").last()
    assert p.evaluations.get().via_portal and last is not None and last.payload["via"] == "portal"


def test_the_portal_cannot_take_staff_actions(demo):
    p = replied("2025-03-03")
    with pytest.raises(DomainError) as refused:
        services.transition_apply(petition_id=p.pk, action="close", user=None, citizen=True)
    assert refused.value.code == "staff_only"


def test_review_goes_one_level_up_and_is_decided_within_30_days(demo):
    p = replied("2025-03-03")
    with at("2025-03-20"):
        p = services.petition_request_review(
            petition_id=p.pk, user=u("county"), requested_on=D(2025, 3, 20), grounds="不服处理意见"
        )
    appeal = p.appeals.get(level=Appeal.Level.REVIEW)
    assert appeal.unit.code == "ah-la-ja"  # one level above the 人社局: the district government
    assert p.current_unit.code == "ah-la-ja"
    assert p.clocks.get(kind="review_decision").due_on == D(2025, 4, 21)  # 19 Apr is a Saturday
    with at("2025-04-10"):
        p = services.petition_decide_review(
            petition_id=p.pk,
            user=u("leader"),
            decision=Decision.NOT_SUPPORT,
            facts_found="事实清楚",
            reasons="理由",
            legal_basis="第三十五条",
            delivered_on=D(2025, 4, 10),
        )
    assert p.state == State.REVIEW_DECIDED
    assert p.clocks.get(kind="re_review_request").status == ClockStatus.RUNNING


def test_re_review_goes_above_the_reviewer_excludes_hearing_days_and_makes_the_matter_final(demo):
    p = replied("2025-03-03")
    with at("2025-03-20"):
        services.petition_request_review(
            petition_id=p.pk, user=u("county"), requested_on=D(2025, 3, 20), grounds="不服"
        )
    with at("2025-04-10"):
        services.petition_decide_review(
            petition_id=p.pk,
            user=u("leader"),
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="b",
            delivered_on=D(2025, 4, 10),
        )
    admin = u("admin")
    with at("2025-04-25"):
        p = services.petition_request_re_review(
            petition_id=p.pk, user=admin, requested_on=D(2025, 4, 25), grounds="不服复查意见"
        )
    assert p.appeals.get(level=Appeal.Level.RE_REVIEW).unit.code == "ah-la"  # above 金安区: 六安市
    clock = p.clocks.get(kind="re_review_decision")
    due_without_hearing = clock.due_on
    with at("2025-05-20"):
        p = services.petition_decide_re_review(
            petition_id=p.pk,
            user=admin,
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="第三十六条",
            delivered_on=D(2025, 5, 20),
            hearing_days=5,
        )
    assert p.state == State.FINAL
    assert p.clocks.get(kind="re_review_decision").due_on > due_without_hearing
    assert p.tasks.filter(kind=FollowUpTask.Kind.POST_FINAL).exists()


def test_re_review_without_review_is_not_possible(demo):
    p = replied("2025-03-03")
    with at("2025-03-10"), pytest.raises(DomainError) as refused:
        services.petition_request_re_review(
            petition_id=p.pk, user=u("county"), requested_on=D(2025, 3, 10), grounds="直接复核"
        )
    assert refused.value.code == "not_allowed_in_state"


def test_same_facts_after_finality_are_flagged_and_not_accepted_again(demo):
    p = replied("2025-03-03", id_seed=77)
    with at("2025-03-20"):
        services.petition_request_review(
            petition_id=p.pk, user=u("county"), requested_on=D(2025, 3, 20), grounds="不服"
        )
    with at("2025-04-10"):
        services.petition_decide_review(
            petition_id=p.pk,
            user=u("leader"),
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="b",
            delivered_on=D(2025, 4, 10),
        )
    with at("2025-04-25"):
        services.petition_request_re_review(
            petition_id=p.pk, user=u("admin"), requested_on=D(2025, 4, 25), grounds="不服"
        )
    with at("2025-05-20"):
        final = services.petition_decide_re_review(
            petition_id=p.pk,
            user=u("admin"),
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="b",
            delivered_on=D(2025, 5, 20),
        )
    with at("2025-08-01"):
        again = register(by="county", id_seed=77)
        suggestion = again.suggestions.get(kind=Suggestion.Kind.FINAL_MATCH)
        assert suggestion.candidate_id == final.pk
        suggestion_decide(suggestion_id=suggestion.pk, user=u("county"), confirm=True, note="同一事实和理由")
        again = services.petition_decline_final(petition_id=again.pk, user=u("county"), final_case=final)
    assert again.state == State.NOT_ACCEPTED_FINAL and again.final_of_id == final.pk
    with at("2025-08-02"):
        follow = services.petition_start_followup(
            petition_id=final.pk, user=u("admin"), plan="定期走访，帮扶救助"
        )
    assert follow.state == State.POST_FINAL_FOLLOWUP


# --- detection ---------------------------------------------------------------------------------


def test_same_person_same_matter_is_proposed_as_a_repeat_and_staff_decide(demo):
    with at("2025-03-03"):
        first = register(by="county", id_seed=5)
    with at("2025-04-03"):
        second = register(by="county", id_seed=5, channel="letter")
    suggestion = second.suggestions.get(kind=Suggestion.Kind.REPEAT)
    assert suggestion.candidate_id == first.pk
    assert not Petition.objects.get(pk=second.pk).is_first_time
    suggestion_decide(suggestion_id=suggestion.pk, user=u("county"), confirm=True)
    second.refresh_from_db()
    assert second.is_repeat and second.repeat_of_id == first.pk
    assert second.events.filter(action="suggestion_confirmed").exists()


def test_a_dismissed_suggestion_sets_no_flag_and_is_recorded(demo):
    with at("2025-03-03"):
        register(by="county", id_seed=6)
    with at("2025-04-03"):
        second = register(by="county", id_seed=6)
    suggestion = second.suggestions.get(kind=Suggestion.Kind.REPEAT)
    suggestion_decide(suggestion_id=suggestion.pk, user=u("county"), confirm=False, note="不同诉求")
    second.refresh_from_db()
    assert not second.is_repeat
    assert second.events.get(action="suggestion_dismissed").reason == "不同诉求"


def test_an_agent_petition_matches_the_principal_of_an_earlier_one(demo):
    from xinfang.petitions.intake import PersonData

    from .factories import valid_id

    with at("2025-03-03"):
        first = register(by="county", id_seed=8)
    with at("2025-04-03"):
        agent = PersonData(name="张代理", id_number=valid_id(900))
        second = register(by="county", person="某村民", id_seed=8, agent=agent, channel="agent")
    assert second.suggestions.filter(kind=Suggestion.Kind.REPEAT, candidate=first).exists()


def test_a_different_matter_of_the_same_person_is_not_a_repeat(demo):
    with at("2025-03-03"):
        register(by="county", id_seed=9)
    with at("2025-04-03"):
        second = register(
            by="county",
            id_seed=9,
            subject="孩子入学划片问题",
            request="请求明确学区划分",
            place="ah-la-ja-ssp-ssp",
        )
    assert not second.suggestions.filter(kind=Suggestion.Kind.REPEAT).exists()


def test_a_matter_in_handling_below_raised_at_the_city_is_proposed_as_not_accepted(demo):
    from xinfang.accounts.demo import build_demo_users

    build_demo_users()
    with at("2025-03-03"):
        below = register(by="county", id_seed=11)
        services.petition_forward(petition_id=below.pk, user=u("county"), to_unit=unit("ah-la-ja-rsj"))
    with at("2025-03-10"):
        upper = register(by="city", id_seed=11)
        suggestion = upper.suggestions.get(kind=Suggestion.Kind.OPEN_BELOW)
        assert suggestion.candidate_id == below.pk
        suggestion_decide(suggestion_id=suggestion.pk, user=u("city"), confirm=True)
        upper = services.petition_decline_upper(petition_id=upper.pk, user=u("city"), open_case=below)
    assert upper.state == State.NOT_ACCEPTED_UPPER and upper.is_bypass


def test_a_visit_two_levels_above_the_competent_level_is_proposed_as_bypass(demo):
    with at("2025-03-03"):
        p = register(by="province", id_seed=12, channel="visit")
    assert p.suggestions.filter(kind=Suggestion.Kind.BYPASS).exists()
    with at("2025-03-03"):
        near = register(by="city", id_seed=13, channel="visit")
    assert not near.suggestions.filter(kind=Suggestion.Kind.BYPASS).exists()


def test_more_than_five_representatives_warns_but_registers(demo):
    with at("2025-03-03"):
        p = register(by="county", representative_count=7, people_count=40)
    assert p.state == State.REGISTERED and p.is_collective
    assert p.suggestions.filter(kind=Suggestion.Kind.COLLECTIVE).exists()


def test_threat_words_alert_the_area_at_once(demo):
    with at("2025-03-03"):
        p = register(by="county", request="再不解决就去跳楼")
    assert p.suggestions.filter(kind=Suggestion.Kind.THREAT).exists()
    assert p.reminders.filter(kind="threat", unit__code="ah-la-ja").exists()


def test_a_first_petition_is_flagged_first_time(demo):
    with at("2025-03-03"):
        p = register(by="county", id_seed=14)
    assert p.is_first_time


def test_an_invalid_id_number_is_refused_with_nothing_saved(demo):
    from xinfang.petitions.intake import IntakeData, PersonData, petition_register

    before = Petition.objects.count()
    data = IntakeData(
        channel="visit",
        subject="s",
        request="r",
        place=unit("ah-la-ja-wc-npy"),
        principal=PersonData(name="王某", id_number="341502198001010010"),
    )
    with pytest.raises(IntakeError) as refused:
        petition_register(user=u("county"), data=data)
    assert "principal_id_number" in refused.value.errors
    assert Petition.objects.count() == before


def test_a_major_or_urgent_matter_is_reported_to_its_area_and_the_level_above_at_once(demo):
    with at("2025-03-03"):
        p = register(by="county", is_urgent_major=True)
    assert set(p.reminders.filter(kind="urgent").values_list("unit__code", flat=True)) == {
        "ah-la-ja",
        "ah-la",
    }
