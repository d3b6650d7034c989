"""Jurisdiction over petitions in the browser: another town's matter is not there, whichever way asked."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import seed
from .support import PETITIONS_PATH, login, zh


def search(page: Page, text: str) -> None:
    """Type into the list's search box and press Enter."""
    box = page.get_by_role("searchbox", name=zh("Search"))
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_a_town_officer_cannot_open_a_petition_of_another_town(page: Page, demo_data) -> None:
    own = seed.walk_in(by="town", subject="南屏苑路灯损坏无人维修", seed=11)
    other = seed.walk_in(
        by="town2", place=seed.HEPING, subject="和平村油茶基地土地流转费未兑现", name="刘某某", seed=12
    )
    assert other.registering_unit.code == "ah-la-yj-pg"  # 平岗街道, 叶集区
    login(page, "town")

    response = page.goto(f"/petitions/{own.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_have_text(own.subject)

    response = page.goto(f"/petitions/{other.pk}/")
    assert response is not None
    assert response.status == 404, f"another town's petition answered {response.status}"
    expect(page.locator("main h1")).to_have_text(zh("Not found"))
    expect(page.locator("body")).not_to_contain_text(other.subject)
    expect(page.locator("body")).not_to_contain_text(other.number)

    page.goto(PETITIONS_PATH)
    rows = page.locator("table.plist tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(own.subject)
    expect(page.locator("main")).not_to_contain_text(other.subject)

    for text in (other.number, "油茶基地", other.query_code, "刘某某"):
        search(page, text)
        expect(page.locator("table.plist tbody")).to_have_text(zh("No petitions match."))
        expect(page.locator("main")).not_to_contain_text(other.subject)
    search(page, own.number)  # the same search finds the town's own matter
    expect(page.locator("table.plist tbody tr")).to_have_count(1)
    expect(page.locator("table.plist tbody")).to_contain_text(own.subject)
