import csv
import io
import json
import re

import pytest
from jsonschema import Draft202012Validator

from evidence.models import Source
from exchange.identifiers import framework_identifier
from exchange.views import FORMULA_STARTS
from frameworks.models import Domain, Framework, Level, Section, Statement
from tests.exchange.conftest import (
    CASE_SCHEMA,
    SEED_FILE,
    SOC,
    case_package_url,
    case_validator,
    flush,
    run,
)
from tests.factories import CitationFactory, FrameworkFactory, StatementFactory

pytestmark = pytest.mark.django_db

PAGE = f"/occupations/{SOC}/"
TABS = ("skills", "ai", "durable", "anchors")


# ---------------------------------------------------------------------------------------------------------
# The seed page, from the fixture and from the framework file


def normalised(html):
    """What may differ between two renderings of the same data: ids of rows and per-request tokens."""
    html = re.sub(r"/citations/\d+/", "/citations/N/", html)
    html = re.sub(r"citation-\d+", "citation-N", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "T"', html)


SOURCES_LINE = re.compile(r'<p class="sources-line">.*?</p>', re.S)


def test_the_file_loaded_into_an_empty_database_gives_the_same_pages_as_the_fixture(
    client, seed, django_capture_on_commit_callbacks
):
    from_fixture = {tab: normalised(client.get(PAGE, {"tab": tab}).text) for tab in TABS}
    in_file = re.findall(r"^  - key: ([-\w]+)\n    label:", SEED_FILE.read_text(), re.M)
    unused = list(Source.objects.exclude(key__in=in_file))
    with django_capture_on_commit_callbacks(execute=True):
        flush()
        run("import_framework", str(SEED_FILE))

    for tab in TABS:
        html = normalised(client.get(PAGE, {"tab": tab}).text)
        # The footer lists every source of the site; the fixture has one that nothing cites (LER.me), which
        # the framework's file rightly leaves out. Everything else is the same, byte for byte.
        expected = from_fixture[tab]
        for source in unused:
            expected = re.sub(rf'<a href="/sources/{source.key}/">[^<]*</a>, ', "", expected)
        assert html == expected, tab
    assert [source.key for source in unused] == ["ler-me"]


# ---------------------------------------------------------------------------------------------------------
# Our own format


def test_framework_json_is_the_framework_file_as_json(client, seed):
    response = client.get(f"{PAGE}framework.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["format"] == "nsx-framework/1"
    assert document["occupation"]["soc_code"] == SOC
    assert len(document["statements"]) == 136


def test_csv_has_a_row_per_statement(client, seed):
    response = client.get(f"{PAGE}framework.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="41-3021.00-framework-v26.05.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == [
        *("section", "level", "domain", "position", "title", "text", "citations", "role_label", "key")
    ]
    assert len(rows) == 1 + 136
    by_title = {row[4]: row for row in rows[1:]}
    for statement in Statement.objects.filter(framework=seed).select_related("section", "level", "domain"):
        labels = "; ".join(citation.source.label for citation in statement.citations.order_by("position"))
        domain = statement.domain.name if statement.domain else ""
        role = statement.level.role_label if statement.section.shows_role_labels else ""
        expected = [statement.section.name, statement.level.name, domain, str(statement.position)]
        expected += [statement.title, statement.text, labels, role, str(statement.uid)]
        assert by_title[statement.title] == expected
    assert rows[1][:5] == ["Occupational skills", "Emerging", "", "1", "Standard insurance policy types"]
    assert sum(row[0] == "Durable skills" and row[2] == "Communication" for row in rows) == 10


def test_csv_rows_carry_the_role_labels_the_page_shows_with_their_levels(client, seed):
    rows = list(csv.DictReader(io.StringIO(client.get(f"{PAGE}framework.csv").content.decode("utf-8"))))

    shown = {(row["section"], row["level"], row["role_label"]) for row in rows}
    assert ("Occupational skills", "Emerging", "Entry / Apprentice") in shown
    assert ("Occupational skills", "Advanced", "Lead / Principal / Executive") in shown
    # The AI use tab shows the same mastery levels without them.
    assert ("AI use", "Emerging", "") in shown
    assert "Entry / Apprentice" in client.get(PAGE).text
    assert "Entry / Apprentice" not in client.get(f"{PAGE}?tab=ai").text


def test_csv_rows_name_the_statements_as_the_json_and_case_do(client, seed):
    rows = list(csv.DictReader(io.StringIO(client.get(f"{PAGE}framework.csv").content.decode("utf-8"))))
    statements = client.get(f"{PAGE}framework.json").json()["statements"]
    package = client.get(case_package_url(seed)).json()

    assert [row["key"] for row in rows] == [statement["key"] for statement in statements]
    titles = {item["identifier"]: item.get("abbreviatedStatement") for item in package["CFItems"]}
    assert all(titles[row["key"]] == row["title"] for row in rows)


def test_each_file_is_saved_under_its_occupation_and_version(client, seed):
    for extension, disposition in [("json", "inline"), ("jsonld", "inline"), ("csv", "attachment")]:
        response = client.get(f"{PAGE}framework.{extension}")

        expected = f'{disposition}; filename="41-3021.00-framework-v26.05.{extension}"'
        assert response["Content-Disposition"] == expected


def test_csv_cells_never_start_a_formula(client, seed):
    statement = Statement.objects.filter(framework=seed, citations__isnull=False).first()
    Statement.objects.filter(pk=statement.pk).update(title="=HYPERLINK(\"http://x.example\")", text="+1 and more")
    Source.objects.filter(citations__statement=statement).update(label="@source")

    rows = list(csv.reader(io.StringIO(client.get(f"{PAGE}framework.csv").content.decode("utf-8"))))

    row = next(row for row in rows if "HYPERLINK" in row[4])
    assert row[4:6] == ["'=HYPERLINK(\"http://x.example\")", "'+1 and more"]
    assert row[6].startswith("'@source")


def test_csv_section_level_and_domain_names_never_start_a_formula(client, seed):
    Section.objects.filter(key="skills").update(name='=HYPERLINK("http://evil.example","x")')
    Section.objects.filter(key="durable").update(name="\rDurable skills")
    Level.objects.filter(scale__key="mastery", key="emerging").update(name="+cmd|calc")
    Level.objects.filter(scale__key="durable", key="emerging").update(name="\tEmerging")
    Domain.objects.filter(key="communication").update(name="-2+3")
    Domain.objects.filter(key="leadership").update(name="@SUM(A1)")

    rows = list(csv.reader(io.StringIO(client.get(f"{PAGE}framework.csv").content.decode("utf-8"))))

    placed = {tuple(row[:3]) for row in rows[1:]}
    assert ("'=HYPERLINK(\"http://evil.example\",\"x\")", "'+cmd|calc", "") in placed
    assert ("'\rDurable skills", "'\tEmerging", "'-2+3") in placed
    assert ("'\rDurable skills", "'\tEmerging", "'@SUM(A1)") in placed
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


# ---------------------------------------------------------------------------------------------------------
# CTDL-ASN


def test_ctdl_asn_json_ld(client, seed):
    response = client.get(f"{PAGE}framework.jsonld")

    assert response["Content-Type"] == "application/ld+json"
    data = response.json()
    assert data["@context"] == "https://credreg.net/ctdlasn/schema/context/json"
    graph = data["@graph"]
    framework = graph[0]
    assert framework["@type"] == "ceasn:CompetencyFramework"
    assert framework["@id"] == f"http://testserver{PAGE}framework.jsonld"
    assert framework["ceasn:name"] == {"en-US": "Insurance Sales Agents skills framework"}
    (occupation,) = framework["ceterms:occupationType"]
    assert occupation["ceterms:codedNotation"] == SOC
    assert occupation["ceterms:frameworkName"] == {"en-US": "O*NET-SOC"}

    competencies = [node for node in graph if node["@type"] == "ceasn:Competency"]
    concepts = {node["@id"]: node for node in graph if node["@type"] == "skos:Concept"}
    assert len(competencies) == 136
    assert framework["ceasn:hasTopChild"] == [competency["@id"] for competency in competencies]
    texts = set(Statement.objects.filter(framework=seed).values_list("text", flat=True))
    assert {competency["ceasn:competencyText"]["en-US"] for competency in competencies} == texts
    for competency in competencies:
        assert competency["ceasn:isPartOf"] == framework["@id"]
        (level,) = competency["ceasn:complexityLevel"]
        assert level in concepts
    first = next(
        c for c in competencies if c["ceasn:competencyLabel"]["en-US"] == "Standard insurance policy types"
    )
    assert concepts[first["ceasn:complexityLevel"][0]]["skos:prefLabel"] == {"en-US": "Emerging"}
    assert concepts[first["ceasn:complexityLevel"][0]]["skos:altLabel"] == {"en-US": ["Entry / Apprentice"]}


# ---------------------------------------------------------------------------------------------------------
# CASE 1.1


def test_case_package_is_valid_against_the_case_schema(client, seed):
    Draft202012Validator.check_schema(CASE_SCHEMA)
    response = client.get(case_package_url(seed))

    assert response.status_code == 200
    package = response.json()
    case_validator().validate(package)

    items = {item["identifier"]: item for item in package["CFItems"]}
    statements = [item for item in items.values() if item["CFItemType"] == "Statement"]
    assert len(statements) == 136
    assert {item["identifier"] for item in statements} == {
        str(uid) for uid in seed.statements.values_list("uid", flat=True)
    }
    document = package["CFDocument"]
    assert document["identifier"] == str(framework_identifier(seed))
    assert (document["title"], document["version"], document["adoptionStatus"]) == (
        "Insurance Sales Agents skills framework",
        "26.05",
        "Adopted",
    )
    # Every item hangs from the document through isChildOf links.
    parents = {}
    for association in package["CFAssociations"]:
        assert association["associationType"] == "isChildOf"
        parents[association["originNodeURI"]["identifier"]] = association["destinationNodeURI"]["identifier"]
    for item_identifier in items:
        ancestor = item_identifier
        while ancestor != document["identifier"]:
            ancestor = parents[ancestor]
    (mastery,) = [rubric for rubric in package["CFRubrics"] if rubric["title"] == "Mastery"]
    for criterion in mastery["CFRubricCriteria"]:
        levels = [(level["quality"], level["description"]) for level in criterion["CFRubricCriterionLevels"]]
        assert levels == [
            ("Emerging", "Entry / Apprentice"),
            ("Developing", "Mid-level / Established"),
            ("Proficient", "Senior / Expert IC"),
            ("Advanced", "Lead / Principal / Executive"),
        ]
    assert [criterion["category"] for criterion in mastery["CFRubricCriteria"]] == [
        "Occupational skills",
        "AI use",
    ]


def test_case_documents_lists_every_published_framework(client, seed):
    FrameworkFactory(status=Framework.Status.DRAFT, occupation__title="Draft Trade")
    other = FrameworkFactory(occupation__title="Another Trade")

    listing = client.get("/ims/case/v1p1/CFDocuments").json()

    documents = listing["CFDocuments"]
    assert {document["identifier"] for document in documents} == {
        str(framework_identifier(seed)),
        str(framework_identifier(other)),
    }
    for document in documents:
        case_validator().validate(
            {"CFDocument": {key: value for key, value in document.items() if key != "CFPackageURI"}}
        )
        package = client.get(document["CFPackageURI"]["uri"].removeprefix("http://testserver"))
        assert package.status_code == 200
        assert package.json()["CFDocument"]["identifier"] == document["identifier"]


def without_timestamps(package):
    text = json.dumps(package)
    return json.loads(re.sub(r'"lastChangeDateTime": "[^"]+"', '"lastChangeDateTime": ""', text))


def test_case_identifiers_and_uris_survive_a_reimport(client, seed):
    before = client.get(case_package_url(seed)).json()
    flush()
    run("import_framework", str(SEED_FILE))
    framework = Framework.objects.get()

    after = client.get(case_package_url(framework)).json()

    assert without_timestamps(after) == without_timestamps(before)


def exports_for_any_site(client, seed):
    """The addresses of the exports and the CASE API, which other sites may read; the package's first."""
    package = client.get(case_package_url(seed))
    item = package.json()["CFItems"][0]["uri"].split("testserver", 1)[1]
    return [
        case_package_url(seed),
        f"{PAGE}framework.json",
        f"{PAGE}framework.csv",
        f"{PAGE}framework.jsonld",
        f"{PAGE}versions/26.05/framework.json",
        f"{PAGE}versions/26.05/framework.csv",
        f"{PAGE}versions/26.05/framework.jsonld",
        "/ims/case/v1p1/CFDocuments",
        item,
        "/ims/case/v1p1/CFItems/not-a-uuid",  # CASE's own error answer too
    ]


def test_exports_and_the_case_api_may_be_read_from_other_sites(client, seed):
    package_address, *addresses = exports_for_any_site(client, seed)
    package = client.get(package_address)

    for address in [*addresses, f"{PAGE}framework.json"]:  # the last from the page cache
        response = client.get(address)
        assert response["Access-Control-Allow-Origin"] == "*", address
    assert package["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in package
    assert not client.get(PAGE).has_header("Access-Control-Allow-Origin")  # the page itself is not data


# What a browser asks another site's tool first, before a GET with a header such as If-None-Match.
PREFLIGHT = {
    "Origin": "https://tools.example",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "if-none-match",
}


def test_other_sites_are_told_they_may_read_the_exports_and_the_case_api(client, seed):
    for address in exports_for_any_site(client, seed):
        response = client.options(address, headers=PREFLIGHT)

        assert response.status_code == 204, address
        assert response["Access-Control-Allow-Origin"] == "*", address
        assert response["Access-Control-Allow-Methods"] == "GET, HEAD", address
        allowed = {name.strip().lower() for name in response["Access-Control-Allow-Headers"].split(",")}
        assert {"accept", "if-none-match", "if-modified-since"} <= allowed, address
        assert int(response["Access-Control-Max-Age"]) > 0, address
        refused = client.post(address)  # still read-only, saying so as the preflight does
        assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD, OPTIONS"), address
    page = client.options(PAGE, headers=PREFLIGHT)
    assert page["Allow"] == "GET, HEAD, OPTIONS"
    assert not page.has_header("Access-Control-Allow-Origin")  # the page itself is not data


# ---------------------------------------------------------------------------------------------------------
# The framework page


def test_page_links_each_alternate_format_in_its_head_and_body(client, seed):
    html = client.get(PAGE).text
    head = html.split("</head>")[0]
    case_url = case_package_url(seed)

    for kind, url in [
        ("application/json", f"{PAGE}framework.json"),
        ("text/csv", f"{PAGE}framework.csv"),
        ("application/ld+json", f"{PAGE}framework.jsonld"),
        ("application/json", case_url),
    ]:
        assert re.search(rf'<link rel="alternate" type="{re.escape(kind)}" href="{re.escape(url)}"', head)
        assert f'href="{url}"' in html.split("<main")[1]
    for url in [f"{PAGE}framework.json", f"{PAGE}framework.csv", f"{PAGE}framework.jsonld", case_url]:
        assert client.get(url).status_code == 200


def linked_data(response):
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1)
    return json.loads(payload)


def test_page_embeds_schema_org_occupation_with_its_skills(client, seed):
    data = linked_data(client.get(PAGE))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Occupation"
    assert data["name"] == "Insurance Sales Agents"
    assert data["occupationalCategory"] == {
        "@type": "CategoryCode",
        "codeValue": SOC,
        "name": "Insurance Sales Agents",
        "inCodeSet": {
            "@type": "CategoryCodeSet",
            "name": "O*NET-SOC",
            "url": "https://www.onetcenter.org/taxonomy.html",
        },
    }
    assert len(data["skills"]) == 136
    assert all(skill["@type"] == "DefinedTerm" for skill in data["skills"])
    assert data["skills"][0]["name"] == "Standard insurance policy types"


def test_linked_data_cannot_break_out_of_its_script(client):
    payload = "</script><script>alert(1)</script> & <!--"
    statement = StatementFactory(title=payload)
    CitationFactory(statement=statement)

    response = client.get(statement.framework.get_absolute_url())

    assert payload not in response.text
    assert (
        "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E \\u0026 \\u003C!--"
        in response.text
    )
    assert linked_data(response)["skills"][0]["name"] == payload


# ---------------------------------------------------------------------------------------------------------
# Content negotiation and privacy


@pytest.mark.parametrize(
    ("accept", "json_wanted"),
    [
        ("application/json", True),
        ("application/json, text/html;q=0.5", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("text/html, application/json", False),
        ("*/*", False),
    ],
)
def test_occupation_page_answers_json_to_clients_that_prefer_it(client, seed, accept, json_wanted):
    response = client.get(PAGE, headers={"Accept": accept})

    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    if json_wanted:
        assert response["Content-Type"] == "application/json"
        assert response.content == client.get(f"{PAGE}framework.json").content
    else:
        assert response["Content-Type"].startswith("text/html")


def test_the_page_without_an_accept_header_is_html_and_varies_on_accept(client, seed):
    response = client.get(PAGE)

    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_drafts_are_not_exported(client):
    draft = FrameworkFactory(status=Framework.Status.DRAFT)
    statement = StatementFactory(framework=draft, title="Secret draft statement")
    CitationFactory(statement=statement)
    page = draft.occupation.get_absolute_url()

    for url in [
        f"{page}framework.json",
        f"{page}framework.csv",
        f"{page}framework.jsonld",
        case_package_url(draft),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Secret draft statement" not in response.text
    as_json = client.get(page, headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert as_json.json() == {"error": "That occupation has no published framework."}
    assert "Accept" in as_json["Vary"]  # the same address is a page in a browser
    assert client.get("/ims/case/v1p1/CFDocuments").json() == {"CFDocuments": []}
    assert "framework.json" not in client.get(page).text


def test_a_framework_that_is_not_there_is_a_json_404_that_other_sites_may_read(client):
    draft_only = FrameworkFactory(status=Framework.Status.DRAFT).occupation.get_absolute_url()

    for page, error in [
        ("/occupations/99-9999.99/", "No occupation has that O*NET-SOC code."),
        (draft_only, "That occupation has no published framework."),
    ]:
        for address in [f"{page}framework.json", f"{page}framework.csv", f"{page}framework.jsonld"]:
            response = client.get(address)
            assert response.status_code == 404, address
            assert response["Access-Control-Allow-Origin"] == "*", address
            assert response["Content-Type"] == "application/json", address
            assert response.json() == {"error": error}, address
    unknown = client.get("/ims/case/v1p1/CFPackages/00000000-0000-5000-8000-000000000000")
    assert unknown.status_code == 404
    assert unknown["Access-Control-Allow-Origin"] == "*"
    (field,) = unknown.json()["imsx_codeMinor"]["imsx_codeMinorField"]
    assert field["imsx_codeMinorFieldValue"] == "unknownobject"


def test_unknown_addresses_are_404(client, seed):
    assert client.get("/occupations/99-9999.99/framework.json").status_code == 404
    assert client.get("/ims/case/v1p1/CFPackages/00000000-0000-5000-8000-000000000000").status_code == 404
    assert client.get("/ims/case/v1p1/CFPackages/not-a-uuid").status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Each public version's files, at its version's address


EARLIER = f"{PAGE}versions/26.05/"


def test_an_archived_version_is_exported_at_its_version_address_as_it_was(client, superseded):
    earlier_text = Statement.objects.get(framework=superseded, title="CRM software").text

    as_json = client.get(f"{EARLIER}framework.json")
    as_csv = client.get(f"{EARLIER}framework.csv")
    as_jsonld = client.get(f"{EARLIER}framework.jsonld")

    document = as_json.json()
    assert (document["version"], document["status"]) == ("26.05", "archived")
    assert earlier_text in [statement["text"] for statement in document["statements"]]
    assert as_json["Content-Disposition"] == 'inline; filename="41-3021.00-framework-v26.05.json"'
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8"))))
    assert len(rows) == 136
    assert {row["text"] for row in rows if row["title"] == "CRM software"} == {earlier_text}
    assert as_csv["Content-Disposition"] == 'attachment; filename="41-3021.00-framework-v26.05.csv"'
    (framework_node,) = [
        node for node in as_jsonld.json()["@graph"] if node["@type"] == "ceasn:CompetencyFramework"
    ]
    assert framework_node["@id"] == f"http://testserver{EARLIER}framework.jsonld"
    assert framework_node["ceasn:source"] == [f"http://testserver{EARLIER}"]
    assert framework_node["ceasn:publicationStatusType"].endswith("/publicationStatus/Deprecated")
    assert as_jsonld["Content-Disposition"] == 'inline; filename="41-3021.00-framework-v26.05.jsonld"'
    for response in (as_json, as_csv, as_jsonld):
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
    # The current version's addresses serve the current version, as before.
    current = client.get(f"{PAGE}framework.json").json()
    assert (current["version"], current["status"]) == ("26.06", "published")
    assert "uses the newer CRM." in [statement["text"] for statement in current["statements"]]
    assert (
        client.get(f"{PAGE}framework.jsonld").json()["@graph"][0]["@id"]
        == f"http://testserver{PAGE}framework.jsonld"
    )


def test_the_published_version_is_exported_at_its_version_address_too(client, seed):
    for extension in ("json", "csv", "jsonld"):
        at_version = client.get(f"{PAGE}versions/26.05/framework.{extension}")
        current = client.get(f"{PAGE}framework.{extension}")
        assert at_version.status_code == 200, extension
        assert at_version["Content-Disposition"] == current["Content-Disposition"], extension
    assert (
        client.get(f"{PAGE}versions/26.05/framework.json").content
        == client.get(f"{PAGE}framework.json").content
    )
    assert (
        client.get(f"{PAGE}versions/26.05/framework.csv").content
        == client.get(f"{PAGE}framework.csv").content
    )


def test_an_earlier_version_page_asked_for_json_answers_that_version(client, superseded):
    response = client.get(EARLIER, headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["version"] == "26.05"
    assert response.content == client.get(f"{EARLIER}framework.json").content


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_draft_or_unknown_version_has_no_exports_even_for_curators(client, draft, curator, signed_in):
    Statement.objects.filter(framework=draft, title="CRM software").update(title="Secret draft statement")
    if signed_in:
        client.force_login(curator)  # who may preview the draft's page, yet gets no file of it

    for version in ("26.06", "99.99"):
        page = f"{PAGE}versions/{version}/"
        for address in [f"{page}framework.json", f"{page}framework.csv", f"{page}framework.jsonld"]:
            response = client.get(address)
            assert response.status_code == 404, address
            assert response["Access-Control-Allow-Origin"] == "*", address
            assert response.json() == {"error": "That occupation has no such framework version."}, address
        as_json = client.get(page, headers={"Accept": "application/json"})
        assert as_json.status_code == 404, page
        assert "Secret draft statement" not in as_json.text
    unknown = client.get("/occupations/99-9999.99/versions/26.05/framework.json")
    assert unknown.json() == {"error": "No occupation has that O*NET-SOC code."}
