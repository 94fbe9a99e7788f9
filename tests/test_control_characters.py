"""Text typed into the admin or sent by a visitor holds no control character that a framework file refuses,
so a framework edited in the admin exports and imports back."""

import pytest
from django.urls import reverse

from evidence.models import Source, Suggestion
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import OccupationFactory, SourceAnchorFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTROL = "A\x07\x1bB"
REFUSED = "Remove the control character U+0007."


def stored(obj):
    return type(obj).objects.filter(pk=obj.pk).values().get()


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


CURATED = {
    "statement": lambda draft: draft.statements.get(title="Claims communication"),
    "framework": lambda draft: draft,
    "source": lambda draft: Source.objects.get(key="onet"),
    "anchor": lambda draft: SourceAnchorFactory(occupation=draft.occupation),  # a curator's own
    "metric": lambda draft: draft.evidence_metrics.first(),
    "suggestion": lambda draft: Suggestion.objects.create(occupation=draft.occupation, correction="Say who pays."),
}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("statement", "title"),
        ("statement", "text"),
        ("framework", "context_covered"),
        ("source", "label"),
        ("source", "publisher"),
        ("anchor", "name"),
        ("metric", "value"),
        ("suggestion", "curator_note"),
    ],
)
def test_a_curator_cannot_save_a_control_character(client, draft, curator, row, field):
    obj = CURATED[row](draft)
    before = stored(obj)
    client.force_login(curator)
    url = change_url(obj)

    response = client.post(url, admin_form_data(client.get(url), **{field: CONTROL}))

    assert response.status_code == 200
    assert REFUSED in response.text
    assert stored(obj) == before


def test_tabs_and_line_breaks_are_text(client, draft, curator):
    statement = draft.statements.get(title="Claims communication")
    client.force_login(curator)
    url = change_url(statement)

    response = client.post(url, admin_form_data(client.get(url), text="explains a claim:\r\n\tstep by step."))

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.text == "explains a claim:\r\n\tstep by step."


@pytest.mark.parametrize("field", ["title", "description"])
def test_an_occupation_is_not_saved_with_a_control_character(client, field):
    occupation = OccupationFactory()
    before = stored(occupation)
    client.force_login(UserFactory(username="admin", is_superuser=True))
    url = change_url(occupation)

    response = client.post(url, admin_form_data(client.get(url), **{field: CONTROL}))

    assert REFUSED in response.text
    assert stored(occupation) == before


@pytest.mark.parametrize("field", ["title", "short_title"])
def test_a_curators_occupation_title_is_not_saved_with_a_control_character(client, curator, field):
    occupation = OccupationFactory()
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, "Curator titles")
    row = {"occupation": occupation.pk, "kind": "alternate", "title": "Line Helper", "position": 1, field: CONTROL}
    data = admin_form_data(page, **{f"{prefix}-TOTAL_FORMS": "1"})
    data.update({f"{prefix}-0-{name}": str(value) for name, value in row.items()})

    response = client.post(url, data)

    assert REFUSED in response.text
    assert not occupation.titles.exists()


@pytest.mark.parametrize("field", ["name", "correction"])
def test_a_visitor_cannot_send_a_control_character(client, seed, field):
    suggestion = {"about": "general", "name": "Ana", "correction": "Say who pays.", field: CONTROL}

    response = client.post("/occupations/41-3021.00/suggest/", suggestion)

    assert response.status_code == 200
    assert REFUSED in response.text
    assert not Suggestion.objects.exists()
