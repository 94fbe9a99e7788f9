"""A framework as a document of the framework-file format (docs/framework-format.md).

Optional fields are left out when empty, so that files stay short; reading treats a missing field as empty.
Import keeps the stored value of a field of the occupation's facts that a file leaves out, so those a
curator owns (an anchor's among them) are written even when empty, and importing an export empties them too.
"""

from evidence.models import EvidenceMetric, Source, SourceAnchor
from exchange.fileformat import FORMAT
from exchange.publication import iso_datetime
from exchange.selectors import framework_contents
from frameworks.models import OccupationTitle

ANCHOR_KINDS = list(SourceAnchor.Kind.values)
TITLE_KINDS = list(OccupationTitle.Kind.values)


def anchor_reference(anchor):
    return f"{anchor.kind}:{anchor.onet_id}"


def _compact(fields, written=()):
    """Leave out the optional fields that hold their empty default, but those named in `written`."""
    return {
        name: value for name, value in fields.items() if name in written or value not in ("", None, False, [])
    }


def framework_document(framework):
    contents = framework_contents(framework)
    occupation = framework.occupation
    anchors = sorted(
        SourceAnchor.objects.filter(occupation=occupation).select_related("source"),
        key=lambda anchor: (ANCHOR_KINDS.index(anchor.kind), anchor.position, anchor.onet_id),
    )
    metrics = list(
        EvidenceMetric.objects.filter(framework=framework).select_related("source").order_by("position", "pk")
    )
    statements = contents.statements
    cited_sources = {citation.source for statement in statements for citation in statement.citations.all()}
    sources = (
        cited_sources
        | {metric.source for metric in metrics}
        | {anchor.source for anchor in anchors if anchor.source}
    )
    domains = {statement.domain for statement in statements if statement.domain}
    scales = {section.scale_id: section.scale for section in contents.sections}
    document = {
        "format": FORMAT,
        "occupation": _occupation(occupation),
        "version": framework.version,
        "status": framework.status,
        "published_at": iso_datetime(framework.published_at) if framework.published_at else None,
        "context": framework.context_covered,
        "scales": [
            {
                "key": scale.key,
                "name": scale.name,
                "levels": [
                    _compact({"key": level.key, "name": level.name, "role_label": level.role_label})
                    for level in contents.levels.get(scale.pk, [])
                ],
            }
            for scale in scales.values()
        ],
        "sections": [
            _compact(
                {
                    "key": section.key,
                    "name": section.name,
                    "description": section.description,
                    "scale": section.scale.key,
                    "uses_domains": section.uses_domains,
                    "shows_role_labels": section.shows_role_labels,
                    "shows_evidence": section.shows_evidence,
                }
            )
            for section in contents.sections
        ],
        "domains": [
            _compact({"key": domain.key, "name": domain.name, "description": domain.description})
            for domain in sorted(domains, key=lambda domain: (domain.position, domain.key))
        ],
        "sources": [
            _source(source) for source in sorted(sources, key=lambda source: (source.position, source.key))
        ],
        "anchors": [_anchor(anchor) for anchor in anchors],
        "statements": [_statement(statement) for statement in statements],
        "metrics": [
            _compact(
                {
                    "group": metric.group,
                    "key": metric.key,
                    "label": metric.label,
                    "value": metric.value,
                    "unit": metric.unit,
                    "source": metric.source.key,
                }
            )
            for metric in metrics
        ],
    }
    return _compact(document)


def _occupation(occupation):
    titles = sorted(
        occupation.titles.all(),
        key=lambda title: (TITLE_KINDS.index(title.kind), title.position, title.title),
    )
    job_zone = occupation.job_zone
    return _compact(
        {
            "soc_code": occupation.soc_code,
            "title": occupation.title,
            "description": occupation.description,
            "job_zone": job_zone
            and _compact(
                {"number": str(job_zone.number), "name": job_zone.name, "description": job_zone.description}
            ),
            "related_titles": [
                # Alternate is the default kind, so the common case needs no field.
                _compact(
                    {
                        "title": title.title,
                        "kind": "" if title.kind == OccupationTitle.Kind.ALTERNATE else title.kind,
                        "short_title": title.short_title,
                    },
                    written=["short_title"],
                )
                for title in titles
            ],
            "apprenticeships": [
                {"rapids_code": apprenticeship.rapids_code, "title": apprenticeship.title}
                for apprenticeship in occupation.apprenticeships.order_by("rapids_code")
            ],
            "cip_programs": [
                _compact({"code": program.code, "title": program.title}, written=["title"])
                for program in occupation.cip_programs.order_by("code")
            ],
        },
        written=["description", "job_zone"],
    )


def _source(source: Source):
    return _compact(
        {
            "key": source.key,
            "label": source.label,
            "footer_label": source.footer_label,
            "title": source.title,
            "version": source.version,
            "publisher": source.publisher,
            "licence": source.licence,
            "url": source.url,
        }
    )


# Written even when empty: importing a file keeps what it leaves out of a curator's anchor, so an export
# leaving them out would not put back an importance, task type, flag or source cleared since.
ANCHOR_FIELDS_ALWAYS_WRITTEN = ["importance", "task_type", "hot_technology", "in_demand", "source"]


def _anchor(anchor: SourceAnchor):
    return _compact(
        {
            "kind": anchor.kind,
            "onet_id": anchor.onet_id,
            "name": anchor.name,
            "importance": None if anchor.importance is None else str(anchor.importance),
            "task_type": anchor.task_type,
            "hot_technology": anchor.hot_technology,
            "in_demand": anchor.in_demand,
            "source": anchor.source.key if anchor.source else None,
        },
        written=ANCHOR_FIELDS_ALWAYS_WRITTEN,
    )


def _statement(statement):
    citations = []
    for citation in statement.citations.all():
        anchors = [anchor_reference(anchor) for anchor in citation.anchors.all()]
        # A citation that names no anchors is written as its source key alone.
        citations.append(
            {"source": citation.source.key, "anchors": anchors} if anchors else citation.source.key
        )
    return _compact(
        {
            "key": str(statement.uid),
            "section": statement.section.key,
            "level": statement.level.key,
            "domain": statement.domain.key if statement.domain else None,
            "title": statement.title,
            "text": statement.text,
            "citations": citations,
        }
    )
