"""Curator-entered text can never become markup or script, on any page or export."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import models

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from frameworks.models import (
    Apprenticeship,
    CipProgram,
    Domain,
    Framework,
    JobZone,
    Level,
    Occupation,
    OccupationTitle,
    Section,
    Statement,
)

pytestmark = pytest.mark.django_db

PAYLOAD = """<script>alert(1)</script>"'><img src=x onerror=alert(2)>"""
RAW_MARKUP = ("<script>alert(1)", "<img src=x", "onerror=alert(2)>")
# Fields that are identifiers rather than prose keep their values so pages still resolve.
KEEP = {"soc_code", "version", "key", "onet_id", "uid", "rapids_code", "code", "group", "kind", "status", "url",
        "task_type", "other_titles", "task_text"}


def poison(model):
    """Put the payload in every text field of every row of a model (bypassing save to skip validation)."""
    fields = [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices and field.name not in KEEP
    ]
    limits = {field.attname: field.max_length for field in model._meta.concrete_fields}
    for row in model.objects.all():
        # A short column keeps the payload's start, "<script>alert(1)", which is what must not render.
        values = {name: f"{PAYLOAD} {row.pk}"[: limits[name]] for name in fields}
        model.objects.filter(pk=row.pk).update(**values)
    return fields


@pytest.fixture
def poisoned(seed):
    for model in (Occupation, OccupationTitle, Apprenticeship, CipProgram, JobZone, Framework, Statement, Level,
                  Section, Domain, Source, SourceAnchor, EvidenceMetric):
        assert poison(model), model
    cache.clear()
    return seed


def strings(value):
    """Every string inside a parsed JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def carries_payload(document):
    return any(PAYLOAD in text for text in strings(document))


def html_pages(client):
    citation = Citation.objects.order_by("pk").first()
    source = Source.objects.first()
    base = "/occupations/41-3021.00/"
    urls = ["/", "/occupations/", "/occupations/?q=script", base, base + "anchors/", base + "print/",
            base + "versions/26.05/", base + "suggest/", f"/citations/{citation.pk}/", f"/sources/{source.key}/"]
    urls += [f"{base}?tab={tab}" for tab in ("ai", "durable", "anchors")]
    pages = {url: client.get(url) for url in urls}
    pages["chip fragment"] = client.get(f"/citations/{citation.pk}/", headers={"HX-Request": "true"})
    pages["tab fragment"] = client.get(base + "?tab=durable", headers={"HX-Request": "true"})
    return pages


def test_no_page_renders_curator_text_as_markup(client, poisoned):
    for url, response in html_pages(client).items():
        assert response.status_code == 200, url
        for markup in RAW_MARKUP:
            assert markup not in response.text, (url, markup)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text, url


def test_json_ld_in_the_page_cannot_close_its_script(client, poisoned):
    page = client.get("/occupations/41-3021.00/").text
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, flags=re.S)

    assert blocks
    for block in blocks:
        assert "<" not in block
        assert carries_payload(json.loads(block))


@pytest.mark.parametrize("suffix", ["framework.json", "framework.jsonld"])
def test_json_exports_carry_the_text_as_data(client, poisoned, suffix):
    response = client.get(f"/occupations/41-3021.00/{suffix}")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert carries_payload(response.json())


def test_case_package_carries_the_text_as_data(client, poisoned):
    listing = client.get("/ims/case/v1p1/CFDocuments").json()
    identifier = listing["CFDocuments"][0]["identifier"]

    package = client.get(f"/ims/case/v1p1/CFPackages/{identifier}")

    assert package["Content-Type"].startswith("application/json")
    assert carries_payload(package.json())


def test_csv_export_is_not_served_as_html(client, poisoned):
    response = client.get("/occupations/41-3021.00/framework.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(PAYLOAD in row["title"] for row in rows)
