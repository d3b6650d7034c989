"""One petition from the reception desk to the petitioner's rating, each step by its own person in
its own browser, and the leader's dashboard before and after.

The chain stays inside 金安区 so that the demo leader (陈区领导, 金安区) sees it: the 望城街道 officer
registers a walk-in about 南屏苑社区, the 金安区信访局 officer forwards it to 金安区人社局, whose handler
accepts, investigates, issues the opinion and delivers the reply; the petitioner tracks it on the
portal with the number and query code read from the registration message and rates it 满意.
The village cadre's desk (和平村) is in 叶集区, outside the leader's view, hence the town desk here.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from xinfang.petitions.models import Petition
from xinfang.petitions.states import Rating

from . import seed
from .support import (
    PORTAL_PATH,
    choose,
    flash,
    kpi,
    login,
    open_dashboard_for,
    screenshot,
    wait_for_charts,
    zh,
    zh_pattern,
    zh_values,
)

SUBJECT = "南屏苑二期地下车库长期积水"
REQUEST = "请求查明积水原因，修复排水设施并清理车库"
FACTS_FOUND = "经现场核查，车库集水井排水泵损坏，物业未及时维修。"
REPLY_TEXT = "已督促物业公司更换排水泵，车库积水已于本周清理完毕。"


def figures(page: Page) -> dict[str, tuple[str, str]]:
    """(big figure, "numerator … / denominator …") of satisfaction and participation, as shown."""
    result = {}
    for key, label in (
        ("satisfaction", zh("Satisfaction")),
        ("participation", zh("Evaluation participation")),
    ):
        card = kpi(page, label)
        result[key] = (card.locator(".dash-big").inner_text().strip(), _squash(card.locator(".dash-frac")))
    return result


def _squash(locator: Locator) -> str:
    return " ".join(locator.inner_text().split())


def open_from_queue(page: Page, queue_label: str, number: str) -> None:
    """Workbench → a work queue → the petition, as staff find their work."""
    page.locator("header .mainnav").get_by_role("link", name=zh("Workbench")).click()
    queue = page.locator("a.queue", has_text=queue_label)
    expect(queue.locator(".queue-count")).to_have_text("1")
    queue.click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.locator(".pethead .mono")).to_have_text(number)


def act(page: Page, action: str) -> Locator:
    """Open the action form ``#act-<action>`` of the petition page and return it."""
    section = page.locator(f"#act-{action}")
    section.locator("summary").click()
    expect(section.locator("form")).to_be_visible()
    return section


def send(page: Page, form: Locator, label: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()
    expect(flash(page)).to_contain_text(label)


def test_cadre_registers_a_walk_in_handler_replies_citizen_rates_and_leader_sees_the_figure_change(
    page: Page, new_page, demo_data
) -> None:
    # Before: one earlier matter of 金安区, replied and rated 不满意 today (a precondition only).
    earlier = seed.reply(seed.accept(seed.forward(seed.walk_in(subject="楼道照明损坏", seed=91))))
    seed.rate(earlier, Rating.DISSATISFIED)

    # The leader opens the dashboard for a period holding the evaluation windows that end in the
    # coming weeks: a rated matter is dated by the last day of its 15-day window, not by the rating,
    # so "this month" would miss a rating given in the second half of a month.
    today = timezone.localdate()
    leader = page
    login(leader, "leader")
    open_dashboard_for(leader, today, today + dt.timedelta(days=45))
    before = figures(leader)
    assert before["satisfaction"][0] == "0.0%", before
    assert before["participation"][0] == "100.0%", before

    # 1. The 望城街道 desk registers a walk-in with the keyboard only: labelled fields, Tab, Enter.
    town = new_page()
    login(town, "town")
    town.locator("header .mainnav").get_by_role("link", name=zh("Register")).click()
    expect(town.locator("main h1")).to_have_text(zh("Register a petition"))
    expect(town.get_by_label(zh("Channel"))).to_be_focused()  # autofocus: the desk starts typing at once
    expect(town.get_by_label(zh("Channel"))).to_have_value("visit")
    town.get_by_label(zh("Petitioner's name")).focus()
    town.keyboard.type("钱某某")
    town.keyboard.press("Tab")
    town.keyboard.type(seed.valid_id(7))
    town.keyboard.press("Tab")
    town.keyboard.type("13855027777")
    town.keyboard.press("Tab")
    town.keyboard.type("六安市金安区望城街道南屏苑二期3栋")
    expect(town.locator("#duplicates")).to_have_text(
        zh("No earlier petition of this person is known to you.")
    )
    town.get_by_label(zh("Place of the problem")).focus()
    town.keyboard.type("南屏苑社区")
    for _ in range(3):  # category, type (both optional), then the subject
        town.keyboard.press("Tab")
    expect(town.get_by_role("textbox", name=zh("Subject"), exact=True)).to_be_focused()
    town.keyboard.type(SUBJECT)
    town.keyboard.press("Tab")
    town.keyboard.type(REQUEST)
    town.wait_for_load_state("networkidle")
    screenshot(town, "intake")
    town.keyboard.press("Shift+Tab")  # back to the one-line subject: Enter there sends the form
    with town.expect_navigation():
        town.keyboard.press("Enter")

    registered = "Registered as %(number)s. Query code for the petitioner: %(code)s"
    expect(flash(town)).to_have_text(zh_pattern(registered))
    keys = zh_values(registered, flash(town).inner_text())
    number, code = keys["number"], keys["code"]
    petition = Petition.objects.get(number=number)
    assert petition.query_code == code
    assert (petition.subject, petition.place.code, petition.channel) == (SUBJECT, seed.NANPINGYUAN, "visit")
    expect(town.locator("main h1")).to_have_text(SUBJECT)
    expect(town.locator(".pethead .state")).to_have_text(zh("Registered"))

    # 2. The 金安区信访局 officer forwards it to 金安区人社局.
    county = new_page()
    login(county, "county")
    open_from_queue(county, zh("To accept or route"), number)
    forward = act(county, "forward")
    choose(forward.get_by_label(zh("Send to")), seed.unit(seed.JINAN_RSJ).name)
    forward.get_by_label(zh("Note")).fill("请人社局核查处理")
    send(county, forward, zh("Forward"))
    expect(county.locator(".pethead-meta")).to_contain_text(seed.unit(seed.JINAN_RSJ).name)

    # 3. The 人社局 handler accepts, starts investigating, issues the opinion and delivers the reply.
    handler = new_page()
    login(handler, "handler")
    open_from_queue(handler, zh("To accept or route"), number)
    accept = act(handler, "accept")
    accept.get_by_role("combobox", name=zh("Type"), exact=True).select_option(
        label=zh("Grievances and requests")
    )
    expect(accept.get_by_label(zh("Acceptance notice sent on"))).to_have_value(today.isoformat())
    send(handler, accept, zh("Accept"))
    send(handler, handler.locator("#act-start_handling"), zh("Investigate and verify"))
    expect(handler.locator(".pethead .state")).to_have_text(zh("In handling"))
    expect(handler.locator(".clocks")).to_contain_text(zh("Handling (from acceptance)"))
    expect(handler.locator("#timeline li").last).to_contain_text(zh("Investigate and verify"))
    screenshot(handler, "petition")

    opinion = act(handler, "issue_opinion")
    opinion.get_by_role("combobox", name=zh("Decision"), exact=True).select_option(label=zh("Supported"))
    opinion.get_by_label(zh("Facts found")).fill(FACTS_FOUND)
    opinion.get_by_role("textbox", name=zh("Reasons"), exact=True).fill(
        "物业服务合同约定由物业负责排水设施维护。"
    )
    opinion.get_by_label(zh("Legal basis")).fill("《物业管理条例》第三十五条")
    send(handler, opinion, zh("Issue the handling opinion"))
    deliver = act(handler, "deliver_reply")
    deliver.get_by_role("combobox", name=zh("Delivered"), exact=True).select_option(label=zh("In person"))
    deliver.get_by_label(zh("Reply (required for suggestions and duty performance)")).fill(REPLY_TEXT)
    send(handler, deliver, zh("Deliver the written reply"))
    expect(handler.locator(".pethead .state")).to_have_text(zh("Replied, awaiting evaluation"))

    # 4. The petitioner tracks it on the portal with number and query code, reads the reply, rates it.
    citizen = new_page()
    citizen.goto(PORTAL_PATH)
    citizen.locator(".portal-choices").get_by_role("link", name=zh("Track my petition")).click()
    citizen.get_by_label(zh("Petition number")).fill(number)
    citizen.get_by_label(zh("Query code")).fill(code)
    with citizen.expect_navigation():
        citizen.get_by_label(zh("Query code")).press("Enter")
    expect(citizen.locator("main h1")).to_have_text(SUBJECT)
    reply = citizen.locator("section", has=citizen.get_by_role("heading", name=zh("The written reply")))
    expect(reply).to_contain_text(FACTS_FOUND)
    expect(reply).to_contain_text(REPLY_TEXT)
    expect(citizen.locator("#rate")).to_be_visible()
    screenshot(citizen, "portal-case")
    citizen.locator("#rate").get_by_role("radio", name=zh("Satisfied"), exact=True).check()
    with citizen.expect_navigation():
        citizen.get_by_role("button", name=zh("Send my rating")).click()
    expect(citizen.locator("main .messages")).to_contain_text(zh("Thank you. Your rating has been recorded."))
    expect(citizen.locator("#rate")).to_have_count(0)
    assert petition.evaluations.get().rating == Rating.SATISFIED

    # 5. The leader's dashboard, loaded again, counts the rating.
    leader.reload()
    wait_for_charts(leader)
    after = figures(leader)
    assert after["satisfaction"][0] == "50.0%", (before, after)
    assert after["participation"][0] == "100.0%", (before, after)
    assert after["participation"][1] != before["participation"][1]
    assert after["satisfaction"][1].startswith("1 "), after
    assert after["participation"][1].startswith("2 "), after
