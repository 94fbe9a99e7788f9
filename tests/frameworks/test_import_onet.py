"""The import_onet command: O*NET text releases in, occupations, titles and source anchors out."""

import html
import re
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from evidence.models import Citation, Source, SourceAnchor
from exchange.validation import schema
from frameworks.models import (
    Framework,
    JobZone,
    Level,
    Occupation,
    OccupationTitle,
    OnetRelease,
    ProficiencyScale,
    RelatedOccupation,
    Section,
    Statement,
)
from frameworks.onet_import import STANDARD_JOB_ZONE_NAMES, ReleaseWriter
from tests.database import snapshot
from tests.onet import RELEASE_A, RELEASE_B, copy_release, drop_lines, edit_line, replace_field, summary
from tests.pages import SEED_SOURCES_LINE, sources_line
from tests.tools import shared

pytestmark = pytest.mark.django_db

INSURANCE = "41-3021.00"
# The skills and knowledge the published Insurance Sales Agents page lists.
SEED_SKILLS = [
    "Reading Comprehension",
    "Speaking",
    "Active Listening",
    "Critical Thinking",
    "Persuasion",
    "Writing",
    "Time Management",
    "Service Orientation",
    "Negotiation",
    "Social Perceptiveness",
    "Active Learning",
    "Coordination",
    "Judgment and Decision Making",
    "Mathematics",
]
SEED_KNOWLEDGE = [
    "Customer and Personal Service",
    "Sales and Marketing",
    "English Language",
    "Mathematics",
    "Law and Government",
    "Transportation",
    "Administration and Management",
    "Education and Training",
    "Communications and Media",
]
# Speaking and Active Listening (IM 3.88) have identical 29.3 ratings in every column, so the importer
# keeps them in name order where the page has them the other way round (see onet_import._ranked).
EXPECTED_SKILLS = [SEED_SKILLS[0], "Active Listening", "Speaking", *SEED_SKILLS[3:]]
# 30.1's work styles for Insurance Sales Agents, in its order: the seed's six first, then two of its own.
EXPECTED_WORK_STYLES = [
    "Social Orientation",
    "Dependability",
    "Perseverance",
    "Achievement Orientation",
    "Integrity",
    "Self-Confidence",
    "Attention to Detail",
    "Initiative",
]


def run(folder, *args, stdout=None, stderr=None, **options):
    """Run the command; return what it wrote to stdout."""
    stdout = stdout or StringIO()
    call_command("import_onet", str(folder), *args, stdout=stdout, stderr=stderr or StringIO(), **options)
    return stdout.getvalue()


def anchors(soc_code, kind):
    return list(
        SourceAnchor.objects.filter(occupation__soc_code=soc_code, kind=kind)
        .order_by("position")
        .values_list("name", flat=True)
    )


def titles(soc_code, kind):
    return list(
        OccupationTitle.objects.filter(occupation__soc_code=soc_code, kind=kind)
        .order_by("position")
        .values_list("title", "short_title")
    )


def page_titles(client, soc_code):
    """The related titles a visitor sees on the occupation's anchors page, in order."""
    # An import moves the page cache on only when it commits, which it never does inside a test.
    cache.clear()
    response = client.get(f"/occupations/{soc_code}/anchors/")
    assert response.status_code == 200
    match = re.search(r'<p class="related-titles">(.*?)</p>', response.text)
    return [html.unescape(title) for title in match[1].split(" · ")] if match else []


def titles_listed_twice():
    """(SOC code, title) pairs that an occupation holds under more than one kind."""
    pairs = OccupationTitle.objects.values_list("occupation__soc_code", "title")
    seen, twice = set(), set()
    for pair in pairs:
        (twice if pair in seen else seen).add(pair)
    return twice


def related(soc_code):
    return list(
        RelatedOccupation.objects.filter(from_occupation__soc_code=soc_code)
        .order_by("position")
        .values_list("to_occupation__soc_code", "tier", "position")
    )


class TerminalStream(StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self):
        return True


def make_framework(occupation):
    """A published-looking framework with one statement citing nothing yet."""
    scale = ProficiencyScale.objects.create(key="proficiency", name="Proficiency")
    level = Level.objects.create(scale=scale, key="emerging", name="Emerging", position=1)
    section = Section.objects.create(key="occupational", name="Occupational skills", scale=scale)
    framework = Framework.objects.create(
        occupation=occupation, version="26.05", status=Framework.Status.PUBLISHED
    )
    statement = Statement.objects.create(
        framework=framework,
        section=section,
        level=level,
        position=1,
        title="Policy explanation",
        text="Explains.",
    )
    return framework, statement


def test_import_reads_a_29x_release():
    output = run(RELEASE_A)

    release = OnetRelease.objects.get()
    assert (release.version, release.released) == ("29.3", "May 2025")
    assert release.imported_at is not None
    assert (
        "Not in this release, skipped: Job Zone Reference.txt; Education, Training, and Experience.txt; "
        "Sample of Reported Titles.txt\n" in output
    )
    assert summary(output)["occupations"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "retired": 0,
        "restored": 0,
        "kept": 0,
    }

    insurance = Occupation.objects.select_related("job_zone").get(soc_code=INSURANCE)
    assert insurance.title == "Insurance Sales Agents"
    assert insurance.description.startswith("Sell life, property, casualty, health")
    assert insurance.release == release
    assert not insurance.retired
    assert insurance.education_level is None
    # Without Job Zone Reference.txt the zones get O*NET's standard names.
    assert str(insurance.job_zone) == "Job Zone 4 · Considerable Preparation"
    assert Occupation.objects.get(soc_code="43-4051.00").job_zone_id == 2

    skills = anchors(INSURANCE, SourceAnchor.Kind.SKILL)
    assert set(skills) == set(SEED_SKILLS)
    assert skills == EXPECTED_SKILLS
    assert anchors(INSURANCE, SourceAnchor.Kind.KNOWLEDGE) == SEED_KNOWLEDGE
    assert anchors(INSURANCE, SourceAnchor.Kind.ABILITY) == [
        "Oral Expression",
        "Oral Comprehension",
        "Written Comprehension",
        "Speech Clarity",
        "Written Expression",
    ]
    # 29.x work styles: IM >= 3.0, by importance.
    work_styles = anchors(INSURANCE, SourceAnchor.Kind.WORK_STYLE)
    assert work_styles[:4] == ["Integrity", "Independence", "Attention to Detail", "Dependability"]
    assert work_styles[-1] == "Innovation" and len(work_styles) == 16

    tasks = SourceAnchor.objects.filter(occupation=insurance, kind=SourceAnchor.Kind.TASK).order_by(
        "position"
    )
    assert [(task.onet_id, task.task_type) for task in tasks][13:] == [
        ("732", "Core"),
        ("730", "Supplemental"),
        ("735", "Supplemental"),
        ("733", "Supplemental"),
        ("734", "Supplemental"),
        ("736", "Supplemental"),
    ]
    assert tasks[0].onet_id == "720" and tasks[0].position == 1
    # An untyped task comes after the typed ones.
    untyped = SourceAnchor.objects.get(
        occupation__soc_code="43-4051.00", kind=SourceAnchor.Kind.TASK, onet_id="18565"
    )
    assert (untyped.task_type, untyped.position) == ("", 4)

    technology = SourceAnchor.objects.filter(occupation=insurance, kind=SourceAnchor.Kind.TECHNOLOGY)
    assert list(technology.order_by("position").values_list("name", flat=True)) == sorted(
        technology.values_list("name", flat=True)
    )
    video = technology.get(onet_id="43232103")
    assert (video.name, video.hot_technology, video.in_demand) == (
        "Video creation and editing software",
        True,
        False,
    )
    office = technology.get(onet_id="43231513")
    assert (office.hot_technology, office.in_demand) == (True, True)

    reading = SourceAnchor.objects.get(occupation=insurance, kind=SourceAnchor.Kind.SKILL, onet_id="2.A.1.a")
    assert reading.importance == Decimal("4.00")
    assert reading.release == release
    # Credited to a source for the release read, named as the seed names its O*NET source.
    source = Source.objects.get(key="onet-29-3")
    assert reading.source == source
    assert set(SourceAnchor.objects.values_list("source", flat=True)) == {source.pk}
    assert (source.label, source.footer_label, source.version, source.licence, source.url) == (
        "O*NET v29.3",
        "",  # the Sources line leaves releases out: the O*NET attribution covers them all
        "29.3 (May 2025)",
        "CC BY 4.0",
        "https://www.onetcenter.org/database.html",
    )
    assert source.title == "O*NET Resource Center — Occupational Information Network, v29.3 (May 2025)"
    assert source.position == 1
    assert not Source.objects.filter(key="onet").exists()

    # A title listed twice is kept once, with the short title one of its lines gives.
    assert titles(INSURANCE, OccupationTitle.Kind.ALTERNATE) == [
        ("Account Representative", "Account Rep"),
        ("Account Specialist", ""),
        ("Bond Writer", ""),
        ("Burial Agent", ""),
    ]
    assert related(INSURANCE) == [
        ("13-2052.00", "Primary-Short", 1),
        ("43-4051.00", "Primary-Short", 2),
        ("11-1011.00", "Supplemental", 3),
    ]


def test_importing_the_same_release_twice_changes_nothing():
    first = run(RELEASE_A)
    before = snapshot()

    output = run(RELEASE_A)

    assert first.endswith("Imported O*NET 29.3.\n")
    assert snapshot() == before
    assert output.endswith("Nothing changed: the database already matches O*NET 29.3.\n")
    assert "Imported" not in output
    table = summary(output)
    assert table["release"]["unchanged"] == 1
    assert table["titles"]["unchanged"] == 16
    for kind, counts in table.items():
        changes = {column: count for column, count in counts.items() if column != "unchanged" and count}
        assert changes == {}, kind


def test_upgrade_updates_adds_retires_and_keeps_what_the_release_lacks():
    run(RELEASE_A)
    old_release = OnetRelease.objects.get(version="29.3")
    advisors_tasks = anchors("13-2052.00", SourceAnchor.Kind.TASK)

    output = run(RELEASE_B)

    new_release = OnetRelease.objects.get(version="30.1")
    assert new_release.released == "December 2025"
    assert "Not in this release, skipped: Skills.txt; Knowledge.txt; Abilities.txt\n" in output
    assert summary(output)["occupations"] == {
        "created": 1,
        "updated": 3,
        "unchanged": 0,
        "deleted": 0,
        "retired": 1,
        "restored": 0,
        "kept": 0,
    }

    # Gone from the release: retired, never deleted, its rows left as they were.
    advisors = Occupation.objects.get(soc_code="13-2052.00")
    assert advisors.retired
    assert advisors.release == old_release
    assert anchors("13-2052.00", SourceAnchor.Kind.TASK) == advisors_tasks
    assert related("13-2052.00") == [("41-3021.00", "Primary-Short", 1)]

    developers = Occupation.objects.get(soc_code="15-1252.00")
    assert (developers.title, developers.release, developers.job_zone_id) == (
        "Software Developers",
        new_release,
        4,
    )
    assert developers.get_education_level_display() == "Bachelor's degree"
    assert (
        Occupation.objects.get(soc_code="43-4051.00").title == "Customer Service Representatives and Agents"
    )
    chief = Occupation.objects.get(soc_code="11-1011.00")
    assert (
        chief.description
        == "Determine and formulate policies and provide overall direction of organizations."
    )
    assert chief.education_level == Occupation.EducationLevel.MASTER

    insurance = Occupation.objects.get(soc_code=INSURANCE)
    assert insurance.release == new_release
    # Its most common level, a bachelor's degree, is one O*NET recommends suppressing.
    assert insurance.education_level is None
    # Job Zone Reference.txt names the zones and describes them.
    zone = JobZone.objects.get(number=4)
    assert zone.name == "Considerable Preparation"
    assert zone.description.startswith("A considerable amount of work-related skill")

    # Skills are not in 30.1: those of 29.3 stay, still marked as read from 29.3.
    assert anchors(INSURANCE, SourceAnchor.Kind.SKILL) == EXPECTED_SKILLS
    assert set(
        SourceAnchor.objects.filter(kind=SourceAnchor.Kind.SKILL).values_list("release__version", flat=True)
    ) == {"29.3"}
    # 30.x work styles: those with a distinctiveness rank, by impact; the 29.x ones are gone.
    assert anchors(INSURANCE, SourceAnchor.Kind.WORK_STYLE) == EXPECTED_WORK_STYLES
    assert SourceAnchor.objects.get(occupation=insurance, onet_id="1.D.2.f").importance == Decimal("2.74")
    tasks = SourceAnchor.objects.filter(occupation=insurance, kind=SourceAnchor.Kind.TASK)
    assert not tasks.filter(onet_id="736").exists()
    assert set(tasks.values_list("release__version", flat=True)) == {"30.1"}
    video = SourceAnchor.objects.get(
        occupation=insurance, kind=SourceAnchor.Kind.TECHNOLOGY, onet_id="43232103"
    )
    assert not video.hot_technology

    assert titles(INSURANCE, OccupationTitle.Kind.REPORTED) == [
        ("Insurance Agent", ""),
        ("Insurance Broker", ""),
        ("Insurance Sales Agent", ""),
    ]
    assert titles(INSURANCE, OccupationTitle.Kind.ALTERNATE)[0] == ("Account Representative", "")
    assert related(INSURANCE) == [
        ("43-4051.00", "Primary-Short", 1),
        ("15-1252.00", "Primary-Long", 2),
        ("11-1011.00", "Supplemental", 3),
    ]
    assert related("43-4051.00") == [("41-3021.00", "Primary-Short", 1)]


def anchor_credits(client, soc_code):
    """The sources the anchors page of an occupation credits, as a visitor reads them, with their links."""
    cache.clear()
    response = client.get(f"/occupations/{soc_code}/anchors/")
    assert response.status_code == 200
    match = re.search(r'<p class="anchor-panel__enrichment">O\*NET enrichment(.*?)</p>', response.text)
    if not match:
        return {}
    links = re.findall(r' · <a href="([^"]+)">([^<]+)</a>', match[1])
    return {html.unescape(label): href for href, label in links}


def framework_anchor_summary(client, soc_code):
    """What the framework page says of its anchors beside the link that shows them."""
    cache.clear()
    response = client.get(f"/occupations/{soc_code}/")
    assert response.status_code == 200
    return html.unescape(re.search(r'<span class="anchors-disclosure__meta">(.*?)</span>', response.text)[1])


def test_anchors_are_credited_to_the_release_they_came_from(seed, client):
    # The seed's O*NET source is a later release than the one imported here.
    assert Source.objects.get(key="onet").label == "O*NET v30.2"
    seed_anchors = dict(SourceAnchor.objects.values_list("pk", "source__key"))

    run(RELEASE_A)

    credits = anchor_credits(client, "43-4051.00")
    assert list(credits) == ["O*NET v29.3"]
    source_page = client.get(credits["O*NET v29.3"])
    assert source_page.status_code == 200
    assert (
        "<h1>O*NET Resource Center — Occupational Information Network, v29.3 (May 2025)</h1>"
        in source_page.text
    )
    # The seed framework's occupation: the release's anchors beside the ones the seed loaded, which keep
    # their source; its statements still cite the seed's sources.
    assert "O*NET v29.3" in anchor_credits(client, INSURANCE)
    assert "O*NET v30.2" not in anchor_credits(client, INSURANCE)
    assert "· O*NET v29.3" in framework_anchor_summary(client, INSURANCE)
    assert "O*NET v30.2" not in framework_anchor_summary(client, INSURANCE)
    assert dict(SourceAnchor.objects.filter(pk__in=seed_anchors).values_list("pk", "source__key")) == seed_anchors
    assert Citation.objects.filter(source__key="onet").count() == 69
    # The Sources line at the foot of the page stays the seed's, however many releases are imported.
    run(RELEASE_B)
    assert sources_line(client) == SEED_SOURCES_LINE


def test_migration_leaves_release_sources_out_of_the_sources_line(seed, client):
    from importlib import import_module

    migration = import_module("frameworks.migrations.0008_release_sources_out_of_the_sources_line")
    run(RELEASE_A)
    run(RELEASE_B)
    # As the importer left them before: each release named in the line, one renamed there by a curator.
    Source.objects.filter(key="onet-29-3").update(footer_label="O*NET v29.3")
    Source.objects.filter(key="onet-30-1").update(footer_label="O*NET 30.1 (Dec 2025)")
    assert "O*NET v29.3 (CC BY 4.0)" in sources_line(client)

    migration.leave_releases_out(apps, None)
    cache.clear()

    assert sources_line(client) == SEED_SOURCES_LINE.replace(
        "SkillsCrosswalk", "O*NET 30.1 (Dec 2025) (CC BY 4.0), SkillsCrosswalk"
    )
    migration.list_releases_again(apps, None)
    assert Source.objects.get(key="onet-29-3").footer_label == "O*NET v29.3"


def test_an_upgrade_credits_what_it_restamps_to_the_new_release(client):
    run(RELEASE_A)

    output = run(RELEASE_B)

    insurance = Occupation.objects.get(soc_code=INSURANCE)
    credited = dict(
        SourceAnchor.objects.filter(occupation=insurance).values_list("release__version", "source__key").distinct()
    )
    # Skills are not in 30.1: they stay 29.3's, credited to it.
    assert credited == {"29.3": "onet-29-3", "30.1": "onet-30-1"}
    assert set(
        SourceAnchor.objects.filter(occupation=insurance, kind=SourceAnchor.Kind.SKILL).values_list(
            "source__key", flat=True
        )
    ) == {"onet-29-3"}
    assert list(anchor_credits(client, INSURANCE)) == ["O*NET v29.3", "O*NET v30.1"]
    assert list(anchor_credits(client, "15-1252.00")) == ["O*NET v30.1"]
    # Retired with 30.1: its anchors are still 29.3's.
    assert list(anchor_credits(client, "13-2052.00")) == ["O*NET v29.3"]
    assert client.get(anchor_credits(client, "15-1252.00")["O*NET v30.1"]).status_code == 200
    assert Source.objects.get(key="onet-30-1").title.endswith("v30.1 (December 2025)")
    assert summary(output)["task anchors"]["updated"] > 0

    again = summary(run(RELEASE_B))
    for kind in ("task anchors", "technology anchors", "work style anchors"):
        assert (again[kind]["created"], again[kind]["updated"]) == (0, 0), kind


def test_migration_credits_anchors_imported_before_to_their_release(seed, client):
    from importlib import import_module

    from frameworks.onet_sources import release_source

    migration = import_module("frameworks.migrations.0007_credit_anchors_to_their_release")
    run(RELEASE_A)
    run(RELEASE_B)
    # As the importer left them before each release had a source: every imported anchor on the seed's.
    shared = Source.objects.get(key="onet")
    SourceAnchor.objects.exclude(release=None).update(source=shared)
    Source.objects.filter(key__in=["onet-29-3", "onet-30-1"]).delete()
    curated = SourceAnchor.objects.create(
        occupation=Occupation.objects.get(soc_code=INSURANCE),
        kind=SourceAnchor.Kind.TASK,
        onet_id="curated-1",
        name="Explain a policy's exclusions",
        source=shared,
    )
    seed_anchors = dict(SourceAnchor.objects.filter(release=None).values_list("pk", "source__key"))
    citations = dict(Citation.objects.values_list("pk", "source__key"))
    assert "O*NET v30.2" in anchor_credits(client, "43-4051.00")

    migration.credit_releases(apps, None)

    assert set(SourceAnchor.objects.exclude(release=None).values_list("release__version", "source__key")) == {
        ("29.3", "onet-29-3"),
        ("30.1", "onet-30-1"),
    }
    assert dict(SourceAnchor.objects.filter(release=None).values_list("pk", "source__key")) == seed_anchors
    assert seed_anchors[curated.pk] == "onet"
    assert dict(Citation.objects.values_list("pk", "source__key")) == citations
    # Each source as the importer would have made it.
    for release in OnetRelease.objects.all():
        fields = release_source(release.version, release.released)
        source = Source.objects.get(key=fields.pop("key"))
        assert {name: getattr(source, name) for name in fields} == fields
    # Its skills are 29.3's (30.1 has none), the rest 30.1's.
    assert list(anchor_credits(client, "43-4051.00")) == ["O*NET v29.3", "O*NET v30.1"]
    assert list(anchor_credits(client, "13-2052.00")) == ["O*NET v29.3"]
    assert "Nothing changed" in run(RELEASE_B)

    # Run again, it finds nothing left to move.
    before = snapshot()
    migration.credit_releases(apps, None)
    assert snapshot() == before


def test_a_retired_occupation_that_reappears_is_restored():
    run(RELEASE_A)
    run(RELEASE_B)

    output = run(RELEASE_A, "--allow-downgrade")

    counts = summary(output)["occupations"]
    assert (counts["restored"], counts["retired"]) == (1, 1)
    assert not Occupation.objects.get(soc_code="13-2052.00").retired
    assert Occupation.objects.get(soc_code="15-1252.00").retired
    assert Occupation.objects.get(soc_code="43-4051.00").title == "Customer Service Representatives"


def test_dry_run_leaves_the_database_untouched():
    run(RELEASE_A)
    before = snapshot()

    output = run(RELEASE_B, "--dry-run")

    assert snapshot() == before
    assert "Dry run: everything was rolled back." in output
    assert summary(output)["occupations"]["created"] == 1


def test_dry_run_on_an_empty_database_saves_nothing():
    run(RELEASE_A, "--dry-run")

    assert not Occupation.objects.exists()
    assert not OnetRelease.objects.exists()
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("file_name", "line", "edit", "message"),
    [
        (
            "Task Statements.txt",
            3,
            lambda fields: fields[:-1],
            "Task Statements.txt:3: Domain Source: missing: the line has 6 of the header's 7 columns",
        ),
        (
            "Task Statements.txt",
            4,
            lambda fields: [*fields, "extra"],
            "Task Statements.txt:4: column 8: unexpected: the line has 8 columns, the header 7",
        ),
        (
            "Work Styles.txt",
            5,
            replace_field(4, "high"),
            "Work Styles.txt:5: Data Value: 'high' is not a number",
        ),
        # Values the importance field (5 digits, 2 decimal places) cannot hold, on the stored WI scale and
        # on the DR scale read beside it; 1e30 is past what rounding to hundredths can handle.
        (
            "Work Styles.txt",
            3,
            replace_field(4, "1e9"),
            "Work Styles.txt:3: Data Value: '1e9' is out of range (-999.99 to 999.99)",
        ),
        (
            "Work Styles.txt",
            3,
            replace_field(4, "-1000"),
            "Work Styles.txt:3: Data Value: '-1000' is out of range (-999.99 to 999.99)",
        ),
        (
            "Work Styles.txt",
            3,
            replace_field(4, "999.996"),
            "Work Styles.txt:3: Data Value: '999.996' is out of range (-999.99 to 999.99)",
        ),
        (
            "Work Styles.txt",
            2,
            replace_field(4, "1e30"),
            "Work Styles.txt:2: Data Value: '1e30' is out of range (-999.99 to 999.99)",
        ),
        (
            "Work Styles.txt",
            3,
            replace_field(4, "Infinity"),
            "Work Styles.txt:3: Data Value: 'Infinity' is not a number",
        ),
        # Below WI's -3, the least an anchor's importance holds; DR ranks above 5 beside it are read.
        (
            "Work Styles.txt",
            3,
            replace_field(4, "-3.01"),
            "Work Styles.txt:3: Data Value: '-3.01': Ensure this value is greater than or equal to -3.",
        ),
        # Within the importance field's -3 to 5, but past WI's own 3.
        (
            "Work Styles.txt",
            3,
            replace_field(4, "4.80"),
            "Work Styles.txt:3: Data Value: '4.80' is outside the WI scale (-3 to 3)",
        ),
        (
            "Work Styles.txt",
            3,
            replace_field(4, "3.001"),
            "Work Styles.txt:3: Data Value: '3.001' is outside the WI scale (-3 to 3)",
        ),
        (
            "Related Occupations.txt",
            2,
            replace_field(1, "99-9999.00"),
            "Related Occupations.txt:2: Related O*NET-SOC Code: 99-9999.00 is not in Occupation Data.txt",
        ),
        (
            "Related Occupations.txt",
            2,
            replace_field(1, "15-1252.00"),
            "Related Occupations.txt:2: Related O*NET-SOC Code: 15-1252.00 is the occupation itself",
        ),
        (
            "Technology Skills.txt",
            1,
            replace_field(4, "Hot Tech"),
            "Technology Skills.txt:1: Hot Technology: missing from the header",
        ),
        (
            "Job Zones.txt",
            1,
            lambda fields: [*fields, "Job Zone"],
            "Job Zones.txt:1: Job Zone: listed twice in the header (columns 2 and 5)",
        ),
        (
            "Technology Skills.txt",
            6,
            replace_field(5, "yes"),
            "Technology Skills.txt:6: In Demand: 'yes' is not Y or N",
        ),
        (
            "Occupation Data.txt",
            3,
            replace_field(0, "15-1252"),
            "Occupation Data.txt:3: O*NET-SOC Code: '15-1252' is not an O*NET-SOC code",
        ),
        (
            "Job Zones.txt",
            2,
            replace_field(1, "6"),
            "Job Zones.txt:2: Job Zone: 6 is not a job zone (1, 2, 3, 4, 5)",
        ),
        (
            "Occupation Data.txt",
            3,
            replace_field(1, "   "),
            "Occupation Data.txt:3: Title: blank: only spaces",
        ),
        # A zone a framework file could not hold; one past the small integer field's range as well, which
        # SQLite would store and PostgreSQL wrap around (70000 as 4464).
        (
            "Job Zone Reference.txt",
            6,
            replace_field(0, "6"),
            "Job Zone Reference.txt:6: Job Zone: 6 is not a job zone from 1 to 5",
        ),
        (
            "Job Zone Reference.txt",
            6,
            replace_field(0, "70000"),
            "Job Zone Reference.txt:6: Job Zone: 70000 is not a job zone from 1 to 5",
        ),
        (
            "Job Zone Reference.txt",
            2,
            replace_field(0, "0"),
            "Job Zone Reference.txt:2: Job Zone: 0 is not a job zone from 1 to 5",
        ),
        (
            "Job Zones.txt",
            2,
            replace_field(1, "70000"),
            "Job Zones.txt:2: Job Zone: 70000 is not a job zone (1, 2, 3, 4, 5)",
        ),
        # Characters no text of the site may hold: PostgreSQL cannot store NUL, and a framework exported
        # with a control character would not import back.
        (
            "Occupation Data.txt",
            2,
            replace_field(1, "Chief\x00Executives"),
            "Occupation Data.txt:2: Title: contains a control character U+0000",
        ),
        (
            "Task Statements.txt",
            2,
            replace_field(2, "Direct\x00budgets."),
            "Task Statements.txt:2: Task: contains a control character U+0000",
        ),
        (
            "Task Statements.txt",
            2,
            replace_field(2, "Direct\x0bbudgets."),
            "Task Statements.txt:2: Task: contains a control character U+000B",
        ),
        (
            "Task Statements.txt",
            2,
            replace_field(2, "\x0b"),
            "Task Statements.txt:2: Task: contains a control character U+000B",
        ),
        # A carriage return alone ends no line of a release: inside one, it is taken for part of a field.
        (
            "Task Statements.txt",
            2,
            replace_field(2, "Direct\rbudgets."),
            "Task Statements.txt:2: Task: holds a carriage return inside the line: lines end in CRLF or LF, "
            "not a carriage return alone",
        ),
        # A key listed again: the later line would overwrite the first or be dropped without a word.
        (
            "Occupation Data.txt",
            3,
            replace_field(0, "11-1011.00"),
            "Occupation Data.txt:3: O*NET-SOC Code: 11-1011.00 is listed twice (first on line 2)",
        ),
        (
            "Job Zones.txt",
            3,
            replace_field(0, "11-1011.00"),
            "Job Zones.txt:3: O*NET-SOC Code: 11-1011.00 is listed twice (first on line 2)",
        ),
        (
            "Job Zone Reference.txt",
            6,
            replace_field(0, "4"),
            "Job Zone Reference.txt:6: Job Zone: 4 is listed twice (first on line 5)",
        ),
        (
            "Task Statements.txt",
            3,
            replace_field(1, "8823"),
            "Task Statements.txt:3: Task ID: 8823 is listed twice for 11-1011.00 (first on line 2)",
        ),
        (
            "Related Occupations.txt",
            4,
            replace_field(1, "43-4051.00"),
            "Related Occupations.txt:4: Related O*NET-SOC Code: 43-4051.00 is listed twice for 41-3021.00 "
            "(first on line 3)",
        ),
        (
            "Work Styles.txt",
            3,
            replace_field(3, "DR"),
            "Work Styles.txt:3: Scale ID: 1.D.1.a on scale DR is listed twice for 11-1011.00 (first on line 2)",
        ),
        # An element under two names: whichever was kept, the other line was wrong.
        (
            "Work Styles.txt",
            3,
            replace_field(2, "Something Else"),
            "Work Styles.txt:3: Element Name: 'Something Else' names 1.D.1.a of 11-1011.00, which line 2 "
            "names 'Innovation'",
        ),
    ],
)
def test_a_malformed_line_stops_the_import_and_changes_nothing(tmp_path, file_name, line, edit, message):
    assert refusal_of_edited(RELEASE_B, tmp_path, file_name, line, edit) == message


def refusal_of_edited(folder, tmp_path, file_name, line, edit):
    """The error importing a copy of the release folder with one line edited, over release A; the
    database is checked to be as it was."""
    run(RELEASE_A)
    before = snapshot()
    release = copy_release(folder, tmp_path)
    edit_line(release / file_name, line, edit)

    with pytest.raises(CommandError) as raised:
        run(release)

    assert snapshot() == before
    return str(raised.value)


@pytest.mark.parametrize(
    ("file_name", "line", "edit", "message"),
    [
        (
            "Skills.txt",
            3,
            replace_field(2, "Reading"),
            "Skills.txt:3: Element Name: 'Reading' names 2.A.1.a of 11-1011.00, which line 2 names "
            "'Reading Comprehension'",
        ),
        # Within the importance field's -3 to 5, but below IM's own 1.
        (
            "Skills.txt",
            2,
            replace_field(4, "0.99"),
            "Skills.txt:2: Data Value: '0.99' is outside the IM scale (1 to 5)",
        ),
        (
            "Work Styles.txt",
            2,
            replace_field(4, "-2"),
            "Work Styles.txt:2: Data Value: '-2' is outside the IM scale (1 to 5)",
        ),
        (
            "Skills.txt",
            2,
            replace_field(4, "5.01"),
            "Skills.txt:2: Data Value: '5.01': Ensure this value is less than or equal to 5.",
        ),
        (
            "Knowledge.txt",
            2,
            replace_field(9, "Yes"),
            "Knowledge.txt:2: Recommend Suppress: 'Yes' is not Y, N or n/a",
        ),
    ],
)
def test_a_malformed_line_of_a_29x_release_is_refused(tmp_path, file_name, line, edit, message):
    # Skills, knowledge and abilities, and work styles on the IM scale, are in 29.x releases only.
    assert refusal_of_edited(RELEASE_A, tmp_path, file_name, line, edit) == message


@pytest.mark.parametrize(
    "file_name",
    [
        "Job Zones.txt",
        "Job Zone Reference.txt",
        "Task Statements.txt",
        "Related Occupations.txt",
        "Work Styles.txt",
    ],
)
def test_a_line_repeated_exactly_is_refused_too(tmp_path, file_name):
    # No release repeats a line of these files, so a repeat is a damaged file rather than one to tidy.
    run(RELEASE_A)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    path = release / file_name
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:2], lines[1], *lines[2:]]))

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value).startswith(f"{file_name}:3: ")
    assert str(raised.value).endswith(" (first on line 2)")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("second_line", "message"),
    [
        (
            f"{'December ' * 7}2025 Release",
            "Read Me.txt:2: release month: longer than 60 characters",
        ),
        ("December\x002025 Release", "Read Me.txt:2: release month: contains a control character U+0000"),
    ],
)
def test_a_release_month_the_database_cannot_store_is_refused(tmp_path, second_line, message):
    run(RELEASE_A)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    read_me = release / "Read Me.txt"
    read_me.write_text(read_me.read_text().replace("December 2025 Release", second_line, 1))

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value) == message
    assert snapshot() == before


def test_the_job_zones_an_import_accepts_are_those_a_framework_file_holds():
    number = schema()["$defs"]["occupation"]["properties"]["job_zone"]["properties"]["number"]

    accepted = {zone for zone in range(10) if re.fullmatch(number["pattern"], str(zone))}

    assert accepted == set(STANDARD_JOB_ZONE_NAMES)


@pytest.mark.parametrize("value", ["-3", "3"])
def test_a_value_at_the_edge_of_the_importance_range_is_imported(tmp_path, value):
    release = copy_release(RELEASE_B, tmp_path)
    edit_line(release / "Work Styles.txt", 3, replace_field(4, value))

    run(release)

    innovation = SourceAnchor.objects.get(occupation__soc_code="11-1011.00", onet_id="1.D.1.a")
    assert innovation.importance == Decimal(value)


def test_a_rating_onet_recommends_suppressing_is_not_shown(tmp_path, client):
    release = copy_release(RELEASE_A, tmp_path)
    knowledge = release / "Knowledge.txt"
    edit_line(knowledge, 72, replace_field(9, "Y"))  # English Language, IM 4.10
    edit_line(knowledge, 71, replace_field(9, "Y"))  # Education and Training, LV: its importance stands

    run(release)

    shown = anchors(INSURANCE, SourceAnchor.Kind.KNOWLEDGE)
    assert shown == [name for name in SEED_KNOWLEDGE if name != "English Language"]
    response = client.get(f"/occupations/{INSURANCE}/anchors/")
    assert "Education and Training" in response.text
    assert "English Language" not in response.text


EDUCATION = "Education, Training, and Experience.txt"
# Insurance Sales Agents' bachelor's degree (category 6, 39.47%, flagged) in release B's file.
INSURANCE_BACHELOR_LINE = 35


def test_a_typical_education_onet_recommends_suppressing_is_not_shown(tmp_path, client):
    release = copy_release(RELEASE_B, tmp_path)
    Occupation.objects.create(soc_code=INSURANCE, title="Insurance Sales Agents", education_level=6)

    run(release)

    # Neither the flagged share nor the next one down (an associate's degree, 15.76%) is its typical level.
    assert Occupation.objects.get(soc_code=INSURANCE).education_level is None
    assert "Typical education" not in client.get(f"/occupations/{INSURANCE}/").text
    assert Occupation.objects.get(soc_code="15-1252.00").education_level == Occupation.EducationLevel.BACHELOR

    edit_line(release / EDUCATION, INSURANCE_BACHELOR_LINE, replace_field(10, "N"))
    run(release)
    cache.clear()
    assert "Typical education: Bachelor&#x27;s degree" in client.get(f"/occupations/{INSURANCE}/").text


def test_an_unknown_suppression_flag_on_education_is_refused_with_its_line(tmp_path):
    message = refusal_of_edited(RELEASE_B, tmp_path, EDUCATION, 20, replace_field(10, "Yes"))
    assert message == f"{EDUCATION}:20: Recommend Suppress: 'Yes' is not Y, N or n/a"


def test_the_ends_of_the_im_scale_are_imported(tmp_path):
    release = copy_release(RELEASE_A, tmp_path)
    edit_line(release / "Skills.txt", 2, replace_field(4, "5"))  # Reading Comprehension
    edit_line(release / "Skills.txt", 4, replace_field(4, "1"))  # Active Listening

    run(release)

    reading = SourceAnchor.objects.get(occupation__soc_code="11-1011.00", onet_id="2.A.1.a")
    assert reading.importance == Decimal("5.00")
    assert anchors("11-1011.00", SourceAnchor.Kind.SKILL)[0] == "Reading Comprehension"
    assert "Active Listening" not in anchors("11-1011.00", SourceAnchor.Kind.SKILL)


def test_an_index_too_large_for_the_database_is_refused_with_its_line(tmp_path):
    run(RELEASE_A)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    edit_line(release / "Related Occupations.txt", 2, replace_field(3, "9" * 20))

    with pytest.raises(CommandError) as raised:
        run(release)

    # The largest integer differs by database: 2**31 - 1 on PostgreSQL, 2**63 - 1 on SQLite.
    assert re.fullmatch(
        r"Related Occupations\.txt:2: Index: '9{20}': Ensure this value is less than or equal to \d+\.",
        str(raised.value),
    )
    assert snapshot() == before


def test_a_value_out_of_range_leaves_later_imports_and_the_page_working(tmp_path, client):
    release = copy_release(RELEASE_B, tmp_path)
    edit_line(release / "Work Styles.txt", 3, replace_field(4, "1e9"))

    with pytest.raises(CommandError):
        run(release)
    run(RELEASE_B)

    assert not OnetRelease.objects.exclude(version="30.1").exists()
    response = client.get("/occupations/11-1011.00/anchors/")
    assert response.status_code == 200
    assert "Innovation" in response.text
    innovation = SourceAnchor.objects.get(occupation__soc_code="11-1011.00", onet_id="1.D.1.a")
    assert innovation.importance == Decimal("2.30")


def test_a_release_without_occupations_is_refused(tmp_path):
    run(RELEASE_B)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    occupation_data = release / "Occupation Data.txt"
    occupation_data.write_bytes(occupation_data.read_bytes().split(b"\r\n")[0] + b"\r\n")

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value) == (
        f"{occupation_data} lists no occupations: a release has at least one, and importing none would "
        "retire every occupation in the database."
    )
    assert snapshot() == before
    assert not Occupation.objects.filter(retired=True).exists()


@pytest.mark.parametrize(
    ("folder", "file_name", "after_header"),
    [
        (RELEASE_B, "Job Zone Reference.txt", b""),
        (RELEASE_B, "Job Zones.txt", b""),
        (RELEASE_B, "Job Zones.txt", b"\r\n\r\n"),
        (RELEASE_B, "Education, Training, and Experience.txt", b""),
        (RELEASE_B, "Alternate Titles.txt", b""),
        (RELEASE_B, "Sample of Reported Titles.txt", b""),
        (RELEASE_B, "Related Occupations.txt", b""),
        (RELEASE_B, "Work Styles.txt", b""),
        (RELEASE_B, "Technology Skills.txt", b""),
        (RELEASE_B, "Task Statements.txt", b""),
        (RELEASE_A, "Skills.txt", b""),
        (RELEASE_A, "Knowledge.txt", b""),
        (RELEASE_A, "Abilities.txt", b""),
    ],
)
def test_a_file_with_a_header_and_no_data_lines_is_refused(tmp_path, folder, file_name, after_header):
    # Read as listing nothing, it would clear every occupation's job zone, or delete every task anchor.
    run(RELEASE_A)
    run(RELEASE_B)
    before = snapshot()
    release = copy_release(folder, tmp_path)
    path = release / file_name
    path.write_bytes(path.read_bytes().split(b"\r\n")[0] + b"\r\n" + after_header)

    with pytest.raises(CommandError) as raised:
        run(release, "--allow-downgrade")

    assert str(raised.value) == (
        f"{file_name}: no data lines after the header. Importing it would clear what it gives every "
        "occupation; a release that lacks the file leaves that as it is."
    )
    assert snapshot() == before


@pytest.mark.parametrize("file_name", ["Job Zones.txt", "Task Statements.txt"])
def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_refused(tmp_path, file_name):
    # Read whole as its header, which still names every column the import reads, it listed nothing.
    run(RELEASE_A)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    path = release / file_name
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value) == (
        f"{file_name}:1: Domain Source: holds a carriage return inside the line: lines end in CRLF or LF, "
        "not a carriage return alone"
    )
    assert snapshot() == before


@pytest.mark.parametrize("file_name", ["Task Statements.txt", "Occupation Data.txt", "Read Me.txt"])
def test_a_directory_named_like_a_release_file_is_an_error(tmp_path, file_name):
    run(RELEASE_B)
    before = snapshot()
    release = copy_release(RELEASE_B, tmp_path)
    (release / file_name).unlink()
    (release / file_name).mkdir()

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value) == f"{release / file_name} is a directory, not a file."
    assert snapshot() == before


def test_an_older_release_is_refused_unless_the_downgrade_is_allowed():
    run(RELEASE_A)
    run(RELEASE_B)
    before = snapshot()

    with pytest.raises(CommandError) as raised:
        run(RELEASE_A)

    assert str(raised.value) == (
        "O*NET 29.3 is older than O*NET 30.1, the release imported last: importing it would take the "
        "occupations back from 30.1 to 29.3. Pass --allow-downgrade to import it anyway."
    )
    assert snapshot() == before
    with pytest.raises(CommandError, match="Pass --allow-downgrade"):
        run(RELEASE_A, "--dry-run")

    output = run(RELEASE_A, "--allow-downgrade")

    assert output.endswith("Imported O*NET 29.3.\n")
    assert Occupation.objects.get(soc_code="43-4051.00").release.version == "29.3"
    # 29.3 lacks Sample of Reported Titles: the reported titles 30.1 gave stay, and 29.3 does not list
    # them again among the alternates.
    assert ("Account Representative", "") in titles("43-4051.00", OccupationTitle.Kind.REPORTED)
    assert titles_listed_twice() == set()
    # 29.3 is now the release imported last: importing it again is no downgrade, 30.1 an upgrade.
    assert "Nothing changed" in run(RELEASE_A)
    assert run(RELEASE_B).endswith("Imported O*NET 30.1.\n")


def test_a_title_both_title_files_list_is_shown_once_as_reported(tmp_path, client):
    release = copy_release(RELEASE_B, tmp_path)
    # As an alternate title it has a short title, which the reported title keeps.
    with open(release / "Sample of Reported Titles.txt", "ab") as stream:
        stream.write(b"15-1252.00\tAI Specialist (Artificial Intelligence Specialist)\tN\r\n")

    run(release)

    assert titles_listed_twice() == set()
    assert titles("15-1252.00", OccupationTitle.Kind.REPORTED) == [
        ("Application Developer", ""),
        ("Application Integration Engineer", ""),
        ("Developer", ""),
        ("AI Specialist (Artificial Intelligence Specialist)", "AI Specialist"),
    ]
    assert titles("15-1252.00", OccupationTitle.Kind.ALTERNATE) == [
        ("Application Analyst", ""),
        ("Application Architect", ""),
        ("Application Engineer", ""),
    ]
    assert page_titles(client, "15-1252.00") == [
        "Application Analyst",
        "Application Architect",
        "Application Engineer",
        "Application Developer",
        "Application Integration Engineer",
        "Developer",
        "AI Specialist (Artificial Intelligence Specialist)",
    ]
    assert page_titles(client, "43-4051.00").count("Account Representative") == 1


def test_an_upgrade_moves_a_title_that_became_reported():
    run(RELEASE_A)
    assert ("Account Representative", "") in titles("43-4051.00", OccupationTitle.Kind.ALTERNATE)

    output = run(RELEASE_B)

    assert ("Account Representative", "") not in titles("43-4051.00", OccupationTitle.Kind.ALTERNATE)
    assert titles("43-4051.00", OccupationTitle.Kind.REPORTED)[0] == ("Account Representative", "")
    assert titles_listed_twice() == set()
    assert summary(output)["titles"]["deleted"] == 1
    again = summary(run(RELEASE_B))["titles"]
    assert (again["created"], again["updated"], again["deleted"]) == (0, 0, 0)


def test_an_upgrade_records_no_history_of_the_occupations_and_titles_it_writes():
    run(RELEASE_A)

    output = run(RELEASE_B)

    assert summary(output)["titles"]["deleted"] and summary(output)["occupations"]["updated"]
    # A record per row would be written one by one, at O*NET's scale: the import's rows are its own.
    assert not Occupation.history.exists()
    assert not OccupationTitle.history.exists()


def test_a_curators_titles_keep_their_order_and_the_release_follows(seed, client):
    curated = page_titles(client, INSURANCE)
    assert len(curated) == 12 and curated[0] == "Insurance Agent"

    output = run(RELEASE_B)
    shown = page_titles(client, INSURANCE)

    # The release lists six of them (Insurance Agent as a reported title): they stay the curator's, in
    # the curator's order, and the release's other titles follow, each once.
    assert shown == [*curated, "Insurance Broker", "Insurance Sales Agent"]
    listed = OccupationTitle.objects.filter(occupation__soc_code=INSURANCE, title__in=curated)
    assert set(listed.values_list("release", flat=True)) == {None}
    assert summary(output)["titles"]["kept"] == 6
    assert summary(run(RELEASE_B))["titles"]["kept"] == 6
    assert page_titles(client, INSURANCE) == shown


def test_an_import_over_the_seed_places_the_releases_anchors_after_its_own(seed, tmp_path):
    run(RELEASE_A)

    for kind in SourceAnchor.Kind.values:
        positions = SourceAnchor.objects.filter(occupation__soc_code=INSURANCE, kind=kind).values_list(
            "position", flat=True
        )
        assert len(positions) == len(set(positions)), kind
    # 29.3's work styles are not the seed's (30.x) ones: the seed's six keep their places, the release's follow.
    work_styles = SourceAnchor.objects.filter(occupation__soc_code=INSURANCE, kind=SourceAnchor.Kind.WORK_STYLE)
    assert [anchor.release_id is None for anchor in work_styles.order_by("position")] == [True] * 6 + [False] * 16

    # So the framework exported now imports back unchanged.
    call_command("export_framework", INSURANCE, output=str(tmp_path / "export.yaml"), stdout=StringIO())
    output = StringIO()
    call_command("import_framework", str(tmp_path / "export.yaml"), stdout=output)
    assert output.getvalue().endswith("Nothing changed: the database already matches the file.\n")
    assert summary(run(RELEASE_A))["work style anchors"]["updated"] == 0


def test_an_upgrade_after_the_seed_keeps_the_releases_order_around_the_seeds_anchors(client):
    run(RELEASE_A)
    call_command("seed", stdout=StringIO())  # the seed's six 30.x work styles go after 29.3's sixteen

    run(RELEASE_B)

    # 30.1 lists the seed's six first, then two of its own, which follow them rather than take the places
    # 29.3's left free ahead of them.
    assert anchors(INSURANCE, SourceAnchor.Kind.WORK_STYLE) == EXPECTED_WORK_STYLES
    cache.clear()
    page = client.get(f"/occupations/{INSURANCE}/anchors/").text
    assert sorted(EXPECTED_WORK_STYLES, key=page.index) == EXPECTED_WORK_STYLES
    assert summary(run(RELEASE_B))["work style anchors"]["updated"] == 0


def test_a_path_that_does_not_exist_is_named_so(tmp_path):
    with pytest.raises(CommandError, match=r"missing does not exist\.$"):
        run(tmp_path / "missing")


def test_a_file_is_refused_and_a_zip_of_the_release_asked_to_be_unzipped(tmp_path):
    archive = tmp_path / "db_30_1_text.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(RELEASE_A / "Occupation Data.txt", "db_30_1_text/Occupation Data.txt")

    with pytest.raises(CommandError) as raised:
        run(archive)
    assert str(raised.value) == f"{archive} is a zip archive: unzip it and give the release folder it holds."

    with pytest.raises(CommandError) as raised:
        run(RELEASE_A / "Occupation Data.txt")
    assert str(raised.value) == (
        f"{RELEASE_A / 'Occupation Data.txt'} is not a folder: give the release folder, such as db_30_1_text."
    )
    assert not OnetRelease.objects.exists()


@pytest.mark.parametrize("name", ["Occupation Data.txt", "Skills.txt"])
def test_an_empty_file_of_the_release_is_named_as_empty(tmp_path, name):
    release = copy_release(RELEASE_A, tmp_path)
    (release / name).write_bytes(b"")

    with pytest.raises(CommandError) as raised:
        run(release)

    assert str(raised.value) == f"{name}: the file is empty: a release's files start with a header line."
    assert not OnetRelease.objects.exists()


def test_a_folder_that_is_not_a_release_says_which_files_it_expected(tmp_path):
    (tmp_path / "notes.txt").write_text("not O*NET")

    with pytest.raises(CommandError) as raised:
        run(tmp_path)

    message = str(raised.value)
    assert message.startswith(f"{tmp_path} is not an O*NET release folder: it has no Occupation Data.txt.")
    assert (
        "Expected the text release's files: Read Me.txt; Occupation Data.txt; Job Zone Reference.txt; "
        in message
    )
    assert "; Task Statements.txt." in message
    assert not OnetRelease.objects.exists()


def test_missing_files_are_reported_and_their_rows_left_alone(tmp_path):
    run(RELEASE_A)
    release = copy_release(RELEASE_A, tmp_path)
    (release / "Skills.txt").unlink()
    (release / "Related Occupations.txt").unlink()
    (release / "Job Zones.txt").unlink()
    edit_line(release / "Occupation Data.txt", 4, replace_field(1, "Insurance Agents"))

    output = run(release)

    assert (
        "Not in this release, skipped: Job Zone Reference.txt; Job Zones.txt; Education, Training, and "
        "Experience.txt; Sample of Reported Titles.txt; Related Occupations.txt; Skills.txt\n" in output
    )
    assert "skill anchors" not in summary(output)
    assert Occupation.objects.get(soc_code=INSURANCE).title == "Insurance Agents"
    assert Occupation.objects.get(soc_code=INSURANCE).job_zone_id == 4
    assert anchors(INSURANCE, SourceAnchor.Kind.SKILL) == EXPECTED_SKILLS
    assert len(related(INSURANCE)) == 3


def test_cited_and_curator_authored_anchors_survive_and_frameworks_are_untouched():
    run(RELEASE_A)
    insurance = Occupation.objects.get(soc_code=INSURANCE)
    advisors = Occupation.objects.get(soc_code="13-2052.00")
    framework, statement = make_framework(insurance)
    advisors_framework = Framework.objects.create(occupation=advisors, version="26.05")
    # A 29.x work style (30.x replaces them all) cited by a statement, and one a curator wrote.
    cited = SourceAnchor.objects.get(
        occupation=insurance, kind=SourceAnchor.Kind.WORK_STYLE, onet_id="1.C.5.c"
    )
    citation = Citation.objects.create(statement=statement, source=Source.objects.get(key="onet-29-3"))
    citation.anchors.add(cited)
    curated = SourceAnchor.objects.create(
        occupation=insurance, kind=SourceAnchor.Kind.WORK_STYLE, onet_id="curated-1", name="Composure"
    )
    authored = {
        model: serializers.serialize("json", model.objects.order_by("pk"))
        for model in (Framework, Statement, Citation, Citation.anchors.through)
    }

    output = run(RELEASE_B)

    assert summary(output)["work style anchors"]["kept"] == 2
    assert "kept: no longer in the release, but cited or curator-authored, so not deleted." in output
    assert SourceAnchor.objects.filter(pk__in=[cited.pk, curated.pk]).count() == 2
    assert SourceAnchor.objects.get(pk=cited.pk).release.version == "29.3"
    # Kept from 29.3, so still credited to it; the curator's anchor keeps its (lack of a) source.
    assert SourceAnchor.objects.get(pk=cited.pk).source.key == "onet-29-3"
    assert SourceAnchor.objects.get(pk=curated.pk).source is None
    assert SourceAnchor.objects.filter(occupation=insurance, kind=SourceAnchor.Kind.WORK_STYLE).count() == 10
    assert authored == {
        model: serializers.serialize("json", model.objects.order_by("pk"))
        for model in (Framework, Statement, Citation, Citation.anchors.through)
    }
    assert Framework.objects.filter(pk__in=[framework.pk, advisors_framework.pk]).count() == 2


def test_a_curator_authored_anchor_takes_the_release_text_but_stays_curated(tmp_path):
    occupation = Occupation.objects.create(soc_code=INSURANCE, title="Insurance Sales Agents")
    curators = Source.objects.create(
        key="skillscrosswalk",
        label="SkillsCrosswalk",
        footer_label="SkillsCrosswalk",
        title="SkillsCrosswalk.com",
    )
    anchor = SourceAnchor.objects.create(
        occupation=occupation,
        kind=SourceAnchor.Kind.SKILL,
        onet_id="2.A.1.a",
        name="Reading",
        position=9,
        source=curators,
    )

    run(RELEASE_A)

    anchor.refresh_from_db()
    assert (anchor.name, anchor.importance) == ("Reading Comprehension", Decimal("4.00"))
    assert (anchor.source, anchor.release) == (curators, None)
    # It keeps its place too; the release's skills, which it ranks after it, follow it, sharing no place.
    positions = SourceAnchor.objects.filter(occupation=occupation, kind=SourceAnchor.Kind.SKILL).values_list(
        "position", flat=True
    )
    assert anchor.position == 9
    assert anchors(INSURANCE, SourceAnchor.Kind.SKILL) == EXPECTED_SKILLS
    assert len(set(positions)) == len(positions)

    # A release without it does not delete it, as it would an imported anchor.
    release = copy_release(RELEASE_A, tmp_path)
    drop_lines(release / "Skills.txt", f"{INSURANCE}\t2.A.1.a\t")
    drop_lines(release / "Skills.txt", f"{INSURANCE}\t2.A.1.b\t")
    output = run(release)

    assert SourceAnchor.objects.filter(pk=anchor.pk).exists()
    assert not SourceAnchor.objects.filter(occupation=occupation, onet_id="2.A.1.b").exists()
    assert summary(output)["skill anchors"]["deleted"] == 1
    assert summary(output)["skill anchors"]["kept"] == 1


def test_quiet_under_verbosity_zero():
    stdout, stderr = TerminalStream(), TerminalStream()

    run(RELEASE_A, stdout=stdout, stderr=stderr, verbosity=0)

    assert (stdout.getvalue(), stderr.getvalue()) == ("", "")


def test_progress_bar_only_when_stderr_is_a_terminal():
    # Output piped to a log, the operator still watching the terminal's stderr: the bar shows there.
    stderr = TerminalStream()
    run(RELEASE_A, stdout=StringIO(), stderr=stderr)
    progress = stderr.getvalue()
    assert progress.startswith("\r[")
    assert "] 1/" in progress
    assert re.search(r"\[#{30}\] (\d+)/\1 ", progress)

    # Both to a terminal but stderr to a log, as `2>>import.log` under cron: nothing in the log.
    stderr = StringIO()
    run(RELEASE_B, stdout=TerminalStream(), stderr=stderr)
    assert stderr.getvalue() == ""


def test_verbosity_two_logs_a_line_per_step_without_a_terminal():
    stderr = StringIO()

    run(RELEASE_A, stderr=stderr, verbosity=2)

    lines = stderr.getvalue().splitlines()
    assert "\r" not in stderr.getvalue()
    assert re.fullmatch(r"1/\d+ Occupation Data.txt", lines[0])
    assert re.fullmatch(r"(\d+)/\1 .+", lines[-1])


def test_real_releases_import_then_upgrade(client):
    release_29_3, release_30_1 = shared("onet", "db_29_3_text"), shared("onet", "db_30_1_text")
    # How long this takes is measured by bench/import_onet.py, not here.
    run(release_29_3)

    assert Occupation.objects.count() == 1016
    assert list(anchor_credits(client, "47-2111.00")) == ["O*NET v29.3"]
    assert anchors(INSURANCE, SourceAnchor.Kind.SKILL) == EXPECTED_SKILLS
    assert anchors(INSURANCE, SourceAnchor.Kind.KNOWLEDGE) == SEED_KNOWLEDGE

    output = run(release_30_1)

    assert Occupation.objects.count() == 1016
    assert not Occupation.objects.filter(retired=True).exists()
    assert set(Occupation.objects.values_list("release__version", flat=True)) == {"30.1"}
    assert summary(output)["occupations"]["updated"] == 1016
    assert anchors(INSURANCE, SourceAnchor.Kind.SKILL) == EXPECTED_SKILLS
    assert anchors(INSURANCE, SourceAnchor.Kind.WORK_STYLE)[:6] == EXPECTED_WORK_STYLES[:6]
    assert SourceAnchor.objects.filter(kind=SourceAnchor.Kind.TASK).count() == 18_796
    assert OccupationTitle.objects.filter(kind=OccupationTitle.Kind.REPORTED).count() == 7_955
    # Every reported title of 30.1 is among its alternate titles too; each is kept once, as reported.
    assert titles_listed_twice() == set()
    assert Occupation.objects.get(soc_code=INSURANCE).education_level is None  # suppressed in 30.1
    assert Occupation.objects.get(soc_code="15-1252.00").education_level == Occupation.EducationLevel.BACHELOR
    # Electricians' skills, knowledge and abilities are 29.3's, which 30.1 does not have.
    assert list(anchor_credits(client, "47-2111.00")) == ["O*NET v29.3", "O*NET v30.1"]


def test_real_release_over_the_seed_keeps_the_seed_pages_titles(seed, client):
    release = shared("onet", "db_30_1_text")
    seed_page = shared("seed", "insurance-sales-agents-framework-page.txt")
    seed_lines = seed_page.read_text(encoding="utf-8").splitlines()
    expected = seed_lines[seed_lines.index("Related titles") + 1].split(" · ")

    run(release)

    shown = page_titles(client, INSURANCE)
    assert shown[: len(expected)] == expected
    assert len(shown) == len(set(shown))
    # The release's titles the seed page lacks follow, alternates then the sample of reported ones.
    assert shown[len(expected) : len(expected) + 2] == ["District Agent", "Enrollment Specialist"]
    assert shown[-2:] == ["Sales Representative", "Underwriting Sales Representative"]


def test_real_release_then_the_seed_then_the_release_again_changes_nothing(tmp_path):
    release = shared("onet", "db_30_1_text")
    run(release)
    zone = JobZone.objects.get(number=4)
    assert len(zone.description) == 453

    call_command("seed", stdout=StringIO())

    assert Framework.objects.published().get().statements.count() == 136
    assert JobZone.objects.get(number=4).description == zone.description
    insurance = Occupation.objects.get(soc_code=INSURANCE)
    assert (insurance.release.version, insurance.education_level) == ("30.1", None)
    customer = OccupationTitle.objects.get(occupation=insurance, title__startswith="Customer Relations Rep (")
    assert (customer.short_title, customer.release) == ("Customer Relations Rep", insurance.release)
    output = run(release)
    assert output.endswith("Nothing changed: the database already matches O*NET 30.1.\n")
    call_command("export_framework", INSURANCE, output=str(tmp_path / "export.yaml"), stdout=StringIO())
    output = StringIO()
    call_command("import_framework", str(tmp_path / "export.yaml"), stdout=output)
    assert output.getvalue().endswith("Nothing changed: the database already matches the file.\n")


def test_ctrl_c_mid_import_says_so_and_changes_nothing(monkeypatch):
    run(RELEASE_A)
    before = snapshot()

    def interrupted(self):
        raise KeyboardInterrupt

    # Ctrl-C while the upgrade writes, after it has written occupations and job zones.
    monkeypatch.setattr(ReleaseWriter, "_write_titles", interrupted)
    with pytest.raises(CommandError) as error:
        run(RELEASE_B)

    assert str(error.value) == "Interrupted: nothing was imported."
    assert error.value.returncode == 130
    assert snapshot() == before
