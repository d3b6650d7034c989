"""The citizen portal: submit online, track with number and query code, rate, appeal; accusations stay
silent about the accused; the rate limiter answers 429."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xinfang.accounts.models import User
from xinfang.assessment.tests.scenarios import accepted, at, replied
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.services import unit_create
from xinfang.petitions import services
from xinfang.petitions.models import Evaluation, Petition
from xinfang.petitions.states import Channel, PetitionType, Rating, State
from xinfang.petitions.tests.factories import register, valid_id
from xinfang.web.portal import ratelimit
from xinfang.web.portal.views import VERIFIED_MINUTES, receiving_unit

pytestmark = pytest.mark.django_db

SUBMIT = reverse("portal:submit")
TRACK = reverse("portal:track")
CASE = reverse("portal:case")


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    """The limiter counts in the cache, which outlives a test's database transaction."""
    cache.clear()


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def submission(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "赵某某",
        "id_number": valid_id(71),
        "phone": "13855027001",
        "address": "南屏苑小区5栋201",
        "county": unit("ah-la-ja").pk,
        "town": unit("ah-la-ja-wc").pk,
        "village": unit("ah-la-ja-wc-npy").pk,
        "category": "",
        "subject": "小区路灯损坏半年无人修",
        "request": "请求尽快修复小区路灯",
        "facts": "五栋前三盏路灯自今年春节后一直不亮。",
    }
    data.update(overrides)
    return data


def open_case(client: Client, petition: Petition, code: str | None = None) -> Any:
    return client.post(TRACK, {"number": petition.number, "code": code or petition.query_code})


# --- submitting ----------------------------------------------------------------------------------


def test_an_online_submission_lands_as_received_at_the_county_petition_office_with_a_query_code(client, demo):
    response = client.post(SUBMIT, submission())
    assert response.status_code == 302 and response["Location"] == reverse("portal:submitted")
    petition = Petition.objects.get(subject="小区路灯损坏半年无人修")
    assert petition.state == State.RECEIVED and petition.channel == Channel.ONLINE
    assert petition.registering_unit == unit("ah-la-ja-xfj") == petition.current_unit
    assert petition.place == unit("ah-la-ja-wc-npy") and petition.registered_by is None
    assert len(petition.query_code) == 10
    page = client.get(reverse("portal:submitted")).content.decode()
    assert petition.query_code in page and petition.number in page
    assert "Keep these two together" in page
    # The submitter goes on to the petition without typing the code again.
    case = client.get(CASE).content.decode()
    assert "Received, waiting to be registered" in case


def test_a_county_without_a_petition_office_receives_online_petitions_itself(demo):
    county = unit_create(name="测试县", kind=UnitKind.COUNTY, code="t-county", parent=unit("ah-la"))
    assert receiving_unit(county) == county
    assert receiving_unit(unit("ah-hf-cf")) == unit("ah-hf-cf-xfj")


def test_a_bad_id_number_keeps_everything_typed_and_says_so_beside_the_field(client, demo):
    attachment = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    bad = valid_id(71)[:-1] + ("0" if valid_id(71)[-1] != "0" else "1")
    response = client.post(SUBMIT, {**submission(id_number=bad), "attachments": [attachment]})
    assert response.status_code == 400
    html = response.content.decode()
    assert not Petition.objects.filter(subject="小区路灯损坏半年无人修").exists()
    for typed in (
        "赵某某",
        bad,
        "13855027001",
        "南屏苑小区5栋201",
        "小区路灯损坏半年无人修",
        "请求尽快修复小区路灯",
        "五栋前三盏路灯自今年春节后一直不亮。",
    ):
        assert typed in html
    assert 'id="id_id_number_error"' in html and "does not match the others" in html
    assert 'aria-invalid="true"' in html
    assert "Attached files are not kept" in html
    # The chosen place is still selected.
    assert f'<option value="{unit("ah-la-ja-wc-npy").pk}" selected>' in html


def test_a_town_outside_the_chosen_county_is_refused_beside_the_town(client, demo):
    response = client.post(SUBMIT, submission(county=unit("ah-la-yj").pk, village=""))
    assert response.status_code == 400
    assert 'id="id_town_error"' in response.content.decode()


def test_without_javascript_show_towns_fills_the_next_list_and_keeps_the_text(client, demo):
    data = submission(town="", village="")
    response = client.post(SUBMIT, {**data, "_places": "town"})
    html = response.content.decode()
    assert response.status_code == 200 and "望城街道" in html and "三十铺镇" in html
    assert "小区路灯损坏半年无人修" in html and 'class="error"' not in html
    assert not Petition.objects.filter(subject="小区路灯损坏半年无人修").exists()


def test_places_lists_the_towns_of_a_county_and_the_villages_of_a_town(client, demo):
    towns = client.get(reverse("portal:places"), {"parent": unit("ah-la-ja").pk}).json()["options"]
    assert [t["name"] for t in towns] == ["望城街道", "三十铺镇"]
    villages = client.get(reverse("portal:places"), {"parent": unit("ah-la-ja-wc").pk}).json()["options"]
    assert {v["name"] for v in villages} == {"南屏苑社区", "民主社区"}
    assert client.get(reverse("portal:places"), {"parent": unit("ah-la-ja-rsj").pk}).json() == {"options": []}


# --- tracking --------------------------------------------------------------------------------------


def test_a_wrong_code_or_number_gets_the_same_generic_not_found(client, demo):
    petition = register(by="town")
    wrong_code = open_case(client, petition, code="ABCDEFGHJK")
    unknown = client.post(TRACK, {"number": "341502-2099-999999", "code": petition.query_code})
    for response in (wrong_code, unknown):
        assert response.status_code == 404
        assert "No petition matches this number and query code" in response.content.decode()
        assert petition.subject not in response.content.decode()
    assert client.get(CASE).status_code == 302  # nothing remembered


def test_the_right_code_opens_the_petition_for_a_short_time(client, demo):
    petition = register(by="town", subject="楼道堆放杂物影响消防通道")
    response = open_case(client, petition, code=petition.query_code.lower())
    assert response.status_code == 302 and response["Location"] == CASE
    assert "楼道堆放杂物影响消防通道" in client.get(CASE).content.decode()
    session = client.session
    session["portal_until"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    session.save()
    assert client.get(CASE)["Location"] == TRACK
    assert VERIFIED_MINUTES <= 60


def test_the_case_page_shows_dates_reply_timeline_and_documents_but_no_staff(client, demo):
    petition = replied(accepted(seed=81, on="2025-03-03"), on="2025-04-20")
    with at("2025-04-22"):
        open_case(client, petition)
        html = client.get(CASE).content.decode()
        assert "Reply delivered" in html
        assert "You may rate the handling until" in html and "You may request a review until" in html
        assert "经核查属实" in html and "用人单位拖欠工资" in html and "《劳动合同法》第三十条" in html
        assert "Your request is supported" in html
        for label in ("Registered", "Sent to the unit in charge", "Accepted", "Written reply delivered"):
            assert label in html
        assert "李区信访局干部" not in html and "赵人社局经办人" not in html  # staff names never appear
        assert reverse("portal:document", args=["acceptance"]) in html
        assert reverse("portal:document", args=["opinion"]) in html
        pdf = client.get(reverse("portal:document", args=["opinion"]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert client.get(reverse("portal:document", args=["extension"])).status_code == 404


# --- rating and appeals ------------------------------------------------------------------------------


def test_a_rating_within_the_window_is_recorded_as_from_the_portal(client, demo):
    petition = replied(accepted(seed=82, on="2025-03-03"), on="2025-04-20")
    with at("2025-04-25"):
        open_case(client, petition)
        response = client.post(reverse("portal:rate"), {"rating": Rating.BASICALLY, "comment": "还算及时"})
        assert response.status_code == 302
    evaluation = Evaluation.objects.get(petition=petition)
    assert evaluation.rating == Rating.BASICALLY and evaluation.via_portal and evaluation.recorded_by is None
    petition.refresh_from_db()
    assert petition.state == State.EVALUATED


def test_a_rating_after_the_window_is_refused_with_the_reason(client, demo):
    petition = replied(accepted(seed=83, on="2025-03-03"), on="2025-04-20")
    with at("2025-06-01"):
        open_case(client, petition)
        assert "The time for rating the handling ended on" in client.get(CASE).content.decode()
        response = client.post(reverse("portal:rate"), {"rating": Rating.SATISFIED})
    assert response.status_code == 409
    assert "The time for rating this reply has passed." in response.content.decode()
    assert not Evaluation.objects.filter(petition=petition).exists()


def test_a_review_within_30_days_is_recorded_and_after_30_days_refused(client, demo):
    in_time = replied(accepted(seed=84, on="2025-03-03"), on="2025-04-20")
    too_late = replied(accepted(seed=85, on="2025-03-03"), on="2025-04-20")
    with at("2025-05-10"):
        open_case(client, in_time)
        assert client.post(reverse("portal:appeal"), {"grounds": "调查不全面"}).status_code == 302
    in_time.refresh_from_db()
    assert in_time.state == State.REVIEW_REQUESTED
    assert in_time.events.order_by("-sequence").first().payload.get("via") == "portal"  # type: ignore[union-attr]
    with at("2025-06-05"):
        other = Client()
        open_case(other, too_late)
        assert "The time to ask ended on" in other.get(CASE).content.decode()
        response = other.post(reverse("portal:appeal"), {"grounds": "调查不全面"})
    assert response.status_code == 409
    assert "The 30 days to request this have passed" in response.content.decode()
    too_late.refresh_from_db()
    assert too_late.state == State.REPLIED


def test_a_re_review_can_be_requested_after_the_review_opinion(client, demo):
    petition = replied(accepted(seed=86, on="2025-03-03"), on="2025-04-20")
    with at("2025-04-25"):
        services.petition_request_review(
            petition_id=petition.pk,
            user=None,
            requested_on=dt.date(2025, 4, 25),
            grounds="不服",
            citizen=True,
        )
    with at("2025-05-05"):
        services.petition_decide_review(
            petition_id=petition.pk,
            user=User.objects.get(username="leader"),
            decision="not_support",
            facts_found="原处理意见认定事实清楚",
            reasons="适用政策正确",
            legal_basis="《信访工作条例》第三十五条",
            delivered_on=dt.date(2025, 5, 5),
        )
    with at("2025-05-20"):
        open_case(client, petition)
        html = client.get(CASE).content.decode()
        assert "Request a re-review (复核)" in html and "Review opinion" in html
        assert client.post(reverse("portal:appeal"), {"grounds": "复查未听取我的意见"}).status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.RE_REVIEW_REQUESTED
    assert petition.appeals.get(level="re_review").unit == unit("ah-la")


# --- accusations --------------------------------------------------------------------------------------


def test_an_accusation_never_shows_the_accused_or_the_units_handling_it(client, demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    petition = register(
        by="county",
        subject="举报住建局某科长收受好处费",
        petition_type=PetitionType.ACCUSATION,
        accused_unit=unit("ah-la-ja-zjj"),
        accused_description="住建局物业管理科某科长",
    )
    services.petition_forward(petition_id=petition.pk, user=county, to_unit=unit("ah-la-ja-rsj"))
    services.petition_accept(
        petition_id=petition.pk,
        user=handler,
        petition_type=PetitionType.ACCUSATION,
        notice_sent_on=dt.date.today(),
        route="start_handling",
    )
    open_case(client, petition)
    html = client.get(CASE).content.decode()
    assert "Being investigated" in html and "Reply due by" in html
    for secret in (
        "住房和城乡建设局",
        "住建局",
        "物业管理科",
        "人力资源和社会保障局",
        "信访局",
        "举报住建局某科长收受好处费",
    ):
        assert secret not in html
    assert reverse("portal:document", args=["acceptance"]) not in html
    assert client.get(reverse("portal:document", args=["acceptance"])).status_code == 404


# --- rate limits ----------------------------------------------------------------------------------------


def test_track_attempts_beyond_the_limit_get_429(client, demo):
    petition = register(by="town")
    for _ in range(ratelimit.TRACK.limit):
        assert open_case(client, petition, code="WRONGCODE2").status_code == 404
    response = open_case(client, petition)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="10.9.8.7")
        .post(TRACK, {"number": petition.number, "code": petition.query_code})
        .status_code
        == 302
    )


def test_submissions_beyond_the_limit_get_429(client, demo, monkeypatch):
    monkeypatch.setattr(ratelimit, "SUBMIT", ratelimit.Rate("submit-test", 2, 3600))
    for n in range(2):
        assert client.post(SUBMIT, submission(subject=f"路灯损坏第{n}处")).status_code == 302
    response = client.post(SUBMIT, submission(subject="路灯损坏第3处"))
    assert response.status_code == 429
    assert not Petition.objects.filter(subject="路灯损坏第3处").exists()
