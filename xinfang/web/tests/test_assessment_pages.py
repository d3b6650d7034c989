"""The assessment pages: a scheme set up through the forms, computed, explained down to the petitions and
exported; trace-back reviews for the right people only; a checklist item closed by a second person."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.accounts.models import User
from xinfang.assessment import services
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.models import (
    AssessmentScheme,
    ChecklistSource,
    ItemState,
    SharePolicy,
    SubjectKind,
)
from xinfang.assessment.tests.scenarios import NANPINGYUAN, SANSHIPU, accepted, at, rated, replied
from xinfang.assessment.traceback import review_open
from xinfang.orgs.models import Unit
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.states import Channel, Rating
from xinfang.petitions.tests.factories import register

pytestmark = pytest.mark.django_db

ITEMS = [
    ("on_time", "40", "target", "90", "50", ""),
    ("satisfaction", "40", "target", "90", "50", ""),
    ("repeat", "20", "target", "5", "30", ""),
    ("supervision", "10", "deduct", "", "", "2"),
]


def scheme_post(
    area: Unit, *, share: str = "18", kind: str = SubjectKind.TOWN, **extra: str
) -> dict[str, Any]:
    data = {
        "name": "2025年度基层党建工作考核（金安区）",
        "year": "2025",
        "area": str(area.pk),
        "subject_kind": kind,
        "total_points": "100",
        "petition_share": share,
        "red_list_min": "90",
        "black_list_below": "60",
        "basic_counts": "on",
        "one_time_days": "90",
        "items-TOTAL_FORMS": str(len(ITEMS) + 1),
        "items-INITIAL_FORMS": "0",
    }
    for index, (code, weight, rule, target, floor, per) in enumerate(ITEMS):
        data.update(
            {
                f"items-{index}-indicator": code,
                f"items-{index}-weight": weight,
                f"items-{index}-rule": rule,
                f"items-{index}-target": target,
                f"items-{index}-floor": floor,
                f"items-{index}-per_count": per,
            }
        )
    data.update(extra)
    return data


def pdf_fonts(data: bytes) -> list[bytes]:
    """The embedded fonts' names (the objects sit in compressed object streams)."""
    text = data
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text += zlib.decompress(raw)
        except zlib.error:
            continue
    return re.findall(rb"/FontName\s*/([^\s/<>\[\]]+)", text) if b"/FontFile" in text else []


def history() -> None:
    for seed, place in ((701, NANPINGYUAN), (702, NANPINGYUAN), (703, SANSHIPU)):
        petition = accepted(seed=seed, on="2025-03-03", place=place)
        replied(petition, on="2025-04-20")
        rated(petition, rating=Rating.SATISFIED, on="2025-04-21")
    late = accepted(seed=704, on="2025-03-03", place=SANSHIPU)
    replied(late, on="2025-05-20")


def test_a_scheme_set_up_in_the_forms_is_computed_explained_and_exported(client_for, demo):
    history()
    leader = client_for("leader")
    page = leader.get(reverse("assessment:scheme_new"))
    assert page.status_code == 200 and "items-0-indicator" in page.content.decode()
    response = leader.post(reverse("assessment:scheme_new"), scheme_post(Unit.objects.get(code="ah-la-ja")))
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = AssessmentScheme.objects.get()
    assert scheme.items.count() == 4 and scheme.petition_share == 18
    detail = reverse("assessment:scheme_detail", args=[scheme.pk])
    leader.post(reverse("assessment:scheme_publish", args=[scheme.pk]), {"expected_version": scheme.version})
    with at("2025-12-31"):
        leader.post(reverse("assessment:scheme_compute", args=[scheme.pk]))
        body = leader.get(detail).content.decode()
    assert "望城街道" in body and "三十铺镇" in body and "Red list" in body
    run = scheme.runs.get()
    score = run.scores.get(unit__code="ah-la-ja-ssp")
    page = leader.get(reverse("assessment:score_detail", args=[score.pk])).content.decode()
    on_time = next(i for i in score.items if i["code"] == "on_time")
    assert (on_time["numerator"], on_time["denominator"]) == (1, 2)
    assert "Handling deadlines met" in page  # the definition is printed beside the figure
    drill = reverse("assessment:score_drill", args=[score.pk])
    due = leader.get(drill, {"code": "on_time", "part": "den"}).content.decode()
    numbers = set(re.findall(r'<td class="mono nowrap"><a href="[^"]+">([^<]+)</a>', due))
    assert len(numbers) == 2
    met = leader.get(drill, {"code": "on_time", "part": "num"}).content.decode()
    assert len(set(re.findall(r'<td class="mono nowrap"><a href="[^"]+">([^<]+)</a>', met))) == 1

    league = leader.get(reverse("assessment:league_export", args=[run.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(league.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[1] for row in rows] == ["望城街道", "三十铺镇"] and rows[0][0] == 1
    pdf = leader.get(reverse("assessment:league_export", args=[run.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    fonts = pdf_fonts(pdf.content)
    assert any(b"WenQuanYi" in name or b"CJK" in name or b"Hei" in name for name in fonts), fonts
    report = leader.get(reverse("assessment:report_export", args=[score.pk, "xlsx"]))
    workbook = load_workbook(io.BytesIO(report.content))
    assert "三十铺镇" in [c.value for c in workbook.worksheets[0]["B"]]
    assert leader.get(reverse("assessment:report_export", args=[score.pk, "pdf"])).content.startswith(b"%PDF")


def test_a_refused_scheme_shows_the_error_beside_the_field_and_keeps_what_was_typed(client_for, demo):
    from xinfang.accounts.demo import ensure_demo_user
    from xinfang.accounts.models import Role

    county = Unit.objects.get(code="ah-hf-cf")
    SharePolicy.objects.create(
        unit=county, subject_kind=SubjectKind.SECRETARY, minimum_share=20, basis="述职评议要求"
    )
    ensure_demo_user("leader_cf", "唐县领导", "ah-hf-cf", Role.LEADER, "县委副书记")
    client = client_for("leader_cf")
    response = client.post(
        reverse("assessment:scheme_new"),
        scheme_post(county, share="15", kind=SubjectKind.SECRETARY, name="述职评议考核"),
    )
    body = response.content.decode()
    assert response.status_code == 200 and not AssessmentScheme.objects.exists()
    assert 'id="id_petition_share_error"' in body and "at least 20 %" in body
    assert 'value="述职评议考核"' in body and 'value="15"' in body
    zh = client.post(
        reverse("assessment:scheme_new"),
        scheme_post(county, share="15", kind=SubjectKind.SECRETARY),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "不低于20%" in zh


def test_the_trace_back_is_for_petition_departments_leaders_and_inspectors_who_record_the_outcome(
    client_for, demo
):
    earlier = accepted(seed=711, on="2025-03-03", subject="拖欠工资问题第711号")
    replied(earlier, on="2025-05-20")
    with at("2025-06-10"):
        upward = register(by="city", id_seed=711, subject="拖欠工资问题第711号", channel=Channel.VISIT)
        for suggestion in upward.suggestions.all():
            suggestion_decide(
                suggestion_id=suggestion.pk, user=User.objects.get(username="city"), confirm=True
            )
    review = review_open(petition=upward)
    assert review is not None
    url = reverse("assessment:review_detail", args=[review.pk])
    assert client_for("handler").get(reverse("assessment:reviews")).status_code == 403
    assert client_for("handler").get(url).status_code == 403
    inspector = client_for("inspector")
    page = inspector.get(url).content.decode()
    assert "金安区人力资源和社会保障局" in page and "赵人社局经办人" in page and earlier.number in page
    handler = User.objects.get(username="handler")
    refused = inspector.post(
        reverse("assessment:review_finding", args=[review.pk]), {"subject": str(handler.pk)}
    )
    assert refused.status_code == 200 and "Choose the ground" in refused.content.decode()
    recorded = inspector.post(
        reverse("assessment:review_finding", args=[review.pk]),
        {
            "subject": str(handler.pk),
            "ground": "45-1",
            "outcome": "talk",
            "finding": "超期办结",
            "expected_version": str(review.version),
        },
    )
    assert recorded.status_code == 302
    inspector.post(
        reverse("assessment:review_conclude", args=[review.pk]),
        {"conclusion": "约谈承办人", "expected_version": str(review.version + 1)},
    )
    review.refresh_from_db()
    assert review.status == "concluded" and review.findings.get().subject_user == handler
    listing = client_for("leader").get(reverse("assessment:reviews"), {"year": review.year}).content.decode()
    assert re.search(r'id="fig-people">1<', listing) and re.search(r'id="fig-opened">1<', listing)


def test_a_checklist_item_is_closed_through_the_pages_only_by_a_second_person(client_for, demo):
    checklist = services.checklist_create(
        user=User.objects.get(username="county"),
        title="专项整治清单",
        area=Unit.objects.get(code="ah-la-ja"),
        source=ChecklistSource.CAMPAIGN,
    )
    county = client_for("county")
    response = county.post(
        reverse("assessment:checklist_item_add", args=[checklist.pk]),
        {
            "title": "疏通雨污管道",
            "owner_unit": str(Unit.objects.get(code="ah-la-ja-wc").pk),
            "owner": str(User.objects.get(username="town").pk),
            "due_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    item = checklist.items.get()
    town = client_for("town")
    town.post(
        reverse("assessment:item_submit", args=[item.pk]),
        {"evidence_text": "已完成", "expected_version": "1"},
    )
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED
    own = town.post(
        reverse("assessment:item_verify", args=[item.pk]),
        {"decision": "accept", "return_visit": "回访", "expected_version": str(item.version)},
    )
    assert "second person" in own.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED
    county.post(
        reverse("assessment:item_verify", args=[item.pk]),
        {"decision": "accept", "return_visit": "回访信访人，满意", "expected_version": str(item.version)},
    )
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    assert "疏通雨污管道" not in county.get(reverse("assessment:ledger")).content.decode()


def test_the_definitions_say_how_a_rating_is_dated(client_for, demo):
    body = client_for("county").get(reverse("assessment:definitions")).content.decode()
    assert "a rating counts in the month it was given" in body
    zh = (
        client_for("county")
        .get(reverse("assessment:definitions"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "a rating counts in the month it was given" not in zh


def test_the_dashboard_reads_the_fact_table_when_it_holds_today_and_shows_the_same_figures(client_for, demo):
    history()
    leader = client_for("leader")
    params = {"period": "year"}
    with at("2025-12-31"):
        before = leader.get(reverse("dashboard:index"), params).content.decode()
        facts_refresh(today=timezone.localdate())
        after = leader.get(reverse("dashboard:index"), params).content.decode()
    big = re.compile(r'<p class="dash-big"><a href="[^"]+">([^<]+)</a>')
    assert big.findall(before) == big.findall(after) and "75.0%" in big.findall(after)
    assert "fact table" not in before and "assessment fact table" in after


ASSESSMENT_LINK = 'href="/assessment/"'


def test_the_assessment_link_and_pages_are_only_for_leaders_petition_offices_and_inspectors(client_for, demo):
    checklist = services.checklist_create(
        user=User.objects.get(username="county"),
        title="专项整治清单",
        area=Unit.objects.get(code="ah-la-ja"),
        source=ChecklistSource.CAMPAIGN,
    )
    item = services.checklist_item_add(
        checklist_id=checklist.pk,
        user=User.objects.get(username="county"),
        title="核发拖欠工资",
        owner_unit=Unit.objects.get(code="ah-la-ja-rsj"),
        due_on=timezone.localdate(),
    )
    for name in ("leader", "county", "town", "inspector", "admin"):
        client = client_for(name)
        assert ASSESSMENT_LINK in client.get(reverse("web:home")).content.decode(), name
        assert client.get(reverse("assessment:home")).status_code == 200, name
    for name in ("handler", "cadre"):
        client = client_for(name)
        assert ASSESSMENT_LINK not in client.get(reverse("web:home")).content.decode(), name
        for url in (
            reverse("assessment:home"),
            reverse("assessment:definitions"),
            reverse("assessment:scheme_new"),
            reverse("assessment:checklists"),
            reverse("assessment:ledger"),
            reverse("assessment:commendations"),
        ):
            assert client.get(url).status_code == 403, (name, url)
    # The unit that owns a checklist item still opens it to give the evidence; another unit does not.
    detail = reverse("assessment:checklist_detail", args=[checklist.pk])
    assert client_for("handler").get(detail).status_code == 200
    assert item.title in client_for("handler").get(detail).content.decode()
    assert client_for("cadre").get(detail).status_code == 404
    # Anonymous visitors go to the login page as before.
    from django.test import Client

    assert Client().get(reverse("assessment:home")).status_code == 302
