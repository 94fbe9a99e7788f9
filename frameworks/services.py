"""Writes that curation needs beyond a single form."""

import re

from django.db import transaction
from django.db.models import Max

from evidence.models import Citation, EvidenceMetric
from exchange.identifiers import counterpart_uid
from frameworks.history import record_baseline, record_m2m_history
from frameworks.models import MAX_POSITION, Framework, Occupation, Statement

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


def framework_holding_copies(framework, version):
    """The framework whose statements hold the uids a copy of `framework` labelled `version` would have,
    or None: a copy once labelled so, and relabelled since."""
    soc_code = framework.occupation.soc_code
    uids = [counterpart_uid(soc_code, version, uid) for uid in framework.statements.values_list("uid", flat=True)]
    held = Statement.objects.filter(uid__in=uids).select_related("framework__occupation").first()
    return held.framework if held is not None else None


def next_position(framework, section, level, domain=None, exclude_pk=None):
    """The position after the last statement at this level of the framework's section (and domain)."""
    others = Statement.objects.filter(
        framework=framework, section=section, level=level, domain=domain, position__lte=MAX_POSITION
    ).exclude(pk=exclude_pk)
    return (others.aggregate(last=Max("position"))["last"] or 0) + 1


def park_statements(statements):
    """Move `statements` that are about to change place out of the way first; return the positions they
    wait in, in order.

    Statements are saved one by one, and positions are unique within a level: a statement moving to a
    place another is about to leave would otherwise clash with it. They wait past MAX_POSITION, where no
    statement is stored and none is going.
    """
    parked = []
    for offset, statement in enumerate(statements, start=1):
        # A plain update, as the waiting place is no change worth recording; so the place it leaves is
        # recorded first if the statement has no history yet.
        record_baseline(statement)
        Statement.objects.filter(pk=statement.pk).update(position=MAX_POSITION + offset)
        parked.append(MAX_POSITION + offset)
    return parked


@transaction.atomic
def copy_as_new_version(framework, version):
    """A new draft of the framework's occupation with all its statements, citations, anchors and metrics.

    Rows are written in bulk, each with the history record its own save would have made: a framework
    has hundreds of rows, and saving them one by one took over a thousand queries.
    """
    copy = Framework.objects.create(
        occupation_id=framework.occupation_id, version=version, context_covered=framework.context_covered
    )
    originals = list(framework.statements.prefetch_related("citations__anchors"))
    # Read, not taken from framework.occupation: a caller may not have it loaded.
    soc_code = Occupation.objects.values_list("soc_code", flat=True).get(pk=framework.occupation_id)
    statements = [
        Statement(
            uid=counterpart_uid(soc_code, version, statement.uid),
            framework=copy,
            section_id=statement.section_id,
            level_id=statement.level_id,
            domain_id=statement.domain_id,
            position=statement.position,
            title=statement.title,
            text=statement.text,
        )
        for statement in originals
    ]
    Statement.objects.bulk_create(statements)
    Statement.history.bulk_history_create(statements)

    citations, links = [], []
    Link = Citation.anchors.through
    for original, statement in zip(originals, statements, strict=True):
        for citation in original.citations.all():
            new_citation = Citation(statement=statement, source_id=citation.source_id, position=citation.position)
            citations.append(new_citation)
            links += [Link(citation=new_citation, sourceanchor_id=anchor.pk) for anchor in citation.anchors.all()]
    Citation.objects.bulk_create(citations)
    Link.objects.bulk_create(links)
    record_m2m_history(Citation.history.bulk_history_create(citations), "anchors", links)

    metrics = [
        EvidenceMetric(
            framework=copy,
            source_id=metric.source_id,
            group=metric.group,
            key=metric.key,
            label=metric.label,
            value=metric.value,
            unit=metric.unit,
            position=metric.position,
        )
        for metric in framework.evidence_metrics.all()
    ]
    EvidenceMetric.objects.bulk_create(metrics)
    EvidenceMetric.history.bulk_history_create(metrics)
    return copy
