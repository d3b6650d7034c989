"""Station pages: jurisdiction answers 404, forms keep what was typed, the duty table opens, Chinese shows."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xinfang.stations import services, visits
from xinfang.stations.models import PeriodKind, Visit
from xinfang.stations.tests.factories import make_station, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(demo):
    return make_station()


def test_staff_of_another_district_get_404_for_the_station_its_rota_and_its_walk_ins(station, client_for):
    visit = visits.visit_register(
        user=user("npy_worker"), station_id=station.pk, visitor=visits.Visitor(name="邹某"), subject="噪声"
    )
    other = client_for("county_yj")
    for url in (f"/stations/{station.pk}/", f"/stations/{station.pk}/rota/", f"/stations/visits/{visit.pk}/"):
        assert other.get(url).status_code == 404
    assert client_for("county").get(f"/stations/{station.pk}/").status_code == 200


def test_a_wrong_id_number_comes_back_beside_its_field_with_everything_typed_kept(station, client_for):
    response = client_for("npy_worker").post(
        f"/stations/{station.pk}/visits/new/",
        {
            "visitor_name": "钟明亮",
            "visitor_id_number": "341502199001011234",
            "subject": "电动车充电桩损坏",
            "people_count": "1",
            "place": str(station.unit_id),
            "outcome": "pending",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_visitor_id_number_error"' in body
    assert 'value="钟明亮"' in body and 'value="电动车充电桩损坏"' in body
    assert not Visit.objects.exists()


def test_the_duty_table_downloads_as_a_workbook_with_the_names_and_the_gaps(station, client_for):
    for person in ("town", "wc_duty"):
        services.unavailability_record(
            user=user("station_mgr"),
            person=user(person),
            starts_on=station.opened_on.replace(year=2025, month=6, day=9),
            ends_on=station.opened_on.replace(year=2025, month=6, day=9),
            kind="training",
        )
    services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=2025, number=6
    )
    response = client_for("station_mgr").get(f"/stations/{station.pk}/rota/export.xlsx?month=2025-06")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "和谐之声·暖心驿站" in rows[0][0]
    june_9 = [r for r in rows if r[0] == "2025-06-09"]
    assert len(june_9) == 2 and all("(short of 1)" in r[4] for r in june_9)
    assert any("孔社区网格员" in cell for row in rows for cell in row)


def test_the_station_page_is_in_chinese_by_default_and_complete_in_english(station, client_for):
    client = client_for("county")
    chinese = client.get(f"/stations/{station.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "开放时间" in chinese and "值班力量" in chinese and "Opening hours" not in chinese
    english = client.get(f"/stations/{station.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Opening hours" in english and "Duty pools" in english
