"""Writes that curation needs beyond a single form."""

import re

from django.db import transaction

from evidence.models import Citation, EvidenceMetric
from frameworks.models import Framework, Statement

TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def next_version(framework):
    """An unused version label after the framework's: 26.05 → 26.06, 1.9 → 1.10, beta → beta.1."""
    taken = set(
        Framework.objects.filter(occupation=framework.occupation_id).values_list("version", flat=True)
    )
    label = framework.version
    while label in taken:
        if match := TRAILING_NUMBER.match(label):
            head, number = match.groups()
            label = f"{head}{int(number) + 1:0{len(number)}d}"
        else:
            label = f"{label}.1"
    return label


@transaction.atomic
def copy_as_new_version(framework, version):
    """A new draft of the framework's occupation with all its statements, citations, anchors and metrics."""
    copy = Framework.objects.create(
        occupation=framework.occupation, version=version, context_covered=framework.context_covered
    )
    statements = framework.statements.prefetch_related("citations__anchors")
    for statement in statements:
        citations = list(statement.citations.all())
        new_statement = Statement.objects.create(
            framework=copy,
            section_id=statement.section_id,
            level_id=statement.level_id,
            domain_id=statement.domain_id,
            position=statement.position,
            title=statement.title,
            text=statement.text,
        )
        for citation in citations:
            new_citation = Citation.objects.create(
                statement=new_statement, source_id=citation.source_id, position=citation.position
            )
            if anchors := list(citation.anchors.all()):
                new_citation.anchors.set(anchors)
    for metric in framework.evidence_metrics.all():
        EvidenceMetric.objects.create(
            framework=copy,
            source_id=metric.source_id,
            group=metric.group,
            key=metric.key,
            label=metric.label,
            value=metric.value,
            unit=metric.unit,
            position=metric.position,
        )
    return copy
