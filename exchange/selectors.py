"""Reads behind every export, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from evidence.models import Citation, SourceAnchor
from exchange.identifiers import framework_identifier
from frameworks.models import Framework, Level, Section, Statement
from frameworks.selectors import current_framework, get_occupation, published_frameworks


def public_framework(soc_code):
    """The framework the occupation's public page shows: its newest published one."""
    framework = current_framework(get_occupation(soc_code))
    if framework is None:
        raise Http404("That occupation has no published framework.")
    return framework


def public_framework_by_identifier(identifier):
    """The published framework (any version) whose CASE document identifier this is."""
    for framework in published_frameworks():
        if framework_identifier(framework) == identifier:
            return framework
    raise Http404("No published framework has that identifier.")


@dataclass
class FrameworkContents:
    """A framework with its sections, their levels and its statements in page order, citations attached."""

    framework: Framework
    sections: list
    levels: dict  # scale id -> [Level] in order
    statements: list

    @property
    def occupation(self):
        return self.framework.occupation

    def levels_of(self, section):
        return self.levels.get(section.scale_id, [])


def framework_contents(framework):
    sections = list(Section.objects.select_related("scale").order_by("position", "key"))
    levels = {}
    for level in Level.objects.filter(scale__in={section.scale_id for section in sections}).order_by(
        "position"
    ):
        levels.setdefault(level.scale_id, []).append(level)
    citations = (
        Citation.objects.select_related("source")
        .order_by("position", "source__key")
        .prefetch_related(
            Prefetch("anchors", queryset=SourceAnchor.objects.order_by("kind", "position", "onet_id"))
        )
    )
    statements = list(
        Statement.objects.filter(framework=framework)
        .select_related("section__scale", "level", "domain")
        .prefetch_related(Prefetch("citations", queryset=citations))
        .order_by("section__position", "section__key", "domain__position", "level__position", "position")
    )
    return FrameworkContents(framework, sections, levels, statements)


def linked_data_statements(framework):
    """What the page's schema.org block lists of each statement, in one query."""
    return (
        Statement.objects.filter(framework=framework)
        .order_by("section__position", "section__key", "domain__position", "level__position", "position")
        .values("uid", "title", "text", "section__key")
    )
