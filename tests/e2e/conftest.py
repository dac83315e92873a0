"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Browsers are never downloaded (``playwright install`` cannot reach the internet here): the tests
drive ``/usr/bin/chromium`` (or ``$YIKOUBAN_CHROMIUM``). Without it they skip with a message,
unless ``YIKOUBAN_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case they fail.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = E2E_DIR / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # date inputs and the file picker in Chinese, as users see them
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser test, even if a new module forgets ``pytestmark``."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _chromium_path() -> str:
    """The Chromium to drive, or skip (fail under YIKOUBAN_REQUIRE_BROWSER=1) when it is missing."""
    path = os.environ.get("YIKOUBAN_CHROMIUM") or DEFAULT_CHROMIUM
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    message = f"Chromium not installed at {path}: apt-get install chromium; CI installs it"
    if os.environ.get("YIKOUBAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (YIKOUBAN_REQUIRE_BROWSER=1, so browser tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session; each test gets a fresh context (cookies)."""
    path = _chromium_path()
    # Playwright's sync API runs an asyncio event loop in this thread; Django's ORM would otherwise
    # refuse to be called from it ("You cannot call this from an async context"). Set here, not at
    # import, so that only browser runs relax the check.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def demo(transactional_db):
    """The demo city and demo users, committed (tests/conftest.py loads them once per test database
    and again after each flush). transactional_db: the live server runs in another thread."""


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh browser contexts; fails the test on broken assets, JavaScript errors or
    Content-Security-Policy violations."""
    contexts = []
    problems: list[str] = []

    def open_page(viewport: dict | None = None):
        # reduced motion: no colour transitions half-way when axe-core reads the contrast
        context = chromium.new_context(
            viewport=viewport or DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: _REQUEST_LINES.append(f"{r.method} {r.url}"))
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} for {r.request.resource_type} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document"
                else None
            ),
        )
        # A background fetch still in flight when the page navigates away (a matter suggestion
        # while the form is submitted) is cancelled by the browser: that is not a failure.
        page.on(
            "requestfailed",
            lambda r: (
                None
                if r.resource_type in ("fetch", "xhr") and "ERR_ABORTED" in (r.failure or "")
                else problems.append(f"request failed: {r.url} ({r.failure})")
            ),
        )
        page.on(  # the Content-Security-Policy blocked something (docs/security.md)
            "console",
            lambda m: problems.append(f"CSP: {m.text}") if "Content Security Policy" in m.text else None,
        )
        return page

    yield open_page
    for context in contexts:
        for open_ in context.pages:  # a debounced panel fetch still running: let it end before the flush
            with contextlib.suppress(Exception):  # one that never settles is judged by its problems below
                open_.wait_for_load_state("networkidle", timeout=3000)
        context.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280×800)."""
    return new_page()


# --- No full phone or ID number in any log line or request URL (issue #19 item 8) ----------------
# The live server's own access log is silent, so the request lines the browser sent stand in for it:
# they are what a front proxy or gunicorn writes. Phones and ID numbers travel in POST bodies only.

PERSONAL_NUMBER = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")
_REQUEST_LINES: list[str] = []


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(f"{record.name}: {record.getMessage()}")
        except Exception:  # a record that cannot format is no evidence either way
            self.lines.append(f"{record.name}: {record.msg}")


def personal_numbers_in(lines: list[str]) -> list[str]:
    """The lines carrying a full mobile number or an 18-character ID number."""
    return [line for line in lines if PERSONAL_NUMBER.search(line)]


@pytest.fixture(scope="session", autouse=True)
def no_personal_numbers_in_logs():
    """Every log record of the browser run (root, django.server, django.request) and every request
    line the browser sent: none may carry a full phone or ID number."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("", "django.server", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
    leaks = personal_numbers_in(handler.lines) + personal_numbers_in(_REQUEST_LINES)
    assert not leaks, "full phone or ID numbers in logs or URLs:\n" + "\n".join(sorted(set(leaks))[:20])
