"""Finding occupations in the directory, on both databases."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from frameworks.models import Occupation, RelatedOccupation
from frameworks.search import soc_prefix, word_forms
from tests.factories import FrameworkFactory, OccupationFactory
from tests.onet import RELEASE_B
from tests.pages import HTMX
from tests.tools import shared

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(db):
    call_command("import_onet", str(RELEASE_B), verbosity=0)


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
     ("41-3021.00", "41-3021.00"), ("4130210", "41-3021.0"), ("41 3021", "41-3021"),
     ("41 3021 00", "41-3021.00"), ("41\u20133021", "41-3021"), ("41\u20113021.00", "41-3021.00"),
     ("41\u2212", "41"), ("insurance", None), ("41 insurance", None), ("41\u2013\u20133021", None)],
)
def test_code_like_queries_become_soc_prefixes(query, prefix):
    assert soc_prefix(query) == prefix


@pytest.mark.parametrize(
    "query", ["41-3021.00", "413021", "41-3021", "41302100", "41 3021", "41 3021.00", "41\u20133021.00"]
)
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


def test_typos_find_titles(client, release):
    assert titles(client, q="insurnce agent") == ["Insurance Sales Agents"]
    assert titles(client, q="insurance agnet")[0] == "Insurance Sales Agents"
    assert titles(client, q="sofware developers")[0] == "Software Developers"
    assert titles(client, q="sofware develper")[0] == "Software Developers"


def test_two_typos_still_find_the_title(client, release):
    assert titles(client, q="insurnce agnet") == ["Insurance Sales Agents"]
    assert titles(client, q="custmer servise") == ["Customer Service Representatives and Agents"]


def test_close_title_matches_rank_before_description_and_task_matches(client, release):
    OccupationFactory(title="Insurance Underwriters", description="Review applications for insurance.")
    OccupationFactory(title="Loan Officers", description="Evaluate the underwriting of loans.")

    # No title says "underwriting"; one is spelled like it, and that comes first.
    found = titles(client, q="underwriting")

    assert found[0] == "Insurance Underwriters"
    assert "Loan Officers" in found[1:]


def test_the_start_of_a_word_finds_titles_beginning_with_it(client, release):
    OccupationFactory(title="Agricultural Inspectors", description="Inspect agricultural commodities.")
    OccupationFactory(title="Mining Machine Operators", description="Rip coal, ins and all.")

    found = titles(client, q="ins")

    # Titles whose first word begins so come first, then titles with a later word beginning so, then texts.
    assert found[:2] == ["Insurance Sales Agents", "Agricultural Inspectors"]
    assert "Mining Machine Operators" in found[2:]
    assert titles(client, q="insur")[0] == "Insurance Sales Agents"
    assert titles(client, q="insurance ag") == []  # two letters are too few to stand for a word begun
    assert titles(client, q="insurance age") == ["Insurance Sales Agents"]


def test_a_word_titles_have_is_taken_as_typed(client, release):
    OccupationFactory(title="Police Officers", description="Patrol an assigned area.")
    OccupationFactory(title="Policy Clerks", description="Process insurance policy changes.")
    OccupationFactory(title="Child Care Workers", description="Attend to children.")
    OccupationFactory(title="Career Counselors", description="Advise on careers.")

    # "police" is not a misspelling of "policy", nor "care" the start of "career".
    assert titles(client, q="police") == ["Police Officers"]
    assert titles(client, q="care")[0] == "Child Care Workers"
    assert "Career Counselors" not in titles(client, q="care")
    assert titles(client, q="caree")[0] == "Career Counselors"


@pytest.mark.parametrize("query", ["a", "c++", "c", "+", "the", "a b c", "é"])
def test_a_query_of_single_letters_signs_or_stop_words_finds_nothing(client, release, query):
    # Matched, they would find hundreds of occupations: "a" begins a word of most titles.
    response = client.get("/occupations/", {"q": query})

    assert titles(client, q=query) == []
    assert "No occupation matches" in response.text


def test_every_word_of_the_query_must_match(client, release):
    assert titles(client, q="insurance agents")[0] == "Insurance Sales Agents"
    # Bond Writer is an insurance agent's title and Application Developer a software developer's.
    assert titles(client, q="bond application") == []


def test_task_text_is_searched(client, release):
    assert titles(client, q="binder coverage") == ["Insurance Sales Agents"]


def test_singular_and_plural_find_the_same_occupations(client, release):
    OccupationFactory(title="Registered Nurses", description="Assess patient health problems and needs.")
    OccupationFactory(title="Nurse Practitioners", description="Diagnose and treat acute conditions.")
    nurses = {"Registered Nurses", "Nurse Practitioners"}

    assert set(titles(client, q="nurse")[:2]) == nurses
    assert set(titles(client, q="nurses")[:2]) == nurses
    assert set(titles(client, q="agent")) == set(titles(client, q="agents"))
    # Tasks say "policies".
    assert titles(client, q="sell insurance policy") == titles(client, q="sell insurance policies")


def test_matches_rank_by_tier(client, release):
    underwriters = OccupationFactory(title="Insurance Underwriters", description="Review insurance applications.")
    assistants = OccupationFactory(title="Claims Assistants", description="Keep records of claims.")
    assistants.titles.create(title="Underwriter Assistant", kind="alternate", position=1)
    OccupationFactory(title="Actuaries", description="Advise each underwriter on risk.")

    found = titles(client, q="underwriter")

    # The title, then another title, then descriptions and tasks (Insurance Sales Agents: "Contact underwriter").
    assert found[:2] == [underwriters.title, assistants.title]
    assert set(found[2:]) == {"Actuaries", "Insurance Sales Agents"}
    assert titles(client, q="insurance underwriters")[0] == "Insurance Underwriters"


def test_titles_with_the_words_searched_rank_before_those_with_other_forms_of_them(client, release):
    OccupationFactory(
        title="Food Cooking Machine Operators", description="Cook food in cooking machines; cooking oils, cooking times."
    )
    OccupationFactory(title="Cooks, Restaurant", description="Prepare meals.")
    OccupationFactory(title="Chefs and Head Cooks", description="Direct kitchen staff.")

    found = titles(client, q="cook")

    assert set(found[:2]) == {"Cooks, Restaurant", "Chefs and Head Cooks"}
    assert found[2] == "Food Cooking Machine Operators"


def test_a_verb_finds_the_titles_of_those_who_do_it(client, release):
    drivers = OccupationFactory(title="Industrial Truck and Tractor Operators", description="Drive trucks.")
    drivers.titles.create(title="Forklift Operator", kind="alternate", position=1)
    OccupationFactory(title="Stock Clerks", description="Operate a forklift to move stock.")

    assert titles(client, q="operate forklift") == ["Industrial Truck and Tractor Operators", "Stock Clerks"]


@pytest.mark.parametrize(
    ("word", "finds", "misses"),
    [
        ("nurse", ["nurse", "nurses", "nursing"], ["nursery", "nurs"]),
        ("nurses", ["nurse", "nurses"], ["nursery"]),
        ("agents", ["agent", "agents"], ["reagent", "agency"]),
        ("policy", ["policy", "policies"], ["police"]),
        ("care", ["care", "cares", "caring"], ["car", "cars", "career"]),
        ("boxes", ["box", "boxes"], ["boxer"]),
        ("engineering", ["engineer", "engineers", "engineering"], ["engine"]),
        ("operate", ["operate", "operated", "operating", "operator", "operators", "operation"], ["opera"]),
        ("operators", ["operate", "operating", "operator", "operators", "operations"], ["opera", "operat"]),
        ("operation", ["operate", "operator", "operation", "operations"], ["operatic"]),
        ("educating", ["educate", "educator", "education", "educating"], ["educe"]),
        ("state", ["state", "states", "stated"], ["station", "stator"]),
        ("station", ["station", "stations"], ["state", "stationery"]),
        ("format", ["format", "formats"], ["formation", "formator"]),
    ],
)
def test_words_match_their_simple_forms_as_whole_words(word, finds, misses):
    stem, pattern = word_forms(word)

    for text in finds:
        assert re.search(pattern, f"to {text}."), text
        assert stem in text
    for text in misses:
        assert not re.search(pattern, f"to {text}."), text


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


def test_a_query_longer_than_the_search_field_takes_is_searched_for_its_start(client, release):
    query = "insurance sales " * 20  # 320 characters, as a link or a script may send

    response = client.get("/occupations/", {"q": query})

    assert response.status_code == 200
    assert "All occupations" not in response.text
    # Searched for its first 200 characters, up to the last whole word.
    shown = re.search(r"occupations? match(?:es)? “([^”]*)”", response.text)[1]
    assert len(shown) <= 200 and shown.endswith(" sales")
    assert titles(client, q=query)[0] == "Insurance Sales Agents"
    assert titles(client, q="x" * 300) == []


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("insur\u200bance", "insurance"),  # a zero-width space
        ("\ufeffinsurance", "insurance"),  # a byte-order mark
        ("insur\u00adance sales", "insurance sales"),  # a soft hyphen
        ("insurance\u200d \u2060agents", "insurance agents"),  # a zero-width joiner, a word joiner
        ("41\u200b-3021", "41-3021"),
    ],
)
def test_invisible_characters_pasted_with_a_query_are_not_searched_for(client, release, query, meant):
    response = client.get("/occupations/", {"q": query})

    assert titles(client, q=query)[0] == "Insurance Sales Agents"
    # The heading and the search field show the words as they were meant.
    assert re.search(r"occupations? match(?:es)? “([^”]*)”", response.text)[1] == meant
    assert f'name="q" value="{meant}"' in response.text


def test_a_query_of_invisible_characters_alone_asks_for_nothing(client, release):
    response = client.get("/occupations/", {"q": "\u200b\ufeff"})

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
    with django_assert_max_num_queries(5):
        client.get("/occupations/", {"q": "wroker"})


def test_a_bad_value_drops_its_own_filter_only(client, release):
    insurance = titles(client, q="insurance")
    assert "Insurance Sales Agents" in insurance

    assert titles(client, q="insurance", sort="sideways") == insurance
    assert titles(client, q="insurance", job_zone="99") == insurance
    assert titles(client, q="insurance", group="41", sort="sideways") == ["Insurance Sales Agents"]


def test_pagination_keeps_the_filters(client, release):
    Occupation.objects.bulk_create(
        Occupation(soc_code=f"51-{9000 + n:04d}.00", title=f"Production Worker {n}") for n in range(60)
    )

    response = client.get("/occupations/", {"group": "51"})

    assert "?group=51&amp;page=2" in response.text
    assert titles(client, group="51", page="2")[0].startswith("Production Worker")


@pytest.mark.parametrize(
    ("asked", "shown"), [("0", 1), ("-1", 1), ("00", 1), ("+0", 1), (" 0", 1), ("x", 1), ("2", 2), ("999", 2)]
)
def test_a_page_number_out_of_range_shows_the_nearest_page(client, release, asked, shown):
    Occupation.objects.bulk_create(
        Occupation(soc_code=f"51-{9000 + n:04d}.00", title=f"Production Worker {n}") for n in range(60)
    )

    response = client.get("/occupations/", {"group": "51", "page": asked})

    assert response.status_code == 200
    assert response.context["page"].number == shown


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
    tiers = {link.tier for link in related}
    assert tiers and tiers <= set(RelatedOccupation.TIER_LABELS)  # O*NET's codes, shown in words
    assert all(f"· {RelatedOccupation.TIER_LABELS[tier]}</span>" in text for tier in tiers)
    assert not any(f"· {tier}</span>" in text for tier in tiers)
    assert "Application Developer" in text  # a title O*NET lists for the occupation
    assert "O*NET source anchors" in text
    assert "ground each statement" not in text and "seed anchors for statements" not in text
    assert "O*NET®" in text  # the attribution line


def test_real_release_ranks_close_titles_first_and_ignores_signs(client):
    release = shared("onet", "db_30_1_text")
    # How long searching takes is measured by bench/search.py, not here.
    call_command("import_onet", str(release), verbosity=0)

    assert titles(client, q="insurnce agnet") == ["Insurance Sales Agents"]
    assert titles(client, q="insurance agnet")[0] == "Insurance Sales Agents"
    # Descriptions and tasks that say "program" or "programs" come after the titles spelled alike.
    programmers = ["Computer Programmers", "Computer Numerically Controlled Tool Programmers"]
    assert titles(client, q="programer")[:2] == programmers
    assert titles(client, q="electrcian")[0] == "Electricians"
    # Search as you type: the titles with a word beginning with the letters so far lead.
    begun = titles(client, q="ins")
    assert all(title.startswith("Ins") for title in begun[:8])
    assert "Insurance Sales Agents" in begun[:4]
    assert all(re.search(r"\bins", title, re.IGNORECASE) for title in begun[:40])
    assert titles(client, q="insur")[:2] == ["Insurance Underwriters", "Insurance Sales Agents"]
    assert titles(client, q="a") == titles(client, q="c++") == []
    for query in ["41 3021", "413021", "41-3021"]:
        assert titles(client, q=query) == ["Insurance Sales Agents"], query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's")
def test_the_full_text_index_is_the_only_search_index_kept():
    # Titles are matched in Python: a trigram index on them would be written on every import and never read.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'frameworks_occupation'")
        names = {name for (name,) in cursor.fetchall()}

    assert "occupation_search_document" in names
    assert "occupation_title_trigram" not in names
