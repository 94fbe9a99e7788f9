"""Curators review the public's suggestions, and keep anchors, sources and citations, in admin."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evidence.models import Citation, Source, SourceAnchor, Suggestion
from frameworks.models import Level, OnetRelease, Section
from tests.admin_forms import admin_form_data, inline_prefix, saved_meanwhile
from tests.factories import (
    CitationFactory,
    EvidenceMetricFactory,
    SourceAnchorFactory,
    SourceFactory,
    UserFactory,
)

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


def test_anchors_to_choose_are_named_with_their_kind(client, draft, curator):
    citation = Citation.objects.filter(statement__framework=draft).first()
    kind = SourceAnchor.Kind.WORK_STYLE
    SourceAnchorFactory(occupation=draft.occupation, kind=kind, name="<b>Calm</b> under pressure")
    client.force_login(curator)

    citation_page = client.get(reverse("admin:evidence_citation_change", args=[citation.pk]))
    statement_page = client.get(reverse("admin:frameworks_statement_change", args=[citation.statement_id]))

    for page in (citation_page, statement_page):
        assert "Work style: &lt;b&gt;Calm&lt;/b&gt; under pressure</option>" in page.text
        assert "<b>Calm" not in page.text
        task = draft.occupation.anchors.filter(kind=SourceAnchor.Kind.TASK).first()
        assert f">Task: {escape(task.name)}</option>" in page.text


def test_a_new_statements_first_save_holds_its_citations_anchors(client, seed, draft, curator):
    skills = Section.objects.get(key="skills")
    task = draft.occupation.anchors.filter(kind=SourceAnchor.Kind.TASK).first()
    source = Source.objects.get(key="onet")
    client.force_login(curator)
    url = f"/admin/frameworks/statement/add/?framework={draft.pk}"

    page = client.get(url)
    without_framework = client.get("/admin/frameworks/statement/add/")
    prefix = inline_prefix(page, "citations")
    data = admin_form_data(
        page,
        section=skills.pk,
        level=Level.objects.get(scale=skills.scale, key="advanced").pk,
        title="Claims audits",
        text="audits a colleague's claim files.",
        **{
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-source": source.pk,
            f"{prefix}-0-position": "1",
            f"{prefix}-0-anchors": [str(task.pk)],
        },
    )
    added = client.post(url, data)

    assert f">Task: {escape(task.name)}</option>" in page.text
    assert "Task: " not in without_framework.text
    assert added.status_code == 302, added.context["errors"]
    citation = Citation.objects.get(statement__framework=draft, statement__title="Claims audits")
    assert list(citation.anchors.all()) == [task]


def test_a_new_sources_key_says_it_cannot_be_changed_later(client, curator):
    client.force_login(curator)

    page = client.get(reverse("admin:evidence_source_add"))

    assert "/sources/&lt;key&gt;/" in page.text
    assert "It cannot be changed once the source is saved." in page.text


def test_a_new_citation_opened_for_its_statement_offers_the_statements_anchors(client, draft, curator):
    statement = draft.statements.get(title="Claims communication")
    source = Source.objects.exclude(citations__statement=statement).first()
    task = draft.occupation.anchors.filter(kind=SourceAnchor.Kind.TASK).first()
    client.force_login(curator)
    url = reverse("admin:evidence_citation_add") + f"?statement={statement.pk}"

    page = client.get(url)
    added = client.post(url, admin_form_data(page, source=source.pk, position=5, anchors=[str(task.pk)]))

    assert f">Task: {escape(task.name)}</option>" in page.text
    assert added.status_code == 302, added.context["adminform"].form.errors
    assert list(statement.citations.get(source=source).anchors.all()) == [task]


def test_suggestions_are_found_by_who_sent_them(client, suggestion, curator):
    client.force_login(curator)
    url = reverse("admin:evidence_suggestion_changelist")

    assert [client.get(url, {"q": q}).context["cl"].result_count for q in ("Ana", "ana@example.org", "Bo")] == [
        1,
        1,
        0,
    ]


# Citations


def test_citations_are_found_by_statement_source_and_occupation(client, curator):
    quoting = CitationFactory(
        statement__title="Premium quotes",
        statement__framework__occupation__title="Insurance Sales Agents",
        statement__framework__occupation__soc_code="41-3021.00",
        source__label="ESCO",
    )
    claims = CitationFactory(
        statement__text="walks a client through a claim.",
        statement__framework__occupation__title="Claims Adjusters",
        statement__framework__occupation__soc_code="13-1031.01",
        statement__framework__status="draft",
        source__key="onet-30-1",
    )
    client.force_login(curator)
    url = reverse("admin:evidence_citation_changelist")

    def found(**query):
        return list(client.get(url, query).context["cl"].queryset)

    assert found(q="Premium quotes") == found(q="ESCO") == found(q="41-3021.00") == [quoting]
    assert found(q="through a claim") == found(q="onet-30-1") == found(q="Adjusters") == [claims]
    assert found(statement__framework__status__exact="draft") == [claims]


def test_the_citation_and_evidence_metric_lists_name_and_find_each_rows_framework(client, seed, draft, curator):
    client.force_login(curator)
    metrics = reverse("admin:evidence_evidencemetric_changelist")

    citations = client.get(reverse("admin:evidence_citation_changelist"), {"q": "Claims communication"})
    in_draft = client.get(metrics, {"framework__status__exact": "draft"}).context["cl"].queryset
    found = client.get(metrics, {"q": "26.06"}).context["cl"].queryset

    assert "<td class=\"field-framework\">Insurance Sales Agents v.26.06</td>" in citations.text
    assert "<td class=\"field-framework\">Insurance Sales Agents v.26.05</td>" in citations.text
    assert set(in_draft) == set(found) == set(draft.evidence_metrics.all()) != set()


def queries_to_list(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_citation_list_runs_as_many_queries_for_many_citations_as_for_one(client, curator):
    client.force_login(curator)
    url = reverse("admin:evidence_citation_changelist")
    CitationFactory()
    one = queries_to_list(client, url)

    CitationFactory.create_batch(5)

    assert queries_to_list(client, url) == one


def test_a_citation_page_opened_before_a_save_of_its_statements_page_does_not_undo_it(
    client, seed, draft, curator
):
    citation = Citation.objects.filter(statement__framework=draft, anchors__isnull=False).first()
    other_source = Source.objects.exclude(citations__statement=citation.statement).first()
    other_anchor = draft.occupation.anchors.exclude(citations=citation).first()
    before = (citation.source_id, citation.position, sorted(citation.anchors.values_list("pk", flat=True)))
    client.force_login(curator)
    url = reverse("admin:evidence_citation_change", args=[citation.pk])
    page = client.get(url)
    # Another curator, on the statement's page, changes the citation's source and anchors.
    other = Client()
    other.force_login(UserFactory(username="other-curator", role="Curator"))
    statement_url = reverse("admin:frameworks_statement_change", args=[citation.statement_id])
    statement_page = other.get(statement_url)
    prefix = inline_prefix(statement_page, "citations")
    [row] = [i for i, form in enumerate(statement_page.context["inline_admin_formsets"][0].formset.forms)
             if form.instance.pk == citation.pk]
    theirs = {f"{prefix}-{row}-source": str(other_source.pk), f"{prefix}-{row}-anchors": [str(other_anchor.pk)]}
    assert other.post(statement_url, admin_form_data(statement_page, **theirs)).status_code == 302
    saved = (other_source.pk, citation.position, [other_anchor.pk])

    response = client.post(url, admin_form_data(page, position=str(citation.position + 7)))

    assert response.status_code == 200
    assert "This citation was changed by other-curator at " in response.text
    assert stored_citation(citation) == saved != before
    # Opened again, the page saves, and keeps the other curator's change.
    assert client.post(url, admin_form_data(client.get(url), position=str(citation.position + 7))).status_code == 302
    assert stored_citation(citation) == (other_source.pk, citation.position + 7, [other_anchor.pk])


def stored_citation(citation):
    stored = Citation.objects.get(pk=citation.pk)
    return (stored.source_id, stored.position, sorted(stored.anchors.values_list("pk", flat=True)))


# Anchors


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def imported_anchor(db):
    """An anchor as manage.py import_onet writes it: stamped with its release, credited to its source."""
    release = OnetRelease.objects.create(version="30.1", released="November 2025")
    return SourceAnchorFactory(
        name="Reading Comprehension", importance="4.00", release=release, source=SourceFactory(key="onet-30-1")
    )


def anchor_url(anchor):
    return reverse("admin:evidence_sourceanchor_change", args=[anchor.pk])


def stored(anchor):
    return SourceAnchor.objects.filter(pk=anchor.pk).values().get()


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_a_curator_cannot_change_what_the_import_wrote_to_an_anchor(client, request, role, imported_anchor):
    before = stored(imported_anchor)
    client.force_login(request.getfixturevalue(role))
    url = anchor_url(imported_anchor)
    page = client.get(url)
    forged = {
        "occupation": str(SourceAnchorFactory().occupation_id),
        "kind": "task",
        "onet_id": "999",
        "name": "Skimming",
        "position": "99",
        "importance": "1.00",
        "task_type": "Core",
        "hot_technology": "on",
        "in_demand": "on",
        "source": str(SourceFactory().pk),
        "release": "",
    }

    response = client.post(url, admin_form_data(page, **forged))

    assert list(page.context["adminform"].form.fields) == ["seen"]  # hidden: what the page saw
    assert "Reading Comprehension" in page.text
    assert response.status_code == 302
    assert stored(imported_anchor) == before


def test_a_curator_changes_their_own_anchor_but_not_its_release(client, curator, imported_anchor):
    own = SourceAnchorFactory(occupation=imported_anchor.occupation, name="Quoting")
    client.force_login(curator)
    url = anchor_url(own)

    response = client.post(
        url, admin_form_data(client.get(url), name="Quoting premiums", release=str(imported_anchor.release_id))
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.release) == ("Quoting premiums", None)


def test_a_superuser_still_changes_an_imported_anchor(client, superuser, imported_anchor):
    client.force_login(superuser)
    url = anchor_url(imported_anchor)

    response = client.post(url, admin_form_data(client.get(url), name="Reading", importance="3.50"))

    assert response.status_code == 302
    imported_anchor.refresh_from_db()
    assert (imported_anchor.name, str(imported_anchor.importance)) == ("Reading", "3.50")


def test_a_revert_leaves_what_the_import_wrote_to_an_anchor(client, curator, imported_anchor):
    # An earlier state in the anchor's history, since overwritten by the next import.
    imported_anchor.name = "Reading"
    imported_anchor.save()
    SourceAnchor.objects.filter(pk=imported_anchor.pk).update(name="Reading Comprehension")
    before = stored(imported_anchor)
    earlier = imported_anchor.history.get(name="Reading")
    client.force_login(curator)
    url = reverse("admin:evidence_sourceanchor_simple_history", args=[imported_anchor.pk, earlier.history_id])

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302
    assert stored(imported_anchor) == before


@pytest.mark.parametrize(
    ("importance", "error"),
    [
        ("-3.01", "Ensure this value is greater than or equal to -3."),
        ("5.01", "Ensure this value is less than or equal to 5."),
    ],
)
def test_an_anchors_importance_stays_on_onets_scales(client, curator, importance, error):
    # IM runs from 1 to 5, and WI, on which O*NET 30 rates work styles, from -3 to 3.
    anchor = SourceAnchorFactory(kind=SourceAnchor.Kind.WORK_STYLE, importance="1.00")
    client.force_login(curator)
    url = anchor_url(anchor)
    page = client.get(url)

    refused = client.post(url, admin_form_data(page, importance=importance))
    accepted = client.post(url, admin_form_data(page, importance="-0.59"))

    assert refused.status_code == 200 and error in refused.text
    assert accepted.status_code == 302
    anchor.refresh_from_db()
    assert str(anchor.importance) == "-0.59"


# Sources


@pytest.mark.parametrize("who", ["curator", "superuser"])
def test_a_sources_key_stays_as_it_was_added(client, request, who, seed):
    client.force_login(request.getfixturevalue(who))
    source = Source.objects.get(key="onet")
    url = reverse("admin:evidence_source_change", args=[source.pk])
    page = client.get(url)

    response = client.post(url, admin_form_data(page, key="onet-renamed", label="O*NET 30.2"))

    assert "key" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.key, source.label) == ("onet", "O*NET 30.2")
    assert client.get("/sources/onet/").status_code == 200


def test_a_source_is_added_with_its_key(client, curator):
    client.force_login(curator)

    response = client.post(
        reverse("admin:evidence_source_add"),
        {"key": "esco", "label": "ESCO", "title": "European Skills, Competences and Occupations", "position": "0"},
    )

    assert response.status_code == 302
    assert Source.objects.get(key="esco").label == "ESCO"


def test_a_revert_keeps_a_sources_key(client, curator, seed):
    # A key renamed before it was read-only, in the source's history.
    source = Source.objects.get(key="onet")
    source.key = "onet-old"
    source.save()
    source.key = "onet"
    source.save()
    earlier = source.history.get(key="onet-old")
    client.force_login(curator)
    url = reverse("admin:evidence_source_simple_history", args=[source.pk, earlier.history_id])

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.key == "onet"


# Deleting sources and anchors


def delete_url(row):
    return reverse(f"admin:evidence_{row._meta.model_name}_delete", args=[row.pk])


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_a_source_added_by_mistake_is_deleted_recorded_and_its_page_gone(
    client, request, role, django_capture_on_commit_callbacks
):
    source = SourceFactory(key="esco-typo", label="ESCO (typo)")
    visitor = Client()
    assert visitor.get("/sources/esco-typo/").status_code == 200  # and cached
    user = request.getfixturevalue(role)
    client.force_login(user)

    page = client.get(reverse("admin:evidence_source_change", args=[source.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(delete_url(source), {"post": "yes"})

    assert f'href="{delete_url(source)}"' in page.text
    assert deleted.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
    assert visitor.get("/sources/esco-typo/").status_code == 404
    latest = Source.history.filter(id=source.pk).first()
    assert (latest.history_type, latest.history_user, latest.key) == ("-", user, "esco-typo")
    history = client.get(reverse("admin:evidence_source_history", args=[source.pk]))
    assert history.status_code == 200 and "ESCO (typo)" in history.text


def test_a_source_still_referred_to_is_refused_naming_what_refers_to_it(client, curator):
    source = SourceFactory(key="esco", label="ESCO")
    citation = CitationFactory(source=source, statement__title="<b>Premium</b> quotes")
    metric = EvidenceMetricFactory(source=source, value="95")
    anchor = SourceAnchorFactory(source=source, name="Quoting")
    client.force_login(curator)

    page = client.get(delete_url(source))
    refused = client.post(delete_url(source), {"post": "yes"})
    listing = reverse("admin:evidence_source_changelist")
    refused_in_bulk = client.post(listing, {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"})

    assert page.context["title"] == "Cannot delete source"
    framework = citation.statement.framework
    citation_url = reverse("admin:evidence_citation_change", args=[citation.pk])
    assert f'Citation: <a href="{citation_url}">&lt;b&gt;Premium&lt;/b&gt; quotes → ESCO, in {framework}</a>' in page.text
    assert "Evidence metric: <a " in page.text and f"AEI usage: 95%, in {metric.framework}</a>" in page.text
    assert "Source anchor: <a " in page.text and f"Quoting, in {anchor.occupation}</a>" in page.text
    assert "<b>Premium" not in page.text
    assert refused.status_code == refused_in_bulk.status_code == 200
    assert "Quoting" in refused.text and "Quoting" in refused_in_bulk.text
    assert Source.objects.filter(pk=source.pk).exists()
    assert Citation.objects.filter(pk=citation.pk, source=source).exists()
    assert source.history.filter(history_type="-").count() == 0


def test_a_refused_deletion_names_a_few_references_in_as_many_queries_for_many(client, curator):
    source = SourceFactory(key="esco")
    CitationFactory(source=source)
    client.force_login(curator)
    few = queries_to_list(client, delete_url(source))

    CitationFactory.create_batch(14, source=source)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(delete_url(source))
    assert len(queries) == few
    assert page.text.count("Citation: <a ") == 10
    assert "…and 5 more citations." in page.text


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_a_curators_anchor_nothing_refers_to_is_deleted_and_recorded(client, request, role):
    anchor = SourceAnchorFactory(name="Quoting premiums (duplicate)")
    user = request.getfixturevalue(role)
    client.force_login(user)

    page = client.get(anchor_url(anchor))
    deleted = client.post(delete_url(anchor), {"post": "yes"})

    assert f'href="{delete_url(anchor)}"' in page.text
    assert deleted.status_code == 302
    assert not SourceAnchor.objects.filter(pk=anchor.pk).exists()
    [record] = SourceAnchor.history.filter(id=anchor.pk, history_type="-")
    assert (record.history_user, record.name) == (user, "Quoting premiums (duplicate)")
    history = client.get(reverse("admin:evidence_sourceanchor_history", args=[anchor.pk]))
    assert history.status_code == 200 and "Quoting premiums (duplicate)" in history.text


def test_an_anchor_a_citation_grounds_on_or_a_suggestion_names_is_refused(client, seed, draft, curator):
    citation = Citation.objects.filter(statement__framework=draft).first()
    anchor = SourceAnchorFactory(occupation=draft.occupation, name="Quoting")
    citation.anchors.add(anchor)
    suggestion = Suggestion.objects.create(occupation=draft.occupation, anchor=anchor, correction="Say quotes.")
    client.force_login(curator)

    refused = client.post(delete_url(anchor), {"post": "yes"})

    assert refused.status_code == 200 and refused.context["title"] == "Cannot delete source anchor"
    assert f"{escape(citation)}, in {draft}</a>" in refused.text
    assert "Suggestion: <a " in refused.text and f"{suggestion}</a>" in refused.text
    assert list(citation.anchors.filter(pk=anchor.pk)) == [anchor]
    suggestion.refresh_from_db()
    assert suggestion.anchor == anchor


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_an_imported_anchor_is_not_deleted_by_a_curator(client, request, role, imported_anchor):
    client.force_login(request.getfixturevalue(role))
    listing = reverse("admin:evidence_sourceanchor_changelist")

    page = client.get(anchor_url(imported_anchor))
    refused = client.post(delete_url(imported_anchor), {"post": "yes"})
    refused_in_bulk = client.post(
        listing, {"action": "delete_selected", "_selected_action": [imported_anchor.pk], "post": "yes"}
    )

    assert delete_url(imported_anchor) not in page.text
    assert refused.status_code == refused_in_bulk.status_code == 403
    assert SourceAnchor.objects.filter(pk=imported_anchor.pk).exists()


def test_a_superuser_deletes_an_imported_anchor_nothing_refers_to(client, superuser, imported_anchor):
    client.force_login(superuser)

    deleted = client.post(delete_url(imported_anchor), {"post": "yes"})

    assert deleted.status_code == 302
    assert not SourceAnchor.objects.filter(pk=imported_anchor.pk).exists()


# Two curators on one page


def rows_two_curators_edit(draft):
    citation = Citation.objects.filter(statement__framework=draft).order_by("pk").first()
    other_source = Source.objects.exclude(citations__statement=citation.statement).first()
    return {
        "citation": (citation, {"position": 17}, {"source": other_source.pk}),
        "source": (citation.source, {"publisher": "Their publisher"}, {"licence": "My licence"}),
        "source anchor": (
            SourceAnchorFactory(occupation=draft.occupation, name="Curator skill"),
            {"name": "Their skill"},
            {"position": 41},
        ),
        "evidence metric": (draft.evidence_metrics.order_by("pk").first(), {"value": "12"}, {"label": "My label"}),
    }


@pytest.mark.parametrize("name", ["citation", "source", "source anchor", "evidence metric"])
def test_a_save_over_another_curators_is_refused_naming_them_and_keeps_what_was_typed(client, draft, curator, name):
    row, theirs, mine = rows_two_curators_edit(draft)[name]
    model = type(row)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    first = Client()
    first.force_login(UserFactory(username="ana", first_name="Ana", last_name="Lima", role="Curator"))
    client.force_login(curator)

    refused = saved_meanwhile(first, client, url, theirs, mine)

    assert refused.status_code == 200
    [error] = refused.context["adminform"].form.non_field_errors()
    label = model._meta.get_field(next(iter(theirs))).verbose_name.capitalize()
    assert error.startswith(f"This {name} was changed by Ana Lima at "), error
    assert f"({label}) after you opened" in error
    assert stored_fields(row, theirs) == theirs and stored_fields(row, mine) == stored_fields(row, mine, row)
    form_data = refused.context["adminform"].form.data
    assert {field: form_data[field] for field in mine} == {field: str(value) for field, value in mine.items()}
    # Saved again once reviewed, it is saved, keeping the other change where history says what it was.
    assert client.post(url, admin_form_data(refused)).status_code == 302
    assert stored_fields(row, mine) == mine
    assert stored_fields(row, theirs) == theirs


def test_a_citation_page_opened_before_another_curators_anchors_keeps_them_and_saves_again(client, draft, curator):
    citation = Citation.objects.get(
        statement__framework=draft, statement__title="Client intake dialogue", source__key="onet"
    )
    anchors = sorted([*citation.anchors.values_list("pk", flat=True), draft.occupation.anchors.get(onet_id="724").pk])
    url = reverse("admin:evidence_citation_change", args=[citation.pk])
    first = Client()
    first.force_login(UserFactory(username="ana", first_name="Ana", last_name="Lima", role="Curator"))
    client.force_login(curator)

    refused = saved_meanwhile(first, client, url, {"anchors": [str(pk) for pk in anchors]}, {"position": "17"})

    assert refused.status_code == 200
    [error] = refused.context["adminform"].form.non_field_errors()
    assert "(Anchors) after you opened" in error and "with their change to Anchors" in error
    assert client.post(url, admin_form_data(refused)).status_code == 302
    assert sorted(citation.anchors.values_list("pk", flat=True)) == anchors
    assert Citation.objects.get(pk=citation.pk).position == 17


def stored_fields(row, fields, stored=None):
    """The values `fields` have in the database, or in `stored`, by their names: a key for a foreign key."""
    stored = stored or type(row).objects.get(pk=row.pk)
    return {field: getattr(stored, type(row)._meta.get_field(field).attname) for field in fields}


def test_an_evidence_metrics_history_lists_who_changed_its_value_from_what_to_what(client, draft, curator):
    metric = draft.evidence_metrics.order_by("pk").first()
    earlier = metric.value
    url = reverse("admin:evidence_evidencemetric_change", args=[metric.pk])
    client.force_login(curator)
    assert client.post(url, admin_form_data(client.get(url), value="<b>61</b>")).status_code == 302

    page = client.get(reverse("admin:evidence_evidencemetric_history", args=[metric.pk]))

    assert page.status_code == 200
    assert [(r.history_type, r.history_user) for r in metric.history.all()] == [("~", curator), ("+", None)]
    assert "<strong>Value:</strong>" in page.text
    assert escape(earlier) in page.text and escape("<b>61</b>") in page.text and "<b>61</b>" not in page.text
    assert ">curator</a>" in page.text
