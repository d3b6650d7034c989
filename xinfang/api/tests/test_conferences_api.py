"""The conferences API end to end: the two scenarios of issue 6 driven by the people of each step with
their own tokens, and the answers for those outside."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.accounts.models import ApiToken, User
from xinfang.conferences import demo as conference_demo
from xinfang.conferences.demo import (
    CANAL_MEASURES,
    CANAL_REASONS,
    CANAL_RESULT,
    CANAL_STATEMENT,
    canal_petitions,
)
from xinfang.conferences.models import Member
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
BASE = "/api/v1"


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(moment).replace(tzinfo=TZ), tick=False)


class Api:
    def __init__(self, username: str) -> None:
        _token, raw = ApiToken.issue(user=User.objects.get(username=username), name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, files: dict[str, Any] | None = None) -> Any:
        if files is not None:
            return self.client.post(BASE + path, {**(body or {}), **files}, headers=self.headers)
        return self.client.post(
            BASE + path, body or {}, content_type="application/json", headers=self.headers
        )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


@pytest.fixture
def conferences(demo: None) -> dict[str, Any]:
    from xinfang.petitions.taxonomy import load_default_taxonomy

    conference_demo.ensure_conference_staff()
    load_default_taxonomy()
    return {"ym": conference_demo.set_up("ym"), "cf": conference_demo.set_up("cf")}


def attendance(conference: Any) -> list[dict[str, Any]]:
    return [
        {"unit_id": m.unit_id, "status": "present", "attendee": "负责同志"}
        for m in Member.objects.filter(conference=conference, left_on__isnull=True)
    ]


def test_the_canal_case_through_the_api(conferences):
    town = conferences["ym"]
    cadre, secretary, convenor = Api("cadre_mn"), Api("town_ym"), Api("leader_ym")
    with at("2025-04-07T09:00"):
        petitions = canal_petitions()
        found = ok(cadre.get("/conferences/for-unit", unit=uid("ah-hf-cf-ym-mn-g1")))
        assert found["id"] == town.pk and found["name"] == "杨庙镇信访工作联席会议"
        item = ok(
            cadre.post(
                f"/conferences/{town.pk}/items",
                {
                    "title": "庙南社区灌溉支渠硬化改造",
                    "reasons": CANAL_REASONS,
                    "source": "common_issue",
                    "petition_ids": [p.pk for p in petitions],
                },
            ),
            201,
        )
        assert item["status"] == "proposed" and {p["id"] for p in item["petitions"]} == {
            p.pk for p in petitions
        }
        meeting = ok(
            secretary.post(
                f"/conferences/{town.pk}/meetings",
                {"kind": "working", "scheduled_at": "2025-04-10T09:00:00+08:00", "topic": "农业用水"},
            ),
            201,
        )
        assert meeting["status"] == "notified"
        item = ok(
            secretary.post(f"/agenda-items/{item['id']}/accept", {"meeting_id": meeting["id"], "position": 1})
        )
        assert item["status"] == "accepted" and item["meeting_id"] == meeting["id"]
    with at("2025-04-10T15:00"):
        held = ok(
            secretary.post(
                f"/meetings/{meeting['id']}/hold",
                {
                    "held_at": "2025-04-10T09:00:00+08:00",
                    "chair_id": User.objects.get(username="leader_ym").pk,
                    "attendance": attendance(town),
                },
            )
        )
        assert held["status"] == "held" and len(held["attendance"]) == len(attendance(town))
        minutes = ok(secretary.post(f"/meetings/{meeting['id']}/minutes", {"summary": "研究灌溉支渠问题。"}))
        decision = ok(
            secretary.post(
                f"/minutes/{minutes['id']}/decisions",
                {
                    "item_id": item["id"],
                    "statement": CANAL_STATEMENT,
                    "measures": CANAL_MEASURES,
                    "lead_unit_id": uid("ah-hf-cf-ym"),
                    "cooperating_unit_ids": [uid("ah-hf-cf-ym-nyb"), uid("ah-hf-cf-ym-mn")],
                    "funding": "livelihood_project",
                    "funding_reference": "杨庙镇民生工程",
                    "budget_amount": "360000.00",
                    "due_on": "2025-06-30",
                },
            )
        )
        assert decision["status"] == "draft"
        refused = secretary.post(f"/minutes/{minutes['id']}/approve", {})
        assert refused.status_code == 400 and refused.json()["code"] == "not_convenor"
    with at("2025-04-11T09:00"):
        approved = ok(
            convenor.post(f"/minutes/{minutes['id']}/approve", {"expected_version": minutes["version"]})
        )
    assert approved["status"] == "approved" and approved["number"] == "杨庙信联纪〔2025〕1号"
    tasks = ok(cadre.get("/decisions"))
    assert [(t["decision_id"], t["role"]) for t in tasks] == [(decision["id"], "cooperating")]
    assert ok(secretary.get("/decisions", role="lead"))[0]["decision_id"] == decision["id"]

    with at("2025-06-20T10:00"):
        missing = secretary.post(f"/decisions/{decision['id']}/complete", {"result": CANAL_RESULT}, files={})
        assert missing.status_code == 400 and missing.json()["code"] == "evidence"
        done = ok(
            secretary.post(
                f"/decisions/{decision['id']}/complete",
                {"result": CANAL_RESULT},
                files={"evidence": pdf("验收报告.pdf")},
            )
        )
    assert done["status"] == "done" and done["on_time"] is True
    assert [p["reply_step"] for p in ok(cadre.get(f"/decisions/{decision['id']}"))["petitions"]] == [
        "issue_opinion",
        "issue_opinion",
    ]
    with at("2025-06-23T10:00"):
        for petition in petitions:
            step = ok(cadre.post(f"/decisions/{decision['id']}/petitions/{petition.pk}/reply", {}))
            assert (step["state"], step["reply_step"]) == ("opinion_issued", "deliver_reply")
            step = ok(
                cadre.post(f"/decisions/{decision['id']}/petitions/{petition.pk}/reply", {"method": "post"})
            )
            assert step["state"] == "replied" and step["reply_step"] is None
    actions = [row["action"] for row in ok(cadre.get(f"/petitions/{petitions[0].pk}/events"))]
    for action in (
        "conference_proposed",
        "conference_decided",
        "conference_done",
        "issue_opinion",
        "deliver_reply",
    ):
        assert action in actions


def test_the_escalation_to_the_county_through_the_api(conferences):
    town, county = conferences["ym"], conferences["cf"]
    town_secretary, county_secretary = Api("town_ym"), Api("county_cf")
    with at("2025-05-06T09:00"):
        petition = canal_petitions()[0]
        item = ok(
            Api("cadre_mn").post(
                f"/conferences/{town.pk}/items",
                {
                    "title": "排涝站更新改造",
                    "reasons": "超出镇级财力",
                    "source": "petition",
                    "petition_ids": [petition.pk],
                },
            ),
            201,
        )
        ok(town_secretary.post(f"/agenda-items/{item['id']}/accept", {}))
        escalation = ok(
            town_secretary.post(
                f"/agenda-items/{item['id']}/escalate",
                {"reason": "需纳入县级水利规划"},
                files={"documents": pdf("请示.pdf")},
            ),
            201,
        )
    assert escalation["status"] == "submitted" and escalation["upper_conference"] == county.name
    assert [d["name"] for d in escalation["documents"]] == ["请示.pdf"]
    upper_id = escalation["upper_item_id"]
    with at("2025-05-08T09:00"):
        meeting = ok(
            county_secretary.post(
                f"/conferences/{county.pk}/meetings",
                {"kind": "working", "scheduled_at": "2025-05-15T09:30:00+08:00"},
            ),
            201,
        )
        ok(county_secretary.post(f"/agenda-items/{upper_id}/accept", {"meeting_id": meeting["id"]}))
    assert ok(town_secretary.get(f"/escalations/{escalation['id']}"))["status"] == "accepted"
    with at("2025-05-15T16:00"):
        ok(
            county_secretary.post(
                f"/meetings/{meeting['id']}/hold",
                {
                    "held_at": "2025-05-15T09:30:00+08:00",
                    "chair_id": User.objects.get(username="leader_cf").pk,
                    "attendance": attendance(county),
                },
            )
        )
        minutes = ok(
            county_secretary.post(f"/meetings/{meeting['id']}/minutes", {"summary": "研究乡镇报请事项。"})
        )
        decision = ok(
            county_secretary.post(
                f"/minutes/{minutes['id']}/decisions",
                {
                    "item_id": upper_id,
                    "statement": "列入县农田水利项目。",
                    "measures": "县水利局汛前完成泵机更新。",
                    "lead_unit_id": uid("ah-hf-cf-slj"),
                    "cooperating_unit_ids": [uid("ah-hf-cf-ym")],
                    "funding": "special_fund",
                    "funding_reference": "县级农田水利专项资金",
                    "due_on": "2025-07-31",
                },
            )
        )
        ok(Api("leader_cf").post(f"/minutes/{minutes['id']}/approve", {}))
    progress = ok(town_secretary.get(f"/escalations/{escalation['id']}"))
    assert (progress["status"], progress["decision_id"]) == ("decided", decision["id"])
    lower = ok(town_secretary.get(f"/agenda-items/{item['id']}"))
    assert (lower["status"], lower["binding_decision_id"]) == ("decided_above", decision["id"])
    assert ok(town_secretary.get(f"/decisions/{decision['id']}"))["lead_unit"]["name"] == "长丰县水利局"
    with at("2025-07-20T10:00"):
        ok(
            Api("handler_cf").post(
                f"/decisions/{decision['id']}/complete",
                {"result": "泵机已更新"},
                files={"evidence": pdf("竣工验收.pdf")},
            )
        )
    assert ok(town_secretary.get(f"/escalations/{escalation['id']}"))["status"] == "resolved"
    assert ok(town_secretary.get(f"/agenda-items/{item['id']}"))["status"] == "done"


def test_outsiders_get_not_found_and_bad_input_a_field_error(conferences):
    town = conferences["ym"]
    outsider = Api("town")  # 望城街道, 六安市
    assert outsider.get(f"/conferences/{town.pk}").status_code == 404
    assert town.pk not in [c["id"] for c in ok(outsider.get("/conferences"))]
    assert ok(outsider.get("/conferences/for-unit", unit=uid("ah-hf-cf-ym"))) is None
    bad = Api("cadre_mn").post(
        f"/conferences/{town.pk}/items", {"title": "x", "reasons": "y", "source": "other"}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "source"
    invalid = Api("cadre_mn").post(f"/conferences/{town.pk}/items", {"title": "x"})
    assert invalid.status_code == 422
    coverage = ok(Api("leader_cf").get("/conferences/coverage"))
    assert coverage["areas"][0]["area"]["name"] == "长丰县" and coverage["areas"][0]["total"] == 2
    assert outsider.get("/conferences/coverage", area=uid("ah-hf-cf")).status_code == 404
