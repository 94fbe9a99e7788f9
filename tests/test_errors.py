"""What a visitor gets when an answer fails: an outage to wait out, or a fault."""

import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import Client

from frameworks import selectors
from tests.tools import ROOT


def test_while_the_database_cannot_be_reached_a_page_says_so_and_when_to_retry(tmp_path):
    # A database that cannot be opened: a folder that is not there.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3", "DJANGO_ALLOWED_HOSTS": "testserver"}
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
    assert "<h1>NSX is unavailable for a moment</h1>" in page
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
    assert '<link rel="stylesheet" href="/static/css/nsx.css">' in response.text
    assert '<header class="site-header">' in response.text
    assert "<h1>This form could not be sent</h1>" in response.text
    assert "reload the page to get a fresh form, and send it again" in response.text
    assert "<style" not in response.text  # Django's own page, whose inline style the site's policy blocks
