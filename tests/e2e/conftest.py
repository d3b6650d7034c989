"""Browser-test fixtures: one headless Debian chromium per session, one fresh context per test.

The app is served by pytest-django's ``live_server`` (a transactional database, flushed after each
test), so every test loads the demo data again through ``demo_data`` and shares nothing with others.
A failing test leaves a full-page screenshot, the page HTML and the browser console under
test-results/ and names them in its report. Set ``E2E_TRACE=1`` to also keep a Playwright trace.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Playwright's sync API keeps an event loop in the main thread; Django would otherwise refuse ORM
# calls made there (fixtures, database flushes) as "async unsafe". Set before Django touches the DB.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from .support import FAILURE_DIR

if TYPE_CHECKING:
    from xinfang.accounts.models import User
    from xinfang.orgs.models import Unit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCALE = "zh-CN"
TIMEZONE = "Asia/Shanghai"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# A phone: 390×844 CSS pixels at 2× density, touch, and the page's viewport meta honoured.
PHONE_OPTIONS: dict[str, Any] = {
    "viewport": PHONE,
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Fail within seconds rather than Playwright's 30 s default: every page here is local and small.
ACTION_TIMEOUT_MS = 10_000

_console_key = pytest.StashKey[list[str]]()
_extra_contexts_key = pytest.StashKey[list[BrowserContext]]()
_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


# -- browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/browser-deps.sh (installs chromium and fonts-wqy-microhei)"
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _open_context(
    browser: Browser, base_url: str, request: pytest.FixtureRequest, **options: Any
) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, locale=LOCALE, timezone_id=TIMEZONE, **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    log = request.node.stash.setdefault(_console_key, [])
    context.on(
        "console", lambda msg: log.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})")
    )
    context.on("weberror", lambda error: log.append(f"page error: {error.error}"))
    tracing = os.environ.get("E2E_TRACE", "") not in {"", "0"}
    if tracing:
        context.tracing.start(screenshots=True, snapshots=True, sources=False)
    yield context
    if tracing:
        failed = any(r.failed for r in request.node.stash.get(_reports_key, {}).values())
        context.tracing.stop(path=f"{_artifact_base(request.node)}-trace.zip" if failed else None)
    context.close()


@pytest.fixture
def context(
    browser: Browser, live_server: Any, demo_data: DemoData, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A desktop browser context (1280×800, zh-CN) whose relative URLs go to the live server."""
    yield from _open_context(browser, live_server.url, request, viewport=DESKTOP)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone_context(
    browser: Browser, live_server: Any, demo_data: DemoData, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A phone-sized context (390×844, touch, mobile viewport meta honoured), zh-CN."""
    yield from _open_context(browser, live_server.url, request, **PHONE_OPTIONS)


@pytest.fixture
def phone_page(phone_context: BrowserContext) -> Page:
    return phone_context.new_page()


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, demo_data: DemoData, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open a page in a browser of its own (fresh cookies): one more person in the same test.

    ``new_page()`` is a desktop page, ``new_page(phone=True)`` a phone-sized one. Their pages are
    captured like the others when the test fails.
    """
    opened: list[Iterator[BrowserContext]] = []

    def open_page(*, phone: bool = False) -> Page:
        options = PHONE_OPTIONS if phone else {"viewport": DESKTOP}
        lifetime = _open_context(browser, live_server.url, request, **options)
        context = next(lifetime)
        opened.append(lifetime)
        request.node.stash.setdefault(_extra_contexts_key, []).append(context)
        return context.new_page()

    yield open_page
    for lifetime in reversed(opened):
        next(lifetime, None)  # runs the rest of _open_context: trace, then close


# -- data ---------------------------------------------------------------------------------------


@dataclass
class DemoData:
    """What the demo builders created; look rows up by their stable codes and user names."""

    usernames: list[str] = field(default_factory=list)

    def unit(self, code: str) -> Unit:
        from xinfang.orgs.models import Unit

        return Unit.objects.get(code=code)

    def user(self, username: str) -> User:
        from xinfang.accounts.models import User

        return User.objects.get(username=username)


@pytest.fixture
def demo_data(transactional_db: None, settings: Any) -> DemoData:
    """The demo jurisdiction, logins (``DEMO_USERS`` and the extra staff) and the default category
    taxonomy, built afresh for each test. Add new demo builders here. No petitions: a test seeds its
    own (``seed.py``), or calls ``seed.demo_petitions()`` for a small slice of the demo cases."""
    from xinfang.accounts.demo import build_demo_users
    from xinfang.orgs.demo import build_demo_tree
    from xinfang.petitions.taxonomy import load_default_taxonomy

    # A deliberately slow password hash costs ~0.6 s per demo user and per log-in; the browser tests
    # exercise the pages, not the hash (the live server thread reads the same settings object).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_demo_tree()
    users = build_demo_users()
    load_default_taxonomy()
    return DemoData(usernames=[u.username for u in users])


# -- diagnosis of failures ----------------------------------------------------------------------


ARTIFACT_SUFFIXES = (".png", ".html", ".console.txt", "-trace.zip")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Drop the previous run's failure artifacts so test-results/ only describes this run."""
    if FAILURE_DIR.is_dir():
        for path in FAILURE_DIR.iterdir():
            if path.is_file() and path.name.endswith(ARTIFACT_SUFFIXES):
                path.unlink()


def _artifact_base(item: pytest.Item) -> Path:
    FAILURE_DIR.mkdir(parents=True, exist_ok=True)
    # "tests/e2e/test_login.py::test_x[param]" -> "test_login.py_test_x_param_"
    return FAILURE_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.rsplit("/", 1)[-1])[:150]


def _save_failure_artifacts(item: pytest.Item) -> list[str]:
    lines: list[str] = []
    base = _artifact_base(item)
    contexts = [
        value for value in getattr(item, "funcargs", {}).values() if isinstance(value, BrowserContext)
    ]
    contexts += [c for c in item.stash.get(_extra_contexts_key, []) if c not in contexts]
    pages = [p for c in contexts for p in c.pages]
    for index, page in enumerate(pages):
        suffix = f"-{index}" if len(pages) > 1 else ""
        try:
            lines.append(f"url: {page.url}")
            page.screenshot(path=f"{base}{suffix}.png", full_page=True, timeout=5_000)
            lines.append(f"screenshot: {base}{suffix}.png")
            with open(f"{base}{suffix}.html", "w", encoding="utf-8") as handle:
                handle.write(page.content())
            lines.append(f"html: {base}{suffix}.html")
        except Exception as exc:  # a dead page must not hide the original failure
            lines.append(f"could not capture page {index}: {exc!r}")
    console = item.stash.get(_console_key, [])
    if console:
        with open(f"{base}.console.txt", "w", encoding="utf-8") as handle:
            handle.write("\n".join(console) + "\n")
        lines.append("browser console:")
        lines.extend(f"  {line}" for line in console[-30:])
    return lines


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    if report.when == "call" and report.failed:
        lines = _save_failure_artifacts(item)
        if lines:
            report.sections.append(("e2e artifacts (test-results/)", "\n".join(lines)))
    return report
