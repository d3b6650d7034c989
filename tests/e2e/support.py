"""Helpers shared by the browser tests: logging in, screenshots for the docs, expected wording."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from playwright.sync_api import Page, expect

from xinfang.accounts.demo import DEMO_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "docs" / "screenshots"
FAILURE_DIR = REPO_ROOT / "test-results"

LOGIN_PATH = "/accounts/login/"
HOME_PATH = "/"
UNITS_PATH = "/units/"


def text_in(language: str, message: str) -> str:
    """What the server renders for ``message`` in ``language`` (the msgid itself while uncompiled)."""
    with translation.override(language):
        return translation.gettext(message)


def zh(message: str) -> str:
    return text_in("zh-hans", message)


def en(message: str) -> str:
    return text_in("en", message)


def zh_catalog_is_compiled() -> bool:
    """True once locale/zh_Hans carries a compiled catalog that translates the workbench."""
    return zh("Workbench") != "Workbench"


def submit_login_form(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the log-in page, type the credentials and submit; whatever happens next is the caller's."""
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form as a demo user and wait until the log-in page is left behind."""
    submit_login_form(page, username, password)
    expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))
    expect(page.locator("header .who")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG to docs/screenshots/<name>.png once web fonts and layout have settled."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
