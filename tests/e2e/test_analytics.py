"""Text intelligence in the browser: routing and same-matter hints while typing at intake, the routing
card of the petition page, the common-issue page and the early-warning list (desktop and phone)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from xinfang.analytics.demo import build_demo_common_issue
from xinfang.analytics.tests.fixtures import train_small
from xinfang.conferences import demo as conference_demo
from xinfang.petitions.models import Category

from . import seed
from .support import INTAKE_PATH, login, screenshot, sideways_overflow, zh

WAGES_SUBJECT = "恒通物流公司拖欠司机工资三个月"
WAGES_REQUEST = "请求督促恒通物流公司尽快支付拖欠的工资"


def test_the_intake_form_suggests_the_route_and_an_earlier_same_matter_while_typing(
    page: Page, demo_data: Any, settings: Any, tmp_path: Any
) -> None:
    settings.XINFANG_MODEL_DIR = tmp_path / "models"
    train_small(settings.XINFANG_MODEL_DIR, per_template=15)
    earlier = seed.walk_in(by="town", subject=WAGES_SUBJECT, request=WAGES_REQUEST, name="冯某某", seed=61)
    login(page, "town")
    page.goto(INTAKE_PATH)
    page.locator("#id_place").fill("南屏苑社区")
    page.locator("#id_subject").fill(WAGES_SUBJECT)
    page.locator("#id_request").fill(WAGES_REQUEST)
    hint = page.locator("#routing")
    expect(hint).to_contain_text(zh("Suggested category"))
    expect(hint.locator(".routing-category")).to_have_text("劳动和社会保障")
    expect(hint).to_contain_text("金安区人力资源和社会保障局")
    expect(hint.locator(".samematter")).to_contain_text(earlier.number)
    hint.locator(".routing-best").get_by_role("button", name=zh("Use")).click()
    labour = Category.objects.get(parent=None, name="劳动和社会保障")
    expect(page.locator("#id_category")).to_have_value(str(labour.pk))
    screenshot(page, "analytics-intake")

    page.goto(f"/petitions/{earlier.pk}/")
    card = page.locator("#routing-card")
    expect(card.locator(".routing-category")).to_have_text("劳动和社会保障")
    expect(card).to_contain_text(zh("Petitions on substantially the same matter"))


def test_the_common_issue_page_lists_the_demo_group_with_its_petitions(page: Page, demo_data: Any) -> None:
    build_demo_common_issue()
    login(page, "town")
    page.locator("header .mainnav").get_by_role("link", name=zh("Early warning")).click()
    page.locator("main").get_by_role("link", name=zh("Common issues")).click()
    group = page.locator("ol.issues li.issue").first
    expect(group).to_contain_text("南屏苑二期小区")
    expect(group).to_contain_text("电梯")
    screenshot(page, "analytics-issues")
    group.get_by_role("link").click()
    expect(page.locator("table.plist tbody tr")).to_have_count(5)
    screenshot(page, "analytics-issue")


def test_a_town_sends_the_common_issue_to_its_conference_in_one_click(page: Page, demo_data: Any) -> None:
    build_demo_common_issue()
    conference_demo.ensure_conference_staff()
    conference = conference_demo.set_up("wc")
    login(page, "town")
    page.goto("/analytics/issues/")
    page.locator("ol.issues li.issue").first.get_by_role("link").click()
    page.get_by_role("button", name=zh("Send to the conference agenda")).click()
    expect(page.locator("main h1")).to_contain_text("南屏苑二期小区")
    expect(page.locator(".messages")).to_contain_text(zh("The item is sent to the conference's secretariat."))
    item = conference.items.get()
    assert item.petitions.count() == 5
    page.go_back()
    page.reload()
    expect(page.locator("main")).to_contain_text(item.title)


def test_the_early_warning_list_shows_the_threat_and_fits_a_phone(
    page: Page, new_page: Any, demo_data: Any
) -> None:
    build_demo_common_issue()
    login(page, "county")
    page.locator("header .mainnav").get_by_role("link", name=zh("Early warning")).click()
    threats = page.locator("section.warning-threats")
    expect(threats.locator(".flag-threat")).to_contain_text("拉横幅")
    expect(page.locator("main")).to_contain_text(zh("Rising common issues"))
    screenshot(page, "analytics-warning")
    threats.get_by_role("link").first.click()
    expect(page.locator("main h1")).to_contain_text("南屏苑二期小区电梯")

    phone = new_page(phone=True)
    login(phone, "county")
    phone.goto("/analytics/warnings/")
    expect(phone.locator("section.warning-threats")).to_be_visible()
    overflow = sideways_overflow(phone)
    assert overflow <= 0, f"the early-warning list scrolls sideways by {overflow}px on a 390px phone"
