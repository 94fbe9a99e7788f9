"""axe-core finds no WCAG 2.2 A/AA violation on any page type, in any state a visitor can put it in."""

import re

import pytest
from playwright.sync_api import expect

from frameworks.models import Domain, Framework
from tests.browser.conftest import OCCUPATION_URL, PAGE_TYPES
from tests.factories import FrameworkFactory
from tests.test_errors import fail_the_framework_page
from tests.tools import AXE, require

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def axe_source():
    return require(AXE, f"axe-core not found at {AXE}; run `npm ci` (`make test` does).").read_text()


def axe_violations(page, axe_source, run_only=None):
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays in force.
    page.evaluate(axe_source)
    result = page.evaluate(
        "runOnly => axe.run(document, {runOnly, resultTypes: ['violations']})",
        run_only or {"type": "tag", "values": WCAG_TAGS},
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
    ]


def assert_accessible(page, axe_source):
    violations = axe_violations(page, axe_source)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_page_has_no_wcag_violations(page, axe_source, path):
    page.goto(path)

    assert_accessible(page, axe_source)


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_landmarks_have_unique_names(page, axe_source, path):
    # A best practice rather than a WCAG rule, so the run above skips it: a screen reader's list of
    # landmarks must tell each apart.
    page.goto(path)

    violations = axe_violations(page, axe_source, {"type": "rule", "values": ["landmark-unique"]})

    assert not violations, f"{page.url}:\n" + "\n".join(violations)


def region_landmarks(page):
    """The names of the region landmarks in Chromium's accessibility tree, as screen readers list them,
    with the domain number and statement count of a domain's heading left out."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    names = [node["name"]["value"] for node in nodes if node.get("role", {}).get("value") == "region"]
    # The tree lists nodes in an order of its own, not the page's.
    return sorted(re.sub(r"^\d+ | \d+ (?:statement|anchor)s?$", "", name) for name in names)


def test_levels_are_not_landmarks(page):
    # Each domain of the durable skills is a region, found by name; its levels are found by their headings.
    page.goto(OCCUPATION_URL + "?tab=durable")

    assert region_landmarks(page) == sorted(Domain.objects.values_list("name", flat=True))
    communication = page.get_by_role("region", name=re.compile(r"\bCommunication\b"))
    expect(communication.get_by_role("heading", level=4)).to_have_text(["Emerging", "Developing", "Applying", "Exceeding"])


def test_the_print_view_has_a_region_for_each_domain_and_part_not_each_level(page):
    page.goto(OCCUPATION_URL + "print/")

    parts = ["Evidence pack", "Source anchors that ground each statement", "Sources"]
    assert region_landmarks(page) == sorted([*Domain.objects.values_list("name", flat=True), *parts])


def test_not_found_page_has_no_wcag_violations(page, axe_source, browser_errors):
    response = page.goto("/occupations/99-9999.99/")

    assert response.status == 404
    # Chromium logs the 404 itself as a console error; it is the point of this page.
    browser_errors[:] = [error for error in browser_errors if "status of 404" not in error]
    assert_accessible(page, axe_source)


def test_server_error_page_has_no_wcag_violations(page, axe_source, browser_errors, monkeypatch):
    fail_the_framework_page(monkeypatch, RuntimeError("a bug"))
    response = page.goto(OCCUPATION_URL)

    assert response.status == 500
    browser_errors[:] = [error for error in browser_errors if "status of 500" not in error]
    assert_accessible(page, axe_source)


def test_open_chip_has_no_wcag_violations(page, axe_source):
    page.goto(OCCUPATION_URL + "?tab=ai")
    chip = page.locator(".chip").first

    chip.click()

    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".citation-slot:not([hidden]) .citation-detail")).to_be_visible()
    assert_accessible(page, axe_source)


def test_citation_page_has_no_wcag_violations(page, axe_source):
    page.goto(OCCUPATION_URL + "?tab=durable")

    page.goto(page.locator(".chip").first.get_attribute("href"))

    assert_accessible(page, axe_source)


def test_anchor_disclosure_has_no_wcag_violations(page, axe_source):
    page.goto(OCCUPATION_URL)

    page.locator(".anchors-disclosure__toggle").click()

    expect(page.locator("#anchors-disclosure #anchor-panel")).to_be_visible()
    assert_accessible(page, axe_source)


def test_suggestion_form_with_errors_has_no_wcag_violations(page, axe_source):
    page.goto(OCCUPATION_URL + "suggest/")

    page.get_by_role("button", name="Send suggestion").click()

    expect(page.locator(".form-errors")).to_be_visible()
    assert page.locator(".field--error").count() > 0
    assert_accessible(page, axe_source)


def test_login_form_with_errors_has_no_wcag_violations(page, axe_source):
    page.goto("/accounts/login/")

    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".field--error").first).to_be_visible()
    assert_accessible(page, axe_source)


def test_open_list_of_versions_has_no_wcag_violations(page, axe_source, seed):
    FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)
    page.goto(OCCUPATION_URL + "versions/25.11/")

    page.get_by_text("Versions of this framework").click()

    expect(page.get_by_role("link", name="v.26.05", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
