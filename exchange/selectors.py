"""Reads behind every export, each in a fixed number of queries."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import Http404
from django.urls import reverse

from evidence.models import Citation, SourceAnchor
from exchange import case
from exchange.identifiers import framework_identifier
from exchange.models import CaseObject
from frameworks.models import Framework, Occupation, Statement
from frameworks.selectors import (
    current_framework,
    framework_version,
    get_occupation,
    levels_by_scale,
    public_frameworks,
    sections,
)


class Export(NamedTuple):
    label: str
    media_type: str
    url: str


def framework_exports(framework, at_version=False):
    """The files a framework can be downloaded as, in the order the page lists them: the page's body links
    each and its head names each as an alternate. No query: the framework's occupation is attached.

    At its version's addresses (`at_version`) a file keeps serving that version once a later one is
    published; at the occupation's, it is the current version's. A CASE package has one address, its
    identifier's, which serves its version whatever the version's status.
    """
    prefix, args = (
        ("version-", [framework.occupation.soc_code, framework.version])
        if at_version
        else ("", [framework.occupation.soc_code])
    )
    exports = [
        Export("CSV", "text/csv", reverse(f"exchange:{prefix}csv", args=args)),
        Export("JSON", "application/json", reverse(f"exchange:{prefix}json", args=args)),
        Export("CTDL-ASN JSON-LD", "application/ld+json", reverse(f"exchange:{prefix}jsonld", args=args)),
    ]
    if framework.is_public:
        package = reverse("exchange:case-package", args=[framework_identifier(framework)])
        exports.append(Export("CASE 1.1 package", "application/json", package))
    return exports


def public_framework(soc_code, version=None):
    """The framework the occupation's public page shows, its published one; or the public version named."""
    occupation = get_occupation(soc_code)
    if version is not None:
        return framework_version(occupation, version)  # drafts are not found
    framework = current_framework(occupation)
    if framework is None:
        raise Http404("That occupation has no published framework.")
    return framework


class NoSuchFramework(LookupError):
    """The occupation or framework version asked for is not in the database; the message says which."""


def framework_to_export(soc_code, version=None):
    """The occupation's framework labelled `version`, in any status, or else its published one."""
    occupation = Occupation.objects.filter(soc_code=soc_code).first()
    if occupation is None:
        raise NoSuchFramework(f"No occupation has the O*NET-SOC code {soc_code}.")
    frameworks = Framework.objects.filter(occupation=occupation).select_related("occupation")
    # The database holds one published version per occupation at most.
    framework = (frameworks.filter(version=version) if version else frameworks.published()).first()
    if framework is None:
        versions = ", ".join(
            f"{f.version} ({f.get_status_display().lower()})" for f in frameworks.order_by("version")
        )
        wanted = f"version {version}" if version else "published framework"
        raise NoSuchFramework(
            f"{soc_code} has no {wanted}"
            + (f"; its frameworks: {versions}." if versions else "; it has no framework.")
        )
    return framework


def public_framework_by_identifier(identifier):
    """The public framework, published or archived, whose CASE document identifier this is."""
    for framework in public_frameworks():
        if framework_identifier(framework) == identifier:
            return framework
    raise Http404("No public framework has that identifier.")


def case_object_owner(identifier):
    """The collection of the CASE object with this identifier, and the public framework whose package
    holds it (the most recently published, for a definition several share: the current version's).

    A statement is found by its uid column; any other object in the index of public packages
    (`CaseObject`), which this first completes with the frameworks not yet in it: three queries, however
    many frameworks are public, and five more per framework to index. Reading the package then costs
    at most five more (`framework_contents`), however many statements it has.
    """
    framework = public_frameworks().filter(statements__uid=identifier).first()
    if framework is not None:
        return "CFItems", framework
    index_public_packages()
    framework = (
        public_frameworks()
        .filter(case_objects__identifier=identifier)
        .annotate(case_collection=F("case_objects__collection"))
        .first()
    )
    if framework is None:
        raise Http404("No public framework has an object with that identifier.")
    return framework.case_collection, framework


def index_public_packages():
    """Lists the objects of each public framework's package that the index does not hold yet."""
    indexed = CaseObject.objects.filter(framework=OuterRef("pk"))
    for framework in public_frameworks().filter(~Exists(indexed)):
        package = case.cf_package(framework_contents(framework), base="")
        objects = [
            CaseObject(identifier=found["identifier"], collection=collection, framework=framework)
            for collection, found in case.package_objects(package)
        ]
        # All of a framework's objects or none; a request indexing it at the same time writes the same.
        with transaction.atomic():
            CaseObject.objects.bulk_create(objects, ignore_conflicts=True)


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


# Statements in page order, section by section; a section's key breaks a tie between two positions.
STATEMENT_ORDER = ("section__position", "section__key", "domain__position", "level__position", "position")


def framework_contents(framework):
    page_sections = sections()
    levels = levels_by_scale(page_sections)
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
        .order_by(*STATEMENT_ORDER)
    )
    return FrameworkContents(framework, page_sections, levels, statements)


def linked_data_statements(framework):
    """What the page's schema.org block lists of each statement, in one query."""
    return (
        Statement.objects.filter(framework=framework)
        .order_by(*STATEMENT_ORDER)
        .values("uid", "title", "text", "section__key")
    )
