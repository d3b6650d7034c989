"""Mediations that reached agreement, as an assessment indicator: its value, the fast path, a scheme."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinfang.assessment import indicators as ind
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.tests.registered import assert_fast_equals_records, assert_selectable_in_a_scheme
from xinfang.community import services
from xinfang.community.models import MediationReferral, ReferralStatus
from xinfang.orgs.models import Unit

from .factories import consent_all, mediation_committee, referral, user

pytestmark = pytest.mark.django_db

CODE = "mediations_agreed"


def in_mediation(member_id: int) -> MediationReferral:
    ref = referral()
    consent_all(ref)
    services.mediation_assign(user=user("handler"), referral_id=ref.pk, member_id=member_id)
    return ref


def agree(ref: MediationReferral) -> None:
    services.mediation_agree(
        user=user("handler"),
        referral_id=ref.pk,
        dispute="小区雨污管道堵塞。",
        terms="物业公司十日内疏通。",
        performance="社区监督履行。",
        signed_on=timezone.localdate(),
    )


def test_agreements_over_mediations_that_ended_leave_out_withdrawn_and_open_ones_on_both_paths(demo):
    member = mediation_committee().members.earliest("pk").pk
    agreed = [in_mediation(member), in_mediation(member)]
    for ref in agreed:
        agree(ref)
    failed = in_mediation(member)
    services.mediation_fail(user=user("handler"), referral_id=failed.pk, reason="未达成一致")
    withdrawn = referral()  # no consent yet: ending it withdraws the referral
    services.mediation_fail(user=user("handler"), referral_id=withdrawn.pk, reason="申请人撤回")
    still_open = in_mediation(member)
    withdrawn.refresh_from_db()
    assert withdrawn.status == ReferralStatus.WITHDRAWN
    today = timezone.localdate()
    period = ind.Period.month(today)
    indicator = ind.indicator(CODE)
    county, town = Unit.objects.get(code="ah-la-ja"), Unit.objects.get(code="ah-la-ja-wc")

    facts_refresh(today=today, full=True)
    for area in (county, town):
        figure = assert_fast_equals_records(CODE, area, today, period)
        assert (figure.numerator, figure.denominator) == (2, 3)
    scope = ind.Scope(petitions=None, area=county, today=today)
    assert set(indicator.denominator(scope, period).values_list("pk", flat=True)) == {  # type: ignore[union-attr]
        *(ref.pk for ref in agreed),
        failed.pk,
    }

    # The open mediation fails later: the next refresh reads it from the referral's outcome.
    services.mediation_fail(user=user("handler"), referral_id=still_open.pk, reason="对方拒绝")
    facts_refresh(today=today)
    figure = assert_fast_equals_records(CODE, county, today, period)
    assert (figure.numerator, figure.denominator) == (2, 4)
    elsewhere = assert_fast_equals_records(CODE, Unit.objects.get(code="ah-hf-yh"), today, period)
    assert (elsewhere.numerator, elsewhere.denominator) == (0, 0)


def test_mediations_agreed_is_offered_to_schemes_and_named_in_chinese(db):
    assert_selectable_in_a_scheme(CODE)
