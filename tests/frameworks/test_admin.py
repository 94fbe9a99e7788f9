"""Curating in Django admin over HTTP: who may do what, editing statements, validation, history."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from evidence.models import Citation, EvidenceMetric, Source
from frameworks import services
from frameworks.admin import NEARLY_THE_SAME
from frameworks.history import BASELINE_REASON
from frameworks.models import (
    DUPLICATE_POSITION,
    MAX_POSITION,
    Domain,
    Framework,
    Level,
    Occupation,
    ProficiencyScale,
    Section,
    Statement,
)
from tests.admin_forms import admin_form_data, inline_prefix, saved_meanwhile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Framework.Status


def statement_url(statement):
    return reverse("admin:frameworks_statement_change", args=[statement.pk])


def in_draft(draft, title):
    return draft.statements.get(title=title)


def errors_of(response):
    form = response.context["adminform"].form
    return {field: [str(error) for error in errors] for field, errors in form.errors.items()}


def save_statement(client, statement, **changes):
    url = statement_url(statement)
    return client.post(url, admin_form_data(client.get(url), **changes))


# Who may do what


ADMIN_PAGES = {
    "frameworks": "/admin/frameworks/framework/",
    "statements": "/admin/frameworks/statement/",
    "citations": "/admin/evidence/citation/",
    "sources": "/admin/evidence/source/",
    "anchors": "/admin/evidence/sourceanchor/",
    "suggestions": "/admin/evidence/suggestion/",
    "add framework": "/admin/frameworks/framework/add/",
    "add statement": "/admin/frameworks/statement/add/",
    "add source": "/admin/evidence/source/add/",
}
USER_PAGES = ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_curators_and_editors_reach_content_but_not_users(client, request, role):
    client.force_login(request.getfixturevalue(role))

    for name, url in ADMIN_PAGES.items():
        assert client.get(url).status_code == 200, name
    for url in USER_PAGES:
        assert client.get(url).status_code == 403, url


def test_neither_role_deletes_a_framework_the_public_read_or_adds_suggestions(client, seed, draft, curator, editor):
    draft.status = Status.IN_REVIEW
    draft.save()
    once_published = services.copy_as_new_version(seed, "26.07")
    once_published.published_at = seed.published_at or timezone.now()
    once_published.save()
    for user in (curator, editor):
        client.force_login(user)
        for framework in (seed, draft, once_published):
            delete_url = reverse("admin:frameworks_framework_delete", args=[framework.pk])
            assert client.get(delete_url).status_code == 403, framework
        assert client.get("/admin/evidence/suggestion/add/").status_code == 403


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_a_draft_never_published_is_deleted_with_its_statements(client, request, draft, role):
    client.force_login(request.getfixturevalue(role))
    statements = list(draft.statements.values_list("pk", flat=True))
    delete_url = reverse("admin:frameworks_framework_delete", args=[draft.pk])

    page = client.get(reverse("admin:frameworks_framework_change", args=[draft.pk]))
    deleted = client.post(delete_url, {"post": "yes"})

    assert f'href="{delete_url}"' in page.text
    assert deleted.status_code == 302
    assert not Framework.objects.filter(pk=draft.pk).exists()
    assert not Statement.objects.filter(pk__in=statements).exists()


@pytest.mark.parametrize("role", ["curator", "editor"])
def test_deleting_selected_frameworks_keeps_one_the_public_read(client, request, seed, draft, role):
    client.force_login(request.getfixturevalue(role))
    listing = reverse("admin:frameworks_framework_changelist")

    refused = client.post(listing, {"action": "delete_selected", "_selected_action": [seed.pk, draft.pk], "post": "yes"})

    assert refused.status_code == 403
    assert Framework.objects.filter(pk__in=[seed.pk, draft.pk]).count() == 2


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ADMIN_PAGES.values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_names_the_site_its_curators_sign_in_to(client, curator):
    sign_in = client.get(reverse("admin:login"))
    client.force_login(curator)
    index = client.get(reverse("admin:index"))

    for page in (sign_in, index):
        assert re.search(r"<title>[^<]* \| NSX curation</title>", page.text)
        assert re.search(r'<div id="site-name"><a href="[^"]*">NSX curation</a></div>', page.text)
        assert "Django administration" not in page.text


def test_staff_without_a_role_sees_no_content(client):
    client.force_login(UserFactory(username="staff"))

    assert client.get(ADMIN_PAGES["statements"]).status_code == 403
    assert client.get(ADMIN_PAGES["frameworks"]).status_code == 403


def test_curator_creates_a_draft_framework(client, seed, curator):
    client.force_login(curator)

    response = client.post(
        "/admin/frameworks/framework/add/",
        {"occupation": seed.occupation_id, "version": "27.01", "context_covered": "Agencies."},
    )

    assert response.status_code == 302
    framework = Framework.objects.get(version="27.01")
    assert (framework.status, framework.occupation) == (Status.DRAFT, seed.occupation)
    assert framework.history.get().history_user == curator


def test_a_new_framework_starts_at_this_months_version_and_says_what_its_context_is(client, curator):
    client.force_login(curator)

    page = client.get("/admin/frameworks/framework/add/")

    assert page.context["adminform"].form["version"].value() == timezone.localdate().strftime("%y.%m")
    assert "Shown under the occupation's name on the framework page" in page.text


# Published content is read-only


def test_a_published_frameworks_statements_are_read_only(client, seed, curator):
    statement = seed.statements.get(title="Claims communication")
    client.force_login(curator)

    page = client.get(statement_url(statement))
    post = client.post(statement_url(statement), {"title": "Changed", "text": "changed"})

    assert page.status_code == 200
    assert "View statement" in page.text and 'name="text"' not in page.text
    assert post.status_code == 403
    assert Statement.objects.get(pk=statement.pk).title == "Claims communication"
    framework_page = client.get(reverse("admin:frameworks_framework_change", args=[seed.pk]))
    assert "so it is read-only: copy it as a new version to change it." in framework_page.text
    assert 'name="statements-0-position"' not in framework_page.text


def test_statements_are_added_only_to_editable_frameworks(client, seed, draft, curator):
    client.force_login(curator)
    skills = Section.objects.get(key="skills")
    data = {
        "framework": seed.pk,
        "section": skills.pk,
        "level": Level.objects.get(scale=skills.scale, key="emerging").pk,
        "position": 11,
        "title": "New skill",
        "text": "does a new thing.",
    }

    url = "/admin/frameworks/statement/add/"
    refused = client.post(url, admin_form_data(client.get(url), **data))
    added = client.post(url, admin_form_data(client.get(url), **{**data, "framework": draft.pk}))

    assert "Select a valid choice" in str(errors_of(refused)["framework"])
    assert added.status_code == 302, errors_of(added)
    assert draft.statements.filter(title="New skill").exists()
    assert not seed.statements.filter(title="New skill").exists()


# Editing a statement


def test_curator_edits_a_statement_and_its_citations(client, draft, curator):
    statement = in_draft(draft, "Customized coverage proposals")
    client.force_login(curator)
    url = statement_url(statement)
    page = client.get(url)
    prefix = inline_prefix(page, "citations")
    wef = Source.objects.get(key="wef")
    assert 'class="admin-autocomplete' in page.text  # sources are chosen by autocomplete
    # A citation's anchors are chosen among its occupation's O*NET items only.
    anchors = page.context["inline_admin_formsets"][0].formset.form.base_fields["anchors"].queryset
    assert set(anchors.values_list("occupation", flat=True)) == {draft.occupation_id}

    data = admin_form_data(page, text="draft tailored proposals with AI help and check every figure.")
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "3",
            f"{prefix}-2-source": wef.pk,
            f"{prefix}-2-position": "3",
            f"{prefix}-2-statement": statement.pk,
        }
    )
    response = client.post(url, data)

    assert response.status_code == 302, errors_of(response)
    statement.refresh_from_db()
    assert statement.text == "draft tailored proposals with AI help and check every figure."
    assert list(statement.citations.values_list("source__key", flat=True)) == ["aei", "safi", "wef"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"text": "   "}, "text", "This field is required."),
    ],
)
def test_empty_title_or_text_is_refused(client, draft, curator, changes, field, message):
    client.force_login(curator)

    response = save_statement(client, in_draft(draft, "Claims communication"), **changes)

    assert response.status_code == 200
    assert errors_of(response)[field] == [message]


def test_a_position_taken_in_the_same_level_is_refused(client, draft, curator):
    client.force_login(curator)
    first = draft.statements.get(section__key="skills", level__key="emerging", position=1)

    response = save_statement(
        client,
        draft.statements.get(section__key="skills", level__key="emerging", position=2),
        position=first.position,
    )

    assert errors_of(response)["__all__"] == [DUPLICATE_POSITION]


def test_durable_statement_needs_a_domain_and_an_occupational_one_has_none(client, draft, curator):
    client.force_login(curator)
    durable = in_draft(draft, "Client intake dialogue")
    occupational = in_draft(draft, "Standard insurance policy types")

    without = save_statement(client, durable, domain="")
    with_domain = save_statement(client, occupational, domain=Domain.objects.get(key="leadership").pk)

    assert errors_of(without)["domain"] == ["Durable skills statements belong to a domain: choose one."]
    assert errors_of(with_domain)["domain"] == [
        "Occupational skills statements have no domain: leave it empty."
    ]


def test_a_level_from_another_scale_is_refused(client, draft, curator):
    client.force_login(curator)
    applying = Level.objects.get(scale__key="durable", key="applying")

    response = save_statement(client, in_draft(draft, "Standard insurance policy types"), level=applying.pk)

    assert errors_of(response)["level"] == [
        (
            "Applying is a level of the Durable-skill proficiency scale; Occupational skills statements use "
            "the Mastery scale."
        )
    ]


# Adding statements one after another


def test_save_and_add_another_opens_the_next_statement_in_the_same_place(client, draft, curator):
    client.force_login(curator)
    durable = in_draft(draft, "Client intake dialogue")

    saved = save_statement(client, durable, _addanother="Save and add another")

    assert saved.status_code == 302
    next_page = client.get(saved["Location"])
    initial = {name: next_page.context["adminform"].form[name].value() for name in ("framework", "section", "level", "domain")}
    assert initial == {
        "framework": str(draft.pk),
        "section": str(durable.section_id),
        "level": str(durable.level_id),
        "domain": str(durable.domain_id),
    }


def test_save_and_add_another_from_an_add_page_keeps_the_new_statements_place(client, draft, curator):
    client.force_login(curator)
    skills = Section.objects.get(key="skills")
    proficient = Level.objects.get(scale=skills.scale, key="proficient")
    url = f"/admin/frameworks/statement/add/?framework={draft.pk}"
    data = {"section": skills.pk, "level": proficient.pk, "position": 50, "title": "Catastrophe claims"}

    added = client.post(url, admin_form_data(client.get(url), **data, text="triage claims after a storm.", _addanother="1"))

    assert added.status_code == 302, errors_of(added)
    next_form = client.get(added["Location"]).context["adminform"].form
    assert (next_form["framework"].value(), next_form["section"].value(), next_form["level"].value()) == (
        str(draft.pk),
        str(skills.pk),
        str(proficient.pk),
    )
    assert not next_form["domain"].value()
    assert added["Location"].count("framework=") == 1


def test_save_goes_back_to_the_statements_framework_or_to_the_list_it_was_opened_from(client, draft, curator):
    client.force_login(curator)
    statement = in_draft(draft, "Client intake dialogue")
    url = statement_url(statement)
    from_list = f"{url}?_changelist_filters=q%3Dintake"

    saved = client.post(url, admin_form_data(client.get(url), text="listen, then ask."))
    framework_page = client.get(saved["Location"])
    saved_from_list = client.post(from_list, admin_form_data(client.get(from_list), text="ask, then listen."))

    assert saved["Location"] == reverse("admin:frameworks_framework_change", args=[draft.pk])
    assert re.search(r"The statement “<a [^>]+>Client intake dialogue</a>” was changed successfully", framework_page.text)
    assert saved_from_list["Location"] == reverse("admin:frameworks_statement_changelist") + "?q=intake"


def test_a_statement_added_without_a_position_goes_after_its_levels_last(client, draft, curator):
    client.force_login(curator)
    durable = Section.objects.get(key="durable")
    emerging = Level.objects.get(scale=durable.scale, key="emerging")
    leadership, empty_domain = Domain.objects.get(key="leadership"), Domain.objects.create(key="care", name="Care", position=99)
    last = draft.statements.filter(section=durable, level=emerging, domain=leadership).aggregate(last=Max("position"))["last"]
    url = f"/admin/frameworks/statement/add/?framework={draft.pk}"
    page = client.get(url)
    data = {"section": durable.pk, "level": emerging.pk, "position": ""}

    after_last = client.post(url, admin_form_data(page, **data, domain=leadership.pk, title="Calm", text="stays calm."))
    first = client.post(url, admin_form_data(page, **data, domain=empty_domain.pk, title="Care", text="takes care."))

    assert after_last.status_code == 302, errors_of(after_last)
    assert first.status_code == 302, errors_of(first)
    assert draft.statements.get(title="Calm").position == last + 1
    assert draft.statements.get(title="Care").position == 1
    assert "left blank, it goes after the level's last statement" in page.text


# Nearly the same text


def test_nearly_the_same_text_asks_before_saving(client, draft, curator):
    client.force_login(curator)
    other = in_draft(draft, "Claims communication")
    statement = in_draft(draft, "Client intake dialogue")
    nearly = other.text.replace("policyholders", "customers")
    assert nearly != other.text

    warned = save_statement(client, statement, text=nearly)

    assert warned.status_code == 200
    assert errors_of(warned)["__all__"] == [NEARLY_THE_SAME]
    assert "Nearly the same as 1 other statement" in warned.text
    assert f'<a href="{statement_url(other)}">Claims communication</a>' in warned.text
    assert "<mark>customers</mark>" in warned.text and "<mark>policyholders</mark>" in warned.text
    assert 'name="save_anyway"' in warned.text
    statement.refresh_from_db()
    assert statement.text != nearly

    saved = client.post(statement_url(statement), admin_form_data(warned, text=nearly, save_anyway="on"))

    assert saved.status_code == 302, errors_of(saved)
    statement.refresh_from_db()
    assert statement.text == nearly


def test_a_text_longer_than_a_statement_is_refused(client, draft, curator):
    client.force_login(curator)
    statement = in_draft(draft, "Client intake dialogue")

    response = save_statement(client, statement, text="x" * 1001)

    assert response.status_code == 200
    assert errors_of(response)["text"] == ["Ensure this value has at most 1000 characters (it has 1001)."]
    statement.refresh_from_db()
    assert statement.text != "x" * 1001


def test_a_different_text_saves_without_asking(client, draft, curator):
    client.force_login(curator)

    statement = in_draft(draft, "Client intake dialogue")

    response = save_statement(client, statement, text="listen first, then ask.")

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.text == "listen first, then ask."


# The framework page


def test_framework_page_groups_statements_by_section_in_page_order(client, draft, curator):
    client.force_login(curator)

    page = client.get(reverse("admin:frameworks_framework_change", args=[draft.pk]))

    inlines = page.context["inline_admin_formsets"]
    assert [inline.opts.verbose_name_plural for inline in inlines] == [
        "Occupational skills statements",
        "AI use statements",
        "Durable skills statements",
        "Evidence pack",
    ]
    durable = [form.instance for form in inlines[2].formset.forms]
    assert len(durable) == 84
    keys = [(s.domain.position, s.level.position, s.position) for s in durable]
    assert keys == sorted(keys)
    skills = inlines[0].formset
    assert "domain" not in skills.form.base_fields
    assert set(skills.form.base_fields["level"].queryset.values_list("scale__key", flat=True)) == {"mastery"}
    assert f'href="{statement_url(durable[0])}"' in page.text  # each row links to its own page
    assert f'href="/admin/frameworks/statement/add/?framework={draft.pk}"' in page.text


def queries_to_open(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_framework_page_query_count_does_not_grow_with_its_statements(client, draft, curator):
    client.force_login(curator)
    url = reverse("admin:frameworks_framework_change", args=[draft.pk])
    queries_to_open(client, url)  # first visit: the session's and permissions' own reads
    all_statements = queries_to_open(client, url)
    keep = [group[0] for group in draft.statements.order_by("section", "level", "domain").values_list("pk")]
    Citation.objects.filter(statement__framework=draft).exclude(statement__in=keep[:3]).delete()
    draft.statements.exclude(pk__in=keep[:3]).delete()

    assert draft.statements.count() == 3
    assert queries_to_open(client, url) == all_statements


def test_statement_page_query_count_does_not_grow_with_its_citations(client, draft, curator):
    statement = draft.statements.filter(citations__isnull=False).first()
    client.force_login(curator)
    url = statement_url(statement)
    queries_to_open(client, url)
    one_citation = queries_to_open(client, url)
    statement.citations.exclude(pk=statement.citations.first().pk).delete()
    sources = Source.objects.exclude(pk__in=statement.citations.values("source"))[:4]
    for position, source in enumerate(sources, start=2):
        citation = Citation.objects.create(statement=statement, source=source, position=position)
        citation.anchors.set(draft.occupation.anchors.all()[:2])

    page = client.get(url)

    assert statement.citations.count() == 5
    assert queries_to_open(client, url) == one_citation
    for source in sources:  # each row shows its chosen source, labelled
        assert f'<option value="{source.pk}" selected>{escape(source.label)}</option>' in page.text


def skills_table(client, framework):
    """The framework's change page: its address, the page, and its occupational skills table's prefix
    and statements, in row order."""
    url = reverse("admin:frameworks_framework_change", args=[framework.pk])
    page = client.get(url)
    prefix = inline_prefix(page, "Occupational skills statements")
    return url, page, prefix, [form.instance for form in page.context["inline_admin_formsets"][0].formset.forms]


def test_statements_swap_places_on_the_framework_page(client, draft, curator):
    client.force_login(curator)
    url, page, prefix, rows = skills_table(client, draft)
    first, second = rows[:2]
    assert (first.position, second.position) == (1, 2)

    response = client.post(
        url, admin_form_data(page, **{f"{prefix}-0-position": "2", f"{prefix}-1-position": "1"})
    )

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)
    # The history keeps each statement's old and new place, not the place it was parked in while saving.
    old, new = [record.position for record in first.history.order_by("history_date")]
    assert (old, new) == (1, 2)


def test_a_statement_moves_past_the_last_position_as_another_leaves_its_level(client, draft, curator):
    client.force_login(curator)
    url, page, prefix, rows = skills_table(client, draft)
    first, second = rows[:2]
    assert first.level_id == second.level_id
    other_level = Level.objects.filter(scale=first.level.scale).exclude(pk=first.level_id).first()
    # Past every stored position, where the statements that move wait on the way.
    last = draft.statements.aggregate(last=Max("position"))["last"]
    changes = {
        f"{prefix}-0-position": str(last + 2),
        f"{prefix}-1-level": str(other_level.pk),
        f"{prefix}-1-position": str(last + 3),
    }

    response = client.post(url, admin_form_data(page, **changes))

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.level, second.position) == (last + 2, other_level, last + 3)


def test_statements_move_while_one_holds_the_last_position_allowed(client, draft, curator):
    client.force_login(curator)
    url, page, prefix, rows = skills_table(client, draft)
    first, second, third = rows[:3]
    assert client.post(url, admin_form_data(page, **{f"{prefix}-0-position": str(MAX_POSITION)})).status_code == 302
    _, page, _, rows = skills_table(client, draft)  # the first statement's row is now the last of its level
    rows = [row.pk for row in rows]

    # The two that swap wait past the last position allowed on the way, beside the statement holding it.
    swapped = client.post(url, admin_form_data(page, **{
        f"{prefix}-{rows.index(second.pk)}-position": str(third.position),
        f"{prefix}-{rows.index(third.pk)}-position": str(second.position),
    }))

    assert swapped.status_code == 302
    assert Statement.objects.get(pk=first.pk).position == MAX_POSITION
    assert Statement.objects.get(pk=second.pk).position == third.position


def test_a_position_past_the_last_allowed_is_refused(client, draft, curator):
    client.force_login(curator)
    url, page, prefix, _ = skills_table(client, draft)

    response = client.post(url, admin_form_data(page, **{f"{prefix}-0-position": str(MAX_POSITION + 1)}))

    assert response.status_code == 200
    assert f"Ensure this value is less than or equal to {MAX_POSITION}." in response.text


def test_two_statements_in_one_place_are_refused_on_the_framework_page(client, draft, curator):
    client.force_login(curator)
    url, page, prefix, _ = skills_table(client, draft)

    response = client.post(url, admin_form_data(page, **{f"{prefix}-0-position": "2"}))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["position"] == [DUPLICATE_POSITION]
    assert draft.statements.get(pk=formset.forms[0].instance.pk).position == 1


# The statement list


def test_statement_list_searches_filters_and_counts(client, seed, draft, curator):
    client.force_login(curator)
    url = "/admin/frameworks/statement/"

    by_text = client.get(url, {"q": "intake dialogue"})
    by_soc = client.get(url, {"q": "41-3021.00"})
    by_source = client.get(url, {"citations__source__id__exact": Source.objects.get(key="aei").pk})
    drafts_in_durable = client.get(
        url,
        {"framework__status__exact": "draft", "section__id__exact": Section.objects.get(key="durable").pk},
    )

    assert [s.title for s in by_text.context["cl"].result_list] == ["Client intake dialogue"] * 2
    assert by_soc.context["cl"].result_count == 272
    assert by_source.context["cl"].result_count == 16  # 8 statements cite AEI, in each version
    assert drafts_in_durable.context["cl"].result_count == 84
    proposals = next(
        s for s in by_source.context["cl"].result_list if s.title == "Customized coverage proposals"
    )
    assert proposals.citation_count == 2
    assert "(136)" in client.get(url).text  # facet counts beside each filter choice


def test_statement_list_filters_by_framework_version(client, seed, draft, curator):
    client.force_login(curator)

    page = client.get("/admin/frameworks/statement/", {"framework__id__exact": draft.pk})

    assert page.context["cl"].result_count == 136
    assert {statement.framework_id for statement in page.context["cl"].result_list} == {draft.pk}
    assert ">Insurance Sales Agents v.26.05 (136)</a>" in page.text  # each version offered by name


# Sections


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.mark.parametrize(
    ("field", "label"),
    [("uses_domains", "whether its statements belong to a domain"), ("scale", "its scale")],
)
def test_a_section_statements_use_keeps_its_scale_and_domains(client, seed, superuser, field, label):
    skills = Section.objects.get(key="skills")
    other_scale = ProficiencyScale.objects.exclude(pk=skills.scale_id).first()
    change = {"uses_domains": "on", "scale": str(other_scale.pk)}[field]
    client.force_login(superuser)
    url = reverse("admin:frameworks_section_change", args=[skills.pk])

    response = client.post(url, admin_form_data(client.get(url), **{field: change}))

    assert response.status_code == 200
    used = seed.statements.filter(section=skills).count()
    assert errors_of(response) == {
        field: [f"{used} statements in 1 framework use this section: {label} cannot change while they do."]
    }
    stored = Section.objects.get(pk=skills.pk)
    assert (stored.scale_id, stored.uses_domains) == (skills.scale_id, skills.uses_domains)
    assert client.get(seed.get_absolute_url(), {"tab": "skills"}).status_code == 200


def test_a_section_no_statement_uses_may_change_its_scale_and_domains(client, seed, superuser):
    skills = Section.objects.get(key="skills")
    Statement.objects.filter(section=skills).delete()
    client.force_login(superuser)
    url = reverse("admin:frameworks_section_change", args=[skills.pk])

    response = client.post(url, admin_form_data(client.get(url), uses_domains="on"))

    assert response.status_code == 302
    assert Section.objects.get(pk=skills.pk).uses_domains


# History


def test_history_shows_who_changed_which_field_from_what_to_what(client, draft, curator):
    statement = in_draft(draft, "Claims communication")
    old_text = statement.text
    client.force_login(curator)
    save_statement(client, statement, text="explain each claim step in plain words.")

    page = client.get(reverse("admin:frameworks_statement_history", args=[statement.pk]))

    records = list(statement.history.all())
    assert [(r.history_type, r.history_user) for r in records] == [("~", curator), ("+", None)]
    assert "<strong>Text:</strong>" in page.text
    assert old_text in page.text and "explain each claim step in plain words." in page.text
    assert ">curator</a>" in page.text


def test_first_change_to_a_loaded_row_keeps_its_earlier_state(client, seed, editor):
    source = Source.objects.get(key="wef")
    client.force_login(editor)
    url = reverse("admin:evidence_source_change", args=[source.pk])
    assert not source.history.exists()  # loading a fixture records no history

    client.post(url, admin_form_data(client.get(url), label="WEF Taxonomy"))

    baseline, change = source.history.order_by("history_date")
    assert (baseline.label, baseline.history_user, baseline.history_change_reason) == (
        "WEF Skills Taxonomy",
        None,
        BASELINE_REASON,
    )
    assert (change.label, change.history_user) == ("WEF Taxonomy", editor)


def test_curator_restores_an_earlier_text(client, draft, curator):
    statement = in_draft(draft, "Claims communication")
    original = statement.text
    client.force_login(curator)
    save_statement(client, statement, text="a worse text.")
    earlier = statement.history.order_by("history_date").first()
    url = reverse("admin:frameworks_statement_simple_history", args=[statement.pk, earlier.history_id])

    form = client.get(url)
    assert form.status_code == 200 and original in form.text
    response = client.post(url, admin_form_data(form))

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.text == original
    assert statement.history.first().history_user == curator


def test_nobody_reverts_a_statement_the_public_reads(client, seed, draft, curator):
    statement = in_draft(draft, "Claims communication")
    client.force_login(curator)
    save_statement(client, statement, text="a worse text.")
    earlier = statement.history.order_by("history_date").first()
    Framework.objects.filter(pk=draft.pk).update(status=Status.ARCHIVED)
    url = reverse("admin:frameworks_statement_simple_history", args=[statement.pk, earlier.history_id])

    assert client.get(url).status_code == 200  # still readable
    assert client.post(url, {"title": statement.title, "text": earlier.text}).status_code == 403
    statement.refresh_from_db()
    assert statement.text == "a worse text."


def rows_with_history_pages(draft):
    """A row of each model whose history page curators read: the draft's rows were recorded as it was
    copied, the source and anchor were loaded from a fixture and have none yet."""
    return {
        "framework": draft,
        "statement": in_draft(draft, "Claims communication"),
        "citation": Citation.objects.filter(statement__framework=draft).order_by("pk").first(),
        "source": Source.objects.get(key="safi"),
        "source anchor": draft.occupation.anchors.order_by("pk").first(),
        "evidence metric": draft.evidence_metrics.order_by("pk").first(),
        "occupation": draft.occupation,
    }


@pytest.mark.parametrize("button", ["_save", "_continue"])
@pytest.mark.parametrize(
    "page", ["framework", "statement", "citation", "source", "source anchor", "evidence metric", "occupation"]
)
def test_a_page_saved_as_it_stands_adds_nothing_to_its_history(client, draft, curator, page, button):
    row = rows_with_history_pages(draft)[page]
    model = type(row)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    client.force_login(curator)
    recorded = list(model.history.filter(id=row.pk).values_list("history_id", flat=True))

    response = client.post(url, {**admin_form_data(client.get(url)), button: "Save"}, follow=True)

    assert response.status_code == 200
    assert "was changed successfully" in response.text
    assert list(model.history.filter(id=row.pk).values_list("history_id", flat=True)) == recorded


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("source", "safi"),
        ("sourceanchor", None),
        ("citation", None),
        ("evidencemetric", None),
        ("framework", None),
        ("occupation", None),
    ],
)
def test_every_curated_model_has_a_history_page(client, draft, curator, model, key):
    objects = {
        "source": Source.objects.filter(key="safi"),
        "sourceanchor": draft.occupation.anchors.all(),
        "citation": Citation.objects.filter(statement__framework=draft),
        "evidencemetric": draft.evidence_metrics.all(),
        "framework": Framework.objects.filter(pk=draft.pk),
        "occupation": Occupation.objects.filter(pk=draft.occupation_id),
    }
    obj = objects[model].first()
    app = "frameworks" if model in ("framework", "occupation") else "evidence"
    client.force_login(curator)

    assert client.get(reverse(f"admin:{app}_{model}_history", args=[obj.pk])).status_code == 200


def test_citation_anchor_changes_are_recorded(client, draft, curator):
    citation = Citation.objects.get(
        statement__framework=draft, statement__title="Client intake dialogue", source__key="onet"
    )
    anchor = draft.occupation.anchors.get(kind="task", onet_id="724")
    client.force_login(curator)
    url = reverse("admin:evidence_citation_change", args=[citation.pk])

    response = client.post(
        url, admin_form_data(client.get(url), anchors=[str(a.pk) for a in [*citation.anchors.all(), anchor]])
    )

    assert response.status_code == 302
    latest = citation.history.first()
    assert sorted(latest.anchors.values_list("sourceanchor__onet_id", flat=True)) == ["722", "724"]


def test_statement_list_query_count_does_not_grow_with_its_statements(
    client, draft, curator, django_assert_max_num_queries
):
    client.force_login(curator)

    # Each filter's choices are read once, though Django builds every filter again to count facets.
    with django_assert_max_num_queries(20):
        response = client.get("/admin/frameworks/statement/")

    assert len(response.context["cl"].result_list) == 100


# Saving the framework page


def framework_url(framework):
    return reverse("admin:frameworks_framework_change", args=[framework.pk])


def queries_to_save(client, url, data):
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    return len(queries)


def test_saving_the_framework_page_does_not_read_each_statement_again(client, draft, curator):
    client.force_login(curator)
    url = framework_url(draft)
    queries_to_save(client, url, admin_form_data(client.get(url)))  # the first: the session's own reads
    all_statements = queries_to_save(client, url, admin_form_data(client.get(url)))
    one_a_section = [draft.statements.filter(section=section).first().pk for section in Section.objects.all()]
    Citation.objects.filter(statement__framework=draft).exclude(statement__in=one_a_section).delete()
    draft.statements.exclude(pk__in=one_a_section).delete()

    assert queries_to_save(client, url, admin_form_data(client.get(url))) == all_statements


@pytest.mark.parametrize("version", ["26.05", "26/07"])
def test_a_version_label_taken_or_malformed_is_refused_on_the_framework_page(client, seed, draft, curator, version):
    client.force_login(curator)
    url = framework_url(draft)

    response = client.post(url, admin_form_data(client.get(url), version=version))

    assert response.status_code == 200
    [error] = errors_of(response)["version"]
    assert error.startswith("Insurance Sales Agents already has a version 26.05" if version == "26.05" else "A version label")
    # The page's link to the public page is the saved version's.
    assert 'href="/occupations/41-3021.00/versions/26.06/"' in response.text
    assert Framework.objects.get(pk=draft.pk).version == "26.06"


def test_a_page_opened_before_another_curators_move_does_not_undo_it(client, draft, curator):
    client.force_login(curator)
    url = framework_url(draft)
    page = client.get(url)
    moved = draft.statements.get(section__key="skills", level__key="emerging", position=1)
    Statement.objects.filter(pk=moved.pk).update(position=88)  # saved meanwhile from the statement's page

    response = client.post(url, admin_form_data(page, context_covered="A later context."))

    assert response.status_code == 200
    assert "was changed after you opened this page. Reload the page to see the changes" in response.text
    draft.refresh_from_db()
    moved.refresh_from_db()
    assert (moved.position, draft.context_covered) == (88, Framework.objects.get(pk=draft.pk).context_covered)
    assert draft.context_covered != "A later context."
    # Opened again, the page saves.
    assert client.post(url, admin_form_data(client.get(url), context_covered="A later context.")).status_code == 302


def test_a_page_opened_before_a_statement_was_deleted_says_so(client, draft, curator):
    client.force_login(curator)
    url = framework_url(draft)
    page = client.get(url)
    draft.statements.filter(section__key="skills").first().delete()

    response = client.post(url, admin_form_data(page))

    assert response.status_code == 200
    # A row of its table is gone: the page is reloaded, not saved again as it was opened.
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("This framework was changed by someone at ")
    assert error.endswith("after you opened this page. Reload the page to see the changes, then make yours again.")
    assert client.post(url, admin_form_data(response)).status_code == 200


def test_a_statement_page_opened_before_another_edit_does_not_undo_it(client, draft, curator):
    statement = in_draft(draft, "Claims communication")
    client.force_login(curator)
    page = client.get(statement_url(statement))
    Statement.objects.filter(pk=statement.pk).update(text="the text saved meanwhile.")

    response = client.post(statement_url(statement), admin_form_data(page, title="Claims talk"))

    assert response.status_code == 200
    assert "This statement was changed after you opened this page." in response.text
    statement.refresh_from_db()
    assert (statement.title, statement.text) == ("Claims communication", "the text saved meanwhile.")


def test_the_framework_pages_controls_are_named_for_their_statement(client, draft, curator):
    client.force_login(curator)

    page = client.get(framework_url(draft)).text

    assert 'aria-label="Position of “Client intake dialogue”"' in page
    assert 'aria-label="Level of “Client intake dialogue”"' in page
    assert 'aria-label="Delete “Client intake dialogue”"' in page
    # Every visible control of the statement tables has a name of its own.
    controls = re.findall(r"<(?:input|select)\b[^>]*name=\"statements-[^\"]*\"[^>]*>", page)
    visible = [control for control in controls if 'type="hidden"' not in control]
    assert visible and all("aria-label=" in control for control in visible)


# Reverting


def test_a_draft_reverts_to_a_record_from_its_published_days(client, seed, editor):
    client.force_login(editor)
    seed.context_covered = "Published context."
    seed.save()
    published_record = seed.history.first()
    assert published_record.status == Status.PUBLISHED
    Framework.objects.filter(pk=seed.pk).update(status=Status.DRAFT, context_covered="Draft context.")
    url = reverse("admin:frameworks_framework_simple_history", args=[seed.pk, published_record.history_id])

    form = client.get(url)
    assert form.context["title"].startswith("Revert") and not form.context["revert_disabled"]
    response = client.post(url, admin_form_data(form))

    assert response.status_code == 302
    seed.refresh_from_db()
    assert (seed.status, seed.context_covered) == (Status.DRAFT, "Published context.")


def test_an_archived_framework_offers_no_revert_to_its_draft_days(client, draft, editor):
    client.force_login(editor)
    draft_record = draft.history.first()
    assert draft_record.status == Status.DRAFT
    Framework.objects.filter(pk=draft.pk).update(status=Status.ARCHIVED)
    revert_url = reverse("admin:frameworks_framework_simple_history", args=[draft.pk, draft_record.history_id])

    form = client.get(revert_url)

    assert form.status_code == 200 and "Revert" not in form.context["title"]
    assert client.post(revert_url, admin_form_data(form)).status_code == 403


def test_a_deleted_statements_history_offers_no_revert(client, draft, curator):
    statement = in_draft(draft, "Claims communication")
    client.force_login(curator)
    save_statement(client, statement, text="a worse text.")
    earlier = statement.history.order_by("history_date").first()
    statement_pk = statement.pk
    statement.delete()
    url = reverse("admin:frameworks_statement_simple_history", args=[statement_pk, earlier.history_id])

    form = client.get(url)

    assert form.status_code == 200 and form.context["revert_disabled"]
    assert client.post(url, {"title": earlier.title, "text": earlier.text}).status_code == 403
    assert not Statement.objects.filter(pk=statement_pk).exists()


def test_a_source_cited_twice_on_a_statement_is_refused(client, draft, curator):
    statement = draft.statements.filter(citations__isnull=False).first()
    cited = statement.citations.first()
    client.force_login(curator)
    url = statement_url(statement)
    page = client.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    prefix, count = formset.prefix, len(formset.forms)
    data = admin_form_data(page, **{f"{prefix}-TOTAL_FORMS": str(count + 1)})
    data.update({f"{prefix}-{count}-statement": str(statement.pk), f"{prefix}-{count}-source": str(cited.source_id),
                 f"{prefix}-{count}-position": str(count + 1)})

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Citation with this Statement and Source already exists." in response.text
    assert statement.citations.count() == count


# Two curators on one page


@pytest.fixture
def other_curator(db):
    return UserFactory(username="ana", first_name="Ana", last_name="Lima", role="Curator")


@pytest.mark.parametrize(
    "page, theirs, mine",
    [
        ("framework", {"context_covered": "Their context."}, {"version": "26.07"}),
        ("statement", {"text": "does their text."}, {"title": "My title"}),
    ],
)
def test_a_save_over_another_curators_names_them_and_keeps_both_changes_once_saved_again(
    client, draft, curator, other_curator, page, theirs, mine
):
    row = draft if page == "framework" else in_draft(draft, "Claims communication")
    url = framework_url(row) if page == "framework" else statement_url(row)
    first = Client()
    first.force_login(other_curator)
    client.force_login(curator)

    refused = saved_meanwhile(first, client, url, theirs, mine)

    assert refused.status_code == 200
    [error] = refused.context["adminform"].form.non_field_errors()
    field = next(iter(theirs))
    label = type(row)._meta.get_field(field).verbose_name.capitalize()
    assert error.startswith(f"This {page} was changed by Ana Lima at ") and f"({label}) after you opened" in error
    stored = type(row).objects.get(pk=row.pk)
    assert [getattr(stored, name) for name in theirs] == list(theirs.values())
    assert [getattr(stored, name) for name in mine] != list(mine.values())
    # The page keeps what was typed, their change filled in beside it: saved again, both are kept.
    form_data = refused.context["adminform"].form.data
    assert {name: form_data[name] for name in {**theirs, **mine}} == {**theirs, **mine}
    assert client.post(url, admin_form_data(refused)).status_code == 302
    stored = type(row).objects.get(pk=row.pk)
    assert {name: getattr(stored, name) for name in {**theirs, **mine}} == {**theirs, **mine}
    # The admin's log names the fields saved, not the page's record of what it saw.
    assert LogEntry.objects.order_by("-pk").first().get_change_message() == f"Changed {', '.join(mine).title()}."


# The evidence pack on the framework page


def evidence_pack(page):
    prefix = inline_prefix(page, "Evidence pack")
    [pack] = [inline.formset for inline in page.context["inline_admin_formsets"] if inline.formset.prefix == prefix]
    return prefix, [form.instance for form in pack.forms]


def test_curator_edits_the_evidence_pack_on_the_framework_page_in_its_order(client, draft, curator):
    last = draft.evidence_metrics.order_by("position").last()
    EvidenceMetric.objects.filter(pk=last.pk).update(position=0)  # first now, though saved last
    client.force_login(curator)
    url = framework_url(draft)
    page = client.get(url)
    prefix, metrics = evidence_pack(page)
    assert [metric.pk for metric in metrics] == list(
        draft.evidence_metrics.order_by("position").values_list("pk", flat=True)
    )
    assert metrics[0].pk == last.pk

    response = client.post(url, admin_form_data(page, **{f"{prefix}-0-value": "<i>58</i>"}))

    assert response.status_code == 302
    changed = EvidenceMetric.objects.get(pk=last.pk)
    assert changed.value == "<i>58</i>"
    assert changed.history.first().history_user == curator
    assert "<i>58</i>" not in client.get(url).text  # shown as typed, not as markup


def test_a_framework_page_opened_before_a_metric_was_saved_does_not_undo_it(client, draft, curator, other_curator):
    client.force_login(curator)
    url = framework_url(draft)
    page = client.get(url)
    _, [metric, *_] = evidence_pack(page)
    other = Client()
    other.force_login(other_curator)
    metric_url = reverse("admin:evidence_evidencemetric_change", args=[metric.pk])
    assert other.post(metric_url, admin_form_data(other.get(metric_url), value="71")).status_code == 302

    response = client.post(url, admin_form_data(page, context_covered="A later context."))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("This framework was changed by Ana Lima at ") and "Reload the page" in error
    assert EvidenceMetric.objects.get(pk=metric.pk).value == "71"
    assert Framework.objects.get(pk=draft.pk).context_covered != "A later context."


def test_a_published_frameworks_evidence_pack_is_read_only_on_its_page(client, seed, curator):
    client.force_login(curator)

    page = client.get(framework_url(seed))

    prefix, metrics = evidence_pack(page)
    assert metrics and f'name="{prefix}-0-value"' not in page.text
