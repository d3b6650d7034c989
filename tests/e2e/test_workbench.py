"""The staff workbench and the citizen portal on a phone: readable without sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import seed
from .support import PORTAL_PATH, login, screenshot, sideways_overflow, zh


def test_workbench_on_a_phone_viewport(phone_page: Page, demo_data) -> None:
    page = phone_page
    seed.walk_in(by="town", subject="南屏苑小区电梯频繁故障", seed=31)
    seed.forward(seed.walk_in(by="town", subject="民主社区道路破损积水", seed=32), by="town")
    login(page, "town")

    assert page.viewport_size == {"width": 390, "height": 844}
    expect(page.locator("main h1")).to_have_text(zh("Workbench"))
    expect(page.locator("header .who")).to_be_visible()
    nav = page.locator("header .mainnav")
    expect(nav).to_be_visible()
    for name in (zh("Workbench"), zh("Petitions"), zh("Register"), zh("Dashboard")):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    to_accept = page.locator("a.queue", has_text=zh("To accept or route"))
    expect(to_accept.locator(".queue-count")).to_have_text("1")
    expect(page.locator("main table tbody")).to_contain_text(demo_data.unit("ah-la-ja-wc").name)
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"the workbench scrolls sideways by {overflow}px on a 390px phone"
    screenshot(page, "workbench-phone")

    to_accept.click()  # the queue's list must fit too: its table scrolls inside itself, not the page
    expect(page.locator("table.plist tbody tr")).to_have_count(1)
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"the petition list scrolls sideways by {overflow}px on a 390px phone"


def test_portal_on_a_phone_viewport(phone_page: Page, demo_data) -> None:
    page = phone_page
    page.goto(PORTAL_PATH)
    expect(page.locator(".portal-nav")).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"the portal scrolls sideways by {overflow}px on a 390px phone"
    screenshot(page, "portal-phone")

    page.locator(".portal-choices").get_by_role("link", name=zh("Submit a petition")).click()
    expect(page.locator("main h1")).to_have_text(zh("Submit a petition"))
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"the submit form scrolls sideways by {overflow}px on a 390px phone"
