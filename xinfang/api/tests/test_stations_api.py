"""The stations API: scoped reads, generation, swaps decided by the manager only, all-or-nothing import."""

from __future__ import annotations

import pytest
from django.test import Client

from xinfang.accounts.models import ApiToken
from xinfang.stations.models import Assignment, HotlineSignal
from xinfang.stations.tests.factories import make_station, user

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
