"""What a visitor gets when an answer fails: an outage to wait out, or a fault."""

import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import Client

from frameworks import selectors
from nsx import views
from tests.tools import ROOT


def assert_the_sites_own_page(page, heading):
    """An error page in the site's dress: its stylesheet, its landmarks, and no inline style the policy blocks."""
    assert '<link rel="stylesheet" href="/static/css/nsx.css">' in page
    assert '<main id="main"' in page
    assert f"<h1>{heading}</h1>" in page
    assert "<style" not in page


def test_while_the_database_cannot_be_reached_a_page_says_so_and_when_to_retry(tmp_path):
    # A database that cannot be opened: a folder that is not there.
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_PLAIN_STATIC": "true",  # the site's own page, whether or not static files were collected
    }
    script = (
        "from django.test import Client\n"
        "page = Client(raise_request_exception=False).get('/occupations/41-3021.00/')\n"
        "print(page.status_code, page['Retry-After'])\n"
        "print(page.content.decode())"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT,
        env={**os.environ, **env}, capture_output=True, text=True, check=False, timeout=60,
    )

    status, page = result.stdout.split("\n", 1)
    assert status == "503 30", result.stderr
    assert_the_sites_own_page(page, "NSX is unavailable for a moment")  # rendered with no database
    assert "try again in a minute" in page


@pytest.mark.django_db
def test_an_error_while_the_database_answers_is_a_fault_not_an_outage(client, seed, monkeypatch):
    def broken(soc_code):
        raise OperationalError("no such column: frameworks_framework.version")

    monkeypatch.setattr(selectors, "occupation_with_versions", broken)
    client.raise_request_exception = False

    response = client.get("/occupations/41-3021.00/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_the_sites_page_saying_what_to_do(seed):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/occupations/41-3021.00/suggest/", {"about": "general", "correction": "A fix."})

    assert response.status_code == 403
    # Not Django's own page, whose inline style the site's policy blocks.
    assert_the_sites_own_page(response.text, "This form could not be sent")
    assert '<header class="site-header">' in response.text
    assert "reload the page to get a fresh form, and send it again" in response.text


@pytest.mark.django_db
def test_a_page_the_account_may_not_see_gets_the_sites_page_saying_why(client, curator):
    client.force_login(curator)

    response = client.get("/admin/auth/user/")

    page = response.text
    assert response.status_code == 403
    assert_the_sites_own_page(page, "This page needs a permission your account does not have")
    assert '<a href="/admin/">curation pages</a>' in page


def fail_the_framework_page(monkeypatch, error):
    def broken(soc_code):
        raise error

    monkeypatch.setattr(selectors, "occupation_with_versions", broken)


def without_static_manifest(settings, tmp_path):
    """Static files as in production, where nothing was collected: naming one fails."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


@pytest.mark.django_db
def test_a_fault_gets_the_sites_own_page_with_a_way_home(client, seed, monkeypatch):
    fail_the_framework_page(monkeypatch, RuntimeError("a bug"))
    client.raise_request_exception = False

    response = client.get("/occupations/41-3021.00/")

    page = response.text
    assert response.status_code == 500
    assert_the_sites_own_page(page, "Something went wrong on our side")
    assert '<header class="site-header">' in page
    assert '<footer class="site-footer">' in page
    assert '<a href="/">home page</a>' in page
    # What the page could not know without the database it may have failed on.
    assert "Sign in" not in page
    assert "Sources:" not in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_outage_gets_the_sites_own_page_saying_when_to_retry(client, seed, monkeypatch):
    fail_the_framework_page(monkeypatch, OperationalError("connection refused"))
    monkeypatch.setattr(views, "_database_answers", lambda: False)
    client.raise_request_exception = False

    response = client.get("/occupations/41-3021.00/")

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert_the_sites_own_page(response.text, "NSX is unavailable for a moment")
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "status", "heading"),
    [
        (RuntimeError("a bug"), 500, "Something went wrong on our side"),
        (OperationalError("connection refused"), 503, "NSX is unavailable for a moment"),
    ],
)
def test_when_the_error_page_cannot_be_rendered_either_the_plain_one_is_sent(
    client, seed, monkeypatch, settings, tmp_path, caplog, error, status, heading
):
    fail_the_framework_page(monkeypatch, error)
    monkeypatch.setattr(views, "_database_answers", lambda: False)
    without_static_manifest(settings, tmp_path)
    client.raise_request_exception = False

    response = client.get("/occupations/41-3021.00/")

    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in response.text
    assert '<a href="/">home page</a>' in response.text
    assert "stylesheet" not in response.text
    assert "<style" not in response.text
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "page could not be rendered; the plain one was sent" in caplog.text


@pytest.mark.django_db
def test_a_broken_error_template_still_sends_the_plain_page(client, seed, monkeypatch, settings, tmp_path):
    (tmp_path / "500.html").write_text("{% extends 'base.html' %}{% block content %}{% url 'no-such-page' %}{% endblock %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    fail_the_framework_page(monkeypatch, RuntimeError("a bug"))
    client.raise_request_exception = False

    response = client.get("/occupations/41-3021.00/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.text


@pytest.mark.django_db
def test_a_request_that_cannot_be_read_gets_the_sites_own_page(client):
    response = client.get("/", headers={"Host": "unknown.example"})

    assert response.status_code == 400
    assert_the_sites_own_page(response.text, "This request could not be read")
    assert '<a href="/">home page</a>' in response.text


@pytest.mark.django_db
def test_when_the_400_page_cannot_be_rendered_the_plain_one_is_sent(client, settings, tmp_path):
    without_static_manifest(settings, tmp_path)

    response = client.get("/", headers={"Host": "unknown.example"})

    assert response.status_code == 400
    assert "<h1>This request could not be read</h1>" in response.text
    assert "stylesheet" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "address"), [("post", "/occupations/"), ("delete", "/accounts/login/")])
def test_a_request_the_address_does_not_take_gets_the_sites_page_saying_so(seed, method, address):
    response = getattr(Client(enforce_csrf_checks=True), method)(address)

    assert response.status_code == 405
    assert_the_sites_own_page(response.text, "This address does not take that kind of request")
    assert f"It was sent as {method.upper()}" in response.text
    assert "unsafe-inline" not in response["Content-Security-Policy"]
