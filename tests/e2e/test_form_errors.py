"""A form sent with a wrong ID number comes back with the translated error beside the field and
everything typed still there: the staff intake form and the citizen portal's submit form."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from xinfang.petitions.models import Petition

from .support import PORTAL_PATH, login, screenshot, zh

# 17 digits of a plausible number (金安区, born 1980-01-01) with a wrong check character (X is right).
BAD_ID = "341502198001010010"
CHECK_DIGIT_ERROR = "The last character of this ID number does not match the others; please check for a typo."


def field_of(page: Page, control: Locator) -> Locator:
    """The ``.field`` block holding a form control: its label, the control, its error and help."""
    return page.locator(".field").filter(has=control)


def test_a_form_with_bad_input_shows_the_error_and_keeps_what_was_typed(
    page: Page, new_page, demo_data
) -> None:
    # Staff intake, typed as at the desk.
    login(page, "town")
    page.locator("header .mainnav").get_by_role("link", name=zh("Register")).click()
    page.get_by_label(zh("Petitioner's name")).fill("孙某某")
    id_number = page.get_by_label(zh("ID number"))
    id_number.fill(BAD_ID)
    page.get_by_label(zh("Place of the problem")).fill("民主社区")
    subject = page.get_by_role("textbox", name=zh("Subject"), exact=True)
    request = page.get_by_role("textbox", name=zh("Request"), exact=True)
    request.fill("请求协调物业公司退还多收的停车费")
    subject.fill("物业多收停车费")
    with page.expect_navigation():
        subject.press("Enter")

    expect(page.locator("main h1")).to_have_text(zh("Register a petition"))
    expect(page.locator("form.intake .formerrors")).to_contain_text(
        zh("Please correct the marked fields. Everything you typed is kept.")
    )
    beside = field_of(page, id_number)
    expect(beside).to_have_class(re.compile(r"\bhas-error\b"))
    expect(beside.locator(".error")).to_have_text(zh(CHECK_DIGIT_ERROR))
    expect(page.locator(".field.has-error")).to_have_count(1)  # nothing else was wrong
    expect(id_number).to_be_focused()  # the desk can retype at once
    expect(id_number).to_have_value(BAD_ID)
    expect(page.get_by_label(zh("Petitioner's name"))).to_have_value("孙某某")
    expect(page.get_by_label(zh("Place of the problem"))).to_have_value("民主社区")
    expect(subject).to_have_value("物业多收停车费")
    expect(request).to_have_value("请求协调物业公司退还多收的停车费")
    assert not Petition.objects.exists()

    # The citizen portal's submit form, with the places chosen from the dependent lists.
    citizen = new_page()
    citizen.goto(PORTAL_PATH)
    expect(citizen.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(citizen, "portal-home")
    citizen.locator(".portal-choices").get_by_role("link", name=zh("Submit a petition")).click()
    expect(citizen.locator("main h1")).to_have_text(zh("Submit a petition"))
    screenshot(citizen, "portal-submit")

    citizen.get_by_label(zh("Your name")).fill("孙某某")
    portal_id = citizen.get_by_label(zh("ID number"))
    portal_id.fill(BAD_ID)
    citizen.get_by_label(zh("Phone")).fill("13855021234")
    citizen.get_by_label(zh("Address")).fill("六安市金安区望城街道民主社区5栋")
    citizen.get_by_label(zh("County or district")).select_option(label="金安区")
    town = citizen.get_by_label(zh("Town or street"))
    expect(town.locator("option", has_text="望城街道")).to_be_attached()  # filled from /portal/places/
    town.select_option(label="望城街道")
    village = citizen.get_by_label(zh("Village or community"))
    expect(village.locator("option", has_text="民主社区")).to_be_attached()
    village.select_option(label="民主社区")
    citizen.get_by_role("textbox", name=zh("Subject")).fill("物业多收停车费")
    citizen.get_by_label(zh("What you ask for")).fill("请求协调物业公司退还多收的停车费")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name=zh("Submit the petition")).click()

    summary = citizen.locator("#error-summary")
    expect(summary).to_be_focused()  # read out first by a screen reader
    expect(summary).to_contain_text(zh(CHECK_DIGIT_ERROR))
    expect(summary.get_by_role("link", name=zh("ID number"))).to_have_attribute("href", "#id_id_number")
    beside = field_of(citizen, portal_id)
    expect(beside.locator(".error")).to_have_text(zh(CHECK_DIGIT_ERROR))
    # A screen reader announces the error with the field (aria-describedby names the error block).
    expect(portal_id).to_have_attribute("aria-invalid", "true")
    expect(portal_id).to_have_accessible_description(re.compile(re.escape(zh(CHECK_DIGIT_ERROR))))
    expect(citizen.locator(".field.has-error")).to_have_count(1)
    expect(portal_id).to_have_value(BAD_ID)
    expect(citizen.get_by_label(zh("Your name"))).to_have_value("孙某某")
    expect(citizen.get_by_role("textbox", name=zh("Subject"))).to_have_value("物业多收停车费")
    expect(citizen.get_by_label(zh("What you ask for"))).to_have_value("请求协调物业公司退还多收的停车费")
    for label, name in (
        ("County or district", "金安区"),
        ("Town or street", "望城街道"),
        ("Village or community", "民主社区"),
    ):
        chosen = citizen.get_by_label(zh(label)).locator("option:checked")
        expect(chosen).to_have_text(name)
    assert not Petition.objects.exists()


def test_enter_in_a_portal_field_sends_the_petition_form(page: Page, demo_data) -> None:
    page.goto(f"{PORTAL_PATH}submit/")
    name = page.get_by_label(zh("Your name"))
    name.fill("孙某某")
    with page.expect_navigation():
        name.press("Enter")
    # Sent for checking, the incomplete form comes back with its error summary.
    expect(page.locator("#error-summary")).to_be_visible(timeout=1_000)
