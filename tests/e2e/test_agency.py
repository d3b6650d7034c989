"""Petition agency in the browser: the 和平村 cadre takes a mandate, files a wage matter for villagers with
eleven claims, records what the firm paid, and the village ledger shows the total.

Precondition only: the street petition officer has certified the cadre as agent (a service call).
Everything the test is about goes through the pages, logged in as the demo ``cadre``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from xinfang.agency import services
from xinfang.agency.models import AgentKind
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Petition

from . import seed
from .support import flash, login, screenshot, sideways_overflow, zh, zh_pattern, zh_values

SIGNED_FORM = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLAIMS = [(f"村民{index:02d}", 3000 + 200 * index) for index in range(11)]


def _certify_cadre() -> None:
    services.agent_register(
        user=seed.user("town2"),
        unit=seed.unit(seed.HEPING),
        kind=AgentKind.VILLAGE_CADRE,
        person=PersonData(name="张村书记"),
        certificate_number="叶信代证〔2026〕001号",
        certified_on=timezone.localdate() - dt.timedelta(days=10),
        certified_by="叶集区信访局",
        login=seed.user("cadre"),
    )


def test_cadre_takes_a_mandate_files_a_wage_matter_with_eleven_claims_and_the_ledger_totals_them(
    page: Page, new_page, demo_data
) -> None:
    _certify_cadre()
    login(page, "cadre")
    page.locator("header .mainnav").get_by_role("link", name=zh("Agency")).click()
    expect(page.locator("main h1")).to_contain_text(zh("Caseload"))

    # 1. The signed entrustment form of the lead villager is recorded as a mandate.
    page.get_by_role("link", name=zh("Record a mandate")).click()
    page.get_by_label(zh("Principal's name")).fill("姚某发")
    page.get_by_label(zh("ID number")).fill(seed.valid_id(301))
    page.get_by_role("textbox", name=zh("Scope of the mandate"), exact=True).fill(
        "代为反映油茶基地拖欠劳务费问题，跟踪并转告答复"
    )
    page.get_by_label(zh("Valid until")).fill((timezone.localdate() + dt.timedelta(days=180)).isoformat())
    page.get_by_label(zh("Signed entrustment form (代理委托书)")).set_input_files(
        files=[{"name": "代理委托书.pdf", "mimeType": "application/pdf", "buffer": SIGNED_FORM}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Record the mandate")).click()
    expect(flash(page)).to_contain_text("姚某发")
    expect(page.get_by_test_id("mandate-state")).to_have_text(zh("In force"))

    # 2. The matter is filed on behalf, with one line per claimant pasted into the claims box.
    page.get_by_role("link", name="张村书记").first.click()
    page.get_by_role("link", name=zh("File on behalf")).click()
    page.get_by_role("checkbox", name=re.compile("^姚某发")).check()
    page.get_by_role("textbox", name=zh("Subject"), exact=True).fill("油茶基地拖欠村民劳务费")
    page.get_by_role("textbox", name=zh("Request"), exact=True).fill("请求督促油茶种植企业结清拖欠的劳务费")
    expect(page.get_by_label(zh("Place of the problem"))).to_have_value("和平村")
    page.get_by_label(zh("Owed by")).fill("某油茶种植有限公司")
    page.get_by_label(zh("Claims, one claimant per line")).fill(
        "\n".join(f"{name}\t{amount}" for name, amount in CLAIMS)
    )
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Register on behalf")).click()
    registered = "Registered as %(number)s. Query code for the petitioner: %(code)s"
    expect(flash(page)).to_have_text(zh_pattern(registered))
    number = zh_values(registered, flash(page).inner_text())["number"]
    petition = Petition.objects.get(number=number)
    assert petition.channel == "agent" and petition.claims.count() == len(CLAIMS)
    claims_table = page.locator("#claims table").first
    expect(claims_table.locator("tbody tr")).to_have_count(len(CLAIMS))

    # 3. The firm pays before the Spring Festival: amounts are entered per claimant, all on one day.
    paid = CLAIMS[:10]
    for name, amount in paid:
        page.locator("form.payrows").get_by_label(name, exact=True).fill(str(amount))
    page.locator("form.payrows").get_by_label(zh("Note")).fill("企业春节前兑付")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Record the payments")).click()
    expect(flash(page)).to_contain_text(zh("Payments recorded."))
    recovered = sum(Decimal(amount) for _name, amount in paid)
    expect(page.get_by_test_id("recovered")).to_have_text(f"{recovered:,.2f}")
    screenshot(page, "agency-matter")

    # 4. The village ledger shows every claim and the total recovered.
    page.get_by_role("link", name=zh("Village ledger")).click()
    expect(page.locator("main h1")).to_have_text(f"{zh('Agency ledger')} · 和平村")
    expect(page.locator("#ledger-claims tbody tr")).to_have_count(len(CLAIMS))
    expect(page.get_by_test_id("ledger-recovered")).to_have_text(f"{recovered:,.2f}")
    screenshot(page, "agency-ledger")

    # The same ledger on the street officer's phone: one block per claim, nothing sideways.
    phone = new_page(phone=True)
    login(phone, "town2")
    phone.goto(f"/agency/ledger/?unit={seed.unit(seed.HEPING).pk}")
    expect(phone.get_by_test_id("ledger-recovered")).to_have_text(f"{recovered:,.2f}")
    assert sideways_overflow(phone) <= 0
    screenshot(phone, "agency-ledger-phone")
