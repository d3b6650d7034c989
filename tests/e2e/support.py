"""Helpers shared by the browser tests: logging in, screenshots for the docs, expected wording."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from xinfang.accounts.demo import DEMO_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "docs" / "screenshots"
FAILURE_DIR = REPO_ROOT / "test-results"

LOGIN_PATH = "/accounts/login/"
HOME_PATH = "/"
UNITS_PATH = "/units/"
PETITIONS_PATH = "/petitions/"
INTAKE_PATH = "/petitions/new/"
DASHBOARD_PATH = "/dashboard/"
PORTAL_PATH = "/portal/"


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


def zh_ctx(context: str, message: str) -> str:
    """``pgettext``: a message whose translation depends on its context."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, message)


def zh_pattern(message: str) -> re.Pattern[str]:
    """The zh-Hans rendering of a message with ``%(name)s`` placeholders, each an unnamed group
    (Playwright hands the pattern to JavaScript, which knows no ``(?P<name>…)``)."""
    parts = re.split(r"%\(\w+\)[sd]", zh(message))
    return re.compile("^" + r"(\S+?)".join(re.escape(part) for part in parts) + "$")


def zh_values(message: str, text: str) -> dict[str, str]:
    """The values that filled the placeholders of ``message`` in the zh-Hans ``text``."""
    names = re.findall(r"%\((\w+)\)[sd]", message)
    found = zh_pattern(message).match(text.strip())
    assert found is not None, f"{text!r} is not {zh(message)!r}"
    return dict(zip(names, found.groups(), strict=True))


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


def choose(select: Locator, text: str) -> None:
    """Pick the option of a ``<select>`` whose text is ``text`` once indentation is stripped.

    Unit lists indent their options with ideographic spaces (U+3000) to draw the tree, which an exact
    label match would have to repeat.
    """
    expect(select).to_be_enabled()
    options = select.locator("option")
    texts = [t.strip().strip("\u3000") for t in options.all_inner_texts()]
    assert text in texts, f"no option {text!r} in {texts}"
    select.select_option(index=texts.index(text))


def flash(page: Page) -> Locator:
    """The success messages shown at the top of the page after a form was sent."""
    return page.locator("main .messages li.success")


def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the page scrolls sideways (0 or less: it fits the viewport)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def kpi(page: Page, label: str) -> Locator:
    """One headline indicator of the dashboard, found by its heading."""
    return page.locator(".dash-kpi").filter(has=page.get_by_role("heading", name=label, exact=True))


def wait_for_charts(page: Page) -> None:
    """ECharts draws each trend into a <canvas> once its script has run."""
    for key in ("timeliness", "evaluation", "resolution"):
        expect(page.locator(f"#chart-{key} canvas")).to_be_visible()


def open_dashboard_for(page: Page, start: dt.date, last: dt.date) -> None:
    """From the nav, choose a custom period with the period form (labels and the Show button)."""
    page.locator("header .mainnav").get_by_role("link", name=zh("Dashboard")).click()
    expect(page.locator("main h1")).to_contain_text(zh("Dashboard"))
    page.get_by_label(zh("Custom"), exact=True).check()
    page.get_by_label(zh_ctx("start of a date range", "From"), exact=True).fill(start.isoformat())
    page.get_by_label(zh_ctx("end of a date range", "To"), exact=True).fill(last.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"period=custom"))
    wait_for_charts(page)


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG to docs/screenshots/<name>.png once web fonts and layout have settled."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
