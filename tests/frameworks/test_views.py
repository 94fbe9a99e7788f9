import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils.html import escape

from evidence.models import Citation, EvidenceMetric, Source
from exchange.identifiers import framework_identifier
from frameworks.models import Framework, Section, Statement
from tests.factories import (
    CitationFactory,
    EvidenceMetricFactory,
    FrameworkFactory,
    OccupationFactory,
    SourceAnchorFactory,
    SourceFactory,
    StatementFactory,
)
from tests.pages import HTMX

pytestmark = pytest.mark.django_db

PAGE = "/occupations/41-3021.00/"


def test_home_lists_published_frameworks_with_a_search_box(client, seed):
    FrameworkFactory(occupation__title="Hidden Draft Occupation", status=Framework.Status.DRAFT)

    response = client.get("/")

    assert response.status_code == 200
    assert b'href="/occupations/41-3021.00/"' in response.content
    assert "Insurance Sales Agents" in response.text
    assert "Hidden Draft Occupation" not in response.text
    assert 'action="/occupations/"' in response.text
    assert 'name="q"' in response.text


def test_home_marks_a_framework_whose_occupation_left_onet(client, seed):
    retired = FrameworkFactory(
        occupation__title="Telegraph Operators", occupation__retired=True, status=Framework.Status.PUBLISHED
    )

    response = client.get("/")

    cards = re.findall(r'<li class="card">.*?</li>', response.text, flags=re.S)
    [telegraph] = [card for card in cards if retired.occupation.title in card]
    [insurance] = [card for card in cards if "Insurance Sales Agents" in card]
    assert "Not in the current O*NET release" in telegraph
    assert "Not in the current O*NET release" not in insurance


def test_framework_page_header(client, seed):
    response = client.get(PAGE)

    assert response.status_code == 200
    text = response.text
    assert "<h1>Insurance Sales Agents</h1>" in text
    assert "41-3021.00" in text
    assert "Job Zone 4 · Considerable Preparation" in text
    assert "v.26.05" in text
    assert "Context covered" in text
    assert escape(seed.context_covered) in text
    assert "Sign in" in text


def test_skills_tab_is_the_default_and_shows_every_occupational_statement(client, seed):
    response = client.get(PAGE)

    statements = Statement.objects.filter(framework=seed, section__key="skills")
    assert statements.count() == 40
    for statement in statements:
        assert escape(statement.title) in response.text
        assert escape(statement.text) in response.text
    for role in ["Entry / Apprentice", "Mid-level / Established", "Senior / Expert IC", "Lead / Principal / Executive"]:
        assert role in response.text
    assert 'id="tab-skills" class="tabs__tab" href="/occupations/41-3021.00/?tab=skills" aria-current="page"' in response.text


@pytest.mark.parametrize("tab", ["skills", "ai", "durable", "anchors"])
def test_each_tab_is_a_real_link_and_marks_itself_the_current_page(client, seed, tab):
    response = client.get(PAGE, {"tab": tab})

    assert response.status_code == 200
    assert response.text.count('class="tabs__tab"') == 4
    assert f'id="tab-{tab}" class="tabs__tab" href="/occupations/41-3021.00/?tab={tab}" aria-current="page"\n' in response.text
    assert response.text.count('aria-current="page"') == 1
    assert f'<section id="tabpanel" aria-labelledby="tab-{tab}"' in response.text


def test_sections_sharing_a_position_are_in_the_same_order_on_the_page_and_in_the_exports(client, seed):
    # Stored skills, ai, durable: their keys put them in another order.
    Section.objects.update(position=1)

    tabs = re.findall(r'id="tab-(\w+)" class="tabs__tab"', client.get(PAGE).text)
    rows = csv.DictReader(io.StringIO(client.get(f"{PAGE}framework.csv").content.decode("utf-8")))
    exported = list(dict.fromkeys(row["section"] for row in rows))

    assert tabs == ["ai", "durable", "skills", "anchors"]
    assert exported == [Section.objects.get(key=key).name for key in tabs[:-1]]


# What would make a screen reader announce a tab or a collapsed disclosure: true only once the script
# has made these links work in place, so the script adds it.
SCRIPTED_ARIA = ['role="tablist"', 'role="tab"', 'role="tabpanel"', "aria-selected", "aria-expanded", "aria-controls"]


@pytest.mark.parametrize("tab", ["skills", "ai", "durable", "anchors"])
@pytest.mark.parametrize("htmx", [False, True])
def test_tabs_chips_and_the_anchors_toggle_are_served_as_plain_links(client, seed, tab, htmx):
    text = client.get(PAGE, {"tab": tab}, headers=HTMX if htmx else {}).text

    assert [attribute for attribute in SCRIPTED_ARIA if attribute in text] == []
    for link in re.findall(r'<a class="(?:chip|anchors-disclosure__toggle)"[^>]*>', text):
        assert 'href="/' in link
    if tab != "anchors":
        assert '<a class="anchors-disclosure__toggle"' in text
    if tab in ("ai", "durable"):
        assert '<a class="chip"' in text


def test_ai_tab_shows_statements_chips_and_evidence_pack(client, seed):
    response = client.get(PAGE, {"tab": "ai"})

    text = response.text
    for statement in Statement.objects.filter(framework=seed, section__key="ai"):
        assert escape(statement.title) in text
        assert escape(statement.text.removesuffix(".")) in text  # the full stop follows the chips
    ai_citations = Citation.objects.filter(statement__framework=seed, statement__section__key="ai")
    for citation in ai_citations:
        assert f'href="/citations/{citation.pk}/"' in text
    assert text.count('class="chip"') == ai_citations.count()
    assert "Evidence pack" in text
    for shown in [
        "AEI usage", "Task observations:</dt> <dd>1029", "Augment share:</dt> <dd>95%", "Time saved:</dt> <dd>87.6%",
        "AI autonomy:</dt> <dd>3.06", "SAFI positioning", "Top skill:</dt> <dd>Reading Comprehension",
        "Score:</dt> <dd>45.5 / 100", "Quadrant:</dt> <dd>Q2_ai_augmented", "precision:</dt> <dd>exact",
        "WEF cluster", "Human-Technology Interaction", "human_technology_interaction",
    ]:
        assert shown in text
    assert "Authoritative source data identified for 1 occupation" in text
    for source in [
        '<a href="/sources/aei/">Anthropic Economic Index</a>',
        '<a href="/sources/safi/">Jadhav &amp; Danve, 2026</a>',
        '<a href="/sources/wef/">WEF Skills Taxonomy</a>',
    ]:
        assert f'<p class="metric-source">Source: {source}</p>' in text


def test_the_evidence_pack_shows_on_the_section_flagged_for_it_whatever_its_key(client, seed):
    Section.objects.filter(key="ai").update(shows_evidence=False)
    Section.objects.filter(key="durable").update(shows_evidence=True)

    durable = client.get(PAGE, {"tab": "durable"}).text
    ai = client.get(PAGE, {"tab": "ai"}).text

    assert "Evidence pack" in durable
    assert "Augment share:</dt> <dd>95%" in durable
    assert "Authoritative source data identified for 1 occupation" in durable
    assert "Evidence pack" not in ai
    assert "Authoritative source data" not in ai


def test_each_evidence_group_names_the_sources_its_metrics_cite(client, seed):
    aei = EvidenceMetric.objects.filter(framework=seed, group="aei_usage")
    first_source = aei.get(key="time_saved").source
    position = aei.count()
    EvidenceMetricFactory(
        framework=seed, group="aei_usage", key="survey_share", label="Survey share", position=position + 1,
        source=SourceFactory(key="survey", label="Workforce Survey"),
    )
    # A later metric citing the first source again: that source is named once, where it first appears.
    EvidenceMetricFactory(framework=seed, group="aei_usage", key="late", label="Late", position=position + 2,
                          source=first_source)

    text = client.get(PAGE, {"tab": "ai"}).text

    assert "Survey share:</dt> <dd>95%" in text
    assert (
        '<p class="metric-source">Sources: <a href="/sources/aei/">Anthropic Economic Index</a>, '
        '<a href="/sources/survey/">Workforce Survey</a></p>'
    ) in text
    # The groups whose metrics cite one source still name it alone.
    assert '<p class="metric-source">Source: <a href="/sources/safi/">Jadhav &amp; Danve, 2026</a></p>' in text
    assert '<p class="metric-source">Source: <a href="/sources/wef/">WEF Skills Taxonomy</a></p>' in text


def test_unlabelled_metrics_of_a_group_share_the_one_name_the_group_gives_them(client, seed):
    text = client.get(PAGE, {"tab": "ai"}).text

    # "WEF cluster" heads the group and names its two unlabelled values once, not once each.
    assert (
        '<div class="metric metric--plain"><dt class="visually-hidden">WEF cluster</dt>'
        "<dd>Human-Technology Interaction</dd><dd>human_technology_interaction</dd></div>"
    ) in text


def test_durable_tab_shows_ten_domains_with_derived_counts(client, seed):
    response = client.get(PAGE, {"tab": "durable"})

    text = response.text
    assert "Communication <span class=\"count\">10 statements</span>" in text
    assert "11 statements" not in text
    assert "Leadership <span class=\"count\">9 statements</span>" in text
    assert "Fortitude <span class=\"count\">8 statements</span>" in text
    assert text.count('class="domain"') == 10
    for level in ["Emerging", "Developing", "Applying", "Exceeding"]:
        assert f">{level}<" in text
    for statement in Statement.objects.filter(framework=seed, section__key="durable"):
        assert escape(statement.title) in text


def test_anchors_tab_shows_every_anchor_and_code(client, seed):
    response = client.get(PAGE, {"tab": "anchors"})

    text = response.text
    for anchor in seed.occupation.anchors.all():
        assert escape(anchor.name) in text
    for heading in [
        "Related titles", "RAPIDS apprenticeships", "O*NET skills", "Knowledge domains", "Abilities",
        "Work styles", "Technology", "Tasks · seed anchors for statements", "CIP education codes",
    ]:
        assert f"<h3>{heading}</h3>" in text
    assert "0303 · Insurance Agent" in text
    assert "52.1701" in text
    assert "Auto Insurance Agent (Automotive Insurance Agent) · Bilingual Insurance Sales Agent" in text
    assert "57 anchors" in text
    assert "Suggest an O*NET correction" in text


def test_other_tabs_offer_the_anchor_panel_with_its_derived_count(client, seed):
    response = client.get(PAGE)

    assert 'href="/occupations/41-3021.00/anchors/"' in response.text
    assert '<span class="anchors-disclosure__action">Show</span> O*NET source anchors' in response.text
    assert "57 anchors · skillscrosswalk.com" in response.text


def test_an_unknown_tab_leads_to_the_page_itself(client, seed):
    response = client.get(PAGE, {"tab": "nonsense"}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert 'aria-labelledby="tab-skills"' in response.text


def test_htmx_tab_switch_returns_only_the_tabs_fragment(client, seed):
    response = client.get(PAGE, {"tab": "durable"}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="framework-tabs"')
    assert "Fortitude" in response.text
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, seed):
    response = client.get(PAGE, {"tab": "ai"}, headers={**HTMX, "HX-History-Restore-Request": "true"})

    assert "<html" in response.text


def test_anchor_panel_page_and_fragment(client, seed):
    page = client.get("/occupations/41-3021.00/anchors/")
    fragment = client.get("/occupations/41-3021.00/anchors/", headers=HTMX)

    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text
    assert "<html" not in fragment.text
    for response in (page, fragment):
        assert "Source anchors that ground each statement" in response.text
        assert "Customize insurance programs to suit individual customers" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/occupations/99-9999.99/",
        "/occupations/not-a-code/",
        "/occupations/99-9999/",
        "/occupations/99-9999.99/anchors/",
        "/citations/999999/",
        "/citations/abc/",
        "/sources/no-such-source/",
        "/occupations/99-9999.99/suggest/",
    ],
)
def test_unknown_or_malformed_addresses_answer_a_friendly_404(client, seed, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert "search all occupations" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/occupations/41-3021/framework.json",  # a SOC code without its O*NET suffix
        "/occupations/41-3021.00/framework.xml",
        "/ims/case/v1p1/CFPackage/db352d82-938c-5c46-9b24-d709269264de",
        "/occupations/99-9999.99/anchors/",
    ],
)
def test_a_program_asking_for_json_gets_its_404_in_json_that_other_sites_may_read(client, seed, url):
    response = client.get(url, headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Nothing is at this address."}
    assert response["Access-Control-Allow-Origin"] == "*"
    page = client.get(url)
    assert "We could not find that page" in page.text
    assert "Accept" in response["Vary"] and "Accept" in page["Vary"]  # one address, two answers


@pytest.mark.parametrize(
    "url", ["/occupations/41-3021.05/", "/occupations/41-3021.0/", "/occupations/413021/", "/occupations/41-3021.05/anchors/"]
)
def test_a_404_at_a_code_naming_no_occupation_lists_those_of_its_soc_group(client, seed, url):
    OccupationFactory(title="Retired Insurance Agents", soc_code="41-3021.01", retired=True)

    response = client.get(url)

    assert response.status_code == 404
    assert "Occupations under SOC code 41-3021" in response.text
    assert '<a href="/occupations/41-3021.00/">Insurance Sales Agents</a>' in response.text
    assert "Retired Insurance Agents" not in response.text


def test_a_404_at_a_code_names_the_broader_group_when_its_own_has_no_occupation(client, seed):
    response = client.get("/occupations/41-3029.00/")

    assert response.status_code == 404
    assert "Occupations under SOC code 41-302" in response.text
    assert "Insurance Sales Agents" in response.text


def test_a_404_at_words_for_an_occupation_offers_to_search_for_them(client, seed):
    response = client.get("/occupations/insurance-sales<b>/")

    assert response.status_code == 404
    assert '<a href="/occupations/?q=insurance%20sales%20b">Search occupations for “insurance sales b”</a>' in response.text
    assert "<b>" not in response.text.split("<main")[1]
    # A code no group matches is no words to search for.
    assert "Search occupations for" not in client.get("/occupations/99-9999.00/").text


def test_a_soc_code_without_its_detail_leads_to_the_occupation(client, seed):
    response = client.get("/occupations/41-3021/")

    assert response.status_code == 302
    assert response["Location"] == "/occupations/41-3021.00/"


def test_a_soc_code_without_its_detail_keeps_the_tab_asked_for(client, seed):
    response = client.get("/occupations/41-3021/?tab=ai")

    assert response.status_code == 302
    assert response["Location"] == "/occupations/41-3021.00/?tab=ai"


def test_occupation_with_only_a_draft_framework_shows_no_framework(client):
    framework = FrameworkFactory(status=Framework.Status.DRAFT, occupation__title="Draft Trade")
    StatementFactory(framework=framework, title="Secret draft statement")

    response = client.get(framework.occupation.get_absolute_url())

    assert response.status_code == 200
    assert "Draft Trade" in response.text
    assert "No framework has been authored for this occupation yet" in response.text
    assert "Secret draft statement" not in response.text


def test_the_published_version_is_shown_not_an_archived_one(client):
    newer = FrameworkFactory(version="26.01", occupation__title="Versioned Trade", status=Framework.Status.ARCHIVED)
    older = FrameworkFactory(version="25.01", occupation=newer.occupation)

    response = client.get(older.occupation.get_absolute_url())

    facts = response.text.split('class="occupation-facts"')[1].split("</ul>")[0]
    assert "v.25.01" in facts
    assert "v.26.01" not in facts
    # The archived one is only linked to, from the list of versions.
    assert response.text.count("v.26.01") == 1
    assert f'href="{newer.get_version_url()}">v.26.01</a>' in response.text


def statement_sentence(html, uid):
    """What a statement's paragraph reads, chips included, without the words only screen readers hear."""
    body = html.split(f'id="statement-{uid}"')[1].split("</p>")[0]
    body = re.sub(r'<span class="visually-hidden">.*?</span>', "", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_a_cited_statements_full_stop_follows_its_chips(client, seed, settings):
    settings.NSX_PAGE_CACHE = False  # the text is changed below without the signals that refresh pages
    statement = Statement.objects.get(framework=seed, title="AI-assisted policy summaries")
    assert statement.text.endswith("before presenting to prospects.")

    shown = client.get(PAGE, {"tab": "ai"}).text

    # As the reference page reads: "…before presenting to prospects [Anthropic Economic Index]."
    assert statement_sentence(shown, statement.uid).endswith("before presenting to prospects Anthropic Economic Index .")
    assert re.search(r"prospects</span>\s*<span class=\"chips\">.*?</a>\.</span></span></p>", shown, re.S)
    Statement.objects.filter(pk=statement.pk).update(text="asks whether it applies?")
    asked = client.get(PAGE, {"tab": "ai"}).text
    assert statement_sentence(asked, statement.uid).endswith("asks whether it applies Anthropic Economic Index ?")


def test_a_statements_chips_read_as_separate_words(client, seed):
    # Copied, or read without styles, the chips' names must not run together ("…SkillsO*NET v30.2").
    statement = Statement.objects.get(framework=seed, title="Policy terminology explanation")
    first, second = [citation.source for citation in statement.citations.order_by("position")]

    shown = client.get(PAGE, {"tab": "durable"}).text

    paragraph = shown.split(f'id="statement-{statement.uid}"')[1].split("</p>")[0]
    copied = " ".join(re.sub(r"<[^>]+>", "", paragraph).split())  # tags dropped, not turned into spaces
    assert f"{first.label} — {first.title} {second.label} — {second.title}" in copied


def test_a_statement_without_citations_keeps_its_full_stop_in_its_text(client, seed):
    statement = Statement.objects.filter(framework=seed, section__key="skills", citations=None).first()

    response = client.get(PAGE, {"tab": "skills"})

    assert f'<span class="statement__text">{escape(statement.text)}</span>' in response.text


VERSIONS = PAGE + "versions/"


def versions_list(html):
    return html.split('<details class="versions">')[1].split("</details>")[0]


def test_the_framework_page_links_to_its_earlier_public_versions(client, seed):
    FrameworkFactory(
        occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED,
        published_at=seed.published_at - timedelta(days=180),
    )
    FrameworkFactory(occupation=seed.occupation, version="26.06", status=Framework.Status.DRAFT)
    FrameworkFactory(occupation=seed.occupation, version="26.07", status=Framework.Status.IN_REVIEW)

    listed = versions_list(client.get(PAGE).text)

    assert f'<a href="{PAGE}" aria-current="page">v.26.05</a>' in listed
    assert "current, published" in listed
    assert f'<a href="{VERSIONS}25.11/">v.25.11</a>' in listed
    assert "archived" in listed
    # Drafts and versions in review are not the public's.
    assert "26.06" not in listed
    assert "26.07" not in listed
    assert listed.index("v.26.05") < listed.index("v.25.11")  # newest first


def test_an_earlier_version_links_to_the_others(client, seed):
    FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)
    FrameworkFactory(occupation=seed.occupation, version="25.05", status=Framework.Status.ARCHIVED)

    listed = versions_list(client.get(VERSIONS + "25.11/").text)

    assert f'<a href="{PAGE}">v.26.05</a>' in listed
    assert f'<a href="{VERSIONS}25.11/" aria-current="page">v.25.11</a>' in listed
    assert f'<a href="{VERSIONS}25.05/">v.25.05</a>' in listed


def test_a_framework_with_one_version_lists_none(client, seed):
    assert 'class="versions"' not in client.get(PAGE).text


def test_an_occupation_whose_only_versions_are_archived_links_to_them(client):
    archived = FrameworkFactory(version="24.01", status=Framework.Status.ARCHIVED)

    response = client.get(archived.occupation.get_absolute_url())

    assert f'<a href="{archived.get_version_url()}">v.24.01</a>' in versions_list(response.text)


def test_curator_text_is_escaped(client):
    payload = '<script>alert("x")</script>" onmouseover="alert(1)'
    statement = StatementFactory(title=payload, text=payload, framework__context_covered=payload)
    CitationFactory(statement=statement, source__label=payload, source__title=payload)

    response = client.get(statement.framework.get_absolute_url())

    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    assert '" onmouseover="alert(1)' not in response.text


def test_footer_names_every_source_on_every_page(client, seed):
    expected = (
        "O*NET v30.2 (CC BY 4.0)", "SkillsCrosswalk.com", "LER.me", "Anthropic Economic Index",
        "SAFI (Jadhav &amp; Danve, 2026)", "WEF Skills Taxonomy 2021", "Pathsmith Durable Skills Framework",
        "© 2026 EBSCOed",
    )
    for url in ["/", PAGE, "/occupations/", "/sources/onet/", "/accounts/login/"]:
        response = client.get(url)
        for name in expected:
            assert name in response.text, (url, name)


def test_directory_lists_and_searches_occupations(client, seed):
    OccupationFactory(soc_code="43-4051.00", title="Customer Service Representatives")

    everything = client.get("/occupations/")
    by_title = client.get("/occupations/", {"q": "insurance"})
    by_code = client.get("/occupations/", {"q": "41-3021"})
    by_alternate_title = client.get("/occupations/", {"q": "Bond Writer"})
    nothing = client.get("/occupations/", {"q": "zzzz"})

    assert "Customer Service Representatives" in everything.text
    assert "Insurance Sales Agents" in everything.text
    for response in (by_title, by_code, by_alternate_title):
        assert "Insurance Sales Agents" in response.text
        assert "Customer Service Representatives" not in response.text
    assert "No occupation matches" in nothing.text


def test_directory_search_fragment_for_htmx(client, seed):
    response = client.get("/occupations/", {"q": "insur"}, headers=HTMX)

    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Insurance Sales Agents" in response.text
    # htmx makes it the document's title, as the whole page at that address has it.
    assert page_title(response) == "“insur” · Occupations · NSX" == page_title(client.get("/occupations/", {"q": "insur"}))


def test_the_directory_filters_are_followed_by_a_button_that_applies_them(client, seed):
    form = client.get("/occupations/", {"q": "manager"}).text.split('<form class="directory-form"')[1].split("</form>")[0]

    # Without JavaScript a keyboard reaches it after changing them, not going back to Search.
    after_filters = form.split("</fieldset>")[1]
    assert '<button type="submit" class="directory-form__apply">Apply filters</button>' in after_filters


def test_directory_pages_after_the_first_say_which_they_are(client, seed):
    OccupationFactory.create_batch(50, title="Sales Manager")
    first = client.get("/occupations/", {"q": "manager"})
    second = client.get("/occupations/", {"q": "manager", "page": "2"})
    swapped = client.get("/occupations/", {"q": "manager", "page": "2"}, headers=HTMX)
    everything = client.get("/occupations/", {"page": "2"})

    count = first.context["page"].paginator.count
    assert page_title(first) == "“manager” · Occupations · NSX"
    assert f">{count} occupations match “manager”</h2>" in first.text
    # htmx makes the fragment's title the document's, as the whole page at that address has it.
    assert page_title(second) == page_title(swapped) == "“manager” · Page 2 of 2 · Occupations · NSX"
    assert f">{count} occupations match “manager”, page 2 of 2</h2>" in second.text
    assert page_title(everything) == "Page 2 of 2 · Occupations · NSX"
    assert ">All occupations, page 2 of 2 <span" in everything.text


def page_title(response):
    return re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)


@pytest.mark.parametrize(
    ("tab", "title"),
    [
        (None, "Insurance Sales Agents · Skills framework · NSX"),
        ("skills", "Insurance Sales Agents · Skills framework · NSX"),
        ("ai", "AI use · Insurance Sales Agents · Skills framework · NSX"),
        ("durable", "Durable skills · Insurance Sales Agents · Skills framework · NSX"),
        ("anchors", "Source anchors · Insurance Sales Agents · Skills framework · NSX"),
    ],
)
def test_each_tab_has_its_own_page_title(client, seed, tab, title):
    response = client.get(PAGE, {"tab": tab} if tab else {})

    assert page_title(response) == title
    assert response.text.count("<title>") == 1


def test_htmx_tab_switch_brings_its_title_for_htmx_to_set(client, seed):
    response = client.get(PAGE, {"tab": "durable"}, headers=HTMX)

    # htmx takes a <title> at the top level of a swapped fragment and makes it the document's title.
    assert response.text.count("<title>") == 1
    assert page_title(response) == "Durable skills · Insurance Sales Agents · Skills framework · NSX"
    assert response.text.rstrip().endswith("</title>")


def test_version_pages_name_their_version_in_the_title(client, seed):
    FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)

    earlier = client.get(PAGE + "versions/25.11/")
    earlier_tab = client.get(PAGE + "versions/25.11/", {"tab": "ai"}, headers=HTMX)
    current = client.get(PAGE + "versions/26.05/")

    assert page_title(earlier) == "Insurance Sales Agents · v.25.11 · Skills framework · NSX"
    assert page_title(earlier_tab) == "AI use · Insurance Sales Agents · v.25.11 · Skills framework · NSX"
    assert page_title(current) == "Insurance Sales Agents · v.26.05 · Skills framework · NSX"


def test_a_draft_preview_says_draft_in_the_title(client, seed, curator):
    FrameworkFactory(occupation=seed.occupation, version="26.06", status=Framework.Status.DRAFT)
    client.force_login(curator)

    response = client.get(PAGE + "versions/26.06/")

    assert page_title(response) == "Insurance Sales Agents · v.26.06 draft · Skills framework · NSX"


def downloads(html):
    return re.findall(
        r'<a href="([^"]+)" type="[^"]+">', html.split('<nav class="downloads"')[1].split("</nav>")[0]
    )


def alternates(html):
    return re.findall(r'<link rel="alternate" type="[^"]+" href="([^"]+)"', html)


def test_each_public_version_offers_its_own_exports(client, seed):
    archived = FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)
    package = f"/ims/case/v1p1/CFPackages/{framework_identifier(seed)}"

    current = client.get(PAGE)
    current_by_version = client.get(PAGE + "versions/26.05/")
    earlier = client.get(PAGE + "versions/25.11/")

    # The occupation's page: the current version's addresses, as ever, and its schema.org data.
    files = [f"{PAGE}framework.csv", f"{PAGE}framework.json", f"{PAGE}framework.jsonld", package]
    assert downloads(current.text) == alternates(current.text) == files
    assert '<script type="application/ld+json">' in current.text
    # A version's page: that version's own addresses, which keep serving it after a later publish.
    at_version = [f"{PAGE}versions/26.05/framework.{extension}" for extension in ("csv", "json", "jsonld")]
    assert downloads(current_by_version.text) == alternates(current_by_version.text) == [*at_version, package]
    # An earlier version: its own files and its own CASE package, which serves it as Deprecated; no data.
    earlier_files = [f"{PAGE}versions/25.11/framework.{extension}" for extension in ("csv", "json", "jsonld")]
    earlier_package = f"/ims/case/v1p1/CFPackages/{framework_identifier(archived)}"
    assert "An earlier version." in earlier.text
    assert downloads(earlier.text) == alternates(earlier.text) == [*earlier_files, earlier_package]
    assert client.get(earlier_package).json()["CFDocument"]["version"] == "25.11"
    assert '<script type="application/ld+json">' not in earlier.text
    assert "/print/" not in earlier.text


def test_a_draft_preview_offers_no_exports(client, seed, curator):
    FrameworkFactory(occupation=seed.occupation, version="26.06", status=Framework.Status.DRAFT)
    client.force_login(curator)

    response = client.get(PAGE + "versions/26.06/")

    assert "Draft — not public." in response.text
    assert 'class="downloads"' not in response.text
    assert 'rel="alternate"' not in response.text


def test_a_search_narrowed_by_filters_says_so_and_offers_the_search_without_them(client, seed):
    OccupationFactory(title="Insurance Underwriters", soc_code="13-2053.00", job_zone__number=3)

    narrowed = client.get("/occupations/", {"q": "insurance", "job_zone": "3", "sort": "code"})
    nothing = client.get("/occupations/", {"q": "41-3021", "job_zone": "3", "sort": "code", "page": "2"})
    unfiltered = client.get("/occupations/", {"q": "41-3021"})

    assert ">1 occupation matches “insurance” and these filters</h2>" in narrowed.text
    assert ">0 occupations match “41-3021” and these filters</h2>" in nothing.text
    assert "No occupation matches “41-3021” and these filters." in nothing.text
    assert '<a href="?q=41-3021&amp;sort=code">Search all occupations for “41-3021”</a>' in nothing.text
    assert ">1 occupation matches “41-3021”</h2>" in unfiltered.text
    # Each its own title, as the history and tabs list them.
    assert page_title(narrowed) == "“insurance”, filtered · Occupations · NSX"
    assert page_title(client.get("/occupations/", {"job_zone": "3"})) == "Filtered · Occupations · NSX"
    assert page_title(unfiltered) == "“41-3021” · Occupations · NSX"


def robots_meta(response):
    return re.findall(r'<meta name="robots" content="([^"]*)">', response.text)


@pytest.mark.parametrize(
    "query",
    [{"q": "nurse"}, {"job_zone": "3"}, {"group": "41"}, {"framework": "on"}, {"hot": "on"}, {"sort": "title"},
     {"q": "agent", "page": "2"}],
)
def test_searches_filters_and_orders_of_the_directory_ask_not_to_be_indexed(client, seed, query):
    OccupationFactory.create_batch(50, title="Sales Agent", job_zone__number=3)

    response = client.get("/occupations/", query)

    assert response.status_code == 200
    assert robots_meta(response) == ["noindex"]
    assert 'rel="canonical"' not in response.text


@pytest.mark.parametrize(
    ("query", "address"),
    [
        ({}, "/occupations/"),
        ({"page": "2"}, "/occupations/?page=2"),
        ({"page": "abc"}, "/occupations/"),
        ({"page": "99"}, "/occupations/?page=2"),
        ({"utm_source": "newsletter"}, "/occupations/"),
        ({"job_zone": "99"}, "/occupations/"),  # a value out of range filters nothing
    ],
)
def test_the_directorys_own_pages_stay_indexable_at_one_address_each(client, seed, query, address):
    OccupationFactory.create_batch(50)

    response = client.get("/occupations/", query)

    assert robots_meta(response) == []
    assert canonical(response) == f"http://testserver{address}"


def test_a_search_sent_with_empty_fields_is_sent_to_its_address_without_them(client, seed, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/occupations/?q=insur&job_zone=&group=&sort=")

    assert (response.status_code, response["Location"]) == (302, "/occupations/?q=insur")
    assert client.get("/occupations/?job_zone=&group=41&q=")["Location"] == "/occupations/?group=41"
    assert client.get("/occupations/?q=&job_zone=&group=&sort=")["Location"] == "/occupations/"
    assert client.get("/occupations/?q=insur&q=")["Location"] == "/occupations/?q=insur"
    assert client.get("/occupations/?q=insur&group=41").status_code == 200


def test_an_htmx_search_with_empty_fields_is_answered_at_its_address_without_them(client, seed):
    response = client.get("/occupations/?q=insur&job_zone=&group=", headers=HTMX, follow=True)

    # htmx follows the redirect as the browser does, and shows the address it ends at.
    assert response.redirect_chain == [("/occupations/?q=insur", 302)]
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Insurance Sales Agents" in response.text


@pytest.mark.parametrize(("extra", "heading"), [(0, "1 occupation matches these filters"), (1, "2 occupations match these filters")])
def test_filter_heading_agrees_in_number(client, seed, extra, heading):
    FrameworkFactory.create_batch(extra)

    response = client.get("/occupations/", {"framework": "on"})

    assert f">{heading}</h2>" in response.text


@pytest.mark.parametrize("url", [PAGE + "?tab=skills", PAGE + "?tab=ai", PAGE + "?tab=durable", PAGE + "print/"])
def test_levels_are_not_landmarks_but_are_named_by_their_headings(client, seed, url):
    text = client.get(url).text

    levels = re.findall(r'<section class="level [^"]*"([^>]*)>\s*<h([34]) class="level__heading">([^<]+)', text)
    assert levels
    # A section without a name is no region landmark: dozens of levels would swamp the page's landmarks.
    assert [attributes for attributes, _, _ in levels if attributes] == []


def test_durable_levels_are_headed_under_their_domain(client, seed):
    text = client.get(PAGE, {"tab": "durable"}).text

    communication = text.split('<h3 id="domain-communication"')[1].split('<section class="domain"')[0]
    for level in ["Emerging", "Developing", "Applying", "Exceeding"]:
        assert f'<h4 class="level__heading">{level}</h4>' in communication


def test_source_anchors_disclosure_is_a_link_that_loads_into_an_empty_panel(client, seed):
    response = client.get(PAGE)

    toggle = re.search(r'<a class="anchors-disclosure__toggle"[^>]*>', response.text).group(0)
    assert 'href="/occupations/41-3021.00/anchors/"' in toggle
    assert 'data-hx-target="#anchors-disclosure-panel"' in toggle
    assert '<div id="anchors-disclosure-panel" class="anchors-disclosure__panel" hidden></div>' in response.text


def test_the_anchor_panel_names_its_sources_in_the_order_the_summary_does(client, seed):
    occupation = seed.occupation
    onet = occupation.anchors.first().source
    # Listed before O*NET among sources, though its anchors are of a kind the panel shows after O*NET's.
    enrichment = SourceFactory(key="enrichment", label="Enrichment Co", position=onet.position)
    Source.objects.filter(pk=onet.pk).update(position=onet.position + 1)
    SourceAnchorFactory(occupation=occupation, kind="task", source=enrichment)

    summary = client.get(PAGE).text.split('class="anchors-disclosure__meta">')[1].split("</span>")[0]
    panel = client.get(PAGE + "anchors/").text.split('class="anchor-panel__enrichment">')[1].split("</p>")[0]

    assert summary.index("Enrichment Co") < summary.index(onet.label)
    assert panel.index("Enrichment Co") < panel.index(onet.label)


def test_an_occupation_without_anchors_does_not_count_none(client):
    occupation = OccupationFactory(title="Sales Workers, All Other", soc_code="41-9099.00")

    text = client.get(occupation.get_absolute_url()).text

    assert "O*NET source anchors" in text
    assert "0 anchors" not in text


def ids_and_references(html):
    """Every id the page holds, and every id its aria-describedby, aria-controls and aria-labelledby name."""
    ids = re.findall(r'\sid="([^"]+)"', html)
    references = re.findall(r'\saria-(?:describedby|controls|labelledby)="([^"]+)"', html)
    return ids, [name for value in references for name in value.split()]


def test_directory_shows_a_dropped_filter_value_as_no_filter_not_as_an_error(client, seed):
    response = client.get("/occupations/", {"job_zone": "9", "sort": "zzz", "group": "99"})

    assert response.status_code == 200
    assert "aria-invalid" not in response.text
    ids, references = ids_and_references(response.text)
    assert set(references) <= set(ids), set(references) - set(ids)
    assert "All occupations" in response.text


def test_directory_keeps_the_valid_filters_beside_a_dropped_one(client, seed):
    response = client.get("/occupations/", {"job_zone": "4", "sort": "zzz", "group": "41", "framework": "on"})

    assert "aria-invalid" not in response.text
    assert '<option value="4" selected>' in response.text
    assert '<option value="41" selected>' in response.text
    assert '<option value="" selected>Best match</option>' in response.text
    assert re.search(r'<input type="checkbox" name="framework"[^>]* checked', response.text)
    assert "1 occupation matches these filters" in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_anchors_of_an_occupation_without_a_framework_do_not_claim_to_ground_statements(client, htmx):
    anchor = SourceAnchorFactory(occupation__title="Claims Adjusters", kind="task", name="Investigate claims")
    occupation = anchor.occupation

    pages = [client.get(f"{occupation.get_absolute_url()}anchors/", headers=HTMX if htmx else {})]
    if not htmx:
        pages.append(client.get(occupation.get_absolute_url()))

    for response in pages:
        assert response.status_code == 200
        assert "Investigate claims" in response.text
        assert "O*NET source anchors" in response.text
        assert "ground each statement" not in response.text
        assert "seed anchors for statements" not in response.text


def test_anchors_of_an_occupation_with_a_framework_ground_its_statements(client, seed):
    for url in [PAGE + "anchors/", PAGE + "?tab=anchors", PAGE + "print/"]:
        text = client.get(url).text
        assert "Source anchors that ground each statement" in text, url
        assert "Tasks · seed anchors for statements" in text, url


def canonical(response):
    links = re.findall(r'<link rel="canonical" href="([^"]*)">', response.text)
    assert len(links) == 1, links
    return links[0]


def embeds_linked_data(response):
    return response.text.count('<script type="application/ld+json">')


def test_framework_page_embeds_its_linked_data_at_its_own_address_only(client, seed):
    home = client.get(PAGE)

    assert canonical(home) == f"http://testserver{PAGE}"
    assert embeds_linked_data(home) == 1
    for tab in ["skills", "ai", "durable", "anchors"]:
        response = client.get(PAGE, {"tab": tab})
        assert canonical(response) == f"http://testserver{PAGE}", tab
        assert embeds_linked_data(response) == 0, tab
        # The exports stay advertised on every tab.
        assert 'rel="alternate" type="application/ld+json"' in response.text, tab
    # The skills tab's page was mostly the linked data.
    assert len(client.get(PAGE, {"tab": "skills"}).content) < len(home.content) / 2


def test_htmx_tabs_carry_neither_canonical_nor_linked_data(client, seed):
    for tab in ["skills", "ai", "anchors"]:
        response = client.get(PAGE, {"tab": tab}, headers=HTMX)
        assert 'rel="canonical"' not in response.text
        assert "ld+json" not in response.text


def test_version_pages_name_their_canonical_address(client, seed):
    FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)

    current_by_version = client.get(PAGE + "versions/26.05/")
    earlier = client.get(PAGE + "versions/25.11/")
    earlier_tab = client.get(PAGE + "versions/25.11/", {"tab": "ai"})

    # The current version at its version address is the framework page again.
    assert canonical(current_by_version) == f"http://testserver{PAGE}"
    assert embeds_linked_data(current_by_version) == 0
    # An earlier version is other content: its own address.
    assert canonical(earlier) == canonical(earlier_tab) == f"http://testserver{PAGE}versions/25.11/"
    assert embeds_linked_data(earlier) == embeds_linked_data(earlier_tab) == 0


@pytest.mark.parametrize(
    "address",
    [
        "/",
        "/occupations/",
        "/occupations/41-3021.00/",
        "/occupations/41-3021.00/print/",
        "/occupations/41-3021.00/suggest/",
        "/occupations/41-3021.00/framework.json",
        "/sources/onet/",
        "/accounts/login/",
        "/accounts/logout/",
        "/robots.txt",
    ],
)
def test_head_is_answered_wherever_get_is(client, seed, address):
    assert client.get(address).status_code == 200

    head = client.head(address)

    assert head.status_code == 200
    assert head.content == b""


def title_and_description(response):
    head = response.text.split("</head>")[0]
    title = re.search(r"<title>(.*?)</title>", head, re.S)[1]
    return title, re.search(r'<meta name="description" content="([^"]*)">', head)[1]


def test_every_kind_of_page_has_a_title_and_description_of_its_own(client, seed):
    nurses = OccupationFactory(
        title="Registered Nurses", soc_code="29-1141.00", description="Assess patient health problems and needs."
    )
    OccupationFactory.create_batch(50)  # a second page of the directory
    # Pages of one kind (tabs, further pages of a list) share a description; each has a title of its own.
    kinds = [
        ["/"],
        ["/occupations/", "/occupations/?page=2", "/occupations/?q=nurse"],
        [PAGE, PAGE + "?tab=ai"],
        [PAGE + "anchors/"],
        [PAGE + "print/"],
        [nurses.get_absolute_url()],
        [nurses.get_absolute_url() + "anchors/"],
    ]

    pages = {address: title_and_description(client.get(address)) for kind in kinds for address in kind}

    titles = [title for title, _ in pages.values()]
    assert len(set(titles)) == len(titles), titles
    descriptions = [{pages[address][1] for address in kind} for kind in kinds]
    assert all(len(described) == 1 for described in descriptions), descriptions
    assert len(set.union(*descriptions)) == len(kinds), descriptions
    assert pages[nurses.get_absolute_url()][1] == (
        "Registered Nurses (O*NET-SOC 29-1141.00): Assess patient health problems and needs."
    )
    assert "Registered Nurses (O*NET-SOC 29-1141.00)" in pages[nurses.get_absolute_url() + "anchors/"][1]


def test_an_occupation_without_a_framework_names_its_own_address_as_canonical(client):
    occupation = OccupationFactory(title="Astronomers", soc_code="19-2011.00")

    for query in [{}, {"tab": "ai"}]:
        assert canonical(client.get(occupation.get_absolute_url(), query)) == "http://testserver/occupations/19-2011.00/"
    assert canonical(client.get("/occupations/19-2011.00/anchors/")) == "http://testserver/occupations/19-2011.00/anchors/"
