"""The stations API: set-up within reach, scoped reads, generation with its holiday warning, swaps decided by
the manager only, all-or-nothing import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import ApiToken
from xinfang.core.calendar import COVERED_YEARS
from xinfang.stations import services
from xinfang.stations.models import Assignment, HotlineSignal, PoolMember
from xinfang.stations.tests.factories import make_station, pool_of, unit, user

pytestmark = pytest.mark.django_db


def api(username: str) -> Client:
    _token, raw = ApiToken.issue(user=user(username), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def station(demo):
    return make_station()


def test_a_station_is_read_only_within_reach(station):
    assert api("county").get(f"/api/v1/stations/{station.pk}").json()["name"] == "和谐之声·暖心驿站"
    assert api("county_yj").get(f"/api/v1/stations/{station.pk}").status_code == 404
    assert api("county_yj").get("/api/v1/stations").json() == []


def test_generating_a_rota_and_deciding_a_swap_through_the_api(station):
    created = api("station_mgr").post(
        f"/api/v1/stations/{station.pk}/rotas",
        {"period_kind": "month", "year": 2030, "number": 6},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rota = created.json()
    assert rota["gap_count"] == 0 and len(rota["shifts"]) == 32
    duties = [d for s in rota["shifts"] for d in s["duties"]]
    worker, other = user("npy_worker").pk, user("npy_worker2").pk
    mine = next(d["assignment_id"] for d in duties if d["user_id"] == worker)
    theirs = next(d["assignment_id"] for d in reversed(duties) if d["user_id"] == other)
    swap = (
        api("npy_worker")
        .post(
            f"/api/v1/rotas/{rota['id']}/swaps",
            {"first_id": mine, "second_id": theirs, "reason": "调换"},
            content_type="application/json",
        )
        .json()
    )
    refused = api("county").post(f"/api/v1/swaps/{swap['id']}/approve", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "role_not_allowed"
    approved = api("station_mgr").post(
        f"/api/v1/swaps/{swap['id']}/approve", {"expected_version": 1}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    assert not Assignment.objects.get(pk=mine).is_current


def test_a_hotline_file_with_a_bad_row_imports_nothing_and_reports_the_row(station):
    content = (
        "工单编号,来电时间,区域,诉求内容\nA-1,2022-03-05 09:00,南屏苑社区,电梯\nA-2,不知道,南屏苑社区,路灯\n"
    )
    response = api("county").post("/api/v1/hotline-imports", {"file": _upload("t.csv", content.encode())})
    body = response.json()
    assert response.status_code == 200 and body["ok"] is False
    assert [e["row"] for e in body["row_errors"]] == [3]
    assert not HotlineSignal.objects.exists()
    figures = api("county").get(f"/api/v1/stations/{station.pk}/figures?months=6").json()
    assert figures["hotline_before"]["months"] == 6 and figures["visits"] == 0


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def _json(client: Client, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_a_street_officer_sets_up_a_station_its_pool_and_a_member_through_the_api(demo):
    town = api("town")
    place = unit("ah-la-ja-wc-mz").pk
    created = _json(
        town,
        "post",
        "/api/v1/stations",
        {
            "name": "民主社区暖心驿站",
            "unit_id": place,
            "opened_on": "2024-03-04",
            "serving_area": [place],
            "sessions": [{"weekday": 0, "starts": "08:30", "ends": "12:00"}],
            "manager_ids": [user("town").pk],
        },
    )
    assert created.status_code == 201, created.content
    station = created.json()
    assert station["sessions"] == [{"weekday": 0, "starts": "08:30", "ends": "12:00"}]
    pool = _json(
        town,
        "post",
        f"/api/v1/stations/{station['id']}/pools",
        {"unit_id": unit("ah-la-ja-wc").pk, "people_per_shift": 1, "weekdays": [0]},
    ).json()
    member = _json(town, "post", f"/api/v1/pools/{pool['id']}/members", {"person_id": user("town").pk})
    assert member.status_code == 201 and member.json()["left_on"] is None
    last_day = f"{timezone.localdate() + dt.timedelta(days=30):%Y-%m-%d}"
    left = _json(town, "post", f"/api/v1/pool-members/{member.json()['id']}/leave", {"left_on": last_day})
    assert left.json()["left_on"] == last_day
    pools = town.get(f"/api/v1/stations/{station['id']}/pools").json()
    assert [m["left_on"] for m in pools[0]["members"]] == [last_day]
    changed = _json(
        town,
        "put",
        f"/api/v1/stations/{station['id']}",
        {
            "name": "民主社区驿站",
            "opened_on": "2024-03-04",
            "status": "suspended",
            "adjusted_workday_as": None,
            "serving_area": [place],
            "expected_version": 1,
        },
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.json()["sessions"] == station["sessions"]  # left out: unchanged
    stale = _json(
        town,
        "put",
        f"/api/v1/stations/{station['id']}",
        {**changed.json(), "name": "过期", "expected_version": 1},
    )
    assert stale.status_code == 409
    stale_pool = _json(
        town, "put", f"/api/v1/pools/{pool['id']}", {"people_per_shift": 2, "expected_version": 7}
    )
    assert stale_pool.status_code == 409


def test_set_up_operations_outside_reach_answer_404_and_change_nothing(station):
    bureau = pool_of(station, "ah-la-ja-xfj")
    member = PoolMember.objects.get(pool=bureau, user=user("ja_duty"))
    other = api("county_yj")
    assert other.get(f"/api/v1/stations/{station.pk}/pools").status_code == 404
    assert _json(other, "put", f"/api/v1/pools/{bureau.pk}", {"people_per_shift": 3}).status_code == 404
    assert _json(other, "post", f"/api/v1/pools/{bureau.pk}/members", {"person_id": 1}).status_code == 404
    assert _json(other, "post", f"/api/v1/pool-members/{member.pk}/leave").status_code == 404
    assert _json(other, "post", f"/api/v1/stations/{station.pk}/pools", {"unit_id": 1}).status_code == 404
    refused = _json(api("npy_worker"), "put", f"/api/v1/pools/{bureau.pk}", {"people_per_shift": 3})
    assert refused.status_code == 400 and refused.json()["code"] == "role_not_allowed"
    bureau.refresh_from_db()
    member.refresh_from_db()
    assert (bureau.people_per_shift, bureau.version, member.left_on) == (1, 1, None)


def test_absences_are_listed_and_cancelled_through_the_api_within_reach(station):
    absence = services.unavailability_record(
        user=user("station_mgr"),
        person=user("wc_duty"),
        starts_on=dt.date(2030, 3, 4),
        ends_on=dt.date(2030, 3, 8),
        kind="training",
    )
    listed = api("station_mgr").get(f"/api/v1/stations/{station.pk}/unavailability").json()
    assert [(a["id"], a["cancelled_at"]) for a in listed] == [(absence.pk, None)]
    assert _json(api("county_yj"), "post", f"/api/v1/unavailability/{absence.pk}/cancel").status_code == 404
    cancelled = _json(api("station_mgr"), "post", f"/api/v1/unavailability/{absence.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"] is not None
    again = _json(api("station_mgr"), "post", f"/api/v1/unavailability/{absence.pk}/cancel")
    assert again.status_code == 400 and again.json()["code"] == "already_cancelled"


def test_a_rota_beyond_the_known_holidays_says_so(station):
    year = COVERED_YEARS.stop
    rota = _json(
        api("station_mgr"), "post", f"/api/v1/stations/{station.pk}/rotas", {"year": year, "number": 1}
    ).json()
    assert rota["years_without_holidays"] == [year]
    assert len(rota["warnings"]) == 1 and str(year) in rota["warnings"][0]
    covered = _json(
        api("station_mgr"), "post", f"/api/v1/stations/{station.pk}/rotas", {"year": year - 1, "number": 6}
    ).json()
    assert covered["years_without_holidays"] == [] and covered["warnings"] == []
