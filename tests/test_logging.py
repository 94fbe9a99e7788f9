"""What the operator reads in the logs: one JSON line a request, failures included."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frameworks import selectors
from nsx.logging import JsonFormatter
from tests.tools import ROOT

PAGE = "/occupations/41-3021.00/"


def fail_the_framework_page(monkeypatch, error):
    def broken(soc_code):
        raise error

    monkeypatch.setattr(selectors, "occupation_with_versions", broken)


def logged_lines(caplog):
    """The records at or above INFO as the console writes them: one JSON object each."""
    return [json.loads(JsonFormatter().format(record)) for record in caplog.records if record.levelno >= logging.INFO]


@pytest.mark.django_db
def test_a_failed_request_is_one_line_with_its_traceback_status_user_and_duration(client, seed, curator, monkeypatch, caplog):
    fail_the_framework_page(monkeypatch, RuntimeError("a bug"))
    client.raise_request_exception = False
    client.force_login(curator)

    with caplog.at_level("INFO"):
        response = client.get(PAGE)

    assert response.status_code == 500
    [line] = logged_lines(caplog)
    assert (line["level"], line["logger"]) == ("ERROR", "nsx.request")
    assert (line["method"], line["path"], line["status"], line["user"]) == ("GET", PAGE, 500, curator.pk)
    assert line["duration_ms"] >= 0
    assert line["exception"].startswith("Traceback") and line["exception"].endswith("RuntimeError: a bug")


@pytest.mark.django_db
def test_a_page_not_found_is_one_line(client, caplog):
    with caplog.at_level("INFO"):
        client.get("/no-such-page/")

    assert [(line["logger"], line["status"]) for line in logged_lines(caplog)] == [("nsx.request", 404)]


def test_while_the_database_cannot_be_reached_each_request_is_one_line_naming_the_cause(tmp_path):
    # A database that cannot be opened (a folder that is not there), asked by a signed-in curator's browser,
    # whose session the database would have to read.
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_PLAIN_STATIC": "true",
    }
    script = (
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'a-session-key-0123456789abcdef'\n"
        f"print(client.get('{PAGE}').status_code, client.get('/healthz').status_code)"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT,
        env={**os.environ, **env}, capture_output=True, text=True, check=False, timeout=60,
    )

    assert result.stdout.split() == ["503", "503"], result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [(line["logger"], line["path"], line["status"]) for line in lines] == [
        ("nsx.request", PAGE, 503),
        ("nsx.request", "/healthz", 503),
    ], result.stderr
    for line in lines:
        assert line["level"] == "ERROR"
        assert line["error"] == "OperationalError: unable to open database file"
        assert "exception" not in line  # a traceback a request would bury the rest of the log
    assert "a-session-key" not in result.stderr


def without_static_manifest(settings, tmp_path):
    """Static files as in production, where nothing was collected: the error page cannot be rendered."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


@pytest.mark.django_db
def test_every_line_of_a_request_names_its_id_which_the_response_returns(client, seed, monkeypatch, settings, tmp_path, caplog):
    fail_the_framework_page(monkeypatch, RuntimeError("a bug"))
    without_static_manifest(settings, tmp_path)  # so the error page logs a line of its own
    client.raise_request_exception = False

    with caplog.at_level("INFO"):
        response = client.get(PAGE)
        client.get("/healthz")

    lines = logged_lines(caplog)
    assert [line["logger"] for line in lines] == ["nsx.views", "nsx.request", "nsx.request"]
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert [line["request_id"] for line in lines[:2]] == [response["X-Request-ID"]] * 2
    assert lines[2]["request_id"] != response["X-Request-ID"]  # the next request's


@pytest.mark.django_db
def test_the_request_id_the_proxy_gives_is_kept(client, caplog):
    given = "5f0c6c1e-8d1a-4b6e-9a37-2c1f4e0b7d21"

    with caplog.at_level("INFO"):
        response = client.get("/healthz", headers={"X-Request-ID": given})

    assert response["X-Request-ID"] == given
    assert [line["request_id"] for line in logged_lines(caplog)] == [given]


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["", "two words", "forged\n{\"level\": \"ERROR\"}", "x" * 129, "<script>"])
def test_a_request_id_that_is_not_one_is_replaced(client, caplog, given):
    with caplog.at_level("INFO"):
        response = client.get("/healthz", headers={"X-Request-ID": given})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert [line["request_id"] for line in logged_lines(caplog)] == [response["X-Request-ID"]]


def refusals(caplog):
    lines = logged_lines(caplog)
    return [(line["logger"], line["level"], "exception" in line) for line in lines]


@pytest.mark.django_db
def test_a_host_the_site_does_not_serve_is_a_warning_without_a_traceback(client, caplog):
    # Scanners asking for the server's address would otherwise page the operator all night.
    with caplog.at_level("INFO"):
        response = client.get("/", headers={"Host": "203.0.113.50"})

    assert response.status_code == 400
    assert refusals(caplog) == [("django.security.DisallowedHost", "WARNING", False), ("nsx.request", "INFO", False)]


@pytest.mark.django_db
def test_a_form_sending_a_file_is_a_warning_without_a_traceback(client, seed, caplog):
    with caplog.at_level("INFO"):
        response = client.post(f"{PAGE}suggest/", {"file": SimpleUploadedFile("a.txt", b"x")})

    assert response.status_code == 400
    assert refusals(caplog) == [("django.security.TooManyFilesSent", "WARNING", False), ("nsx.request", "INFO", False)]
