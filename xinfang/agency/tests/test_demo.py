"""The demo tells the article's stories: 和平村's 46,000 yuan before the Spring Festival through the agent
``cadre``, mediations in 金安区, and the 和平路街道 self-help committee's campaign past 95%."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.agency.demo import build_demo_agency, spring_festival_before
from xinfang.agency.models import ClaimPayment
from xinfang.agency.selectors import agency_totals
from xinfang.community.demo import build_demo_community
from xinfang.community.models import ConsentCampaign, ForceKind, MediationReferral, SocialForce
from xinfang.community.selectors import consent_series, threshold_reached_on

pytestmark = pytest.mark.django_db


def test_the_demo_builds_the_agency_mediation_and_campaign_stories_once(demo):
    assert build_demo_agency() > 0
    build_demo_community()
    festival = spring_festival_before(timezone.localdate())
    cadre = User.objects.get(username="cadre")
    wage = agency_totals(cadre)
    before = ClaimPayment.objects.filter(paid_on__lt=festival, claim__petition__subject__contains="12名村民")
    assert sum(p.amount for p in before) == Decimal("46000")
    assert wage["by_village"][0].label == "和平村" and wage["by_village"][0].totals.claimant_count >= 10
    assert wage["by_agent"][0].obj.user == cadre

    committee = SocialForce.objects.get(kind=ForceKind.SELF_HELP_COMMITTEE, area__code="ah-hf-yh-hpl-hqs")
    assert committee.members.count() >= 30
    campaign = ConsentCampaign.objects.get(social_force=committee)
    series = consent_series(campaign)
    assert series[-1].rate > 95 and threshold_reached_on(campaign, series) is not None
    statuses = set(MediationReferral.objects.values_list("status", flat=True))
    assert {"agreed", "in_mediation"} <= statuses

    assert build_demo_agency() == 0  # idempotent
    build_demo_community()
    assert SocialForce.objects.filter(kind=ForceKind.SELF_HELP_COMMITTEE).count() == 1
