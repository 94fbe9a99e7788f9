"""Every public page and export that lists statements or citations runs the same number of queries
however many it lists.

Each budget is exact and holds at both sizes: a page that starts to query per statement, per citation
or per anchor fails here, and a change of its fixed cost shows in review as a changed number.
"""

import factory
import pytest

from evidence.models import Citation, SourceAnchor
from exchange import case
from exchange.identifiers import framework_identifier
from exchange.selectors import framework_contents, index_public_packages
from frameworks.models import Framework, Occupation, OccupationTitle, RelatedOccupation
from frameworks.search import refresh_derived_fields
from tests.factories import OccupationFactory, SourceAnchorFactory, framework_of_size

pytestmark = pytest.mark.django_db

# Statements per (section, level, domain); each cites as many sources, each citation as many anchors.
SIZES = (1, 3)
HTMX = {"HX-Request": "true"}
CASE = "/ims/case/v1p1/"


def page(address, queries, headers=None, name=""):
    return address, headers or {}, queries, f"{address}{name}"


PAGES = [
    # The page at its own address embeds its statements as schema.org data: one query more.
    page("/occupations/{soc}/", 7),
    page("/occupations/{soc}/?tab=skills", 6),
    page("/occupations/{soc}/?tab=ai", 8),
    page("/occupations/{soc}/?tab=durable", 6),
    page("/occupations/{soc}/?tab=anchors", 7),
    page("/occupations/{soc}/?tab=skills", 5, HTMX, " htmx"),
    page("/occupations/{soc}/?tab=ai", 7, HTMX, " htmx"),
    page("/occupations/{soc}/?tab=durable", 5, HTMX, " htmx"),
    page("/occupations/{soc}/?tab=anchors", 6, HTMX, " htmx"),
    page("/occupations/{soc}/", 12, {"Accept": "application/json"}, " json"),
    page("/occupations/{soc}/anchors/", 7),
    page("/occupations/{soc}/anchors/", 6, HTMX, " htmx"),
    page("/occupations/{soc}/versions/{version}/", 8),
    page("/occupations/{soc}/versions/{version}/?tab=ai", 9, HTMX, " htmx"),
    page("/occupations/{soc}/versions/{earlier}/", 8),
    page("/occupations/{soc}/versions/{earlier}/?tab=durable", 8),
    page("/occupations/{soc}/versions/{earlier}/?tab=skills", 7, HTMX, " htmx"),
    page("/occupations/{soc}/print/", 12),
    page("/occupations/{soc}/suggest/", 5),
    page("/sources/{source}/", 3),
    page("/citations/{citation}/", 3),
    page("/citations/{citation}/", 2, HTMX, " htmx"),
    page("/occupations/{soc}/framework.json", 12),
    page("/occupations/{soc}/framework.csv", 7),
    page("/occupations/{soc}/framework.jsonld", 7),
    page("/occupations/{soc}/versions/{earlier}/framework.json", 12),
    page("/occupations/{soc}/versions/{earlier}/framework.csv", 7),
    page("/occupations/{soc}/versions/{earlier}/framework.jsonld", 7),
    page("/occupations/{soc}/versions/{earlier}/", 12, {"Accept": "application/json"}, " json"),
    page(CASE + "CFDocuments", 1),
    page(CASE + "CFDocuments/{document}", 1),
    page(CASE + "CFPackages/{document}", 6),
    page(CASE + "CFItems/{statement}", 6),
    page(CASE + "CFItems/{item}", 8),
    page(CASE + "CFItemAssociations/{statement}", 6),
    page(CASE + "CFItemAssociations/{item}", 8),
    page(CASE + "CFAssociations/{association}", 8),
    page(CASE + "CFItemTypes/{item_type}", 8),
    page(CASE + "CFSubjects/{subject}", 8),
    page(CASE + "CFRubrics/{rubric}", 8),
    page(CASE + "CFRubricCriteria/{criterion}", 8),
    page(CASE + "CFRubricCriterionLevels/{criterion_level}", 8),
    # The archived version's, which keep answering at their identifiers.
    page(CASE + "CFDocuments/{earlier_document}", 1),
    page(CASE + "CFPackages/{earlier_document}", 6),
    page(CASE + "CFItems/{earlier_statement}", 6),
    page(CASE + "CFItems/{earlier_item}", 8),
    page(CASE + "CFRubrics/{earlier_rubric}", 8),
]


def frameworks_of_size(size):
    """An occupation's published framework of this size, and an archived earlier version as large."""
    current = framework_of_size(size, version="2.0")
    earlier = framework_of_size(
        size, occupation=current.occupation, version="1.0", status=Framework.Status.ARCHIVED
    )
    return current, earlier


def placeholders(framework, earlier):
    """What the addresses' placeholders stand for: the framework, and the first of each of its objects."""
    cited = Citation.objects.filter(statement__framework=framework).select_related("source", "statement")
    citation = cited.first()
    found, earlier_found = first_objects(framework), first_objects(earlier)
    return {
        "soc": framework.occupation.soc_code,
        "version": framework.version,
        "earlier": earlier.version,
        "source": citation.source.key,
        "citation": citation.pk,
        "document": framework_identifier(framework),
        "statement": citation.statement.uid,
        "item": found["CFItems"],  # a section: found through the index of packages, not a statement's uid
        "association": found["CFAssociations"],
        "item_type": found["CFItemTypes"],
        "subject": found["CFSubjects"],
        "rubric": found["CFRubrics"],
        "criterion": found["CFRubricCriteria"],
        "criterion_level": found["CFRubricCriterionLevels"],
        "earlier_document": framework_identifier(earlier),
        "earlier_statement": earlier.statements.first().uid,
        "earlier_item": earlier_found["CFItems"],
        "earlier_rubric": earlier_found["CFRubrics"],
    }


def first_objects(framework):
    """The identifier of the first object of each collection in the framework's CASE package."""
    found = {}
    for collection, item in case.package_objects(case.cf_package(framework_contents(framework), base="")):
        found.setdefault(collection, item["identifier"])
    return found


def test_queries_do_not_grow_with_statements(client, seed, settings, django_assert_num_queries, subtests):
    settings.NSX_PAGE_CACHE = False  # each request renders: a page from the cache costs none
    # One test builds each size once for every address: built for each address, they took minutes.
    for size in SIZES:
        objects = placeholders(*frameworks_of_size(size))
        # Lookups after a package's first: indexing it is measured on its own, below.
        index_public_packages()
        for address, headers, queries, name in PAGES:
            url = address.format(**objects)
            with subtests.test(name, statements_per_level=size):
                with django_assert_num_queries(queries):
                    response = client.get(url, headers=headers)
                assert response.status_code == 200, url


def test_first_case_lookup_indexes_a_package_in_the_same_queries_at_any_size(
    client, seed, settings, django_assert_num_queries
):
    settings.NSX_PAGE_CACHE = False
    index_public_packages()  # the seed's: only the framework under test is new to the index
    for size in SIZES:
        url = (CASE + "CFItems/{item}").format(**placeholders(*frameworks_of_size(size)))
        # The package's reads, the lookups, and the objects of both versions' packages (the archived one's
        # answer too) written to the index, each version's in one transaction.
        with django_assert_num_queries(24):
            response = client.get(url)
        assert response.status_code == 200, url


# The pages that list occupations, or show one without a framework, at a size of the O*NET catalogue.
OCCUPATION_PAGES = [
    page("/", 2),
    page("/occupations/", 4),
    page("/occupations/?page=2", 4),
    page("/occupations/?q=production+worker", 5),
    page("/occupations/?q=prodution+wrker&sort=title", 5, name=" misspelled"),
    page("/occupations/?q=worker&job_zone=4&group=51&sort=code", 5),
    page("/occupations/?q=worker&page=2", 4, HTMX, " htmx"),
    page("/occupations/19-2011.00/", 8),
    page("/occupations/19-2011.00/anchors/", 7),
    page("/occupations/19-2011.00/anchors/", 6, HTMX, " htmx"),
    page("/occupations/19-2011.01/", 4, name=" (404)"),
    page("/occupations/astronomers/", 1, name=" (404)"),
    page("/sitemap.xml", 2),
]


def add_occupations(count, related_to):
    """count more occupations, each with a title, a task and a link from related_to."""
    start = Occupation.objects.count()
    occupations = OccupationFactory.create_batch(
        count,
        title=factory.Sequence(lambda n: f"Production Worker {start + n}"),
        soc_code=factory.Sequence(lambda n: f"51-{start + n:04d}.00"),
    )
    for place, occupation in enumerate(occupations, start=start):
        OccupationTitle.objects.create(occupation=occupation, title=f"Line Worker {place}")
        SourceAnchorFactory(occupation=related_to, kind=SourceAnchor.Kind.TASK, name=f"Task {place}")
        RelatedOccupation.objects.create(from_occupation=related_to, to_occupation=occupation, position=place)
    refresh_derived_fields()


def test_queries_do_not_grow_with_occupations(client, seed, settings, django_assert_num_queries, subtests):
    settings.NSX_PAGE_CACHE = False
    astronomers = OccupationFactory(title="Astronomers", soc_code="19-2011.00")
    # Two sizes, each more than a page of the directory.
    for size in (60, 150):
        add_occupations(size - Occupation.objects.count(), related_to=astronomers)
        for address, headers, queries, name in OCCUPATION_PAGES:
            with subtests.test(name, occupations=size):
                with django_assert_num_queries(queries):
                    response = client.get(address, headers=headers)
                assert response.status_code == (404 if "(404)" in name else 200), address
