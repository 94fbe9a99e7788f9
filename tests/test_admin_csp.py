"""Admin pages hold nothing the CSP refuses: it allows no inline styles or scripts, and no nonce."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from evidence.models import Citation

pytestmark = pytest.mark.django_db

DATA_BLOCKS = {"application/json", "application/ld+json"}  # data, not scripts, to the CSP


class InlineCode(HTMLParser):
    """Style attributes and elements, event-handler attributes and inline scripts in a page."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        inline_script = tag == "script" and "src" not in names and names.get("type") not in DATA_BLOCKS
        if tag == "style" or inline_script or any(name == "style" or name.startswith("on") for name in names):
            self.found.append(self.get_starttag_text())


def inline_code(response):
    assert response.status_code == 200, response.status_code
    return InlineCode(response.text).found


def test_history_and_revert_pages(client, draft, curator):
    statement = draft.statements.get(title="Claims communication")
    statement.text = "a worse text."
    statement.save()
    earlier = statement.history.order_by("history_date").first()
    citation = Citation.objects.filter(statement__framework=draft).first()
    client.force_login(curator)

    pages = {
        "statement history": reverse("admin:frameworks_statement_history", args=[statement.pk]),
        "statement revert": reverse(
            "admin:frameworks_statement_simple_history", args=[statement.pk, earlier.history_id]
        ),
        "framework history": reverse("admin:frameworks_framework_history", args=[draft.pk]),
        "citation history": reverse("admin:evidence_citation_history", args=[citation.pk]),
        "occupation history": reverse("admin:frameworks_occupation_history", args=[draft.occupation_id]),
    }
    for name, url in pages.items():
        assert inline_code(client.get(url)) == [], name
    assert '<p class="paginator">' in client.get(pages["statement history"]).text  # the list is shown


def test_curation_pages(client, seed, draft, curator):
    statement = draft.statements.first()
    client.force_login(curator)

    pages = {
        "framework": reverse("admin:frameworks_framework_change", args=[draft.pk]),
        "published framework": reverse("admin:frameworks_framework_change", args=[seed.pk]),
        "copy": reverse("admin:frameworks_framework_copy", args=[seed.pk]),
        "statement": reverse("admin:frameworks_statement_change", args=[statement.pk]),
        "delete statement": reverse("admin:frameworks_statement_delete", args=[statement.pk]),
        "add framework": reverse("admin:frameworks_framework_add"),
        "password change": reverse("admin:password_change"),
    }
    # Every list a curator may open, so a list that drops its action bar (and with it gets an inline
    # <style> from Django's change_list.html) is caught too.
    request = RequestFactory().get("/")
    request.user = curator
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_permission(request):
            opts = model._meta
            pages[opts.label] = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    for name, url in pages.items():
        assert inline_code(client.get(url)) == [], name


def test_sign_in_page(client):
    assert inline_code(client.get(reverse("admin:login"))) == []
