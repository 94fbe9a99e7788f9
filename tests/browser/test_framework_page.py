import re

import pytest
from playwright.sync_api import expect

from evidence.models import Citation, Source
from tests.browser.conftest import OCCUPATION_URL

pytestmark = pytest.mark.browser

TAB_NAMES = ["Occupational skills", "AI use", "Durable skills", "Source anchors"]


def set_marker(page):
    # A full navigation would discard this; an htmx swap keeps it.
    page.evaluate("window.__marker = 1")


def assert_no_navigation(page):
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping in place"


def tab(page, name):
    return page.get_by_role("tab", name=name, exact=True)


def expect_selected_tab(page, name):
    expect(tab(page, name)).to_have_attribute("aria-selected", "true")
    for other in TAB_NAMES:
        if other != name:
            expect(tab(page, other)).to_have_attribute("aria-selected", "false")


def expect_focus_on_selected_tab(page, name):
    expect(tab(page, name)).to_be_focused()
    active = page.evaluate(
        "({role: document.activeElement.getAttribute('role'),"
        " selected: document.activeElement.getAttribute('aria-selected'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert active == {"role": "tab", "selected": "true", "text": name}



def hold_requests(page, address_pattern):
    """The requests for matching addresses, held unanswered until the test lets each through."""
    held = []

    def hold(route):  # not held.append itself: Playwright takes a handler it can set an attribute on
        held.append(route)

    page.route(re.compile(address_pattern), hold)
    return held

def test_clicking_a_tab_swaps_the_panel_and_pushes_the_url(page):
    page.goto(OCCUPATION_URL)
    panel = page.locator("#tabpanel")
    expect(panel).to_contain_text("Standard insurance policy types")
    set_marker(page)

    tab(page, "AI use").click()

    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=ai$"))
    expect(panel).to_contain_text("Evidence pack")
    expect(panel).to_contain_text("Prospect list generation")
    expect_selected_tab(page, "AI use")
    assert_no_navigation(page)

    page.go_back()

    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    expect(panel).to_contain_text("Standard insurance policy types")
    expect(panel).not_to_contain_text("Evidence pack")
    expect_selected_tab(page, "Occupational skills")
    # htmx restores the page from its history cache rather than reloading it.
    assert_no_navigation(page)


def test_keyboard_moves_between_tabs_and_keeps_focus(page):
    page.goto(OCCUPATION_URL)
    panel = page.locator("#tabpanel")
    live_region = page.locator("#live-region")
    tab(page, "Occupational skills").focus()

    page.keyboard.press("ArrowRight")
    expect_selected_tab(page, "AI use")
    expect(panel).to_contain_text("Prospect list generation")
    expect_focus_on_selected_tab(page, "AI use")
    expect(live_region).to_have_text("AI use tab shown")

    page.keyboard.press("End")
    expect_selected_tab(page, "Source anchors")
    expect(panel).to_contain_text("Tasks · seed anchors for statements")
    expect_focus_on_selected_tab(page, "Source anchors")
    expect(live_region).to_have_text("Source anchors tab shown")

    page.keyboard.press("Home")
    expect_selected_tab(page, "Occupational skills")
    expect(panel).to_contain_text("Standard insurance policy types")
    expect_focus_on_selected_tab(page, "Occupational skills")
    expect(live_region).to_have_text("Occupational skills tab shown")


def test_citation_chip_opens_and_closes_in_place(page):
    page.goto(OCCUPATION_URL + "?tab=ai")
    set_marker(page)
    chip = page.locator(".chip", has_text="Anthropic Economic Index").first
    slot = page.locator("#" + chip.get_attribute("aria-controls"))
    expect(chip).to_have_attribute("aria-expanded", "false")
    expect(slot).to_be_hidden()

    chip.click()

    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(slot).to_be_visible()
    expect(slot).to_contain_text("Anthropic Economic Index — release_2026_03_24")
    expect(slot).to_contain_text("Publisher")
    # The details sit inside the statement the chip belongs to, right after its text.
    statement = chip.locator("xpath=ancestor::li[contains(@class, 'statement')]")
    expect(statement.locator(":scope > .citation-slot:not([hidden])")).to_have_attribute("id", slot.get_attribute("id"))
    link_out = slot.get_by_role("link", name=re.compile(r"^Visit Anthropic Economic Index"))
    expect(link_out).to_have_attribute("target", "_blank")
    expect(link_out).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    assert_no_navigation(page)

    chip.click()

    expect(chip).to_have_attribute("aria-expanded", "false")
    expect(slot).to_be_hidden()
    assert_no_navigation(page)


def test_citation_chip_shows_its_onet_anchors(page):
    page.goto(OCCUPATION_URL + "?tab=durable")
    set_marker(page)
    statement = page.locator("li.statement", has=page.locator(".statement__title", has_text="Client intake dialogue"))
    chip = statement.locator(".chip", has_text="O*NET v30.2")

    chip.click()

    expect(chip).to_have_attribute("aria-expanded", "true")
    details = statement.locator(".citation-slot:not([hidden])")
    expect(details).to_contain_text("Interview prospective clients")
    assert_no_navigation(page)


def test_source_anchors_disclosure_loads_in_place(page):
    page.goto(OCCUPATION_URL)
    set_marker(page)

    toggle = page.locator(".anchors-disclosure__toggle")
    expect(toggle).to_have_accessible_name(re.compile(r"^Show O\*NET source anchors"))
    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_accessible_name(re.compile(r"^Hide O\*NET source anchors"))
    disclosure = page.locator("#anchors-disclosure")
    for text in ["Related titles", "RAPIDS apprenticeships", "0303 · Insurance Agent", "CIP education codes", "52.1701"]:
        expect(disclosure).to_contain_text(text)
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    assert_no_navigation(page)

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#anchors-disclosure-panel")).to_be_hidden()
    expect(toggle).to_be_visible()
    assert_no_navigation(page)


def test_links_work_without_javascript(page_without_js):
    page = page_without_js
    page.goto(OCCUPATION_URL)

    page.get_by_role("link", name="Durable skills", exact=True).click()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=durable$"))
    expect(page.locator("#tabpanel")).to_contain_text("Fortitude")
    expect(page.locator('[aria-current="page"]')).to_have_text("Durable skills")

    page.locator(".chip", has_text="Pathsmith Durable Skills").first.click()
    expect(page).to_have_url(re.compile(r"/citations/\d+/$"))
    expect(page.locator(".citation-detail__title")).to_have_text(
        "Pathsmith Durable Skills Framework — America Succeeds + CompTIA"
    )

    page.goto(OCCUPATION_URL)
    page.get_by_role("link", name=re.compile(r"^Show O\*NET source anchors")).click()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/anchors/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Insurance Sales Agents: O*NET source anchors")
    expect(page.locator("#anchor-panel")).to_contain_text("Tasks · seed anchors for statements")


def chromium_ax_nodes(page):
    """Chromium's own accessibility tree of the page, as screen readers get it."""
    cdp = page.context.new_cdp_session(page)
    try:
        return cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()


def ax_role(node):
    return node.get("role", {}).get("value")


def ax_name(node):
    return node.get("name", {}).get("value", "")


def ax_states(node):
    return {prop["name"] for prop in node.get("properties", [])}


def test_without_javascript_tabs_chips_and_the_anchors_toggle_are_plain_links(page_without_js):
    # Each leads to another page, so none may be announced as a tab or as something that expands.
    page = page_without_js
    page.goto(OCCUPATION_URL + "?tab=ai")

    nodes = chromium_ax_nodes(page)

    assert [ax_role(node) for node in nodes if ax_role(node) in ("tablist", "tab", "tabpanel")] == []
    links = [node for node in nodes if ax_role(node) == "link"]
    assert [ax_name(link) for link in links if ax_states(link) & {"expanded", "selected"}] == []
    names = [ax_name(link) for link in links]
    assert set(TAB_NAMES) <= set(names)
    assert "Anthropic Economic Index — " + Source.objects.get(key="aei").title in names
    assert any(name.startswith("Show O*NET source anchors") for name in names)
    sections = page.get_by_role("navigation", name="Framework sections")
    expect(sections.get_by_role("link")).to_have_text(TAB_NAMES)
    # The link to the tab shown is the link to this page, and names the panel it shows.
    expect(sections.locator('[aria-current="page"]')).to_have_text("AI use")
    expect(page.get_by_role("region", name="AI use", exact=True)).to_contain_text("Prospect list generation")
    for element in [*page.locator(".chip").all(), page.locator(".anchors-disclosure__toggle")]:
        expect(element).not_to_have_attribute("aria-controls", re.compile(""))


def expect_enhanced(page, selected):
    """The tabs, chips and anchors toggle as the script makes them: WAI-ARIA tabs and disclosures."""
    tablist = page.get_by_role("tablist", name="Framework sections")
    expect(tablist.get_by_role("tab")).to_have_text(TAB_NAMES)
    expect_selected_tab(page, selected)
    expect(tab(page, selected)).not_to_have_attribute("tabindex", re.compile(""))
    expect(page.locator('[role="tab"][tabindex="-1"]')).to_have_count(3)
    expect(page.locator("[aria-current]")).to_have_count(0)
    expect(page.get_by_role("tabpanel", name=selected, exact=True)).to_have_attribute("tabindex", "0")
    expect(page.locator(".anchors-disclosure__toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".anchors-disclosure__toggle")).to_have_attribute("aria-controls", "anchors-disclosure-panel")
    # Every chip controls its own slot, which is there.
    chips = page.evaluate(
        """[...document.querySelectorAll('.chip')].map((chip) => ({
             expanded: chip.getAttribute('aria-expanded'),
             controls: chip.getAttribute('aria-controls'),
             slot: document.getElementById(chip.getAttribute('aria-controls'))?.className,
           }))"""
    )
    assert [chip for chip in chips if chip["expanded"] != "false" or chip["slot"] != "citation-slot"] == []
    return len(chips)


def test_with_javascript_the_links_become_tabs_and_disclosures_also_when_swapped_in(page):
    page.goto(OCCUPATION_URL)
    assert expect_enhanced(page, "Occupational skills") == 0
    set_marker(page)

    tab(page, "AI use").click()

    expect(page).to_have_url(re.compile(r"\?tab=ai$"))
    assert expect_enhanced(page, "AI use") > 0
    expect(tab(page, "AI use")).to_be_focused()
    assert_no_navigation(page)

    tab(page, "Durable skills").focus()
    page.keyboard.press("ArrowRight")
    expect_selected_tab(page, "Source anchors")
    page.keyboard.press("ArrowLeft")

    expect(page).to_have_url(re.compile(r"\?tab=durable$"))
    assert expect_enhanced(page, "Durable skills") > 0
    assert_no_navigation(page)


def test_keyboard_focus_on_a_chip_is_visible(page):
    page.goto(OCCUPATION_URL + "?tab=ai")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.chip')"):
            break
    else:
        pytest.fail("no citation chip reached with the Tab key")

    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; })()"
    )
    has_outline = style["outline"] != "none" and style["width"] > 0
    assert has_outline or style["shadow"] != "none", style


# Marks on <html> each request the page's scripts send (data-asked) and each answer once the page has
# handled it (data-answered), by the tab asked for and, for answers, their status: "ai durable", "ai:200".
# "loadend" comes after "load", whose handler is where htmx swaps an answer in or drops it.
RECORD_REQUESTS = """
(() => {
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  function mark(name, value) {
    const root = document.documentElement;
    root.setAttribute(name, ((root.getAttribute(name) || "") + " " + value).trim());
  }
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    const address = new URL(url, window.location.href);
    this.asked = address.searchParams.get("tab") || address.pathname;
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    mark("data-asked", this.asked);
    this.addEventListener("loadend", () => mark("data-answered", `${this.asked}:${this.status}`));
    return send.apply(this, args);
  };
})();
"""


def expect_on_the_anchors_tab(page):
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=anchors$"))
    expect_selected_tab(page, "Source anchors")
    expect(page.locator("#tabpanel")).to_have_attribute("aria-labelledby", "tab-anchors")
    expect(page.locator("#tabpanel")).to_contain_text("Tasks · seed anchors for statements")
    expect_focus_on_selected_tab(page, "Source anchors")
    expect(page).to_have_title("Source anchors · Insurance Sales Agents · Skills framework · NSX")


def test_fast_arrow_keys_end_on_the_last_tab_pressed(page):
    # Each press asks for a tab at once. The answers for the two tabs passed over are held back until the
    # last tab's has been shown, then let through one at a time: they come too late and change nothing.
    held = hold_requests(page, r"/occupations/41-3021\.00/\?tab=(ai|durable)$")
    page.add_init_script(RECORD_REQUESTS)
    page.goto(OCCUPATION_URL)
    html = page.locator("html")
    tab(page, "Occupational skills").focus()

    for _ in range(3):
        page.keyboard.press("ArrowRight")

    expect_on_the_anchors_tab(page)
    expect(html).to_have_attribute("data-asked", "ai durable anchors")
    expect(html).to_have_attribute("data-answered", "anchors:200")
    assert [route.request.url.rsplit("=", 1)[1] for route in held] == ["ai", "durable"]

    for route, answered in zip(held, ["anchors:200 ai:200", "anchors:200 ai:200 durable:200"], strict=True):
        route.continue_()
        expect(html).to_have_attribute("data-answered", answered)
        expect_on_the_anchors_tab(page)


def test_activating_the_selected_tab_changes_nothing(page):
    page.goto(OCCUPATION_URL)
    arrived = page.evaluate("history.length")
    asked = []
    page.on("request", lambda request: "tab=" in request.url and asked.append(request.url))
    selected = tab(page, "Occupational skills")
    set_marker(page)

    selected.focus()
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    selected.click()
    page.wait_for_timeout(300)

    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    assert page.evaluate("history.length") == arrived
    assert asked == []
    expect_focus_on_selected_tab(page, "Occupational skills")
    assert_no_navigation(page)


def test_arrowing_past_a_tab_and_back_keeps_the_selected_one(page):
    held = hold_requests(page, r"/occupations/41-3021\.00/\?tab=ai$")
    page.goto(OCCUPATION_URL)
    tab(page, "Occupational skills").focus()

    page.keyboard.press("ArrowRight")
    expect(tab(page, "AI use")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_timeout(300)

    # The answer for the tab passed over came after the way back to the shown one, and changes nothing.
    expect_selected_tab(page, "Occupational skills")
    expect_focus_on_selected_tab(page, "Occupational skills")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))


@pytest.mark.parametrize("modifier", ["Control", "Shift"])
def test_modified_click_opens_a_new_page_instead_of_swapping(page, modifier):
    page.add_init_script(RECORD_REQUESTS)
    page.goto(OCCUPATION_URL + "?tab=ai")
    set_marker(page)
    chip = page.locator(".chip").first
    slot = page.locator("#" + chip.get_attribute("aria-controls"))

    with page.context.expect_page() as opened:
        chip.click(modifiers=[modifier])
    citation_page = opened.value
    citation_page.wait_for_load_state()
    assert re.search(r"/citations/\d+/$", citation_page.url)
    citation_page.close()

    with page.context.expect_page() as opened:
        tab(page, "Durable skills").click(modifiers=[modifier])
    tab_page = opened.value
    tab_page.wait_for_load_state()
    assert tab_page.url.endswith("/occupations/41-3021.00/?tab=durable")
    tab_page.close()

    # The page asked for nothing (htmx sends as it handles the click, before the new page opens), so
    # nothing can change it later.
    assert page.locator("html").get_attribute("data-asked") is None
    expect(chip).to_have_attribute("aria-expanded", "false")
    expect(slot).to_be_hidden()
    expect_selected_tab(page, "AI use")
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/\?tab=ai$"))
    assert_no_navigation(page)


def chromium_link_names(page):
    """The names Chromium's own accessibility tree gives the page's links, as screen readers get them."""
    return [ax_name(node) for node in chromium_ax_nodes(page) if ax_role(node) == "link" and "name" in node]


def test_citation_chips_are_named_by_their_source_without_the_arrow(page):
    page.goto(OCCUPATION_URL + "?tab=ai")
    name = "Anthropic Economic Index — " + Source.objects.get(key="aei").title
    chip = page.get_by_role("link", name=name, exact=True).first
    expect(chip).to_have_attribute("aria-expanded", "false")

    chip.click()  # the open chip's arrow points the other way

    expect(chip).to_have_attribute("aria-expanded", "true")
    names = chromium_link_names(page)
    assert name in names
    assert [link for link in names if "▾" in link or "▴" in link] == []


def sign_in_next(page):
    return page.evaluate("new URL(document.getElementById('sign-in').href).searchParams.get('next')")


def test_sign_in_returns_to_the_tab_shown(page):
    page.goto(OCCUPATION_URL)
    assert sign_in_next(page) == OCCUPATION_URL

    tab(page, "AI use").click()
    expect(page).to_have_url(re.compile(r"\?tab=ai$"))
    assert sign_in_next(page) == OCCUPATION_URL + "?tab=ai"

    page.go_back()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    assert sign_in_next(page) == OCCUPATION_URL

    tab(page, "Durable skills").click()
    expect(page).to_have_url(re.compile(r"\?tab=durable$"))
    page.get_by_role("link", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator('input[name="next"]')).to_have_value(OCCUPATION_URL + "?tab=durable")


def test_a_chip_whose_citation_is_gone_follows_its_link(page, browser_errors):
    page.goto(OCCUPATION_URL + "?tab=ai")
    chip = page.locator(".chip").first
    address = chip.get_attribute("href")
    Citation.objects.filter(pk=int(address.strip("/").split("/")[-1])).delete()

    chip.click()

    # As without JavaScript: the citation's own address, which says it is not there.
    expect(page).to_have_url(re.compile(re.escape(address) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("We could not find that page")
    # The failed request and the page it led to, both expected here.
    expected = ("status of 404", "Response Status Error Code 404")
    browser_errors[:] = [error for error in browser_errors if not any(text in error for text in expected)]


def test_the_context_heading_reads_as_written(page):
    # Styled in capitals, read and copied as written: a text-transform would change what innerText gives.
    page.goto(OCCUPATION_URL)

    assert page.get_by_role("heading", name="Context covered").inner_text() == "Context covered"


@pytest.mark.parametrize("javascript", [True, False])
def test_chips_and_the_anchors_toggle_show_an_arrow_only_where_they_open_in_place(open_page, seed, javascript):
    # Without JavaScript they are links to other pages, and an arrow would promise a panel.
    page = open_page(java_script_enabled=javascript)
    page.goto(OCCUPATION_URL + "?tab=ai")

    for control in (page.locator(".chip").first, page.locator(".anchors-disclosure__toggle")):
        arrow = control.evaluate("element => getComputedStyle(element, '::after').content")
        assert (arrow != "none") == javascript, arrow


def test_a_tab_answering_after_back_leaves_the_page_gone_back_to(page):
    # Back while a tab loads restores the page before it; the tab's answer, arriving after, is for a page
    # no longer shown and must neither swap in nor take the address or the title.
    page.add_init_script(RECORD_REQUESTS)
    page.goto(OCCUPATION_URL)
    html = page.locator("html")
    tab(page, "AI use").click()
    expect(page).to_have_url(re.compile(r"\?tab=ai$"))
    held = hold_requests(page, r"/occupations/41-3021\.00/\?tab=durable$")
    tab(page, "Durable skills").click()
    expect(html).to_have_attribute("data-asked", "ai durable")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    expect_selected_tab(page, "Occupational skills")
    entries = page.evaluate("history.length")
    held[0].continue_()
    expect(html).to_have_attribute("data-answered", "ai:200 durable:200")

    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/$"))
    expect(page).to_have_title("Insurance Sales Agents · Skills framework · NSX")
    expect_selected_tab(page, "Occupational skills")
    expect(page.locator("#tabpanel")).to_contain_text("Standard insurance policy types")
    assert page.evaluate("history.length") == entries


@pytest.mark.parametrize("control", [".chip", ".anchors-disclosure__toggle"])
def test_pressing_a_disclosure_again_while_it_loads_leaves_it_opening(page, control):
    # A second press while the panel is on its way (a double click, or a press again on a slow line) is the
    # same request again: it must not be queued to close the panel the moment it opens.
    page.add_init_script(RECORD_REQUESTS)
    page.goto(OCCUPATION_URL + "?tab=ai")
    html = page.locator("html")
    opener = page.locator(control).first
    held = hold_requests(page, r"/(citations/\d+|occupations/41-3021\.00/anchors)/$")

    opener.click()
    # Pressed, it shows that its panel is on its way.
    expect(opener).to_have_class(re.compile(r"\bhtmx-request\b"))
    assert opener.evaluate("element => getComputedStyle(element).cursor") == "progress"
    opener.click()
    expect(html).to_have_attribute("data-asked", re.compile(r"/$"))
    held[0].continue_()
    expect(html).to_have_attribute("data-answered", re.compile(r":200$"))

    expect(opener).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#" + opener.get_attribute("aria-controls"))).to_be_visible()
    # A press now closes it, without asking again.
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "false")
    assert len(held) == 1


def is_busy(locator):
    return locator.evaluate("element => element.getAttribute('aria-busy') === 'true'")


def opacity(locator):
    return float(locator.evaluate("element => getComputedStyle(element).opacity"))


def test_a_tab_on_its_way_shows_its_panel_loading(page):
    # On a slow line the press must show at once that the tab is coming, to eyes and to screen readers.
    page.goto(OCCUPATION_URL)
    tabs, panel = page.locator("#framework-tabs"), page.locator("#tabpanel")
    assert not is_busy(tabs) and opacity(panel) == 1
    held = hold_requests(page, r"/occupations/41-3021\.00/\?tab=ai$")

    tab(page, "AI use").click()

    expect(tabs).to_have_attribute("aria-busy", "true")
    assert opacity(panel) < 1
    held[0].continue_()
    expect(panel).to_contain_text("Evidence pack")
    assert not is_busy(tabs) and opacity(panel) == 1

    # Nor is the page gone back to, which htmx kept as it was while the tab loaded.
    page.go_back()
    expect(panel).to_contain_text("Standard insurance policy types")
    assert not is_busy(tabs) and opacity(panel) == 1
