"""Occupation search: titles matched in Python on every database, other titles and texts in the database.

A query's words are matched against occupation titles in Python, the same on PostgreSQL and SQLite: a word
matches a title word in its simple forms ("nurse", "nurses", "nursing"), and a word no title has is taken
for one being typed or misspelled, matching the title words it begins ("ins": Insurance, Inspectors) or
is alike in spelling to (difflib; "agnet": Agents). Other titles, descriptions and tasks are searched in
the database: on PostgreSQL with the full-text document migration 0004_search stores, elsewhere (SQLite,
as `make serve` sets up) with regular expressions for the same simple forms.
"""

import operator
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache, reduce
from itertools import chain, groupby

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower, Replace
from django.db.models.lookups import Regex

from evidence.models import SourceAnchor
from frameworks.models import Occupation, OccupationTitle

# The weighted tsvector column that migration 0004_search adds on PostgreSQL: title (A), other titles
# (B), description and tasks (C).
SEARCH_DOCUMENT = RawSQL('"frameworks_occupation"."search_document"', (), output_field=SearchVectorField())

# A SOC code or the start of one, its parts apart by a hyphen, a dot, a space or nothing: "41-3021",
# "413021", "41 3021".
CODE_LIKE = re.compile(r"^\d{2}([-\s]?\d{0,4}([.\s]?\d{0,2})?)?$")
# The dashes a code copied from a document or a spreadsheet may have for its hyphen (an en dash, a minus).
DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")


class Tier:
    """How a match ranks, best first."""

    EXACT = 5  # the code or the title exactly
    TITLE = 4  # words of the title
    OTHER_TITLE = 3
    CLOSE_TITLE = 2  # words of the title, some only begun or misspelled
    TEXT = 1  # description or tasks


def soc_prefix(query):
    """The SOC-code prefix a code-like query means ("413021", "41 3021" and "41-3021.0" alike), or None."""
    if not CODE_LIKE.match(DASHES.sub("-", query)):
        return None
    digits = re.sub(r"\D", "", query)
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
    words = _query_words(query)
    if not words:
        # A letter or a sign ("a", "c++") would find hundreds of occupations no one looked for.
        return occupations.none()
    forms = [word_forms(word) for word in words]
    if connection.vendor == "postgresql":
        terms = SearchQuery(" ".join(words), config="english")
        occupations = occupations.annotate(document=SEARCH_DOCUMENT)
        in_text, rank = Q(document=terms), SearchRank(F("document"), terms)
        # Only the titles come back here: the full-text index finds the rows that match in the texts within
        # the query that lists them.
        titles = list(occupations.order_by().values_list("pk", "title"))
        exact, titled, close = _title_matches(titles, query, words, forms)
        found = occupations.filter(Q(pk__in=[*exact, *titled, *chain(*close)]) | in_text)
    else:
        in_text = reduce(
            operator.and_,
            (reduce(operator.or_, (_has_word(field, *form) for field in SEARCHED_FIELDS)) for form in forms),
        )
        rank = sum(
            weight * _occurrences(field, stem) for stem, _ in forms for field, weight in SEARCHED_FIELDS.items()
        )
        # One pass over the texts finds their matches and brings the titles in the same query; counting and
        # ordering a page then work on the matching rows alone.
        matched = Case(When(in_text, then=Value(True)), default=Value(False), output_field=BooleanField())
        rows = list(occupations.order_by().annotate(matched=matched).values_list("pk", "title", "matched"))
        exact, titled, close = _title_matches([(pk, title) for pk, title, _ in rows], query, words, forms)
        in_titles = {*exact, *titled, *chain(*close)}
        found = occupations.filter(pk__in=[pk for pk, _, is_match in rows if is_match or pk in in_titles])
    # Titles that have the query's words themselves (cook: Cooks), not only other forms of them (Cooking).
    same_words = _titles_with_the_words(titles if connection.vendor == "postgresql" else rows, titled, words)
    # An empty list of keys leaves its case out.
    tier = Case(
        When(pk__in=exact, then=Value(Tier.EXACT)),
        When(pk__in=titled, then=Value(Tier.TITLE)),
        When(_has_all("other_titles", forms), then=Value(Tier.OTHER_TITLE)),
        When(pk__in=list(chain(*close)), then=Value(Tier.CLOSE_TITLE)),
        default=Value(Tier.TEXT),
        output_field=IntegerField(),
    )
    # Close title matches in their own order, most alike first, and by rank where that ties; title matches
    # with the words themselves before those with other forms of them; the rest by rank.
    closeness = Case(
        *(When(pk__in=pks, then=Value(len(close) - place)) for place, pks in enumerate(close)),
        When(pk__in=same_words, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    found = found.annotate(tier=tier, closeness=closeness, rank=rank)
    return found.order_by("-tier", "-closeness", "-rank", "title")


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
# A query with more words than this that no title has is not compared with titles for misspellings.
TYPO_WORDS = 6
# Shorter words are not compared for misspellings or taken for the start of a longer word: "ca" begins or
# nearly spells too many.
SHORTEST_TYPO = 3


def _query_words(query):
    """The query's distinct words in lower case, those of two letters or more that are not stop words."""
    typed = dict.fromkeys(re.findall(r"\w+", query.lower()))
    return [word for word in typed if len(word) > 1 and word not in STOP_WORDS]


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
    another, as "policy" and "policies" do, and "operate" and "operators", but "nurse" does not find
    "nursery", nor "state" "station". The expression is for
    lower-case text.
    """
    base = singular(word)
    if (len(base) > 6 and base.endswith("ator")) or (len(base) > 7 and base.endswith("ation")):
        stem, endings, optional = base.removesuffix("ion").removesuffix("or"), ["e", "es", "ed", "ing"], False
    elif len(base) > 3 and base.endswith("y") and base[-2] not in "aeiou":
        stem, endings, optional = base[:-1], ["y", "ies", "ied"], False
    elif (len(base) > 6 and base.endswith("ing")) or (len(base) > 5 and base.endswith("ed")):
        stem, endings, optional = base.removesuffix("ing").removesuffix("ed"), ["e", "es", "s", "ed", "ing"], True
    elif len(base) > 3 and base.endswith("e"):
        # "care" must not find "car": a stem cut short of its "e" needs an ending.
        stem, endings, optional = base[:-1], ["e", "es", "ed", "ing"], False
    else:
        stem, endings, optional = base, ["s", "es", "ed", "ing"], True
    if len(stem) > 4 and stem.endswith("at") and base.endswith(("ate", "ated", "ating", "ator", "ation")):
        # The doer and the act of an -ate verb: "operate", "operator" and "operation" find one another, as the
        # English stemmer of PostgreSQL's full-text search has them do in descriptions and tasks.
        endings += ["or", "ors", "ion", "ions"]
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
    if connection.vendor == "postgresql":
        # PostgreSQL ends a word with \M; its \b is a backspace. ILIKE rules out most rows first.
        return Q(**{f"{field}__icontains": stem, f"{field}__iregex": pattern.removesuffix(r"\b") + r"\M"})
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


@lru_cache(maxsize=4096)
def _title_words(title):
    """The words of a title in lower case, in order; kept between searches, as titles seldom change."""
    return tuple(re.findall(r"\w+", title.lower()))


def _letters(word):
    """The set of the word's letters as the bits of an integer."""
    return reduce(operator.or_, (1 << ord(letter) for letter in word), 0)


@lru_cache(maxsize=8192)
def _spelling(title_word):
    """What comparing a title word's spelling needs: its singular, with that one's length and letters."""
    base = singular(title_word)
    return base, len(base), _letters(base), Counter(base)


def _title_matches(titles, query, words, forms):
    """The occupations whose title is the query, those whose title has its words, and close matches.

    titles holds (pk, title) of the occupations; words are the query's words and forms their word_forms.
    A title has the words when each matches one of its words in one of its forms; it is a close match when
    some word no title has matches instead as the start of a title word or alike in spelling. Close matches
    come in groups, best first: most alike, then those whose title begins with a matching word, then shorter
    titles.
    """
    vocabulary = set().union(*(_title_words(title) for _, title in titles))
    # For each query word, the title words it matches, each with a score from the cutoff to 1.
    matches, as_typed = [], []
    for stem, pattern in forms:
        regex = re.compile(pattern)
        found = {word: 1.0 for word in vocabulary if stem in word and regex.search(word)}
        as_typed.append(set(found))
        matches.append(found)
    unknown = [n for n, found in enumerate(matches) if not found and len(words[n]) >= SHORTEST_TYPO]
    if len(unknown) <= TYPO_WORDS:
        for n in unknown:
            matches[n] = _alike(words[n], vocabulary)
    exact, titled, close = [], [], []
    query = query.lower()
    matched = [set(found) for found in matches]
    for pk, title in titles:
        title_words = _title_words(title)
        if title.lower() == query:
            exact.append(pk)
        elif any(found.isdisjoint(title_words) for found in matched):
            continue
        elif not any(found.isdisjoint(title_words) for found in as_typed):
            titled.append(pk)
        else:
            alike = sum(max(found.get(title_word, 0.0) for title_word in title_words) for found in matches)
            begins = any(title_words[0] in found for found in matches)
            close.append(((-alike, not begins, len(title_words)), pk))
    close.sort()
    return exact, titled, [[pk for _, pk in group] for _, group in groupby(close, key=operator.itemgetter(0))]


def _titles_with_the_words(rows, titled, words):
    """The keys in titled of the titles (rows start with pk and title) that have every query word in its
    singular form, rather than only another form of it."""
    wanted = {singular(word) for word in words}
    titled = set(titled)
    return [
        pk
        for pk, title, *_ in rows
        if pk in titled and wanted <= {singular(title_word) for title_word in _title_words(title)}
    ]


def _alike(word, vocabulary):
    """Title words that begin with the query word or are alike to it in spelling, each with a score.

    A title word the query word begins scores 1 (a word still being typed finds its titles), one alike in
    spelling its difflib ratio, from TYPO_CUTOFF to 1.
    """
    found = {}
    target = singular(word)
    length, letters, counts = len(target), _letters(target), Counter(target).items()
    repeated = length - len(counts)
    # The matcher keeps what it learns about its second sequence, so the query word goes there.
    matcher = SequenceMatcher(None, b=target, autojunk=False)
    for title_word in vocabulary:
        if title_word.startswith(word):
            found[title_word] = 1.0
            continue
        base, base_length, base_letters, base_counts = _spelling(title_word)
        # The ratio is twice the letters matched over both lengths, and no more letters can match than the
        # shorter word has or the words share: cheap bounds that rule most title words out.
        needed = TYPO_CUTOFF * (length + base_length) / 2
        if min(length, base_length) < needed or (letters & base_letters).bit_count() + repeated < needed:
            continue
        if sum(min(count, base_counts.get(letter, 0)) for letter, count in counts) < needed:
            continue
        matcher.set_seq1(base)
        if (ratio := matcher.ratio()) >= TYPO_CUTOFF:
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
