"""Social forces, mediation referral and consent campaign pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.community import services
from xinfang.community.models import ConsentStatus, MediationReferral, ReferralStatus, SocialForce
from xinfang.community.tests.factories import (
    ELIGIBLE,
    campaign,
    consent_all,
    in_handling,
    mediation_committee,
    referral,
    self_help_committee,
    user,
)
from xinfang.petitions.states import State

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def _answers(answers: dict[str, bool]) -> dict[str, str]:
    return {f"q_{code}": "yes" if value else "no" for code, value in answers.items()}


def test_a_street_officer_registers_a_committee_and_its_page_shows_the_phone_masked(client_for, unit):
    client = client_for("town")
    response = client.post(
        reverse("community:force_create"),
        {
            "kind": "mediation_committee",
            "name": "望城街道人民调解委员会",
            "area": unit("ah-la-ja-wc").pk,
            "contact_name": "周主任",
            "contact_phone": "13955001122",
        },
    )
    force = SocialForce.objects.get()
    assert response["Location"] == reverse("community:force_detail", args=[force.pk])
    page = _body(client.get(response["Location"]))
    assert "139****1122" in page and "13955001122" not in page


def test_a_bad_phone_is_refused_beside_the_field_and_the_name_is_kept(client_for, unit):
    response = client_for("town").post(
        reverse("community:force_create"),
        {"kind": "volunteer", "name": "志愿服务队", "area": unit("ah-la-ja-wc").pk, "contact_phone": "12"},
    )
    assert response.status_code == 200 and 'value="志愿服务队"' in _body(response)
    assert not SocialForce.objects.exists()


def test_an_ineligible_referral_shows_the_reasons_and_records_nothing(client_for):
    petition = in_handling()
    client = client_for("handler")
    form = client.get(reverse("community:referral_create", args=[petition.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Is it an administrative dispute" in _body(form)
    response = client.post(
        reverse("community:referral_create", args=[petition.pk]),
        {**_answers({**ELIGIBLE, "legal_procedure": True}), "respondents": "某物业公司"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "A legal procedure on the matter is not finished." in _body(response)
    assert "某物业公司" in _body(response)
    assert not MediationReferral.objects.exists()


def test_a_referral_goes_from_consent_to_agreement_and_its_document_downloads(client_for):
    from docx import Document

    committee = mediation_committee()
    petition = in_handling()
    client = client_for("handler")
    response = client.post(
        reverse("community:referral_create", args=[petition.pk]),
        {**_answers(ELIGIBLE), "respondents": "某物业公司", "expected_version": petition.version},
    )
    ref = MediationReferral.objects.get()
    assert response["Location"] == reverse("community:referral_detail", args=[ref.pk])
    for party in ref.parties.all():
        client.post(
            reverse("community:consent_record", args=[ref.pk]),
            {
                "party": party.pk,
                "consents": "yes",
                "given_on": timezone.localdate().isoformat(),
                "method": "signed",
            },
        )
    ref.refresh_from_db()
    assert ref.status == ReferralStatus.IN_MEDIATION
    client.post(
        reverse("community:assign", args=[ref.pk]),
        {"mediator": committee.members.earliest("pk").pk, "expected_version": ref.version},
    )
    client.post(
        reverse("community:contact", args=[ref.pk]),
        {"contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "phone"},
    )
    ref.refresh_from_db()
    page = _body(client.get(reverse("community:referral_detail", args=[ref.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "on time" in page
    client.post(
        reverse("community:agree", args=[ref.pk]),
        {
            "dispute": "管道堵塞",
            "terms": "物业公司十日内疏通管道",
            "performance": "十日内履行",
            "signed_on": timezone.localdate().isoformat(),
            "expected_version": ref.version,
        },
    )
    petition.refresh_from_db()
    assert petition.state == State.SETTLED
    docx = client.get(reverse("community:agreement_document", args=[ref.pk, "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "物业公司十日内疏通管道" in text
    pdf = client.get(reverse("community:agreement_document", args=[ref.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    timeline = _body(
        client.get(reverse("web:petition_detail", args=[petition.pk]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Referred to people&#x27;s mediation" in timeline or "Referred to people's mediation" in timeline
    assert "Mediator assigned" in timeline


def test_a_stale_agreement_form_gets_the_conflict_message(client_for):
    mediation_committee()
    ref = referral()
    consent_all(ref)
    response = client_for("handler").post(
        reverse("community:agree", args=[ref.pk]),
        {
            "dispute": "d",
            "terms": "t",
            "performance": "p",
            "signed_on": timezone.localdate().isoformat(),
            "expected_version": 1,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "Someone else changed this record" in _body(response)
    ref.refresh_from_db()
    assert ref.status == ReferralStatus.IN_MEDIATION


def test_the_referral_list_shows_the_figures(client_for):
    ref = referral()
    consent_all(ref)
    services.mediation_fail(user=user("handler"), referral_id=ref.pk, reason="未达成")
    page = _body(client_for("handler").get(reverse("community:referral_list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "0.0%" in page and "0 agreed, 1 failed" in page


def test_a_referral_is_not_visible_to_another_county(client_for):
    ref = referral()
    assert client_for("town2").get(reverse("community:referral_detail", args=[ref.pk])).status_code == 404
    assert (
        client_for("town2").get(reverse("community:petition_panel", args=[ref.petition_id])).status_code
        == 404
    )


def test_linking_a_social_force_to_a_petition_from_its_panel(client_for):
    force = mediation_committee()
    petition = in_handling()
    client = client_for("handler")
    client.post(
        reverse("community:link_create", args=[petition.pk]), {"force": force.pk, "role": "co_handler"}
    )
    assert petition.social_force_links.filter(force=force, ended_at__isnull=True).exists()
    detail = _body(client.get(reverse("web:petition_detail", args=[petition.pk])))
    assert "望城街道人民调解委员会" in detail


def test_a_campaign_page_shows_the_rate_the_threshold_date_and_records_a_household(client_for):
    force = self_help_committee()
    made = campaign(force, households=20)
    households = list(made.households.order_by("pk"))
    for household in households[:18]:
        services.household_consent_record(
            user=user("town_hpl"),
            household_id=household.pk,
            status=ConsentStatus.CONSENTED,
            on=made.starts_on + dt.timedelta(days=2),
        )
    client = client_for("town_hpl")
    page = _body(client.get(reverse("community:campaign_detail", args=[made.pk])))
    assert 'data-testid="consent-rate">90.0%' in page and 'id="consent-data"' in page
    client.post(
        reverse("community:household_record", args=[made.pk]),
        {
            "household": households[18].pk,
            "status": "consented",
            "on": timezone.localdate().isoformat(),
            "worked_by": force.members.earliest("pk").pk,
        },
    )
    page = _body(client.get(reverse("community:campaign_detail", args=[made.pk])))
    assert 'data-testid="consent-rate">95.0%' in page
    assert f'data-testid="threshold-reached">{timezone.localdate():%Y-%m-%d}' in page
    assert "委员1" in page


def test_households_are_added_from_lines_with_the_names_masked(client_for):
    made = campaign(self_help_committee(), households=0)
    client_for("town_hpl").post(
        reverse("community:households_create", args=[made.pk]),
        {"lines": "宿舍3栋101 王建国\n宿舍3栋102 李秀英"},
    )
    assert list(made.households.order_by("address_label").values_list("head_name", flat=True)) == [
        "王**",
        "李**",
    ]


def test_a_campaign_of_another_district_is_not_found(client_for):
    made = campaign(self_help_committee(), households=1)
    assert client_for("town").get(reverse("community:campaign_detail", args=[made.pk])).status_code == 404


def test_the_answered_checklist_reads_in_the_readers_language(client_for):
    ref = referral()
    client = client_for("handler")
    zh = _body(
        client.get(reverse("community:referral_detail", args=[ref.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    en = _body(client.get(reverse("community:referral_detail", args=[ref.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "是否属于民事纠纷" in zh and "Is it a civil dispute" not in zh
    assert "Is it a civil dispute" in en
