import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.tools import require

# Playwright's sync API keeps an event loop running in this thread, which trips
# Django's async-safety check for the ORM calls made by fixtures.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OCCUPATION_URL = "/occupations/41-3021.00/"
# One address of each page type a visitor can land on, for the checks that cover them all.
PAGE_TYPES = [
    "/",
    "/occupations/?q=insurance",
    "/occupations/?q=zzzz",
    OCCUPATION_URL + "?tab=skills",
    OCCUPATION_URL + "?tab=ai",
    OCCUPATION_URL + "?tab=durable",
    OCCUPATION_URL + "?tab=anchors",
    OCCUPATION_URL + "anchors/",
    OCCUPATION_URL + "print/",
    OCCUPATION_URL + "suggest/",
    "/sources/onet/",
    "/accounts/login/",
]


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM, f"Chromium not found at {CHROMIUM}; browser tests need Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seed(transactional_db):
    call_command("loaddata", "insurance-sales-agents", verbosity=0)


class BrowserErrors(list):
    """Console errors and uncaught exceptions; CSP violations and 404s land here too."""

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.append(f"console: {message.text} ({message.location.get('url', '')})")


def _open_page(browser, live_server, errors, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(5000)
    page = context.new_page()
    errors.watch(page)
    return context, page


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    assert not errors, "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browser, live_server, seed, browser_errors):
    context, page = _open_page(browser, live_server, browser_errors)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server, seed, browser_errors):
    context, page = _open_page(browser, live_server, browser_errors, java_script_enabled=False)
    yield page
    context.close()


MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def mobile_page(browser, live_server, seed, browser_errors):
    context, page = _open_page(browser, live_server, browser_errors, **MOBILE)
    yield page
    context.close()
