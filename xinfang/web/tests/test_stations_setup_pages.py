"""Station set-up pages: create and edit a station, its pools and duty lists, cancel absences; errors beside
their fields with everything typed kept; conflicts; 404 for anyone who may not manage the station; the
warning of a rota period without holiday data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xinfang.core.calendar import COVERED_YEARS
from xinfang.core.models import HolidayOverride
from xinfang.stations import services
from xinfang.stations.models import DutyPool, PoolMember, Station, Unavailability
from xinfang.stations.schedule import Session
from xinfang.stations.tests.factories import make_station, pool_of, unit, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(demo):
    return make_station()


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def station_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "民主社区暖心驿站",
        "unit": str(unit("ah-la-ja-wc-mz").pk),
        "address": "民主社区服务中心一楼",
        "serving_area": [str(unit("ah-la-ja-wc-mz").pk)],
        "opened_on": "2024-03-04",
        "status": "open",
        "adjusted_workday_as": "0",
        "hours_0": "08:30-12:00, 14:30-17:30",
        "hours_1": "",
        "hours_2": "8:30–12:00",
        "hours_3": "",
        "hours_4": "",
        "managers": [str(user("town").pk)],
    }
    data.update(changes)
    return data


def test_a_street_officer_sets_up_a_station_through_the_form_and_goes_on_to_its_pools(demo, client_for):
    client = client_for("town")
    assert 'href="/stations/new/"' in client.get("/stations/").content.decode()
    response = client.post("/stations/new/", station_post())
    created = Station.objects.get(name="民主社区暖心驿站")
    assert response.status_code == 302 and response["Location"] == f"/stations/{created.pk}/pools/"
    assert services.station_sessions(created) == [
        Session(0, dt.time(8, 30), dt.time(12)),
        Session(0, dt.time(14, 30), dt.time(17, 30)),
        Session(2, dt.time(8, 30), dt.time(12)),
    ]
    assert list(created.managers.all()) == [user("town")] and created.address == "民主社区服务中心一楼"


def test_bad_hours_and_a_missing_name_come_back_beside_their_fields_with_everything_typed_kept(
    demo, client_for
):
    response = client_for("town").post(
        "/stations/new/",
        station_post(name="", hours_1="上午八点半", hours_3="08:00-10:00, 09:30-11:00"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_hours_1_error"' in body and 'id="id_hours_3_error"' in body
    assert 'id="id_name_error"' in body
    assert 'value="上午八点半"' in body and 'value="民主社区服务中心一楼"' in body
    assert not Station.objects.filter(unit__code="ah-la-ja-wc-mz").exists()


def test_a_place_outside_the_officers_street_is_not_offered_and_is_refused(demo, client_for):
    client = client_for("town")
    form = client.get("/stations/new/").content.decode()
    assert f'value="{unit("ah-la-ja-wc-npy").pk}"' in form
    assert f'value="{unit("ah-la-yj-pg-hp").pk}"' not in form
    response = client.post("/stations/new/", station_post(unit=str(unit("ah-la-yj-pg-hp").pk)))
    assert response.status_code == 400 and 'id="id_unit_error"' in response.content.decode()
    assert client_for("cadre").get("/stations/new/").status_code == 404  # no petition office seat


def test_the_manager_edits_the_hours_but_cannot_move_the_station_or_appoint_managers(station, client_for):
    client = client_for("station_mgr")
    form = client.get(f"/stations/{station.pk}/edit/").content.decode()
    assert 'name="managers"' not in form and "disabled" in form.split('name="unit"')[1][:200]
    response = client.post(
        f"/stations/{station.pk}/edit/",
        station_post(
            name=station.name,
            unit=str(unit("ah-la-ja-wc-mz").pk),  # ignored: the field is disabled for a manager
            serving_area=[str(unit("ah-la-ja-wc-npy").pk)],
            hours_4="09:00-11:30",
            adjusted_workday_as="",
            expected_version="1",
        ),
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.unit.code == "ah-la-ja-wc-npy" and station.adjusted_workday_as is None
    assert Session(4, dt.time(9), dt.time(11, 30)) in services.station_sessions(station)
    assert list(station.managers.values_list("username", flat=True)) == ["station_mgr"]


def test_a_stale_station_form_is_a_conflict_and_keeps_what_was_typed(station, client_for):
    services.station_update(
        user=user("county"),
        station_id=station.pk,
        name="改过的名字",
        address="",
        opened_on=station.opened_on,
        status="open",
        serving_area=[station.unit],
        adjusted_workday_as=0,
    )
    response = client_for("station_mgr").post(
        f"/stations/{station.pk}/edit/",
        station_post(
            name="我的新名字",
            unit=str(station.unit_id),
            serving_area=[str(station.unit_id)],
            expected_version="1",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Someone else changed this station" in body
    assert 'value="我的新名字"' in body
    station.refresh_from_db()
    assert station.name == "改过的名字"


def test_set_up_pages_do_not_exist_for_duty_staff_or_another_district(station, client_for):
    street = pool_of(station, "ah-la-ja-wc")
    member = PoolMember.objects.get(pool=street, user=user("wc_duty"))
    absence = services.unavailability_record(
        user=user("wc_duty"),
        person=user("wc_duty"),
        starts_on=dt.date(2030, 1, 7),
        ends_on=dt.date(2030, 1, 8),
        kind="leave",
    )
    for username in ("npy_worker", "leader", "county_yj"):
        client = client_for(username)
        assert client.get(f"/stations/{station.pk}/edit/").status_code == 404
        assert client.get(f"/stations/{station.pk}/pools/").status_code == 404
        posts = {
            f"/stations/pools/{street.pk}/edit/": {f"pool-{street.pk}-people_per_shift": "3"},
            f"/stations/pools/{street.pk}/members/new/": {f"add-{street.pk}-person": str(user("town").pk)},
            f"/stations/members/{member.pk}/leave/": {f"leave-{member.pk}-left_on": "2026-01-01"},
            f"/stations/{station.pk}/pools/new/": {"new-unit": str(unit("ah-la-ja-wc").pk)},
        }
        for url, data in posts.items():
            assert client.post(url, data).status_code == 404, (username, url)
    assert (
        client_for("county_yj").post(f"/stations/{station.pk}/absences/{absence.pk}/cancel/").status_code
        == 404
    )
    member.refresh_from_db()
    street.refresh_from_db()
    assert member.left_on is None and street.people_per_shift == 1 and street.version == 1
    assert Unavailability.objects.get(pk=absence.pk).cancelled_at is None
    assert client_for("county").get(f"/stations/{station.pk}/pools/").status_code == 200


def test_the_manager_takes_someone_off_a_list_and_puts_them_on_again(station, client_for):
    client = client_for("station_mgr")
    street = pool_of(station, "ah-la-ja-wc")
    member = PoolMember.objects.get(pool=street, user=user("wc_duty"))
    today = timezone.localdate()
    left = client.post(
        f"/stations/members/{member.pk}/leave/", {f"leave-{member.pk}-left_on": f"{today:%Y-%m-%d}"}
    )
    assert left.status_code == 302 and left["Location"] == f"/stations/{station.pk}/pools/#pool-{street.pk}"
    member.refresh_from_db()
    assert member.left_on == today
    page = client.get(f"/stations/{station.pk}/pools/").content.decode()
    assert "2022-05-01–" not in page  # still on the list today: not among the former members yet
    again = {
        f"add-{street.pk}-person": str(user("wc_duty").pk),
        f"add-{street.pk}-joined_on": f"{today:%Y-%m-%d}",
    }
    refused = client.post(f"/stations/pools/{street.pk}/members/new/", again)
    assert refused.status_code == 400  # today they are still on the list
    assert f'id="id_add-{street.pk}-person_error"' in refused.content.decode()
    again[f"add-{street.pk}-joined_on"] = f"{today + dt.timedelta(days=1):%Y-%m-%d}"
    assert client.post(f"/stations/pools/{street.pk}/members/new/", again).status_code == 302
    rows = PoolMember.objects.filter(pool=street, user=user("wc_duty")).order_by("pk")
    assert [(m.joined_on, m.left_on) for m in rows] == [
        (dt.date(2022, 5, 1), today),
        (today + dt.timedelta(days=1), None),
    ]


def test_a_leaving_date_before_joining_comes_back_beside_the_date(station, client_for):
    member = PoolMember.objects.get(pool=pool_of(station, "ah-la-ja-wc"), user=user("wc_duty"))
    response = client_for("station_mgr").post(
        f"/stations/members/{member.pk}/leave/", {f"leave-{member.pk}-left_on": "2020-01-01"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and f'id="id_leave-{member.pk}-left_on_error"' in body
    assert 'value="2020-01-01"' in body
    member.refresh_from_db()
    assert member.left_on is None


def test_a_new_pool_with_weekdays_and_a_stale_pool_form(station, client_for):
    client = client_for("county")
    response = client.post(
        f"/stations/{station.pk}/pools/new/",
        {
            "new-unit": str(unit("ah-la-ja-wc-xfb").pk),
            "new-people_per_shift": "2",
            "new-weekdays": ["0", "2"],
        },
    )
    pool = DutyPool.objects.get(station=station, unit__code="ah-la-ja-wc-xfb")
    assert response.status_code == 302 and (pool.people_per_shift, pool.weekdays) == (2, [0, 2])
    twice = client.post(
        f"/stations/{station.pk}/pools/new/", {"new-unit": str(pool.unit_id), "new-people_per_shift": "1"}
    )
    assert twice.status_code == 400 and 'id="id_new-unit_error"' in twice.content.decode()
    services.pool_update(user=user("county"), pool_id=pool.pk, people_per_shift=3, weekdays=[])
    stale = client.post(
        f"/stations/pools/{pool.pk}/edit/",
        {
            f"pool-{pool.pk}-people_per_shift": "1",
            f"pool-{pool.pk}-is_active": "on",
            f"pool-{pool.pk}-expected_version": "1",
        },
    )
    assert stale.status_code == 400 and "Someone else changed this duty pool" in stale.content.decode()
    pool.refresh_from_db()
    assert pool.people_per_shift == 3


def test_an_absence_is_cancelled_from_the_absences_page(station, client_for):
    absence = services.unavailability_record(
        user=user("station_mgr"),
        person=user("npy_worker"),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=3),
        kind="sick",
    )
    client = client_for("station_mgr")
    assert (
        f"/absences/{absence.pk}/cancel/" in client.get(f"/stations/{station.pk}/absences/").content.decode()
    )
    response = client.post(f"/stations/{station.pk}/absences/{absence.pk}/cancel/", follow=True)
    assert "Absence cancelled" in response.content.decode()
    absence.refresh_from_db()
    assert absence.cancelled_by == user("station_mgr")
    colleague = client_for("npy_worker2").get(f"/stations/{station.pk}/absences/").content.decode()
    assert f"/absences/{absence.pk}/cancel/" not in colleague


def test_the_rota_page_and_the_generator_warn_of_a_year_without_holiday_data(station, client_for):
    year = COVERED_YEARS.stop
    client = client_for("station_mgr")
    page = client.get(f"/stations/{station.pk}/rota/?month={year}-01").content.decode()
    assert f"No official holidays are known for {year} yet" in page
    assert (
        "No official holidays are known"
        not in client.get(f"/stations/{station.pk}/rota/?month={year - 1}-06").content.decode()
    )
    generated = client.post(
        f"/stations/{station.pk}/rota/generate/?month={year}-01",
        {"period_kind": "month", "year": str(year), "number": "1"},
        follow=True,
    ).content.decode()
    assert generated.count(f"No official holidays are known for {year} yet") == 2  # message and page
    HolidayOverride.objects.create(date=dt.date(year, 1, 1), is_working_day=False, note="元旦")
    after = client.get(f"/stations/{station.pk}/rota/?month={year}-01").content.decode()
    assert "No official holidays are known" not in after
    assert f"generated before the official holidays of {year} were entered" in after


def test_the_set_up_pages_are_in_chinese_by_default(station, client_for):
    client = client_for("county")
    chinese = client.get(f"/stations/{station.pk}/pools/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "值班名单" in chinese and "On the duty list" not in chinese
    edit = client.get(f"/stations/{station.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "开放时间" in edit and "Opening hours" not in edit
