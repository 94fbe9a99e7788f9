"""A curator's edit reaches the public page through review, in a real browser."""

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from evidence.models import Source
from frameworks import services
from frameworks.models import Framework
from tests.browser.conftest import OCCUPATION_URL
from tests.factories import PASSWORD, UserFactory
from tests.tools import AXE, require

pytestmark = pytest.mark.browser

NEW_TEXT = "compare the standard policy types side by side for each client."


@pytest.fixture
def roles(transactional_db):
    # A transactional test empties every table when it ends, the groups migration 0004 made included.
    import_module("frameworks.migrations.0005_history_and_workflow").create_roles(apps, None)


def sign_in(page, username):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def framework_change_url(version):
    framework = Framework.objects.get(occupation__soc_code="41-3021.00", version=version)
    return f"/admin/frameworks/framework/{framework.pk}/change/"


def test_curator_edits_submits_and_editor_publishes(page, open_page, browser_errors, roles):
    UserFactory(username="curator", role="Curator")
    UserFactory(username="editor", role="Editor")

    # The curator copies the published framework into a new draft, edits a statement and submits it.
    sign_in(page, "curator")
    page.goto(framework_change_url("26.05"))
    page.get_by_role("link", name="Copy as new version").click()
    expect(page.get_by_label("New version:")).to_have_value("26.06")
    page.get_by_role("button", name="Copy as a new draft").click()
    expect(page.locator(".messagelist")).to_contain_text("is a new draft copied from v.26.05")

    skills = page.locator("fieldset", has=page.get_by_role("heading", name="Occupational skills statements"))
    row = skills.locator("tr", has_text="Standard insurance policy types")
    row.get_by_role("link", name="Change").click()
    page.get_by_label("Text:").fill(NEW_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(framework_change_url("26.06"))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("is now In review")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    # Until it is published the public page keeps the old text, and the draft address is not found.
    public = open_page()
    public.goto(OCCUPATION_URL)
    expect(public.locator("#tabpanel")).to_contain_text("identify and describe key features")
    assert public.goto(OCCUPATION_URL + "versions/26.06/").status == 404
    assert all("404" in error for error in browser_errors)
    browser_errors.clear()  # that 404 was asked for

    # The editor previews the draft at its address, then publishes it.
    editor = open_page()
    sign_in(editor, "editor")
    editor.goto(OCCUPATION_URL + "versions/26.06/")
    expect(editor.get_by_role("note")).to_contain_text("Draft — not public.")
    expect(editor.locator("#tabpanel")).to_contain_text(NEW_TEXT)
    editor.goto(framework_change_url("26.06"))
    editor.get_by_role("button", name="Publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("is now Published")
    editor.context.close()

    public.goto(OCCUPATION_URL)
    expect(public.locator("#tabpanel")).to_contain_text(NEW_TEXT)
    expect(public.locator(".occupation-facts")).to_contain_text("v.26.06")
    public.goto(OCCUPATION_URL + "versions/26.05/")
    expect(public.get_by_role("note")).to_contain_text("An earlier version.")
    expect(public.locator("#tabpanel")).to_contain_text("identify and describe key features")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_step_saves_what_the_curator_typed_on_the_page(open_page, seed, browser_errors, roles, javascript):
    UserFactory(username="curator", role="Curator")
    draft = services.copy_as_new_version(seed, "26.06")
    page = open_page(java_script_enabled=javascript)

    sign_in(page, "curator")
    page.goto(f"/admin/frameworks/framework/{draft.pk}/change/")
    page.get_by_label("Context covered:").fill("Agencies and brokers, typed before submitting.")
    step = page.get_by_role("button", name="Save and submit for review")
    if javascript:
        # The steps sit in the form's row of buttons, named and sized as the others are.
        axe = require(AXE, f"axe-core not found at {AXE}; run `npm ci` (`make test` does).").read_text()
        page.evaluate(axe)
        result = page.evaluate("() => axe.run('.submit-row')")
        assert not [(violation["id"], len(violation["nodes"])) for violation in result["violations"]]
        save = page.get_by_role("button", name="Save", exact=True).bounding_box()
        assert step.bounding_box()["height"] == save["height"]
    step.click()

    expect(page.locator(".messagelist")).to_contain_text("is now In review")
    expect(page.get_by_label("Context covered:")).to_have_value("Agencies and brokers, typed before submitting.")
    draft.refresh_from_db()
    assert (draft.status, draft.context_covered) == (
        Framework.Status.IN_REVIEW,
        "Agencies and brokers, typed before submitting.",
    )
    assert not browser_errors


def test_history_and_revert_pages_keep_their_styles_under_the_csp(page, browser_errors, roles):
    # simple-history writes one style inline, which the CSP refuses; it comes from css/curation.css instead.
    UserFactory(username="curator", role="Curator")
    draft = services.copy_as_new_version(Framework.objects.get(version="26.05"), "26.06")
    statement = draft.statements.get(title="Claims communication")
    original = statement.text
    statement.text = "a worse text."
    statement.save()

    sign_in(page, "curator")
    page.goto(f"/admin/frameworks/statement/{statement.pk}/history/")
    paginator = page.locator("#change-history + .paginator")
    expect(paginator).to_contain_text("2 entries")
    assert paginator.evaluate("p => getComputedStyle(p).borderTopStyle") == "none"
    assert not browser_errors

    page.get_by_role("link", name="Claims communication").last.click()  # the oldest version
    expect(page.get_by_label("Text:")).to_have_value(original)
    assert not browser_errors
    page.get_by_role("button", name="Revert").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    statement.refresh_from_db()
    assert statement.text == original


def test_the_framework_pages_statement_tables_name_every_control(page, roles):
    # A table's column headings do not name its inputs: axe's label rules check each has a name.
    UserFactory(username="curator", role="Curator")
    draft = services.copy_as_new_version(Framework.objects.get(version="26.05"), "26.06")
    axe = require(AXE, f"axe-core not found at {AXE}; run `npm ci` (`make test` does).").read_text()

    sign_in(page, "curator")
    page.goto(f"/admin/frameworks/framework/{draft.pk}/change/")
    page.evaluate(axe)
    result = page.evaluate("() => axe.run(document, {runOnly: ['label', 'select-name']})")

    assert page.get_by_label("Position of “Client intake dialogue”").count() == 1
    assert not [(violation["id"], len(violation["nodes"])) for violation in result["violations"]]


def test_a_citation_is_added_by_choosing_its_source_in_the_autocomplete(page, roles):
    UserFactory(username="curator", role="Curator")
    draft = services.copy_as_new_version(Framework.objects.get(version="26.05"), "26.06")
    statement = draft.statements.get(title="Claims communication")
    source = Source.objects.exclude(citations__statement=statement).order_by("position").first()

    sign_in(page, "curator")
    page.goto(f"/admin/evidence/citation/add/?statement={statement.pk}")
    chosen = page.locator("#select2-id_source-container")
    # Nothing chosen yet: the empty first option shows as the (empty) placeholder, not as dashes.
    expect(chosen).to_have_text("")
    page.locator(".field-source .select2-selection").click()
    page.locator(".select2-search__field").fill(source.label)
    page.locator(".select2-results__option", has_text=source.label).first.click()
    expect(chosen).to_contain_text(source.label)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert statement.citations.filter(source=source).exists()


def test_a_statements_page_offers_the_levels_and_domains_its_section_takes(page, browser_errors, roles):
    UserFactory(username="curator", role="Curator")
    draft = services.copy_as_new_version(Framework.objects.get(version="26.05"), "26.06")

    sign_in(page, "curator")
    page.goto(f"/admin/frameworks/statement/add/?framework={draft.pk}")
    level, domain = page.get_by_label("Level:"), page.get_by_label("Domain:")
    page.get_by_label("Section:").select_option(label="Durable skills")
    level.select_option(label="Applying (Durable-skill proficiency)")
    domain.select_option(label="Leadership")

    page.get_by_label("Section:").select_option(label="Occupational skills")

    offered = level.locator("option:not([disabled])").all_inner_texts()
    assert offered == ["- Select an option -", *(f"{name} (Mastery)" for name in ("Emerging", "Developing", "Proficient", "Advanced"))]
    expect(level).to_have_value("")  # Applying is not a level of Occupational skills' scale
    expect(domain).to_be_disabled()
    expect(domain).to_have_value("")

    page.get_by_label("Section:").select_option(label="Durable skills")

    expect(domain).to_be_enabled()
    assert "Advanced (Mastery)" not in level.locator("option:not([disabled])").all_inner_texts()
    assert not browser_errors
