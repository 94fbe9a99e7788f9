"""The insurance-sales-agents fixture holds the whole seed framework page as data."""

import json
import re
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.db.models import Count

from evidence.models import Citation, Source, SourceAnchor
from frameworks import services, workflow
from frameworks.models import (
    Domain,
    Framework,
    JobZone,
    Occupation,
    OccupationTitle,
    ProficiencyScale,
    Statement,
)
from tests.database import snapshot
from tests.factories import UserFactory
from tests.onet import RELEASE_B, imported_rows, onet_changes
from tests.pages import SEED_SOURCES_LINE, sources_line
from tests.tools import shared

pytestmark = pytest.mark.django_db

FIXTURE = "insurance-sales-agents"
FIXTURE_FILE = Path(__file__).resolve().parents[2] / "fixtures" / f"{FIXTURE}.json"
SOC, VERSION = "41-3021.00", "26.05"


def load(fixture=FIXTURE):
    call_command("loaddata", fixture, verbosity=0)


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for app in ("frameworks", "evidence")
        for model in apps.get_app_config(app).get_models()
    }


def per_level(section):
    rows = Statement.objects.filter(section__key=section).values_list("level__key").annotate(n=Count("pk"))
    return dict(rows)


@pytest.fixture
def framework():
    load()
    return Framework.objects.get_by_natural_key(SOC, VERSION)


@pytest.fixture
def seed_lines():
    page = shared("seed", "insurance-sales-agents-framework-page.txt")
    return page.read_text(encoding="utf-8").splitlines()


# Contents


def test_occupation_and_framework(framework):
    occupation = framework.occupation
    assert occupation.title == "Insurance Sales Agents"
    assert occupation.description.startswith("Sell life, property, casualty, health, automotive")
    assert str(occupation.job_zone) == "Job Zone 4 · Considerable Preparation"
    assert list(JobZone.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert [str(a) for a in occupation.apprenticeships.all()] == ["0303 · Insurance Agent"]
    assert [str(c) for c in occupation.cip_programs.all()] == ["52.1701 · Insurance"]

    titles = list(occupation.titles.values_list("kind", "position", "title", "short_title"))
    assert len(titles) == 12
    assert titles[0] == ("alternate", 1, "Insurance Agent", "")
    assert titles[3] == ("alternate", 4, "Auto Insurance Agent (Automotive Insurance Agent)", "")
    assert titles[-1] == ("alternate", 12, "Debit Agent", "")

    assert framework.status == Framework.Status.PUBLISHED
    assert framework.published_at.isoformat() == "2026-05-01T00:00:00+00:00"
    assert framework.context_covered.startswith("This framework covers insurance sales agency environments")


def test_scales_sections_and_domains(framework):
    mastery = ProficiencyScale.objects.get_by_natural_key("mastery")
    assert list(mastery.levels.values_list("key", "role_label")) == [
        ("emerging", "Entry / Apprentice"),
        ("developing", "Mid-level / Established"),
        ("proficient", "Senior / Expert IC"),
        ("advanced", "Lead / Principal / Executive"),
    ]
    durable = ProficiencyScale.objects.get_by_natural_key("durable")
    assert list(durable.levels.values_list("name", "role_label")) == [
        ("Emerging", ""), ("Developing", ""), ("Applying", ""), ("Exceeding", ""),
    ]
    assert list(Domain.objects.values_list("key", flat=True)) == [
        "communication", "leadership", "metacognition", "critical-thinking", "collaboration",
        "character", "creativity", "growth-mindset", "mindfulness", "fortitude",
    ]


def test_occupational_statements_ten_per_mastery_level(framework):
    assert per_level("skills") == {"emerging": 10, "developing": 10, "proficient": 10, "advanced": 10}
    first = Statement.objects.get(section__key="skills", level__key="emerging", position=1)
    assert first.title == "Standard insurance policy types"
    assert first.text.startswith("identify and describe key features")
    assert not Citation.objects.filter(statement__section__key="skills").exists()


def test_ai_statements_per_level(framework):
    assert per_level("ai") == {"emerging": 2, "developing": 3, "proficient": 4, "advanced": 3}
    # The seed puts the sentence's full stop after the chips; the text keeps it.
    texts = Statement.objects.filter(section__key="ai").values_list("text", flat=True)
    assert all(text.endswith(".") for text in texts)


def test_durable_statements_per_domain(framework):
    counts = dict(
        Statement.objects.filter(section__key="durable").values_list("domain__name").annotate(n=Count("pk"))
    )
    # Communication's heading on the page says 11, but it lists 10.
    assert counts == {
        "Communication": 10, "Leadership": 9, "Metacognition": 8, "Critical Thinking": 9,
        "Collaboration": 8, "Character": 8, "Creativity": 8, "Growth Mindset": 8,
        "Mindfulness": 8, "Fortitude": 8,
    }
    assert sum(counts.values()) == 84
    assert not Statement.objects.filter(section__key="durable", domain__isnull=True).exists()
    assert not Statement.objects.exclude(section__key="durable").filter(domain__isnull=False).exists()


def test_statement_uids_are_deterministic(framework):
    statement = Statement.objects.get(
        section__key="durable", domain__key="growth-mindset", level__key="applying", position=2
    )
    name = f"nsx:{SOC}:{VERSION}:durable:growth-mindset:applying:2"
    assert statement.uid == uuid.uuid5(uuid.NAMESPACE_URL, name)
    assert statement.title == "Performance plateau response"


def test_statement_text_holds_no_chips_or_separators(framework):
    chip_words = [*Source.objects.values_list("label", flat=True), "Opens in new tab"]
    for title, text in Statement.objects.values_list("title", "text"):
        for word in chip_words:
            assert word not in text, (title, word)
            assert word not in title, (title, word)
        assert " — " not in text, title
        assert " — " not in title, title


def test_anchors_by_kind(framework):
    counts = dict(SourceAnchor.objects.values_list("kind").annotate(n=Count("pk")))
    assert counts == {
        "task": 8, "skill": 14, "knowledge": 9, "ability": 10, "work_style": 6, "technology": 10,
    }
    assert set(SourceAnchor.objects.values_list("source__key", flat=True)) == {"skillscrosswalk"}

    def anchor(kind, name):
        row = SourceAnchor.objects.get(occupation__soc_code=SOC, kind=kind, name__startswith=name)
        return row.onet_id, row.importance

    interview = SourceAnchor.objects.get(kind="task", name__startswith="Interview prospective clients")
    assert (interview.onet_id, interview.task_type, interview.position) == ("722", "Core", 8)
    assert anchor("skill", "Reading Comprehension") == ("2.A.1.a", Decimal("4.00"))
    # Mathematics is both a skill and a knowledge domain, under different element IDs.
    assert anchor("skill", "Mathematics") == ("2.A.1.e", Decimal("3.00"))
    assert anchor("knowledge", "Mathematics") == ("2.C.4.a", Decimal("3.58"))
    # Neither O*NET release on hand rates abilities, so they carry no importance.
    assert anchor("ability", "Speech Clarity") == ("1.A.4.b.5", None)
    assert anchor("work_style", "Social Orientation") == ("1.D.2.f", Decimal("2.74"))
    hot = SourceAnchor.objects.filter(kind="technology", hot_technology=True).values_list("name", flat=True)
    assert set(hot) == {
        "Video creation and editing software", "Enterprise resource planning ERP software",
        "Web page creation and editing software", "Video conferencing software",
    }
    assert anchor("technology", "Customer relationship management CRM software") == ("43232303", None)


def test_citations(framework):
    assert Citation.objects.count() == 160
    assert dict(Citation.objects.values_list("source__key").annotate(n=Count("pk"))) == {
        "aei": 8, "safi": 5, "wef": 5, "pathsmith": 73, "onet": 69,
    }
    # Chips keep their order within a statement.
    proposals = Statement.objects.get(title="Customized coverage proposals")
    assert list(proposals.citations.values_list("position", "source__key")) == [(1, "aei"), (2, "safi")]

    linked = Citation.objects.filter(anchors__isnull=False).distinct().select_related("statement", "source")
    assert {c.source.key for c in linked} == {"onet"}
    grounded = {c.statement.title: [a.onet_id for a in c.anchors.all()] for c in linked}
    assert grounded == {
        "Client intake dialogue": ["722"],
        "Coverage comparison narrative": ["724"],
        "Claims communication": ["727"],
        "Client relationship ownership": ["718"],
        "Self-directed prospecting initiative": ["723"],
        "Administrative accountability": ["728"],
        "Custom program design": ["720"],
    }


def test_sources(framework):
    rows = list(Source.objects.values_list("key", "label", "footer_label", "licence"))
    assert rows == [
        ("onet", "O*NET v30.2", "O*NET v30.2", "CC BY 4.0"),
        ("skillscrosswalk", "skillscrosswalk.com", "SkillsCrosswalk.com", ""),
        ("ler-me", "LER.me", "LER.me", ""),
        ("aei", "Anthropic Economic Index", "Anthropic Economic Index", ""),
        ("safi", "Jadhav & Danve, 2026", "SAFI (Jadhav & Danve, 2026)", ""),
        ("wef", "WEF Skills Taxonomy", "WEF Skills Taxonomy 2021", ""),
        ("pathsmith", "Pathsmith Durable Skills", "Pathsmith Durable Skills Framework", ""),
    ]
    assert Source.objects.get(key="pathsmith").url == ""
    assert Source.objects.get(key="safi").title == (
        "Skill Automation Feasibility Index — Jadhav & Danve, 2026 (arXiv:2604.06906)"
    )


def test_evidence_pack(framework):
    metrics = framework.evidence_metrics.select_related("source")
    assert [(m.group, m.key, m.label, m.value, m.unit, m.source.key) for m in metrics] == [
        ("aei_usage", "task_observations", "Task observations", "1029", "", "aei"),
        ("aei_usage", "augment_share", "Augment share", "95", "%", "aei"),
        ("aei_usage", "time_saved", "Time saved", "87.6", "%", "aei"),
        ("aei_usage", "ai_autonomy", "AI autonomy", "3.06", "", "aei"),
        ("safi_positioning", "top_skill", "Top skill", "Reading Comprehension", "", "safi"),
        ("safi_positioning", "score", "Score", "45.5", "/ 100", "safi"),
        ("safi_positioning", "quadrant", "Quadrant", "Q2_ai_augmented", "", "safi"),
        ("safi_positioning", "precision", "precision", "exact", "", "safi"),
        ("wef_cluster", "cluster_name", "", "Human-Technology Interaction", "", "wef"),
        ("wef_cluster", "cluster_key", "", "human_technology_interaction", "", "wef"),
    ]
    assert [m.position for m in metrics] == list(range(1, 11))
    assert [m.display_value for m in metrics[1:3]] == ["95%", "87.6%"]
    assert metrics.get(key="score").display_value == "45.5 / 100"


# Loading


def test_fixture_uses_natural_keys_only():
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    assert not [record for record in records if "pk" in record]
    assert len(records) == 414


def test_loading_twice_changes_nothing():
    load()
    first = snapshot()
    load()
    assert snapshot() == first


def test_loads_into_a_database_that_holds_other_data():
    # Rows that take the low primary keys, so the fixture's rows get other ones.
    other = Occupation.objects.create(soc_code="15-1252.00", title="Software Developers")
    Source.objects.create(key="other", label="Other", footer_label="Other", title="Other", position=99)
    Domain.objects.create(key="other", name="Other", position=99)
    before = row_counts()

    load()

    assert Statement.objects.count() == 136
    assert Occupation.objects.count() == 2 and Source.objects.count() == 8
    assert not other.frameworks.exists()
    citation = Citation.objects.get(statement__title="Client intake dialogue")
    assert citation.source.key == "onet"
    assert citation.statement.framework.occupation.soc_code == SOC
    assert list(citation.anchors.values_list("occupation__soc_code", "onet_id")) == [(SOC, "722")]
    assert row_counts()["frameworks.Domain"] == before["frameworks.Domain"] + 10


def broken_fixture(tmp_path, model, match, change):
    """Write a copy of the fixture with one record of `model` changed, and return its path."""
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    record = next(r for r in records if r["model"] == model and match(r["fields"]))
    change(record["fields"])
    path = tmp_path / f"{FIXTURE}-broken.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize("field", ["text", "title"])
def test_statement_with_null_field_is_rejected(tmp_path, field):
    Occupation.objects.create(soc_code="15-1252.00", title="Software Developers")
    before = snapshot()
    path = broken_fixture(
        tmp_path,
        "frameworks.statement",
        lambda f: f["title"] == "Claims communication",
        lambda f: f.update({field: None}),
    )

    with pytest.raises(CommandError) as error:
        load(str(path))

    # Natural-key records have no pk yet (Django prints pk=None), so the model and column identify it.
    assert isinstance(error.value.__cause__, IntegrityError)  # the database refused it
    message = str(error.value)
    assert path.name in message
    assert "frameworks.Statement" in message
    assert field in message
    assert snapshot() == before


def fixture_record(model, match):
    """A record of the fixture and its place there, counting from 1, as loaddata names it."""
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    return next((n, r) for n, r in enumerate(records, 1) if r["model"] == model and match(r["fields"]))


def is_claims_communication(fields):
    return fields["title"] == "Claims communication"


def is_reading_comprehension(fields):
    return fields["kind"] == "skill" and fields["onet_id"] == "2.A.1.a"


READING = "evidence.SourceAnchor with natural key ['41-3021.00', 'skill', '2.A.1.a']"


@pytest.mark.parametrize("field", ["text", "title"])
def test_statement_missing_field_is_rejected(tmp_path, field):
    before = snapshot()
    path = broken_fixture(tmp_path, "frameworks.statement", is_claims_communication, lambda f: f.pop(field))
    _, record = fixture_record("frameworks.statement", is_claims_communication)

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == (
        f"Problem installing fixture '{path}': frameworks.Statement with natural key "
        f"['{record['fields']['uid']}']: {field}: This field cannot be blank."
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("model", "match", "change", "record", "problem"),
    [
        (
            "frameworks.statement",
            is_claims_communication,
            {"text": "Explain claims\u0007 procedures"},
            "frameworks.Statement with natural key ['{uid}']",
            "text: Remove the control character U+0007.",
        ),
        (
            "frameworks.statement",
            is_claims_communication,
            {"title": "Claims\x1bcommunication"},
            "frameworks.Statement with natural key ['{uid}']",
            "title: Remove the control character U+001B.",
        ),
        (
            "evidence.sourceanchor",
            is_reading_comprehension,
            {"importance": "9.50"},
            READING,
            "importance: Ensure this value is less than or equal to 5.",
        ),
        (
            "evidence.sourceanchor",
            is_reading_comprehension,
            {"importance": "-3.01"},
            READING,
            "importance: Ensure this value is greater than or equal to -3.",
        ),
        (
            "evidence.sourceanchor",
            is_reading_comprehension,
            {"kind": "skills"},
            "evidence.SourceAnchor with natural key ['41-3021.00', 'skills', '2.A.1.a']",
            "kind: Value 'skills' is not a valid choice.",
        ),
        (
            "evidence.source",
            lambda f: f["key"] == "onet",
            {"url": "not an address"},
            "evidence.Source with natural key ['onet']",
            "url: Enter a valid URL.",
        ),
        (
            "frameworks.framework",
            lambda f: True,
            {"status": "live"},
            "frameworks.Framework with natural key ['41-3021.00', '26.05']",
            "status: Value 'live' is not a valid choice.",
        ),
    ],
    ids=["control-character-in-text", "escape-in-title", "importance-above-5", "importance-below-minus-3",
         "unknown-anchor-kind", "malformed-address", "unknown-status"],
)
def test_a_value_its_field_refuses_names_the_record_and_field(tmp_path, model, match, change, record, problem):
    # A database that holds the seed already: the refused load changes none of it.
    load()
    before = snapshot()
    path = broken_fixture(tmp_path, model, match, lambda f: f.update(change))
    uid = Statement.objects.get(title="Claims communication").uid

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == f"Problem installing fixture '{path}': {record.format(uid=uid)}: {problem}"
    assert snapshot() == before


@pytest.mark.parametrize("importance", ["-3.00", "5.00", None])
def test_importance_at_the_ends_of_its_scales_or_none_loads(tmp_path, importance):
    path = broken_fixture(
        tmp_path, "evidence.sourceanchor", is_reading_comprehension, lambda f: f.update(importance=importance)
    )

    load(str(path))

    anchor = SourceAnchor.objects.get(occupation__soc_code=SOC, kind="skill", onet_id="2.A.1.a")
    assert anchor.importance == (Decimal(importance) if importance else None)


def test_a_value_its_field_cannot_read_names_the_record_and_field(tmp_path):
    before = snapshot()
    path = broken_fixture(
        tmp_path, "evidence.sourceanchor", is_reading_comprehension, lambda f: f.update(importance="high")
    )

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == (
        f"Problem installing fixture '{path}': {READING}: importance: “high” value must be a decimal number."
    )
    assert snapshot() == before


def fixture_listing_twice(tmp_path, change):
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    first, copy = fixture_record("frameworks.statement", is_claims_communication)
    change(copy["fields"])
    records.append(copy)
    path = tmp_path / f"{FIXTURE}-twice.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return path, first, len(records), copy["fields"]["uid"]


@pytest.mark.parametrize("change", [lambda f: f.update(text="Another text."), lambda f: None],
                         ids=["different", "the-same"])
def test_a_record_listed_twice_is_refused(tmp_path, change):
    Occupation.objects.create(soc_code="15-1252.00", title="Software Developers")
    before = snapshot()
    path, first, second, uid = fixture_listing_twice(tmp_path, change)

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == (
        f"Problem installing fixture '{path}': frameworks.Statement with natural key ['{uid}']: "
        f"listed twice, as records {first} and {second} of the file"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kind", "held"),
    [(OccupationTitle.Kind.REPORTED, "Insurance Agent"), (OccupationTitle.Kind.ALTERNATE, "insurance  agent")],
    ids=["another-kind", "another-case-and-spacing"],
)
def test_a_title_the_occupation_already_holds_in_another_form_is_refused(kind, held):
    # As an O*NET release lists it: loaded beside it, the title would be listed twice, and the framework's
    # export would not import.
    occupation = Occupation.objects.create(soc_code=SOC, title="Insurance Sales Agents")
    OccupationTitle.objects.create(occupation=occupation, kind=kind, title=held)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        load()

    assert str(error.value) == (
        f"Problem installing fixture '{FIXTURE_FILE}': frameworks.OccupationTitle with natural key "
        f"['{SOC}', 'alternate', 'Insurance Agent']: title: the occupation already has the title {held!r} "
        f"({kind.label.lower()}); it holds each title once, whatever its kind, case or spacing"
    )
    assert snapshot() == before


def test_a_record_in_two_fixtures_is_loaded_from_the_last_as_django_does(tmp_path):
    path = broken_fixture(
        tmp_path, "frameworks.statement", is_claims_communication, lambda f: f.update(text="Another text.")
    )

    call_command("loaddata", FIXTURE, str(path), verbosity=0)

    assert Statement.objects.get(title="Claims communication").text == "Another text."


def test_citation_with_unknown_source_is_rejected(tmp_path):
    Occupation.objects.create(soc_code="15-1252.00", title="Software Developers")
    before = snapshot()
    path = broken_fixture(
        tmp_path,
        "evidence.citation",
        lambda f: f["source"] == ["onet"] and f["anchors"],
        lambda f: f.update(source=["no-such-source"]),
    )

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert isinstance(error.value.__cause__, IntegrityError)  # the database refused it
    message = str(error.value)
    assert path.name in message
    assert "[record: evidence.Citation with natural key ['" in message
    assert "source ['no-such-source'] does not exist" in message
    assert snapshot() == before


def test_a_reference_to_a_row_that_is_not_there_names_the_record(tmp_path):
    before = snapshot()
    path = broken_fixture(tmp_path, "frameworks.occupation", lambda f: True, lambda f: f.update(job_zone=9))

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == (
        f"Problem installing fixture '{path}': frameworks.Occupation with natural key ['41-3021.00']: "
        "job_zone 9 does not exist"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'[{"model": "frameworks.jobzone", "fields": {', "Expecting property name enclosed in double quotes"),
        (b"\xff\xfe[", "'utf-8' codec can't decode byte 0xff"),
    ],
)
def test_a_fixture_that_cannot_be_read_names_the_file_and_why(tmp_path, content, reason):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value).startswith(f"Problem installing fixture '{path}': ")
    assert reason in str(error.value)
    assert snapshot() == before



def test_a_fixture_saved_with_a_byte_order_mark_and_windows_line_ends_loads(tmp_path):
    path = tmp_path / "fixture.json"
    path.write_bytes(b"\xef\xbb\xbf" + FIXTURE_FILE.read_bytes().replace(b"\n", b"\r\n"))

    load(str(path))

    assert Statement.objects.count() == 136


@pytest.mark.parametrize("name", ["empty.json", "empty.yaml", "blank.yaml"])
def test_an_empty_fixture_is_named_as_empty(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\n  \n" if name.startswith("blank") else b"")
    before = snapshot()

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == f"Problem installing fixture '{path}': the file is empty"
    assert snapshot() == before


NOT_A_RECORD = (
    'is not a mapping with "model" and "fields", as each record of a fixture is '
    "(a framework file is imported with import_framework)"
)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        # The framework file of the same name, given to loaddata rather than import_framework.
        ("framework.yaml", (FIXTURE_FILE.parent / "frameworks" / f"{FIXTURE}.yaml").read_bytes(), f"record 1 {NOT_A_RECORD}"),
        ("mapping.json", b'{"model": "frameworks.jobzone"}', f"record 1 {NOT_A_RECORD}"),
        ("no-model.json", b'[{"fields": {}}]', f"record 1 {NOT_A_RECORD}"),
        (
            "no-fields.json",
            b'[{"model": "frameworks.jobzone", "fields": {"number": 1, "name": "One"}}, {"model": "frameworks.jobzone"}]',
            f"record 2 {NOT_A_RECORD}",
        ),
        (
            "typo.json",
            b'[{"model": "frameworks.jobzone", "fields": {"number": 1, "nmae": "One"}}]',
            "record 1: JobZone has no field named 'nmae'",
        ),
    ],
)
def test_a_fixture_whose_records_are_malformed_names_the_record_and_what_is_wrong(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        load(str(path))

    assert str(error.value) == f"Problem installing fixture '{path}': {problem}"
    assert snapshot() == before


# The seed page itself


def test_statements_match_the_seed_page_in_order(framework, seed_lines):
    level_names = {"Emerging", "Developing", "Proficient", "Advanced", "Applying", "Exceeding"}
    end = next(i for i, line in enumerate(seed_lines) if line.startswith("Show O*NET source anchors"))
    items, domain, level = [], None, None
    for line in seed_lines[:end]:
        if heading := re.fullmatch(r"\d+(\D+?)\d+ statements", line):
            domain = heading.group(1)
        elif line in level_names:
            level = line
        elif item := re.fullmatch(r"\s+(\d+)\. (.+)", line):
            items.append((domain, level, int(item.group(1)), item.group(2)))

    statements = (
        framework.statements.select_related("section", "level", "domain")
        .prefetch_related("citations__source")
    )
    assert len(items) == statements.count() == 136
    for seen, statement in zip(items, statements, strict=True):
        chips = " ".join(
            f"{c.source.label}{c.source.title}. Opens in new tab." for c in statement.citations.all()
        )
        if statement.section.key == "skills":
            line = f"{statement.title}{statement.text}"  # The copy ran each title into its text.
        elif statement.section.key == "ai":
            line = f"{statement.title} — {statement.text.removesuffix('.')} {chips}."
        else:
            line = f"{statement.title} — {statement.text} {chips}"
        domain = statement.domain.name if statement.domain else None
        assert seen == (domain, statement.level.name, statement.position, line)


def test_anchors_and_sources_match_the_seed_page(framework, seed_lines):
    def after(heading):
        return seed_lines[seed_lines.index(heading) + 1]

    occupation = framework.occupation
    for heading, kind in [
        ("O*NET skills", "skill"), ("Knowledge domains", "knowledge"), ("Abilities", "ability"),
        ("Work styles", "work_style"), ("Technology", "technology"),
    ]:
        # The copy ran each panel's names together.
        assert "".join(occupation.anchors.filter(kind=kind).values_list("name", flat=True)) == after(heading)
    start = seed_lines.index("Tasks · seed anchors for statements") + 1
    end = seed_lines.index("CIP education codes")
    tasks = [re.fullmatch(r"\s+\d+\. (.+)", line).group(1) for line in seed_lines[start:end]]
    assert list(occupation.anchors.filter(kind="task").values_list("name", flat=True)) == tasks
    summary = next(line for line in seed_lines if line.startswith("Show O*NET source anchors"))
    assert f"{occupation.anchors.count()} anchors" in summary

    assert after("Related titles") == " · ".join(occupation.titles.values_list("title", flat=True))
    footer = ", ".join(
        f"{s.footer_label} ({s.licence})" if s.licence else s.footer_label for s in Source.objects.all()
    )
    page_sources = next(line for line in seed_lines if line.startswith("Sources: "))
    assert page_sources.startswith(f"Sources: {footer}. ")


def seed_command():
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def test_seed_loads_the_framework_into_a_database_without_it():
    output = seed_command()

    assert Framework.objects.published().get().occupation.soc_code == SOC
    assert re.search(r"Installed \d+ object\(s\) from 1 fixture\(s\)", output)


def test_seed_leaves_a_curated_database_as_it_is():
    seed_command()
    framework = Framework.objects.get()
    newer = services.copy_as_new_version(framework, "26.06")
    newer.status = Framework.Status.IN_REVIEW
    newer.save()
    editor = UserFactory(is_superuser=True)
    workflow.apply(newer, "publish", editor)
    Source.objects.filter(key="aei").update(label="Curated label")
    before = snapshot()

    output = seed_command()

    assert "already in the database" in output
    assert snapshot() == before
    assert list(Framework.objects.published()) == [Framework.objects.get(version="26.06")]


def test_seed_after_an_onet_import_leaves_what_the_import_wrote(client):
    call_command("import_onet", str(RELEASE_B), stdout=StringIO())
    before = imported_rows()

    output = seed_command()

    assert "importing the seed framework from its framework file instead" in output
    framework = Framework.objects.published().get()
    assert (framework.occupation.soc_code, framework.statements.count()) == (SOC, 136)
    assert client.get(f"/occupations/{SOC}/").status_code == 200
    # The sources nothing in the framework file cites are added too, in the fixture's order.
    assert sources_line(client) == SEED_SOURCES_LINE
    assert imported_rows() == before
    again = StringIO()
    call_command("import_onet", str(RELEASE_B), stdout=again)
    assert onet_changes(again.getvalue()) == {}
    assert "Nothing changed" in again.getvalue()
    assert "already in the database" in seed_command()
