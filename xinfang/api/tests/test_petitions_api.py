"""The petitions API end to end: token and session clients, jurisdiction, secrecy, concurrency, errors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from xinfang.accounts.models import ApiToken, User
from xinfang.core.models import PersonalDataAccess
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.lifecycle import TRANSITIONS
from xinfang.petitions.models import Petition, PetitionParty, Suggestion
from xinfang.petitions.states import PetitionType, State
from xinfang.petitions.tests.factories import register, valid_id

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
BASE = "/api/v1"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


class Api:
    """A JSON client for one demo user, authenticated by a bearer token."""

    def __init__(self, username: str, language: str = "en") -> None:
        _token, raw = ApiToken.issue(user=User.objects.get(username=username), name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}", "Accept-Language": language}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        if "data" in kwargs:  # multipart
            return self.client.post(BASE + path, kwargs["data"], headers=self.headers)
        return self.client.post(
            BASE + path, body or {}, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(demo: None) -> Any:
    return Api


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "visit",
        "subject": "拖欠农民工工资",
        "request": "请求督促建筑公司支付拖欠的三个月工资",
        "facts": "2024年在南屏苑工地务工",
        "place_id": unit_id("ah-la-ja-wc-npy"),
        "principal": {"name": "王某某", "id_number": valid_id(7), "phone": "13855020007"},
    }
    body.update(overrides)
    return body


def petition_state(pk: int) -> tuple[str, int, int]:
    p = Petition.objects.get(pk=pk)
    return p.state, p.version, p.events.count()


# --- paths through the API ----------------------------------------------------------------------


def test_token_client_registers_forwards_and_accepts_a_petition(api):
    county, handler = api("county"), api("handler")
    with at("2025-03-03"):
        created = county.post("/petitions", intake_body())
        assert created.status_code == 201, created.content
        petition = created.json()
        assert petition["state"] == "registered"
        assert petition["registering_unit"]["name"] == "金安区信访局"
        assert {"forward", "triage", "assign"} <= {a["action"] for a in petition["allowed_actions"]}
        forwarded = county.post(
            f"/petitions/{petition['id']}/forward",
            {
                "to_unit_id": unit_id("ah-la-ja-rsj"),
                "note": "属人社职责",
                "expected_version": petition["version"],
            },
        )
        assert forwarded.status_code == 200, forwarded.content
        assert forwarded.json()["state"] == "forwarded"
        assert forwarded.json()["current_unit"]["name"] == "金安区人力资源和社会保障局"
    with at("2025-03-05"):
        accepted = handler.post(
            f"/petitions/{petition['id']}/accept",
            {"petition_type": "grievance", "notice_sent_on": "2025-03-05", "route": "start_handling"},
        )
        assert accepted.status_code == 200, accepted.content
        detail = accepted.json()
    assert detail["state"] == "in_handling"
    clocks = {c["kind"]: c for c in detail["clocks"]}
    assert clocks["handling"]["status"] == "running"
    assert clocks["handling"]["days_left"] is not None
    assert clocks["forward"]["status"] == "met"
    assert "open_hearing" in {a["action"] for a in detail["allowed_actions"]}
    assert "extend" in {a["endpoint"] for a in detail["allowed_actions"]}
    events = handler.get(f"/petitions/{petition['id']}/events").json()
    assert [e["action"] for e in events] == ["register", "forward", "accept", "start_handling"]
    assert events[1]["actor_unit"]["name"] == "金安区信访局"
    assert events[1]["reason"] == "属人社职责"


def test_session_client_lists_and_opens_petitions(client_for, demo):
    p = register(by="town", subject="南屏苑路灯不亮")
    c = client_for("town")
    listing = c.get(f"{BASE}/petitions")
    assert listing.status_code == 200
    assert p.number in {item["number"] for item in listing.json()["items"]}
    detail = c.get(f"{BASE}/petitions/{p.pk}")
    assert detail.status_code == 200
    assert detail.json()["subject"] == "南屏苑路灯不亮"
    triaged = c.post(f"{BASE}/petitions/{p.pk}/triage", {}, content_type="application/json")
    assert triaged.status_code == 200, triaged.content
    assert triaged.json()["state"] == "triage"


def test_session_write_without_csrf_token_is_refused(demo):
    p = register(by="town")
    c = Client(enforce_csrf_checks=True)
    c.force_login(User.objects.get(username="town"), backend="django.contrib.auth.backends.ModelBackend")
    response = c.post(f"{BASE}/petitions/{p.pk}/triage", {}, content_type="application/json")
    assert response.status_code in {401, 403}
    assert petition_state(p.pk)[0] == State.REGISTERED


def test_anonymous_caller_gets_401(client, demo):
    p = register(by="town")
    assert client.get(f"{BASE}/petitions").status_code == 401
    assert client.get(f"{BASE}/petitions/{p.pk}").status_code == 401
    response = client.post(f"{BASE}/petitions/{p.pk}/triage", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_detail_shows_petitioners_masked_never_in_full(api):
    agent_id = valid_id(9)
    town = api("town")
    body = intake_body(
        principal={"name": "李某", "id_number": valid_id(11), "phone": "0564-3312345"},
        agent={"name": "代理员张某", "id_number": agent_id, "phone": "13955020009"},
        co_petitioners=[{"name": "李某妻", "phone": "13655021111"}],
    )
    created = town.post("/petitions", body)
    assert created.status_code == 201, created.content
    response = town.get(f"/petitions/{created.json()['id']}")
    detail, text = response.json(), response.content.decode()
    for secret in (valid_id(11), "3312345", agent_id, "13955020009", "13655021111"):
        assert secret not in text
    assert detail["principal"]["id_number_masked"] == valid_id(11)[:3] + "*" * 11 + valid_id(11)[-4:]
    assert detail["principal"]["phone_masked"] == "0564-*****45"
    assert detail["agent"]["name"] == "代理员张某"
    assert detail["agent"]["phone_masked"] == "139****0009"
    assert {party["role"] for party in detail["parties"]} == {"principal", "agent", "co_petitioner"}


def test_listing_filters_and_pages(api):
    with at("2025-02-10"):
        old = register(by="county", subject="旧小区停车难", place="ah-la-ja-ssp-ssp", id_seed=21)
    with at("2025-03-10"):
        water = register(by="county", subject="雨污管道堵塞", id_seed=22)
        wage = register(by="county", subject="工资拖欠", request="支付工资", id_seed=23, channel="letter")
    county = api("county")
    with at("2025-03-11"):

        def numbers(**params: Any) -> set[str]:
            response = county.get("/petitions", **params)
            assert response.status_code == 200, response.content
            return {item["number"] for item in response.json()["items"]}

        assert numbers(q="堵塞") == {water.number}
        assert numbers(q=wage.number) == {wage.number}
        assert numbers(channel="letter") == {wage.number}
        assert numbers(unit=unit_id("ah-la-ja-ssp")) == {old.number}
        assert numbers(received_from="2025-03-01") == {water.number, wage.number}
        assert numbers(received_to="2025-02-28") == {old.number}
        assert numbers(is_first_time="true") >= {old.number, water.number, wage.number}
        assert numbers(is_repeat="true") == set()
        # The 15-day forwarding clock of the February petition has run out.
        assert numbers(overdue="true") == {old.number}
        assert old.number not in numbers(overdue="false")
        page = county.get("/petitions", limit=1, offset=1).json()
        assert page["count"] == 3 and len(page["items"]) == 1
        item = county.get("/petitions", q="堵塞").json()["items"][0]
    assert item["state"] == "registered" and item["state_label"]
    assert item["place_name"] == "南屏苑社区"
    assert item["current_unit_name"] == "金安区信访局"
    assert item["flags"]["is_first_time"] is True
    assert item["next_due_on"] is not None


def test_listing_by_a_unit_outside_jurisdiction_is_404(api):
    response = api("town").get("/petitions", unit=unit_id("ah-la-yj"))
    assert response.status_code == 404


# --- jurisdiction and secrecy ------------------------------------------------------------------


def test_wangcheng_officer_cannot_reach_a_yeji_petition(api):
    p = register(by="town2", place="ah-la-yj-pg-hp", subject="和平村油茶基地补贴")
    party = PetitionParty.objects.get(petition=p, role="principal")
    before = petition_state(p.pk)
    town = api("town")
    assert town.get(f"/petitions/{p.pk}").status_code == 404
    assert town.get(f"/petitions/{p.pk}").json()["code"] == "not_found"
    assert town.get(f"/petitions/{p.pk}/events").status_code == 404
    assert town.post(f"/petitions/{p.pk}/triage").status_code == 404
    assert (
        town.post(f"/petitions/{p.pk}/forward", {"to_unit_id": unit_id("ah-la-ja-wc-npy")}).status_code == 404
    )
    assert town.post(f"/petitions/{p.pk}/redirect", {"reason": "另行提出"}).status_code == 404
    reveal = town.post(
        f"/petitions/{p.pk}/reveal", {"field": "id_number", "party_id": party.pk, "reason": "核实"}
    )
    assert reveal.status_code == 404
    upload = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    assert town.post(f"/petitions/{p.pk}/attachments", data={"file": upload}).status_code == 404
    items = town.get("/petitions", limit=500).json()["items"]
    assert p.number not in {item["number"] for item in items}
    assert town.get("/petitions", q="油茶").json()["count"] == 0
    assert petition_state(p.pk) == before
    assert not PersonalDataAccess.objects.exists()
    assert api("town2").get(f"/petitions/{p.pk}").status_code == 200


def test_accusation_is_hidden_from_the_accused_unit(api):
    p = register(
        by="county",
        place="ah-la-ja-wc-npy",
        subject="举报街道干部违规发放补贴",
        petition_type=PetitionType.ACCUSATION,
        accused_unit=Unit.objects.get(code="ah-la-ja-wc"),
    )
    town, county = api("town"), api("county")
    assert town.get(f"/petitions/{p.pk}").status_code == 404
    assert town.get(f"/petitions/{p.pk}/events").status_code == 404
    assert town.post(f"/petitions/{p.pk}/triage").status_code == 404
    assert p.number not in {item["number"] for item in town.get("/petitions", limit=500).json()["items"]}
    assert county.get(f"/petitions/{p.pk}").status_code == 200
    assert p.number in {item["number"] for item in county.get("/petitions", q="举报").json()["items"]}


def test_forwarding_to_a_unit_outside_jurisdiction_is_404_and_changes_nothing(api):
    p = register(by="town")
    before = petition_state(p.pk)
    response = api("town").post(f"/petitions/{p.pk}/forward", {"to_unit_id": unit_id("ah-la-yj-pg")})
    assert response.status_code == 404
    assert petition_state(p.pk) == before


def test_referral_to_the_discipline_commission_of_an_enclosing_area(api):
    town = api("town")
    p = register(by="town")
    elsewhere = town.post(f"/petitions/{p.pk}/refer-discipline", {"to_unit_id": unit_id("ah-la-yj-jw")})
    assert elsewhere.status_code == 404
    referred = town.post(f"/petitions/{p.pk}/refer-discipline", {"to_unit_id": unit_id("ah-la-ja-jw")})
    assert referred.status_code == 200, referred.content
    assert referred.json()["state"] == "referred_discipline"


# --- concurrency and errors ---------------------------------------------------------------------


def test_stale_expected_version_is_409_and_changes_nothing(api):
    p = register(by="town")
    town = api("town")
    assert town.post(f"/petitions/{p.pk}/triage", {"expected_version": p.version}).status_code == 200
    before = petition_state(p.pk)
    stale = town.post(
        f"/petitions/{p.pk}/forward",
        {"to_unit_id": unit_id("ah-la-ja-wc-npy"), "expected_version": p.version},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert petition_state(p.pk) == before


def test_action_not_allowed_in_the_state_is_400_with_a_translated_message(api):
    p = register(by="town")
    before = petition_state(p.pk)
    with translation.override("en"):
        refusal = str(services.refusal(TRANSITIONS["close_hearing"], State.REGISTERED))
    english = api("town").post(f"/petitions/{p.pk}/close-hearing")
    assert english.status_code == 400
    assert english.json()["code"] == "not_allowed_in_state"
    assert english.json()["detail"] == refusal
    assert "Registered" in refusal
    chinese = api("town", language="zh-hans").post(f"/petitions/{p.pk}/close-hearing")
    assert chinese.status_code == 400
    assert chinese.json()["code"] == "not_allowed_in_state"
    with translation.override("zh-hans"):
        expected = str(services.refusal(TRANSITIONS["close_hearing"], State.REGISTERED))
    assert chinese.json()["detail"] == expected
    if expected != refusal:  # once the zh-Hans catalogue is compiled
        assert re.search(r"[\u4e00-\u9fff]", chinese.json()["detail"])
    assert petition_state(p.pk) == before


def test_role_that_may_not_act_is_400(api):
    p = register(by="county")
    response = api("leader").post(f"/petitions/{p.pk}/forward", {"to_unit_id": unit_id("ah-la-ja-rsj")})
    assert response.status_code == 400
    assert response.json()["code"] == "role_not_allowed"
    assert "forward" not in {
        a["action"] for a in api("leader").get(f"/petitions/{p.pk}").json()["allowed_actions"]
    }


def test_malformed_body_is_422(api):
    p = register(by="town")
    town = api("town")
    missing = town.post(f"/petitions/{p.pk}/forward", {"note": "no unit"})
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid_input"
    assert "to_unit_id" in missing.json()["detail"]
    wrong_type = town.post(f"/petitions/{p.pk}/forward", {"to_unit_id": "南屏苑"})
    assert wrong_type.status_code == 422
    not_json = town.client.post(
        f"{BASE}/petitions/{p.pk}/triage", "{oops", content_type="application/json", headers=town.headers
    )
    assert not_json.status_code in {400, 422}
    bad_enum = town.post(
        f"/petitions/{p.pk}/accept", {"petition_type": "complaint", "notice_sent_on": "2025-01-01"}
    )
    assert bad_enum.status_code == 422
    nul = town.post(f"/petitions/{p.pk}/redirect", {"reason": "a\x00b"})
    assert nul.status_code == 422
    assert petition_state(p.pk)[0] == State.REGISTERED


def test_intake_validation_error_lists_the_fields(api):
    town = api("town")
    count = Petition.objects.count()
    response = town.post(
        "/petitions",
        intake_body(
            subject="  ",
            request="",
            principal={"name": "", "id_number": "341502198001010011", "phone": "12345"},
            people_count=0,
        ),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {
        "subject",
        "request",
        "principal_name",
        "principal_id_number",
        "principal_phone",
        "people_count",
    } <= set(body["errors"])
    assert all(isinstance(m, str) and m for messages in body["errors"].values() for m in messages)
    assert Petition.objects.count() == count


def test_intake_with_unknown_references_reports_them_as_fields(api):
    response = api("town").post("/petitions", intake_body(place_id=10**9, category_id=10**9, subject=""))
    assert response.status_code == 400
    assert {"place", "category", "subject"} <= set(response.json()["errors"])


def test_intake_accusation_needs_the_accused(api):
    response = api("county").post("/petitions", intake_body(petition_type="accusation"))
    assert response.status_code == 400
    assert "accused_description" in response.json()["errors"]


def test_received_submission_is_registered_through_the_api(api):
    from xinfang.petitions.intake import IntakeData, PersonData, petition_register

    online = petition_register(
        user=None,
        data=IntakeData(
            channel="online",
            subject="网上反映噪音扰民",
            request="请求查处夜间施工噪音",
            place=Unit.objects.get(code="ah-la-ja-wc-mz"),
            principal=PersonData(name="周某", phone="13855029999"),
        ),
        registering_unit=Unit.objects.get(code="ah-la-ja-wc"),
    )
    town = api("town")
    detail = town.get(f"/petitions/{online.pk}").json()
    assert detail["state"] == "received"
    assert [a["action"] for a in detail["allowed_actions"]] == ["register"]
    registered = town.post(f"/petitions/{online.pk}/register", {"expected_version": detail["version"]})
    assert registered.status_code == 200, registered.content
    assert registered.json()["state"] == "registered"
    assert registered.json()["registered_by"] == "王街道信访专干"


# --- attachments, detection, reveal --------------------------------------------------------------


def test_attachment_upload_checks_type_and_content(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = register(by="town")
    town = api("town")
    pdf = SimpleUploadedFile("收据.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    stored = town.post(f"/petitions/{p.pk}/attachments", data={"file": pdf, "description": "工资条"})
    assert stored.status_code == 201, stored.content
    assert stored.json()["original_name"] == "收据.pdf"
    assert stored.json()["content_type"] == "application/pdf"
    assert stored.json()["description"] == "工资条"
    fake = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = town.post(f"/petitions/{p.pk}/attachments", data={"file": fake})
    assert refused.status_code == 400
    assert refused.json()["code"] == "attachment"
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    assert town.post(f"/petitions/{p.pk}/attachments", data={"file": exe}).status_code == 400
    detail = town.get(f"/petitions/{p.pk}").json()
    assert [a["original_name"] for a in detail["attachments"]] == ["收据.pdf"]
    assert town.get(f"/petitions/{p.pk}/events").json()[-1]["action"] == "attach"


def test_confirming_a_repeat_suggestion_sets_the_flag(api):
    first = register(by="town", id_seed=31)
    second = register(by="town", id_seed=31)
    suggestion = Suggestion.objects.get(petition=second, kind=Suggestion.Kind.REPEAT)
    town = api("town")
    detail = town.get(f"/petitions/{second.pk}").json()
    listed = {s["id"]: s for s in detail["suggestions"]}
    assert listed[suggestion.pk]["candidate_number"] == first.number
    decided = town.post(f"/suggestions/{suggestion.pk}/decide", {"confirm": True, "note": "同一人同一事"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["flags"]["is_repeat"] is True
    assert decided.json()["repeat_of_id"] == first.pk
    again = town.post(f"/suggestions/{suggestion.pk}/decide", {"confirm": False})
    assert again.status_code == 400
    assert api("town2").post(f"/suggestions/{suggestion.pk}/decide", {"confirm": False}).status_code == 404
    assert town.post("/suggestions/999999999/decide", {"confirm": True}).status_code == 404


def test_a_suggested_earlier_petition_outside_jurisdiction_stays_anonymous(api):
    elsewhere = register(by="town2", place="ah-la-yj-pg-hp", id_seed=33)
    here = register(by="town", id_seed=33)
    suggestion = Suggestion.objects.get(petition=here, candidate=elsewhere)
    listed = {s["id"]: s for s in api("town").get(f"/petitions/{here.pk}").json()["suggestions"]}
    assert listed[suggestion.pk]["candidate_id"] is None
    assert listed[suggestion.pk]["candidate_number"] is None
    assert elsewhere.number not in api("town").get(f"/petitions/{here.pk}").content.decode()


def test_reveal_returns_the_full_value_and_logs_it(api):
    p = register(by="town", id_seed=41)
    party = PetitionParty.objects.get(petition=p, role="principal")
    town = api("town")
    no_reason = town.post(
        f"/petitions/{p.pk}/reveal", {"field": "id_number", "party_id": party.pk, "reason": " "}
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "reveal_reason_required"
    assert (
        town.post(f"/petitions/{p.pk}/reveal", {"field": "id_number", "party_id": party.pk}).status_code
        == 422
    )
    assert (
        town.post(
            f"/petitions/{p.pk}/reveal", {"field": "address", "party_id": party.pk, "reason": "x"}
        ).status_code
        == 422
    )
    assert not PersonalDataAccess.objects.exists()
    opened = town.post(
        f"/petitions/{p.pk}/reveal",
        {"field": "id_number", "party_id": party.pk, "reason": "电话回访核实身份"},
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["value"] == valid_id(41)
    phone = town.post(f"/petitions/{p.pk}/reveal", {"field": "phone", "party_id": party.pk, "reason": "回访"})
    assert phone.json()["value"] == "13855020041"
    access = PersonalDataAccess.objects.order_by("pk")
    assert [(a.field_name, a.reason, a.user.username) for a in access] == [
        ("id_number", "电话回访核实身份", "town"),
        ("phone", "回访", "town"),
    ]
    other = register(by="town", id_seed=42)
    foreign_party = PetitionParty.objects.get(petition=other, role="principal")
    wrong = town.post(
        f"/petitions/{p.pk}/reveal", {"field": "phone", "party_id": foreign_party.pk, "reason": "x"}
    )
    assert wrong.status_code == 404


# --- every action endpoint, along the paths of domain.md §3 --------------------------------------


def test_grievance_path_through_every_handling_endpoint(api):
    county, handler, leader, admin = api("county"), api("handler"), api("leader"), api("admin")
    rsj = unit_id("ah-la-ja-rsj")

    def act(client: Api, action: str, body: dict[str, Any] | None = None, expect: str | None = None) -> Any:
        response = client.post(f"/petitions/{pk}/{action}", body or {})
        assert response.status_code == 200, (action, response.content)
        if expect:
            assert response.json()["state"] == expect, action
        return response.json()

    with at("2025-03-03"):
        pk = register(by="county").pk
        act(county, "triage", expect="triage")
        act(county, "forward", {"to_unit_id": rsj}, expect="forwarded")
        act(handler, "raise-objection", {"reason": "不属本局职责"}, expect="objection_raised")
        back = act(county, "agree-objection", {"note": "同意"}, expect="triage")
        assert back["current_unit"]["name"] == "金安区信访局"
        act(county, "assign", {"to_unit_id": rsj, "feedback_days": 10}, expect="assigned")
        act(handler, "raise-objection", {"reason": "仍不属本局"}, expect="objection_raised")
        act(county, "reject-objection", {"reason": "属劳动保障监察职责"}, expect="assigned")
        act(
            handler,
            "accept",
            {"petition_type": "grievance", "notice_sent_on": "2025-03-03"},
            expect="accepted",
        )
        act(handler, "start-route", {"route": "start_handling"}, expect="in_handling")
        act(handler, "open-hearing", {"note": "组织听证"}, expect="hearing")
        act(handler, "close-hearing", expect="in_handling")
        act(handler, "start-mediation", expect="mediation")
        act(handler, "end-mediation", {"reason": "双方未达成一致"}, expect="in_handling")
        approver = User.objects.get(username="leader").pk
        extended = act(
            handler,
            "extend",
            {"days": 30, "reason": "案情复杂", "approved_by_id": approver, "notice_sent_on": "2025-03-03"},
            expect="in_handling",
        )
        assert extended["extension"]["days"] == 30
        assert "extend" not in {a["action"] for a in extended["allowed_actions"]}
        opinion = {"decision": "not_support", "facts_found": "经查", "reasons": "理由", "legal_basis": "依据"}
        act(handler, "issue-opinion", opinion, expect="opinion_issued")
        act(handler, "deliver-reply", {"delivered_on": "2025-03-03", "method": "in_person"}, expect="replied")
        act(county, "evaluate", {"rating": "dissatisfied", "comment": "不满意"}, expect="evaluated")
        act(
            county,
            "request-review",
            {"requested_on": "2025-03-03", "grounds": "不服"},
            expect="review_requested",
        )
        reviewed = act(
            leader, "decide-review", {**opinion, "delivered_on": "2025-03-03"}, expect="review_decided"
        )
        assert reviewed["current_unit"]["name"] == "金安区"
        act(
            county,
            "request-re-review",
            {"requested_on": "2025-03-03", "grounds": "仍不服"},
            expect="re_review_requested",
        )
        final = act(
            admin,
            "decide-re-review",
            {**opinion, "delivered_on": "2025-03-03", "hearing_days": 2},
            expect="final",
        )
        assert [a["level"] for a in final["appeals"]] == ["review", "re_review"]
        assert len(final["opinions"]) == 3
        act(admin, "start-followup", {"plan": "帮扶救助"}, expect="post_final_followup")
    events = county.get(f"/petitions/{pk}/events").json()
    assert [e["action"] for e in events] == [
        "register", "triage", "forward", "raise_objection", "agree_objection", "assign", "raise_objection",
        "reject_objection", "accept", "start_handling", "open_hearing", "close_hearing", "start_mediation",
        "end_mediation", "extend", "issue_opinion", "deliver_reply", "evaluate", "request_review",
        "decide_review", "request_re_review", "decide_re_review", "start_followup",
    ]  # fmt: skip
    assert [e["sequence"] for e in events] == list(range(1, 24))
    assert events[-1]["to_state_label"]


def test_settlement_and_closing(api):
    county, handler = api("county"), api("handler")
    with at("2025-03-03"):
        p = register(by="county")
        for action, body in [
            ("forward", {"to_unit_id": unit_id("ah-la-ja-rsj")}),
        ]:
            assert county.post(f"/petitions/{p.pk}/{action}", body).status_code == 200
        assert (
            handler.post(
                f"/petitions/{p.pk}/accept",
                {
                    "petition_type": "grievance",
                    "notice_exemption": "address_unclear",
                    "route": "start_handling",
                },
            ).status_code
            == 200
        )
        assert handler.post(f"/petitions/{p.pk}/start-mediation").status_code == 200
        settled = handler.post(
            f"/petitions/{p.pk}/settle", {"agreement": "分期支付工资", "signed_on": "2025-03-03"}
        )
        assert settled.status_code == 200, settled.content
        assert settled.json()["state"] == "settled"
        closed = handler.post(f"/petitions/{p.pk}/close", {"reason": "已履行协议"})
        assert closed.status_code == 200, closed.content
        assert closed.json()["state"] == "closed"
        assert closed.json()["allowed_actions"] == []


@pytest.mark.parametrize(
    ("action", "body", "state"),
    [
        ("redirect", {"reason": "属法院受理范围"}, "redirected"),
        ("divert", {"procedure": "arbitration", "reason": "请申请劳动仲裁"}, "diverted_procedure"),
        (
            "refer-political-legal",
            {"to_unit_id": "ah-la-ja-zfw", "reason": "释法明理"},
            "referred_political_legal",
        ),
        ("refer-discipline", {"to_unit_id": "ah-la-ja-jw"}, "referred_discipline"),
    ],
)
def test_terminal_routes(api, action, body, state):
    p = register(by="county")
    if "to_unit_id" in body:
        body = {**body, "to_unit_id": unit_id(body["to_unit_id"])}
    response = api("county").post(f"/petitions/{p.pk}/{action}", body)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == state
    assert response.json()["allowed_actions"] == []


def test_declining_a_matter_already_handled_below(api):
    below = register(by="town", id_seed=51)
    upper = register(by="county", id_seed=51)
    county = api("county")
    refused = county.post(f"/petitions/{upper.pk}/decline-upper", {"open_case_id": below.pk})
    assert refused.status_code == 200, refused.content
    assert refused.json()["state"] == "not_accepted_upper"
    assert refused.json()["repeat_of_id"] == below.pk
    # Another person's matter elsewhere: with the same name and text, detection would propose it as a
    # possible repeat (同人+同事 by name), and a proposed earlier petition may be named here.
    hidden = register(by="town2", place="ah-la-yj-pg-hp", id_seed=52, person="李某某")
    another = register(by="county", id_seed=53)
    assert (
        county.post(f"/petitions/{another.pk}/decline-upper", {"open_case_id": hidden.pk}).status_code == 404
    )
    assert (
        county.post(f"/petitions/{another.pk}/decline-final", {"final_case_id": below.pk}).status_code == 400
    )


def test_documents_are_listed_and_downloaded_within_jurisdiction(client_for):
    import datetime as dt

    from xinfang.accounts.models import User
    from xinfang.orgs.models import Unit
    from xinfang.petitions import services
    from xinfang.petitions.states import PetitionType
    from xinfang.petitions.tests.factories import register

    p = register(by="county")
    services.petition_forward(
        petition_id=p.pk,
        user=User.objects.get(username="county"),
        to_unit=Unit.objects.get(code="ah-la-ja-rsj"),
    )
    services.petition_accept(
        petition_id=p.pk,
        user=User.objects.get(username="handler"),
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=dt.date.today(),
    )
    c = client_for("county")
    listed = c.get(f"/api/v1/petitions/{p.pk}/documents").json()
    assert [d["kind"] for d in listed] == ["acceptance"]
    pdf = c.get(listed[0]["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/api/v1/petitions/{p.pk}/documents/opinion/pdf").status_code == 404
    assert client_for("town2").get(listed[0]["docx"]).status_code == 404


def test_leader_case_and_supervision_through_the_api(client_for):
    import datetime as dt

    from xinfang.accounts.models import User
    from xinfang.orgs.models import Unit
    from xinfang.petitions.tests.factories import register

    p = register(by="county")
    county = client_for("county")
    target = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    leader = User.objects.get(username="leader")
    opened = county.post(
        f"/api/v1/petitions/{p.pk}/leader-cases",
        {"leader_id": leader.pk, "plan": "区领导包案", "target_on": target},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    report = client_for("leader").post(
        f"/api/v1/leader-cases/{opened.json()['id']}/report",
        {"progress": "已约谈", "done": True},
        content_type="application/json",
    )
    assert report.status_code == 200 and report.json()["done_at"]
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    sup = county.post(
        f"/api/v1/petitions/{p.pk}/supervisions",
        {"kind": "supervise", "to_unit_id": rsj.pk, "reason": "逾期", "due_on": target},
        content_type="application/json",
    )
    assert sup.status_code == 201, sup.content
    bad = county.post(
        f"/api/v1/petitions/{p.pk}/supervisions",
        {"kind": "nonsense", "to_unit_id": rsj.pk, "reason": "x", "due_on": target},
        content_type="application/json",
    )
    assert bad.status_code == 400
    reply = client_for("handler").post(
        f"/api/v1/supervisions/{sup.json()['id']}/reply", {"reply": "已办理"}, content_type="application/json"
    )
    assert reply.status_code == 200 and reply.json()["replied_at"]
    assert (
        client_for("town2")
        .post(
            f"/api/v1/petitions/{p.pk}/supervisions",
            {"kind": "chase", "to_unit_id": rsj.pk, "reason": "x", "due_on": target},
            content_type="application/json",
        )
        .status_code
        == 404
    )
