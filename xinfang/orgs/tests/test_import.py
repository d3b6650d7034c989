"""Import of the administrative tree from CSV/XLSX: all rows or none, with a per-row report."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import include, path
from django.utils import translation
from openpyxl import Workbook, load_workbook

from config import urls as project_urls
from xinfang.accounts.models import Membership, Role, User
from xinfang.orgs.importer import ImportReport, units_import_file
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.services import level_for, unit_create
from xinfang.web import urls as web_urls
from xinfang.web import views_import

# The import pages are not wired into xinfang/web/urls.py here; this test URLconf adds them to the
# "web" namespace so that the templates (which reverse web:* names) render as in the real site.
urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("units/import/", views_import.unit_import, name="unit_import"),
                    path(
                        "units/import/template.xlsx",
                        views_import.unit_import_template,
                        name="unit_import_template",
                    ),
                    *web_urls.urlpatterns,
                ],
                "web",
            )
        ),
    ),
    *[p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "web"],
]

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "kind", "parent_code", "division_code", "address", "phone"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English (the msgids), whatever translations exist."""
    with translation.override("en"):
        yield


def csv_bytes(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, encoding: str = "utf-8"
) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_csv(rows: Sequence[Sequence[Any]], *, dry_run: bool = False, **kwargs: Any) -> ImportReport:
    return units_import_file(filename="units.csv", content=csv_bytes(rows, **kwargs), dry_run=dry_run)


def errors_by_row(report: ImportReport) -> dict[int, list[str]]:
    return {error.row: error.messages for error in report.row_errors}


def assert_tree_is_consistent() -> None:
    evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild = Unit.objects.find_problems()
    assert (evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild) == ([], [], [], [], [])
    by_path = {unit.path: unit for unit in Unit.objects.all()}
    for unit in by_path.values():
        parent = by_path.get(unit.path[: -Unit.steplen])
        assert unit.level == level_for(kind=unit.kind, parent=parent), unit.code


# A small new province given child-before-parent: the village first, the province last.
NEW_PROVINCE = [
    ["t-c1-x1-z1-v1", "一村", "village", "t-c1-x1-z1", "", "", ""],
    ["t-c1-x1-z1", "一镇", "town", "t-c1-x1", "", "", ""],
    ["t-c1-x1-xfj", "一县信访局", "petition_office", "t-c1-x1", "", "", "0564-1234567"],
    ["t-c1-x1", "一县", "county", "t-c1", "990101", "", ""],
    ["t-c1", "一市", "city", "t", "990100", "", ""],
    ["t", "测试省", "province", "", "990000", "测试路1号", ""],
]


def test_csv_import_creates_units_given_child_before_parent() -> None:
    report = import_csv(NEW_PROVINCE)

    assert report.ok and report.applied
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    province = Unit.objects.get(code="t")
    village = Unit.objects.get(code="t-c1-x1-z1-v1")
    assert province.depth == 1 and province.division_code == "990000" and province.address == "测试路1号"
    assert [u.code for u in Unit.objects.get_ancestors(village)] == ["t", "t-c1", "t-c1-x1", "t-c1-x1-z1"]
    assert village.level == 5
    assert Unit.objects.get(code="t-c1-x1-xfj").level == 3  # an organ takes the level of its area
    assert Unit.objects.get(code="t-c1-x1").numchild == 2
    assert_tree_is_consistent()


def test_import_attaches_new_units_to_parents_that_already_exist() -> None:
    county = Unit.objects.get(code="ah-la-ja")
    children_before = county.numchild
    report = import_csv(
        [
            ["ah-la-ja-new-v", "新村", "village", "ah-la-ja-new", "", "", ""],
            ["ah-la-ja-new", "新镇", "town", "ah-la-ja", "", "", ""],
        ]
    )

    assert report.applied, report.row_errors
    county.refresh_from_db()
    town = Unit.objects.get(code="ah-la-ja-new")
    assert county.numchild == children_before + 1
    assert Unit.objects.get_parent(town) == county and town.is_within(county)
    # treebeard's own add_child still finds the right next position after the bulk insert.
    later = unit_create(name="后建镇", kind=UnitKind.TOWN, code="ah-la-ja-later", parent=county)
    assert later.path > town.path
    assert_tree_is_consistent()


def test_xlsx_with_chinese_headers_and_kind_labels_is_imported() -> None:
    header = ["单位编码", "名称", "类型", "上级编码", "区划代码", "地址", "电话", "备注"]
    rows: list[list[Any]] = [
        ["t-z1", "新街道", "街道", "ah-la-ja", 341502100, "金安区新路", 5641234567, "an ignored remark"],
        ["t-z1-v1", "新社区", "社区", "t-z1", None, None, None, None],
        ["t-z1-v1-g1", "新一组", "村民组", "t-z1-v1", None, None, None, None],
        ["t-z1-v1-g2", "新小区", "小区", "t-z1-v1", None, None, None, None],
        ["t-z1-xfb", "新街道信访办", "信访办", "t-z1", None, None, None, None],
        ["t-z1-jw", "新街道纪工委", "纪委监委", "t-z1", None, None, None, None],
        ["t-z1-zf", "新街道政法委", "政法", "t-z1", None, None, None, None],
        ["t-z1-bm", "新街道城建办", "职能部门", "t-z1", None, None, None, None],
    ]
    report = units_import_file(filename="单位.XLSX", content=xlsx_bytes(rows, header=header))

    assert report.applied, report.row_errors
    assert report.created == 8
    town = Unit.objects.get(code="t-z1")
    assert (town.kind, town.division_code, town.phone) == (UnitKind.TOWN, "341502100", "5641234567")
    kinds = dict(Unit.objects.filter(code__startswith="t-z1-").values_list("code", "kind"))
    assert kinds == {
        "t-z1-v1": UnitKind.VILLAGE,
        "t-z1-v1-g1": UnitKind.GROUP,
        "t-z1-v1-g2": UnitKind.GROUP,
        "t-z1-xfb": UnitKind.PETITION_OFFICE,
        "t-z1-jw": UnitKind.DISCIPLINE,
        "t-z1-zf": UnitKind.POLITICAL_LEGAL,
        "t-z1-bm": UnitKind.DEPARTMENT,
    }
    assert_tree_is_consistent()


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("省", UnitKind.PROVINCE),
        ("市", UnitKind.CITY),
        ("县", UnitKind.COUNTY),
        ("区", UnitKind.COUNTY),
        ("县/区", UnitKind.COUNTY),
        ("乡镇", UnitKind.TOWN),
        ("镇", UnitKind.TOWN),
        ("乡", UnitKind.TOWN),
        ("村", UnitKind.VILLAGE),
        ("信访局", UnitKind.PETITION_OFFICE),
        ("部门", UnitKind.DEPARTMENT),
        ("纪检监察", UnitKind.DISCIPLINE),
        ("County / district", UnitKind.COUNTY),
        ("VILLAGE", UnitKind.VILLAGE),
    ],
)
def test_kind_is_read_from_values_labels_and_chinese_names(label: str, kind: str) -> None:
    from xinfang.orgs.importer import parse_kind

    assert parse_kind(label) == kind


def test_gbk_encoded_csv_from_excel_is_read() -> None:
    report = units_import_file(
        filename="units.csv",
        content=csv_bytes([["t-gbk", "编码省", "省", "", "", "", ""]], encoding="gb18030"),
    )

    assert report.applied, report.row_errors
    assert Unit.objects.get(code="t-gbk").name == "编码省"


def test_import_with_one_bad_row_changes_nothing_and_reports_the_row() -> None:
    count_before = Unit.objects.count()
    rows = [*NEW_PROVINCE, ["t-c1-x1-z1-v2", "二村", "village", "t-c1", "", "", ""]]  # a village under a city

    report = import_csv(rows)

    assert not report.ok and not report.applied
    assert errors_by_row(report) == {8: ["A Village / community cannot be placed under a City."]}
    assert Unit.objects.count() == count_before


def test_report_names_every_kind_of_row_error_by_spreadsheet_row() -> None:
    rows = [
        ["t", "测试省", "province", "", "990000", "", ""],  # row 2: fine
        ["t-c1", "", "city", "t", "", "", ""],  # row 3: no name
        ["t-c2", "二市", "metropolis", "t", "", "", ""],  # row 4: unknown kind
        ["t-c1", "一市重复", "city", "t", "", "", ""],  # row 5: duplicate code
        ["t-c3", "三市", "city", "t-nowhere", "", "", ""],  # row 6: unknown parent
        ["t-x1", "甲县", "county", "t-x2", "", "", ""],  # row 7: cycle with row 8
        ["t-x2", "乙县", "county", "t-x1", "", "", ""],  # row 8
        ["t-v1", "错村", "village", "t", "", "", ""],  # row 9: village under a province
        ["t-c4", "四市", "city", "t", "99AB", "", ""],  # row 10: bad division code
        ["t-c5", "五市", "city", "t", "12345", "", ""],  # row 11: too short
        ["t-c6", "六市", "city", "", "", "", ""],  # row 12: no parent for a city
        ["t-c7", "七市", "city", "t-c7", "", "", ""],  # row 13: its own parent
        ["", "无码市", "city", "t", "", "", ""],  # row 14: no code
    ]
    report = import_csv(rows)
    errors = errors_by_row(report)

    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert errors[3] == ["The name is missing."]
    assert errors[4] == ["Unknown unit kind: metropolis"]
    assert errors[5] == ["The unit code t-c1 is already used on row 3 of this file."]
    assert errors[6] == ["The parent unit t-nowhere is neither in this file nor in the system."]
    assert any("loops back" in message for message in errors[7])
    assert any("loops back" in message for message in errors[8])
    assert errors[9] == ["A Village / community cannot be placed under a Province."]
    assert errors[10] == ["The division code 99AB is not 6 to 12 digits."]
    assert errors[11] == ["The division code 12345 is not 6 to 12 digits."]
    assert errors[12] == ["The parent unit code is missing: only a province can stand without a parent."]
    assert errors[13] == ["The unit cannot be its own parent."]
    assert errors[14] == ["The unit code is missing."]
    assert {e.row: e.code for e in report.row_errors}[5] == "t-c1"
    assert not Unit.objects.filter(code="t").exists()


def test_longer_cycle_is_reported_on_each_row_of_the_loop_only() -> None:
    rows = [
        ["t", "测试省", "province", "", "", "", ""],
        ["t-a", "甲", "department", "t-c", "", "", ""],
        ["t-b", "乙", "department", "t-a", "", "", ""],
        ["t-c", "丙", "department", "t-b", "", "", ""],
        ["t-d", "丁", "department", "t-c", "", "", ""],  # hangs off the loop but is not in it
    ]
    report = import_csv(rows)

    assert sorted(errors_by_row(report)) == [3, 4, 5]


def test_reimport_of_the_same_file_reports_every_row_unchanged() -> None:
    first = import_csv(NEW_PROVINCE)
    count_after_first = Unit.objects.count()

    second = import_csv(list(reversed(NEW_PROVINCE)))

    assert first.created == 6
    assert second.applied
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    assert Unit.objects.count() == count_after_first
    assert_tree_is_consistent()


def test_reimport_with_a_new_name_and_phone_updates_the_unit_in_place() -> None:
    import_csv(NEW_PROVINCE)
    town = Unit.objects.get(code="t-c1-x1-z1")
    rows = [list(row) for row in NEW_PROVINCE]
    rows[1][1], rows[1][6] = "一镇（更名）", "0564-7654321"

    report = import_csv(rows)

    assert report.applied and (report.created, report.updated, report.unchanged) == (0, 1, 5)
    moved = Unit.objects.get(code="t-c1-x1-z1")
    assert (moved.name, moved.phone, moved.path) == ("一镇（更名）", "0564-7654321", town.path)


def test_a_file_without_address_or_phone_columns_leaves_them_alone() -> None:
    import_csv(NEW_PROVINCE)

    report = import_csv([["t", "测试省", "province", ""]], header=["code", "name", "kind", "parent_code"])

    assert report.applied and report.unchanged == 1
    assert Unit.objects.get(code="t").address == "测试路1号"


def test_a_row_that_would_move_an_existing_unit_is_an_error() -> None:
    report = import_csv([["ah-la-ja-wc", "望城街道", "town", "ah-la-yj", "", "", ""]])

    assert errors_by_row(report) == {
        2: ["Unit ah-la-ja-wc sits under ah-la-ja, not ah-la-yj; an import does not move units."]
    }
    assert Unit.objects.get_parent(Unit.objects.get(code="ah-la-ja-wc")).code == "ah-la-ja"


def test_a_row_that_would_change_the_kind_of_an_existing_unit_is_an_error() -> None:
    report = import_csv([["ah-la-ja-wc", "望城街道", "village", "", "", "", ""]])

    assert errors_by_row(report) == {
        2: ["Unit ah-la-ja-wc already exists as a Town / street; an import cannot change its kind."]
    }


def test_an_existing_unit_may_leave_its_parent_code_empty() -> None:
    report = import_csv([["ah-la-ja-wc", "望城街道", "town", "", "", "", ""]], header=HEADER)

    assert report.applied and report.unchanged == 1


def test_dry_run_reports_counts_and_writes_nothing() -> None:
    count_before = Unit.objects.count()

    report = import_csv(NEW_PROVINCE, dry_run=True)

    assert report.ok and report.dry_run and not report.applied
    assert report.created == 6
    assert Unit.objects.count() == count_before


def test_a_missing_required_column_is_reported_on_the_header_row() -> None:
    report = import_csv([["t", "测试省", ""]], header=["code", "name", "parent_code"])

    assert errors_by_row(report) == {1: ["The column Kind is missing."]}


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_stay_true() -> None:
    content = (
        "某县行政区划表\n" + csv_bytes([["t", "测试省", "省", ""], ["t-c", "", "市", "t"]]).decode()
    ).encode()

    report = units_import_file(filename="units.csv", content=content)

    assert errors_by_row(report) == {4: ["The name is missing."]}


def test_a_broken_workbook_or_a_foreign_file_type_is_a_file_error() -> None:
    broken = units_import_file(filename="units.xlsx", content=b"not a zip file")
    foreign = units_import_file(filename="units.xls", content=b"whatever")

    assert broken.file_errors == ["The file could not be read as an XLSX workbook."]
    assert foreign.file_errors == ["Only .csv and .xlsx files can be imported."]
    assert not broken.ok and not foreign.ok


def generated_province(*, cities: int, counties: int, towns: int, villages: int) -> list[list[str]]:
    """A province with the given fan-outs and a petition office per county, shuffled."""
    rows = [["g", "生成省", "省", "", "", "", ""]]
    for c in range(cities):
        city = f"g-{c}"
        rows.append([city, f"{c}市", "市", "g", "", "", ""])
        for x in range(counties):
            county = f"{city}-{x}"
            rows.append([county, f"{c}市{x}县", "县", city, "", "", ""])
            rows.append([f"{county}-xfj", f"{c}市{x}县信访局", "信访局", county, "", "", ""])
            for z in range(towns):
                town = f"{county}-{z}"
                rows.append([town, f"{x}县{z}镇", "镇", county, "", "", ""])
                for v in range(villages):
                    rows.append([f"{town}-{v}", f"{z}镇{v}村", "村", town, "", "", ""])
    random.Random(7).shuffle(rows)
    return rows


def test_generated_import_of_2000_units_keeps_the_tree_consistent() -> None:
    rows = generated_province(cities=4, counties=5, towns=9, villages=10)
    assert len(rows) == 1 + 4 + 4 * 5 * 2 + 4 * 5 * 9 + 4 * 5 * 9 * 10 == 2025

    report = units_import_file(filename="units.xlsx", content=xlsx_bytes(rows))

    assert report.applied, report.row_errors[:3]
    assert report.created == 2025
    province = Unit.objects.get(code="g")
    assert Unit.objects.filter(path__startswith=province.path).count() == 2025
    assert Unit.objects.get(code="g-3-4").numchild == 10
    assert Unit.objects.get_parent(Unit.objects.get(code="g-3-4-8-9")).code == "g-3-4-8"
    assert_tree_is_consistent()


# Management command -------------------------------------------------------------------------------


def test_import_units_command_imports_a_file(tmp_path: Any) -> None:
    source = tmp_path / "units.csv"
    source.write_bytes(csv_bytes(NEW_PROVINCE))
    out = io.StringIO()

    call_command("import_units", str(source), stdout=out)

    assert "6 created" in out.getvalue()
    assert Unit.objects.filter(code="t").exists()


def test_import_units_command_prints_the_row_report_and_fails_on_errors(tmp_path: Any) -> None:
    source = tmp_path / "units.csv"
    source.write_bytes(csv_bytes([["t", "测试省", "province", ""], ["t-v", "村", "village", "t"]]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_units", str(source), stderr=err)

    assert "Row 3 (t-v): A Village / community cannot be placed under a Province." in err.getvalue()
    assert not Unit.objects.filter(code="t").exists()


def test_import_units_command_dry_run_writes_nothing(tmp_path: Any) -> None:
    source = tmp_path / "units.csv"
    source.write_bytes(csv_bytes(NEW_PROVINCE))
    out = io.StringIO()

    call_command("import_units", str(source), "--dry-run", stdout=out)

    assert "would create 6" in out.getvalue()
    assert not Unit.objects.filter(code="t").exists()


# Web page -----------------------------------------------------------------------------------------


def client_with_role(role: str, unit_code: str) -> Client:
    user = User.objects.create_user(username=f"import-{role}", password="x-Long-enough-42")
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


with_import_urls = pytest.mark.urls(__name__)


@with_import_urls
def test_import_page_refuses_a_town_officer() -> None:
    client = client_with_role(Role.TOWN_OFFICER, "ah-la-ja-wc")
    upload = SimpleUploadedFile("units.csv", csv_bytes(NEW_PROVINCE), content_type="text/csv")

    assert client.get("/units/import/").status_code == 403
    assert client.post("/units/import/", {"file": upload}).status_code == 403
    assert client.get("/units/import/template.xlsx").status_code == 403
    assert not Unit.objects.filter(code="t").exists()


@with_import_urls
def test_import_page_sends_an_anonymous_visitor_to_log_in() -> None:
    response = Client().get("/units/import/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@with_import_urls
def test_import_page_imports_an_upload_for_a_system_administrator() -> None:
    client = client_with_role(Role.SYSTEM_ADMIN, "ah")
    upload = SimpleUploadedFile("units.xlsx", xlsx_bytes(NEW_PROVINCE))
    assert client.get("/units/import/").status_code == 200

    response = client.post("/units/import/", {"file": upload})

    assert response.status_code == 200
    assert response.context["report"].created == 6
    assert b"Import complete" in response.content
    assert Unit.objects.filter(code="t-c1-x1-z1-v1").exists()


@with_import_urls
def test_import_page_shows_the_row_errors_and_imports_nothing() -> None:
    client = client_with_role(Role.SYSTEM_ADMIN, "ah")
    rows = [*NEW_PROVINCE, ["t-bad", "坏村", "village", "t", "", "", ""]]
    upload = SimpleUploadedFile("units.csv", csv_bytes(rows))

    response = client.post("/units/import/", {"file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "<td>8</td><td>t-bad</td>" in html
    assert "A Village / community cannot be placed under a Province." in html
    assert not Unit.objects.filter(code="t").exists()


@with_import_urls
def test_import_page_refuses_other_file_types_and_files_over_5_mb() -> None:
    client = client_with_role(Role.SYSTEM_ADMIN, "ah")
    wrong_type = SimpleUploadedFile("units.xls", b"binary")
    too_big = SimpleUploadedFile("units.csv", b"code,name,kind\n" + b"x" * (5 * 1024 * 1024))

    first = client.post("/units/import/", {"file": wrong_type})
    second = client.post("/units/import/", {"file": too_big})

    assert first.context["report"] is None and "Only .csv and .xlsx" in first.content.decode()
    assert second.context["report"] is None and "larger than 5 MB" in second.content.decode()


@with_import_urls
def test_the_unit_list_export_imports_back_unchanged() -> None:
    user = User.objects.create_superuser(username="import-root", password="x-Long-enough-42")
    client = Client()  # default language: the export's headings and kind labels are translated
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    export = client.get("/units/export.xlsx")
    assert export.status_code == 200

    report = units_import_file(filename="units.xlsx", content=export.content)

    assert report.applied, report.row_errors[:3]
    assert (report.created, report.updated, report.unchanged) == (0, 0, Unit.objects.count())


@with_import_urls
def test_superuser_downloads_a_template_that_imports_cleanly() -> None:
    user = User.objects.create_superuser(username="import-root", password="x-Long-enough-42")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get("/units/import/").status_code == 200  # rendered in the default language
    response = client.get("/units/import/template.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 4
    report = units_import_file(filename="template.xlsx", content=response.content)
    assert report.applied and report.created == 3, report.row_errors
