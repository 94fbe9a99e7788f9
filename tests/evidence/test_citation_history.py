"""A citation's history in admin: its anchors are recorded with each save and restored by a revert."""

import pytest
from django.forms.models import BaseModelForm
from django.urls import reverse

from evidence.models import Citation, SourceAnchor
from frameworks.history import BASELINE_REASON
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import CitationFactory, SourceAnchorFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchors(draft):
    """Three O*NET tasks of the draft's occupation, A, B and C."""
    return [
        SourceAnchorFactory(occupation=draft.occupation, kind=SourceAnchor.Kind.TASK, name=name)
        for name in ("Quote premiums by phone", "Explain policy riders", "Visit clients at home")
    ]


@pytest.fixture
def citation(draft, anchors):
    """A citation of a draft statement, grounded in anchors A and B."""
    citation = CitationFactory(
        statement=draft.statements.get(title="Claims communication"), source=SourceFactory()
    )
    citation.anchors.set(anchors[:2])
    return citation


def anchor_names(obj):
    """The names of a citation's anchors, or of a history record's."""
    name = "name" if isinstance(obj, Citation) else "sourceanchor__name"
    return sorted(obj.anchors.values_list(name, flat=True))


def change_url(citation):
    return reverse("admin:evidence_citation_change", args=[citation.pk])


def revert_url(citation, record):
    return reverse("admin:evidence_citation_simple_history", args=[citation.pk, record.history_id])


def records(citation):
    return list(citation.history.order_by("history_date", "history_id"))


def ground_in(client, citation, anchors):
    url = change_url(citation)
    response = client.post(
        url, admin_form_data(client.get(url), anchors=[str(anchor.pk) for anchor in anchors])
    )
    assert response.status_code == 302
    return response


def test_a_change_of_anchors_is_one_record_that_the_history_page_describes(
    client, citation, anchors, curator
):
    client.force_login(curator)

    ground_in(client, citation, anchors[2:])

    created, changed = records(citation)
    assert (created.history_type, anchor_names(created)) == (
        "+",
        ["Explain policy riders", "Quote premiums by phone"],
    )
    assert (changed.history_user, anchor_names(changed)) == (curator, ["Visit clients at home"])
    page = client.get(reverse("admin:evidence_citation_history", args=[citation.pk]))
    latest, _ = page.context["page_obj"]
    assert latest.history_delta_changes == [
        {
            "field": "Anchors",
            "old": "[Quote premiums by phone, Explain policy riders]",
            "new": "[Visit clients at home]",
        }
    ]
    assert "[Quote premiums by phone, Explain policy riders]" in page.text


def test_an_anchor_change_in_the_statement_page_is_one_record(client, citation, anchors, curator):
    client.force_login(curator)
    url = reverse("admin:frameworks_statement_change", args=[citation.statement_id])
    page = client.get(url)
    prefix = inline_prefix(page, "citations")
    row = next(
        index
        for index, form in enumerate(page.context["inline_admin_formsets"][0].formset.forms)
        if form.instance.pk == citation.pk
    )

    response = client.post(url, admin_form_data(page, **{f"{prefix}-{row}-anchors": [str(anchors[2].pk)]}))

    assert response.status_code == 302
    assert [anchor_names(record) for record in records(citation)] == [
        ["Explain policy riders", "Quote premiums by phone"],
        ["Visit clients at home"],
    ]


def test_curator_reverts_a_citation_to_its_earlier_anchors(client, citation, anchors, curator):
    client.force_login(curator)
    ground_in(client, citation, anchors[2:])
    first = records(citation)[0]

    form = client.get(revert_url(citation, first))
    assert form.status_code == 200
    assert sorted(form.context["adminform"].form["anchors"].value()) == sorted(a.pk for a in anchors[:2])
    response = client.post(revert_url(citation, first), admin_form_data(form))

    assert response.status_code == 302
    assert anchor_names(citation) == ["Explain policy riders", "Quote premiums by phone"]
    *earlier, revert = records(citation)
    assert len(earlier) == 2
    assert (revert.history_user, anchor_names(revert)) == (curator, anchor_names(citation))
    assert "not restored" not in client.get(response.url).text


def test_a_revert_leaves_out_an_anchor_deleted_since_and_says_so(client, citation, anchors, curator):
    client.force_login(curator)
    ground_in(client, citation, anchors[2:])
    first = records(citation)[0]
    SourceAnchor.objects.filter(pk=anchors[1].pk).delete()  # as an O*NET import deletes an uncited anchor

    form = client.get(revert_url(citation, first))
    assert "are not restored: “Explain policy riders”." in form.text
    response = client.post(revert_url(citation, first), admin_form_data(form), follow=True)

    assert response.redirect_chain
    assert anchor_names(citation) == ["Quote premiums by phone"]
    assert "are not restored: “Explain policy riders”." in response.text
    assert "was changed successfully" in response.text
    assert anchor_names(records(citation)[-1]) == ["Quote premiums by phone"]
    # The history page names the deleted anchor rather than its table and key.
    history = client.get(reverse("admin:evidence_citation_history", args=[citation.pk]))
    assert "Explain policy riders (deleted)" in history.text


def test_a_revert_that_fails_on_the_anchors_keeps_the_fields_too(
    client, citation, anchors, curator, monkeypatch
):
    client.force_login(curator)
    ground_in(client, citation, anchors[2:])
    first = records(citation)[0]
    form = client.get(revert_url(citation, first))

    def fail(form):
        raise RuntimeError("the anchors could not be written")

    monkeypatch.setattr(BaseModelForm, "_save_m2m", fail)
    with pytest.raises(RuntimeError):
        client.post(revert_url(citation, first), admin_form_data(form, position="5"))

    citation.refresh_from_db()
    assert (citation.position, anchor_names(citation)) == (1, ["Visit clients at home"])
    assert len(records(citation)) == 2


def test_first_anchor_change_to_a_loaded_citation_keeps_its_earlier_anchors(seed, anchors):
    citation = Citation.objects.filter(statement__framework=seed, anchors__isnull=False).first()
    before = anchor_names(citation)
    assert not citation.history.exists()  # loading a fixture records no history

    citation.anchors.add(anchors[0])  # no save, as the framework exchange import does

    baseline, change = records(citation)
    assert (baseline.history_change_reason, anchor_names(baseline)) == (BASELINE_REASON, before)
    assert anchor_names(change) == sorted([*before, "Quote premiums by phone"])


@pytest.mark.parametrize("object_id, version_id", [("{pk}", "abc"), ("abc", "{version}"), ("{pk}", "999999")])
def test_an_edited_revert_address_is_not_found(client, citation, curator, object_id, version_id):
    client.force_login(curator)
    ids = {"pk": citation.pk, "version": records(citation)[0].history_id}
    url = reverse("admin:evidence_citation_changelist") + f"{object_id}/history/{version_id}/".format(**ids)

    assert client.get(url).status_code == 404
