from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .factories import cadre_agent, mandate, wage_filing

pytestmark = pytest.mark.django_db

AGENCY = ["agent", "agencymandate", "agentstatuschange", "agenttask", "claim", "claimpayment", "mandateuse"]
COMMUNITY = [
    "socialforce",
    "socialforcemember",
    "socialforcelink",
    "eligibilitycheck",
    "mediationreferral",
    "mediationparty",
    "mediationconsent",
    "mediationagreement",
    "consentcampaign",
    "household",
    "householdconsent",
]


@pytest.fixture
def admin_browser(demo) -> Client:
    from xinfang.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(username="admin"), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


@pytest.mark.parametrize("name", [f"agency_{m}" for m in AGENCY] + [f"community_{m}" for m in COMMUNITY])
def test_every_model_has_an_admin_list_that_opens(admin_browser, name):
    assert admin_browser.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_claims_and_payments_cannot_be_edited_or_deleted_in_the_admin(admin_browser):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    change = reverse("admin:agency_claim_change", args=[claim.pk])
    assert admin_browser.get(change).status_code == 200
    assert admin_browser.post(change, {"amount_claimed": "1"}).status_code == 403
    assert admin_browser.get(reverse("admin:agency_claim_delete", args=[claim.pk])).status_code == 403
    assert admin_browser.get(reverse("admin:agency_claimpayment_add")).status_code == 403
    claim.refresh_from_db()
    assert str(claim.amount_claimed) == "3000.00"
