"""Two people recording on one claim, mandate or household at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from xinfang.agency import services
from xinfang.agency.models import AgencyMandate, ClaimPayment, MandateUse
from xinfang.community import services as community
from xinfang.community.models import Household, HouseholdConsent
from xinfang.community.tests.factories import campaign, self_help_committee
from xinfang.core.errors import ConflictError, DomainError
from xinfang.petitions.models import Petition
from xinfang.petitions.tests.test_concurrency import _race, postgres_only

from .factories import cadre_agent, mandate, user, wage_filing

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_payments_recorded_at_once_on_one_claim_never_recover_more_than_claimed(demo):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()  # 3000 yuan claimed
    today = timezone.localdate()
    results = _race(
        [
            lambda: services.claim_payment_record(
                user=user("cadre"), claim_id=claim.pk, amount="2000", paid_on=today
            ),
            lambda: services.claim_payment_record(
                user=user("town2"), claim_id=claim.pk, amount="2000", paid_on=today
            ),
        ]
    )
    recorded = [r for r in results if isinstance(r, ClaimPayment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(recorded) == 1 and len(refused) == 1, results
    assert refused[0].code == "over_claim"
    assert services.recovered_of(claim) == Decimal("2000.00")
    assert claim.petition.events.filter(action="claim_payment").count() == 1


def test_filing_while_the_principal_revokes_never_files_under_a_revoked_mandate(demo):
    agent = cadre_agent()
    used = mandate(agent)
    today = timezone.localdate()
    results = _race(
        [
            lambda: wage_filing(agent, [used]),
            lambda: services.mandate_revoke(user=user("town2"), mandate_id=used.pk, revoked_on=today),
        ]
    )
    filed, revoked = results
    assert isinstance(revoked, AgencyMandate), results
    used.refresh_from_db()
    if isinstance(filed, Petition):
        # The filing took the mandate's lock first: it was used before the revocation was recorded.
        use = MandateUse.objects.get(mandate=used)
        assert used.revocation_recorded_at is not None and use.used_at <= used.revocation_recorded_at
        assert filed.events.filter(action="agency_mandate_revoked").exists()
    else:
        assert isinstance(filed, DomainError) and filed.code == "mandate_not_in_force", results
        assert not Petition.objects.exists()


def test_two_canvassers_recording_one_household_from_the_same_page_one_gets_a_conflict(demo):
    force = self_help_committee()
    household = campaign(force, households=1).households.get()
    today = timezone.localdate()
    results = _race(
        [
            lambda: community.household_consent_record(
                user=user("town_hpl"),
                household_id=household.pk,
                status="consented",
                on=today,
                expected_version=1,
            ),
            lambda: community.household_consent_record(
                user=user("town_hpl"),
                household_id=household.pk,
                status="refused",
                on=today,
                expected_version=1,
            ),
        ]
    )
    assert sum(isinstance(r, HouseholdConsent) for r in results) == 1, results
    assert sum(isinstance(r, ConflictError) for r in results) == 1
    household = Household.objects.get(pk=household.pk)
    change = HouseholdConsent.objects.get(household=household)
    assert household.version == 2 and household.status == change.status
