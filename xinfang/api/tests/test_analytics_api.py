"""The analytics API: routing suggestions, near-duplicates, corrections, common issues, early warning."""

from __future__ import annotations

import pytest

from xinfang.analytics.demo import build_demo_common_issue
from xinfang.analytics.models import RoutingCorrection
from xinfang.analytics.tests.fixtures import train_small
from xinfang.petitions.models import Category
from xinfang.petitions.taxonomy import load_default_taxonomy
from xinfang.petitions.tests.factories import register

from .test_petitions_api import Api, unit_id

pytestmark = pytest.mark.django_db

WAGES = "宏达建筑劳务公司拖欠我们十几个人的工资，请求督促支付劳务报酬"


@pytest.fixture
def taxonomy(demo):
    load_default_taxonomy()


def test_without_a_model_the_route_answers_unavailable_with_a_note(taxonomy):
    body = Api("town").post("/analytics/route", {"text": WAGES}).json()
    assert body["available"] is False and body["best"] is None and body["note"]


def test_the_route_gives_category_confidence_alternatives_and_department(taxonomy, settings, tmp_path):
    settings.XINFANG_MODEL_DIR = tmp_path
    train_small(tmp_path, per_template=15)
    body = (
        Api("town").post("/analytics/route", {"text": WAGES, "place_id": unit_id("ah-la-ja-wc-npy")}).json()
    )
    assert body["available"] and body["best"]["category"] == "劳动和社会保障"
    assert 0 < body["best"]["confidence"] <= 1 and len(body["alternatives"]) <= 3
    assert all(0.01 <= a["confidence"] <= body["best"]["confidence"] for a in body["alternatives"])
    assert body["department"] == "金安区人力资源和社会保障局"
    models = Api("town").get("/analytics/router-models").json()
    assert [(m["version"], m["active"]) for m in models] == [(1, True)]


def test_a_place_outside_the_jurisdiction_is_not_found(taxonomy):
    response = Api("town").post("/analytics/route", {"text": WAGES, "place_id": unit_id("ah-la-yj-pg-hp")})
    assert response.status_code == 404


def test_near_duplicates_of_a_petition_are_other_petitions_on_the_same_matter(taxonomy):
    first = register(by="town", subject="南屏苑二期小区电梯停运", person="甲某", id_seed=71)
    second = register(by="town", subject="南屏苑二期小区电梯停运！", person="乙某", id_seed=72)
    found = Api("town").get(f"/analytics/petitions/{second.pk}/near-duplicates").json()
    assert [m["petition_id"] for m in found] == [first.pk]
    by_text = (
        Api("town")
        .post(
            "/analytics/near-duplicates",
            {"text": "南屏苑二期小区电梯停运 请求尽快疏通小区雨污管道并修复破损井盖"},
        )
        .json()
    )
    assert {m["petition_id"] for m in by_text} == {first.pk, second.pk}
    assert Api("town2").get(f"/analytics/petitions/{second.pk}/near-duplicates").status_code == 404


def test_a_category_correction_is_stored_and_a_stale_one_answers_409(taxonomy):
    petition = register(by="town")
    target = Category.objects.get(parent=None, name="城乡建设")
    api = Api("town")
    stale = api.post(
        f"/analytics/petitions/{petition.pk}/category", {"category_id": target.pk, "expected_version": 99}
    )
    assert stale.status_code == 409
    done = api.post(
        f"/analytics/petitions/{petition.pk}/category", {"category_id": target.pk, "note": "物业"}
    )
    assert done.status_code == 200 and done.json()["to_category_id"] == target.pk
    assert RoutingCorrection.objects.filter(petition=petition).count() == 1
    again = api.post(f"/analytics/petitions/{petition.pk}/category", {"category_id": target.pk})
    assert again.status_code == 400 and again.json()["code"] == "unchanged"


def test_common_issues_and_early_warning_list_the_demo_group_for_its_county_only(taxonomy):
    build_demo_common_issue()
    groups = Api("county").get("/analytics/common-issues").json()
    assert groups[0]["petitioners"] == 5 and len(groups[0]["petition_ids"]) == 5
    warning = Api("county").get("/analytics/early-warning").json()
    assert any("拉横幅" in t["words"] for t in warning["threats"])
    assert warning["rising"][0]["key"] == groups[0]["key"]
    assert Api("county_yj").get("/analytics/common-issues").json() == []
