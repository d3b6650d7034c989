"""The assessment API: schemes set up and refused with field errors, computed league tables, the same
figures as the pages, trace-back reviews kept from those who may not see them, checklists in a loop."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.accounts.models import ApiToken, User
from xinfang.assessment import indicators as ind
from xinfang.assessment.models import SharePolicy, SubjectKind
from xinfang.assessment.tests.api_data import assessment_ids
from xinfang.assessment.tests.scenarios import NANPINGYUAN, accepted, at, replied
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


class Api:
    def __init__(self, username: str) -> None:
        _token, raw = ApiToken.issue(user=User.objects.get(username=username), name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(BASE + path, body, content_type="application/json", headers=self.headers)


def scheme_body(area: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "2025年度考核",
        "year": 2025,
        "area_id": Unit.objects.get(code=area).pk,
        "subject_kind": "town",
        "petition_share": 18,
        "items": [
            {"indicator": "on_time", "weight": 60, "target": 90, "floor": 50},
            {"indicator": "satisfaction", "weight": 40, "target": 90, "floor": 50},
        ],
    }
    body.update(overrides)
    return body


def test_a_scheme_is_created_published_and_computed_through_the_api(demo):
    for seed in (801, 802):
        replied(accepted(seed=seed, on="2025-03-03", place=NANPINGYUAN), on="2025-04-20")
    api = Api("leader")
    created = api.post("/assessment/schemes", scheme_body("ah-la-ja"))
    assert created.status_code == 201, created.json()
    scheme = created.json()
    assert scheme["status"] == "draft" and scheme["petition_points"] == 18.0
    published = api.post(
        f"/assessment/schemes/{scheme['id']}/publish", {"expected_version": scheme["version"]}
    )
    assert published.json()["status"] == "published"
    with at("2025-12-31"):
        run = api.post(f"/assessment/schemes/{scheme['id']}/compute", {}).json()
    scores = {s["unit"]: s for s in run["scores"]}
    assert scores["望城街道"]["petition_score"] == 100.0 and scores["望城街道"]["rank"] == 1
    assert scores["三十铺镇"]["petition_score"] is None and scores["三十铺镇"]["rank"] is None
    assert api.get(f"/assessment/runs/{run['id']}").json()["scores"] == run["scores"]
    copy = api.post(f"/assessment/schemes/{scheme['id']}/copy", {"year": 2026, "weights": {"on_time": 70}})
    assert copy.status_code == 201 and copy.json()["previous_id"] == scheme["id"]
    assert [h["year"] for h in copy.json()["history"]] == [2025, 2026]


def test_a_refused_scheme_answers_400_with_an_error_per_field(demo):
    from xinfang.accounts.demo import ensure_demo_user
    from xinfang.accounts.models import Role

    county = Unit.objects.get(code="ah-hf-cf")
    SharePolicy.objects.create(unit=county, subject_kind=SubjectKind.SECRETARY, minimum_share=20)
    ensure_demo_user("leader_cf", "唐县领导", "ah-hf-cf", Role.LEADER, "县委副书记")
    response = Api("leader_cf").post(
        "/assessment/schemes",
        scheme_body(
            "ah-hf-cf",
            subject_kind="secretary",
            petition_share=15,
            items=[{"indicator": "received", "weight": 10}],
        ),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "at least 20 %" in errors["petition_share"][0]
    assert any("raw volume is never scored" in m for m in errors["items"])
    # A scheme of an area outside the caller's jurisdiction is refused the same way.
    outside = Api("county_yj").post("/assessment/schemes", scheme_body("ah-la-ja"))
    assert outside.status_code == 400 and "area" in outside.json()["errors"]


def test_figures_are_those_of_the_indicators_for_the_caller(demo):
    replied(accepted(seed=811, on="2025-03-03", place=NANPINGYUAN), on="2025-05-20")
    with at("2025-06-15"):
        answer = Api("leader").get(
            "/assessment/figures",
            area=Unit.objects.get(code="ah-la-ja").pk,
            start="2025-05-01",
            end="2025-05-31",
        )
    assert answer.status_code == 200
    figures = {f["code"]: f for f in answer.json()["figures"]}
    assert (figures["on_time"]["numerator"], figures["on_time"]["denominator"]) == (0, 1)
    assert set(figures) == set(ind.INDICATORS)
    elsewhere = Api("county_yj").get(
        "/assessment/figures", area=Unit.objects.get(code="ah-la-ja").pk, start="2025-05-01", end="2025-05-31"
    )
    assert elsewhere.status_code == 404


def test_reviews_and_checklists_through_the_api(demo):
    ids = assessment_ids()
    review_id = ids["review_id"][0]
    assert Api("handler").get(f"/assessment/reviews/{review_id}").status_code == 404
    detail = Api("inspector").get(f"/assessment/reviews/{review_id}").json()
    assert detail["triggers"] == ["repeat"] and detail["chain"][0]["earlier"]
    refused = Api("county").post(
        f"/assessment/reviews/{review_id}/findings",
        {"subject_name": "某某", "ground": "45-1", "outcome": "talk", "finding": "超期"},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "role"
    recorded = Api("inspector").post(
        f"/assessment/reviews/{review_id}/findings",
        {"subject_name": "某某", "ground": "45-1", "outcome": "cleared", "finding": "按期办理"},
    )
    assert recorded.status_code == 201 and recorded.json()["outcome_label"] == "Cleared: no responsibility"
    item_id = ids["item_id"][0]
    town, county = Api("town"), Api("county")
    submitted = town.post(f"/assessment/items/{item_id}/evidence", {"evidence_text": "已完成"}).json()
    assert submitted["state"] == "submitted"
    own = town.post(f"/assessment/items/{item_id}/verify", {"accept": True, "return_visit": "回访"})
    assert own.status_code == 400
    closed = county.post(f"/assessment/items/{item_id}/verify", {"accept": True, "return_visit": "回访满意"})
    assert closed.json()["state"] == "closed"
    assert all(i["id"] != item_id for i in county.get("/assessment/ledger").json())
