"""Reception stations in the browser: the manager puts someone on a duty list, then generates the rota
with a gap and approves a swap; a walk-in turned into a petition on a phone; the station's hotline
figures before and after the opening."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from xinfang.core.calendar import COVERED_YEARS, years_without_holidays
from xinfang.stations import hotline, services
from xinfang.stations.demo import HOTLINE_FILE
from xinfang.stations.models import Assignment, Rota
from xinfang.stations.selectors import add_months
from xinfang.stations.tests.factories import POOLS, make_station, pool_of, user

from .support import choose, flash, login, screenshot, sideways_overflow, zh

# The generator's warning for a period whose official holidays are not known yet (stations/selectors.py).
NO_HOLIDAYS = (
    "No official holidays are known for %(years)s yet: the built-in calendar ends with %(last)d "
    "and no administrator has entered that year's holidays. Until then every Monday to Friday "
    "counts as a working day, so holidays are not skipped and adjusted working weekends (调休) "
    "are missing. An administrator enters the holidays of the State Council's notice under "
    "Administration › Core › Holiday overrides; then generate the rota again."
)


def _open_station(page: Page) -> None:
    page.locator("header .mainnav").get_by_role("link", name=zh("Stations")).click()
    page.get_by_role("link", name="和谐之声·暖心驿站").click()
    expect(page.locator("main h1")).to_have_text("和谐之声·暖心驿站")


def test_the_manager_puts_a_street_officer_on_duty_generates_next_months_rota_sees_a_gap_and_approves_a_swap(
    page: Page, demo_data
) -> None:
    # The street office has only its petition officer on the list; the manager adds the second one.
    pools = [(code, need, [p for p in people if p != "wc_duty"]) for code, need, people in POOLS]
    station = make_station(pools=pools)
    following = add_months(timezone.localdate().replace(day=1), 1)
    login(page, "station_mgr")
    _open_station(page)
    page.locator(".st-tabs").get_by_role("link", name=zh("Set-up")).click()
    street = page.locator(f"#pool-{pool_of(station, 'ah-la-ja-wc').pk}")
    expect(street.locator(".st-member")).to_have_count(1)
    choose(street.get_by_label(zh("Staff member")), "姜街道干部")
    street.get_by_label(zh("On the duty list from")).fill(f"{timezone.localdate():%Y-%m-%d}")
    with page.expect_navigation():
        street.get_by_role("button", name=zh("Add to the duty list")).click()
    expect(flash(page)).to_contain_text("姜街道干部")
    expect(street.locator(".st-member")).to_have_count(2)
    screenshot(page, "stations-setup")
    # Both street officers are away on the first Tuesday of next month: a gap.
    first_open = next(
        following + dt.timedelta(days=n)
        for n in range(7)
        if (following + dt.timedelta(days=n)).weekday() == 1
    )
    for person in ("town", "wc_duty"):
        services.unavailability_record(
            user=user("station_mgr"),
            person=user(person),
            starts_on=first_open,
            ends_on=first_open,
            kind="training",
        )
    page.locator(".st-tabs").get_by_role("link", name=zh("Duty rota")).click()
    form = page.locator("#generate form")
    expect(form.get_by_label(zh("Month or quarter"))).to_have_value(str(following.month))
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Generate and publish")).click()
    published = zh("Rota version %(version)d published.").split(")d", 1)[1].rstrip("。.")
    expect(page.locator("main .messages li").filter(has_text=published)).to_be_visible()
    rota = Rota.objects.get(station=station)
    assert rota.gap_count >= 1
    # Next month may lie in a year whose official holidays are not known yet (December 2026 for
    # chinesecalendar 1.11.0): then the generator says so, once, and the rota remembers it.
    missing = years_without_holidays(rota.starts_on, rota.ends_on)
    assert rota.years_without_holidays == missing
    years = "、".join(str(year) for year in missing) or str(following.year)
    expected = zh(NO_HOLIDAYS) % {"years": years, "last": COVERED_YEARS.stop - 1}
    warning = page.locator("main .messages li.warning").filter(has_text=expected)
    expect(warning).to_have_count(1 if missing else 0)
    expect(page.locator(".st-gapnote")).to_be_visible()
    gap_day = page.locator(f'.st-day[data-date="{first_open:%Y-%m-%d}"]')
    expect(gap_day.locator(".st-shift.gap").first).to_be_visible()
    expect(gap_day.locator(".st-missing").first).to_contain_text("望城街道")
    # Two community workers ask to exchange a duty (a precondition: the request is theirs).
    community = Assignment.objects.filter(shift__rota=rota, pool__unit__code="ah-la-ja-wc-npy").order_by(
        "shift__starts_at"
    )
    mine = next(a for a in community if a.user.username == "npy_worker")
    theirs = next(a for a in reversed(list(community)) if a.user.username == "npy_worker2")
    services.swap_request(
        user=user("npy_worker"), first_id=mine.pk, second_id=theirs.pk, reason="孩子开家长会"
    )
    page.reload()
    swap = page.locator(".st-swap.status-pending")
    expect(swap).to_contain_text("孩子开家长会")
    swap.get_by_placeholder(zh("Note (needed to reject)")).fill("同意")
    with page.expect_navigation():
        swap.get_by_role("button", name=zh("Approve"), exact=True).click()
    expect(flash(page)).to_contain_text(zh("Swap approved."))
    expect(page.locator(".st-swap.status-approved")).to_contain_text("同意")
    mine.refresh_from_db()
    assert not mine.is_current
    screenshot(page, "stations-rota")


def test_a_duty_officer_logs_a_walk_in_on_a_phone_and_turns_it_into_a_petition(
    phone_page: Page, demo_data
) -> None:
    make_station()
    page = phone_page
    login(page, "npy_worker")
    page.goto("/stations/")
    page.get_by_role("link", name="和谐之声·暖心驿站").click()
    page.get_by_role("link", name=zh("Register a walk-in")).first.click()
    page.get_by_label(zh("Visitor's name")).fill("白国庆")
    page.get_by_label(zh("Phone")).fill("13956400005")
    page.get_by_label(zh("Matter raised")).fill("小区地下车库长期积水")
    page.get_by_label(zh("Interview notes")).fill("二期地下车库积水两个月，物业推诿。")
    assert sideways_overflow(page) <= 0
    screenshot(page, "stations-walk-in-phone")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Register"), exact=True).click()
    expect(flash(page)).to_contain_text(zh("Visit registered."))
    expect(page.locator(".outcome")).to_have_text(zh("Not concluded yet"))
    expect(page.locator("main")).to_contain_text("139****0005")
    section = page.locator("#act-petition")
    section.locator("summary").click()
    section.get_by_label(zh("Request")).fill("请求督促物业查明积水原因并修复排水设施")
    with page.expect_navigation():
        section.get_by_role("button", name=zh("Register as a petition")).click()
    expect(flash(page)).to_contain_text(
        zh("Registered as %(number)s. Query code for the petitioner: %(code)s")[:3]
    )
    expect(page.locator(".outcome")).to_have_text(zh("Turned into a petition"))
    page.get_by_role("link", name=re.compile(r"^341502-")).click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(zh("Came in at a reception station"))
    expect(timeline).to_contain_text("和谐之声·暖心驿站")


def test_the_station_figures_show_the_hotline_complaints_before_and_after_the_opening(
    page: Page, demo_data
) -> None:
    make_station()
    report, _batch = hotline.hotline_import(
        user=user("county"), filename=HOTLINE_FILE.name, content=HOTLINE_FILE.read_bytes()
    )
    assert report.ok
    login(page, "county")
    _open_station(page)
    page.locator(".st-tabs").get_by_role("link", name=zh("Figures")).click()
    before = page.locator("#window-before")
    after = page.locator("#window-after")
    expect(before).to_contain_text("2021-05")
    expect(after).to_contain_text("2022-06")
    before_total = int(before.locator(".window-total").inner_text())
    after_total = int(after.locator(".window-total").inner_text())
    assert before_total > 100 and after_total < before_total / 4
    counts = [int(t.strip()) for t in after.locator("td").all_inner_texts()]
    assert len(counts) == 12 and max(counts) <= 5
    screenshot(page, "stations-figures")
