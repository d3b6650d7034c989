"""Units in the browser: jurisdiction holds against typed URLs, and the list exports to XLSX."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from xinfang.accounts import scoping

from .support import UNITS_PATH, login, screenshot, zh

# The demo tree: 金安区 and 叶集区 are sibling districts of 六安市.
JINAN = "ah-la-ja"
WANGCHENG = "ah-la-ja-wc"  # 望城街道, in 金安区: where user `town` sits
YEJI = "ah-la-yj"  # 叶集区
PINGGANG = "ah-la-yj-pg"  # 平岗街道, in 叶集区


def _listed_unit_names(page: Page) -> list[str]:
    links = page.locator("main table tbody td:first-child a")
    expect(links.first).to_be_visible()
    return [name.strip() for name in links.all_inner_texts()]


def test_town_officer_cannot_open_unit_of_another_county_by_url(page: Page, demo_data) -> None:
    own, parent, other = demo_data.unit(WANGCHENG), demo_data.unit(JINAN), demo_data.unit(YEJI)
    login(page, "town")

    response = page.goto(f"/units/{own.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_contain_text(own.name)

    for outside in (other, parent):
        response = page.goto(f"/units/{outside.pk}/")
        assert response is not None
        assert response.status == 404, f"{outside.name} answered {response.status}"
        expect(page.locator("body")).not_to_contain_text(outside.name)

    page.goto(UNITS_PATH)
    names = _listed_unit_names(page)
    assert own.name in names
    assert not [name for name in names if "叶集" in name or "平岗" in name]
    assert parent.name not in names
    assert len(names) == scoping.visible_units(demo_data.user("town")).count()


def test_units_list_export_downloads_an_xlsx(page: Page, demo_data, tmp_path: Path) -> None:
    login(page, "county")
    page.goto(UNITS_PATH)
    listed = _listed_unit_names(page)
    assert demo_data.unit(WANGCHENG).name in listed
    screenshot(page, "units")

    with page.expect_download() as download_info:
        page.locator('main a[href^="/units/export.xlsx"]').click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("units-")
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    workbook = openpyxl.load_workbook(target, read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    header, body = rows[0], rows[1:]
    assert header[:2] == (zh("Code"), zh("Name"))
    names = {row[1] for row in body}
    codes = {row[0] for row in body}
    assert {demo_data.unit(JINAN).name, demo_data.unit(WANGCHENG).name} <= names
    assert demo_data.unit(YEJI).name not in names
    assert demo_data.unit(PINGGANG).name not in names
    assert not [code for code in codes if code.startswith(YEJI)]
    assert names == set(listed), "the export should hold exactly the units the list shows"
