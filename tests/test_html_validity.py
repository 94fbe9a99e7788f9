"""Every page type is valid HTML by the Nu HTML Checker (vnu), run once over all of them."""

import json
import subprocess

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from evidence.models import Citation
from frameworks.models import Framework
from tests.factories import FrameworkFactory, OccupationFactory, SourceAnchorFactory
from tests.tools import VNU, require, require_java

pytestmark = pytest.mark.django_db

OCCUPATION = "/occupations/41-3021.00/"


@pytest.fixture
def pages(client, seed, django_user_model):
    """(name, HTML) of every page type, in the states a visitor can reach."""
    cache.clear()  # the suggestion form's rate limit
    without_framework = SourceAnchorFactory(occupation__title="Claims Adjusters").occupation
    OccupationFactory.create_batch(50)  # a second page of occupations
    citation = Citation.objects.filter(statement__framework=seed).first()
    # An earlier version: the framework pages list their versions.
    FrameworkFactory(occupation=seed.occupation, version="25.11", status=Framework.Status.ARCHIVED)
    gets = {
        "home": "/",
        "occupations": "/occupations/",
        "occupations-page-2": "/occupations/?page=2",
        "search": "/occupations/?q=insurance",
        "search-no-results": "/occupations/?q=zzzz",
        "framework-skills": OCCUPATION + "?tab=skills",
        "framework-ai": OCCUPATION + "?tab=ai",
        "framework-durable": OCCUPATION + "?tab=durable",
        "framework-anchors": OCCUPATION + "?tab=anchors",
        "anchors": OCCUPATION + "anchors/",
        "earlier-version": OCCUPATION + "versions/25.11/",
        "print": OCCUPATION + "print/",
        "occupation-without-framework": without_framework.get_absolute_url(),
        "citation": f"/citations/{citation.pk}/",
        "source": "/sources/onet/",
        "suggest": OCCUPATION + "suggest/",
        "login": "/accounts/login/",
        "not-found": "/occupations/99-9999.99/",
    }
    collected = {}
    for name, path in gets.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not-found" else 200), path
        collected[name] = response.text
    for name, path in {"suggest-errors": OCCUPATION + "suggest/", "login-errors": "/accounts/login/"}.items():
        response = client.post(path, {})
        assert response.status_code == 200, path
        collected[name] = response.text
    refused = Client(enforce_csrf_checks=True).post(OCCUPATION + "suggest/", {})  # no CSRF token
    assert refused.status_code == 403
    collected["csrf-failure"] = refused.text
    # A sign-in refused (fields pointing to the reason) and a suggestion thanked.
    collected["login-refused"] = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"}).text
    thanked = client.post(OCCUPATION + "suggest/", {"about": "general", "correction": "A fair correction."}, follow=True)
    assert "A curator will review your suggestion" in thanked.text
    collected["suggest-thanked"] = thanked.text
    client.force_login(django_user_model.objects.create_user("curator", is_staff=True))
    collected["home-signed-in"] = client.get("/").text
    forbidden = client.get("/admin/auth/user/")
    assert forbidden.status_code == 403
    collected["forbidden"] = forbidden.text
    # Change pages that carry a digest of what they showed, and add pages whose required autocomplete has
    # nothing chosen yet, as a superuser sees them.
    client.force_login(django_user_model.objects.create_superuser("root"))
    draft = Framework.objects.get(pk=seed.pk)
    Framework.objects.filter(pk=draft.pk).update(status=Framework.Status.DRAFT)
    for name, url in {
        "admin-framework": reverse("admin:frameworks_framework_change", args=[draft.pk]),
        "admin-occupation": reverse("admin:frameworks_occupation_change", args=[draft.occupation_id]),
        "admin-statement": reverse("admin:frameworks_statement_change", args=[citation.statement_id]),
        "admin-citation": reverse("admin:evidence_citation_change", args=[citation.pk]),
        "admin-citation-add": reverse("admin:evidence_citation_add"),
        "admin-framework-add": reverse("admin:frameworks_framework_add"),
        "admin-anchor-add": reverse("admin:evidence_sourceanchor_add"),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, url
        collected[name] = response.text
    collected["server-error"] = render_to_string("500.html")
    collected["unavailable"] = render_to_string("503.html")
    collected["bad-request"] = render_to_string("400.html")
    return collected


def test_every_page_type_is_valid_html(pages, tmp_path):
    vnu = require(VNU, f"vnu-jar not found at {VNU}; run `npm ci` (`make test` does).")
    java = require_java()
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))

    # One run for all pages: the checker takes seconds to start.
    result = subprocess.run(
        [str(java), "-jar", str(vnu), "--format", "json", "--stdout", *files],
        capture_output=True,
        check=False,  # the errors are in its report
        text=True,
        timeout=300,
    )

    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine', '?')}: {message['message']}"
        f" ({message.get('extract', '').strip()})"
        for message in messages
        if message["type"] in {"error", "non-document-error"}
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
    assert len(pages) >= 20


def test_no_page_shows_template_syntax(pages):
    # Valid HTML still: a template comment or tag that Django did not parse is printed as text.
    shown = {name: marker for name, html in pages.items() for marker in ("{#", "#}", "{%", "%}") if marker in html}

    assert shown == {}
