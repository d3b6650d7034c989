"""The agency API end to end: agents, mandates, filing on behalf, tasks, claims and payments, ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.agency.models import AgencyMandate, ClaimPayment
from xinfang.agency.tests.factories import PDF, cadre_agent, mandate, wage_filing
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition, PetitionParty
from xinfang.petitions.states import Channel

from .test_petitions_api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(demo: None) -> Any:
    return Api("cadre")


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_a_street_officer_certifies_an_agent_through_the_api_and_a_cadre_cannot(demo):
    body = {
        "unit_id": Unit.objects.get(code="ah-la-yj-pg-hp").pk,
        "kind": "community_worker",
        "person": {"name": "网格员老周", "phone": "13955667788"},
        "certificate_number": "PG-API-1",
        "certified_on": _today(),
        "certified_by": "叶集区信访局",
    }
    assert Api("cadre").post("/agency/agents", body).status_code == 400
    made = Api("town2").post("/agency/agents", body)
    assert made.status_code == 201, made.content
    assert made.json()["phone_masked"] == "139****7788"
    assert Api("town").get(f"/agency/agents/{made.json()['id']}").status_code == 404


def test_the_whole_agency_path_through_the_api(cadre):
    agent = cadre_agent()
    response = cadre.post(
        f"/agency/agents/{agent.pk}/mandates",
        data={
            "form": SimpleUploadedFile("委托书.pdf", PDF, content_type="application/pdf"),
            "principal_name": "姚某某",
            "scope": "代为反映拖欠劳务费",
            "starts_on": _today(-1),
            "ends_on": _today(90),
        },
    )
    assert response.status_code == 201, response.content
    mandate_id = response.json()["id"]
    assert response.json()["state"] == "in_force"
    filing = cadre.post(
        f"/agency/agents/{agent.pk}/filings",
        {
            "mandate_ids": [mandate_id],
            "subject": "油茶基地拖欠村民劳务费",
            "request": "请求支付劳务费",
            "place_id": Unit.objects.get(code="ah-la-yj-pg-hp").pk,
            "claims": [{"name": f"村民{i}", "amount": "3500.00"} for i in range(11)],
        },
    )
    assert filing.status_code == 201, filing.content
    petition = Petition.objects.get(pk=filing.json()["petition_id"])
    assert petition.channel == Channel.AGENT and filing.json()["claims"] == 11
    assert PetitionParty.objects.filter(petition=petition, role="agent", petitioner=agent.person).exists()
    claims = cadre.get(f"/agency/petitions/{petition.pk}/claims").json()
    paid = cadre.post(f"/agency/claims/{claims[0]['id']}/payments", {"amount": "3500", "paid_on": _today()})
    assert paid.status_code == 201 and paid.json()["paid_status"] == "paid"
    over = cadre.post(
        f"/agency/claims/{claims[1]['id']}/payments", {"amount": "3500.01", "paid_on": _today()}
    )
    assert over.status_code == 400 and over.json()["code"] == "over_claim"
    task = cadre.post(f"/agency/petitions/{petition.pk}/tasks", {"kind": "chase", "due_on": _today(3)})
    assert task.status_code == 201
    done = cadre.post(f"/agency/tasks/{task.json()['id']}/done", {"outcome": "已催办", "expected_version": 1})
    assert done.status_code == 200 and done.json()["done_at"]
    ledger = cadre.get("/agency/ledger", unit=Unit.objects.get(code="ah-la-yj-pg-hp").pk).json()
    assert ledger["totals"]["recovered"] == "3500.00" and ledger["totals"]["claimed"] == "38500.00"
    caseload = cadre.get(f"/agency/agents/{agent.pk}").json()
    assert caseload["totals"]["claims"] == 11 and len(caseload["mandates_in_force"]) == 1
    revoked = cadre.post(
        f"/agency/mandates/{mandate_id}/revoke", {"revoked_on": _today(), "expected_version": 1}
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"


def test_a_mandate_without_its_form_is_refused(cadre):
    agent = cadre_agent()
    response = cadre.post(
        f"/agency/agents/{agent.pk}/mandates",
        data={"principal_name": "姚某某", "scope": "代为反映", "starts_on": _today(), "ends_on": _today(30)},
    )
    assert response.status_code in {400, 422}
    assert not AgencyMandate.objects.exists()


def test_filing_under_a_revoked_mandate_is_refused_and_nothing_is_registered(cadre):
    agent = cadre_agent()
    used = mandate(agent)
    cadre.post(f"/agency/mandates/{used.pk}/revoke", {"revoked_on": _today()})
    response = cadre.post(
        f"/agency/agents/{agent.pk}/filings",
        {
            "mandate_ids": [used.pk],
            "subject": "拖欠",
            "request": "支付",
            "place_id": Unit.objects.get(code="ah-la-yj-pg-hp").pk,
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "mandate_not_in_force"
    assert not Petition.objects.exists()


def test_a_stale_version_gets_409_and_changes_nothing(cadre):
    agent = cadre_agent()
    used = mandate(agent)
    response = cadre.post(
        f"/agency/mandates/{used.pk}/revoke", {"revoked_on": _today(), "expected_version": 7}
    )
    assert response.status_code == 409
    used.refresh_from_db()
    assert used.revoked_on is None


def test_claims_of_another_county_answer_404(demo):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)], claims=1)
    claim = petition.claims.get()
    other = Api("county")
    assert other.get(f"/agency/petitions/{petition.pk}/claims").status_code == 404
    assert (
        other.post(f"/agency/claims/{claim.pk}/payments", {"amount": "1", "paid_on": _today()}).status_code
        == 404
    )
    assert not ClaimPayment.objects.exists()
    assert other.get("/agency/totals").json()["totals"]["claims"] == 0
    assert Api("county_yj").get("/agency/totals").json()["totals"]["claims"] == 1


def test_the_agent_cannot_rate_through_the_petitions_api(cadre):
    from xinfang.agency.tests.factories import to_replied

    agent = cadre_agent()
    petition = to_replied(wage_filing(agent, [mandate(agent)]))
    response = cadre.post(f"/petitions/{petition.pk}/evaluate", {"rating": "satisfied"})
    assert response.status_code == 400 and response.json()["code"] == "principal_right"
