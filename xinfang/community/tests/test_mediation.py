"""Mediation referral (访调对接): eligibility, consent, mediator and first contact, agreement or failure."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from xinfang.community import documents, services
from xinfang.community.models import EligibilityCheck, MediationReferral, ReferralStatus
from xinfang.community.selectors import mediation_figures
from xinfang.core.errors import DomainError
from xinfang.core.models import ClockPolicy, ClockPolicyRule, CountMode, Limit
from xinfang.orgs.models import Unit
from xinfang.petitions.models import ClockStatus, Reminder
from xinfang.petitions.states import State

from .factories import ELIGIBLE, consent_all, in_handling, mediation_committee, referral, user

pytestmark = pytest.mark.django_db


def test_an_eligible_grievance_in_handling_is_referred_with_its_parties_and_the_answered_checklist(demo):
    petition = in_handling()
    ref = referral(petition, respondents=("某物业公司", "楼上住户"))
    assert ref.status == ReferralStatus.PENDING_CONSENT
    assert [p.side for p in ref.parties.order_by("side", "pk")] == ["applicant", "respondent", "respondent"]
    assert {row["code"] for row in ref.checklist} >= {"civil_dispute", "party_refuses"}
    assert petition.events.filter(action="mediation_referred").exists()
    petition.refresh_from_db()
    assert petition.state == State.IN_HANDLING  # mediation starts with everyone's consent


def test_an_ineligible_referral_is_refused_with_every_reason_and_nothing_is_recorded(demo):
    petition = in_handling()
    answers = dict(ELIGIBLE, civil_dispute=False, administrative_dispute=True)
    with pytest.raises(DomainError) as refused:
        services.mediation_refer(
            user=user("handler"), petition_id=petition.pk, answers=answers, respondents=["某局"]
        )
    assert refused.value.code == "not_eligible"
    assert "civil" in str(refused.value) or "民事" in str(refused.value)
    assert "administrative" in str(refused.value) or "行政" in str(refused.value)
    assert not MediationReferral.objects.exists()
    assert not petition.events.filter(action="mediation_referred").exists()


def test_an_unanswered_question_is_refused(demo):
    petition = in_handling()
    answers = dict(ELIGIBLE)
    answers.pop("legal_procedure")
    with pytest.raises(DomainError) as refused:
        services.mediation_refer(
            user=user("handler"), petition_id=petition.pk, answers=answers, respondents=["某"]
        )
    assert refused.value.code == "checklist_incomplete"


def test_a_locality_adds_its_own_exclusion_to_the_checklist(demo):
    rule = EligibilityCheck.objects.create(
        unit=Unit.objects.get(code="ah-la-ja"),
        question="争议金额是否超过50万元？",
        excludes_when_yes=True,
        reason="争议金额较大，应引导通过诉讼解决。",
    )
    petition = in_handling()
    code = f"local-{rule.pk}"
    with pytest.raises(DomainError) as refused:
        services.mediation_refer(
            user=user("handler"),
            petition_id=petition.pk,
            answers={**ELIGIBLE, code: True},
            respondents=["某"],
        )
    assert "争议金额较大" in str(refused.value)
    ref = services.mediation_refer(
        user=user("handler"), petition_id=petition.pk, answers={**ELIGIBLE, code: False}, respondents=["某"]
    )
    assert any(row["code"] == code for row in ref.checklist)


def test_only_a_grievance_under_investigation_can_be_referred(demo):
    from xinfang.petitions.tests.factories import register

    registered = register(by="county")
    with pytest.raises(DomainError) as refused:
        services.mediation_refer(
            user=user("county"), petition_id=registered.pk, answers=dict(ELIGIBLE), respondents=["某"]
        )
    assert refused.value.code in {"not_allowed_in_state", "role_not_allowed"}


def test_a_second_open_referral_of_the_same_petition_is_refused(demo):
    petition = in_handling()
    referral(petition)
    with pytest.raises(DomainError) as refused:
        referral(petition)
    assert refused.value.code == "duplicate"


def test_mediation_starts_only_when_every_party_consents(demo):
    petition = in_handling()
    ref = referral(petition)
    applicant, respondent = ref.parties.order_by("side", "pk")
    services.mediation_consent_record(
        user=user("handler"),
        party_id=applicant.pk,
        consents=True,
        given_on=timezone.localdate(),
        method="signed",
    )
    petition.refresh_from_db()
    assert petition.state == State.IN_HANDLING
    services.mediation_consent_record(
        user=user("handler"),
        party_id=respondent.pk,
        consents=True,
        given_on=timezone.localdate(),
        method="phone",
    )
    petition.refresh_from_db()
    ref.refresh_from_db()
    assert petition.state == State.MEDIATION
    assert ref.status == ReferralStatus.IN_MEDIATION
    consent = respondent.consents.get()
    assert consent.recorded_by.username == "handler" and consent.method == "phone"


def test_a_refusal_before_mediation_withdraws_the_referral_and_handling_goes_on(demo):
    petition = in_handling()
    ref = referral(petition)
    respondent = ref.parties.get(side="respondent")
    services.mediation_consent_record(
        user=user("handler"),
        party_id=respondent.pk,
        consents=False,
        given_on=timezone.localdate(),
        method="phone",
    )
    ref.refresh_from_db()
    petition.refresh_from_db()
    assert ref.status == ReferralStatus.WITHDRAWN
    assert petition.state == State.IN_HANDLING


def test_the_mediator_must_make_first_contact_within_24_hours_by_default(demo):
    committee = mediation_committee()
    ref = referral()
    member = committee.members.earliest("pk")
    ref = services.mediation_assign(user=user("handler"), referral_id=ref.pk, member_id=member.pk)
    assert ref.first_contact_due_at and ref.assigned_at
    assert ref.first_contact_due_at - ref.assigned_at == dt.timedelta(hours=24)


def test_the_first_contact_limit_follows_the_locality_policy(demo):
    policy = ClockPolicy.objects.create(unit=Unit.objects.get(code="ah-la-ja"), basis="金安区访调对接办法")
    ClockPolicyRule.objects.create(
        policy=policy, limit=Limit.MEDIATION_FIRST_CONTACT, length=12, count_mode=CountMode.HOURS
    )
    committee = mediation_committee()
    ref = services.mediation_assign(
        user=user("handler"), referral_id=referral().pk, member_id=committee.members.earliest("pk").pk
    )
    assert ref.first_contact_due_at and ref.assigned_at
    assert ref.first_contact_due_at - ref.assigned_at == dt.timedelta(hours=12)


def test_a_mediator_of_a_committee_elsewhere_cannot_be_assigned(demo):
    from xinfang.community.models import ForceKind

    far = services.social_force_register(
        user=user("town_ym"),
        kind=ForceKind.MEDIATION_COMMITTEE,
        name="杨庙镇人民调解委员会",
        area=Unit.objects.get(code="ah-hf-cf-ym"),
    )
    member = services.member_add(user=user("town_ym"), force_id=far.pk, name="外地调解员")
    with pytest.raises(DomainError) as refused:
        services.mediation_assign(user=user("handler"), referral_id=referral().pk, member_id=member.pk)
    assert refused.value.code == "mediator"


def test_a_late_first_contact_is_flagged_and_reminded_once(demo):
    committee = mediation_committee()
    ref = services.mediation_assign(
        user=user("handler"), referral_id=referral().pk, member_id=committee.members.earliest("pk").pk
    )
    assert services.mediation_remind_overdue() == 0
    later = timezone.now() + dt.timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        ref.refresh_from_db()
        assert ref.contact_overdue()
        assert services.mediation_remind_overdue() == 1
        assert services.mediation_remind_overdue() == 0
        reminder = Reminder.objects.get(petition=ref.petition, kind=Reminder.Kind.OVERDUE, clock__isnull=True)
        assert reminder.unit_id == ref.unit_id
        services.mediation_first_contact(
            user=user("handler"), referral_id=ref.pk, contacted_at=timezone.now(), method="phone"
        )
    ref.refresh_from_db()
    assert ref.contact_on_time() is False
    figures = mediation_figures(MediationReferral.objects.all())
    assert (figures.contact_on_time, figures.contact_decided) == (0, 1)


def test_an_agreement_settles_the_petition_stops_the_handling_clock_and_makes_the_document(demo):
    from docx import Document

    committee = mediation_committee()
    petition = in_handling()
    ref = referral(petition, respondents=("某物业公司",))
    consent_all(ref)
    services.mediation_assign(
        user=user("handler"), referral_id=ref.pk, member_id=committee.members.earliest("pk").pk
    )
    services.mediation_first_contact(
        user=user("handler"), referral_id=ref.pk, contacted_at=timezone.now(), method="phone"
    )
    agreement = services.mediation_agree(
        user=user("handler"),
        referral_id=ref.pk,
        dispute="小区雨污管道堵塞，物业未及时疏通。",
        terms="物业公司于十日内疏通管道并修复井盖。\n申请方不再就此事信访。",
        performance="2026年12月20日前履行完毕，社区监督。",
        signed_on=timezone.localdate(),
    )
    petition.refresh_from_db()
    ref.refresh_from_db()
    assert petition.state == State.SETTLED
    assert ref.status == ReferralStatus.AGREED
    handling = petition.clocks.get(kind=Limit.HANDLING)
    assert handling.status != ClockStatus.RUNNING
    assert agreement.number.startswith("望城调协〔")
    docx = Document(io.BytesIO(documents.agreement_docx(ref)))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "人民调解协议书" in text and "物业公司于十日内疏通管道并修复井盖。" in text
    assert "某物业公司" in text and "调解员1" in text and agreement.number in text
    pdf = documents.agreement_pdf(ref)
    assert pdf.startswith(b"%PDF")


def test_failed_mediation_returns_to_handling_with_the_clock_still_running(demo):
    petition = in_handling()
    due_before = petition.clocks.get(kind=Limit.HANDLING).due_on
    ref = referral(petition)
    consent_all(ref)
    services.mediation_fail(user=user("handler"), referral_id=ref.pk, reason="双方对赔偿金额分歧较大")
    petition.refresh_from_db()
    ref.refresh_from_db()
    assert petition.state == State.IN_HANDLING
    assert ref.status == ReferralStatus.FAILED
    clock = petition.clocks.get(kind=Limit.HANDLING)
    assert clock.status == ClockStatus.RUNNING and clock.due_on == due_before
    assert petition.events.filter(action="end_mediation").exists()


def test_agreement_before_mediation_started_is_refused(demo):
    ref = referral()
    with pytest.raises(DomainError) as refused:
        services.mediation_agree(
            user=user("handler"),
            referral_id=ref.pk,
            dispute="x",
            terms="y",
            performance="z",
            signed_on=timezone.localdate(),
        )
    assert refused.value.code == "referral_state"


def test_figures_count_referrals_success_and_contact_on_time(demo):
    committee = mediation_committee()
    member = committee.members.earliest("pk")
    agreed, failed, pending = referral(), referral(), referral()
    for ref in (agreed, failed):
        consent_all(ref)
        services.mediation_assign(user=user("handler"), referral_id=ref.pk, member_id=member.pk)
        services.mediation_first_contact(
            user=user("handler"), referral_id=ref.pk, contacted_at=timezone.now(), method="in_person"
        )
    services.mediation_agree(
        user=user("handler"),
        referral_id=agreed.pk,
        dispute="d",
        terms="t",
        performance="p",
        signed_on=timezone.localdate(),
    )
    services.mediation_fail(user=user("handler"), referral_id=failed.pk, reason="未达成")
    figures = mediation_figures(MediationReferral.objects.all())
    assert figures.referrals == 3 and figures.open == 1 and pending.status == ReferralStatus.PENDING_CONSENT
    assert (figures.agreed, figures.failed) == (1, 1)
    assert figures.success_rate == "50.0%"
    assert figures.contact_rate == "100.0%"


def test_the_reminder_command_reminds_each_late_first_contact_once(demo):
    from io import StringIO

    from django.core.management import call_command

    committee = mediation_committee()
    ref = services.mediation_assign(
        user=user("handler"), referral_id=referral().pk, member_id=committee.members.earliest("pk").pk
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=30), tick=False):
        out = StringIO()
        call_command("remind_mediation_contacts", stdout=out)
        call_command("remind_mediation_contacts", stdout=StringIO())
    assert out.getvalue().startswith("1 ")
    assert Reminder.objects.filter(petition=ref.petition, kind=Reminder.Kind.OVERDUE).count() == 1


def test_a_petition_that_left_mediation_on_its_own_page_still_closes_its_referral(demo):
    from xinfang.petitions import services as petition_services

    petition = in_handling()
    ref = referral(petition)
    consent_all(ref)
    petition_services.petition_end_mediation(
        petition_id=petition.pk, user=user("handler"), reason="当事人反悔"
    )
    services.mediation_fail(user=user("handler"), referral_id=ref.pk, reason="当事人反悔")
    ref.refresh_from_db()
    petition.refresh_from_db()
    assert ref.status == ReferralStatus.FAILED and petition.state == State.IN_HANDLING
    assert petition.events.filter(action="end_mediation").count() == 1
