"""Admin addresses and searches as people edit and type them: what is not a key finds nothing, never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from evidence.models import Citation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_LARGE = "99999999999999999999999"  # more than any database's integer key holds


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "address",
    [
        *(
            f"/admin/{model}/{key}/history/"
            for model in (
                "frameworks/framework",
                "frameworks/statement",
                "evidence/citation",
                "evidence/source",
                "evidence/sourceanchor",
                "frameworks/occupation",
            )
            for key in ("abc", TOO_LARGE)
        ),
        "/admin/frameworks/framework/abc/copy/",
        "/admin/frameworks/framework/1%2F2/copy/",
        f"/admin/frameworks/framework/{TOO_LARGE}/copy/",
        "/admin/frameworks/statement/1/history/abc/",
    ],
)
def test_an_edited_address_is_not_found(superuser_client, seed, address):
    assert superuser_client.get(address).status_code == 404


@pytest.mark.parametrize("value", ["abc", "1/2", TOO_LARGE, "²"])
def test_an_add_page_leaves_out_a_linked_value_that_is_no_key(superuser_client, seed, value):
    response = superuser_client.get("/admin/evidence/sourceanchor/add/", {"occupation": value})

    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("occupation") is None


def test_an_add_page_keeps_a_linked_occupation(superuser_client, seed):
    occupation = seed.occupation

    response = superuser_client.get("/admin/evidence/sourceanchor/add/", {"occupation": occupation.pk})

    assert response.status_code == 200
    assert str(occupation) in response.text


def test_a_title_filter_for_an_occupation_no_key_names_is_refused(superuser_client, seed):
    response = superuser_client.get("/admin/frameworks/occupationtitle/", {"occupation": TOO_LARGE})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")  # the admin's "incorrect filter" answer


@pytest.mark.parametrize(
    "address",
    [
        "/admin/evidence/suggestion/?status=%00",
        "/admin/evidence/suggestion/?name=%00",
        "/admin/frameworks/framework/?status=%00",
        "/admin/frameworks/statement/?framework__status=%00",
        "/admin/frameworks/statement/?title=%00",
        "/admin/frameworks/occupation/?q=x&soc_code=%00",
        "/admin/auth/user/?username=%00",
        "/admin/axes/accessattempt/?username=%00",
    ],
)
def test_a_list_filter_holding_a_nul_is_refused(superuser_client, seed, address):
    # PostgreSQL refuses a NUL in a query: this was a 500 there.
    response = superuser_client.get(address)

    assert response.status_code == 302
    assert response["Location"] == address.split("?")[0] + "?e=1"  # the admin's "incorrect filter" answer


def test_every_admin_refuses_a_list_address_holding_a_control_character(superuser_client, seed):
    # Django's own apps' and other packages' admins too (users, groups, sign-in attempts).
    assert {"auth", "axes"} <= {model._meta.app_label for model in admin.site._registry}
    for model_admin in admin.site._registry.values():
        meta = model_admin.model._meta
        address = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")

        response = superuser_client.get(address, {"o": "\x07"})  # an ordering Django would ignore

        assert response.status_code == 302, address
        assert response["Location"] == f"{address}?e=1", address


@pytest.mark.parametrize("term", ["\x00", "insurance\x00", "\x07"])
def test_an_autocomplete_search_for_a_control_character_finds_nothing(superuser_client, seed, term):
    response = superuser_client.get(
        "/admin/autocomplete/",
        {"app_label": "evidence", "model_name": "citation", "field_name": "source", "term": term},
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_deleted_citations_history_is_for_reading(superuser_client, seed):
    citation = Citation.objects.filter(statement__framework=seed).select_related("statement", "source").first()
    statement = citation.statement
    citation.position += 1
    citation.save()  # a recorded change
    Citation.objects.filter(pk=citation.pk).delete()
    statement.delete()

    response = superuser_client.get(f"/admin/evidence/citation/{citation.pk}/history/")

    assert response.status_code == 200
    assert f"(deleted statement) → {citation.source}" in response.text
