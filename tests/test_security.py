"""Security headers, production settings, sign-in throttling and the health check."""

import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

import nsx.middleware
from evidence.models import Suggestion
from evidence.ratelimit import client_address
from evidence.views import SUGGESTIONS_PER_HOUR
from nsx.logging import JsonFormatter
from tests.tools import ROOT

pytestmark = pytest.mark.django_db

PAGES = ["/", "/occupations/", "/occupations/41-3021.00/", "/occupations/41-3021.00/?tab=ai", "/accounts/login/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_security_headers(client, seed, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp
    # Pages are shared from the cache, so a nonce would be the same for every visitor: there is none.
    assert "nonce" not in csp and "nonce=" not in response.text
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("get", "/", {"Host": "unknown.example"}, 400),
        ("post", "/occupations/41-3021.00/suggest/", {"Content-Length": str(10**9)}, 413),  # refused unread
        ("get", "/occupations", {}, 301),  # the redirect that adds the slash
    ],
)
def test_answers_given_before_any_view_send_the_security_headers_too(client, method, url, headers, status):
    response = getattr(client, method)(url, headers=headers)

    assert response.status_code == status
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_check_deploy_passes_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
        "DJANGO_ALLOWED_HOSTS": "nsx.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"} | {"DJANGO_PRODUCTION": "true"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_fall_back_to_the_local_database():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
        "DJANGO_ALLOWED_HOSTS": "nsx.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "Set DATABASE_URL" in result.stderr


# The environment the README's Production section and compose.yaml give the app.
PRODUCTION_ENVIRONMENT = {
    "DJANGO_PRODUCTION": "true",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "nsx.example.org",
    "DATABASE_URL": "postgres://nsx:s3cret-password@db:5432/nsx",
    "REDIS_URL": "redis://redis:6379/0",
    "DJANGO_PROXY_COUNT": "1",
    "DJANGO_DB_POOL": "true",
}


def check_with(**environment):
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**os.environ, **PRODUCTION_ENVIRONMENT, **environment},
        capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize("log_level", [None, "debug", "Warning"])
def test_the_documented_production_environment_starts(log_level):
    result = check_with(**({"DJANGO_LOG_LEVEL": log_level} if log_level else {}))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_PRODUCTION", "ture"),  # read as off, it would turn every protection off
        ("DJANGO_SECURE_COOKIES", "enabled"),
        ("DJANGO_DEBUG", "true"),
        ("DJANGO_SECRET_KEY", "changeme"),
        ("DJANGO_ALLOWED_HOSTS", ""),
        ("DJANGO_ALLOWED_HOSTS", "https://nsx.example.org"),
        ("DJANGO_ALLOWED_HOSTS", "nsx.example.org:443"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "nsx.example.org"),
        ("DATABASE_URL", "postgres//nsx:s3cret-password@db:5432/nsx"),
        ("DATABASE_URL", "postgres://nsx:s3cret-password@db:port/nsx"),
        ("DATABASE_URL", "postgres://nsx:s3cret-password@db:5432"),
        ("DATABASE_URL", "mysql://nsx:s3cret-password@db:3306/nsx"),
        ("REDIS_URL", "redis:6379"),
        ("REDIS_URL", "redis://redis:6379/cache"),
        ("DJANGO_PROXY_COUNT", "one"),
        ("DJANGO_HSTS_SECONDS", "-1"),
        ("DJANGO_DB_POOL_TIMEOUT", "5s"),
        # 0, often "no limit" elsewhere, would refuse every sign-in, every request body, every connection.
        ("DJANGO_LOGIN_FAILURE_LIMIT", "0"),
        ("DJANGO_MAX_REQUEST_BODY", "0"),
        ("DJANGO_DB_POOL_MAX", "0"),
        ("DJANGO_ADMIN_URL", "/"),
        ("DJANGO_LOG_LEVEL", "verbose"),
    ],
)
def test_a_wrong_production_setting_stops_the_start_naming_the_variable(name, value):
    result = check_with(**{name: value})

    assert result.returncode != 0
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith("django.core.exceptions.ImproperlyConfigured: ") and name in reason, result.stderr
    assert "s3cret-password" not in result.stderr


def test_trusted_origins_come_from_the_environment():
    origins = "https://nsx.example.org,https://curators.example.org:8443"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(','.join(settings.CSRF_TRUSTED_ORIGINS))"],
        cwd=ROOT, env={**os.environ, **PRODUCTION_ENVIRONMENT, "DJANGO_SETTINGS_MODULE": "nsx.settings",
                       "DJANGO_CSRF_TRUSTED_ORIGINS": origins},
        capture_output=True, text=True, check=True,
    )

    assert result.stdout.strip() == origins


def test_production_settings_redirect_to_https_and_send_hsts(settings, client, seed):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/")
    behind_proxy = client.get("/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"].startswith("max-age=31536000")


def test_admin_address_comes_from_the_environment():
    env = {**os.environ, "DJANGO_ADMIN_URL": "curation-desk/"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.urls import reverse; print(reverse('admin:index'))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )

    assert result.stdout.strip().endswith("/curation-desk/")


def test_sign_in_is_throttled_after_repeated_failures(settings, client, django_user_model):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("curator", password="right-password-123")

    for _ in range(2):
        failed = client.post("/accounts/login/", {"username": "curator", "password": "wrong"})
        assert failed.status_code == 200
        assert "Please enter a correct username and password" in failed.text
    locked = client.post("/accounts/login/", {"username": "curator", "password": "wrong"})
    still_locked = client.post("/accounts/login/", {"username": "curator", "password": "right-password-123"})

    assert locked.status_code == 429
    assert "Sign-in paused" in locked.text
    assert "please wait 1\xa0hour and try again" in locked.text
    assert still_locked.status_code == 429


def test_a_refused_sign_in_takes_focus_to_why_and_its_fields_point_there(client, django_user_model):
    django_user_model.objects.create_user("curator", password="right-password-123")

    refused = client.post("/accounts/login/", {"username": "curator", "password": "wrong"})

    # autofocus: the box, not the username, has focus as the page loads, with or without JavaScript.
    summary = refused.text.split('<div class="form-errors" role="alert" tabindex="-1" id="form-errors" autofocus>')[1]
    assert "Please enter a correct username and password" in summary.split("</div>", 1)[0]
    assert refused.text.count("autofocus") == 1
    for name in ["username", "password"]:
        field = re.search(rf'<input[^>]* id="id_{name}"[^>]*>', refused.text).group(0)
        assert 'aria-invalid="true"' in field
        assert 'aria-describedby="form-errors"' in field


def test_the_sign_in_form_starts_on_the_username(client):
    page = client.get("/accounts/login/").text

    assert re.search(r'<input[^>]* autofocus[^>]* id="id_username"', page)
    assert "aria-invalid" not in page


def test_the_pause_says_how_long_it_lasts(settings, client, django_user_model):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = 0.25
    django_user_model.objects.create_user("curator", password="right-password-123")

    client.post("/accounts/login/", {"username": "curator", "password": "wrong"})
    paused = client.post("/accounts/login/", {"username": "curator", "password": "wrong"})

    assert paused.status_code == 429
    assert "please wait 15\xa0minutes and try again" in paused.text
    assert paused["Retry-After"] == "900"


def test_admin_sign_in_is_throttled_too(settings, client, django_user_model):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    django_user_model.objects.create_superuser("root", password="right-password-123")
    admin_login = "/admin/login/"

    for _ in range(2):
        client.post(admin_login, {"username": "root", "password": "wrong"})

    assert client.post(admin_login, {"username": "root", "password": "right-password-123"}).status_code == 429


def test_failures_from_one_address_never_lock_the_curator_out_elsewhere(settings, client, django_user_model):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    django_user_model.objects.create_user("curator", password="right-password-123")

    for _ in range(2):
        client.post("/accounts/login/", {"username": "curator", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    attacker = client.post("/accounts/login/", {"username": "curator", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    curator = client.post(
        "/accounts/login/", {"username": "curator", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.2"
    )

    assert attacker.status_code == 429
    assert curator.status_code == 302


@pytest.mark.parametrize(
    ("sign_in", "refusal"),
    [
        ("login", "Please enter a correct username and password"),
        ("admin:login", "Please enter the correct username and password for a staff account"),
    ],
)
def test_an_overlong_user_name_is_a_failed_sign_in_that_counts(settings, client, sign_in, refusal):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    address = reverse(sign_in)
    name = "n" * 300  # longer than django-axes records (255 characters): a 500 on PostgreSQL

    failed = client.post(address, {"username": name, "password": "wrong"})
    paused = client.post(address, {"username": name, "password": "wrong"})

    assert failed.status_code == 200
    assert refusal in failed.text
    assert AccessAttempt.objects.get().username == name[:255]
    assert paused.status_code == 429


FORM_POSTS = {
    "/occupations/41-3021.00/suggest/": {"about": "general", "correction": "A fair correction.", "website": ""},
    "/accounts/login/": {"username": "curator", "password": "wrong"},
}


@pytest.mark.parametrize("address", FORM_POSTS)
def test_a_body_over_the_limit_is_refused_before_it_is_read(settings, client, seed, address):
    upload = SimpleUploadedFile("large.bin", b"x" * settings.NSX_MAX_REQUEST_BODY)

    response = client.post(address, {**FORM_POSTS[address], "attachment": upload})

    assert response.status_code == 413
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.wsgi_request._read_started
    assert not Suggestion.objects.exists()


def test_raising_the_body_limit_raises_djangos_limit_on_a_forms_fields():
    # Raised alone, a form between the two limits would pass the site's check and fail Django's (400).
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.NSX_MAX_REQUEST_BODY, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "nsx.settings", "DJANGO_MAX_REQUEST_BODY": "5000000"},
        capture_output=True, text=True, check=True,
    )

    assert result.stdout.split() == ["5000000", "5000000"]


@pytest.mark.parametrize("address", FORM_POSTS)
def test_a_file_is_refused_where_no_form_takes_one(client, seed, address):
    upload = SimpleUploadedFile("note.txt", b"A small file.")

    response = client.post(address, {**FORM_POSTS[address], "attachment": upload})

    assert response.status_code == 400
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy of ours: the header is the client's to invent
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the first entry was sent by the client
        (2, "198.51.100.7, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "", "10.0.0.1"),
    ],
)
def test_the_client_address_is_the_one_our_proxies_saw(settings, rf, proxies, forwarded, expected):
    settings.NSX_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_behind_a_proxy_each_visitor_has_their_own_suggestion_limit(settings, client, seed):
    settings.NSX_PROXY_COUNT = 1
    suggest = "/occupations/41-3021.00/suggest/"
    about = f"anchor-{seed.occupation.anchors.first().pk}"

    def suggestion(visitor):
        data = {"about": about, "correction": "This anchor needs a second look.", "website": ""}
        return client.post(suggest, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=visitor)

    answers = [suggestion("203.0.113.9").status_code for _ in range(SUGGESTIONS_PER_HOUR + 1)]

    assert answers[-1] == 429 and set(answers[:-1]) == {302}
    assert suggestion("198.51.100.7").status_code == 302


def test_signing_out_at_a_typed_address_asks_first(client, django_user_model):
    curator = django_user_model.objects.create_user("curator", password="right-password-123")
    assert client.get("/accounts/logout/").status_code == 200  # not signed in: says so, with a link
    client.force_login(curator)

    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200
    assert "You are signed in as curator." in asked.text
    assert '<form method="post" action="/accounts/logout/"' in asked.text
    assert client.get("/accounts/logout/").wsgi_request.user.is_authenticated  # a GET changes nothing

    signed_out = client.post("/accounts/logout/")
    assert signed_out.status_code == 302
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    "address",
    ["/accounts/password_reset/", "/accounts/password_change/", "/accounts/reset/MQ/set-password/"],
)
def test_the_public_site_offers_no_password_reset_it_could_not_mail(client, django_user_model, address):
    django_user_model.objects.create_user("curator", email="curator@example.org", password="right-password-123")

    assert client.get(address).status_code == 404
    assert client.post(address, {"email": "curator@example.org"}).status_code == 404


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_requests_are_logged_as_json(client, seed, caplog, monkeypatch):
    readings = iter([100.0, 100.0123])  # the request log's clock, at the start and at the end
    monkeypatch.setattr(nsx.middleware, "time", SimpleNamespace(perf_counter=lambda: next(readings)))
    with caplog.at_level("INFO", logger="nsx.request"):
        client.get("/occupations/41-3021.00/?tab=ai", headers={"HX-Request": "true"})

    record = next(r for r in caplog.records if r.name == "nsx.request")
    assert record.fields["path"] == "/occupations/41-3021.00/"
    assert record.fields["status"] == 200
    assert record.fields["htmx"] is True
    assert record.fields["duration_ms"] == 12.3
    assert json.loads(JsonFormatter().format(record))["status"] == 200
