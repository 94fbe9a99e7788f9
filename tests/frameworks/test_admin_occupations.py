"""Occupations and O*NET releases in Django admin over HTTP: what the importer owns stays read-only."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.admin import MISSING_ROW
from frameworks.history import BASELINE_REASON
from frameworks.models import Apprenticeship, CipProgram, Framework, Occupation, OccupationTitle, OnetRelease
from tests.admin_forms import admin_form_data, inline_prefix
from tests.factories import FrameworkFactory, OccupationFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

CURATOR_TITLES = "Curator titles"
TITLES = "/admin/frameworks/occupationtitle/"


@pytest.fixture
def superuser(db):
    # Only a superuser changes what the O*NET import wrote: the Curator and Editor roles change titles.
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def release(db):
    return OnetRelease.objects.create(version="30.1", released="November 2025")


@pytest.fixture
def occupation(release):
    occupation = OccupationFactory(title="Production Workers, All Other", release=release)
    OccupationTitle.objects.create(occupation=occupation, title="Line Helper", position=1)
    return occupation


def import_titles(occupation, release, count, start=0):
    """Titles as `manage.py import_onet` writes them: stamped with their release."""
    OccupationTitle.objects.bulk_create(
        OccupationTitle(occupation=occupation, title=f"Imported Title {n}", position=n, release=release)
        for n in range(start + 1, start + count + 1)
    )


def imported(occupation):
    return list(
        occupation.titles.exclude(release=None)
        .order_by("pk")
        .values_list("pk", "kind", "title", "short_title", "position", "release")
    )


def change_url(occupation):
    return reverse("admin:frameworks_occupation_change", args=[occupation.pk])


def queries_to_open(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The occupation page


def test_occupation_page_query_count_does_not_grow_with_its_imported_titles(
    client, superuser, occupation, release
):
    client.force_login(superuser)
    url = change_url(occupation)
    import_titles(occupation, release, 3)
    queries_to_open(client, url)  # first visit: the session's and permissions' own reads
    three = queries_to_open(client, url)
    import_titles(occupation, release, 37, start=3)

    assert queries_to_open(client, url) == three


def test_occupation_page_lists_curator_titles_and_counts_imported_ones(
    client, superuser, occupation, release
):
    import_titles(occupation, release, 40)
    client.force_login(superuser)

    page = client.get(change_url(occupation))

    (inline,) = page.context["inline_admin_formsets"]
    assert inline.opts.verbose_name_plural == CURATOR_TITLES
    assert [form.instance.title for form in inline.formset.initial_forms] == ["Line Helper"]
    assert "release" not in inline.formset.form.base_fields
    listing = f"{TITLES}?occupation={occupation.pk}&amp;origin=onet"
    assert f'<a href="{listing}">40 titles from O*NET</a>' in page.text


def test_occupation_page_saves_with_many_imported_titles_and_leaves_them_alone(
    client, superuser, occupation, release
):
    # Posted as editable rows, 1,500 titles would be over 10,000 fields, past DATA_UPLOAD_MAX_NUMBER_FIELDS.
    import_titles(occupation, release, 1500)
    before = imported(occupation)
    client.force_login(superuser)
    url = change_url(occupation)

    response = client.post(url, admin_form_data(client.get(url), description="Makes things."))

    assert response.status_code == 302
    occupation.refresh_from_db()
    assert occupation.description == "Makes things."
    assert imported(occupation) == before


def test_an_imported_title_cannot_be_posted_as_a_curator_row(client, superuser, occupation, release):
    import_titles(occupation, release, 1)
    title = occupation.titles.get(release=release)
    client.force_login(superuser)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)

    response = client.post(
        url, admin_form_data(page, **{f"{prefix}-0-id": str(title.pk), f"{prefix}-0-title": "Renamed"})
    )

    # A posted row that is not one of the page's is refused, not taken for a new one.
    assert response.status_code == 200
    assert MISSING_ROW in response.text
    assert imported(occupation) == [(title.pk, "alternate", "Imported Title 1", "", 1, release.pk)]


# The titles list


def test_imported_titles_are_listed_read_only(client, superuser, occupation, release):
    import_titles(occupation, release, 3)
    other = OccupationFactory()
    import_titles(other, release, 2)
    title = occupation.titles.get(title="Imported Title 1")
    title_url = reverse("admin:frameworks_occupationtitle_change", args=[title.pk])
    client.force_login(superuser)

    listing = client.get(TITLES, {"occupation": occupation.pk, "origin": "onet"})
    view = client.get(title_url)

    listed = sorted(row.title for row in listing.context["cl"].result_list)
    assert listed == ["Imported Title 1", "Imported Title 2", "Imported Title 3"]
    assert view.status_code == 200 and 'name="title"' not in view.text
    assert client.post(title_url, {"title": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:frameworks_occupationtitle_add")).status_code == 403
    assert client.post(reverse("admin:frameworks_occupationtitle_delete", args=[title.pk])).status_code == 403
    assert occupation.titles.get(pk=title.pk).title == "Imported Title 1"


def test_curators_who_view_an_occupation_can_list_its_titles(client, curator, occupation, release):
    import_titles(occupation, release, 2)
    client.force_login(curator)

    page = client.get(change_url(occupation))
    listing = client.get(TITLES, {"occupation": occupation.pk, "origin": "onet"})

    assert page.status_code == 200 and "2 titles from O*NET" in page.text
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 2


# Curators and editors on the occupation page


@pytest.fixture(params=["curator", "editor"])
def role(request):
    return request.getfixturevalue(request.param)


def test_curators_see_what_the_import_wrote_read_only_and_edit_their_titles(
    client, curator, occupation, release
):
    import_titles(occupation, release, 2)
    client.force_login(curator)

    page = client.get(change_url(occupation))

    assert page.status_code == 200
    assert list(page.context["adminform"].form.fields) == ["apprenticeships", "cip_programs", "seen"]
    assert occupation.title in page.text and 'name="title"' not in page.text
    assert 'name="description"' not in page.text and 'name="retired"' not in page.text
    (inline,) = page.context["inline_admin_formsets"]
    assert inline.has_add_permission and inline.has_change_permission and inline.has_delete_permission
    assert [form.instance.title for form in inline.formset.initial_forms] == ["Line Helper"]
    assert "2 titles from O*NET" in page.text


@pytest.mark.parametrize("who", ["superuser", "curator", "editor"])
def test_curator_titles_are_added_and_changed_on_the_occupation_page(client, request, who, occupation, release):
    import_titles(occupation, release, 3)
    before = imported(occupation)
    client.force_login(request.getfixturevalue(who))
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)
    data = admin_form_data(page, **{f"{prefix}-0-title": "Line Assistant", f"{prefix}-TOTAL_FORMS": "2"})
    data.update(
        {
            f"{prefix}-1-occupation": str(occupation.pk),
            f"{prefix}-1-kind": "reported",
            f"{prefix}-1-title": "Floor Hand",
            f"{prefix}-1-position": "2",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    added = occupation.titles.get(title="Floor Hand")
    assert (added.kind, added.release) == ("reported", None)
    assert list(occupation.titles.filter(release=None).values_list("title", flat=True)) == [
        "Line Assistant",
        "Floor Hand",
    ]
    assert imported(occupation) == before


@pytest.mark.parametrize("typed", ["imported title 1", " Imported  Title 1 ", "line helper"])
def test_a_title_the_occupation_has_in_other_case_or_spacing_is_refused(client, curator, occupation, release, typed):
    import_titles(occupation, release, 1)
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)
    data = admin_form_data(page, **{f"{prefix}-TOTAL_FORMS": "2"})
    data.update({f"{prefix}-1-occupation": str(occupation.pk), f"{prefix}-1-kind": "alternate",
                 f"{prefix}-1-title": typed, f"{prefix}-1-position": "2"})

    response = client.post(url, data)

    assert response.status_code == 200
    existing = "Line Helper" if typed == "line helper" else "Imported Title 1"
    assert f"This occupation already has the title “{existing}”." in response.text
    assert occupation.titles.count() == 2


def test_a_title_changed_to_one_of_a_later_row_is_refused(client, curator, occupation):
    OccupationTitle.objects.create(occupation=occupation, title="bond writer", position=2)
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)

    response = client.post(url, admin_form_data(page, **{f"{prefix}-0-title": "Bond Writer"}))

    assert response.status_code == 200
    assert "This occupation already has the title “bond writer”." in response.text
    assert sorted(occupation.titles.values_list("title", flat=True)) == ["Line Helper", "bond writer"]


def test_a_curator_deletes_a_title(client, role, occupation):
    client.force_login(role)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)

    response = client.post(url, admin_form_data(page, **{f"{prefix}-0-DELETE": "on"}))

    assert response.status_code == 302
    assert not occupation.titles.exists()


def test_a_curator_cannot_change_what_the_import_wrote(client, role, release):
    # Retired: were its box on the form, posting it unticked would bring the occupation back.
    occupation = OccupationFactory(
        title="Typists", release=release, retired=True, education_level=Occupation.EducationLevel.HIGH_SCHOOL
    )
    before = Occupation.objects.filter(pk=occupation.pk).values().get()
    client.force_login(role)
    url = change_url(occupation)
    forged = {
        "soc_code": "43-9022.00",
        "title": "Word Processors",
        "description": "Renamed.",
        "job_zone": "",
        "education_level": str(Occupation.EducationLevel.DOCTORAL),
        "retired": "",
        "release": "",
    }

    response = client.post(url, admin_form_data(client.get(url), **forged))

    assert response.status_code == 302
    assert Occupation.objects.filter(pk=occupation.pk).values().get() == before
    assert client.post(reverse("admin:frameworks_occupation_delete", args=[occupation.pk])).status_code == 403
    assert client.get(reverse("admin:frameworks_occupation_add")).status_code == 403


@pytest.mark.parametrize("forged", [{"title": "Renamed"}, {"DELETE": "on"}], ids=["change", "delete"])
def test_a_curator_cannot_reach_an_imported_title_through_a_forged_row(
    client, curator, occupation, release, forged
):
    import_titles(occupation, release, 1)
    title = occupation.titles.get(release=release)
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)
    row = {
        "id": title.pk,
        "occupation": occupation.pk,
        "kind": "alternate",
        "title": title.title,
        "position": 1,
    }
    data = admin_form_data(page, **{f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "2"})
    data.update({f"{prefix}-1-{name}": str(value) for name, value in {**row, **forged}.items()})

    response = client.post(url, data)

    # The formset takes a posted id from its own rows alone: finding none there, it saves nothing.
    if "DELETE" in forged:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert MISSING_ROW in response.text
    assert imported(occupation) == [(title.pk, "alternate", "Imported Title 1", "", 1, release.pk)]
    assert list(occupation.titles.filter(release=None).values_list("title", flat=True)) == ["Line Helper"]


def test_a_curator_links_apprenticeships_and_cip_programs(client, curator, occupation):
    # manage.py import_onet never writes these links: they are curators' to keep.
    apprenticeship = Apprenticeship.objects.create(rapids_code="0303", title="Insurance Agent")
    program = CipProgram.objects.create(code="52.1701", title="Insurance")
    client.force_login(curator)
    url = change_url(occupation)
    links = {"apprenticeships": [str(apprenticeship.pk)], "cip_programs": [str(program.pk)]}

    response = client.post(url, admin_form_data(client.get(url), **links))

    assert response.status_code == 302
    assert list(occupation.apprenticeships.all()) == [apprenticeship]
    assert list(occupation.cip_programs.all()) == [program]


def test_a_superuser_still_changes_what_the_import_wrote(client, superuser, occupation):
    client.force_login(superuser)
    url = change_url(occupation)

    response = client.post(url, admin_form_data(client.get(url), title="Production Helpers", retired="on"))

    assert response.status_code == 302
    occupation.refresh_from_db()
    assert (occupation.title, occupation.retired) == ("Production Helpers", True)


@pytest.mark.parametrize("titles", [[], ["Production Aide"]])
def test_a_superuser_adds_an_occupation_with_its_titles(client, superuser, titles):
    client.force_login(superuser)
    url = reverse("admin:frameworks_occupation_add")
    form = admin_form_data(client.get(url), soc_code="51-9199.01", title="Production Helpers", description="Help.")
    prefix = inline_prefix(client.get(url), CURATOR_TITLES)
    form[f"{prefix}-TOTAL_FORMS"] = str(len(titles))
    for n, title in enumerate(titles):
        form.update({f"{prefix}-{n}-kind": "alternate", f"{prefix}-{n}-title": title, f"{prefix}-{n}-position": n + 1})

    response = client.post(url, form)

    assert response.status_code == 302
    occupation = Occupation.objects.get(soc_code="51-9199.01")
    assert list(occupation.titles.values_list("title", flat=True)) == titles


# Two curators at once

RELOAD = "after you opened this page. Reload the page to see the changes"


def changed_by(who, fields=""):
    """The start of the stale-save message: who saved, at some time, and which of the occupation's fields."""
    fields = rf" \({re.escape(fields)}\)" if fields else ""
    return re.compile(rf"This occupation was changed by {re.escape(who)} at [^<(]+?{fields} after you opened")


def curator_titles(occupation):
    return list(occupation.titles.filter(release=None).order_by("pk").values_list("title", "short_title"))


def rename_first_title(client, occupation, title):
    """Another curator's save from the occupation page, opened and saved at once."""
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)
    assert client.post(url, admin_form_data(page, **{f"{prefix}-0-title": title})).status_code == 302


@pytest.fixture
def other_client(db):
    other = Client()
    other.force_login(UserFactory(username="other-curator", role="Curator"))
    return other


def test_a_page_opened_before_another_curators_title_change_does_not_undo_it(
    client, other_client, curator, occupation
):
    OccupationTitle.objects.create(occupation=occupation, title="Floor Hand", position=2)
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    prefix = inline_prefix(page, CURATOR_TITLES)
    rename_first_title(other_client, occupation, "Line Assistant")

    response = client.post(url, admin_form_data(page, **{f"{prefix}-1-short_title": "Hand"}))

    assert response.status_code == 200
    assert changed_by("other-curator").search(response.text) and RELOAD in response.text
    assert curator_titles(occupation) == [("Line Assistant", ""), ("Floor Hand", "")]
    # Opened again, the page saves, and keeps the other curator's change.
    page = client.get(url)
    assert client.post(url, admin_form_data(page, **{f"{prefix}-1-short_title": "Hand"})).status_code == 302
    assert curator_titles(occupation) == [("Line Assistant", ""), ("Floor Hand", "Hand")]


def test_a_page_opened_before_another_curators_links_keeps_them_and_saves_again(
    client, other_client, curator, occupation
):
    apprenticeship = Apprenticeship.objects.create(rapids_code="0303", title="Insurance Agent")
    program = CipProgram.objects.create(code="52.1701", title="Insurance")
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    links = {"apprenticeships": [str(apprenticeship.pk)], "cip_programs": [str(program.pk)]}
    assert other_client.post(url, admin_form_data(other_client.get(url), **links)).status_code == 302
    position = {f"{inline_prefix(page, CURATOR_TITLES)}-0-position": "5"}

    response = client.post(url, admin_form_data(page, **position))

    assert response.status_code == 200
    assert changed_by("other-curator", "Apprenticeships, CIP programs").search(response.text)
    assert "with their change to Apprenticeships, CIP programs, which you had not changed, filled in" in response.text
    assert (list(occupation.apprenticeships.all()), list(occupation.cip_programs.all())) == ([apprenticeship], [program])
    assert occupation.titles.get(title="Line Helper").position == 1
    # Sent again as it came back, the page keeps their links and saves this curator's change.
    assert client.post(url, admin_form_data(response, **position)).status_code == 302
    assert (list(occupation.apprenticeships.all()), list(occupation.cip_programs.all())) == ([apprenticeship], [program])
    assert occupation.titles.get(title="Line Helper").position == 5


def test_a_page_opened_before_a_superusers_change_names_the_field_and_saves_again(
    client, curator, superuser, occupation
):
    client.force_login(curator)
    url = change_url(occupation)
    page = client.get(url)
    admin = Client()
    admin.force_login(superuser)
    renamed = {"soc_code": "11-9024.98", "title": "Production Helpers"}
    assert admin.post(url, admin_form_data(admin.get(url), **renamed)).status_code == 302
    short_title = {f"{inline_prefix(page, CURATOR_TITLES)}-0-short_title": "Helper"}

    response = client.post(url, admin_form_data(page, **short_title))

    assert response.status_code == 200
    # Labels as the form shows them, acronyms kept.
    assert changed_by("admin", "O*NET-SOC code, Title").search(response.text)
    assert "Your changes were not saved" in response.text
    assert client.post(url, admin_form_data(response, **short_title)).status_code == 302
    assert Occupation.objects.get(pk=occupation.pk).title == "Production Helpers"
    assert curator_titles(occupation) == [("Line Helper", "Helper")]


def test_a_superusers_page_opened_before_another_save_does_not_undo_it(
    client, other_client, superuser, occupation
):
    # The imported fields are on the superuser's form and read-only on the curator's: both pages check.
    client.force_login(superuser)
    url = change_url(occupation)
    page = client.get(url)
    rename_first_title(other_client, occupation, "Line Assistant")

    response = client.post(url, admin_form_data(page, title="Production Helpers"))

    assert response.status_code == 200
    assert changed_by("other-curator").search(response.text) and RELOAD in response.text
    assert Occupation.objects.get(pk=occupation.pk).title == "Production Workers, All Other"
    assert curator_titles(occupation) == [("Line Assistant", "")]
    # A curator's page opened before the superuser's save is stale too: it shows the title, read-only.
    curator_page = other_client.get(url)
    assert client.post(url, admin_form_data(client.get(url), title="Production Helpers")).status_code == 302
    assert Occupation.objects.get(pk=occupation.pk).title == "Production Helpers"
    assert curator_titles(occupation) == [("Line Assistant", "")]
    prefix = inline_prefix(curator_page, CURATOR_TITLES)
    stale = other_client.post(url, admin_form_data(curator_page, **{f"{prefix}-0-short_title": "Helper"}))
    assert stale.status_code == 200 and changed_by("admin", "Title").search(stale.text)
    assert curator_titles(occupation) == [("Line Assistant", "")]


# History


def imported_occupation(release):
    """An occupation as manage.py import_onet writes it, in bulk: with no history."""
    (occupation,) = Occupation.objects.bulk_create(
        [Occupation(soc_code="41-3021.00", title="Insurance Sales Agents", release=release)]
    )
    return occupation


def test_an_occupations_history_names_who_linked_what_after_its_imported_state(client, curator, release):
    occupation = imported_occupation(release)
    apprenticeship = Apprenticeship.objects.create(rapids_code="0303", title="Insurance Agent")
    client.force_login(curator)
    url = change_url(occupation)

    assert client.post(url, admin_form_data(client.get(url), apprenticeships=[str(apprenticeship.pk)])).status_code == 302

    baseline, change = occupation.history.order_by("history_date", "history_id")
    assert (baseline.history_user, baseline.history_change_reason) == (None, BASELINE_REASON)
    assert list(baseline.apprenticeships.all()) == []
    assert change.history_user == curator
    assert list(change.apprenticeships.values_list("apprenticeship", flat=True)) == [apprenticeship.pk]
    page = client.get(reverse("admin:frameworks_occupation_history", args=[occupation.pk]))
    assert page.status_code == 200
    assert "<strong>Apprenticeships:</strong>" in page.text and "0303 · Insurance Agent" in page.text
    assert ">curator</a>" in page.text


def test_a_curators_title_change_is_recorded_and_the_imports_titles_are_not(client, curator, occupation, release):
    import_titles(occupation, release, 2)
    client.force_login(curator)

    rename_first_title(client, occupation, "Line Assistant")

    record = OccupationTitle.history.get(title="Line Assistant")
    assert (record.history_type, record.history_user) == ("~", curator)
    assert not OccupationTitle.history.exclude(release=None).exists()


def test_reverting_an_occupation_restores_its_links(client, curator, occupation):
    first, second = (
        Apprenticeship.objects.create(rapids_code="0303", title="Insurance Agent"),
        Apprenticeship.objects.create(rapids_code="0304", title="Insurance Broker"),
    )
    client.force_login(curator)
    url = change_url(occupation)
    assert client.post(url, admin_form_data(client.get(url), apprenticeships=[str(first.pk)])).status_code == 302
    assert client.post(url, admin_form_data(client.get(url), apprenticeships=[str(second.pk)])).status_code == 302
    earlier = occupation.history.order_by("history_date", "history_id")[1]
    revert = reverse("admin:frameworks_occupation_simple_history", args=[occupation.pk, earlier.history_id])

    response = client.post(revert, admin_form_data(client.get(revert)))

    assert response.status_code == 302
    assert list(occupation.apprenticeships.all()) == [first]
    assert occupation.history.first().history_user == curator


# The roles' grants

TITLE_GRANTS = {
    "change_occupation",
    *(f"{action}_occupationtitle" for action in ("add", "change", "delete", "view")),
}


def grants(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_migration_0009_grants_the_roles_titles_and_takes_them_back():
    migration = import_module("frameworks.migrations.0009_curators_edit_occupation_titles")
    migrated = {name: grants(name) for name in ("Curator", "Editor")}

    migration.revoke(apps, None)
    revoked = {name: grants(name) for name in migrated}
    migration.grant(apps, None)
    migration.grant(apps, None)

    for name, held in migrated.items():
        assert held >= TITLE_GRANTS
        assert revoked[name] == held - TITLE_GRANTS and "view_occupation" in revoked[name]
        assert grants(name) == held


# O*NET releases


def test_onet_releases_are_viewed_but_not_added_changed_or_deleted(client, superuser, release):
    client.force_login(superuser)
    url = reverse("admin:frameworks_onetrelease_change", args=[release.pk])

    listing = client.get(reverse("admin:frameworks_onetrelease_changelist"))
    view = client.get(url)

    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [release]
    assert "delete_selected" not in listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
    assert view.status_code == 200 and 'name="version"' not in view.text
    assert client.get(reverse("admin:frameworks_onetrelease_add")).status_code == 403
    assert client.post(reverse("admin:frameworks_onetrelease_add"), {"version": "99.0"}).status_code == 403
    assert client.post(url, {"version": "99.0", "released": "Never"}).status_code == 403
    delete = reverse("admin:frameworks_onetrelease_delete", args=[release.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(OnetRelease.objects.values_list("version", flat=True)) == ["30.1"]


# Large frameworks


def test_a_framework_of_250_statements_saves_from_its_change_page(client, curator):
    framework = FrameworkFactory(status=Framework.Status.DRAFT, published_at=None)
    StatementFactory.create_batch(250, framework=framework)
    client.force_login(curator)
    url = reverse("admin:frameworks_framework_change", args=[framework.pk])
    page = client.get(url)
    prefix = inline_prefix(page, "Occupational skills statements")
    forms = page.context["inline_admin_formsets"][0].formset.forms
    assert len(forms) == 250
    last = forms[-1].instance

    moved = last.position + 10

    response = client.post(url, admin_form_data(page, **{f"{prefix}-249-position": str(moved)}))

    assert response.status_code == 302
    last.refresh_from_db()
    assert last.position == moved
