"""Hotline tickets: all-or-nothing import with a row report, dedupe, area mapping, conversion, figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.core.errors import DomainError
from xinfang.petitions.states import Channel, PetitionType
from xinfang.stations import selectors, visits
from xinfang.stations.hotline import hotline_import, parse_time
from xinfang.stations.models import HotlineSignal, SignalKind, Visit

from .factories import make_station, user

pytestmark = pytest.mark.django_db
HEADER = "工单编号,来电时间,区域,工单类型,问题分类,诉求内容,满意度\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def run(content: bytes, *, by: str = "county", filename: str = "tickets.csv"):
    return hotline_import(user=user(by), filename=filename, content=content)


def test_a_clean_file_is_imported_and_each_area_is_mapped_by_name_full_name_or_code(demo):
    report, batch = run(
        csv_file(
            "T-1,2022-03-05 14:30,南屏苑社区,投诉,物业管理,电梯故障,不满意",
            "T-2,2022/3/6 9:05,金安区望城街道南屏苑社区,咨询,社保,咨询缴费,满意",
            "T-3,2022年3月7日 10时20分,ah-la-ja-wc-mz,,环境卫生,垃圾堆积,",
            "T-4,2022-03-08,341502,建议,交通,增设公交站,基本满意",
        )
    )
    assert report.ok and report.created == 4 and batch is not None
    signals = {s.ticket_id: s for s in HotlineSignal.objects.select_related("unit")}
    assert signals["T-1"].unit.code == signals["T-2"].unit.code == "ah-la-ja-wc-npy"
    assert signals["T-3"].unit.code == "ah-la-ja-wc-mz" and signals["T-3"].kind == SignalKind.COMPLAINT
    assert signals["T-4"].unit.code == "ah-la-ja" and signals["T-4"].satisfaction == "basically"
    assert signals["T-3"].received_at == parse_time("2022-03-07 10:20")


def test_one_bad_row_means_nothing_is_imported_and_the_report_names_each_row(demo):
    report, batch = run(
        csv_file(
            "T-1,2022-03-05 14:30,南屏苑社区,投诉,物业,电梯故障,满意",
            "T-1,2022-03-05 15:30,南屏苑社区,投诉,物业,电梯故障,满意",
            "T-3,昨天下午,南屏苑社区,投诉,物业,电梯故障,满意",
            "T-4,2022-03-05 14:30,和平村,投诉,物业,电梯故障,满意",
            "T-5,2022-03-05 14:30,南屏苑社区,吐槽,物业,,很好",
        )
    )
    assert batch is None and not HotlineSignal.objects.exists()
    rows = {e.row: " ".join(e.messages) for e in report.row_errors}
    assert set(rows) == {3, 4, 5, 6}
    assert "row 2" in rows[3]
    assert "昨天下午" in rows[4]
    assert "和平村" in rows[5]  # 叶集区: outside the 金安区 bureau's jurisdiction
    assert "吐槽" in rows[6] and "很好" in rows[6] and "content" in rows[6]


def test_importing_the_same_export_again_skips_known_tickets(demo):
    first = csv_file("T-1,2022-03-05 14:30,南屏苑社区,投诉,物业,电梯故障,满意")
    assert run(first)[0].created == 1
    report, _batch = run(first + "T-2,2022-03-09 09:00,南屏苑社区,投诉,物业,楼道灯坏,满意\n".encode())
    assert (report.created, report.unchanged) == (1, 1)
    assert HotlineSignal.objects.count() == 2


def test_an_xlsx_export_with_a_title_row_and_real_dates_is_read(demo):
    book = Workbook()
    sheet = book.active
    sheet.append(["金安区12345工单导出"])
    sheet.append(["Ticket number", "Time", "Area", "Content"])
    sheet.append(["X-1", dt.datetime(2022, 4, 1, 8, 30), "民主社区", "路灯不亮"])
    buffer = io.BytesIO()
    book.save(buffer)
    report, _batch = run(buffer.getvalue(), filename="export.xlsx")
    assert report.ok, report.lines()
    assert HotlineSignal.objects.get().received_at == parse_time("2022-04-01 08:30")


def test_a_missing_column_is_reported_on_the_header_row(demo):
    report, _batch = run("工单编号,来电时间,诉求内容\nT-1,2022-03-05,电梯\n".encode())
    assert [e.row for e in report.row_errors] == [1]
    assert "Area" in " ".join(report.row_errors[0].messages)


def test_a_department_handler_may_not_import(demo):
    with pytest.raises(DomainError):
        run(csv_file("T-1,2022-03-05 14:30,南屏苑社区,投诉,物业,电梯故障,满意"), by="handler")


def test_a_confirmed_grievance_ticket_becomes_a_petition_and_keeps_the_link(demo):
    run(csv_file("T-9,2022-03-05 14:30,南屏苑社区,投诉,物业,二期车库积水两个月无人处理,不满意"))
    signal = HotlineSignal.objects.get()
    who = visits.Visitor(name="白国庆", phone="13956400005")
    with pytest.raises(visits.VisitError) as unconfirmed:
        visits.signal_to_petition(
            user=user("county"),
            signal_id=signal.pk,
            confirmed_grievance=False,
            principal=who,
            subject="车库积水",
            request="请求处理",
        )
    assert "confirmed_grievance" in unconfirmed.value.errors
    petition = visits.signal_to_petition(
        user=user("county"),
        signal_id=signal.pk,
        confirmed_grievance=True,
        principal=who,
        subject="车库积水",
        request="请求督促物业排水",
        expected_version=1,
    )
    signal.refresh_from_db()
    assert signal.petition_id == petition.pk and signal.converted_by == user("county")
    assert (petition.channel, petition.petition_type) == (Channel.HOTLINE, PetitionType.GRIEVANCE)
    assert petition.received_at == signal.received_at and petition.facts == signal.text
    assert petition.events.filter(action="hotline_signal", payload__ticket_id="T-9").exists()
    with pytest.raises(DomainError):
        visits.signal_to_petition(
            user=user("county"),
            signal_id=signal.pk,
            confirmed_grievance=True,
            principal=who,
            subject="车库积水",
            request="再次",
        )


def test_tickets_are_read_only_within_the_jurisdiction_of_their_area(demo):
    run(csv_file("T-1,2022-03-05 14:30,南屏苑社区,投诉,物业,电梯故障,满意"))
    assert selectors.visible_signals(user("town")).count() == 1
    assert selectors.visible_signals(user("county_yj")).count() == 0
    with pytest.raises(OutOfJurisdiction):
        selectors.get_visible_signal(user("town2"), HotlineSignal.objects.get().pk)


def complaints(
    station_month_counts: dict[str, int], place: str = "南屏苑社区", kind: str = "投诉"
) -> list[str]:
    rows = []
    for month, count in station_month_counts.items():
        rows += [
            f"{place}-{kind}-{month}-{i},{month}-10 09:00,{place},{kind},物业,问题{i},满意"
            for i in range(count)
        ]
    return rows


def test_station_figures_compare_equal_windows_of_whole_months_before_and_after_the_opening(staff):
    station = make_station(opened_on=dt.date(2022, 5, 9))
    rows = complaints({"2021-05": 20, "2022-04": 16, "2022-05": 9, "2022-06": 4, "2023-05": 2, "2023-06": 7})
    rows += complaints({"2022-06": 30}, place="民主社区")  # not in the serving area
    rows += complaints({"2022-07": 8}, kind="咨询")  # not a complaint
    assert run(csv_file(*rows))[0].ok
    figures = selectors.station_figures(station, today=dt.date(2023, 6, 20))
    before, after = figures.before, figures.after
    assert before is not None and after is not None
    assert (before.first, before.last, before.months) == (dt.date(2021, 5, 1), dt.date(2022, 4, 30), 12)
    assert (after.first, after.last, after.months) == (dt.date(2022, 6, 1), dt.date(2023, 5, 31), 12)
    assert (before.total, after.total, after.highest) == (36, 6, 4)
    assert figures.change == pytest.approx(6 / 36 - 1)
    short = selectors.station_figures(station, months=3, today=dt.date(2023, 6, 20))
    assert short.before is not None and short.after is not None
    assert (short.before.first, short.before.total, short.after.total) == (dt.date(2022, 2, 1), 16, 4)


def test_visit_figures_count_outcomes_and_the_on_the_spot_rate(station):
    for index, outcome in enumerate(["resolved", "resolved", "resolved", "mediation"]):
        visit = visits.visit_register(
            user=user("npy_worker"),
            station_id=station.pk,
            visitor=visits.Visitor(name=f"居民{index}"),
            subject="邻里纠纷",
        )
        visits.visit_conclude(user=user("npy_worker"), visit_id=visit.pk, outcome=outcome, note="已处理")
    other = visits.visit_register(
        user=user("npy_worker"),
        station_id=station.pk,
        visitor=visits.Visitor(name="居民9"),
        subject="车库积水",
    )
    visits.visit_to_petition(user=user("npy_worker"), visit_id=other.pk, request="请求处理")
    figures = selectors.station_figures(station)
    assert (figures.visits, figures.resolved, figures.petitions, figures.mediation) == (5, 3, 1, 1)
    assert figures.resolved_rate == pytest.approx(0.6)
    assert Visit.objects.count() == 5
