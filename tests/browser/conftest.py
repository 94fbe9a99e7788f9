from pathlib import Path

import pytest

from tests.tools import require

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


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, started with the first and stopped after the last of them."""
    require(CHROMIUM, f"Chromium not found at {CHROMIUM}; browser tests need Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API is started it keeps an event loop running in this thread, which trips
    # Django's async-safety check for the ORM calls fixtures and tests make. Allow them for that long only,
    # so that tests outside tests/browser, and the processes they start, run as a deployment does.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserErrors(list):
    """Console errors and uncaught exceptions; CSP violations and 404s land here too."""

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))

    def _console(self, message):
        if message.type == "error":
            self.append(f"console: {message.text} ({message.location.get('url', '')})")


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    assert not errors, "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def open_page(browser, live_server, browser_errors):
    """Open a page on the live server in a browser context of its own (a visitor of its own), with the
    context's options; its errors are watched, and it is closed when the test ends.

    A test that uses live_server runs in a transactional database, which the server's thread sees: the
    `seed` fixture of tests/conftest.py loads the framework it shows."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        context.set_default_timeout(5000)
        page = context.new_page()
        browser_errors.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page, seed):
    return open_page()


@pytest.fixture
def page_without_js(open_page, seed):
    return open_page(java_script_enabled=False)


MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def mobile_page(open_page, seed):
    return open_page(**MOBILE)
