"""Agency pages: caseload, mandates, filing on behalf, claims and payments, ledger and its export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from xinfang.agency.models import AgencyMandate, Claim, ClaimPayment
from xinfang.agency.tests.factories import PDF, cadre_agent, mandate, wage_filing
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel

pytestmark = pytest.mark.django_db

LINES = "\n".join(f"村民{i:02d} {3000 + i * 200}" for i in range(12))


def _body(response) -> str:
    return response.content.decode()


def test_the_agency_link_is_in_the_cadres_nav_and_leads_to_their_caseload(client_for):
    agent = cadre_agent()
    client = client_for("cadre")
    home = _body(client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    nav = home[home.index('<nav class="mainnav">') : home.index("</nav>")]
    assert 'href="/agency/"' in nav and "代理" in nav
    response = client.get(reverse("agency:index"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "agency:agent_detail", args=[agent.pk]
    )


def test_a_department_handler_has_no_agency_link(client_for):
    home = _body(client_for("handler").get("/"))
    nav = home[home.index('<nav class="mainnav">') : home.index("</nav>")]
    assert 'href="/agency/"' not in nav
    assert 'href="/community/"' in nav


def test_a_street_officer_certifies_an_agent_and_a_bad_date_keeps_what_was_typed(client_for, unit):
    client = client_for("town2")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    data = {
        "unit": unit("ah-la-yj-pg-hp").pk,
        "kind": "village_cadre",
        "name": "赵代理员",
        "certificate_number": "PG-001",
        "certified_on": future,
        "certified_by": "叶集区信访局",
    }
    refused = client.post(reverse("agency:agent_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "cannot be in the future" in _body(refused)
    assert 'value="赵代理员"' in _body(refused) and 'value="PG-001"' in _body(refused)
    data["certified_on"] = timezone.localdate().isoformat()
    made = client.post(reverse("agency:agent_create"), data)
    assert made.status_code == 302


def test_a_mandate_without_the_signed_form_is_refused_beside_the_field(client_for):
    agent = cadre_agent()
    client = client_for("cadre")
    today = timezone.localdate()
    response = client.post(
        reverse("agency:mandate_create", args=[agent.pk]),
        {
            "principal_name": "姚某某",
            "scope": "代为反映",
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=90),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = _body(response)
    assert "Upload the entrustment form" in body and 'value="姚某某"' in body
    assert not AgencyMandate.objects.exists()


def test_a_mandate_with_its_signed_form_is_recorded_and_the_form_can_be_downloaded(client_for):
    agent = cadre_agent()
    client = client_for("cadre")
    today = timezone.localdate()
    response = client.post(
        reverse("agency:mandate_create", args=[agent.pk]),
        {
            "principal_name": "姚某某",
            "principal_id_number": "",
            "scope": "代为反映拖欠劳务费",
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=90),
            "form": SimpleUploadedFile("委托书.pdf", PDF, content_type="application/pdf"),
        },
    )
    made = AgencyMandate.objects.get()
    assert response["Location"] == reverse("agency:mandate_detail", args=[made.pk])
    detail = _body(client.get(response["Location"]))
    assert "委托书.pdf" in detail
    download = client.get(reverse("agency:mandate_form", args=[made.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_filing_on_behalf_with_twelve_claims_then_recording_payments_shows_in_the_ledger(client_for):
    agent = cadre_agent()
    used = mandate(agent, name="姚某某")
    client = client_for("cadre")
    response = client.post(
        reverse("agency:file_petition", args=[agent.pk]),
        {
            "mandates": [used.pk],
            "subject": "油茶基地拖欠村民劳务费",
            "request": "请求督促企业支付劳务费",
            "place": "和平村",
            "claim_kind": "unpaid_wages",
            "debtor": "某油茶种植有限公司",
            "claims": LINES,
        },
    )
    petition = Petition.objects.get(channel=Channel.AGENT)
    assert response["Location"] == reverse("agency:matter", args=[petition.pk])
    assert petition.claims.count() == 12 and petition.people_count == 13
    claims = list(petition.claims.order_by("pk"))
    payments = {f"amount_{c.pk}": str(c.amount_claimed) for c in claims[:10]}
    paid = client.post(
        reverse("agency:payments_record", args=[petition.pk]),
        {"paid_on": timezone.localdate().isoformat(), "note": "春节前兑付", **payments},
    )
    assert paid.status_code == 302
    recovered = sum(c.amount_claimed for c in claims[:10])
    ledger = _body(client.get(reverse("agency:ledger")))
    assert f"{recovered:,.2f}" in ledger
    assert "和平村" in ledger


def test_a_payment_above_the_claim_is_shown_as_an_error_and_nothing_is_recorded(client_for):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)], claims=2)
    claim = petition.claims.earliest("pk")
    response = _body(
        client_for("cadre").post(
            reverse("agency:payments_record", args=[petition.pk]),
            {"paid_on": timezone.localdate().isoformat(), f"amount_{claim.pk}": "99999"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert "more than was claimed" in response and 'value="99999' in response
    assert not ClaimPayment.objects.exists()


def test_a_filing_line_without_an_amount_is_shown_beside_the_claims_and_the_text_is_kept(client_for):
    agent = cadre_agent()
    used = mandate(agent)
    response = client_for("cadre").post(
        reverse("agency:file_petition", args=[agent.pk]),
        {
            "mandates": [used.pk],
            "subject": "拖欠劳务费",
            "request": "请求支付",
            "place": "和平村",
            "claim_kind": "unpaid_wages",
            "claims": "姚某某 4200\n陈某某 很多",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = _body(response)
    assert "Line 2" in body and "陈某某 很多" in body
    assert not Petition.objects.exists()


def test_tasks_are_added_and_done_on_the_matter_page(client_for, unit):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)])
    client = client_for("cadre")
    client.post(
        reverse("agency:task_create", args=[petition.pk]),
        {
            "kind": "represent",
            "due_on": timezone.localdate().isoformat(),
            "department": unit("ah-la-yj-rsj").pk,
        },
    )
    task = petition.agent_tasks.get()
    client.post(reverse("agency:task_done", args=[task.pk]), {"outcome": "已约谈企业", "expected_version": 1})
    task.refresh_from_db()
    assert task.done_at is not None
    page = _body(client.get(reverse("web:petition_detail", args=[petition.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Agent task done" in page and "已约谈企业" in page


def test_another_countys_officer_cannot_open_the_cadres_agency_pages(client_for):
    agent = cadre_agent()
    used = mandate(agent)
    petition = wage_filing(agent, [used], claims=1)
    client = client_for("town")
    for url in (
        reverse("agency:agent_detail", args=[agent.pk]),
        reverse("agency:mandate_detail", args=[used.pk]),
        reverse("agency:mandate_form", args=[used.pk]),
        reverse("agency:matter", args=[petition.pk]),
        reverse("agency:file_petition", args=[agent.pk]),
    ):
        assert client.get(url).status_code == 404, url
    claim = Claim.objects.get()
    assert (
        client.post(
            reverse("agency:payments_record", args=[petition.pk]),
            {f"amount_{claim.pk}": "10", "paid_on": "2026-01-01"},
        ).status_code
        == 404
    )
    assert "村民00" not in _body(client.get(reverse("agency:totals")))


def test_the_ledger_exports_as_a_workbook_with_the_totals(client_for, unit):
    from openpyxl import load_workbook

    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)], claims=3)
    claim = petition.claims.earliest("pk")
    from xinfang.accounts.models import User
    from xinfang.agency import services

    services.claim_payment_record(
        user=User.objects.get(username="cadre"),
        claim_id=claim.pk,
        amount="3000",
        paid_on=timezone.localdate(),
    )
    response = client_for("town2").get(reverse("agency:ledger_export"), {"unit": unit("ah-la-yj-pg-hp").pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 3
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 3 + 1
    total = rows[-1]
    assert Decimal(str(total[7])) == Decimal("9300") and Decimal(str(total[8])) == Decimal("3000")


def test_revoking_a_mandate_from_its_page(client_for):
    agent = cadre_agent()
    used = mandate(agent)
    client = client_for("cadre")
    response = client.post(
        reverse("agency:mandate_revoke", args=[used.pk]),
        {"revoked_on": timezone.localdate().isoformat(), "note": "本人电话撤回", "expected_version": 1},
    )
    assert response.status_code == 302
    used.refresh_from_db()
    assert used.revoked_on == timezone.localdate()
    page = _body(client.get(reverse("agency:mandate_detail", args=[used.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Revoked" in page and "Record the revocation" not in page


def test_the_agency_pages_are_complete_in_english_and_chinese(client_for):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)], claims=2)
    client = client_for("cadre")
    urls = [
        reverse("agency:agent_detail", args=[agent.pk]),
        reverse("agency:agent_list"),
        reverse("agency:matter", args=[petition.pk]),
        reverse("agency:ledger"),
        reverse("agency:totals"),
        reverse("agency:file_petition", args=[agent.pk]),
        reverse("agency:mandate_create", args=[agent.pk]),
    ]
    for url in urls:
        zh = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        en = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        assert "Claimed (yuan)" not in zh and "Caseload" not in zh, url
        assert "台账" not in en and "代理人" not in en, url


def test_revoking_from_a_stale_page_shows_the_conflict_and_changes_nothing(client_for):
    agent = cadre_agent()
    used = mandate(agent)
    response = client_for("cadre").post(
        reverse("agency:mandate_revoke", args=[used.pk]),
        {"revoked_on": timezone.localdate().isoformat(), "note": "撤回", "expected_version": 9},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "Someone else changed this record" in _body(response)
    assert "撤回" in _body(response)
    used.refresh_from_db()
    assert used.revoked_on is None
