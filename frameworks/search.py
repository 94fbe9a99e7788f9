"""Occupation search: full text and trigram similarity on PostgreSQL, a simpler match elsewhere.

Elsewhere (SQLite, as `make serve` sets up) every word of the query is matched in its simple forms with
regular expressions, ranked by the same tiers, and a difflib comparison of title words stands in for the
trigram match when nothing else is found.
"""

import operator
import re
from difflib import SequenceMatcher
from functools import reduce

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower, Replace
from django.db.models.lookups import Regex

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


# Words PostgreSQL's English configuration leaves out of a query; matched as words they would find nearly
# every occupation's description.
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "with",
})
# Searched on SQLite, with how much a match in each counts towards the order within a tier.
SEARCHED_FIELDS = {"title": 10, "other_titles": 4, "description": 2, "task_text": 2}
# Below this difflib ratio a title word is not taken for a misspelling of a query word.
TYPO_CUTOFF = 0.75
# The typo fallback compares at most this many query words and lists at most this many titles.
TYPO_WORDS = 6
TYPO_RESULTS = 20


def _query_words(query):
    """The query's distinct words in lower case."""
    return list(dict.fromkeys(re.findall(r"\w+", query.lower())))


def singular(word):
    """The word without a plural ending: "policies" policy, "boxes" box, "agents" agent."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_forms(word):
    """A stem every form of the word starts with, and a regular expression for the word in its forms.

    Either form of the query finds either form of the text: "nurse", "nurses" and "nursing" find one
    another, as "policy" and "policies" do, but "nurse" does not find "nursery". The expression is for
    lower-case text.
    """
    base = singular(word)
    if len(base) > 3 and base.endswith("y") and base[-2] not in "aeiou":
        stem, endings, optional = base[:-1], ["y", "ies", "ied"], False
    elif (len(base) > 6 and base.endswith("ing")) or (len(base) > 5 and base.endswith("ed")):
        stem, endings, optional = base.removesuffix("ing").removesuffix("ed"), ["e", "es", "s", "ed", "ing"], True
    elif len(base) > 3 and base.endswith("e"):
        # "care" must not find "car": a stem cut short of its "e" needs an ending.
        stem, endings, optional = base[:-1], ["e", "es", "ed", "ing"], False
    else:
        stem, endings, optional = base, ["s", "es", "ed", "ing"], True
    # The word as typed is a form too, for the odd word the rules cut wrongly ("exceed").
    typed = word[len(stem) :]
    if typed and typed not in endings:
        endings.append(typed)
    optional = optional or not typed
    # The stem leads and the word boundary before it is a lookbehind after it: `re` then scans for the
    # stem's letters, several times faster than trying the expression at every position.
    escaped = re.escape(stem)
    ending = "(?:{}){}".format("|".join(map(re.escape, endings)), "?" if optional else "")
    return stem, rf"{escaped}(?<!\w{escaped}){ending}\b"


def _has_word(field, stem, pattern):
    if not stem.isascii():
        # SQLite's LIKE and LOWER() know the case of ASCII letters only.
        return Q(**{f"{field}__iregex": pattern})
    # LIKE runs in SQLite itself and rules out most rows before the regular expression, a call into
    # Python per row, is tried.
    return Q(**{f"{field}__icontains": stem}) & Q(Regex(Lower(field), pattern))


def _has_all(field, forms):
    return reduce(operator.and_, (_has_word(field, *form) for form in forms))


def _occurrences(field, stem):
    """How often the stem occurs in the field, found with SQL string functions rather than per-row Python."""
    return (Length(field) - Length(Replace(Lower(field), Value(stem), Value("")))) / len(stem)


def _simple(occupations, query, exact):
    """Every word of the query in the title, other titles, description or tasks, in any of its forms.

    Tiers as on PostgreSQL; within a tier, occupations whose texts use the words more often come first,
    weighted title, other titles, then description and tasks, as ts_rank weighs them. When nothing
    matches, titles alike in spelling stand in for the trigram match.
    """
    typed = _query_words(query)
    words = [word for word in typed if word not in STOP_WORDS]
    forms = [word_forms(word) for word in words]
    if forms:
        anywhere = reduce(
            operator.and_,
            (reduce(operator.or_, (_has_word(field, *form) for field in SEARCHED_FIELDS)) for form in forms),
        )
        matched = Case(When(anywhere, then=Value(True)), default=Value(False), output_field=BooleanField())
    else:
        # As on PostgreSQL, a query of little words only is left to the likeness of titles.
        matched = Value(False)
    # One pass over the texts finds the matches and brings the titles for the typo fallback in the same
    # query; counting and ordering a page then work on the matching rows alone.
    rows = list(occupations.order_by().annotate(matched=matched).values_list("pk", "title", "matched"))
    ids = [pk for pk, _, is_match in rows if is_match]
    if not ids:
        return _typos(occupations, [(pk, title) for pk, title, _ in rows], (words or typed)[:TYPO_WORDS])
    tier = Case(
        When(exact, then=Value(Tier.EXACT)),
        When(_has_all("title", forms), then=Value(Tier.TITLE)),
        When(_has_all("other_titles", forms), then=Value(Tier.OTHER_TITLE)),
        default=Value(Tier.TEXT),
        output_field=IntegerField(),
    )
    rank = sum(weight * _occurrences(field, stem) for stem, _ in forms for field, weight in SEARCHED_FIELDS.items())
    return occupations.filter(pk__in=ids).annotate(tier=tier, rank=rank).order_by("-tier", "-rank", "title")


def _alike(word, vocabulary):
    """Title words alike in spelling to the query word, each with a score from the cutoff to 1.

    vocabulary maps each title word to its singular. A word that begins a title word counts as alike, so a
    word still being typed finds its titles.
    """
    found = {}
    # The matcher keeps what it learns about its second sequence, so the query word goes there.
    matcher = SequenceMatcher(None, b=singular(word), autojunk=False)
    for title_word, title_singular in vocabulary.items():
        if title_word.startswith(word):
            found[title_word] = 1.0
            continue
        matcher.set_seq1(title_singular)
        if (ratio := ratio_reaching(matcher, TYPO_CUTOFF)) is not None:
            found[title_word] = ratio
    return found


def ratio_reaching(matcher, threshold):
    """The SequenceMatcher's similarity ratio if it reaches the threshold, else None.

    The cheap upper bounds rule most pairs out before the full comparison.
    """
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else None


def _typos(occupations, titles, words):
    """Occupations whose title has, for every query word, a word alike in spelling; most alike first.

    titles holds (pk, title) of the occupations.
    """
    title_words = {pk: set(re.findall(r"\w+", title.lower())) for pk, title in titles}
    vocabulary = {title_word: singular(title_word) for title_word in set().union(*title_words.values())}
    # Two letters are too few to misspell: such words are left out of the comparison.
    alike = [_alike(word, vocabulary) for word in words if len(word) > 2]
    found = []
    for pk, title in titles:
        best = [max((scores.get(w, 0.0) for w in title_words[pk]), default=0.0) for scores in alike]
        if min(best, default=0.0) >= TYPO_CUTOFF:
            found.append((sum(best) / len(best), title, pk))
    found = sorted(found, key=lambda item: (-item[0], item[1]))[:TYPO_RESULTS]
    similarity = Case(
        *(When(pk=pk, then=Value(score)) for score, _, pk in found),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return (
        occupations.filter(pk__in=[pk for _, _, pk in found])
        .annotate(tier=Value(Tier.TYPO), similarity=similarity)
        .order_by("-similarity", "title")
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
