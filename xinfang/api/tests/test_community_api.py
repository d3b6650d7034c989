"""Social forces, mediation and consent campaigns through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xinfang.community.models import MediationReferral
from xinfang.community.tests.factories import (
    ELIGIBLE,
    campaign,
    in_handling,
    mediation_committee,
    self_help_committee,
)
from xinfang.orgs.models import Unit
from xinfang.petitions.states import State

from .test_petitions_api import Api

pytestmark = pytest.mark.django_db


def test_registering_a_force_and_adding_a_member_keeps_phones_masked(demo):
    town = Api("town")
    made = town.post(
        "/community/forces",
        {
            "kind": "volunteer",
            "name": "南屏苑志愿者服务队",
            "area_id": Unit.objects.get(code="ah-la-ja-wc-npy").pk,
            "contact_phone": "13955001122",
        },
    )
    assert made.status_code == 201, made.content
    force = made.json()
    assert force["contact_phone_masked"] == "139****1122"
    member = town.post(
        f"/community/forces/{force['id']}/members", {"name": "志愿者甲", "phone": "13800001111"}
    )
    assert member.json()["members"][0]["phone_masked"] == "138****1111"
    assert "13800001111" not in member.content.decode()
    assert Api("town_hpl").get(f"/community/forces/{force['id']}").status_code == 404


def test_a_referral_through_the_api_from_checklist_to_agreement(demo):
    committee = mediation_committee()
    petition = in_handling()
    handler = Api("handler")
    questions = handler.get(f"/community/petitions/{petition.pk}/eligibility").json()
    assert {q["code"] for q in questions} == set(ELIGIBLE)
    refused = handler.post(
        f"/community/petitions/{petition.pk}/referrals",
        {"answers": {**ELIGIBLE, "special_organ": True}, "respondents": ["某公司"]},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    assert not MediationReferral.objects.exists()
    made = handler.post(
        f"/community/petitions/{petition.pk}/referrals", {"answers": ELIGIBLE, "respondents": ["某公司"]}
    )
    assert made.status_code == 201, made.content
    referral = made.json()
    for party in referral["parties"]:
        step = handler.post(
            f"/community/referrals/{referral['id']}/consents",
            {
                "mediation_party_id": party["id"],
                "consents": True,
                "given_on": timezone.localdate().isoformat(),
                "method": "signed",
            },
        )
        assert step.status_code == 200, step.content
    assert step.json()["status"] == "in_mediation" and step.json()["petition_state"] == State.MEDIATION
    assigned = handler.post(
        f"/community/referrals/{referral['id']}/assign", {"mediator_id": committee.members.earliest("pk").pk}
    ).json()
    due = dt.datetime.fromisoformat(assigned["first_contact_due_at"])
    assert due - dt.datetime.fromisoformat(assigned["assigned_at"]) == dt.timedelta(hours=24)
    handler.post(
        f"/community/referrals/{referral['id']}/contact",
        {"contacted_at": timezone.now().isoformat(), "method": "phone"},
    )
    agreed = handler.post(
        f"/community/referrals/{referral['id']}/agree",
        {
            "dispute": "纠纷",
            "terms": "物业公司十日内疏通管道",
            "performance": "十日内",
            "signed_on": timezone.localdate().isoformat(),
        },
    ).json()
    assert agreed["status"] == "agreed" and agreed["petition_state"] == State.SETTLED
    pdf = handler.get(agreed["agreement_documents"][0].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    figures = handler.get("/community/referrals/figures").json()
    assert (
        figures["agreed"] == 1 and figures["success_rate"] == "100.0%" and figures["contact_rate"] == "100.0%"
    )


def test_a_campaign_through_the_api_reaches_its_threshold(demo):
    force = self_help_committee()
    made = campaign(force, households=20)
    api = Api("town_hpl")
    detail = api.get(f"/community/campaigns/{made.pk}").json()
    for household in detail["households"][:19]:
        response = api.post(
            f"/community/households/{household['id']}/consents",
            {
                "status": "consented",
                "on": timezone.localdate().isoformat(),
                "worked_by_id": force.members.earliest("pk").pk,
                "expected_version": household["version"],
            },
        )
        assert response.status_code == 201, response.content
    detail = api.get(f"/community/campaigns/{made.pk}").json()
    assert detail["rate"] == "95.0" and detail["threshold_reached_on"] == timezone.localdate().isoformat()
    assert detail["work"][0]["consents"] == 19
    stale = api.post(
        f"/community/households/{detail['households'][0]['id']}/consents",
        {"status": "refused", "on": timezone.localdate().isoformat(), "expected_version": 1},
    )
    assert stale.status_code == 409
    assert Api("town").get(f"/community/campaigns/{made.pk}").status_code == 404
