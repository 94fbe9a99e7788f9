"""On a phone nothing overflows and every target can be tapped; motion and forced colours respect the
visitor's settings; the print view prints the whole framework with its sources."""

import io
import re

import pytest
from playwright.sync_api import expect

from frameworks.models import Statement
from tests.browser.conftest import OCCUPATION_URL, PAGE_TYPES

pytestmark = pytest.mark.browser

MOBILE_WIDTH = 390

# WCAG 2.5.8 Target Size (Minimum): a target is at least 24 by 24 CSS pixels, or a 24 px circle
# centred on it meets no other target nor another small target's circle. Links inside a sentence
# are exempt.
SMALL_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden"
      && !el.closest("[hidden], .visually-hidden, .skip-link, [aria-hidden='true']");
  };
  const words = (el) => el.textContent.replace(/\\s+/g, " ").trim();
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement.closest("p, li, dd, figcaption");
    return block !== null && words(block).length > words(el).length;
  };
  const targets = [...document.querySelectorAll(selector)].filter(shown);
  const boxes = targets.map((el) => el.getBoundingClientRect());
  const small = (box) => box.width < 24 || box.height < 24;
  const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
  return targets.flatMap((el, i) => {
    const box = boxes[i];
    if (!small(box) || inSentence(el)) return [];
    const [x, y] = centre(box);
    const crowded = boxes.some((other, j) => {
      if (j === i || targets[j].contains(el)) return false;  // a focusable container, e.g. a tab panel
      const dx = Math.max(other.left - x, 0, x - other.right);
      const dy = Math.max(other.top - y, 0, y - other.bottom);
      if (Math.hypot(dx, dy) < 12) return true;
      const [ox, oy] = centre(other);
      return small(other) && Math.hypot(x - ox, y - oy) < 24;
    });
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    return crowded ? [`${el.outerHTML.slice(0, 100)} (${size})`] : [];
  });
}"""


def test_nothing_overflows_and_targets_are_big_enough_on_a_phone(mobile_page):
    page = mobile_page
    problems = []
    for path in PAGE_TYPES:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > MOBILE_WIDTH:
            problems.append(f"{path}: the page is {width} px wide")
        problems += [f"{path}: small target {target}" for target in page.evaluate(SMALL_TARGETS)]

    assert not problems, "\n".join(problems)


def test_tabs_fit_and_work_on_a_phone(mobile_page):
    page = mobile_page
    page.goto(OCCUPATION_URL)
    tabs = page.get_by_role("tab")
    assert tabs.count() == 4
    for index in range(4):
        box = tabs.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE_WIDTH, box
        assert box["height"] >= 44, box

    page.get_by_role("tab", name="Durable skills").tap()

    expect(page.get_by_role("tab", name="Durable skills")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tabpanel")).to_contain_text("Fortitude")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE_WIDTH


MOTION = """selector => [...document.querySelectorAll(selector)].map((el) => {
  const style = getComputedStyle(el);
  return [style.transitionDuration, style.animationDuration].join(",");
})"""


def longest_motion(page, selector):
    durations = ",".join(page.evaluate(MOTION, selector)).split(",")
    return max(float(value.removesuffix("s")) for value in durations)


def test_reduced_motion_turns_transitions_off(page):
    page.goto(OCCUPATION_URL + "?tab=ai")
    assert longest_motion(page, ".chip, .tabs__tab") > 0, "chips and tabs have no transition to turn off"

    page.emulate_media(reduced_motion="reduce")

    assert longest_motion(page, ".chip, .tabs__tab, .anchors-disclosure__toggle, a, button") == 0


# What forced colours leave as the author wrote it: not colours, backgrounds or shadows.
KEPT_BY_FORCED_COLORS = """tabs => tabs.map((tab) => {
  const style = getComputedStyle(tab);
  return ["Top", "Right", "Bottom", "Left"].map((side) => style[`border${side}Width`] + " " + style[`border${side}Style`])
    .concat([style.textDecorationLine, style.outlineStyle, style.fontWeight, style.fontStyle]).join(",");
})"""


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_selected_tab_stands_out_in_forced_colors(open_page, seed, width, javascript):
    page = open_page(viewport={"width": width, "height": 844}, java_script_enabled=javascript)
    page.goto(OCCUPATION_URL + "?tab=ai")

    page.emulate_media(forced_colors="active")

    # Without JavaScript the tabs are links, the one shown the current page.
    tabs = page.locator(".tabs__tab")
    styles = dict(zip(tabs.all_inner_texts(), tabs.evaluate_all(KEPT_BY_FORCED_COLORS), strict=True))
    selected = styles.pop("AI use")
    assert selected not in styles.values(), styles


def normalised(text):
    """Text without the spaces, line breaks and hyphens that PDF layout adds or moves."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text).casefold()


def test_print_view_prints_every_statement_and_its_sources(page):
    from pypdf import PdfReader

    page.goto(OCCUPATION_URL)
    page.get_by_role("link", name="Print or save the whole framework").click()
    expect(page).to_have_url(re.compile(r"/occupations/41-3021\.00/print/$"))

    pdf = page.pdf(format="A4")

    reader = PdfReader(io.BytesIO(pdf))
    text = normalised("\n".join(sheet.extract_text() for sheet in reader.pages))
    statements = Statement.objects.filter(framework__occupation__soc_code="41-3021.00")
    assert statements.count() > 100
    missing = [statement.title for statement in statements if normalised(statement.title) not in text]
    assert not missing, f"{len(missing)} statements missing from the PDF: {missing[:10]}"
    assert normalised("Sources") in text
    for title in page.locator(".footnote-list cite").all_inner_texts():
        assert normalised(title) in text, title
    # Who supplied the anchors is printed with them; the screen's navigation is not.
    assert normalised("O*NET enrichment · skillscrosswalk.com") in text
    screen_only = ["Back to Insurance Sales Agents", "National Skills Exchange", "Suggest an O*NET"]
    for words in screen_only:
        assert normalised(words) not in text, words


REFLOW_WIDTH = 320  # WCAG 1.4.10 Reflow: read without scrolling sideways at 320 CSS pixels
# Source pages head with their release, whose key can be a long unbroken token (release_2026_03_24).
SOURCE_PAGES = ["/sources/aei/", "/sources/safi/", "/sources/skillscrosswalk/"]
# WCAG 1.4.12 Text Spacing: nothing is lost with this much space between lines, paragraphs, letters and words.
TEXT_SPACING = """
  * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
  p { margin-bottom: 2em !important; }
"""


def test_nothing_overflows_at_the_reflow_width(open_page, seed):
    page = open_page(viewport={"width": REFLOW_WIDTH, "height": 640})
    wide = []
    for path in PAGE_TYPES + SOURCE_PAGES:
        page.goto(path)
        if (width := page.evaluate("document.documentElement.scrollWidth")) > REFLOW_WIDTH:
            wide.append(f"{path}: the page is {width} px wide")

    assert not wide, "\n".join(wide)


def test_nothing_overflows_at_the_reflow_width_with_wider_text_spacing(open_page, seed):
    # The visitor's own style sheet, as a bookmarklet or extension adds it: past the site's CSP.
    page = open_page(viewport={"width": REFLOW_WIDTH, "height": 640}, bypass_csp=True)
    wide = []
    for path in [OCCUPATION_URL + "?tab=ai", *SOURCE_PAGES]:
        page.goto(path)
        page.add_style_tag(content=TEXT_SPACING)
        if (width := page.evaluate("document.documentElement.scrollWidth")) > REFLOW_WIDTH:
            wide.append(f"{path}: the page is {width} px wide")

    assert not wide, "\n".join(wide)


# Each sentence's full stop after its last chip: (on the chip's line, on the chip's line) for each sentence.
STOPS_BESIDE_CHIPS = """() => [...document.querySelectorAll(".chips__last")].map((last) => {
  const chip = last.querySelector(".chip").getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(last.lastChild);
  const stop = range.getBoundingClientRect();
  return stop.top >= chip.top - 1 && stop.bottom <= chip.bottom + 1;
})"""


def test_a_full_stop_never_wraps_away_from_its_chip_at_the_reflow_width(open_page, seed):
    page = open_page(viewport={"width": REFLOW_WIDTH, "height": 640})
    page.goto(OCCUPATION_URL + "?tab=ai")

    beside = page.evaluate(STOPS_BESIDE_CHIPS)

    assert beside and all(beside), f"{beside.count(False)} of {len(beside)} full stops start a line of their own"



# Words of a panel's values that break across lines though each would fit on a line of the panel: [word, pieces].
NEEDLESSLY_BROKEN_WORDS = """panel => {
  const style = getComputedStyle(panel);
  const width = panel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const broken = [];
  for (const value of panel.querySelectorAll("dd")) {
    const walker = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const pieces = [...range.getClientRects()].filter((rect) => rect.width > 0);
        const length = pieces.reduce((sum, rect) => sum + rect.width, 0);
        if (pieces.length > 1 && length <= width) broken.push([match[0], pieces.length]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", [REFLOW_WIDTH, 1024])
def test_an_open_chip_breaks_no_word_that_fits_its_panel(open_page, seed, width):
    # At 1024 px the four levels stand side by side, and an open chip has a level's column to itself.
    page = open_page(viewport={"width": width, "height": 800})
    page.goto(OCCUPATION_URL + "?tab=ai")
    statement = page.locator(".statement", has_text="Prospect list generation")

    statement.get_by_role("link", name=re.compile("^Anthropic Economic Index")).click()

    detail = statement.locator(".citation-detail")
    expect(detail.locator("dd", has_text="Anthropic")).to_be_visible()
    broken = detail.evaluate(NEEDLESSLY_BROKEN_WORDS)
    assert not broken, f"words split across lines in the open chip: {broken}"


def set_default_font_size(page, pixels):
    """The browser's own text size, as a visitor sets it (Chrome's Font size, Android's text scaling):
    1rem, and the rem of media queries, become this many pixels."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": pixels}})


LARGE_TEXT = 24  # 150% of the usual 16 px


@pytest.mark.parametrize(
    "path", [OCCUPATION_URL + "?tab=ai", OCCUPATION_URL + "?tab=anchors", OCCUPATION_URL + "print/", OCCUPATION_URL + "anchors/"]
)
def test_nothing_overflows_at_the_reflow_width_with_larger_text(open_page, seed, path):
    page = open_page(viewport={"width": REFLOW_WIDTH, "height": 640})
    set_default_font_size(page, LARGE_TEXT)

    page.goto(path)

    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{LARGE_TEXT}px"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= REFLOW_WIDTH, f"the page is {width} px wide"


def test_the_not_found_pages_example_code_stays_on_one_line_at_the_reflow_width(open_page, seed, browser_errors):
    page = open_page(viewport={"width": REFLOW_WIDTH, "height": 640})

    assert page.goto("/occupations/99-9999.99/").status == 404

    browser_errors[:] = [error for error in browser_errors if "status of 404" not in error]
    example = page.locator("main code", has_text="41-3021.00")
    lines = example.evaluate("code => new Set([...code.getClientRects()].map((rect) => Math.round(rect.top))).size")
    assert lines == 1, "the example SOC code breaks after '41-'"
