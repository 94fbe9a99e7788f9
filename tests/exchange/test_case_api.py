"""The CASE 1.1 REST binding beyond the package: every address a package gives answers with its object."""

import copy
import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from evidence.models import Source
from exchange import case, selectors
from exchange.identifiers import framework_identifier
from exchange.models import CaseObject
from frameworks.models import Framework, Level, Section, Statement
from tests.exchange.conftest import CASE_SCHEMA, case_package_url, case_validator
from tests.factories import CitationFactory, FrameworkFactory, LevelFactory, StatementFactory

pytestmark = pytest.mark.django_db

API = "/ims/case/v1p1/"
ADDRESS = re.compile(rf"http://testserver{API}(\w+)/([-0-9a-f]{{36}})")
SETS = ("CFItemTypes", "CFSubjects")


def standalone_types():
    """The response types of the binding's single-object reads, which the package schema lacks.

    Per 1EdTech's OpenAPI file for CASE 1.1 (imscasev1p1_openapi3_v1p0.json), each is its package
    type with a link added (CFDocumentDType requires CFPackageURI, CFItemDType requires CFDocumentURI,
    CFAssociationDType allows it), and the definitions are answered as sets.
    """
    defs = copy.deepcopy(CASE_SCHEMA["$defs"])
    link = {"$ref": "#/$defs/LinkURIDType"}

    def with_link(package_type, name, required):
        definition = copy.deepcopy(defs[package_type])
        definition["properties"][name] = link
        if required:
            definition["required"] = [*definition["required"], name]
        return definition

    def set_of(name, item_type):
        return {
            "type": "object",
            "properties": {name: {"type": "array", "minItems": 1, "items": {"$ref": f"#/$defs/{item_type}"}}},
            "required": [name],
            "additionalProperties": False,
        }

    defs["CFDocumentDType"] = with_link("CFPckgDocumentDType", "CFPackageURI", required=True)
    defs["CFItemDType"] = with_link("CFPckgItemDType", "CFDocumentURI", required=True)
    defs["CFAssociationDType"] = with_link("CFPckgAssociationDType", "CFDocumentURI", required=False)
    defs["CFItemTypeSetDType"] = set_of("CFItemTypes", "CFItemTypeDType")
    defs["CFSubjectSetDType"] = set_of("CFSubjects", "CFSubjectDType")
    defs["CFAssociationSetDType"] = {
        "type": "object",
        "properties": {
            "CFItem": {"$ref": "#/$defs/CFItemDType"},
            "CFAssociations": {"type": "array", "items": {"$ref": "#/$defs/CFPckgAssociationDType"}},
        },
        "required": ["CFItem", "CFAssociations"],
        "additionalProperties": False,
    }
    return defs


DEFS = standalone_types()
RESPONSE_TYPES = {
    "CFDocuments": "CFDocumentDType",
    "CFItems": "CFItemDType",
    "CFAssociations": "CFAssociationDType",
    "CFItemAssociations": "CFAssociationSetDType",
    "CFItemTypes": "CFItemTypeSetDType",
    "CFSubjects": "CFSubjectSetDType",
    "CFRubrics": "CFRubricDType",
    "CFRubricCriteria": "CFRubricCriterionDType",
    "CFRubricCriterionLevels": "CFRubricCriterionLevelDType",
}


def validate(collection, body):
    if collection == "CFPackages":
        schema = CASE_SCHEMA
    else:
        schema = {
            "$schema": CASE_SCHEMA["$schema"],
            "$ref": f"#/$defs/{RESPONSE_TYPES[collection]}",
            "$defs": DEFS,
        }
    case_validator(schema).validate(body)


def uris(data):
    """Every `uri` in a CASE payload: its objects' own and those of its links."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "uri":
                yield value
            else:
                yield from uris(value)
    elif isinstance(data, list):
        for value in data:
            yield from uris(value)


def objects_by_identifier(data, found=None):
    """Every object of a payload (links carry no lastChangeDateTime), nested ones too."""
    found = {} if found is None else found
    if isinstance(data, dict):
        if "lastChangeDateTime" in data:
            found[data["identifier"]] = data
        for value in data.values():
            objects_by_identifier(value, found)
    elif isinstance(data, list):
        for value in data:
            objects_by_identifier(value, found)
    return found


def path(uri):
    return uri.removeprefix("http://testserver")


def package_of(client, framework):
    return client.get(case_package_url(framework)).json()


def test_every_uri_reachable_from_a_package_answers_with_its_object(client, seed):
    package = package_of(client, seed)
    in_package = objects_by_identifier(package)
    to_visit, visited = list(uris(package)), {}

    while to_visit:
        uri = to_visit.pop()
        if uri in visited:
            continue
        collection, identifier = ADDRESS.fullmatch(uri).groups()
        response = client.get(path(uri))
        assert response.status_code == 200, uri
        assert response["Content-Type"] == "application/json"
        body = response.json()
        validate(collection, body)
        if collection == "CFPackages":
            assert body == package
        else:
            served = dict(body[collection][0] if collection in SETS else body)
            # The package's own copy, plus the link to its document or package that the standalone type adds.
            added = [served.pop(key) for key in ("CFPackageURI", "CFDocumentURI") if key in served]
            assert served == in_package[identifier]
            assert [link["identifier"] for link in added] == (
                [package["CFDocument"]["identifier"]]
                if collection in ("CFDocuments", "CFItems", "CFAssociations")
                else []
            )
        visited[uri] = collection
        to_visit.extend(uris(body))

    criteria = [criterion for rubric in package["CFRubrics"] for criterion in rubric["CFRubricCriteria"]]
    assert Counter(visited.values()) == {
        "CFPackages": 1,
        "CFDocuments": 1,
        "CFSubjects": 1,
        "CFItemTypes": 4,
        "CFItems": len(package["CFItems"]),
        "CFAssociations": len(package["CFAssociations"]),
        "CFRubrics": len(package["CFRubrics"]),
        "CFRubricCriteria": len(criteria),
        "CFRubricCriterionLevels": sum(len(criterion["CFRubricCriterionLevels"]) for criterion in criteria),
    }
    assert len(package["CFItems"]) > 136


def test_the_document_is_the_listing_entry(client, seed):
    (listed,) = client.get(f"{API}CFDocuments").json()["CFDocuments"]
    address = f"{API}CFDocuments/{framework_identifier(seed)}"

    assert client.get(address).json() == listed
    assert client.post(address).status_code == 405


def documents(client, query=""):
    response = client.get(f"{API}CFDocuments{query}")
    assert response.status_code == 200
    return response


def identifiers(response):
    return [document["identifier"] for document in response.json()["CFDocuments"]]


def test_documents_are_listed_newest_first_a_page_at_a_time_with_their_total(client):
    now = timezone.now()
    oldest = FrameworkFactory(published_at=now - timedelta(days=2))
    # Published at the same moment: the order between them is still fixed, or pages could repeat one.
    same_time = FrameworkFactory.create_batch(3, published_at=now - timedelta(days=1))
    newest = FrameworkFactory(published_at=now)
    FrameworkFactory(status=Framework.Status.DRAFT)

    everything = documents(client)
    listed = identifiers(everything)

    assert everything["X-Total-Count"] == "5"
    assert everything["Access-Control-Expose-Headers"] == "ETag, X-Total-Count"
    assert listed[0] == str(framework_identifier(newest))
    assert listed[-1] == str(framework_identifier(oldest))
    assert set(listed[1:4]) == {str(framework_identifier(framework)) for framework in same_time}
    pages = [documents(client, f"?limit=2&offset={offset}") for offset in (0, 2, 4, 6)]
    assert [response["X-Total-Count"] for response in pages] == ["5"] * 4
    assert [identifiers(response) for response in pages] == [listed[0:2], listed[2:4], listed[4:], []]
    assert identifiers(documents(client, "?limit=1&offset=0")) == listed[:1]
    assert identifiers(documents(client, "?offset=3")) == listed[3:]


def test_documents_come_a_hundred_at_a_time_unless_asked(client):
    FrameworkFactory.create_batch(101)

    first = documents(client)

    assert len(identifiers(first)) == 100
    assert first["X-Total-Count"] == "101"
    assert len(identifiers(documents(client, "?offset=100"))) == 1
    assert len(identifiers(documents(client, "?limit=101"))) == 101


def test_documents_sort_by_title_or_last_change(client):
    now = timezone.now()
    for title, days_ago in [("Bakers", 3), ("Actors", 1), ("Carpenters", 2)]:
        framework = FrameworkFactory(occupation__title=title, published_at=now - timedelta(days=days_ago))
        Framework.objects.filter(pk=framework.pk).update(updated_at=now - timedelta(days=days_ago))

    def titles(query):
        return [
            document["title"].removesuffix(" skills framework")
            for document in documents(client, query).json()["CFDocuments"]
        ]

    assert titles("") == ["Actors", "Carpenters", "Bakers"]  # newest first
    assert titles("?sort=title") == ["Actors", "Bakers", "Carpenters"]
    assert titles("?sort=title&orderBy=desc") == ["Carpenters", "Bakers", "Actors"]
    assert titles("?sort=title&orderBy=desc&limit=1&offset=1") == ["Bakers"]
    assert titles("?sort=lastChangeDateTime") == ["Bakers", "Carpenters", "Actors"]
    assert titles("?sort=lastChangeDateTime&orderBy=desc") == ["Actors", "Carpenters", "Bakers"]
    # A field it does not sort by, as the binding asks: the usual answer.
    assert titles("?sort=subjectURI&orderBy=desc") == titles("")


def test_documents_answer_only_the_fields_asked_for(client):
    now = timezone.now()
    FrameworkFactory(occupation__title="Bakers", published_at=now - timedelta(days=1))
    FrameworkFactory(occupation__title="Actors", published_at=now)
    whole = documents(client).json()["CFDocuments"]

    def selected(query):
        return documents(client, query).json()["CFDocuments"]

    assert selected("?fields=title,identifier") == [
        {"identifier": document["identifier"], "title": document["title"]} for document in whole
    ]
    assert selected("?fields=title,%20CFPackageURI&sort=title&limit=1") == [
        {"title": "Actors skills framework", "CFPackageURI": whole[0]["CFPackageURI"]}
    ]
    # Names of no CFDocument field are passed over, as the binding asks; with none left, documents come whole.
    assert selected("?fields=title,colour") == [{"title": document["title"]} for document in whole]
    assert selected("?fields=colour") == whole


@pytest.mark.parametrize(
    ("query", "parameter", "code"),
    [
        ("limit=0", "limit", "invalid_selection_field"),
        ("limit=-1", "limit", "invalid_selection_field"),
        ("limit=", "limit", "invalid_selection_field"),
        ("limit=ten", "limit", "invalid_selection_field"),
        ("limit=1.5", "limit", "invalid_selection_field"),
        ("limit=%2B1", "limit", "invalid_selection_field"),
        ("limit=" + "9" * 5000, "limit", "invalid_selection_field"),
        ("offset=-1", "offset", "invalid_selection_field"),
        ("offset=%201", "offset", "invalid_selection_field"),
        ("limit=1&offset=x", "offset", "invalid_selection_field"),
        ("filter=title%3D%27Actors%27", "filter", "invalid_selection_field"),
        ("fields=", "fields", "invalid_selection_field"),
        ("fields=title,,identifier", "fields", "invalid_selection_field"),
        ("sort=title&orderBy=up", "orderBy", "invalid_sort_field"),
    ],
)
def test_documents_refuse_a_selection_they_cannot_answer_with_case_status(client, query, parameter, code):
    FrameworkFactory()

    response = client.get(f"{API}CFDocuments?{query}")

    assert case_error(response, status=400, field_name=parameter) == code
    assert response["Access-Control-Allow-Origin"] == "*"


def test_item_associations_are_the_package_associations_that_name_the_item(client, seed):
    package = package_of(client, seed)
    items = {item["humanCodingScheme"]: item for item in package["CFItems"]}
    statements_at_level = Statement.objects.filter(
        framework=seed, section__key="skills", level__key="emerging"
    ).count()

    for code, expected_count in [
        ("skills", 1 + 4),
        ("skills.emerging", 1 + statements_at_level),
        ("skills.emerging.1", 1),
    ]:
        item = items[code]
        response = client.get(f"{API}CFItemAssociations/{item['identifier']}")

        assert response.status_code == 200
        body = response.json()
        validate("CFItemAssociations", body)
        assert body["CFItem"] == client.get(path(item["uri"])).json()
        assert body["CFAssociations"] == [
            association
            for association in package["CFAssociations"]
            if item["identifier"]
            in (association["originNodeURI"]["identifier"], association["destinationNodeURI"]["identifier"])
        ]
        assert len(body["CFAssociations"]) == expected_count, code


def case_error(response, status=404, field_name="TargetEndSystem"):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    (field,) = body["imsx_codeMinor"]["imsx_codeMinorField"]
    assert field["imsx_codeMinorFieldName"] == field_name
    return field["imsx_codeMinorFieldValue"]


def test_unknown_and_malformed_identifiers_are_404_with_case_status(client, seed):
    package = package_of(client, seed)
    existing = dict(ADDRESS.fullmatch(uri).groups() for uri in uris(package))
    existing["CFPackages"] = existing["CFDocuments"]
    existing["CFItemAssociations"] = existing["CFItems"]
    assert len(existing) == 10

    for collection, real in existing.items():
        assert client.get(f"{API}{collection}/{real}").status_code == 200
        assert case_error(client.get(f"{API}{collection}/{uuid.uuid4()}")) == "unknownobject"
        for malformed in ["not-a-uuid", real.upper(), real.replace("-", ""), f"{real}0", f"{{{real}}}"]:
            response = client.get(f"{API}{collection}/{malformed}")
            assert case_error(response) == "invalid_uuid", (collection, malformed)


def test_an_identifier_answers_only_at_its_own_collection(client, seed):
    package = package_of(client, seed)
    item, association = package["CFItems"][0], package["CFAssociations"][0]
    document = package["CFDocument"]

    assert client.get(path(item["uri"])).status_code == 200
    for wrong in [
        f"{API}CFAssociations/{item['identifier']}",
        f"{API}CFItems/{association['identifier']}",
        f"{API}CFItems/{document['identifier']}",
        f"{API}CFItemAssociations/{document['identifier']}",
        f"{API}CFItemAssociations/{association['identifier']}",
        f"{API}CFRubrics/{item['identifier']}",
    ]:
        assert case_error(client.get(wrong)) == "unknownobject", wrong


@pytest.mark.parametrize("status", [Framework.Status.DRAFT, Framework.Status.IN_REVIEW])
def test_objects_of_a_framework_that_is_not_public_are_404(client, seed, status):
    hidden = FrameworkFactory(status=status, occupation__title="Hidden Trade")
    statement = StatementFactory(framework=hidden, title="Secret statement", text="does secret work.")
    CitationFactory(statement=statement)
    package = case.cf_package(selectors.framework_contents(hidden), "http://testserver")
    assert case_error(client.get(case_package_url(hidden))) == "unknownobject"

    addresses = set(uris(package)) | {f"http://testserver{API}CFItemAssociations/{statement.uid}"}
    assert len(addresses) > 10
    for uri in addresses:
        response = client.get(path(uri))
        if "/CFItemTypes/" in uri:  # every package has the same four: the published one's answer
            assert response.status_code == 200
            continue
        assert case_error(response) == "unknownobject", uri
        assert "Secret" not in response.text
        assert "Hidden Trade" not in response.text


def test_an_archived_versions_objects_answer_at_their_identifiers_as_deprecated(client, superseded):
    package = package_of(client, superseded)
    validate("CFPackages", package)
    document = package["CFDocument"]
    assert (document["version"], document["adoptionStatus"]) == ("26.05", "Deprecated")
    assert document["officialSourceURL"] == "http://testserver/occupations/41-3021.00/versions/26.05/"
    # Deprecated since the day it was archived, the last change of a version that is read-only.
    assert document["statusStartDate"] == superseded.updated_at.date().isoformat()
    assert superseded.updated_at > superseded.published_at
    in_package = objects_by_identifier(package)
    statement = Statement.objects.filter(framework=superseded).first()

    addresses = set(uris(package)) | {f"http://testserver{API}CFItemAssociations/{statement.uid}"}
    assert len(addresses) > 136
    for uri in addresses:
        collection, identifier = ADDRESS.fullmatch(uri).groups()
        response = client.get(path(uri))
        assert response.status_code == 200, uri
        body = response.json()
        validate(collection, body)
        if collection in (*SETS, "CFPackages", "CFItemAssociations"):
            continue  # definitions answer with the current version's copy
        served = dict(body)
        for link in [served.pop(key) for key in ("CFPackageURI", "CFDocumentURI") if key in served]:
            assert link["identifier"] == document["identifier"], uri
        assert served == in_package[identifier], uri
    associations = client.get(f"{API}CFItemAssociations/{statement.uid}").json()
    assert associations["CFItem"]["CFDocumentURI"]["identifier"] == document["identifier"]
    # The current version is the one adopted, at the occupation's page.
    current = package_of(client, Framework.objects.get(occupation=superseded.occupation, version="26.06"))
    assert current["CFDocument"]["adoptionStatus"] == "Adopted"
    assert current["CFDocument"]["officialSourceURL"] == "http://testserver/occupations/41-3021.00/"


def test_documents_list_archived_versions_after_the_current_one_as_deprecated(client, superseded):
    listed = documents(client)

    assert listed["X-Total-Count"] == "2"
    assert [
        (document["version"], document["adoptionStatus"]) for document in listed.json()["CFDocuments"]
    ] == [("26.06", "Adopted"), ("26.05", "Deprecated")]
    archived = f"{API}CFDocuments/{framework_identifier(superseded)}"
    assert client.get(archived).json() == listed.json()["CFDocuments"][1]


def item_url(identifier):
    return f"{API}CFItems/{identifier}"


def test_an_item_lookup_costs_the_same_queries_however_many_statements(client, django_assert_num_queries):
    framework = FrameworkFactory()
    first = StatementFactory(framework=framework)
    CitationFactory(statement=first)
    level_node = case.cf_package(selectors.framework_contents(framework), "")["CFItems"][1]
    assert level_node["CFItemType"] == "Level"

    def lookups():
        cache.clear()
        # A statement: its framework from the uid column, then the package's reads.
        with django_assert_num_queries(6):
            assert client.get(item_url(first.uid)).status_code == 200
        # Another item: the framework's objects are indexed the first time (its package's reads, and
        # the rows written in one transaction)...
        with django_assert_num_queries(16):
            assert client.get(item_url(level_node["identifier"])).status_code == 200
        # ...and then only read.
        with django_assert_num_queries(8):
            assert client.get(f"{API}CFItemAssociations/{level_node['identifier']}").status_code == 200

    lookups()
    for level in [LevelFactory(), LevelFactory(key="developing", name="Developing", position=2)]:
        CitationFactory.create_batch(30, statement__framework=framework, statement__level=level)
    assert framework.statements.count() == 61

    lookups()


def test_the_index_outlives_changes_elsewhere_and_follows_changes_to_its_framework(
    client, seed, django_assert_num_queries
):
    other = FrameworkFactory(occupation__title="Other Trade")
    StatementFactory(framework=other)
    package = client.get(case_package_url(seed)).json()
    level_node = next(item for item in package["CFItems"] if item["CFItemType"] == "Level")
    client.get(item_url(level_node["identifier"]))
    other_rows = set(CaseObject.objects.filter(framework=other).values_list("pk", flat=True))
    assert other_rows and CaseObject.objects.filter(framework=seed).exists()

    # A change the public sees starts a new content generation, but leaves every package as it was.
    source = Source.objects.first()
    source.title = "A new title"
    source.save()
    cache.clear()
    with django_assert_num_queries(8):
        assert client.get(item_url(level_node["identifier"])).status_code == 200

    # A statement added to a framework makes new objects (its association to its level): that
    # framework alone is indexed again.
    added = StatementFactory(
        framework=seed,
        section=Section.objects.get(key="skills"),
        level=Level.objects.get(scale__key="mastery", key="advanced"),
        position=99,
    )
    associations = client.get(f"{API}CFItemAssociations/{added.uid}").json()["CFAssociations"]
    (to_level,) = associations
    assert client.get(f"{API}CFAssociations/{to_level['identifier']}").status_code == 200
    assert set(CaseObject.objects.filter(framework=other).values_list("pk", flat=True)) == other_rows

    # The shared keys the identifiers derive from: every framework is indexed afresh.
    section = Section.objects.get(key="skills")
    section.save()
    assert not CaseObject.objects.exists()
    cache.clear()
    assert client.get(item_url(level_node["identifier"])).status_code == 200
    assert CaseObject.objects.filter(framework=other).exists()


def test_a_corrected_soc_code_moves_the_framework_objects_to_their_new_identifiers(client, seed):
    old_package = client.get(case_package_url(seed)).json()
    old_level = next(item for item in old_package["CFItems"] if item["CFItemType"] == "Level")
    assert client.get(item_url(old_level["identifier"])).status_code == 200
    occupation = seed.occupation
    occupation.soc_code = "41-3021.01"
    occupation.save()
    seed.refresh_from_db()
    cache.clear()

    new_package = client.get(case_package_url(seed)).json()
    new_level = next(item for item in new_package["CFItems"] if item["CFItemType"] == "Level")

    assert new_level["identifier"] != old_level["identifier"]
    assert client.get(item_url(new_level["identifier"])).status_code == 200
    assert client.get(item_url(old_level["identifier"])).status_code == 404
