"""The article's case in the browser, each step by its own person: 庙南社区 brings its villager groups'
irrigation-canal petitions to the 杨庙镇 joint conference; the secretariat puts them on a meeting, records
it and writes the decision (a town livelihood project, about 600 m, 400+ people); the convenor approves
the minutes; the town reports the work done with evidence; the community's cadre issues the replies
from the decision page, one click per step, and the petitions are replied.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils import timezone
from docx import Document as DocxDocument
from playwright.sync_api import Page, expect

from xinfang.conferences.demo import CANAL_MEASURES, CANAL_REASONS, CANAL_RESULT, CANAL_STATEMENT, CANAL_TITLE
from xinfang.conferences.models import Decision, DecisionStatus
from xinfang.petitions.models import Petition
from xinfang.petitions.states import State

from . import conference_seed
from .support import choose, flash, login, screenshot, sideways_overflow, zh


def open_conference(page: Page, name: str) -> None:
    page.locator("header .mainnav").get_by_role("link", name=zh("Conferences"), exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("main h1")).to_have_text(name)


def labelled(scope: Any, label: str) -> Any:
    """The field labelled ``label``; a required field's label ends with a star."""
    return scope.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"(\s*\*)?\s*$"))


def open_action(page: Page, summary: str):
    section = page.locator("details.cf-action", has=page.locator("summary", has_text=summary))
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    return section


def test_the_miaonan_canal_goes_from_the_petitions_to_the_replies(
    page: Page, new_page, demo_data, tmp_path
) -> None:
    town = conference_seed.conferences()["ym"]
    petitions = conference_seed.canal_petitions()
    numbers = [p.number for p in petitions]

    # 1. The community's cadre brings both petitions to the town conference as one common issue.
    cadre = page
    login(cadre, "cadre_mn")
    open_conference(cadre, town.name)
    cadre.get_by_role("link", name=zh("Propose an item")).click()
    labelled(cadre, zh("Several petitions on one matter")).check()
    cadre.get_by_role("textbox", name=zh("Title"), exact=True).fill(CANAL_TITLE)
    labelled(cadre, zh("Why one unit cannot solve it alone")).fill(CANAL_REASONS)
    for number in numbers:
        cadre.get_by_label(re.compile(re.escape(number))).check()
    with cadre.expect_navigation():
        cadre.get_by_role("button", name=zh("Propose"), exact=True).click()
    expect(flash(cadre)).to_have_text(zh("The item is sent to the conference's secretariat."))
    expect(cadre.locator(".pethead .cf-status")).to_have_text(zh("Proposed"))

    # 2. The secretariat sees it waiting, calls a meeting for today and puts the item on it.
    secretary = new_page()
    login(secretary, "town_ym")
    waiting = secretary.locator("#conference-tasks a.queue", has_text=zh("Items to accept"))
    expect(waiting.locator(".queue-count")).to_have_text("1")
    open_conference(secretary, town.name)
    screenshot(secretary, "conferences-detail")
    secretary.get_by_role("link", name=zh("Call a meeting")).click()
    labelled(secretary, zh("Date")).fill(timezone.localdate().isoformat())
    labelled(secretary, zh("Time")).fill("00:05")
    labelled(secretary, zh("Topic")).fill("研究庙南社区农业用水问题")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name=zh("Call the meeting"), exact=True).click()
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Members notified"))
    meeting_url = secretary.url
    open_conference(secretary, town.name)
    secretary.locator("#agenda").get_by_role("link", name=CANAL_TITLE).click()
    accept = open_action(secretary, zh("Accept on the agenda"))
    labelled(accept, zh("Put on the meeting")).select_option(index=1)
    labelled(accept, zh("Order on the agenda")).fill("1")
    with secretary.expect_navigation():
        accept.get_by_role("button", name=zh("Accept on the agenda")).click()
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Accepted on the agenda"))

    # 3. After the meeting: attendance (one unit absent, with its reason), the minutes, the decision.
    secretary.goto(meeting_url)
    hold = open_action(secretary, zh("Record the meeting as held"))
    rows = hold.locator("table.cf-attendance tbody tr")
    for index in range(rows.count()):
        row = rows.nth(index)
        if "纪委" in row.locator("th").inner_text():
            row.locator("select").select_option("absent")
            row.locator("input[name^=reason_]").fill("参加县纪委业务培训")
        else:
            row.locator("input[name^=attendee_]").fill("负责同志")
    with secretary.expect_navigation():
        hold.get_by_role("button", name=zh("Record as held")).click()
    expect(flash(secretary)).to_have_text(zh("The meeting is recorded as held. Write its minutes."))
    minutes_form = open_action(secretary, zh("Write the minutes"))
    labelled(minutes_form, zh("Summary of the meeting")).fill(
        "会议听取了庙南社区关于灌溉支渠损坏问题的汇报。"
    )
    with secretary.expect_navigation():
        minutes_form.get_by_role("button", name=zh("Save the draft minutes")).click()
    decision_form = open_action(secretary, zh("Write the decision"))
    labelled(decision_form, zh("What the conference decided")).fill(CANAL_STATEMENT)
    labelled(decision_form, zh("Measures")).fill(CANAL_MEASURES)
    choose(labelled(decision_form, zh("Lead unit")), "杨庙镇")
    cooperating = [str(demo_data.unit(code).pk) for code in ("ah-hf-cf-ym-nyb", "ah-hf-cf-ym-mn")]
    labelled(decision_form, zh("Cooperating units")).select_option(cooperating)
    labelled(decision_form, zh("Funding")).select_option(label=zh("Livelihood project"))
    labelled(decision_form, zh("Budget line or project")).fill("杨庙镇民生工程（农田水利）")
    due = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year + 1).isoformat()
    labelled(decision_form, zh("Due on")).fill(due)
    with secretary.expect_navigation():
        decision_form.get_by_role("button", name=zh("Save the decision")).click()
    expect(flash(secretary)).to_have_text(zh("The decision is written into the draft minutes."))
    expect(secretary.get_by_text(zh("Waiting for a convenor's approval."))).to_be_visible()
    minutes_url = secretary.url.split("#")[0]

    # 4. The convenor approves; the minutes download as a Word document in the usual format.
    convenor = new_page()
    login(convenor, "leader_ym")
    convenor.goto(minutes_url)
    with convenor.expect_navigation():
        convenor.get_by_role("button", name=zh("Approve the minutes")).click()
    expect(flash(convenor)).to_have_text(zh("The minutes are approved: their decisions now bind."))
    number = Decision.objects.get().minutes.number
    expect(convenor.locator("main h1")).to_contain_text(number)
    screenshot(convenor, "conferences-minutes")
    with convenor.expect_download() as download_info:
        convenor.get_by_role("link", name=zh("Download Word")).click()
    target = tmp_path / "minutes.docx"
    download_info.value.save_as(target)
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(target.read_bytes())).paragraphs)
    for part in (f"{town.name}纪要", number, "缺席：", "参加县纪委业务培训", "列入民生工程", "分送："):
        assert part in text, part

    # 5. The town leads the work: it finds the task on its workbench and reports it done with evidence.
    secretary.goto("/")
    lead = secretary.locator("#conference-tasks a.queue", has_text=zh("Decisions to carry out"))
    expect(lead.locator(".queue-count")).to_have_text("1")
    screenshot(secretary, "conferences-workbench")
    lead.click()
    secretary.get_by_role("link", name=CANAL_STATEMENT).click()
    complete = open_action(secretary, zh("Report the decision carried out"))
    labelled(complete, zh("What was done")).fill(CANAL_RESULT)
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% acceptance report\n")
    labelled(complete, zh("Evidence (acceptance report, photos, payment records)")).set_input_files(evidence)
    with secretary.expect_navigation():
        complete.get_by_role("button", name=zh("Carried out")).click()
    expect(secretary.locator(".pethead .cf-status")).to_have_text(zh("Done"))
    assert Decision.objects.get().status == DecisionStatus.DONE

    # 6. The community's cadre is told and gives each written reply from the decision's result.
    cadre.goto("/")
    reminder = cadre.locator(".reminders .reminder", has_text=numbers[0])
    expect(reminder.first).to_be_visible()
    cadre.goto(secretary.url)
    for petition in petitions:
        row = cadre.locator(f"#reply-{petition.pk}")
        with cadre.expect_navigation():
            row.get_by_role("button", name=zh("Issue the written reply from this decision")).click()
        row = cadre.locator(f"#reply-{petition.pk}")
        with cadre.expect_navigation():
            row.get_by_role("button", name=zh("Record the reply as delivered today")).click()
    for petition in Petition.objects.filter(pk__in=[p.pk for p in petitions]):
        assert petition.state == State.REPLIED, petition.state
        assert "600" in petition.opinions.get().facts_found
    expect(cadre.locator("#petitions .state").first).to_have_text(zh("Replied, awaiting evaluation"))
    screenshot(cadre, "conferences-decision")


def test_the_decision_page_fits_a_phone(phone_page: Page, demo_data) -> None:
    from xinfang.conferences.tests.helpers import decided

    town = conference_seed.conferences()["ym"]
    case = decided(town)
    login(phone_page, "cadre_mn")
    phone_page.goto(f"/conferences/decisions/{case.decision.pk}/")
    expect(phone_page.locator("main h1")).to_have_text(case.item.title)
    overflow = sideways_overflow(phone_page)
    assert overflow <= 0, f"the decision page scrolls sideways by {overflow}px on a 390px phone"
    phone_page.goto(f"/conferences/{town.pk}/")
    overflow = sideways_overflow(phone_page)
    assert overflow <= 0, f"the conference page scrolls sideways by {overflow}px on a 390px phone"
    screenshot(phone_page, "conferences-phone")
