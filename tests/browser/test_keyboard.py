"""A keyboard-only visitor gets from the home page to a framework's sources and back, with focus
always visible and never dropped by an htmx swap; without JavaScript the same keys reach the same content."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  return {
    description: el.outerHTML.slice(0, 120),
    visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
  };
}"""


def focused(page):
    """What has focus, failing when focus is lost or has no visible indicator."""
    focus = page.evaluate(FOCUS)
    assert focus is not None, f"focus was lost on {page.url}"
    assert focus["visible"], f"no visible focus indicator on {focus['description']}"
    return focus


def tab_to(page, selector, *, backwards=False, limit=200):
    """Presses Tab (or Shift+Tab) until the element matching selector has focus, checking each stop."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused(page)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return page.locator(":focus")
    pytest.fail(f"{selector} not reached with the keyboard on {page.url}")


def focus_is_on(page, selector):
    return page.evaluate("selector => document.activeElement.matches(selector)", selector)


def test_keyboard_journey_with_javascript(page):
    live_region = page.locator("#live-region")
    page.goto("/")

    tab_to(page, '.card__title a[href="/occupations/41-3021.00/"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))

    # Tabs follow the WAI-ARIA pattern: only the selected tab is in the Tab order.
    tab_to(page, '[role="tab"][aria-selected="true"]')
    assert page.locator('[role="tab"][tabindex="-1"]').count() == 3
    page.keyboard.press("ArrowRight")
    expect(page.locator('[role="tab"][aria-selected="true"]')).to_have_text("AI use")
    expect(page.locator("#tabpanel")).to_contain_text("Prospect list generation")
    expect(page.locator("#tab-ai")).to_be_focused()
    expect(live_region).to_have_text("AI use tab shown")
    focused(page)

    chip = tab_to(page, ".chip")
    slot = page.locator("#" + chip.get_attribute("aria-controls"))
    page.keyboard.press("Enter")
    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(slot).to_contain_text("Publisher")
    expect(live_region).to_contain_text("Source details opened")
    assert focus_is_on(page, ".chip[aria-expanded='true']"), "focus left the chip that opened"
    focused(page)

    page.keyboard.press("Enter")
    expect(chip).to_have_attribute("aria-expanded", "false")
    expect(slot).to_be_hidden()
    expect(live_region).to_have_text("Source details closed")
    assert focus_is_on(page, ".chip[aria-expanded='false']"), "focus left the chip that closed"
    focused(page)

    toggle = tab_to(page, ".anchors-disclosure__toggle")
    page.keyboard.press("Enter")
    expect(page.locator("#anchors-disclosure")).to_contain_text("Tasks · seed anchors for statements")
    expect(live_region).to_have_text("O*NET source anchors shown")
    # A disclosure keeps focus on its toggle, which now says the panel is open.
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    focused(page)

    tab_to(page, ".back-link a", backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Occupational skill frameworks")


def test_source_anchors_disclosure_opens_and_closes_by_keyboard(page):
    page.goto("/occupations/41-3021.00/")
    live_region = page.locator("#live-region")
    panel = page.locator("#anchors-disclosure-panel")
    anchor_requests = []
    page.on("request", lambda request: "/anchors/" in request.url and anchor_requests.append(request.url))

    toggle = tab_to(page, ".anchors-disclosure__toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Tasks · seed anchors for statements")
    expect(live_region).to_have_text("O*NET source anchors shown")
    expect(toggle).to_be_focused()

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    expect(live_region).to_have_text("O*NET source anchors hidden")
    expect(toggle).to_be_focused()
    focused(page)

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    # Loaded once; hiding and showing it again asks the server for nothing.
    assert len(anchor_requests) == 1, anchor_requests


def test_keyboard_journey_without_javascript(page_without_js):
    page = page_without_js
    page.goto("/")

    tab_to(page, '.card__title a[href="/occupations/41-3021.00/"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))

    # Without the script that makes tabs roving, each tab is a link in the Tab order.
    tab_to(page, "#tab-ai")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=ai$"))
    expect(page.locator('.tabs__tab[aria-current="page"]')).to_have_text("AI use")
    expect(page.locator("#tabpanel")).to_contain_text("Prospect list generation")

    tab_to(page, ".chip")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/citations/\d+/$"))
    expect(page.locator(".citation-detail")).to_contain_text("Publisher")

    tab_to(page, ".back-link a")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=ai#statement-"))
    expect(page.locator("#tabpanel")).to_contain_text("Prospect list generation")

    tab_to(page, ".anchors-disclosure__toggle")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/anchors/$"))
    expect(page.locator("#anchor-panel")).to_contain_text("Tasks · seed anchors for statements")

    tab_to(page, ".back-link a", backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))


def test_error_summary_takes_focus_and_leads_to_each_field(page):
    error_summary_journey(page)


def test_error_summary_takes_focus_and_leads_to_each_field_without_javascript(page_without_js):
    error_summary_journey(page_without_js)


def error_summary_journey(page):
    page.goto("/occupations/41-3021.00/suggest/")
    page.get_by_label("Your email (optional)").fill("not-an-email")

    page.get_by_role("button", name="Send suggestion").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)

    summary.get_by_role("link", name="Suggested correction — This field is required.").click()

    field = page.get_by_label("Suggested correction")
    expect(field).to_be_focused()
    expect(page.locator('label[for="id_correction"]')).to_be_in_viewport()
    field.fill("Mathematics matters less than listed.")
    page.get_by_label("Your email (optional)").fill("")
    page.get_by_label("Which item needs correcting?").select_option("general")
    page.get_by_role("button", name="Send suggestion").click()
    # The thanks take focus, so that they are read.
    expect(page.get_by_role("status")).to_contain_text("A curator will review your suggestion")
    expect(page.get_by_role("status")).to_be_focused()


def test_going_back_between_tabs_after_the_thanks_keeps_focus_on_the_tab(page):
    page.goto("/occupations/41-3021.00/suggest/")
    page.get_by_label("Which item needs correcting?").select_option("general")
    page.get_by_label("Suggested correction").fill("Mathematics matters less than listed.")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_role("status")).to_be_focused()

    page.get_by_role("tab", name="AI use").click()
    expect(page.get_by_role("tab", name="AI use")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Durable skills").click()
    expect(page.get_by_role("tab", name="Durable skills")).to_have_attribute("aria-selected", "true")
    page.go_back()

    # The message's autofocus took effect when it was new, not again in the copy Back restores.
    expect(page.get_by_role("tab", name="AI use")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="AI use")).to_be_focused()


def test_a_refused_sign_in_takes_focus_to_why(page, django_user_model):
    refused_sign_in_journey(page, django_user_model)


def test_a_refused_sign_in_takes_focus_to_why_without_javascript(page_without_js, django_user_model):
    refused_sign_in_journey(page_without_js, django_user_model)


def refused_sign_in_journey(page, django_user_model):
    django_user_model.objects.create_user("curator", password="right-password-123")
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("curator")
    page.get_by_label("Password").fill("wrong")

    page.keyboard.press("Enter")

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Please enter a correct username and password")
    expect(summary).to_be_focused()
    # The next Tab leads back into the form.
    tab_to(page, "#id_username")


def test_the_limit_on_suggestions_takes_focus_to_why(page, browser_errors):
    def suggest():
        page.goto("/occupations/41-3021.00/suggest/")
        page.get_by_label("Which item needs correcting?").select_option("general")
        page.get_by_label("Suggested correction").fill("Mathematics matters less than listed.")
        page.get_by_role("button", name="Send suggestion").click()

    for _ in range(5):
        suggest()
        expect(page.get_by_role("status")).to_be_focused()

    suggest()

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Please wait a while before sending another")
    expect(summary).to_be_focused()
    # Chromium logs the 429 itself as a console error; it is the point of this page.
    browser_errors[:] = [error for error in browser_errors if "status of 429" not in error]


def test_tab_goes_from_the_selected_tab_into_its_panel_even_without_links(page):
    # The occupational skills tab has no chips: its panel itself takes focus, as the WAI-ARIA tabs pattern asks.
    page.goto("/occupations/41-3021.00/")
    page.locator('[role="tab"][aria-selected="true"]').focus()

    page.keyboard.press("Tab")

    expect(page.locator("#tabpanel")).to_be_focused()
    focused(page)


def test_space_works_a_chip_and_the_anchors_toggle_and_escape_closes_them(page):
    page.goto("/occupations/41-3021.00/?tab=ai")
    chip = tab_to(page, ".chip")
    slot = page.locator("#" + chip.get_attribute("aria-controls"))
    scrolled = page.evaluate("window.scrollY")

    page.keyboard.press(" ")
    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(slot).to_contain_text("Publisher")
    assert page.evaluate("window.scrollY") == scrolled, "Space scrolled the page instead"

    # Escape from inside the chip's details closes them and brings focus back to the chip.
    slot.locator("a").first.focus()
    page.keyboard.press("Escape")
    expect(chip).to_have_attribute("aria-expanded", "false")
    expect(slot).to_be_hidden()
    expect(chip).to_be_focused()

    toggle = tab_to(page, ".anchors-disclosure__toggle")
    expect(toggle).to_contain_text("Show O*NET source anchors")
    page.keyboard.press(" ")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_contain_text("Hide O*NET source anchors")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("Show O*NET source anchors")
    expect(page.locator("#anchors-disclosure-panel")).to_be_hidden()


def test_back_and_forward_leave_focus_on_the_tab_shown(page):
    page.goto("/occupations/41-3021.00/")
    page.locator("#tab-ai").click()
    expect(page).to_have_url(re.compile(r"tab=ai"))
    page.locator("#tab-durable").click()
    expect(page).to_have_url(re.compile(r"tab=durable"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"tab=ai"))
    expect(page.locator("#tab-ai")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-ai")).to_be_focused()
    assert page.locator('[role="tab"]:not([tabindex="-1"])').all_inner_texts() == ["AI use"]


# The dark ring of the focus indicator (--ink), drawn by :focus-visible round every control.
FOCUS_RING = "rgb(27, 36, 48) 0px 0px 0px 5px"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_focused_selected_tab_has_the_focus_ring_of_every_control(open_page, seed, width):
    # The selected tab's own shadow (a stripe, or none on a phone) must add to the ring, not replace it:
    # the yellow outline alone is too faint on white.
    page = open_page(viewport={"width": width, "height": 844})
    page.goto("/occupations/41-3021.00/")

    tab_to(page, '[role="tab"][aria-selected="true"]')

    assert FOCUS_RING in page.evaluate("getComputedStyle(document.activeElement).boxShadow")
