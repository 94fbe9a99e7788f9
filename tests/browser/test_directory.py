"""The occupation directory's live search in a browser: results follow the form, and Back restores both."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_back_shows_the_form_that_gave_the_results(page):
    page.goto("/occupations/")
    page.fill("#id_q", "insurance")
    expect(page).to_have_url(re.compile(r"q=insurance"))
    page.select_option("#id_job_zone", "4")
    expect(page).to_have_url(re.compile(r"job_zone=4"))
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
