"""Log-in in a real browser: Chinese by default, every demo login works, errors keep what was typed."""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from xinfang.accounts.demo import DEMO_USERS

from .support import (
    HOME_PATH,
    LOGIN_PATH,
    UNITS_PATH,
    en,
    login,
    screenshot,
    submit_login_form,
    zh,
    zh_catalog_is_compiled,
)


def _path(page: Page) -> str:
    return urlparse(page.url).path


def test_login_page_is_chinese_and_demo_logins_work(page: Page, demo_data) -> None:
    page.goto(LOGIN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_have_text(zh("Log in"))
    expect(page.locator("header button[name=language][value=zh-hans]")).to_be_disabled()
    if not zh_catalog_is_compiled():
        warnings.warn(
            "locale/zh_Hans has no compiled catalog: pages say zh-hans but show the English msgids",
            stacklevel=1,
        )
    screenshot(page, "login")

    # The published demo logins (``make demo`` prints them); the extra staff logins are built too.
    published = [username for username, *_ in DEMO_USERS]
    assert set(published) <= set(demo_data.usernames), "demo_data must build every DEMO_USERS login"
    for username, full_name, unit_code, _role, _title in DEMO_USERS:
        login(page, username)
        assert _path(page) == HOME_PATH, f"{username} landed on {page.url}"
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("main h1")).to_have_text(zh("Workbench"))
        expect(page.locator("header .who")).to_have_text(full_name)
        expect(page.locator("main table tbody")).to_contain_text(demo_data.unit(unit_code).name)
        page.context.clear_cookies()


def test_wrong_password_shows_error_and_keeps_username(page: Page) -> None:
    submit_login_form(page, "town", "not-the-demo-password")

    assert _path(page) == LOGIN_PATH
    expect(page.locator("main [role=alert]")).to_have_text(
        zh("The user name or password is wrong. Accounts are locked after repeated failures.")
    )
    expect(page.locator("#id_username")).to_have_value("town")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("header .who")).to_have_count(0)


def test_language_switch_to_english_and_back(page: Page) -> None:
    html = page.locator("html")
    heading = page.locator("main h1")
    login(page, "town")

    with page.expect_navigation():
        page.locator("header button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(en("Workbench"))
    expect(page.locator("header button[name=language][value=en]")).to_be_disabled()
    assert _path(page) == HOME_PATH, "the switch should come back to the page it was made on"

    page.goto(UNITS_PATH)  # the choice sticks for the next pages
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(en("Units"))

    with page.expect_navigation():
        page.locator("header button[name=language][value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text(zh("Units"))
    expect(page).to_have_url(re.compile(re.escape(UNITS_PATH) + "$"))
