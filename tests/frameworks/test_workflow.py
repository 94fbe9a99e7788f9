"""A framework's workflow over HTTP: draft → in review → published → archived, versions and previews."""

import dataclasses
import re

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from evidence.models import Citation, EvidenceMetric
from frameworks import services, workflow
from frameworks.models import Framework, Statement
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import (
    CitationFactory,
    EvidenceMetricFactory,
    FrameworkFactory,
    SourceAnchorFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Framework.Status
SOC = "41-3021.00"


def change_url(framework):
    return reverse("admin:frameworks_framework_change", args=[framework.pk])


def take(client, framework, step, **extra):
    """Post the step on its own, as a read-only framework's step buttons and the list's menu do."""
    data = {"CHANGE_FORM-action": step, "_selected_action": framework.pk, **extra}
    return client.post(change_url(framework), data, follow=True)


def press(client, framework, step, page=None, **changes):
    """Press the step's button on an editable framework's change page, `changes` typed in first."""
    page = page or client.get(change_url(framework))
    return client.post(change_url(framework), admin_form_data(page, _step=step, **changes), follow=True)


def saved_and(framework, status):
    return [f"The framework “{framework}” was changed successfully.", f"“{framework}” is now {status}."]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# Roles


def test_migration_creates_the_curator_and_editor_roles():
    curator = set(Group.objects.get(name="Curator").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))

    assert {
        "add_statement",
        "change_statement",
        "change_citation",
        "add_source",
        "change_sourceanchor",
    } <= curator
    # Deleting a framework (migration 0015): FrameworkAdmin allows it for a draft never published alone.
    assert {"add_framework", "change_framework", "submit_framework", "delete_framework"} <= curator
    # Deleting a source or an anchor (evidence migration 0006): their admins allow it while nothing refers to it.
    assert {"delete_source", "delete_sourceanchor"} <= curator
    assert not {"publish_framework", "archive_framework"} & curator
    # An occupation's own titles (migration 0009); the occupation itself is the O*NET import's to add.
    assert {
        "view_occupation",
        "change_occupation",
        "add_occupationtitle",
        "change_occupationtitle",
        "delete_occupationtitle",
        "view_occupationtitle",
    } <= curator
    assert not {"add_occupation", "delete_occupation"} & curator
    assert editor - curator == {"publish_framework", "archive_framework"}
    for role in (curator, editor):
        assert not {codename for codename in role if codename.endswith(("_user", "_group", "_permission"))}


def test_roles_migration_is_idempotent():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("frameworks.migrations.0005_history_and_workflow")
    before = {group.name: set(group.permissions.all()) for group in Group.objects.all()}

    migration.create_roles(apps, None)

    assert {group.name: set(group.permissions.all()) for group in Group.objects.all()} == before


def test_history_shows_an_empty_value_and_a_date_as_the_change_form_does(client, draft, editor):
    workflow.apply(draft, "submit", editor)
    workflow.apply(Framework.objects.get(pk=draft.pk), "publish", editor)
    client.force_login(editor)
    copy = services.copy_as_new_version(Framework.objects.get(pk=draft.pk), "26.07")
    client.post(change_url(copy), admin_form_data(client.get(change_url(copy)), context_covered="Agencies."))

    published = client.get(reverse("admin:frameworks_framework_history", args=[draft.pk]))
    edited = client.get(reverse("admin:frameworks_framework_history", args=[copy.pk]))

    published_at = Framework.objects.get(pk=draft.pk).published_at
    shown = date_format(timezone.localtime(published_at), "DATETIME_FORMAT")
    assert "<strong>Published at:</strong>\n                    -\n" in published.text
    assert f"&nbsp;&nbsp;{shown}" in published.text
    assert "+00:00" not in published.text
    assert not re.search(r"<td>\s*None\s*</td>", edited.text)


# Steps


def test_curator_submits_a_draft_for_review(client, draft, curator):
    client.force_login(curator)

    page = client.get(change_url(draft))
    assert 'class="button" name="_step" value="submit">Save and submit for review</button>' in page.text
    assert 'value="publish"' not in page.text
    assert 'class="transition-form"' not in page.text

    response = press(client, draft, "submit", page=page)

    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert messages_of(response) == saved_and(draft, "In review")
    record = draft.history.first()
    assert (record.history_user, record.history_change_reason, record.status) == (
        curator,
        "Submit for review",
        Status.IN_REVIEW,
    )


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_a_framework_in_review_is_sent_back_to_draft(client, draft, role, request):
    user = request.getfixturevalue(role)
    draft.status = Status.IN_REVIEW
    draft.save()
    client.force_login(user)

    page = client.get(change_url(draft))
    assert 'value="withdraw">Save and send back to draft</button>' in page.text
    response = press(client, draft, "withdraw", page=page)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert messages_of(response) == saved_and(draft, "Draft")
    record = draft.history.first()
    assert (record.history_user, record.history_change_reason) == (user, "Send back to draft")
    assert 'value="submit"' in response.text


def test_curator_cannot_publish(client, draft, curator):
    draft.status = Status.IN_REVIEW
    draft.save()
    client.force_login(curator)

    response = take(client, draft, "publish")

    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert messages_of(response) == ["“Publish” needs an editor's permission."]
    assert 'value="publish"' not in response.text


def test_curator_cannot_publish_from_the_change_form_nor_save_with_it(client, draft, curator):
    draft.status = Status.IN_REVIEW
    draft.save()
    client.force_login(curator)

    response = press(client, draft, "publish", context_covered="Typed before a publish.")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == ["“Publish” needs an editor's permission."]
    assert form["context_covered"].value() == "Typed before a publish."
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert draft.context_covered != "Typed before a publish."


# Steps taken from the change form save what the page holds first


def test_a_step_saves_the_edits_typed_on_the_page_then_takes_the_step(client, draft, curator):
    client.force_login(curator)
    page = client.get(change_url(draft))
    prefix = inline_prefix(page, "Occupational skills statements")
    forms = page.context["inline_admin_formsets"][0].formset.forms
    first, second = forms[0].instance, forms[1].instance
    moves = {f"{prefix}-0-position": "2", f"{prefix}-1-position": "1"}

    response = press(client, draft, "submit", page=page, context_covered="Agencies and brokers.", **moves)

    draft.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (draft.status, draft.context_covered) == (Status.IN_REVIEW, "Agencies and brokers.")
    assert (first.position, second.position) == (2, 1)
    assert messages_of(response) == saved_and(draft, "In review")
    # The edit and the step are each a record of the framework's history, the step last.
    step, edit = draft.history.all()[:2]
    assert (edit.status, edit.context_covered) == (Status.DRAFT, "Agencies and brokers.")
    assert (step.status, step.history_change_reason) == (Status.IN_REVIEW, "Submit for review")


def test_a_step_pressed_with_nothing_typed_adds_the_step_alone_to_the_history(client, draft, curator):
    client.force_login(curator)
    before = draft.history.count()

    response = press(client, draft, "submit")

    assert messages_of(response) == saved_and(draft, "In review")
    assert draft.history.count() == before + 1
    assert draft.history.first().history_change_reason == "Submit for review"


def test_an_editor_publishes_with_the_edit_typed_on_the_page(client, seed, draft, editor):
    draft.status = Status.IN_REVIEW
    draft.save()
    client.force_login(editor)

    press(client, draft, "publish", context_covered="Agencies, as published.")

    draft.refresh_from_db()
    seed.refresh_from_db()
    assert (draft.status, draft.context_covered) == (Status.PUBLISHED, "Agencies, as published.")
    assert seed.status == Status.ARCHIVED
    client.logout()
    assert client.get(f"/occupations/{SOC}/").context["framework"] == draft


def test_a_step_with_an_invalid_edit_saves_nothing_and_takes_no_step(client, seed, draft, curator):
    client.force_login(curator)
    page = client.get(change_url(draft))
    prefix = inline_prefix(page, "Occupational skills statements")

    response = press(
        client,
        draft,
        "submit",
        page=page,
        context_covered="Agencies and brokers.",
        **{f"{prefix}-0-position": "2"},  # the second statement's place
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[0].errors["position"]
    assert response.context["adminform"].form["context_covered"].value() == "Agencies and brokers."
    assert 'value="submit">Save and submit for review</button>' in response.text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.context_covered != "Agencies and brokers."
    assert [f.status for f in Framework.objects.filter(pk=seed.pk)] == [Status.PUBLISHED]


def test_a_step_from_a_page_opened_before_another_save_takes_nothing(client, draft, curator):
    client.force_login(curator)
    page = client.get(change_url(draft))
    Framework.objects.filter(pk=draft.pk).update(context_covered="Saved meanwhile.")

    response = press(client, draft, "submit", page=page, context_covered="Typed on the old page.")

    assert response.status_code == 200
    assert "was changed after you opened this page" in response.text
    draft.refresh_from_db()
    assert (draft.status, draft.context_covered) == (Status.DRAFT, "Saved meanwhile.")


def test_a_step_from_a_page_opened_before_another_step_takes_nothing(client, draft, curator, editor):
    client.force_login(curator)
    page = client.get(change_url(draft))
    take(client, draft, "submit")  # from another tab, say

    response = press(client, draft, "submit", page=page)

    assert response.status_code == 200
    assert "This framework was changed by curator at " in response.text
    assert draft.history.filter(history_change_reason="Submit for review").count() == 1


def test_a_step_the_status_does_not_allow_saves_nothing(client, draft, editor):
    client.force_login(editor)

    response = press(client, draft, "publish", context_covered="Typed before a publish.")

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        f"“{draft}” is Draft: “Publish” applies only to a framework that is In review."
    ]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.context_covered != "Typed before a publish."


def test_an_unknown_step_is_a_bad_request(client, draft, curator):
    client.force_login(curator)

    response = press(client, draft, "promote", context_covered="Typed.")

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.context_covered != "Typed."


def test_a_step_that_asks_first_saves_the_page_then_asks(client, draft, editor, monkeypatch):
    # No step that asks applies to a framework that can be changed today; one that did would still ask.
    submit = dataclasses.replace(workflow.TRANSITIONS["submit"], confirm="Reviewers will read it.")
    monkeypatch.setitem(workflow.TRANSITIONS, "submit", submit)
    client.force_login(editor)

    asked = press(client, draft, "submit", context_covered="Saved before asking.")

    draft.refresh_from_db()
    assert (draft.status, draft.context_covered) == (Status.DRAFT, "Saved before asking.")
    assert "Reviewers will read it." in asked.text
    # The confirmation posts the step alone: the page's fields, saved already, are not posted again.
    assert 'name="CHANGE_FORM-action" value="submit"' in asked.text
    assert f'name="_selected_action" value="{draft.pk}"' in asked.text
    assert 'name="context_covered"' not in asked.text

    confirmed = take(client, draft, "submit", confirmed="yes")

    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert messages_of(confirmed) == [f"“{draft}” is now In review."]


def test_a_read_only_frameworks_steps_are_forms_of_their_own(client, seed, editor):
    client.force_login(editor)

    page = client.get(change_url(seed))

    assert page.text.count('class="transition-form"') == 2  # archive, and take back to draft
    assert 'name="CHANGE_FORM-action" value="archive"' in page.text
    assert 'name="_step"' not in page.text


def test_editor_publishes_and_the_previous_version_is_archived_but_readable(client, seed, draft, editor):
    Statement.objects.filter(framework=draft, title="Standard insurance policy types").update(
        text="explain every standard policy type to a client."
    )
    draft.status = Status.IN_REVIEW
    draft.save()
    client.force_login(editor)

    response = press(client, draft, "publish")

    draft.refresh_from_db()
    seed.refresh_from_db()
    assert messages_of(response) == saved_and(draft, "Published")
    assert (draft.status, seed.status) == (Status.PUBLISHED, Status.ARCHIVED)
    assert draft.published_at is not None
    assert seed.history.first().history_change_reason == "Superseded by v.26.06"

    client.logout()
    current = client.get(f"/occupations/{SOC}/")
    assert "v.26.06" in current.text
    assert "explain every standard policy type to a client." in current.text
    earlier = client.get(f"/occupations/{SOC}/versions/26.05/")
    assert earlier.status_code == 200
    assert "An earlier version." in earlier.text
    assert f'href="/occupations/{SOC}/">Read the current version, v.26.06</a>' in earlier.text
    assert "identify and describe key features" in earlier.text
    assert "Draft — not public" not in earlier.text


@pytest.mark.parametrize(
    ("status", "step", "message"),
    [
        (Status.DRAFT, "publish", "is Draft: “Publish” applies only to a framework that is In review."),
        (
            Status.ARCHIVED,
            "submit",
            "is Archived: “Submit for review” applies only to a framework that is Draft.",
        ),
        (Status.DRAFT, "archive", "is Draft: “Archive” applies only to a framework that is Published."),
        (
            Status.IN_REVIEW,
            "restore",
            "is In review: “Restore” applies only to a framework that is Archived.",
        ),
    ],
)
def test_steps_the_status_does_not_allow_are_refused(client, editor, status, step, message):
    framework = FrameworkFactory(status=status)
    client.force_login(editor)

    response = take(client, framework, step, confirmed="yes")

    framework.refresh_from_db()
    assert framework.status == status
    assert messages_of(response) == [f"“{framework}” {message}"]


@pytest.mark.parametrize(("status", "step", "label"), [(Status.DRAFT, "submit", "Submit for review"), (Status.IN_REVIEW, "publish", "Publish")])
def test_a_framework_without_statements_is_neither_submitted_nor_published(client, editor, status, step, label):
    framework = FrameworkFactory(status=status)
    client.force_login(editor)

    response = press(client, framework, step)

    framework.refresh_from_db()
    assert framework.status == status
    assert f"“{framework}” has no statements yet: add them before “{label}”." in response.text


@pytest.mark.parametrize(
    ("status", "step", "label"),
    [(Status.PUBLISHED, "archive", "Archive"), (Status.ARCHIVED, "restore", "Restore")],
)
def test_curator_cannot_archive_or_restore(client, curator, status, step, label):
    framework = FrameworkFactory(status=status)
    client.force_login(curator)

    response = take(client, framework, step)

    framework.refresh_from_db()
    assert framework.status == status
    assert messages_of(response) == [f"“{label}” needs an editor's permission."]


def test_editor_archives_and_restores_a_version(client, seed, editor):
    client.force_login(editor)

    take(client, seed, "archive")
    seed.refresh_from_db()
    assert seed.status == Status.ARCHIVED
    assert client.get(f"/occupations/{SOC}/").context["framework"] is None

    take(client, seed, "restore")
    seed.refresh_from_db()
    assert seed.status == Status.PUBLISHED
    assert client.get(f"/occupations/{SOC}/").context["framework"] == seed


def test_restoring_an_earlier_version_makes_it_current(client, seed, draft, editor):
    client.force_login(editor)
    take(client, draft, "submit")
    take(client, draft, "publish")
    seed.refresh_from_db()
    assert seed.status == Status.ARCHIVED

    take(client, seed, "restore")

    seed.refresh_from_db()
    draft.refresh_from_db()
    assert (seed.status, draft.status) == (Status.PUBLISHED, Status.ARCHIVED)
    assert client.get(f"/occupations/{SOC}/").context["framework"] == seed


def test_a_framework_revert_restores_its_fields_but_never_its_status(client, seed, editor, curator):
    client.force_login(editor)
    take(client, seed, "unpublish", confirmed="yes")
    published_at = Framework.objects.get(pk=seed.pk).published_at
    when_published = seed.history.filter(status=Status.PUBLISHED).latest("history_date")
    Framework.objects.filter(pk=seed.pk).update(context_covered="A worse context.")
    client.force_login(curator)
    url = reverse("admin:frameworks_framework_simple_history", args=[seed.pk, when_published.history_id])

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.context_covered == when_published.context_covered != "A worse context."
    assert (seed.status, seed.published_at) == (Status.DRAFT, published_at)
    assert client.get(f"/occupations/{SOC}/").context["framework"] is None


def test_the_database_holds_one_published_version_per_occupation(seed, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Framework.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)

    assert list(Framework.objects.published()) == [seed]


def test_taking_a_published_framework_back_to_draft_asks_first(client, seed, editor):
    client.force_login(editor)

    asked = take(client, seed, "unpublish")

    seed.refresh_from_db()
    assert seed.status == Status.PUBLISHED
    assert "The public will no longer see it" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert 'name="CHANGE_FORM-action" value="unpublish"' in asked.text
    assert f'name="_selected_action" value="{seed.pk}"' in asked.text

    confirmed = take(client, seed, "unpublish", confirmed="yes")

    seed.refresh_from_db()
    assert seed.status == Status.DRAFT
    assert messages_of(confirmed) == [f"“{seed}” is now Draft."]
    assert client.get(f"/occupations/{SOC}/").context["framework"] is None


def test_list_action_asks_before_taking_frameworks_back_to_draft(client, editor):
    frameworks = FrameworkFactory.create_batch(2)
    client.force_login(editor)
    data = {"action": "unpublish", "_selected_action": [f.pk for f in frameworks]}
    url = reverse("admin:frameworks_framework_changelist")

    asked = client.post(url, data)

    assert asked.status_code == 200
    assert all(str(framework) in asked.text for framework in frameworks)
    assert Framework.objects.filter(status=Status.PUBLISHED).count() == 2

    client.post(url, {**data, "confirmed": "yes"})

    assert Framework.objects.filter(status=Status.DRAFT).count() == 2


def test_curator_cannot_take_a_published_framework_back_to_draft(client, seed, curator):
    client.force_login(curator)

    response = take(client, seed, "unpublish", confirmed="yes")

    seed.refresh_from_db()
    assert seed.status == Status.PUBLISHED
    assert messages_of(response) == ["“Take back to draft” needs an editor's permission."]


# Who sees what


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_anonymous_visitors_never_see_drafts(client, seed, draft, status):
    draft.status = status
    draft.save()
    citation = Citation.objects.filter(statement__framework=draft).first()

    assert client.get(f"/occupations/{SOC}/versions/26.06/").status_code == 404
    assert client.get(f"/citations/{citation.pk}/").status_code == 404
    assert client.get(f"/occupations/{SOC}/").context["framework"] == seed


def test_curators_preview_a_draft_at_its_address_with_a_banner(client, draft, curator):
    citation = Citation.objects.filter(statement__framework=draft).first()
    client.force_login(curator)

    response = client.get(f"/occupations/{SOC}/versions/26.06/?tab=ai")

    assert response.status_code == 200
    assert "Draft — not public." in response.text
    assert reverse("admin:frameworks_framework_change", args=[draft.pk]) in response.text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Download this framework" not in response.text
    tabs = client.get(f"/occupations/{SOC}/versions/26.06/?tab=durable", headers={"HX-Request": "true"})
    assert "<html" not in tabs.text and "Fortitude" in tabs.text
    chip = client.get(f"/citations/{citation.pk}/")
    assert chip.status_code == 200 and "no-store" in chip["Cache-Control"]


@pytest.mark.usefixtures("draft")
def test_staff_without_a_role_or_signed_in_visitors_cannot_preview(client):
    for user in (
        UserFactory(username="staff"),
        UserFactory(username="visitor", is_staff=False, role="Curator"),
    ):
        client.force_login(user)
        assert client.get(f"/occupations/{SOC}/versions/26.06/").status_code == 404


def test_current_version_at_its_version_address_has_no_notice(client, seed):
    response = client.get(f"/occupations/{SOC}/versions/26.05/")

    assert response.status_code == 200
    assert "version-notice" not in response.text
    assert client.get(f"/occupations/{SOC}/versions/9.9/").status_code == 404


# Copy as new version


def test_copy_as_new_version_clones_everything_into_a_draft(client, seed, curator):
    client.force_login(curator)
    url = reverse("admin:frameworks_framework_copy", args=[seed.pk])

    form = client.get(url)
    assert form.status_code == 200
    assert 'value="26.06"' in form.text

    response = client.post(url, {"version": "26.06"}, follow=True)

    copy = Framework.objects.get(occupation=seed.occupation, version="26.06")
    assert response.redirect_chain[-1][0] == change_url(copy)
    assert messages_of(response) == [f"“{copy}” is a new draft copied from v.26.05."]
    assert (copy.status, copy.published_at, copy.context_covered) == (
        Status.DRAFT,
        None,
        seed.context_covered,
    )

    def contents(framework):
        statements = Statement.objects.filter(framework=framework)
        return (
            sorted(statements.values_list("section", "level", "domain", "position", "title", "text")),
            sorted(
                Citation.objects.filter(statement__framework=framework).values_list(
                    "statement__title", "statement__position", "source", "position", "anchors"
                ),
                key=repr,
            ),
            sorted(
                EvidenceMetric.objects.filter(framework=framework).values_list(
                    "source", "group", "key", "label", "value", "unit", "position"
                )
            ),
        )

    assert contents(copy) == contents(seed)
    assert len(contents(copy)[0]) == 136
    assert not set(copy.statements.values_list("uid", flat=True)) & set(
        seed.statements.values_list("uid", flat=True)
    )
    assert seed.statements.count() == 136 and seed.status == Status.PUBLISHED


def test_a_copy_records_each_row_as_created_by_the_curator(client, seed, curator):
    client.force_login(curator)

    client.post(reverse("admin:frameworks_framework_copy", args=[seed.pk]), {"version": "26.06"})

    copy = Framework.objects.get(version="26.06")
    statement_history = Statement.history.filter(framework=copy)
    citation_history = Citation.history.filter(statement__framework=copy)
    metric_history = EvidenceMetric.history.filter(framework=copy)
    assert statement_history.count() == copy.statements.count() == 136
    assert citation_history.count() == Citation.objects.filter(statement__framework=copy).count()
    assert metric_history.count() == copy.evidence_metrics.count() > 0
    records = [*statement_history, *citation_history, *metric_history]
    assert {(r.history_type, r.history_user) for r in records} == {("+", curator)}
    # Each citation's record holds the anchors it was created with, for a revert to come back to.
    for record in citation_history:
        anchors_then = set(record.anchors.values_list("sourceanchor_id", flat=True))
        assert anchors_then == set(record.instance.anchors.values_list("pk", flat=True))
    assert sum(record.anchors.count() for record in citation_history) == Citation.anchors.through.objects.filter(
        citation__statement__framework=copy
    ).count() > 0


def test_copying_costs_the_same_queries_however_many_statements(seed, django_assert_num_queries):
    small = FrameworkFactory(version="1.0")
    citation = CitationFactory(statement=StatementFactory(framework=small))
    citation.anchors.add(SourceAnchorFactory(occupation=small.occupation))
    EvidenceMetricFactory(framework=small)

    services.copy_as_new_version(small, "1.1")  # fills the caches a first copy fills (content types)
    with CaptureQueriesContext(connection) as one_statement:
        services.copy_as_new_version(small, "1.2")
    with django_assert_num_queries(len(one_statement.captured_queries)):
        services.copy_as_new_version(seed, "26.06")

    assert Statement.objects.filter(framework__version="26.06").count() == 136


def test_copy_refuses_a_version_the_occupation_already_has(client, seed, curator):
    client.force_login(curator)

    response = client.post(reverse("admin:frameworks_framework_copy", args=[seed.pk]), {"version": "26.05"})

    assert response.status_code == 200
    assert "Insurance Sales Agents already has a version 26.05." in response.text


def test_a_copy_that_fails_part_way_leaves_nothing_behind(seed, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(EvidenceMetric.objects, "bulk_create", refuse)  # the last rows a copy writes

    with pytest.raises(IntegrityError):
        services.copy_as_new_version(seed, "26.06")

    assert not Framework.objects.filter(version="26.06").exists()
    assert Statement.objects.filter(framework__version="26.06").count() == 0


def test_copy_refuses_a_label_a_relabelled_copy_had(client, draft, curator):
    # The copy's statements take identifiers derived from the label: a copy once labelled 26.06 keeps them.
    Framework.objects.filter(pk=draft.pk).update(version="26.07")
    client.force_login(curator)

    response = client.post(reverse("admin:frameworks_framework_copy", args=[draft.pk - 1]), {"version": "26.06"})

    assert response.status_code == 200
    assert "Insurance Sales Agents v.26.07 was labelled 26.06 when it was copied" in response.text
    assert not Framework.objects.filter(version="26.06").exists()


@pytest.mark.parametrize("version", ["27 01", "x/y", "<b>x</b>", ".26"])
def test_a_version_label_must_fit_in_its_address(client, seed, curator, version):
    client.force_login(curator)

    copied = client.post(reverse("admin:frameworks_framework_copy", args=[seed.pk]), {"version": version})
    added = client.post(
        reverse("admin:frameworks_framework_add"), {"occupation": seed.occupation_id, "version": version}
    )

    for response in (copied, added):
        assert response.status_code == 200
        assert "A version label starts with a letter or digit" in response.text
    assert list(Framework.objects.values_list("version", flat=True)) == ["26.05"]


def test_copy_action_takes_one_framework(client, editor):
    frameworks = FrameworkFactory.create_batch(2)
    client.force_login(editor)
    url = reverse("admin:frameworks_framework_changelist")

    several = client.post(
        url, {"action": "copy_as_new_version", "_selected_action": [f.pk for f in frameworks]}, follow=True
    )
    one = client.post(url, {"action": "copy_as_new_version", "_selected_action": [frameworks[0].pk]})

    assert messages_of(several) == ["Choose one framework to copy."]
    assert one.status_code == 302
    assert one["Location"] == reverse("admin:frameworks_framework_copy", args=[frameworks[0].pk])


@pytest.mark.parametrize(
    ("version", "taken", "expected"),
    [("26.05", [], "26.06"), ("26.05", ["26.06"], "26.07"), ("1.9", [], "1.10"), ("beta", [], "beta.1")],
)
def test_next_version_label(version, taken, expected):
    framework = FrameworkFactory(version=version)
    for label in taken:
        FrameworkFactory(occupation=framework.occupation, version=label, status=Framework.Status.DRAFT)

    assert services.next_version(framework) == expected


# The whole way, over HTTP


def test_a_curators_edit_reaches_the_public_page_once_an_editor_publishes(client, seed, curator, editor):
    client.force_login(curator)
    copied = client.post(reverse("admin:frameworks_framework_copy", args=[seed.pk]), {"version": "26.06"})
    draft = Framework.objects.get(version="26.06")
    assert copied["Location"] == change_url(draft)
    statement = draft.statements.get(title="Standard insurance policy types")
    url = reverse("admin:frameworks_statement_change", args=[statement.pk])
    saved = client.post(
        url, admin_form_data(client.get(url), text="compare the standard policy types side by side.")
    )
    assert saved.status_code == 302
    press(client, draft, "submit")
    assert client.get(f"/occupations/{SOC}/").context["framework"] == seed

    client.force_login(editor)
    press(client, draft, "publish")

    client.logout()
    page = client.get(f"/occupations/{SOC}/")
    assert "compare the standard policy types side by side." in page.text
    assert "identify and describe key features" not in page.text


def test_workflow_steps_are_recorded_in_the_frameworks_history(client, editor):
    framework = FrameworkFactory(status=Status.DRAFT, published_at=None)
    StatementFactory(framework=framework)
    CitationFactory(statement__framework=framework)
    client.force_login(editor)
    for step in ("submit", "publish", "archive"):
        take(client, framework, step)

    history = client.get(reverse("admin:frameworks_framework_history", args=[framework.pk]))

    reasons = list(framework.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["Archive", "Publish", "Submit for review"]
    assert "In review" in history.text and "Archived" in history.text
