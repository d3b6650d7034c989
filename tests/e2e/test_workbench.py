"""The workbench on a phone: readable without sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .support import login, screenshot, zh


def test_workbench_on_a_phone_viewport(phone_page: Page, demo_data) -> None:
    page = phone_page
    login(page, "town")

    assert page.viewport_size == {"width": 390, "height": 844}
    expect(page.locator("main h1")).to_have_text(zh("Workbench"))
    expect(page.locator("header .who")).to_be_visible()
    nav = page.locator("header .mainnav a")
    expect(nav).to_have_count(2)
    for index in range(2):
        expect(nav.nth(index)).to_be_in_viewport()
    expect(page.locator("main table tbody")).to_contain_text(demo_data.unit("ah-la-ja-wc").name)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a 390px phone"
    screenshot(page, "workbench-phone")
