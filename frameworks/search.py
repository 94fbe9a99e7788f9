"""Occupation search: full text and trigram similarity on PostgreSQL, a simpler match elsewhere."""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

from evidence.models import SourceAnchor
from frameworks.models import Occupation, OccupationTitle

# The weighted tsvector column that migration 0004_search adds on PostgreSQL: title (A), other titles
# (B), description and tasks (C).
SEARCH_DOCUMENT = RawSQL('"frameworks_occupation"."search_document"', (), output_field=SearchVectorField())


def weighted_part(weight):
    """The lexemes of the search document with one weight: A the title, B the other titles."""
    return RawSQL(
        f"""ts_filter("frameworks_occupation"."search_document", '{{{weight}}}')""",
        (),
        output_field=SearchVectorField(),
    )


CODE_LIKE = re.compile(r"^\d{2}(-?\d{0,4}(\.?\d{0,2})?)?$")


class Tier:
    """How a match ranks, best first."""

    EXACT = 4  # the code or the title exactly
    TITLE = 3  # words of the title
    OTHER_TITLE = 2
    TEXT = 1  # description or tasks
    TYPO = 0  # a title alike in spelling only


def soc_prefix(query):
    """The SOC-code prefix a code-like query means ("413021" and "41-3021.0" alike), or None."""
    if not CODE_LIKE.match(query):
        return None
    digits = query.replace("-", "").replace(".", "")
    prefix = digits[:2]
    if len(digits) > 2:
        prefix += "-" + digits[2:6]
    if len(digits) > 6:
        prefix += "." + digits[6:8]
    return prefix


def search(occupations, query):
    """Occupations matching the query, best first: exact code or title, then title matches, then the rest."""
    query = " ".join(query.split())
    if not query:
        return occupations.order_by("title")
    if (prefix := soc_prefix(query)) is not None:
        exact = Case(When(soc_code=prefix, then=Value(Tier.EXACT)), default=Value(Tier.TITLE))
        return occupations.filter(soc_code__startswith=prefix).annotate(tier=exact).order_by("-tier", "soc_code")
    exact = Q(title__iexact=query)
    if connection.vendor == "postgresql":
        return _full_text(occupations, query, exact)
    return _simple(occupations, query, exact)


def _full_text(occupations, query, exact):
    terms = SearchQuery(query, search_type="websearch", config="english")
    tier = Case(
        When(exact, then=Value(Tier.EXACT)),
        When(title_vector=terms, then=Value(Tier.TITLE)),
        When(other_titles_vector=terms, then=Value(Tier.OTHER_TITLE)),
        When(document=terms, then=Value(Tier.TEXT)),
        default=Value(Tier.TYPO),
        output_field=IntegerField(),
    )
    return (
        occupations.annotate(document=SEARCH_DOCUMENT)
        # `%>` finds titles alike in spelling, through the trigram index; its threshold is set per
        # connection (settings.DATABASES OPTIONS).
        .filter(Q(document=terms) | Q(title__trigram_word_similar=query))
        .annotate(
            title_vector=weighted_part("a"),
            other_titles_vector=weighted_part("b"),
            tier=tier,
            rank=SearchRank(F("document"), terms),
            similarity=TrigramWordSimilarity(query, "title"),
        )
        .order_by("-tier", "-rank", "-similarity", "title")
    )


def _simple(occupations, query, exact):
    tier = Case(
        When(exact, then=Value(Tier.EXACT)),
        When(title__icontains=query, then=Value(Tier.TITLE)),
        default=Value(Tier.OTHER_TITLE),
        output_field=IntegerField(),
    )
    return (
        occupations.filter(Q(title__icontains=query) | Q(other_titles__icontains=query))
        .annotate(tier=tier)
        .order_by("-tier", "title")
    )


def refresh_derived_fields(occupation_ids=None):
    """Rebuild what occupations derive from their titles and anchors (all occupations when None)."""
    occupations = Occupation.objects.all()
    if occupation_ids is not None:
        occupations = occupations.filter(pk__in=list(occupation_ids))
    occupations = list(occupations.only("pk", "other_titles", "task_text", "hot_technology"))
    ids = [occupation.pk for occupation in occupations]
    titles, tasks = {}, {}
    for occupation_id, title in (
        OccupationTitle.objects.filter(occupation_id__in=ids)
        .order_by("kind", "position")
        .values_list("occupation_id", "title")
    ):
        titles.setdefault(occupation_id, []).append(title)
    for occupation_id, name in (
        SourceAnchor.objects.filter(occupation_id__in=ids, kind=SourceAnchor.Kind.TASK)
        .order_by("position")
        .values_list("occupation_id", "name")
    ):
        tasks.setdefault(occupation_id, []).append(name)
    hot = set(
        SourceAnchor.objects.filter(
            occupation_id__in=ids, kind=SourceAnchor.Kind.TECHNOLOGY, hot_technology=True
        ).values_list("occupation_id", flat=True)
    )
    changed = []
    for occupation in occupations:
        derived = ("\n".join(titles.get(occupation.pk, [])), "\n".join(tasks.get(occupation.pk, [])), occupation.pk in hot)
        if (occupation.other_titles, occupation.task_text, occupation.hot_technology) != derived:
            occupation.other_titles, occupation.task_text, occupation.hot_technology = derived
            changed.append(occupation)
    Occupation.objects.bulk_update(changed, ["other_titles", "task_text", "hot_technology"], batch_size=500)
    return len(changed)
