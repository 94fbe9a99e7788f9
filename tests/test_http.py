"""HTTP as a client meets it: methods, and what every address answers to each."""

import pytest
from django.conf import settings
from django.test import Client

from evidence.models import Citation
from tests.exchange.conftest import case_package_url

pytestmark = pytest.mark.django_db

OCCUPATION = "/occupations/41-3021.00/"
UNSAFE_METHODS = ("post", "put", "patch", "delete")


def read_only_addresses(seed):
    """Every public address that only reads, with the methods it says it allows."""
    citation = Citation.objects.filter(statement__framework=seed).first()
    pages = [
        "/",
        "/occupations/",
        "/occupations/?q=insurance",
        OCCUPATION,
        f"{OCCUPATION}?tab=ai",
        "/occupations/41-3021/",
        f"{OCCUPATION}anchors/",
        f"{OCCUPATION}print/",
        f"{OCCUPATION}versions/{seed.version}/",
        f"/citations/{citation.pk}/",
        "/sources/onet/",
        "/healthz",
        "/robots.txt",
        "/sitemap.xml",
    ]
    item = Client().get(case_package_url(seed)).json()["CFItems"][0]["uri"].split("testserver", 1)[1]
    data = [
        f"{OCCUPATION}framework.json",
        f"{OCCUPATION}framework.csv",
        f"{OCCUPATION}framework.jsonld",
        f"{OCCUPATION}versions/{seed.version}/framework.json",
        f"{OCCUPATION}versions/{seed.version}/framework.csv",
        f"{OCCUPATION}versions/{seed.version}/framework.jsonld",
        "/ims/case/v1p1/CFDocuments",
        case_package_url(seed),
        item,
    ]
    return pages + data


def test_unsafe_methods_on_a_read_only_address_are_not_allowed_and_say_what_is(seed):
    # As a browser or a tool sends them: with no CSRF token, which the check must not answer first.
    client = Client(enforce_csrf_checks=True)

    for address in read_only_addresses(seed):
        for method in UNSAFE_METHODS:
            response = getattr(client, method)(address)

            assert response.status_code == 405, (method, address)
            assert response["Allow"] == "GET, HEAD, OPTIONS", (method, address)


def test_a_read_only_page_answers_options_with_the_methods_it_takes(seed):
    for address in ["/", "/occupations/", "/occupations/?q=insurance", OCCUPATION, f"{OCCUPATION}anchors/", "/sources/onet/"]:
        response = Client(enforce_csrf_checks=True).options(address)

        assert response.status_code == 200, address
        assert response["Allow"] == "GET, HEAD, OPTIONS", address
        assert response.content == b"", address


def test_a_method_a_data_address_does_not_take_is_refused_in_json_other_sites_can_read(seed):
    client = Client(enforce_csrf_checks=True)

    for address in read_only_addresses(seed)[-9:]:  # the exports and the CASE API
        response = client.delete(address)  # as a tool sends it, asking for nothing in particular

        assert (response.status_code, response["Allow"]) == (405, "GET, HEAD, OPTIONS"), address
        assert response.json() == {"error": "This address does not take DELETE requests."}, address
        assert response["Access-Control-Allow-Origin"] == "*", address


def test_a_program_asking_a_page_for_json_is_refused_in_json_and_a_browser_with_the_page(seed):
    client = Client(enforce_csrf_checks=True)

    program = client.post(OCCUPATION, headers={"Accept": "application/json"})
    browser = client.post(OCCUPATION, headers={"Accept": "text/html"})

    assert (program.status_code, program.json()) == (405, {"error": "This address does not take POST requests."})
    assert (browser.status_code, browser["Content-Type"]) == (405, "text/html; charset=utf-8")
    assert "Accept" in program["Vary"] and "Accept" in browser["Vary"]


def test_unsafe_methods_on_a_read_only_address_for_htmx_are_not_allowed_either(seed):
    citation = Citation.objects.filter(statement__framework=seed).first()

    response = Client(enforce_csrf_checks=True).post(f"/citations/{citation.pk}/", headers={"HX-Request": "true"})

    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD, OPTIONS")


@pytest.mark.parametrize(
    "address",
    [f"{OCCUPATION}suggest/", "/accounts/login/", "/accounts/logout/", f"/{settings.ADMIN_URL}login/"],
)
def test_a_form_that_takes_a_post_still_refuses_one_without_its_csrf_token(seed, address):
    response = Client(enforce_csrf_checks=True).post(address, {"username": "curator", "password": "secret"})

    assert response.status_code == 403


def test_sign_in_takes_a_post_and_no_other_unsafe_method(client):
    refused = client.put("/accounts/login/", "username=curator&password=secret")
    options = client.options("/accounts/login/")

    assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD, POST, OPTIONS")
    assert options["Allow"] == "GET, HEAD, POST, OPTIONS"


@pytest.mark.parametrize("address", [f"{OCCUPATION}suggest/", "/accounts/login/", "/accounts/logout/"])
def test_a_form_refuses_methods_other_than_post_before_asking_for_its_csrf_token(seed, address):
    client = Client(enforce_csrf_checks=True)

    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(address, "about=general&correction=A+fix.")

        assert (response.status_code, response["Allow"]) == (405, "GET, HEAD, POST, OPTIONS"), method
    options = client.options(address)
    assert (options.status_code, options["Allow"]) == (200, "GET, HEAD, POST, OPTIONS")


def test_the_sign_out_form_on_a_read_only_page_still_carries_a_token_that_works(seed, curator):
    # Read-only views are exempt from the check, not from handing out its token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    page = client.get(OCCUPATION).text
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    signed_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})

    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session
