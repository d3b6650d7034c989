"""Assessment and accountability in the browser, in Chinese.

1. The 金安区 leader sets up a Party-building assessment of the towns and streets with petition work at
   18 % (as the article's 金安区 does), publishes it, computes it over a slice of the demo cases, opens a
   town's score down to the petitions counted, and downloads the league table as XLSX and PDF.
2. A bypass petition (a visit to the province about a matter 金安区人社局 replied to late) gets a
   trace-back review naming the unit and the handler; the discipline inspector records the outcome
   (约谈) and concludes it.
3. A checklist item is closed only after a second person verified the owner's evidence.
"""

from __future__ import annotations

import io
import re

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from xinfang.accounts.models import User
from xinfang.assessment.models import AccountabilityReview, ItemState
from xinfang.assessment.tests.scenarios import accepted, at, replied
from xinfang.assessment.traceback import reviews_sweep
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.states import Channel
from xinfang.petitions.tests.factories import register

from . import seed
from .support import choose, flash, login, screenshot, sideways_overflow, zh

ASSESSMENT_PATH = "/assessment/"


def open_assessment(page: Page) -> None:
    page.locator("header .mainnav").get_by_role("link", name=zh("Assessment"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(zh("Assessment and accountability"))


def test_a_scheme_like_the_articles_is_set_up_computed_explained_and_exported(page: Page, demo_data) -> None:
    assert seed.demo_petitions() >= 30
    year = timezone.localdate().year
    login(page, "leader")
    open_assessment(page)
    page.get_by_role("link", name=zh("New scheme")).click()
    page.locator("[name=name]").fill(f"{year}年度基层党建工作考核（金安区）")
    choose(page.locator("[name=area]"), "金安区")
    page.locator("[name=subject_kind]").select_option("town")
    share = page.locator("[name=petition_share]")
    share.fill("150")  # a typing mistake: refused beside the field, nothing lost
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save as draft")).click()
    expect(page.locator("#id_petition_share_error")).to_be_visible()
    expect(page.locator("[name=name]")).to_have_value(f"{year}年度基层党建工作考核（金安区）")
    share.fill("18")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save as draft")).click()
    expect(flash(page)).to_contain_text(zh("The scheme is saved as a draft."))
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Publish"), exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Compute the scores")).click()
    rows = page.locator("table.as-league tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.as-league")).to_contain_text("望城街道")
    expect(page.locator("table.as-league")).to_contain_text("三十铺镇")
    screenshot(page, "assessment-scheme")

    # Downloads of the league table: a spreadsheet and a PDF.
    with page.expect_download() as xlsx_download:
        page.locator("#league").get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read())).active  # noqa: SIM115
    assert sheet is not None
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {"望城街道", "三十铺镇"}
    with page.expect_download() as pdf_download:
        page.locator("#league").get_by_role("link", name="PDF").click()
    assert open(pdf_download.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115

    # A town's score, item by item, and the petitions one figure counted.
    rows.filter(has_text="望城街道").get_by_role("link").click()
    expect(page.locator("main h1")).to_have_text("望城街道")
    on_time = page.locator("table.as-scoreitems tbody tr").filter(has_text=zh("On-time completion"))
    denominator = on_time.locator("a.as-den")
    due = int(denominator.inner_text())
    screenshot(page, "assessment-score")
    if due:
        denominator.click()
        expect(page.locator("main h1")).to_contain_text(zh("On-time completion"))
        expect(page.locator(".drill-list tbody tr")).to_have_count(min(due, 50))
        screenshot(page, "assessment-drill")
        page.locator(".drill-list tbody tr").first.locator("a").first.click()
        expect(page.locator(".pethead")).to_be_visible()


def test_a_bypass_petition_is_traced_back_and_the_inspector_records_the_outcome(
    page: Page, demo_data
) -> None:
    earlier = accepted(seed=901, on="2025-03-03", subject="拖欠工资问题第901号")
    replied(earlier, on="2025-05-20")  # after the 60-day handling deadline
    with at("2025-06-10"):
        upward = register(by="province", id_seed=901, subject="拖欠工资问题第901号", channel=Channel.VISIT)
        province = User.objects.get(username="province")
        for suggestion in upward.suggestions.all():
            suggestion_decide(suggestion_id=suggestion.pk, user=province, confirm=True)
    reviews_sweep()
    review = AccountabilityReview.objects.get(petition=upward)
    login(page, "inspector")
    open_assessment(page)
    page.locator(".as-tabs").get_by_role("link", name=zh("Trace-back")).click()
    page.locator("[name=year]").select_option(str(review.year))
    page.locator("[name=trigger]").select_option("bypass")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Show"), exact=True).click()
    page.locator("table.as-reviews").get_by_role("link", name=re.compile(upward.number)).click()
    chain = page.locator("section[aria-labelledby=chain-title]")
    expect(chain).to_contain_text(earlier.number)
    holder = chain.locator(".as-earlier .as-holding").filter(has_text="金安区人力资源和社会保障局")
    expect(holder).to_contain_text("赵人社局经办人")
    expect(holder.locator(".as-clocks li.as-late")).to_have_count(1)
    late = zh("Art. 45 (1): shirking, delay, or not completed in time")
    expect(page.locator(".as-duties")).to_contain_text(late)
    form = page.locator("section[aria-labelledby=rec-title] form")
    form.locator("[name=subject]").select_option(label="赵人社局经办人 · 金安区人力资源和社会保障局")
    form.locator("[name=ground]").select_option("45-1")
    form.locator("[name=outcome]").select_option("talk")
    form.locator("[name=finding]").fill("答复超期，且未跟踪落实，致信访人越级到省上访。")
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Record the finding")).click()
    expect(page.locator(".as-findings")).to_contain_text(zh("Admonishing talk"))
    conclude = page.locator("section[aria-labelledby=conc-title] form")
    conclude.locator("[name=conclusion]").fill("约谈承办人，责成限期化解。")
    with page.expect_navigation():
        conclude.get_by_role("button", name=zh("Conclude")).click()
    expect(page.locator(".pagehead .as-status")).to_have_text(zh("Concluded"))
    screenshot(page, "assessment-review")
    page.locator(".crumbs a").first.click()
    expect(page.locator("#fig-people")).to_have_text("1")


def test_a_checklist_item_counts_as_closed_only_after_a_second_person_verified_it(
    page: Page, new_page, demo_data
) -> None:
    county = page
    login(county, "county")
    open_assessment(county)
    county.locator(".as-tabs").get_by_role("link", name=zh("Checklists"), exact=True).click()
    county.get_by_role("link", name=zh("New checklist")).click()
    county.locator("[name=title]").fill("信访积案化解专项整治清单")
    choose(county.locator("[name=area]"), "金安区")
    county.locator("[name=source]").select_option("campaign")
    with county.expect_navigation():
        county.get_by_role("button", name=zh("Make the checklist")).click()
    add = county.locator("section[aria-labelledby=add-title] form")
    add.locator("[name=title]").fill("南屏苑小区雨污管道堵塞问题彻底整改")
    choose(add.locator("[name=owner_unit]"), "望城街道")
    add.locator("[name=owner]").select_option(label="王街道信访专干")
    add.locator("[name=due_on]").fill(timezone.localdate().isoformat())
    with county.expect_navigation():
        add.get_by_role("button", name=zh("Add the item")).click()
    expect(flash(county)).to_contain_text(zh("The item is added."))

    town = new_page(phone=True)
    login(town, "town")
    town.goto(ASSESSMENT_PATH + "ledger/")
    town.locator(".as-ledger tbody tr").first.get_by_role("link").click()
    item = town.locator("li.as-item").first
    item.get_by_text(zh("Give the evidence of completion")).click()
    item.locator("[name=evidence_text]").fill("已完成三栋楼前污水井疏通和管道改造。")
    with town.expect_navigation():
        item.get_by_role("button", name=zh("Submit for verification")).click()
    expect(town.locator("li.as-item").first.locator(".as-status")).to_have_text(
        zh("Evidence submitted, awaiting verification")
    )
    # The owner is offered no verification: a second person must do it.
    verify = town.locator("li.as-item").first.get_by_role("button", name=zh("Record the verification"))
    expect(verify).to_have_count(0)
    assert sideways_overflow(town) <= 0
    screenshot(town, "assessment-checklist-phone")

    county.reload()
    item = county.locator("li.as-item").first
    item.locator("[name=return_visit]").fill("电话回访信访人，确认雨天不再外溢，表示满意。")
    with county.expect_navigation():
        item.get_by_role("button", name=zh("Record the verification")).click()
    expect(county.locator("li.as-item").first.locator(".as-status")).to_have_text(zh("Verified and closed"))
    screenshot(county, "assessment-checklist")
    from xinfang.assessment.models import ChecklistItem

    assert ChecklistItem.objects.get().state == ItemState.CLOSED
