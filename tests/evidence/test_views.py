import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils.html import escape

import nsx.cache
from evidence.models import Citation, SourceAnchor, Suggestion
from frameworks.models import Framework
from tests.factories import CitationFactory, OccupationFactory, SourceAnchorFactory
from tests.pages import HTMX
from tests.tools import UNREACHABLE_CACHE

pytestmark = pytest.mark.django_db


def seed_citation(statement_title, source_key):
    return Citation.objects.select_related("source").get(statement__title=statement_title, source__key=source_key)


def test_citation_page_shows_the_statement_and_its_source(client, seed):
    citation = seed_citation("AI-assisted policy summaries", "aei")

    response = client.get(f"/citations/{citation.pk}/")

    assert response.status_code == 200
    text = response.text
    assert "<html" in text
    assert "AI-assisted policy summaries" in text
    assert "Anthropic Economic Index — release_2026_03_24" in text
    assert "release_2026_03_24" in text
    assert "Anthropic" in text
    assert 'href="https://www.anthropic.com/economic-index" target="_blank" rel="noopener noreferrer"' in text
    assert "Opens in new tab." in text
    assert 'href="/sources/aei/"' in text


def test_a_citation_of_an_earlier_version_leads_back_to_that_version(client, seed):
    citation = seed_citation("AI-assisted policy summaries", "aei")
    statement = citation.statement
    current = f'href="/occupations/41-3021.00/?tab={statement.section.key}#statement-{statement.uid}"'
    assert current in client.get(f"/citations/{citation.pk}/").text
    Framework.objects.filter(pk=seed.pk).update(status=Framework.Status.ARCHIVED)
    cache.clear()

    page = client.get(f"/citations/{citation.pk}/").text

    earlier = f'href="/occupations/41-3021.00/versions/26.05/?tab={statement.section.key}#statement-{statement.uid}"'
    assert earlier in page
    assert "Back to Insurance Sales Agents v.26.05" in page


def test_citation_fragment_for_htmx_expands_in_place(client, seed):
    citation = seed_citation("Client intake dialogue", "onet")

    response = client.get(f"/citations/{citation.pk}/", headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div class="citation-detail">')
    assert "O*NET Resource Center — Occupational Information Network, v30.2 (Sept 2025)" in response.text
    assert "CC BY 4.0" in response.text
    assert "O*NET anchors that ground this statement" in response.text
    assert "Interview prospective clients to obtain data about their financial resources" in response.text


def test_each_anchor_of_a_citation_is_named_by_its_kind_in_the_singular(client, seed):
    citation = seed_citation("Client intake dialogue", "onet")
    task = citation.anchors.get(kind="task")

    response = client.get(f"/citations/{citation.pk}/", headers=HTMX)

    assert f'<span class="muted">Task {task.onet_id}</span>' in response.text
    assert "Tasks" not in response.text


def test_citation_without_known_anchors_says_nothing_of_them(client, seed):
    citation = seed_citation("Prospect list generation", "wef")

    response = client.get(f"/citations/{citation.pk}/", headers=HTMX)

    assert "O*NET anchors that ground this statement" not in response.text
    assert "World Economic Forum" in response.text


def test_citation_on_a_draft_is_not_public(client):
    citation = CitationFactory(statement__framework__status=Framework.Status.DRAFT)

    assert client.get(f"/citations/{citation.pk}/").status_code == 404


def test_source_page_lists_every_statement_citing_it(client, seed):
    response = client.get("/sources/safi/")

    citing = Citation.objects.filter(source__key="safi")
    assert response.status_code == 200
    assert "Skill Automation Feasibility Index — Jadhav &amp; Danve, 2026 (arXiv:2604.06906)" in response.text
    assert f'Statements citing Jadhav &amp; Danve, 2026 <span class="count">{citing.count()}</span>' in response.text
    for citation in citing.select_related("statement"):
        assert escape(citation.statement.title) in response.text


def test_source_page_hides_drafts(client):
    citation = CitationFactory(statement__framework__status=Framework.Status.DRAFT, statement__title="Draft only")

    response = client.get(citation.source.get_absolute_url())

    assert response.status_code == 200
    assert "Draft only" not in response.text
    assert "No published statement cites this source." in response.text


def test_source_page_marks_frameworks_of_occupations_the_newest_release_no_longer_lists(client):
    retired = CitationFactory(statement__framework__occupation__retired=True)
    current = CitationFactory(source=retired.source)

    response = client.get(retired.source.get_absolute_url())

    heading = r'<h3 id="source-framework-\d+"><a [^>]*>([^<]*)</a>(.*?)</h3>'
    headings = dict(re.findall(heading, response.text))
    assert "Not in the current O*NET release" in headings[retired.statement.framework.occupation.title]
    assert "Not in the current O*NET release" not in headings[current.statement.framework.occupation.title]


def test_an_open_chip_lists_its_anchors_in_the_panels_order_of_kinds(client):
    citation = CitationFactory()
    occupation = citation.statement.framework.occupation
    kinds = [SourceAnchor.Kind.TASK, SourceAnchor.Kind.ABILITY, SourceAnchor.Kind.SKILL, SourceAnchor.Kind.WORK_STYLE]
    citation.anchors.set(SourceAnchorFactory(occupation=occupation, kind=kind, name=f"A {kind}") for kind in kinds)

    text = client.get(f"/citations/{citation.pk}/", headers=HTMX).text

    # As the anchors panel heads them: skills, knowledge, abilities, work styles, technology, tasks.
    assert re.findall(r"</span> A (\w+)</li>", text) == ["skill", "ability", "work_style", "task"]


SUGGEST = "/occupations/41-3021.00/suggest/"


def test_suggestion_form_is_linked_from_the_anchor_panel(client, seed):
    assert f'href="{SUGGEST}"' in client.get("/occupations/41-3021.00/anchors/").text


def test_the_suggestion_form_lists_anchors_in_the_panels_order_of_kinds(client, seed):
    text = client.get(SUGGEST).text

    named = re.findall(r'<option value="anchor-\d+"[^>]*>([^:<]+):', text)
    assert list(dict.fromkeys(named)) == [
        "O*NET skill", "Knowledge domain", "Ability", "Work style", "Technology", "Task"
    ]


def test_suggestion_is_saved_for_curators(client, seed):
    anchor = seed.occupation.anchors.get(kind="skill", name="Mathematics")

    response = client.post(
        SUGGEST, {"about": f"anchor-{anchor.pk}", "correction": "Mathematics matters less than listed.", "website": ""}
    )

    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.anchor == anchor
    assert suggestion.occupation == seed.occupation
    assert suggestion.status == Suggestion.Status.NEW
    assert "A curator will review your suggestion" in client.get(response["Location"]).text


def test_the_thanks_for_a_suggestion_take_focus_on_the_page_it_returns_to(client, seed):
    response = client.post(SUGGEST, {"about": "general", "correction": "A fair correction."}, follow=True)

    # autofocus: focus moves to the message as the page loads, so that it is read.
    assert re.search(
        r'<div role="status" tabindex="-1" autofocus><ul class="messages"><li>Thank you\. A curator will review your',
        response.text,
    )


def test_invalid_suggestion_shows_errors_and_keeps_what_was_typed(client, seed):
    response = client.post(SUGGEST, {"about": "", "correction": "", "email": "not-an-email", "name": "Ana"})

    assert response.status_code == 200
    assert "Please correct the 3 problems below." in response.text
    assert "Enter a valid email address." in response.text
    assert 'value="not-an-email"' in response.text
    assert 'value="Ana"' in response.text
    assert not Suggestion.objects.exists()


def test_invalid_suggestion_gives_each_error_one_id_its_field_names(client, seed):
    response = client.post(SUGGEST, {"about": "", "correction": "", "email": "not-an-email"})

    ids = re.findall(r'\sid="([^"]+)"', response.text)
    assert len(ids) == len(set(ids)), sorted(name for name in ids if ids.count(name) > 1)
    for name in ["email", "correction", "about"]:
        field = re.search(rf'<(?:input|textarea|select)[^>]* id="id_{name}"', response.text).group(0)
        assert 'aria-invalid="true"' in field
        described_by = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()
        assert f"id_{name}_error" in described_by
        assert set(described_by) <= set(ids)


def test_error_summary_links_each_problem_to_its_field_and_takes_focus(client, seed):
    response = client.post(SUGGEST, {"about": "", "correction": "", "email": "not-an-email"})

    summary = response.text.split('<div class="form-errors"', 1)[1].split("</div>", 1)[0]
    # autofocus: focus moves to the summary as the page loads, with or without JavaScript.
    assert 'role="alert" tabindex="-1" id="form-errors" autofocus>' in summary
    assert "Please correct the 3 problems below." in summary
    assert '<a href="#id_email">Your email (optional) — Enter a valid email address.</a>' in summary
    assert '<a href="#id_correction">Suggested correction — This field is required.</a>' in summary
    assert '<a href="#id_about">Which item needs correcting? — This field is required.</a>' in summary


def test_overlong_suggestion_is_refused(client, seed):
    response = client.post(SUGGEST, {"about": "general", "correction": "x" * 2001})

    assert "Ensure this value has at most 2000 characters" in response.text
    assert not Suggestion.objects.exists()
    # The browser holds the same limit: the model's, the one place it is written.
    assert 'maxlength="2000"' in client.get(SUGGEST).text


def test_honeypot_catches_bots(client, seed):
    response = client.post(SUGGEST, {"about": "general", "correction": "Buy now", "website": "http://spam.example"})

    assert response.status_code == 200
    assert not Suggestion.objects.exists()


def test_suggestions_are_rate_limited_per_address(client, seed):
    data = {"about": "general", "correction": "A fair correction."}
    for _ in range(5):
        assert client.post(SUGGEST, data).status_code == 302

    refused = client.post(SUGGEST, data)
    other_address = client.post(SUGGEST, data, REMOTE_ADDR="203.0.113.9")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"  # the most it can be: the window is an hour
    # Focused as the page loads, as the summary of a form's errors is.
    summary = refused.text.split('<div class="form-errors" role="alert" tabindex="-1" id="form-errors" autofocus>')[1]
    assert "Please wait a while" in summary.split("</div>", 1)[0]
    assert "A fair correction." in refused.text
    assert other_address.status_code == 302
    assert Suggestion.objects.count() == 6


def test_a_suggestion_is_accepted_while_the_cache_that_counts_them_is_unreachable(client, seed, caplog):
    # Refusing every suggestion while the cache is down would lose the real ones.
    with override_settings(CACHES=UNREACHABLE_CACHE), caplog.at_level("WARNING", logger="evidence.ratelimit"):
        accepted = client.post(SUGGEST, {"about": "general", "correction": "A fair correction."})

    assert accepted.status_code == 302
    assert Suggestion.objects.count() == 1
    warnings = [record for record in caplog.records if record.name == "evidence.ratelimit"]
    assert [record.levelname for record in warnings] == ["WARNING"]


def test_while_the_cache_is_unreachable_its_failure_is_logged_once_not_once_a_suggestion(client, seed, caplog):
    # A flood of suggestions, when the limit is wanted, would otherwise log a traceback each.
    with override_settings(CACHES=UNREACHABLE_CACHE), caplog.at_level("INFO", logger="evidence.ratelimit"):
        answers = [
            client.post(SUGGEST, {"about": "general", "correction": f"Correction {number}."}).status_code
            for number in range(3)
        ]

    assert answers == [302, 302, 302]
    assert Suggestion.objects.count() == 3
    assert [record.getMessage() for record in caplog.records if record.name == "evidence.ratelimit"] == [
        "The cache failed: rate limits are not applied until it answers again."
    ]


def test_once_the_cache_answers_again_suggestions_are_counted_again(client, seed, caplog, monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(nsx.cache, "time", SimpleNamespace(time=lambda: now[0]))
    data = {"about": "general", "correction": "A fair correction."}
    with override_settings(CACHES=UNREACHABLE_CACHE):
        client.post(SUGGEST, data)
    now[0] += nsx.cache.CACHE_RETRY_SECONDS
    caplog.clear()

    with caplog.at_level("INFO", logger="evidence.ratelimit"):
        answers = [client.post(SUGGEST, data).status_code for _ in range(6)]

    assert answers == [302] * 5 + [429]
    assert [record.getMessage() for record in caplog.records if record.name == "evidence.ratelimit"] == [
        "The cache answers again: rate limits are applied again."
    ]


def test_only_suggestions_that_are_saved_count_towards_the_limit(client, seed):
    for _ in range(5):
        assert client.post(SUGGEST, {"about": "general", "correction": ""}).status_code == 200

    accepted = client.post(SUGGEST, {"about": "general", "correction": "A fair correction."})

    assert accepted.status_code == 302
    assert Suggestion.objects.count() == 1


def test_the_suggestion_form_holding_a_visitors_token_is_kept_by_their_browser_alone(client, seed):
    assert "private" in client.get(SUGGEST)["Cache-Control"]


def test_suggestion_form_needs_csrf(seed):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(SUGGEST, {"about": "general", "correction": "Hello"})

    assert response.status_code == 403


def test_the_suggestion_form_names_each_durable_statement_by_its_domain(client, seed):
    page = client.get(SUGGEST).text

    assert "Durable skills · Communication · Emerging: " in page
    assert "Tell the curators of Insurance Sales Agents (41-3021.00) and its skills framework" in page


def test_an_occupation_without_a_framework_is_not_said_to_have_one(client, seed):
    other = OccupationFactory(title="Accountants and Auditors", soc_code="13-2011.00")

    page = client.get(f"/occupations/{other.soc_code}/suggest/").text

    assert "Tell the curators of Accountants and Auditors (13-2011.00) what should change" in page
    assert "framework" not in page.split("<main", 1)[1].split("</main>", 1)[0]
