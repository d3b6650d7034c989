"""What the town cannot solve goes up, in the browser: 杨庙镇 escalates the drainage station to the 长丰县
joint conference with its request document; the county secretariat takes it on the agenda; the county
convenor approves the minutes; the town follows the progress and finds its item bound by the county's
decision. The county leader's dashboard shows the conference coverage of 长丰县 and the list behind it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from xinfang.conferences.models import AgendaItem, ItemStatus

from . import conference_seed
from .support import DASHBOARD_PATH, flash, login, screenshot, zh, zh_pattern

TITLE = "庙南社区排涝站更新改造"


def test_the_drainage_station_goes_to_the_county_and_its_decision_comes_back(
    page: Page, new_page, demo_data, tmp_path
) -> None:
    conferences = conference_seed.conferences()
    town, county = conferences["ym"], conferences["cf"]
    item = conference_seed.accepted_item(town, conference_seed.drainage_petition(), TITLE)
    conference_seed.town_meeting_today(town)

    # 1. The town's secretariat escalates it with the reason and its request document.
    secretary = page
    login(secretary, "town_ym")
    secretary.goto(f"/conferences/items/{item.pk}/")
    escalate = secretary.locator("#act-escalate")
    escalate.locator("summary").click()
    escalate.get_by_label(zh("Why this level cannot solve it")).fill(
        "需资金约180万元，超出镇级财力，且须纳入县级水利规划。"
    )
    request = tmp_path / "杨庙镇关于庙南社区排涝站更新改造的请示.pdf"
    request.write_bytes(b"%PDF-1.4\n% request\n")
    escalate.get_by_label(zh("Documents (report, materials)")).set_input_files(request)
    with secretary.expect_navigation():
        escalate.get_by_role("button", name=zh("Escalate"), exact=True).click()
    expect(flash(secretary)).to_have_text(zh("The item is escalated to the next conference."))
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Escalated to the next level"))

    # 2. The county's secretariat finds it waiting and takes it on its agenda.
    county_secretary = new_page()
    login(county_secretary, "county_cf")
    waiting = county_secretary.locator("#conference-tasks a.queue", has_text=zh("Items to accept"))
    expect(waiting.locator(".queue-count")).to_have_text("1")
    county_secretary.goto(f"/conferences/{county.pk}/")
    county_secretary.locator("#agenda").get_by_role("link", name=TITLE).click()
    expect(county_secretary.locator(".pethead .tag")).to_have_text(zh("Escalated from a lower conference"))
    accept = county_secretary.locator("#act-accept")
    accept.locator("summary").click()
    with county_secretary.expect_navigation():
        accept.get_by_role("button", name=zh("Accept on the agenda")).click()
    expect(flash(county_secretary)).to_have_text(zh("The item is on the agenda."))

    # The county meets and drafts its decision (not what this test is about), then the convenor signs.
    upper = AgendaItem.objects.get(escalated_from__from_item=item)
    minutes, decision = conference_seed.county_decides(upper)
    convenor = new_page()
    login(convenor, "leader_cf")
    convenor.goto(f"/conferences/minutes/{minutes.pk}/")
    with convenor.expect_navigation():
        convenor.get_by_role("button", name=zh("Approve the minutes")).click()
    expect(flash(convenor)).to_have_text(zh("The minutes are approved: their decisions now bind."))

    # 3. The town follows it: decided above, the county's decision binds its item.
    secretary.goto(f"/conferences/{town.pk}/")
    secretary.get_by_role("link", name=TITLE).first.click()
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Decided above"))
    escalation_page = secretary.locator("main")
    expect(escalation_page).to_contain_text(decision.statement)
    expect(escalation_page).to_contain_text("长丰县水利局")
    expect(escalation_page).to_contain_text(zh("Decided above: the decision binds the item below"))
    screenshot(secretary, "conferences-escalation")
    secretary.get_by_role("link", name=zh("The item below")).click()
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Decided by the upper conference"))
    expect(secretary.locator("main")).to_contain_text(zh("Bound by the upper conference's decision"))
    item.refresh_from_db()
    assert item.status == ItemStatus.DECIDED_ABOVE and item.binding_decision_id == decision.pk

    # 4. The county leader's dashboard: 杨庙镇 met today, 水湖镇 has no conference: 1 of 2 towns.
    convenor.goto(DASHBOARD_PATH)
    card = convenor.locator("#conference-coverage")
    expect(card.locator(".dash-big")).to_have_text("50.0%")
    expect(card.locator(".dash-frac")).to_have_text(
        zh_pattern("%(n)s of %(total)s towns and streets have an active conference")
    )
    card.locator(".dash-big a").click()
    expect(convenor.locator("#definition")).to_be_visible()
    county_row = convenor.locator(f"#area-{county.area_id}")
    active = re.compile("^" + re.escape(zh("active conference")) + "$")
    expect(county_row.locator(".cf-status", has_text=active)).to_have_count(1)
    expect(county_row).to_contain_text("水湖镇")
    screenshot(convenor, "conferences-coverage")
