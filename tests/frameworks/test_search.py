"""Finding occupations in the directory, on both databases."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from frameworks.models import Occupation
from frameworks.search import soc_prefix
from tests.factories import FrameworkFactory

pytestmark = pytest.mark.django_db

RELEASE = Path(__file__).resolve().parents[1] / "data" / "onet" / "release_b"
HTMX = {"HX-Request": "true"}
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL")


@pytest.fixture
def release(db):
    call_command("import_onet", str(RELEASE), verbosity=0)


def titles(client, **params):
    """The occupation titles the directory lists, in order."""
    response = client.get("/occupations/", params)
    assert response.status_code == 200
    if '<ul class="result-list">' not in response.text:
        return []
    results = response.text.split('<ul class="result-list">', 1)[1].split("</ul>", 1)[0]
    return [link.split(">", 1)[1].split("<", 1)[0] for link in results.split('<a href="/occupations/')[1:]]


@pytest.mark.parametrize(
    ("query", "prefix"),
    [("41", "41"), ("41-3021", "41-3021"), ("413021", "41-3021"), ("41302100", "41-3021.00"),
     ("41-3021.00", "41-3021.00"), ("4130210", "41-3021.0"), ("insurance", None), ("41 insurance", None)],
)
def test_code_like_queries_become_soc_prefixes(query, prefix):
    assert soc_prefix(query) == prefix


@pytest.mark.parametrize("query", ["41-3021.00", "413021", "41-3021", "41302100"])
def test_codes_find_their_occupation_with_or_without_the_dot_part(client, release, query):
    assert titles(client, q=query) == ["Insurance Sales Agents"]


def test_major_group_prefix_lists_the_group(client, release):
    assert titles(client, q="41") == ["Insurance Sales Agents"]
    assert set(titles(client, q="1")) == set()


def test_titles_and_other_titles_are_found(client, release):
    assert titles(client, q="Software Developers")[0] == "Software Developers"
    assert "Insurance Sales Agents" in titles(client, q="Bond Writer")


def test_exact_title_ranks_first(client, release):
    found = titles(client, q="Customer Service Representatives and Agents")
    assert found[0] == "Customer Service Representatives and Agents"


def test_search_shows_derived_other_titles_after_curator_edits(client, release):
    occupation = Occupation.objects.get(soc_code="11-1011.00")
    occupation.titles.create(title="Head Honcho", kind="alternate", position=99)

    assert titles(client, q="Head Honcho") == ["Chief Executives"]


@postgres_only
def test_typos_find_titles_on_postgresql(client, release):
    assert titles(client, q="insurnce agent") == ["Insurance Sales Agents"]
    assert titles(client, q="sofware developers")[0] == "Software Developers"


@postgres_only
def test_title_matches_rank_before_description_and_task_matches(client, release):
    found = titles(client, q="agents")
    assert found[:2] == ["Customer Service Representatives and Agents", "Insurance Sales Agents"] or found[:2] == [
        "Insurance Sales Agents", "Customer Service Representatives and Agents"]
    assert titles(client, q="sell insurance policies")[0] == "Insurance Sales Agents"


def test_filters_narrow_the_list(client, release):
    FrameworkFactory(occupation=Occupation.objects.get(soc_code="41-3021.00"))

    assert titles(client, group="41") == ["Insurance Sales Agents"]
    assert titles(client, framework="on") == ["Insurance Sales Agents"]
    zone = Occupation.objects.get(soc_code="15-1252.00").job_zone_id
    assert "Software Developers" in titles(client, job_zone=zone)
    hot = set(Occupation.objects.filter(hot_technology=True).values_list("title", flat=True))
    assert hot and set(titles(client, hot="on")) == hot


def test_sorting_by_code_and_title(client, release):
    by_code = titles(client, sort="code")
    by_title = titles(client, sort="title")

    codes = list(Occupation.objects.order_by("soc_code").values_list("title", flat=True))
    assert by_code == codes
    assert by_title == sorted(by_title)


def test_retired_occupations_are_not_listed(client, release):
    Occupation.objects.filter(soc_code="11-1011.00").update(retired=True)

    assert "Chief Executives" not in titles(client)
    assert titles(client, q="Chief Executives") == []


def test_bad_filter_values_are_ignored_not_errors(client, release):
    response = client.get("/occupations/", {"job_zone": "banana", "group": "99", "sort": "sideways"})

    assert response.status_code == 200
    assert "All occupations" in response.text


def test_search_as_you_type_gets_the_results_fragment(client, release):
    response = client.get("/occupations/", {"q": "insur"}, headers=HTMX)

    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Insurance Sales Agents" in response.text
    assert "HX-Request" in response["Vary"]


def test_directory_query_count_does_not_grow_with_results(client, release, django_assert_max_num_queries):
    Occupation.objects.bulk_create(
        Occupation(soc_code=f"51-{9000 + n:04d}.00", title=f"Production Worker {n}") for n in range(60)
    )
    with django_assert_max_num_queries(5):
        client.get("/occupations/")
    with django_assert_max_num_queries(5):
        client.get("/occupations/", {"q": "worker", "page": "2"})


def test_pagination_keeps_the_filters(client, release):
    Occupation.objects.bulk_create(
        Occupation(soc_code=f"51-{9000 + n:04d}.00", title=f"Production Worker {n}") for n in range(60)
    )

    response = client.get("/occupations/", {"group": "51"})

    assert "?group=51&amp;page=2" in response.text
    assert titles(client, group="51", page="2")[0].startswith("Production Worker")


def test_occupation_without_a_framework_has_its_own_page(client, release):
    response = client.get("/occupations/15-1252.00/")

    assert response.status_code == 200
    text = response.text
    assert "<h1>Software Developers</h1>" in text
    assert "No framework has been authored for this occupation yet" in text
    assert Occupation.objects.get(soc_code="15-1252.00").description[:60] in text
    assert "Related occupations" in text
    related = Occupation.objects.get(soc_code="15-1252.00").related_links.select_related("to_occupation")
    assert related.exists()
    for link in related:
        assert f'href="/occupations/{link.to_occupation.soc_code}/"' in text
    assert "Application Developer" in text  # an alternate title
    assert "O*NET®" in text  # the attribution line
