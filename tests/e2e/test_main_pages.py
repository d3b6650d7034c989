"""The main staff pages over a slice of the demo cases: they render in Chinese, their figures agree,
and they are photographed for the docs (docs/screenshots/)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from xinfang.petitions.models import Petition

from . import seed
from .support import kpi, login, open_dashboard_for, screenshot, zh

IGNORED_CONSOLE = ("favicon.ico",)


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(f"{msg.text} {msg.location.get('url', '')}")
            if msg.type == "error" and not any(i in msg.location.get("url", "") for i in IGNORED_CONSOLE)
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_main_pages_render_in_chinese_over_the_demo_cases(page: Page, new_page, demo_data) -> None:
    made = seed.demo_petitions()
    assert made >= 30 and Petition.objects.values("state").distinct().count() >= 20
    seed.sweep()

    # The county officer's workbench (queues and the sweeper's reminders) and the petition list.
    county = page
    login(county, "county")
    expect(county.locator("main h1")).to_have_text(zh("Workbench"))
    counts = [int(n) for n in county.locator("a.queue .queue-count").all_inner_texts()]
    assert sum(counts) > 0, "the demo cases should fill some of the county's queues"
    reminders = county.locator("ul.reminders > li")
    badge = county.locator("#reminders-title .badge")
    expect(reminders.first).to_be_visible()
    unread, shown = int(badge.inner_text()), reminders.count()
    assert unread >= shown > 0, "the sweep should have raised reminders of the overdue demo cases"
    screenshot(county, "workbench")

    # Marking a reminder read (htmx) takes it off the list in place; the count follows on reload.
    with county.expect_response(re.compile(r"/reminders/\d+/read/$")):
        reminders.first.get_by_role("button", name=zh("Mark read")).click()
    expect(reminders).to_have_count(shown - 1)
    county.reload()
    if unread > 1:
        expect(badge).to_have_text(str(unread - 1))
    else:
        expect(badge).to_have_count(0)

    county.locator("header .mainnav").get_by_role("link", name=zh("Petitions"), exact=True).click()
    expect(county.locator("main h1")).to_have_text(zh("Petitions"))
    rows = county.locator("table.plist tbody tr")
    expect(rows.first).to_be_visible()
    listed = rows.count()
    expect(county.locator(".resultcount")).to_contain_text(str(listed))
    assert listed >= 10
    screenshot(county, "petition-list")

    # The leader's dashboard over the past year, charts drawn, and one figure opened.
    leader = new_page()
    errors = console_errors(leader)
    login(leader, "leader")
    today = timezone.localdate()
    open_dashboard_for(leader, today - dt.timedelta(days=364), today)  # the demo cases' year
    on_time = kpi(leader, zh("On-time completion"))
    expect(on_time.locator(".dash-big")).to_have_text(re.compile(r"^\d+\.\d%$"))
    denominator = on_time.locator(".dash-frac a").nth(1)
    due = int(denominator.inner_text())
    assert due > 0
    expect(leader.locator("section[aria-labelledby=rank-title] tbody tr").first).to_be_visible()
    screenshot(leader, "dashboard")
    assert not errors, errors

    denominator.click()
    expect(leader.locator("main h1")).to_contain_text(zh("On-time completion"))
    expect(leader.locator(".drill-list tbody tr")).to_have_count(min(due, 50))
    expect(leader.locator(".resultcount")).to_contain_text(str(due))
    screenshot(leader, "dashboard-drill")

    # A row of the drill-down opens its petition, which the leader may see.
    leader.locator(".drill-list tbody tr").first.locator("a").click()
    expect(leader.locator(".pethead")).to_be_visible()
    expect(leader.locator("#timeline li").first).to_be_visible()
    assert not errors, errors
