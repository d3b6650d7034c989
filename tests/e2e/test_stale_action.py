"""Two people on the same petition page: the one who sends second gets the conflict, not a lost note."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import seed
from .support import choose, flash, login, zh

NOTE = "小区管网属住建部门监管，请住建局牵头核查，人社局配合。"


def test_a_stale_action_form_shows_the_conflict_and_keeps_the_note(page: Page, new_page, demo_data) -> None:
    petition = seed.walk_in(by="town", subject="南屏苑小区雨污管道堵塞", seed=21)
    rsj, zjj = seed.unit(seed.JINAN_RSJ).name, seed.unit(seed.JINAN_ZJJ).name

    # The county officer opens the petition and starts writing a forwarding note …
    county = page
    login(county, "county")
    county.goto(f"/petitions/{petition.pk}/")
    forward = county.locator("#act-forward")
    forward.locator("summary").click()
    choose(forward.get_by_label(zh("Send to")), zjj)
    forward.get_by_label(zh("Note")).fill(NOTE)

    # … while the town officer, on the same petition, forwards it to 人社局 first.
    town = new_page()
    login(town, "town")
    town.goto(f"/petitions/{petition.pk}/")
    town_forward = town.locator("#act-forward")
    town_forward.locator("summary").click()
    choose(town_forward.get_by_label(zh("Send to")), rsj)
    with town.expect_navigation():
        town_forward.get_by_role("button", name=zh("Forward"), exact=True).click()
    expect(flash(town)).to_contain_text(zh("Forward"))

    # The county officer sends the page drawn before that change.
    with county.expect_navigation():
        forward.get_by_role("button", name=zh("Forward"), exact=True).click()
    conflict = zh(
        "Someone else changed this petition a moment ago. Reload the page to see the change, then try again."
    )
    forward = county.locator("#act-forward")
    expect(forward).to_have_attribute("open", "")
    expect(forward.locator(".formerrors")).to_have_text(conflict)
    expect(forward.get_by_label(zh("Note"))).to_have_value(NOTE)
    county.bring_to_front()  # the town officer's window was the active one
    expect(forward.get_by_label(zh("Send to"))).to_be_focused()  # the sent form's first field
    expect(forward.get_by_label(zh("Send to")).locator("option:checked")).to_have_text(zjj)
    expect(flash(county)).to_have_count(0)
    # The page now shows where the matter really is; nothing of the county's attempt was applied.
    expect(county.locator(".pethead .state")).to_have_text(zh("Forwarded"))
    expect(county.locator(".pethead-meta")).to_contain_text(rsj)
    petition.refresh_from_db()
    assert petition.current_unit.code == seed.JINAN_RSJ
    assert petition.events.filter(action="forward").count() == 1
