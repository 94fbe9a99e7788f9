"""Reads that pages need, each in a fixed number of queries."""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from evidence.models import EvidenceMetric, SourceAnchor
from frameworks import search
from frameworks.models import Framework, Level, Occupation, RelatedOccupation, Section, Statement


def public_frameworks():
    """Every public version of every framework, published and archived, most recently published first."""
    return (
        Framework.objects.public()
        .select_related("occupation", "occupation__job_zone")
        .newest_first()
    )


def published_frameworks():
    """Every published framework (one an occupation at most), most recently published first."""
    return public_frameworks().published()


def get_occupation(soc_code):
    try:
        return Occupation.objects.select_related("job_zone").get(soc_code=soc_code)
    except Occupation.DoesNotExist:
        raise Http404("No occupation has that O*NET-SOC code.") from None


# The groups of the SOC, narrowest first, as the prefixes of a code that stand for them: its detailed
# occupation (41-3021), broad group (41-302) and minor group (41-3).
SOC_GROUP_PREFIXES = (7, 6, 4)


def occupations_near_code(code, limit=10):
    """For a code that names no occupation, the current occupations of the narrowest SOC group it names that
    has any, as (that group's prefix, occupations); ("", []) for what is no code at all."""
    prefix = search.soc_prefix(code)
    for length in SOC_GROUP_PREFIXES if prefix else ():
        if len(prefix) >= length:
            group = prefix[:length]
            found = list(
                Occupation.objects.filter(retired=False, soc_code__startswith=group)
                .only("soc_code", "title")
                .order_by("soc_code")[:limit]
            )
            if found:
                return group, found
    return "", []


def current_framework(occupation):
    """The published framework of an occupation, or None."""
    try:
        # The database holds one published version per occupation at most: nothing to order.
        framework = Framework.objects.published().get(occupation=occupation)
    except Framework.DoesNotExist:
        return None
    framework.occupation = occupation  # the caller's: selecting it again doubled the query's cost
    return framework


def public_versions(occupation):
    """The versions of an occupation's framework anyone may read, newest first: the published one and
    those archived before it. Pages that list them take the published one from here (`published_version`)
    rather than asking for it again."""
    versions = list(Framework.objects.public().filter(occupation=occupation).newest_first())
    for version in versions:
        version.occupation = occupation  # the caller's, as in current_framework
    return versions


def occupation_with_versions(soc_code):
    """An occupation and its framework's public versions, as public_versions lists them: one query when it
    has any, the occupation read from the versions' rows."""
    versions = list(
        Framework.objects.public()
        .filter(occupation__soc_code=soc_code)
        .select_related("occupation__job_zone")
        .newest_first()
    )
    if not versions:
        return get_occupation(soc_code), []
    occupation = versions[0].occupation
    for version in versions:
        version.occupation = occupation  # one instance for all, as in public_versions
    return occupation, versions


def published_version(versions):
    """The published one of these versions (public_versions), or None."""
    return next((version for version in versions if version.status == Framework.Status.PUBLISHED), None)


def framework_version(occupation, version, preview=False):
    """One version of an occupation's framework: a public one, or any to those who may preview drafts."""
    frameworks = Framework.objects.filter(occupation=occupation, version=version)
    if not preview:
        frameworks = frameworks.public()
    try:
        framework = frameworks.get()
    except Framework.DoesNotExist:
        raise Http404("That occupation has no such framework version.") from None
    framework.occupation = occupation  # the caller's, as in current_framework: its job zone is attached
    return framework


@dataclass
class LevelGroup:
    level: Level
    statements: list


@dataclass
class DomainGroup:
    domain: dict  # its key and name
    levels: list
    count: int = 0


@dataclass
class SectionContent:
    section: Section
    levels: list = field(default_factory=list)
    domains: list = field(default_factory=list)
    count: int = 0

    def statements(self):
        """Every statement in reading order: by domain, then level."""
        levels = [group for domain in self.domains for group in domain.levels] if self.domains else self.levels
        for group in levels:
            yield from group.statements


def _level_groups(levels, statements):
    by_level = {}
    for statement in statements:
        by_level.setdefault(statement["level_id"], []).append(statement)
    return [LevelGroup(level, by_level.get(level.pk, [])) for level in levels]


def _address_format(viewname):
    """A view's address with `{}` for its one integer argument, reversed once for many items."""
    marker = 2147483647
    return reverse(viewname, args=[marker]).replace(str(marker), "{}")


def sections():
    """The framework sections, in tab order, which the exports and the admin follow too; the key orders
    sections that share a position."""
    return list(Section.objects.select_related("scale").order_by("position", "key"))


# What a citation chip shows of its source, and a footnote of the print page.
CITED_SOURCE_FIELDS = ("label", "title", "version", "publisher", "licence", "url")


# What the framework page and the print page show of a statement.
STATEMENT_FIELDS = ("pk", "uid", "title", "text", "section_id", "level_id", "domain_id", "domain__key", "domain__name")


def levels_by_scale(sections):
    """The levels of these sections' scales, in order, by scale id: one query."""
    levels = {}
    for level in Level.objects.filter(scale__in={section.scale_id for section in sections}).order_by("position"):
        levels.setdefault(level.scale_id, []).append(level)
    return levels


def framework_sections(framework, sections):
    """These sections of a framework, each with its statements by domain and level, each with its citations.

    Runs the same two queries however many sections, statements and citations there are: the levels, and
    the statements joined to their citations (a row per citation, one for a statement that cites none).
    Rows rather than model instances: the pages only show them, and instances for a few hundred rows cost
    more than the queries do.
    """
    levels = levels_by_scale(sections)
    rows = (
        Statement.objects.filter(framework=framework, section__in=sections)
        # The domain's key and name come from the join this ordering makes: no query of the domains. The
        # pk keeps a statement's rows together where statements of two sections share the other places.
        .order_by("domain__position", "level__position", "position", "pk", "citations__position")
        .values_list(
            *STATEMENT_FIELDS,
            "citations__pk",
            "citations__source_id",
            *(f"citations__source__{name}" for name in CITED_SOURCE_FIELDS),
        )
    )
    # The template shows the address twice and the id three times per chip: escaped here once instead.
    chip_address = escape(_address_format("evidence:citation"))
    by_section, sources, chip_texts = {}, {}, {}
    statement = None
    for row in rows:
        if statement is None or statement["pk"] != row[0]:
            statement = dict(zip(STATEMENT_FIELDS, row, strict=False))
            statement["cited"] = []
            # Chips belong to the sentence they support: its full stop follows them ("…prospects [AEI].").
            text = statement["text"]
            stop = text[-1:] if text.endswith((".", "?", "!")) else ""
            statement["text_before_stop"], statement["final_stop"] = text.removesuffix(stop), stop
            by_section.setdefault(statement["section_id"], []).append(statement)
        pk, source_id, *source_values = row[len(STATEMENT_FIELDS) :]
        if pk is None:
            continue  # a statement that cites nothing
        if source_id not in sources:
            source = sources[source_id] = {"pk": source_id, **dict(zip(CITED_SOURCE_FIELDS, source_values, strict=True))}
            # Shown on every chip that cites the source: escaped once per source.
            chip_texts[source_id] = escape(source["label"]), escape(source["title"])
        label, title = chip_texts[source_id]
        statement["cited"].append(
            {
                "pk": pk,
                "source": sources[source_id],
                "label": label,
                "title": title,
                "address": mark_safe(chip_address.format(pk)),
                "slot_id": mark_safe(f"citation-{pk}"),
            }
        )
    return [
        _section_content(section, levels.get(section.scale_id, []), by_section.get(section.pk, []))
        for section in sections
    ]


def _section_content(section, levels, statements):
    content = SectionContent(section, count=len(statements))
    if section.uses_domains:
        for _, grouped in groupby(statements, key=itemgetter("domain_id")):
            in_domain = list(grouped)
            domain = {"key": in_domain[0]["domain__key"], "name": in_domain[0]["domain__name"]}
            content.domains.append(DomainGroup(domain, _level_groups(levels, in_domain), len(in_domain)))
    else:
        content.levels = _level_groups(levels, statements)
    return content


@dataclass
class EvidenceGroup:
    label: str
    # (label, metrics): a labelled metric alone, or a run of unlabelled ones that the group's label names.
    rows: list = field(default_factory=list)
    sources: list = field(default_factory=list)  # each metric's source once, in order of first appearance


def evidence_pack(framework):
    """The framework's metrics by group, in the order curators set, each group with the sources its
    metrics cite."""
    metrics = EvidenceMetric.objects.filter(framework=framework).select_related("source").order_by("position")
    pack = {}
    for metric in metrics:
        group = pack.setdefault(metric.group, EvidenceGroup(metric.get_group_display()))
        if not metric.label and group.rows and not group.rows[-1][0]:
            group.rows[-1][1].append(metric)
        else:
            group.rows.append((metric.label, [metric]))
        if all(source.pk != metric.source_id for source in group.sources):
            group.sources.append(metric.source)
    return list(pack.values())


@dataclass
class AnchorPanel:
    grounds_statements: bool  # whether a framework's statements rest on these anchors
    groups: list
    count: int
    sources: list
    titles: list
    apprenticeships: list
    cip_programs: list


def anchor_panel(occupation, *, grounds_statements):
    """The occupation's O*NET anchors, and whether the statements of the framework shown rest on them.

    That is asked for, not looked up, so no page can forget to say what the anchors are for.
    """
    # Rows rather than model instances: the panel shows a few fields, and an anchor has many.
    anchors = list(
        SourceAnchor.objects.filter(occupation=occupation)
        .order_by("kind", "position")
        .values("kind", "name", "hot_technology", "source__key", "source__label", "source__position")
    )
    groups = [(kind, [anchor for anchor in anchors if anchor["kind"] == kind]) for kind in SourceAnchor.Kind]
    sources = {}
    for anchor in anchors:
        if (key := anchor["source__key"]) is not None and key not in sources:
            sources[key] = {"key": key, "label": anchor["source__label"], "position": anchor["source__position"]}
    return AnchorPanel(
        grounds_statements=grounds_statements,
        groups=[(kind, items) for kind, items in groups if items],
        count=len(anchors),
        # In the order the framework page's summary of them names them (anchor_summary).
        sources=sorted(sources.values(), key=itemgetter("position", "label")),
        titles=list(occupation.titles.order_by("kind", "position", "title").values("title")),
        apprenticeships=list(occupation.apprenticeships.all()),
        cip_programs=list(occupation.cip_programs.all()),
    )


@dataclass
class AnchorSummary:
    count: int
    labels: list


def anchor_summary(occupation):
    """How many anchors an occupation has and who supplied them, in one query."""
    rows = (
        SourceAnchor.objects.filter(occupation=occupation)
        .values("source__label", "source__position")
        .annotate(n=Count("pk"))
        .order_by("source__position", "source__label")
    )
    rows = list(rows)
    return AnchorSummary(
        count=sum(row["n"] for row in rows), labels=[row["source__label"] for row in rows if row["source__label"]]
    )


def related_occupations(occupation):
    """The occupations O*NET relates to this one, closest first, with their tier."""
    return list(
        RelatedOccupation.objects.filter(from_occupation=occupation, to_occupation__retired=False)
        .select_related("to_occupation")
        .order_by("position")
    )


def occupations_with_source_data():
    """How many current occupations have O*NET anchors to ground statements in."""
    # A semi-join: joining the anchors and counting distinct occupations compares whole rows.
    has_anchors = Exists(SourceAnchor.objects.filter(occupation=OuterRef("pk")))
    return Occupation.objects.filter(has_anchors, retired=False).count()


def directory(filters):
    """Current occupations narrowed by the directory's cleaned filters, in the order asked for."""
    has_framework = Exists(Framework.objects.published().filter(occupation=OuterRef("pk")))
    occupations = (
        Occupation.objects.filter(retired=False).select_related("job_zone").annotate(has_framework=has_framework)
    )
    if filters.get("job_zone"):
        occupations = occupations.filter(job_zone=filters["job_zone"])
    if filters.get("group"):
        occupations = occupations.filter(soc_code__startswith=f"{filters['group']}-")
    if filters.get("framework"):
        occupations = occupations.filter(has_framework=True)
    if filters.get("hot"):
        occupations = occupations.filter(hot_technology=True)
    occupations = search.search(occupations, filters.get("q", ""))
    ordering = {"title": ["title"], "code": ["soc_code"]}.get(filters.get("sort"))
    return occupations.order_by(*ordering) if ordering else occupations


# How alike two statements' texts must be (difflib ratio, 0..1) for saving one to ask for confirmation.
SIMILARITY_THRESHOLD = 0.85


def _normalised(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@dataclass
class SimilarStatement:
    statement: Statement
    ratio: float
    text: list  # (differs, words) runs of the text being saved
    other: list  # the same for the other statement's text

    @property
    def percent(self):
        return round(self.ratio * 100)


def _word_runs(a_words, b_words):
    """Both texts as runs of words, each run marked when it differs from the other text."""
    a_runs, b_runs = [], []
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, a_words, b_words, autojunk=False).get_opcodes():
        if a1 < a2:
            a_runs.append((tag != "equal", " ".join(a_words[a1:a2])))
        if b1 < b2:
            b_runs.append((tag != "equal", " ".join(b_words[b1:b2])))
    return a_runs, b_runs


def similar_statements(framework, text, exclude_pk=None):
    """Statements of the framework whose text is nearly the same as this text, most alike first."""
    wanted = _normalised(text)
    candidates = Statement.objects.filter(framework=framework).select_related("section", "level", "domain")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for statement in candidates:
        matcher = SequenceMatcher(None, wanted, _normalised(statement.text), autojunk=False)
        if (ratio := search.ratio_reaching(matcher, SIMILARITY_THRESHOLD)) is not None:
            runs = _word_runs(text.split(), statement.text.split())
            found.append(SimilarStatement(statement, ratio, *runs))
    return sorted(found, key=lambda similar: -similar.ratio)
