"""Conference pages of the workbench: what each person sees, forms that keep the typing, the one click to
the written reply, the workbench panel and the dashboard's coverage figure."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as DocxDocument

from xinfang.conferences import demo as conference_demo
from xinfang.conferences import services
from xinfang.conferences.demo import canal_petitions, user
from xinfang.conferences.models import DecisionStatus, ItemStatus
from xinfang.conferences.tests.helpers import decided, pdf
from xinfang.petitions.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(demo: None):
    from xinfang.petitions.taxonomy import load_default_taxonomy

    conference_demo.ensure_conference_staff()
    load_default_taxonomy()
    return conference_demo.set_up("ym")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_people_of_a_conference_find_every_page_and_outsiders_find_none(client_for, town):
    case = decided(town)
    urls = [
        reverse("conferences:list"),
        reverse("conferences:conference", args=[town.pk]),
        reverse("conferences:item", args=[case.item.pk]),
        reverse("conferences:meeting", args=[case.meeting.pk]),
        reverse("conferences:minutes", args=[case.minutes.pk]),
        reverse("conferences:decision", args=[case.decision.pk]),
        reverse("conferences:decisions") + "?tab=all",
        reverse("conferences:measures"),
        reverse("conferences:escalations"),
        reverse("conferences:coverage"),
    ]
    secretary = client_for("town_ym")
    for url in urls:
        page(secretary, url)
    body = page(secretary, urls[1])
    assert town.name in body and "Propose an item" in body and "Call a meeting" in body
    outsider = client_for("town")  # 望城街道, another city
    for url in urls[1:6]:
        page(outsider, url, status=404)
    assert town.name not in page(outsider, urls[0])


def test_the_navigation_shows_conferences_to_those_who_have_one(client_for, town):
    assert 'href="/conferences/"' in page(client_for("town_ym"), "/")
    assert 'href="/conferences/"' not in page(client_for("handler"), "/")  # 金安区人社局: none of its own


def test_a_refused_proposal_shows_the_reason_beside_the_field_and_keeps_the_typing(client_for, town):
    petitions = canal_petitions()
    client = client_for("cadre_mn")
    url = reverse("conferences:propose", args=[town.pk])
    form = page(client, url)
    assert petitions[0].number in form and "Why one unit cannot solve it alone" in form
    response = client.post(
        url,
        {
            "source": "common_issue",
            "title": "灌溉支渠硬化改造",
            "reasons": "社区力量有限，无法筹措资金",
            "petitions": [petitions[0].pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A common issue groups at least two petitions." in body
    assert 'value="灌溉支渠硬化改造"' in body and "社区力量有限，无法筹措资金" in body
    assert not town.items.exists()
    response = client.post(
        url,
        {
            "source": "common_issue",
            "title": "灌溉支渠硬化改造",
            "reasons": "社区力量有限",
            "numbers": " ".join(p.number for p in petitions),
        },
    )
    item = town.items.get()
    assert response.status_code == 302 and response["Location"] == reverse("conferences:item", args=[item.pk])
    assert set(item.petitions.all()) == set(petitions)


def test_the_secretariat_accepts_an_item_from_its_page(client_for, town):
    petitions = canal_petitions()
    item = services.agenda_item_propose(
        user=user("cadre_mn"),
        conference_id=town.pk,
        title="支渠",
        reasons="社区力量有限",
        petition_ids=[petitions[0].pk],
        source="petition",
    )
    assert "Accept on the agenda" not in page(
        client_for("cadre_mn"), reverse("conferences:item", args=[item.pk])
    )
    client = client_for("town_ym")
    assert "Accept on the agenda" in page(client, reverse("conferences:item", args=[item.pk]))
    response = client.post(
        reverse("conferences:item_act", args=[item.pk, "accept"]),
        {"expected_version": item.version, "position": "3"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.position) == (ItemStatus.ACCEPTED, 3)
    stale = client.post(
        reverse("conferences:item_act", args=[item.pk, "return"]),
        {"expected_version": item.version - 1, "reason": "退回"},
    )
    assert stale.status_code == 200 and "Someone else changed this" in stale.content.decode()


def test_completing_a_decision_with_evidence_then_one_click_per_petition_gives_the_replies(client_for, town):
    case = decided(town)
    lead = client_for("town_ym")
    url = reverse("conferences:decision_act", args=[case.decision.pk, "complete"])
    missing = lead.post(
        url, {"result": "完成支渠硬化约600米", "done_on": "", "expected_version": case.decision.version}
    )
    assert missing.status_code == 200 and "完成支渠硬化约600米" in missing.content.decode()
    from django.utils import timezone

    done = lead.post(
        url,
        {
            "result": "完成支渠硬化约600米，解决400余人用水",
            "done_on": timezone.localdate().isoformat(),
            "expected_version": case.decision.version,
            "evidence": SimpleUploadedFile(
                "验收报告.pdf", b"%PDF-1.4 report", content_type="application/pdf"
            ),
        },
    )
    assert done.status_code == 302
    case.decision.refresh_from_db()
    assert case.decision.status == DecisionStatus.DONE
    handler = client_for("cadre_mn")
    detail = page(handler, reverse("conferences:decision", args=[case.decision.pk]))
    assert detail.count("Issue the written reply from this decision") == 2
    assert "give the written reply from it" in page(handler, "/")  # the reminder on the workbench
    for petition in case.petitions:
        reply = reverse("conferences:decision_reply", args=[case.decision.pk, petition.pk])
        handler.post(reply, {"method": "in_person", "expected_version": petition.version})
        petition.refresh_from_db()
        assert petition.state == State.OPINION_ISSUED
        handler.post(reply, {"method": "post", "expected_version": petition.version})
        petition.refresh_from_db()
        assert petition.state == State.REPLIED
        assert petition.opinions.get().delivery_method == "post"
    evidence = case.decision.evidence.get()
    download = handler.get(reverse("conferences:document", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for("town").get(reverse("conferences:document", args=[evidence.pk])).status_code == 404


def test_the_minutes_download_as_a_word_document(client_for, town):
    case = decided(town)
    response = client_for("leader_ym").get(
        reverse("conferences:minutes_document", args=[case.minutes.pk, "docx"])
    )
    assert response.status_code == 200
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(response.content)).paragraphs)
    assert case.minutes.number in text and "列入镇民生工程" in text
    assert (
        client_for("town")
        .get(reverse("conferences:minutes_document", args=[case.minutes.pk, "pdf"]))
        .status_code
        == 404
    )


def test_the_workbench_panel_counts_each_units_decisions(client_for, town):
    decided(town)
    lead = page(client_for("town_ym"), "/")
    assert 'href="/conferences/decisions/?tab=lead"' in lead
    panel = lead[lead.index('id="conference-tasks"') :]
    assert '<span class="queue-count">1</span><span class="queue-label">Decisions to carry out' in panel
    cooperating = page(client_for("cadre_mn"), "/")
    assert '<span class="queue-count">1</span><span class="queue-label">Decisions to help with' in cooperating
    assert 'id="conference-tasks"' not in page(client_for("handler"), "/")


def test_the_dashboard_shows_the_coverage_of_its_area_with_the_list_behind_it(client_for, town):
    held = decided(town)  # a meeting held today: 杨庙镇 is covered, 水湖镇 is not
    assert held.meeting.held_at is not None
    body = page(client_for("leader_cf"), reverse("dashboard:index"))
    card = body[body.index('id="conference-coverage"') :]
    assert "50.0%" in card[:600] and "1 of 2 towns and streets have an active conference" in card
    link = reverse("conferences:coverage") + "?area="
    assert link in card
    listing = page(client_for("leader_cf"), card[card.index(link) :].split('"')[0])
    assert (
        "杨庙镇" in listing
        and "水湖镇" in listing
        and "at least one meeting in the last three months" in listing
    )


def test_a_stranger_cannot_open_the_coverage_of_an_area_outside_their_jurisdiction(client_for, town):
    from xinfang.orgs.models import Unit

    area = Unit.objects.get(code="ah-hf-cf")
    assert client_for("town").get(reverse("conferences:coverage") + f"?area={area.pk}").status_code == 404


def test_escalating_from_the_item_page_sends_the_reason_and_the_documents(client_for, town):
    conference_demo.set_up("cf")
    petitions = canal_petitions()
    item = services.agenda_item_propose(
        user=user("cadre_mn"),
        conference_id=town.pk,
        title="排涝站更新",
        reasons="资金不足",
        petition_ids=[petitions[0].pk],
        source="petition",
    )
    item = services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    client = client_for("town_ym")
    response = client.post(
        reverse("conferences:item_act", args=[item.pk, "escalate"]),
        {"expected_version": item.version, "reason": "超出镇级财力", "documents": pdf("请示.pdf")},
    )
    assert response.status_code == 302
    escalation = item.escalation
    assert escalation.documents.count() == 1
    body = page(client, reverse("conferences:escalation", args=[escalation.pk]))
    assert "超出镇级财力" in body and "请示.pdf" in body
