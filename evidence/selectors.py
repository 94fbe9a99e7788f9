from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from evidence.models import Citation, Source, SourceAnchor
from frameworks.models import Framework


def visible_citation(citation_id, preview=False, with_statement=True):
    """A citation on a public framework version (any, to those who preview drafts), with its source,
    framework and grounding anchors, and unless with_statement is false its statement's occupation,
    section, level and domain."""
    related = ["source", "statement__framework"]
    if with_statement:
        related += [
            "statement__framework__occupation",
            "statement__section",
            "statement__level",
            "statement__domain",
        ]
    queryset = Citation.objects.select_related(*related).prefetch_related(
        Prefetch("anchors", queryset=SourceAnchor.objects.order_by(*SourceAnchor.panel_order()))
    )
    if not preview:
        queryset = queryset.filter(statement__framework__status__in=Framework.PUBLIC_STATUSES)
    return get_object_or_404(queryset, pk=citation_id)


def get_source(key):
    return get_object_or_404(Source, key=key)


def citations_of(source):
    """Every published statement that cites the source, grouped in page order."""
    return (
        Citation.objects.filter(source=source, statement__framework__status=Framework.Status.PUBLISHED)
        .select_related(
            "statement__framework__occupation",
            "statement__section",
            "statement__level",
            "statement__domain",
        )
        .order_by(
            "statement__framework__occupation__title",
            "statement__framework__version",
            "statement__section__position",
            "statement__domain__position",
            "statement__level__position",
            "statement__position",
        )
    )
