"""Screenshots of each page type, at desktop and mobile width, for the README.

Run against a server that has loaded the seed framework, with DEBUG off so that the 404 page is
the site's own, and so with plain static files unless they were collected:

    DJANGO_PLAIN_STATIC=true .venv/bin/python manage.py runserver 127.0.0.1:8000 &
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000

Writes NAME.png (1280 wide) and NAME-mobile.png (390 wide) beside this file. Each shot is one
viewport high, which keeps the files small. Drives Debian's Chromium (/usr/bin/chromium).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
OCCUPATION = "/occupations/41-3021.00/"
# Mobile shots at twice the density, as a phone shows them; still well under the size budget.
DEVICES = {
    "": {"viewport": {"width": 1280, "height": 800}},
    "-mobile": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2},
}
MAX_BYTES = 600_000


def show_tabs(page):
    page.locator("#framework-tabs").evaluate("tabs => { tabs.scrollIntoView(); window.scrollBy(0, -16); }")


def open_chip(page):
    chip = page.locator(".chip").first
    chip.click()
    page.locator(".citation-slot:not([hidden]) .citation-detail").first.wait_for()
    chip.evaluate("chip => chip.closest('li').scrollIntoView({block: 'center'})")


def open_anchors(page):
    page.locator(".anchors-disclosure__toggle").click()
    page.locator("#anchors-disclosure #anchor-panel").wait_for()
    page.locator("#anchors-disclosure").scroll_into_view_if_needed()


def send_empty_suggestion(page):
    page.get_by_role("button", name="Send suggestion").click()
    page.locator(".form-errors").wait_for()


def open_first_citation(page):
    page.goto(page.locator(".chip").first.get_attribute("href"))


SHOTS = [
    ("home", "/", None),
    ("occupations", "/occupations/?q=insurance", None),
    ("occupations-no-results", "/occupations/?q=zzzz", None),
    ("framework-skills", OCCUPATION + "?tab=skills", None),
    ("framework-ai", OCCUPATION + "?tab=ai", show_tabs),
    ("framework-durable", OCCUPATION + "?tab=durable", show_tabs),
    ("framework-anchors", OCCUPATION + "?tab=anchors", show_tabs),
    ("chip-open", OCCUPATION + "?tab=ai", open_chip),
    ("anchors-disclosure", OCCUPATION, open_anchors),
    ("anchors", OCCUPATION + "anchors/", None),
    ("citation", OCCUPATION + "?tab=ai", open_first_citation),
    ("source", "/sources/onet/", None),
    ("print", OCCUPATION + "print/", None),
    ("login", "/accounts/login/", None),
    ("suggest-errors", OCCUPATION + "suggest/", send_empty_suggestion),
    ("not-found", "/occupations/99-9999.99/", None),
]


def main(base_url):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for suffix, device in DEVICES.items():
            context = browser.new_context(base_url=base_url, **device)
            page = context.new_page()
            for name, path, action in SHOTS:
                page.goto(path)
                if action:
                    action(page)
                target = HERE / f"{name}{suffix}.png"
                page.screenshot(path=target)
                size = target.stat().st_size
                over = " (over the size budget)" if size > MAX_BYTES else ""
                print(f"{target.name}: {size // 1000} kB{over}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
