"""The occupation directory's live search in a browser: results follow the form, each search is one
history entry however it was typed and sent, and Back restores both results and form."""

import re

import pytest
from playwright.sync_api import expect

from frameworks.models import RelatedOccupation
from tests.browser.test_keyboard import tab_to
from tests.factories import JobZoneFactory, OccupationFactory

pytestmark = pytest.mark.browser


def test_back_shows_the_form_that_gave_the_results(page):
    page.goto("/occupations/")
    page.fill("#id_q", "insurance")
    expect(page).to_have_url(re.compile(r"q=insurance"))
    page.select_option("#id_job_zone", "4")
    expect(page).to_have_url(re.compile(r"job_zone=4"))
    page.press("#id_q", "Enter")
    page.fill("#id_q", "zzzz")
    expect(page).to_have_url(re.compile(r"q=zzzz"))
    expect(page.locator("#results h2")).to_contain_text("zzzz")

    page.go_back()

    expect(page).to_have_url(re.compile(r"q=insurance"))
    expect(page.locator("#results h2")).to_contain_text("insurance")
    expect(page.locator("#id_q")).to_have_value("insurance")
    expect(page.locator("#id_job_zone")).to_have_value("4")

    page.go_forward()

    expect(page.locator("#id_q")).to_have_value("zzzz")
    expect(page.locator("#id_job_zone")).to_have_value("4")


def searches_sent(page):
    """The directory searches the page asks the server for, as they are sent."""
    sent = []
    page.on("request", lambda request: "/occupations/?" in request.url and sent.append(request.url))
    return sent


def history_length(page):
    return page.evaluate("history.length")


def test_a_search_is_one_history_entry_however_it_is_typed_and_sent(page):
    page.goto("/occupations/")
    arrived = history_length(page)
    sent = searches_sent(page)
    results = page.locator("#results h2")

    # Slower than the search waits for: every keystroke asks, and the address follows each answer.
    page.locator("#id_q").press_sequentially("insur", delay=400)
    expect(results).to_contain_text("“insur”")
    expect(page).to_have_url(re.compile(r"\?q=insur$"))
    assert history_length(page) == arrived + 1, "search-as-you-type added an entry per keystroke"

    asked = len(sent)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Search").click()
    page.wait_for_timeout(500)
    assert len(sent) == asked, "Enter or Search asked again for the results already shown"
    assert history_length(page) == arrived + 1, "Enter or Search added the address shown again"

    # Typed and sent at once: one request, one entry, though the search-as-you-type timer runs out after.
    page.fill("#id_q", "agents")
    page.keyboard.press("Enter")
    expect(results).to_contain_text("“agents”")
    page.wait_for_timeout(500)
    assert [url for url in sent if "q=agents" in url] == [sent[-1]], "one submit sent more than one request"
    assert history_length(page) == arrived + 2

    page.go_back()

    expect(page).to_have_url(re.compile(r"\?q=insur$"))
    expect(results).to_contain_text("“insur”")
    expect(page.locator("#id_q")).to_have_value("insur")

    page.go_back()

    expect(page).to_have_url(re.compile(r"/occupations/$"))
    expect(page.locator("#id_q")).to_have_value("")


def test_moving_through_a_filters_options_keeps_to_one_history_entry(page):
    page.goto("/occupations/")
    arrived = history_length(page)
    job_zone = page.locator("#id_job_zone")
    results = page.locator("#results h2")

    job_zone.focus()
    for number in ("1", "2", "3"):
        page.keyboard.press("ArrowDown")
        expect(page).to_have_url(re.compile(rf"job_zone={number}"))
        expect(results).to_contain_text("these filters")

    assert history_length(page) == arrived + 1

    page.go_back()

    expect(page).to_have_url(re.compile(r"/occupations/$"))
    expect(job_zone).to_have_value("")


def test_enter_searches_in_place_and_names_the_results_in_the_title(page):
    page.goto("/occupations/")
    page.evaluate("window.loadedOnce = true")  # gone if the browser loads the page anew
    page.fill("#id_q", "insurance")
    expect(page).to_have_url(re.compile(r"q=insurance"))

    page.fill("#id_q", "agents")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"q=agents"))
    expect(page.locator("#results h2")).to_contain_text("agents")
    expect(page).to_have_title("“agents” · Occupations · NSX")
    expect(page.locator("#id_q")).to_be_focused()
    assert page.evaluate("window.loadedOnce === true"), "Enter loaded the whole page"

    page.get_by_role("button", name="Search").click()

    expect(page.locator("#results h2")).to_contain_text("agents")
    assert page.evaluate("window.loadedOnce === true"), "the Search button loaded the whole page"


def test_without_javascript_filters_are_applied_from_after_them(page_without_js, seed):
    page = page_without_js
    OccupationFactory(title="Sales Managers", soc_code="11-2022.00", job_zone=JobZoneFactory(number=4))
    OccupationFactory(title="Food Service Managers", soc_code="11-9051.00", job_zone=JobZoneFactory(number=3))
    page.goto("/occupations/?q=manager")
    expect(page.locator("#results")).to_contain_text("Sales Managers")

    page.locator("#id_job_zone").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    tab_to(page, ".directory-form__apply")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"\?q=manager&job_zone=3"))
    expect(page.locator("#results")).to_contain_text("Food Service Managers")
    expect(page.locator("#results")).not_to_contain_text("Sales Managers")


# A result's SOC code and badges, each as the lines it is split across.
RESULT_PIECES = """() => [...document.querySelectorAll(".result-list li")].flatMap((item) => {
  const lines = (range) => new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size;
  const code = document.createTreeWalker(item.querySelector(".muted"), NodeFilter.SHOW_TEXT).nextNode();
  const match = code.data.match(/\\d\\d-\\d{4}\\.\\d\\d/);
  const range = document.createRange();
  range.setStart(code, match.index);
  range.setEnd(code, match.index + match[0].length);
  const pieces = [[range.toString().trim(), lines(range)]];
  for (const badge of item.querySelectorAll(".badge")) {
    const whole = document.createRange();
    whole.selectNodeContents(badge);
    pieces.push([badge.textContent, lines(whole)]);
  }
  return pieces;
})"""


def test_a_results_soc_code_and_badges_never_break_across_lines_on_a_phone(open_page, seed):
    # Titles of every length put the code and the badges at every point of a line.
    for words in range(12):
        OccupationFactory(title="Insurance Appraisers" + " of Claims" * words, hot_technology=True)
    page = open_page(viewport={"width": 320, "height": 640})

    page.goto("/occupations/?q=insurance")

    pieces = page.evaluate(RESULT_PIECES)
    assert len(pieces) > 20
    broken = [text for text, lines in pieces if lines > 1]
    assert not broken, f"split across lines: {broken}"


def test_a_related_occupations_soc_code_never_breaks_across_lines_on_a_phone(open_page, seed):
    # An occupation without a framework lists its related occupations as the directory lists results.
    occupation = OccupationFactory(title="Claims Adjusters")
    for words in range(12):
        related = OccupationFactory(title="Insurance Appraisers" + " of Claims" * words)
        RelatedOccupation.objects.create(from_occupation=occupation, to_occupation=related, tier="Primary-Short")
    page = open_page(viewport={"width": 320, "height": 640})

    page.goto(occupation.get_absolute_url())

    pieces = page.evaluate(RESULT_PIECES)
    assert len(pieces) == 12
    broken = [text for text, lines in pieces if lines > 1]
    assert not broken, f"split across lines: {broken}"


def test_a_search_answering_after_back_leaves_the_search_gone_back_to(page):
    from tests.browser.test_framework_page import RECORD_REQUESTS, hold_requests

    page.add_init_script(RECORD_REQUESTS)
    page.goto("/occupations/")
    html = page.locator("html")
    page.fill("#id_q", "insurance")
    expect(page).to_have_url(re.compile(r"q=insurance"))
    page.press("#id_q", "Enter")  # ends that search: the next one is an entry of its own
    held = hold_requests(page, r"/occupations/\?.*q=zzzz")
    page.fill("#id_q", "zzzz")
    expect(html).to_have_attribute("data-asked", "/occupations/ /occupations/")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/occupations/$"))
    held[0].continue_()
    expect(html).to_have_attribute("data-answered", "/occupations/:200 /occupations/:200")

    expect(page).to_have_url(re.compile(r"/occupations/$"))
    expect(page).to_have_title("Occupations · NSX")
    expect(page.locator("#results h2")).to_contain_text("All occupations")


def fail_searches(page, answer):
    """The directory's in-place searches fail (a server error, or no network); pages still load."""

    def fail(route):
        if route.request.headers.get("hx-request") != "true":
            route.continue_()
        elif answer == "offline":
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server error</h1>")

    page.route(re.compile(r"/occupations/\?"), fail)


def forget_failed_requests(browser_errors):
    # The failed requests, expected here; htmx and Chromium log each.
    expected = ("status of 500", "Error Code 500", "ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")
    browser_errors[:] = [error for error in browser_errors if not any(text in error for text in expected)]


@pytest.mark.parametrize("answer", ["error", "offline"])
def test_a_search_typed_that_fails_says_so_and_keeps_what_was_typed(page, browser_errors, answer):
    page.goto("/occupations/")
    fail_searches(page, answer)
    field = page.locator("#id_q")

    field.fill("insurance")

    notice = page.locator("#search-failure")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("could not be made")
    expect(page.locator("#live-region")).to_contain_text("could not be made")
    expect(field).to_be_focused()
    expect(field).to_have_value("insurance")
    expect(page).to_have_url(re.compile(r"/occupations/$"))
    forget_failed_requests(browser_errors)

    # Back to the search the results are for: they are its answer again.
    field.fill("")
    expect(notice).to_have_count(0)

    page.unroute(re.compile(r"/occupations/\?"))
    field.fill("insurance agents")

    expect(page.locator("#results h2")).to_contain_text("“insurance agents”")
    expect(notice).to_have_count(0)


@pytest.mark.parametrize("answer", ["error", "offline"])
def test_a_search_sent_with_enter_that_fails_is_sent_as_a_page(page, browser_errors, answer):
    page.goto("/occupations/?q=zzzz")
    fail_searches(page, answer)

    page.fill("#id_q", "insurance")
    page.press("#id_q", "Enter")

    # As without JavaScript: the search's own page, here answered.
    expect(page).to_have_url(re.compile(r"/occupations/\?q=insurance"))
    expect(page.locator("#results h2")).to_contain_text("“insurance”")
    forget_failed_requests(browser_errors)


def test_a_search_on_its_way_shows_its_results_loading(page):
    from tests.browser.test_framework_page import hold_requests, is_busy, opacity

    page.goto("/occupations/")
    results = page.locator("#results")
    assert not is_busy(results) and opacity(results) == 1
    held = hold_requests(page, r"/occupations/\?.*q=insurance")

    page.fill("#id_q", "insurance")

    expect(results).to_have_attribute("aria-busy", "true")
    assert opacity(results) < 1
    held[0].continue_()
    expect(page.locator("#results h2")).to_contain_text("“insurance”")
    assert not is_busy(results) and opacity(results) == 1


# How many lines the example code in the empty results' advice takes.
EXAMPLE_CODE_LINES = """() => {
  const text = Array.from(document.querySelector("#results .empty").querySelectorAll("*"))
    .concat([document.querySelector("#results .empty")])
    .flatMap((element) => Array.from(element.childNodes))
    .find((node) => node.nodeType === Node.TEXT_NODE && node.data.includes("41-3021"));
  const range = document.createRange();
  range.setStart(text, text.data.indexOf("41-3021"));
  range.setEnd(text, text.data.indexOf("41-3021") + "41-3021".length);
  return new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top))).size;
}"""


def test_the_example_code_of_an_empty_search_never_breaks_across_lines(open_page, seed):
    page = open_page(viewport={"width": 320, "height": 640})
    page.goto("/occupations/?q=zzzz+qqqq")
    # Every width of a phone puts the code at another point of the line.
    broken = []
    for width in range(300, 480, 4):
        page.set_viewport_size({"width": width, "height": 640})
        if page.evaluate(EXAMPLE_CODE_LINES) > 1:
            broken.append(width)
    assert not broken, f"41-3021 split across lines at widths {broken}"
