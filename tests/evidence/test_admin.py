"""Curators review the public's suggestions in admin."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from evidence.models import Citation, Suggestion
from tests.admin_forms import admin_form_data
from tests.factories import SourceAnchorFactory

pytestmark = pytest.mark.django_db

SUGGEST = "/occupations/41-3021.00/suggest/"


@pytest.fixture
def suggestion(client, seed):
    """A suggestion sent through the public form."""
    statement = seed.statements.get(title="Claims communication")
    client.post(
        SUGGEST,
        {
            "about": f"statement-{statement.pk}",
            "correction": "Say who pays.",
            "name": "Ana",
            "email": "ana@example.org",
        },
    )
    cache.clear()  # the form's rate limit counts in the cache: this post is not the test's
    return Suggestion.objects.get()


def test_curator_accepts_a_suggestion_with_a_note(client, suggestion, curator):
    client.force_login(curator)
    url = reverse("admin:evidence_suggestion_change", args=[suggestion.pk])
    page = client.get(url)
    assert "Say who pays." in page.text and "ana@example.org" in page.text
    # The statement it concerns links to its admin page.
    assert reverse("admin:frameworks_statement_change", args=[suggestion.statement_id]) in page.text

    response = client.post(
        url,
        admin_form_data(page, status="accepted", curator_note="Added in v.26.06.", correction="Rewritten."),
    )

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.curator_note) == (Suggestion.Status.ACCEPTED, "Added in v.26.06.")
    assert suggestion.correction == "Say who pays."  # what the public sent stays as sent


def test_suggestion_list_filters_by_status_and_marks_in_bulk(client, suggestion, editor):
    client.force_login(editor)
    url = reverse("admin:evidence_suggestion_changelist")

    listing = client.get(url, {"status__exact": "new"})
    assert listing.context["cl"].result_count == 1
    assert "Claims communication" in listing.text  # what it is about
    client.post(url, {"action": "mark_rejected", "_selected_action": [suggestion.pk]})

    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REJECTED
    assert client.get(url, {"status__exact": "new"}).context["cl"].result_count == 0


def test_suggestion_list_runs_a_fixed_number_of_queries(
    client, suggestion, curator, django_assert_max_num_queries
):
    client.force_login(curator)

    with django_assert_max_num_queries(20):
        client.get(reverse("admin:evidence_suggestion_changelist"))


def test_a_citation_is_grounded_only_in_its_own_occupations_anchors(client, seed, draft, curator):
    citation = Citation.objects.filter(statement__framework=draft, anchors__isnull=False).first()
    elsewhere = SourceAnchorFactory(occupation__title="Another Trade")
    client.force_login(curator)
    url = reverse("admin:evidence_citation_change", args=[citation.pk])

    page = client.get(url)
    listed = set(page.context["adminform"].form.fields["anchors"].queryset)
    refused = client.post(url, admin_form_data(page, anchors=[elsewhere.pk]))

    assert listed == set(seed.occupation.anchors.all())
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.text
    assert elsewhere not in citation.anchors.all()
