"""Every admin page curators use runs as many queries for a framework of many statements, citations,
anchors, metrics and history records as for one of a few: a page that queries once a row fails here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from frameworks.models import Apprenticeship, CipProgram, Framework, Occupation, Statement
from tests.factories import UserFactory, framework_of_size

pytestmark = pytest.mark.django_db

# Statements per (section, level, domain), citations per statement, anchors per citation, metrics, and
# history records of each row whose history is shown.
SIZES = (1, 4)


def with_history(row, changes, size):
    """`size` saves of `row`, each by another curator, each changing it with `changes(row, n)`."""
    for n in range(size):
        changes(row, n)
        row._history_user = UserFactory(username=f"{type(row).__name__.lower()}-editor-{row.pk}-{n}", role="Curator")
        row.save()


def admin_pages(size):
    framework = framework_of_size(size, status=Framework.Status.DRAFT, published_at=None)
    statement = Statement.objects.filter(framework=framework).order_by("pk").first()
    citation = Citation.objects.filter(statement=statement).order_by("pk").first()
    anchor = SourceAnchor.objects.filter(occupation=framework.occupation).order_by("pk").first()
    source = citation.source
    metric = EvidenceMetric.objects.filter(framework=framework).order_by("pk").first()
    with_history(framework, lambda row, n: setattr(row, "context_covered", f"Context {n}."), size)
    with_history(statement, lambda row, n: setattr(row, "text", f"does work {n}."), size)
    anchors = list(SourceAnchor.objects.filter(occupation=framework.occupation))

    def cite(row, n):
        row.position = 100 + n
        row.anchors.set(anchors[: n + 1])

    with_history(citation, cite, size)
    with_history(anchor, lambda row, n: setattr(row, "name", f"Skill renamed {n}"), size)
    with_history(source, lambda row, n: setattr(row, "publisher", f"Publisher {n}"), size)
    with_history(metric, lambda row, n: setattr(row, "value", f"{n}"), size)
    occupation = framework.occupation
    apprenticeships = Apprenticeship.objects.bulk_create(
        Apprenticeship(rapids_code=f"{size}-{n}", title=f"Apprenticeship {n}") for n in range(size)
    )
    programs = CipProgram.objects.bulk_create(CipProgram(code=f"{size}.{n}") for n in range(size))

    def link(row, n):
        row.description = f"Described {n}."
        row.apprenticeships.set(apprenticeships[: n + 1])
        row.cip_programs.set(programs[: n + 1])

    with_history(occupation, link, size)

    def change(model, row):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])

    def listing(model):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    def history(model, row):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[row.pk])

    def autocomplete(app_label, model_name, field_name, term=""):
        query = f"app_label={app_label}&model_name={model_name}&field_name={field_name}&term={term}"
        return f"{reverse('admin:autocomplete')}?{query}"

    first_record = statement.history.order_by("history_id").first()
    return {
        "framework list": listing(Framework),
        "framework list, drafts": f"{listing(Framework)}?status__exact=draft",
        "framework page": change(Framework, framework),
        "framework history": history(Framework, framework),
        "statement list": listing(Statement),
        "statement list, searched": f"{listing(Statement)}?q=statement",
        "statement page": change(Statement, statement),
        "statement history": history(Statement, statement),
        "statement history record": reverse(
            "admin:frameworks_statement_simple_history", args=[statement.pk, first_record.history_id]
        ),
        "new statement page": f"{reverse('admin:frameworks_statement_add')}?framework={framework.pk}",
        "citation list": listing(Citation),
        "citation page": change(Citation, citation),
        "citation history": history(Citation, citation),
        "new citation page": f"{reverse('admin:evidence_citation_add')}?statement={statement.pk}",
        "anchor list": listing(SourceAnchor),
        "anchor page": change(SourceAnchor, anchor),
        "anchor history": history(SourceAnchor, anchor),
        "source list": listing(Source),
        "source page": change(Source, source),
        "source history": history(Source, source),
        "evidence metric list": listing(EvidenceMetric),
        "evidence metric page": change(EvidenceMetric, metric),
        "evidence metric history": history(EvidenceMetric, metric),
        "occupation list": listing(Occupation),
        "occupation page": change(Occupation, occupation),
        "occupation history": history(Occupation, occupation),
        "sources autocomplete": autocomplete("evidence", "citation", "source"),
        "sources autocomplete, searched": autocomplete("evidence", "citation", "source", "source"),
        "occupations autocomplete": autocomplete("frameworks", "framework", "occupation"),
        "anchor occupations autocomplete": autocomplete("evidence", "sourceanchor", "occupation"),
    }


def queries_to_open(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_admin_pages_run_as_many_queries_for_many_rows_as_for_few(client, seed, curator, subtests):
    client.force_login(curator)
    counts = {}
    for size in SIZES:
        for name, url in admin_pages(size).items():
            queries_to_open(client, url)  # first visit: the session's and permissions' own reads
            counts.setdefault(name, []).append(queries_to_open(client, url))
    for name, (few, many) in counts.items():
        with subtests.test(name):
            assert many == few, f"{name}: {few} queries for a few rows, {many} for many"
