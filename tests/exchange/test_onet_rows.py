"""A framework file over what an O*NET import wrote: it adds to it and never blanks or takes it over."""

import re

import pytest
from django.core import serializers

from evidence.models import Source, SourceAnchor
from frameworks.models import JobZone, Occupation, OccupationTitle
from tests.exchange.conftest import MINIMAL, SEED_FILE, SOC, export, run
from tests.onet import (
    RELEASE_B,
    copy_release,
    drop_lines,
    edit_line,
    imported_rows,
    onet_changes,
    replace_field,
    summary,
)

pytestmark = pytest.mark.django_db


def counts(output, kind):
    """(created, updated, unchanged, deleted) of one kind in an import_framework summary."""
    return tuple(map(int, re.search(rf"^{kind}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", output, re.MULTILINE).groups()))


@pytest.fixture
def imported(tmp_path):
    """O*NET 30.1 (the small release), in which Insurance Sales Agents' Account Representative has a short title."""
    release = copy_release(RELEASE_B, tmp_path)
    edit_line(release / "Alternate Titles.txt", 12, replace_field(2, "Account Rep"))
    run("import_onet", str(release))
    return release


def test_a_file_leaves_what_an_onet_import_wrote_as_it_was(imported):
    before = imported_rows()
    zone = JobZone.objects.get(number=4)
    assert zone.description  # the release's, which the seed file leaves out

    output = run("import_framework", str(SEED_FILE))

    assert imported_rows() == before
    assert counts(output, "job zones") == (0, 0, 1, 0)
    assert JobZone.objects.get(number=4).description == zone.description
    account = OccupationTitle.objects.get(occupation__soc_code=SOC, title="Account Representative")
    assert (account.short_title, account.release.version) == ("Account Rep", "30.1")
    # The release lists Insurance Agent as a reported title and the file as an alternate one: it stays
    # the release's, listed once.
    assert list(
        OccupationTitle.objects.filter(occupation__soc_code=SOC, title="Insurance Agent").values_list(
            "kind", "release__version"
        )
    ) == [("reported", "30.1")]
    # The file's other titles are added after the release's, so the release imports again unchanged.
    alternates = OccupationTitle.objects.filter(occupation__soc_code=SOC, kind="alternate").order_by("position")
    assert [title.release_id is None for title in alternates] == [False] * 5 + [True] * 6
    assert onet_changes(run("import_onet", str(imported))) == {}
    assert "Nothing changed" in run("import_framework", str(SEED_FILE))


def test_an_export_after_an_onet_import_imports_back_unchanged(imported, framework_file):
    run("import_framework", str(SEED_FILE))

    output = run("import_framework", str(framework_file(export())))

    assert "Nothing changed: the database already matches the file." in output


def test_fields_a_file_leaves_out_keep_their_stored_values(seed, framework_file):
    occupation = seed.occupation
    text = SEED_FILE.read_text(encoding="utf-8")
    text = re.sub(r"\n  description: Sell life[^\n]*", "", text, count=1)
    text = re.sub(r"\n  job_zone:\n(    [^\n]*\n)+", "\n", text, count=1)
    text = text.replace("    name: Reading Comprehension\n    importance: 4.00\n", "    name: Reading\n", 1)
    assert "Considerable Preparation" not in text and "importance: 4.00" not in text

    output = run("import_framework", str(framework_file(text)))

    stored = Occupation.objects.get(pk=occupation.pk)
    assert (stored.description, stored.job_zone_id) == (occupation.description, 4)
    assert counts(output, "occupations") == (0, 0, 1, 0)
    # A curator's anchor takes what the file writes and keeps what it leaves out.
    reading = SourceAnchor.objects.get(occupation=occupation, kind="skill", onet_id="2.A.1.a")
    assert (reading.name, str(reading.importance), reading.source.key) == ("Reading", "4.00", "skillscrosswalk")
    assert counts(output, "anchors") == (0, 1, 56, 0)


def test_a_file_creates_a_missing_job_zone_and_leaves_one_the_site_has(db, framework_file):
    JobZone.objects.create(number=2, name="Some Preparation", description="What O*NET says.")
    zone = "  job_zone:\n    number: {number}\n    name: Renamed\n    description: Ours.\n"
    text = MINIMAL.replace("  title: Test Occupation\n", "  title: Test Occupation\n" + zone.format(number=2))

    run("import_framework", str(framework_file(text)))
    run("import_framework", str(framework_file(text.replace("number: 2", "number: 3"), "other.yaml")))

    assert list(JobZone.objects.values_list("number", "name", "description")) == [
        (2, "Some Preparation", "What O*NET says."),
        (3, "Renamed", "Ours."),
    ]
    assert Occupation.objects.get(soc_code="11-9999.00").job_zone_id == 3


def test_the_source_of_an_onet_release_stays_as_the_import_made_it(imported, framework_file):
    before = serializers.serialize("json", Source.objects.filter(key="onet-30-1"))
    source = "  - key: onet-30-1\n    label: Mine\n    footer_label: Mine\n    title: Mine\n"
    text = MINIMAL.replace("sources:\n", "sources:\n" + source, 1)

    output = run("import_framework", str(framework_file(text)))

    assert serializers.serialize("json", Source.objects.filter(key="onet-30-1")) == before
    assert counts(output, "sources") == (1, 0, 1, 0)


def test_an_occupation_only_a_framework_file_created_is_not_retired_by_an_import(framework_file, client):
    run("import_framework", str(framework_file(MINIMAL.replace("status: draft", "status: published"))))

    output = run("import_onet", str(RELEASE_B))

    assert summary(output)["occupations"]["retired"] == 0
    assert not Occupation.objects.get(soc_code="11-9999.00").retired
    assert "Not in the current O*NET release" not in client.get("/occupations/11-9999.00/").text
    assert "/occupations/11-9999.00/" in client.get("/occupations/?q=Test+Occupation").text
    assert "/occupations/11-9999.00/" in client.get("/sitemap.xml").text


def test_an_occupation_a_file_created_is_retired_once_a_release_listed_it_and_a_later_one_drops_it(tmp_path):
    run("import_framework", str(SEED_FILE))
    run("import_onet", str(RELEASE_B))
    release = copy_release(RELEASE_B, tmp_path)
    edit_line(release / "Read Me.txt", 1, lambda fields: ["O*NET 30.2 Database"])
    (release / "Related Occupations.txt").unlink()  # it lists Insurance Sales Agents among others' relations
    for name in (
        "Occupation Data.txt",
        "Job Zones.txt",
        "Alternate Titles.txt",
        "Sample of Reported Titles.txt",
        "Task Statements.txt",
        "Technology Skills.txt",
        "Work Styles.txt",
        "Education, Training, and Experience.txt",
    ):
        drop_lines(release / name, SOC)

    run("import_onet", str(release))

    assert Occupation.objects.get(soc_code=SOC).retired
