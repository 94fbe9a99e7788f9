"""Import of a framework file (docs/framework-format.md).

The whole file is read and checked first; the database is written only when nothing is wrong, in one
transaction, comparing every row with the file so that importing the same file twice changes nothing.
The file is the framework's full content: statements, citations and metrics it no longer lists are deleted.
What frameworks share (scales, sections, domains, sources) and what the occupation owns (titles, links,
anchors) is created or updated, never deleted; shared entries the site already has keep their place in
its order, new ones are added after the rest. What an O*NET import wrote is left as it wrote it, and the
occupation's other facts keep any field the file leaves out (see _given and _places). A published or
archived version is read-only, as in admin: a file that would change it is refused, and nothing is written.
"""

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from exchange.fileformat import STANDARD_INPUT_NAME, STANDARD_STREAM, FrameworkFileError, Problem, parse
from exchange.identifiers import statement_uids
from exchange.validation import problems
from frameworks import workflow
from frameworks.models import (
    MAX_POSITION,
    Apprenticeship,
    CipProgram,
    Domain,
    Framework,
    JobZone,
    Level,
    Occupation,
    OccupationTitle,
    OnetRelease,
    ProficiencyScale,
    Section,
    Statement,
)
from frameworks.onet_sources import release_source_key
from frameworks.search import refresh_derived_fields
from frameworks.services import park_statements
from frameworks.signals import batch_of_changes
from nsx.cache import content_changed_on_commit
from nsx.commands import lock_data_writes
from nsx.tallies import Tally

_LOOK_UP = object()

# A framework's field as the file names it, where the names differ.
FILE_NAMES = {"context_covered": "context"}


@dataclass
class ImportReport:
    KINDS = (
        "job zones",
        "occupations",
        "related titles",
        "apprenticeships",
        "CIP programs",
        "scales",
        "levels",
        "sections",
        "domains",
        "sources",
        "anchors",
        "frameworks",
        "statements",
        "citations",
        "metrics",
    )
    CONTENT = ("statements", "citations", "metrics")

    name: str
    dry_run: bool = False
    framework: Framework | None = None
    tallies: dict = field(default_factory=lambda: {kind: Tally() for kind in ImportReport.KINDS})

    @property
    def changes(self):
        return sum(tally.changes for tally in self.tallies.values())

    @property
    def shared_changes(self):
        """Changes to what other frameworks and pages share (occupations, sources, anchors, scales…)."""
        return sum(
            tally.changes for kind, tally in self.tallies.items() if kind not in ("frameworks", *self.CONTENT)
        )


def read_framework_file(path):
    """The name problems call the file, and the checked file with the line of each value;
    FrameworkFileError listing every problem otherwise."""
    if str(path) == STANDARD_STREAM:
        name, raw = STANDARD_INPUT_NAME, sys.stdin.buffer.read()
    else:
        name, raw = str(path), Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FrameworkFileError(
            name, [Problem(raw[: error.start].count(b"\n") + 1, (), "not UTF-8 text")]
        ) from None
    parsed = parse(text, name)
    if found := problems(parsed):
        raise FrameworkFileError(name, found)
    return name, parsed


def import_framework(path, *, dry_run=False):
    """Create or update the framework a file describes (standard input for "-"); roll everything back when
    `dry_run`.

    FrameworkFileError if the file is wrong, or would change a version the public has read.
    """
    name, parsed = read_framework_file(path)
    data = parsed.data
    # Per-row follow-ups wait for the end: the occupation's derived fields are rebuilt, and the content
    # generation moved, once for the whole file rather than once for each row it saves.
    with transaction.atomic(), batch_of_changes():
        lock_data_writes()
        was_public = (
            Framework.objects.public()
            .filter(occupation__soc_code=data["occupation"]["soc_code"], version=data["version"])
            .exists()
        )
        report = _Writer(parsed, ImportReport(name, dry_run=dry_run)).write()
        if dry_run:
            transaction.set_rollback(True)
        elif report.changes:
            refresh_derived_fields([report.framework.occupation_id])
            if was_public or report.framework.is_public or report.shared_changes:
                content_changed_on_commit()
    return report


class _Writer:
    def __init__(self, parsed, report):
        self.parsed = parsed
        self.data = parsed.data
        self.report = report

    def sync(self, kind, model, lookup, values, instance=_LOOK_UP, on_create=None):
        """Create the row, or save those of its fields that differ from `values`; count which; return it."""
        tally = self.report.tallies[kind]
        if instance is _LOOK_UP:
            instance = model.objects.filter(**lookup).first()
        if instance is None:
            tally.created += 1
            return model.objects.create(**lookup, **values, **(on_create or {}))
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            instance.save(update_fields=changed)
            tally.updated += 1
        else:
            tally.unchanged += 1
        return instance

    def mark_updated(self, kind):
        """The file's one row of this kind was counted unchanged, but its links or content changed."""
        tally = self.report.tallies[kind]
        if tally.unchanged:
            tally.unchanged -= 1
            tally.updated += 1

    def write(self):
        data = self.data
        occupation = self._occupation(data["occupation"])
        scales, levels = self._scales(data["scales"])
        sections = self._sections(data["sections"], scales)
        domains = self._domains(data.get("domains", []))
        sources = self._sources(data.get("sources", []))
        anchors = self._anchors(occupation, data.get("anchors", []), sources)
        framework, read_only = self._framework(occupation)
        section_levels = {item["key"]: levels[item["scale"]] for item in data["sections"]}
        self._statements(
            framework, data.get("statements", []), sections, section_levels, domains, sources, anchors
        )
        self._metrics(framework, data.get("metrics", []), sources)
        if read_only:
            self._refuse_changes(*read_only)
        if any(self.report.tallies[kind].changes for kind in ("frameworks", *ImportReport.CONTENT)):
            framework.save(update_fields=["updated_at"])  # content changed: the framework was updated
            self.mark_updated("frameworks")
        self.report.framework = framework
        return self.report

    def _framework(self, occupation):
        """The file's version, written; and, if the public has read it, its status and what changed."""
        data = self.data
        # As in the workflow: the import and a workflow step on the occupation take turns, so the status
        # checked below is still the status when the import commits.
        Occupation.objects.select_for_update().get(pk=occupation.pk)
        stored = Framework.objects.filter(occupation=occupation, version=data["version"]).first()
        values = {"context_covered": data.get("context", ""), "status": data["status"]}
        if "published_at" in data:
            values["published_at"] = parse_datetime(data["published_at"])
        elif data["status"] == Framework.Status.PUBLISHED and (stored is None or stored.is_editable):
            values["published_at"] = timezone.now()  # newly published: dated as publishing in admin dates it
        read_only = None
        if stored is not None and not stored.is_editable:
            changed = [name for name, value in values.items() if getattr(stored, name) != value]
            read_only = stored.get_status_display().lower(), changed
        if data["status"] == Framework.Status.PUBLISHED:
            # As publishing in admin does: the file's version becomes the occupation's current one.
            self.report.tallies["frameworks"].updated += workflow.supersede_published(occupation.pk, data["version"])
        framework = self.sync(
            "frameworks", Framework, {"occupation": occupation, "version": data["version"]}, values, stored
        )
        return framework, read_only

    def _refuse_changes(self, status, changed):
        """What the public has read stays as it was, as in admin (Framework.is_editable): refuse the file.

        Raised once everything is written, to name every change; the import's transaction undoes them.
        """
        name = f"{self.data['occupation']['soc_code']} v{self.data['version']}"
        found = []
        if "status" in changed:
            wanted = Framework.Status(self.data["status"]).label.lower()
            found.append(
                self.parsed.problem(
                    ("status",),
                    f"{name} is {status}: a framework file cannot make it {wanted}; "
                    "the workflow in the admin changes its status",
                )
            )
        changes = [FILE_NAMES.get(field, field) for field in changed if field != "status"]
        for kind in ImportReport.CONTENT:
            tally = self.report.tallies[kind]
            counts = [(getattr(tally, column), column) for column in ("created", "updated", "deleted")]
            if tally.changes:
                changes.append(f"{kind}: " + ", ".join(f"{n} {column}" for n, column in counts if n))
        if changes:
            found.append(
                self.parsed.problem(
                    ("version",),
                    f"{name} is {status}: its content is read-only; to import the change as a new version, "
                    f"give the file a version of its own and status draft (the file would change "
                    f"{'; '.join(changes)})",
                )
            )
        if found:
            raise FrameworkFileError(self.report.name, found)

    def _occupation(self, item):
        zone = item.get("job_zone")
        # Job zones are O*NET's, shared by every occupation in them: the file only creates a missing one.
        job_zone = zone and self.sync(
            "job zones",
            JobZone,
            {"number": int(zone["number"])},
            {},
            on_create={"name": zone["name"], "description": zone.get("description", "")},
        )
        occupation = Occupation.objects.filter(soc_code=item["soc_code"]).first()
        values = {
            "title": item["title"],
            "description": item.get("description", ""),
            "job_zone_id": job_zone.pk if job_zone else None,
        }
        occupation = self.sync(
            "occupations",
            Occupation,
            {"soc_code": item["soc_code"]},
            _given(item, values, occupation, {"job_zone_id": "job_zone"}),
            occupation,
        )

        stored = {(title.kind, title.title): title for title in occupation.titles.all()}
        # O*NET lists a title once per occupation, under one kind: the file's title is that row, whatever
        # kind the file gives it, so that the page does not show it twice.
        imported = {title.title: title for title in stored.values() if _imported(title)}
        listed = []
        for entry in item.get("related_titles", []):
            kind = entry.get("kind", OccupationTitle.Kind.ALTERNATE.value)
            listed.append((kind, stored.get((kind, entry["title"])) or imported.get(entry["title"])))
        places = _places(stored.values(), listed)
        for entry, (kind, title), position in zip(item.get("related_titles", []), listed, places, strict=True):
            values = _given(entry, {"short_title": entry.get("short_title", "")}, title)
            if position is not None:
                values["position"] = position
            self.sync(
                "related titles",
                OccupationTitle,
                {"occupation": occupation, "kind": kind, "title": entry["title"]},
                values,
                title,
            )
        apprenticeships = [
            self.sync(
                "apprenticeships",
                Apprenticeship,
                {"rapids_code": entry["rapids_code"]},
                {"title": entry["title"]},
            )
            for entry in item.get("apprenticeships", [])
        ]
        programs = []
        for entry in item.get("cip_programs", []):
            program = CipProgram.objects.filter(code=entry["code"]).first()
            values = _given(entry, {"title": entry.get("title", "")}, program)
            programs.append(self.sync("CIP programs", CipProgram, {"code": entry["code"]}, values, program))
        for relation, rows in (
            (occupation.apprenticeships, apprenticeships),
            (occupation.cip_programs, programs),
        ):
            if missing := set(rows) - set(relation.all()):
                relation.add(*missing)
                self.mark_updated("occupations")
        return occupation

    def _scales(self, items):
        scales, levels = {}, {}
        for item in items:
            scale = self.sync("scales", ProficiencyScale, {"key": item["key"]}, {"name": item["name"]})
            existing = {level.key: level for level in scale.levels.all()}
            last = max((level.position for level in existing.values()), default=0)
            levels[scale.key] = {}
            for entry in item["levels"]:
                level = existing.get(entry["key"])
                last += level is None
                levels[scale.key][entry["key"]] = self.sync(
                    "levels",
                    Level,
                    {"scale": scale, "key": entry["key"]},
                    {"name": entry["name"], "role_label": entry.get("role_label", "")},
                    level,
                    on_create={"position": last},
                )
            scales[scale.key] = scale
        return scales, levels

    def _shared(self, kind, model, items, values, kept=()):
        """Rows every framework shares, by key: new ones go after the site's existing ones.

        A stored row whose key is in `kept` is left as it is.
        """
        existing = model.objects.in_bulk([item["key"] for item in items], field_name="key")
        last = model.objects.aggregate(last=Max("position"))["last"] or 0
        rows = {}
        for item in items:
            row = existing.get(item["key"])
            last += row is None
            wanted = {} if row is not None and row.key in kept else values(item)
            rows[item["key"]] = self.sync(kind, model, {"key": item["key"]}, wanted, row, {"position": last})
        return rows

    def _sections(self, items, scales):
        return self._shared(
            "sections",
            Section,
            items,
            lambda item: {
                "name": item["name"],
                "description": item.get("description", ""),
                "scale_id": scales[item["scale"]].pk,
                "uses_domains": item.get("uses_domains", False),
                "shows_role_labels": item.get("shows_role_labels", False),
                "shows_evidence": item.get("shows_evidence", False),
            },
        )

    def _domains(self, items):
        return self._shared(
            "domains",
            Domain,
            items,
            lambda item: {"name": item["name"], "description": item.get("description", "")},
        )

    def _sources(self, items):
        optional = ("footer_label", "version", "publisher", "licence", "url")
        # The source an O*NET import credits its anchors to is the import's, like the anchors.
        releases = {release_source_key(version) for version in OnetRelease.objects.values_list("version", flat=True)}
        return self._shared(
            "sources",
            Source,
            items,
            lambda item: {
                "label": item["label"],
                "title": item["title"],
                **{name: item.get(name, "") for name in optional},
            },
            kept=releases,
        )

    def _anchors(self, occupation, items, sources):
        stored = {
            (anchor.kind, anchor.onet_id): anchor
            for anchor in SourceAnchor.objects.filter(occupation=occupation)
        }
        listed = [(item["kind"], stored.get((item["kind"], item["onet_id"]))) for item in items]
        places = _places(stored.values(), listed)
        anchors = {}
        for item, (kind, anchor), position in zip(items, listed, places, strict=True):
            importance = item.get("importance")
            values = {
                "name": item["name"],
                "importance": None if importance is None else Decimal(importance),
                "task_type": item.get("task_type", ""),
                "hot_technology": item.get("hot_technology", False),
                "in_demand": item.get("in_demand", False),
                "source_id": sources[item["source"]].pk if item.get("source") is not None else None,
            }
            values = _given(item, values, anchor, {"source_id": "source"})
            if position is not None:
                values["position"] = position
            anchors[f"{kind}:{item['onet_id']}"] = self.sync(
                "anchors",
                SourceAnchor,
                {"occupation": occupation, "kind": kind, "onet_id": item["onet_id"]},
                values,
                anchor,
            )
        return anchors

    def _statements(self, framework, items, sections, section_levels, domains, sources, anchors):
        keys = [item["key"] for item in items]
        uids = statement_uids(framework.occupation.soc_code, framework.version, keys)
        citations = Citation.objects.prefetch_related("anchors")
        existing = {
            statement.uid: statement
            for statement in framework.statements.prefetch_related(Prefetch("citations", queryset=citations))
        }
        wanted = []
        in_place = defaultdict(list)  # (section, domain, level) -> its statements, in the file's order
        for item in items:
            section = sections[item["section"]]
            domain = domains[item["domain"]] if "domain" in item else None
            level = section_levels[item["section"]][item["level"]]
            place = (section.pk, domain and domain.pk, level.pk)
            uid = uids[item["key"]]
            values = {
                "section_id": section.pk,
                "domain_id": domain and domain.pk,
                "level_id": level.pk,
                "title": item["title"],
                "text": item["text"],
            }
            wanted.append((uid, values, item.get("citations", [])))
            stored = existing.get(uid)
            stays = stored is not None and (stored.section_id, stored.domain_id, stored.level_id) == place
            in_place[place].append((values, stored.position if stays else None))
        for listed in in_place.values():
            positions = _positions([position for _, position in listed])
            for (values, _), position in zip(listed, positions, strict=True):
                values["position"] = position

        kept = {uid for uid, _, _ in wanted}
        if stale := [statement for uid, statement in existing.items() if uid not in kept]:
            self.report.tallies["citations"].deleted += sum(
                len(statement.citations.all()) for statement in stale
            )
            Statement.objects.filter(pk__in=[statement.pk for statement in stale]).delete()
            self.report.tallies["statements"].deleted += len(stale)

        place_fields = ("section_id", "domain_id", "level_id", "position")
        moving = [
            existing[uid]
            for uid, values, _ in wanted
            if uid in existing and any(getattr(existing[uid], name) != values[name] for name in place_fields)
        ]
        for statement, parked in zip(moving, park_statements(moving), strict=True):
            statement.position = parked  # so its save writes the position it goes to, even its old one

        for uid, values, cited in wanted:
            statement = self.sync(
                "statements", Statement, {"framework": framework, "uid": uid}, values, existing.get(uid)
            )
            previous = existing[uid].citations.all() if uid in existing else []
            self._citations(statement, cited, previous, sources, anchors)

    def _citations(self, statement, items, previous, sources, anchors):
        tally = self.report.tallies["citations"]
        by_source = {citation.source_id: citation for citation in previous}
        cited = []
        for item in items:
            key, references = (
                (item, []) if isinstance(item, str) else (item["source"], item.get("anchors", []))
            )
            cited.append((sources[key], {anchors[reference].pk for reference in references}))
        stored = [by_source[source.pk].position if source.pk in by_source else None for source, _ in cited]
        for (source, anchor_ids), position in zip(cited, _positions(stored), strict=True):
            citation = by_source.pop(source.pk, None)
            if citation is None:
                citation = Citation.objects.create(statement=statement, source=source, position=position)
                citation.anchors.set(anchor_ids)
                tally.created += 1
                continue
            changed = citation.position != position
            if changed:
                citation.position = position
                citation.save(update_fields=["position"])
            if {anchor.pk for anchor in citation.anchors.all()} != anchor_ids:
                citation.anchors.set(anchor_ids)
                changed = True
            tally.updated += changed
            tally.unchanged += not changed
        if by_source:
            Citation.objects.filter(pk__in=[citation.pk for citation in by_source.values()]).delete()
            tally.deleted += len(by_source)

    def _metrics(self, framework, items, sources):
        existing = {(metric.group, metric.key): metric for metric in framework.evidence_metrics.all()}
        identities = [(item["group"], item["key"]) for item in items]
        stored = [existing[identity].position if identity in existing else None for identity in identities]
        for item, identity, position in zip(items, identities, _positions(stored), strict=True):
            self.sync(
                "metrics",
                EvidenceMetric,
                {"framework": framework, "group": item["group"], "key": item["key"]},
                {
                    "label": item.get("label", ""),
                    "value": item["value"],
                    "unit": item.get("unit", ""),
                    "source_id": sources[item["source"]].pk,
                    "position": position,
                },
                existing.pop(identity, None),
            )
        if existing:
            EvidenceMetric.objects.filter(pk__in=[metric.pk for metric in existing.values()]).delete()
            self.report.tallies["metrics"].deleted += len(existing)


def _imported(row):
    """Whether an O*NET import wrote the row (it stamped it with its release): then the import owns it."""
    return getattr(row, "release_id", None) is not None


def _given(item, values, row, renamed=None):
    """What of `values` the file writes to `row`, one of the occupation's facts, which O*NET shares.

    A new row takes every value, a missing field's as empty. A row an O*NET import wrote takes none: its
    values are the release's, and the next import would put them back. Any other row takes the fields the
    file writes and keeps those it leaves out. `renamed` maps a value to its field's name in the file.
    """
    if row is None:
        return values
    if _imported(row):
        return {}
    renamed = renamed or {}
    return {name: value for name, value in values.items() if renamed.get(name, name) in item}


def _positions(stored):
    """The positions of a framework's rows listed in the file's order, given each one's stored position
    (None: new there): a statement's in its level, a citation's on its statement, a metric's in the pack.

    The rows keep their stored positions while the file lists them in that order, a new row taking the
    next after the row before it, so that an export imports back unchanged where a deletion left a gap;
    otherwise, or where that would pass the highest position a row may have, they are numbered 1, 2, 3…
    in the file's order.
    """
    positions = []
    for kept in stored:
        last = positions[-1] if positions else 0
        position = last + 1 if kept is None else kept
        if not last < position <= MAX_POSITION:
            return list(range(1, len(stored) + 1))
        positions.append(position)
    return positions


def _places(stored, listed):
    """The positions of the rows a file lists of one occupation, in its order, by kind; None: leave it.

    `stored` are the occupation's rows (titles or anchors) and `listed` the file's as (kind, stored row or
    None). A row an O*NET import wrote keeps its place, and so does a row the file does not list. A listed
    row keeps its place while that is free and after the row the file lists before it; otherwise, as a new
    row does, it takes the first free place after that row. So a file in the stored order changes nothing,
    the file's order is kept, and no row shares a place with one an O*NET import wrote, whose own rows
    take the places left free in turn (onet_import._free_places).
    """
    moved = {row.pk for _, row in listed if row is not None and not _imported(row)}
    taken = defaultdict(set)
    for row in stored:
        if row.pk not in moved:
            taken[row.kind].add(row.position)
    last = Counter()
    places = []
    for kind, row in listed:
        if _imported(row):
            if row.kind == kind:
                last[kind] = max(last[kind], row.position)
            places.append(None)
            continue
        position = row.position if row is not None else None
        if position is None or position <= last[kind] or position in taken[kind]:
            position = next(place for place in count(last[kind] + 1) if place not in taken[kind])
        taken[kind].add(position)
        last[kind] = position
        places.append(position)
    return places
