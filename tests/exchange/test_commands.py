import io
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from django.core import serializers
from django.core.management import CommandError
from django.utils import timezone
from jsonschema import Draft202012Validator

from evidence.models import Citation, EvidenceMetric, Source, SourceAnchor
from exchange.fileformat import parse
from exchange.identifiers import derived, statement_uid
from exchange.services import _Writer, import_framework
from exchange.validation import schema
from frameworks import workflow
from frameworks.history import BASELINE_REASON
from frameworks.models import MAX_POSITION, Framework, Occupation, OccupationTitle, Section, Statement
from nsx.cache import content_changed
from tests.database import snapshot
from tests.exchange.conftest import MINIMAL, SEED_FILE, SOC, export, flush, run, statement_block
from tests.factories import EvidenceMetricFactory, FrameworkFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_file_is_the_export_of_the_seed_fixture(seed):
    assert export() == SEED_FILE.read_text(encoding="utf-8")


def test_export_import_export_is_byte_identical(seed, empty_database, framework_file, tmp_path):
    first = SEED_FILE.read_bytes()
    assert not Framework.objects.exists()

    run("import_framework", str(SEED_FILE))
    run("export_framework", SOC, output=str(tmp_path / "again.yaml"))

    assert (tmp_path / "again.yaml").read_bytes() == first


def test_the_section_that_shows_the_evidence_pack_is_exported_and_imported(seed, framework_file):
    Section.objects.filter(key="ai").update(shows_evidence=False)
    Section.objects.filter(key="durable").update(shows_evidence=True)
    text = export()
    # The seed's flags again, for the import to move.
    Section.objects.update(shows_evidence=False)
    Section.objects.filter(key="ai").update(shows_evidence=True)

    run("import_framework", str(framework_file(text)))

    exported = parse(text, "framework.yaml").data["sections"]
    assert [section.get("shows_evidence", False) for section in exported] == [False, False, True]
    assert dict(Section.objects.values_list("key", "shows_evidence")) == {
        "skills": False,
        "ai": False,
        "durable": True,
    }


def test_the_exported_seed_is_valid_against_the_schema(seed):
    Draft202012Validator.check_schema(schema())
    document = parse(export(), "seed.yaml").data
    Draft202012Validator(schema()).validate(document)
    assert yaml.safe_load(json.dumps(document)) == document


def test_schema_vocabularies_match_the_models():
    definitions = schema()["$defs"]
    assert schema()["properties"]["status"]["enum"] == Framework.Status.values
    assert definitions["anchor"]["properties"]["kind"]["enum"] == SourceAnchor.Kind.values
    assert definitions["metric"]["properties"]["group"]["enum"] == EvidenceMetric.Group.values


def test_a_negative_work_style_impact_exports_and_imports_back(db, framework_file):
    # O*NET 30 rates work styles on WI, from -3 to 3, and manage.py import_onet stores it as importance.
    text = MINIMAL.replace(
        "  - kind: task\n    onet_id: 720\n    name: Customize insurance programs.\n",
        "  - kind: task\n    onet_id: 720\n    name: Customize insurance programs.\n"
        "  - kind: work_style\n    onet_id: 1.D.2.a\n    name: Humility\n    importance: -0.59\n",
    )
    run("import_framework", str(framework_file(text)))

    output = run("import_framework", str(framework_file(export("11-9999.00", framework_version="1.0"))))

    assert str(SourceAnchor.objects.get(onet_id="1.D.2.a").importance) == "-0.59"
    assert "Nothing changed: the database already matches the file." in output


def anchor_rows():
    return serializers.serialize("json", SourceAnchor.objects.order_by("pk"))


def test_an_export_imported_back_puts_back_anchor_fields_cleared_since(seed, framework_file, tmp_path):
    reading = SourceAnchor.objects.get(occupation=seed.occupation, kind="skill", onet_id="2.A.1.a")
    reading.importance, reading.source = None, None
    reading.save()
    before = anchor_rows()
    run("export_framework", SOC, output=str(tmp_path / "export.yaml"))
    # Since the export, a curator gave the anchors values the file has as empty.
    SourceAnchor.objects.filter(pk=reading.pk).update(
        importance="4.00", source=Source.objects.get(key="onet"), task_type="Core", hot_technology=True
    )
    SourceAnchor.objects.filter(occupation=seed.occupation, kind="task", onet_id="720").update(
        importance="3.50", in_demand=True
    )

    output = run("import_framework", str(tmp_path / "export.yaml"))

    assert anchor_rows() == before
    assert re.search(r"^anchors\s+0\s+2\s+55\s+0$", output, re.MULTILINE)
    assert "Nothing changed" in run("import_framework", str(tmp_path / "export.yaml"))


def test_import_into_an_empty_database_creates_everything_and_says_so(empty_database):
    output = run("import_framework", str(SEED_FILE))

    framework = Framework.objects.get(occupation__soc_code=SOC, version="26.05")
    assert framework.status == Framework.Status.PUBLISHED
    assert framework.statements.count() == 136
    assert Citation.objects.filter(statement__framework=framework).count() == 160
    assert framework.evidence_metrics.count() == 10
    assert SourceAnchor.objects.filter(occupation=framework.occupation).count() == 57
    assert re.search(r"statements\s+136\s+0\s+0\s+0", output)
    assert "Imported 409 changes." in output


def test_a_second_import_changes_nothing_and_says_so(empty_database):
    run("import_framework", str(SEED_FILE))
    framework = Framework.objects.get()
    before = framework.updated_at

    output = run("import_framework", str(SEED_FILE))

    assert "Nothing changed: the database already matches the file." in output
    assert re.search(r"statements\s+0\s+0\s+136\s+0", output)
    framework.refresh_from_db()
    assert framework.updated_at == before


def test_importing_the_file_over_the_fixture_changes_nothing(seed):
    report = import_framework(SEED_FILE)

    assert report.changes == 0


def test_dry_run_reports_but_changes_nothing(empty_database):
    output = run("import_framework", str(SEED_FILE), dry_run=True)

    assert "Dry run: nothing was saved." in output
    assert re.search(r"statements\s+136\s+0\s+0\s+0", output)
    assert not Framework.objects.exists()
    assert not Source.objects.exists()


def test_dry_run_of_an_update_leaves_the_framework_as_it_was(draft, framework_file):
    text = export(framework_version="26.06").replace("title: Standard insurance policy types", "title: Changed title")

    run("import_framework", str(framework_file(text)), dry_run=True)

    assert draft.statements.filter(title="Standard insurance policy types").exists()
    assert not Statement.objects.filter(title="Changed title").exists()


def newer_version_of_the_seed():
    """The seed file as version 26.07, keyed by the statements of 26.05 as its export is."""
    return SEED_FILE.read_text().replace("version: 26.05\n", "version: 26.07\n", 1)


def test_importing_a_new_published_version_archives_the_current_one(client, seed, framework_file):
    text = newer_version_of_the_seed()

    output = run("import_framework", str(framework_file(text)))

    seed.refresh_from_db()
    newer = Framework.objects.get(version="26.07")
    assert (seed.status, newer.status) == (Framework.Status.ARCHIVED, Framework.Status.PUBLISHED)
    assert seed.history.first().history_change_reason == "Superseded by v.26.07"
    assert re.search(r"frameworks\s+1\s+1\s+0\s+0", output)  # 26.07 created, 26.05 archived
    assert client.get("/").text.count(f'href="/occupations/{SOC}/"') == 1
    assert client.get(f"/occupations/{SOC}/").context["framework"] == newer


def test_a_dry_run_of_a_new_published_version_leaves_the_current_one(seed, framework_file):
    text = newer_version_of_the_seed()

    run("import_framework", str(framework_file(text)), dry_run=True)

    assert list(Framework.objects.published()) == [seed]


def line_of(text, line):
    return text.splitlines().index(line) + 1


def refusal(path):
    """The lines of the CommandError that importing the file raises, after the database is seen unchanged."""
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        run("import_framework", str(path))
    assert snapshot() == before
    return str(raised.value).splitlines()


@pytest.mark.parametrize("status", ["published", "archived"])
def test_an_import_refuses_to_change_the_content_of_a_version_the_public_has_read(seed, framework_file, status):
    Framework.objects.filter(pk=seed.pk).update(status=status)
    text = SEED_FILE.read_text().replace("status: published\n", f"status: {status}\n", 1)
    assert "Nothing changed" in run("import_framework", str(framework_file(text)))
    text = text.replace("title: Standard insurance policy types\n", "title: Changed title\n", 1)
    text = text.replace("published_at: 2026-05-01T00:00:00Z\n", "published_at: 2026-05-02T00:00:00Z\n", 1)
    path = framework_file(text)

    assert refusal(path) == [
        f"{path}: 1 problem; nothing was imported.",
        f"{path}:{line_of(text, 'version: 26.05')}: version: {SOC} v26.05 is {status}: its content is read-only; "
        "to import the change as a new version, give the file a version of its own and status draft "
        "(the file would change published_at; statements: 1 updated)",
    ]


@pytest.mark.parametrize(("stored", "status"), [("published", "draft"), ("published", "archived"), ("archived", "published")])
def test_an_import_refuses_to_change_the_status_of_a_version_the_public_has_read(seed, framework_file, stored, status):
    Framework.objects.filter(pk=seed.pk).update(status=stored)
    text = SEED_FILE.read_text().replace("status: published\n", f"status: {status}\n", 1)
    path = framework_file(text)

    assert refusal(path) == [
        f"{path}: 1 problem; nothing was imported.",
        f"{path}:{line_of(text, f'status: {status}')}: status: {SOC} v26.05 is {stored}: a framework file cannot "
        f"make it {status}; the workflow in the admin changes its status",
    ]


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_an_import_changes_a_draft_or_a_version_in_review(draft, framework_file, status):
    Framework.objects.filter(pk=draft.pk).update(status=status)
    text = export(framework_version="26.06")
    text = text.replace("title: Standard insurance policy types\n", "title: Changed title\n", 1)

    output = run("import_framework", str(framework_file(text)))

    assert re.search(r"statements\s+0\s+1\s+135\s+0", output)
    assert draft.statements.filter(title="Changed title").exists()


def test_a_file_that_leaves_out_published_at_keeps_the_stored_date(seed, framework_file):
    text = SEED_FILE.read_text().replace("published_at: 2026-05-01T00:00:00Z\n", "", 1)

    output = run("import_framework", str(framework_file(text)))

    assert "Nothing changed: the database already matches the file." in output
    seed.refresh_from_db()
    assert seed.published_at == datetime(2026, 5, 1, tzinfo=UTC)


def test_a_version_a_file_publishes_without_a_date_is_dated_when_imported(seed, draft, framework_file):
    # Published once, and taken back to draft since: publishing again dates it afresh, as in the admin.
    Framework.objects.filter(pk=draft.pk).update(published_at=datetime(2026, 1, 1, tzinfo=UTC))
    text = re.sub(r"published_at: .*\n", "", export(framework_version="26.06"), count=1)
    text = text.replace("status: draft\n", "status: published\n", 1)
    before = timezone.now()

    run("import_framework", str(framework_file(text)))

    draft.refresh_from_db()
    seed.refresh_from_db()
    assert (seed.status, draft.status) == (Framework.Status.ARCHIVED, Framework.Status.PUBLISHED)
    assert before <= draft.published_at <= timezone.now()


def test_an_export_empties_the_occupation_fields_it_has_empty(seed, framework_file):
    occupation = seed.occupation
    title = OccupationTitle.objects.filter(occupation=occupation, title="Account Specialist")
    zone = occupation.job_zone
    Occupation.objects.filter(pk=occupation.pk).update(description="", job_zone=None)
    occupation.cip_programs.update(title="")
    text = export()
    assert "  job_zone: null\n" in text
    # What another database holds for those fields: the export's empty values replace it.
    Occupation.objects.filter(pk=occupation.pk).update(description="A stale description.", job_zone=zone)
    title.update(short_title="Stale")
    occupation.cip_programs.update(title="Stale")

    run("import_framework", str(framework_file(text)))

    assert Occupation.objects.get(pk=occupation.pk).description == ""
    assert Occupation.objects.get(pk=occupation.pk).job_zone is None
    assert title.get().short_title == ""
    assert list(occupation.cip_programs.values_list("title", flat=True)) == [""]
    assert export() == text


def test_an_export_imports_back_unchanged_after_deletions_left_gaps(draft, framework_file):
    draft.statements.filter(section__key="skills", level__key="emerging").first().delete()
    cited = next(statement for statement in draft.statements.all() if statement.citations.count() > 1)
    cited.citations.first().delete()
    draft.evidence_metrics.first().delete()

    output = run("import_framework", str(framework_file(export(framework_version="26.06"))))

    assert "Nothing changed: the database already matches the file." in output


def test_an_update_removes_what_the_file_no_longer_lists_of_that_framework_only(draft, framework_file):
    other = FrameworkFactory(occupation__soc_code="15-1252.00")
    StatementFactory.create_batch(3, framework=other)
    EvidenceMetricFactory(framework=other)
    dropped = Statement.objects.get(framework=draft, title="Standard insurance policy types")
    dropped_citations = dropped.citations.count()
    text = export(framework_version="26.06")
    text = text.replace(statement_block(text, dropped.uid), "")
    text = text.replace(
        "  - group: wef_cluster\n    key: cluster_key\n"
        "    value: human_technology_interaction\n    source: wef\n",
        "",
    )

    output = run("import_framework", str(framework_file(text)))

    assert draft.statements.count() == 135
    assert not Statement.objects.filter(uid=dropped.uid).exists()
    assert Citation.objects.filter(statement__framework=draft).count() == 160 - dropped_citations
    assert not draft.evidence_metrics.filter(key="cluster_key").exists()
    # The statements after it in its level keep their places, so the next export imports back unchanged.
    assert re.search(r"statements\s+0\s+0\s+135\s+1", output)
    assert re.search(rf"citations\s+0\s+0\s+{160 - dropped_citations}\s+{dropped_citations}", output)
    assert re.search(r"metrics\s+0\s+0\s+9\s+1", output)
    assert other.statements.count() == 3
    assert other.evidence_metrics.count() == 1


def test_reordering_statements_moves_them_without_colliding(draft, framework_file):
    first, second = Statement.objects.filter(framework=draft, section__key="skills", level__key="emerging")[:2]
    text = export(framework_version="26.06")
    first_block, second_block = statement_block(text, first.uid), statement_block(text, second.uid)
    text = text.replace(first_block + second_block, second_block + first_block)

    run("import_framework", str(framework_file(text)))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


def test_a_statement_moved_by_import_keeps_its_place_before_the_move_in_its_history(
    seed, editor, framework_file
):
    workflow.apply(seed, "unpublish", editor)
    # Loaded from the fixture, so no history yet: the import's first save records the baseline.
    first, second = Statement.objects.filter(framework=seed, section__key="skills", level__key="emerging")[:2]
    text = export(framework_version="26.05")
    first_block, second_block = statement_block(text, first.uid), statement_block(text, second.uid)
    text = text.replace(first_block + second_block, second_block + first_block)

    run("import_framework", str(framework_file(text)))

    baseline, change = Statement.history.filter(uid=first.uid).order_by("history_date")
    assert (baseline.history_change_reason, baseline.position) == (BASELINE_REASON, first.position)
    assert change.position == second.position


def test_a_new_statement_after_one_at_the_last_position_allowed_renumbers_its_level(draft, framework_file):
    level = Statement.objects.filter(framework=draft, section__key="skills", level__key="emerging")
    last = level.order_by("position").last()
    Statement.objects.filter(pk=last.pk).update(position=MAX_POSITION)
    text = export(framework_version="26.06")
    block = statement_block(text, last.uid)
    added = block.replace(str(last.uid), "a-new-one").replace(last.title, "A new one")
    text = text.replace(block, block + added)

    run("import_framework", str(framework_file(text)))

    # The next place would pass the bound: the level is numbered 1, 2, 3… in the file's order.
    listed = list(level.order_by("position").values_list("title", "position"))
    assert listed[-2:] == [(last.title, len(listed) - 1), ("A new one", len(listed))]


def test_citations_and_their_anchors_are_created_and_updated(draft, framework_file):
    uncited = Statement.objects.get(framework=draft, title="Standard insurance policy types")
    cited = Citation.objects.filter(statement__framework=draft, source__key="aei", anchors=None).first()
    text = export(framework_version="26.06")
    cite_a_task = "      - source: {}\n        anchors:\n          - task:720\n"
    block = statement_block(text, uncited.uid)
    text = text.replace(block, block + "    citations:\n" + cite_a_task.format("onet"))
    block = statement_block(text, cited.statement.uid)
    text = text.replace(block, block.replace("      - aei\n", cite_a_task.format("aei")))

    output = run("import_framework", str(framework_file(text)))

    added = uncited.citations.get()
    assert (added.source.key, [anchor.onet_id for anchor in added.anchors.all()]) == ("onet", ["720"])
    assert [anchor.onet_id for anchor in cited.anchors.all()] == ["720"]
    assert re.search(r"citations\s+1\s+1\s+159\s+0", output)


def test_statement_keys_that_are_not_uuids_derive_a_stable_uid(db, framework_file):
    path = framework_file(MINIMAL)
    run("import_framework", str(path))
    expected = statement_uid("11-9999.00", "1.0", "first")

    assert expected == uuid.uuid5(
        uuid.uuid5(uuid.NAMESPACE_URL, "urn:nsx:framework-exchange"), "statement/11-9999.00/1.0/first"
    )
    assert Statement.objects.get(title="First statement").uid == expected
    run("import_framework", str(path))
    assert Statement.objects.get(title="First statement").uid == expected


def as_new_draft(text, version="26.06"):
    """An export given a new version and status draft, as the refusal to change a published version advises."""
    text = re.sub(r"^version: .*$", f"version: {version}", text, count=1, flags=re.MULTILINE)
    return re.sub(r"^status: .*$", "status: draft", text, count=1, flags=re.MULTILINE)


def test_an_export_given_a_new_version_imports_as_a_new_draft_with_uids_of_its_own(seed, framework_file):
    published = {statement.uid: statement.title for statement in seed.statements.all()}
    path = framework_file(as_new_draft(export()))

    output = run("import_framework", str(path))

    draft = Framework.objects.get(occupation__soc_code=SOC, version="26.06")
    assert draft.status == Framework.Status.DRAFT
    assert re.search(r"statements\s+136\s+0\s+0\s+0", output)
    copied = {statement.uid: statement.title for statement in draft.statements.all()}
    assert len(copied) == 136
    assert not copied.keys() & published.keys()
    # Each uid is derived from the one the key holds, as a key that is no UUID gives its uid.
    assert copied == {derived("statement", SOC, "26.06", uid): title for uid, title in published.items()}
    assert {statement.uid: statement.title for statement in seed.statements.all()} == published
    seed.refresh_from_db()
    assert seed.status == Framework.Status.PUBLISHED

    assert "Nothing changed: the database already matches the file." in run("import_framework", str(path))
    output = run("import_framework", str(framework_file(export(framework_version="26.06"), "new.yaml")))
    assert "Nothing changed: the database already matches the file." in output
    assert {statement.uid for statement in draft.statements.all()} == copied.keys()


def first_key(text):
    """The key of the file's first statement, as its export writes it."""
    return re.search(r"^  - key: ([0-9a-f-]{36})$", text, flags=re.MULTILINE)[1]


def test_a_new_version_may_not_take_the_statements_of_another_occupation(seed, framework_file):
    taken = StatementFactory(framework=FrameworkFactory(occupation__soc_code="15-1252.00", version="2.0")).uid
    text = as_new_draft(export())
    text = text.replace(f"  - key: {first_key(text)}\n", f"  - key: {taken}\n", 1)
    path = framework_file(text)

    assert refusal(path) == [
        f"{path}: 1 problem; nothing was imported.",
        f"{path}:{line_of(text, f'  - key: {taken}')}: statements[0].key: statement {taken} belongs to another "
        "framework, 15-1252.00 v2.0",
    ]


def test_a_key_of_another_version_and_its_counterparts_uid_are_one_statement(seed, framework_file):
    earlier = first_key(export())
    run("import_framework", str(framework_file(as_new_draft(export()))))
    text = export(framework_version="26.06")
    counterpart = first_key(text)
    assert counterpart == str(derived("statement", SOC, "26.06", earlier))
    block = statement_block(text, counterpart)
    text = text.replace(block, block + block.replace(counterpart, earlier), 1)
    path = framework_file(text)

    assert refusal(path) == [
        f"{path}: 1 problem; nothing was imported.",
        f"{path}:{line_of(text, f'  - key: {earlier}')}: statements[1].key: duplicate statement key "
        f'"{earlier}" (first on line {line_of(text, f"  - key: {counterpart}")})',
    ]


def test_a_file_keyed_by_the_earlier_version_matches_the_statements_of_a_copy_made_in_admin(
    draft, framework_file
):
    # The admin's copy and the file give each statement the same counterpart uid in the new version.
    copied = set(draft.statements.values_list("uid", flat=True))

    output = run("import_framework", str(framework_file(as_new_draft(export()))))

    assert re.search(r"statements\s+0\s+0\s+136\s+0", output)
    assert set(draft.statements.values_list("uid", flat=True)) == copied


def test_the_json_served_at_framework_json_imports_back(client, seed, framework_file):
    served = client.get(f"/occupations/{SOC}/framework.json").content.decode()
    path = framework_file(served, "framework.json")
    flush()
    run("import_framework", str(path))

    assert export() == SEED_FILE.read_text()


def test_export_picks_the_newest_published_framework_or_the_version_asked_for(seed):
    FrameworkFactory(occupation=seed.occupation, version="27.01", status=Framework.Status.DRAFT)

    assert "version: 26.05\n" in export()
    assert "version: 27.01\nstatus: draft\n" in export(framework_version="27.01")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("99-9999.99",), "No occupation has the O*NET-SOC code 99-9999.99."),
        ((SOC, "--version", "1.0"), "41-3021.00 has no version 1.0; its frameworks: 26.05 (published)."),
    ],
)
def test_export_errors(seed, arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("export_framework", *arguments)


def test_export_without_a_published_framework_names_the_drafts(db):
    framework = FrameworkFactory(status=Framework.Status.DRAFT, version="0.1")

    with pytest.raises(CommandError) as raised:
        export(framework.occupation.soc_code)

    assert (
        str(raised.value)
        == f"{framework.occupation.soc_code} has no published framework; its frameworks: 0.1 (draft)."
    )


@pytest.mark.parametrize("place", ["folder", "missing/framework.yaml"])
def test_export_to_a_place_it_cannot_write_is_a_command_error(seed, tmp_path, place):
    output = tmp_path / place
    (tmp_path / "folder").mkdir()

    with pytest.raises(CommandError, match=rf"^{re.escape(str(output))}: cannot write the framework file: "):
        export(output=str(output))


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import_framework", str(tmp_path / "missing.yaml"))


def test_an_import_moves_the_content_generation_once(draft, framework_file, django_capture_on_commit_callbacks):
    text = export(framework_version="26.06")
    for title in ("Standard insurance policy types", "CRM software", "Claims communication"):
        text = text.replace(f"title: {title}\n", f"title: {title} (revised)\n", 1)
    text = text.replace("    - title: Account Specialist\n", "    - title: Account Services Specialist\n", 1)

    with django_capture_on_commit_callbacks() as callbacks:
        report = import_framework(framework_file(text))

    assert report.tallies["statements"].updated == 3
    assert callbacks.count(content_changed) == 1
    # The occupation's searchable titles, which rows rebuild one at a time outside an import, are current.
    assert "Account Services Specialist" in Occupation.objects.get(soc_code=SOC).other_titles


def test_importing_a_draft_leaves_public_pages_standing(seed, framework_file, django_capture_on_commit_callbacks):
    text = newer_version_of_the_seed().replace("status: published\n", "status: draft\n", 1)

    with django_capture_on_commit_callbacks() as callbacks:
        report = import_framework(framework_file(text))

    assert report.tallies["statements"].created == 136
    assert content_changed not in callbacks


def test_a_source_without_a_footer_label_stays_off_the_sources_line(client, db, framework_file):
    text = MINIMAL.replace("    footer_label: O*NET\n", "").replace("status: draft", "status: published")

    run("import_framework", str(framework_file(text)))

    source = Source.objects.get(key="onet")
    assert (source.label, source.footer_label) == ("O*NET", "")
    assert "footer_label" not in run("export_framework", "11-9999.00")
    sources_line = re.search(r'<p class="sources-line">(.*?)</p>', client.get("/").text, re.S)[1]
    assert "O*NET" not in sources_line
    page = client.get("/occupations/11-9999.00/")
    assert 'class="chip"' in page.text and ">O*NET<" in page.text


def test_ctrl_c_mid_import_says_so_and_changes_nothing(seed, tmp_path, monkeypatch):
    path = tmp_path / "framework.yaml"
    path.write_text(
        SEED_FILE.read_text(encoding="utf-8").replace("status: published", "status: draft", 1)
        .replace("version: 26.05", "version: 26.06", 1),
        encoding="utf-8",
    )
    before = snapshot()

    def interrupted(self, *args):
        raise KeyboardInterrupt

    # Ctrl-C while the import writes, after the occupation, vocabulary and framework.
    monkeypatch.setattr(_Writer, "_statements", interrupted)
    with pytest.raises(CommandError) as error:
        run("import_framework", str(path))

    assert str(error.value) == "Interrupted: nothing was imported."
    assert error.value.returncode == 130
    assert snapshot() == before


def test_import_framework_dash_reads_json_from_standard_input(client, seed, monkeypatch):
    served = client.get(f"/occupations/{SOC}/framework.json").content
    new_version = served.replace(b'"version": "26.05"', b'"version": "26.06"', 1).replace(
        b'"status": "published"', b'"status": "draft"', 1
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(new_version)))

    output = run("import_framework", "-")

    assert output.startswith(f"{SOC} Insurance Sales Agents v26.06 from <stdin>\n")
    assert Framework.objects.get(occupation__soc_code=SOC, version="26.06").statements.count() == 136


def test_a_json_problem_from_standard_input_is_named_by_its_line(seed, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'\xef\xbb\xbf\n{"format": "nsx-framework/1",\n')))

    with pytest.raises(CommandError) as error:
        run("import_framework", "-")

    assert str(error.value).splitlines()[1].startswith("<stdin>:3: not valid JSON: ")


def test_ctrl_c_mid_export_leaves_the_last_export_whole(seed, tmp_path, monkeypatch):
    output = tmp_path / "framework.yaml"
    output.write_text("the last export\n", encoding="utf-8")
    write_text = Path.write_text

    def interrupted(path, text, **options):
        write_text(path, text[:100], **options)
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", interrupted)
    with pytest.raises(CommandError) as error:
        export(output=str(output))

    assert (str(error.value), error.value.returncode) == ("Interrupted: nothing was written.", 130)
    assert output.read_text(encoding="utf-8") == "the last export\n"
    assert [path.name for path in tmp_path.iterdir()] == ["framework.yaml"]


def test_a_fixture_given_to_import_framework_says_to_use_loaddata(db):
    fixture = SEED_FILE.parents[1] / "insurance-sales-agents.json"

    with pytest.raises(CommandError) as error:
        run("import_framework", str(fixture))

    assert str(error.value).splitlines()[1] == (
        f"{fixture}:1: expected a mapping, found a list of records: a fixture, which loaddata loads"
    )
