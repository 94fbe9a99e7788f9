"""Import of an O*NET database release in its text format: one folder of tab-delimited files.

`read_release` parses and validates every file it recognises into a `ReleaseData`; the database is not
touched until the whole folder has been read, so a malformed line leaves it as it was. `import_release`
then writes that data in one transaction with bulk operations, comparing it with the stored rows first, so
importing the same release twice changes nothing the second time.
"""

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from itertools import batched, count
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evidence.models import Citation, Source, SourceAnchor
from frameworks.models import JobZone, Occupation, OccupationTitle, OnetRelease, RelatedOccupation
from frameworks.onet_sources import release_source
from frameworks.search import refresh_derived_fields
from frameworks.signals import batch_of_changes
from frameworks.soc import SOC_CODE_PATTERN
from frameworks.validators import unwanted_character
from nsx.cache import content_changed_on_commit
from nsx.commands import lock_data_writes
from nsx.tallies import Tally

BATCH_SIZE = 1000
# A new value that at least this many updated rows share is set with a plain UPDATE of those rows.
SHARED_VALUE_ROWS = 50

READ_ME = "Read Me.txt"
OCCUPATION_DATA = "Occupation Data.txt"
JOB_ZONE_REFERENCE = "Job Zone Reference.txt"
JOB_ZONES = "Job Zones.txt"
RELATED_OCCUPATIONS = "Related Occupations.txt"
EDUCATION = "Education, Training, and Experience.txt"
TITLE_FILES = {
    OccupationTitle.Kind.ALTERNATE: "Alternate Titles.txt",
    OccupationTitle.Kind.REPORTED: "Sample of Reported Titles.txt",
}
ANCHOR_FILES = {
    SourceAnchor.Kind.SKILL: "Skills.txt",
    SourceAnchor.Kind.KNOWLEDGE: "Knowledge.txt",
    SourceAnchor.Kind.ABILITY: "Abilities.txt",
    SourceAnchor.Kind.WORK_STYLE: "Work Styles.txt",
    SourceAnchor.Kind.TECHNOLOGY: "Technology Skills.txt",
    SourceAnchor.Kind.TASK: "Task Statements.txt",
}
# Every file the importer reads, in the order it reads them.
RELEASE_FILES = [
    READ_ME,
    OCCUPATION_DATA,
    JOB_ZONE_REFERENCE,
    JOB_ZONES,
    EDUCATION,
    *TITLE_FILES.values(),
    RELATED_OCCUPATIONS,
    *ANCHOR_FILES.values(),
]

SOC_CODE = "O*NET-SOC Code"
MISSING_VALUE = "n/a"
RECOMMEND_SUPPRESS = "Recommend Suppress"

# O*NET OnLine shows an element as important to an occupation from this importance (IM, 1-5) up.
IMPORTANT = Decimal("3.0")
# The scales an anchor's importance holds, each with its range: IM (1 to 5), and WI (-3 to 3) for 30.x work
# styles. The importance field takes -3 to 5 whatever the scale, so a value is checked against its own
# scale's range as well. Level (LV) and distinctiveness rank (DR) are read beside them to choose anchors,
# and never stored.
STORED_SCALES = {"IM": (Decimal(1), Decimal(5)), "WI": (Decimal(-3), Decimal(3))}

# O*NET's five job zones, the only ones a release may number (the framework format's schema allows 1 to 5
# too, so an imported zone exports), and the names for those a release needs when its folder lacks Job Zone
# Reference.txt (the converted 29.3 release does); O*NET has named the five zones so since it introduced
# them. Existing names are never overwritten.
STANDARD_JOB_ZONE_NAMES = {
    1: "Little or No Preparation",
    2: "Some Preparation",
    3: "Medium Preparation",
    4: "Considerable Preparation",
    5: "Extensive Preparation",
}

TASK_TYPE_ORDER = {"Core": 0, "Supplemental": 1, "": 2}

# The Required Level of Education element and the scale whose categories name education levels.
EDUCATION_ELEMENT, EDUCATION_SCALE = "2.D.1", "RL"

_SOC_CODE_RE = re.compile(SOC_CODE_PATTERN, re.ASCII)
_VERSION_RE = re.compile(r"O\*NET (\S+) Database")
_RELEASED_RE = re.compile(r"(.+?) Release")


def list_files(names):
    """File names joined by semicolons, since some (Education, Training, and Experience.txt) hold commas."""
    return "; ".join(names)


class ReleaseError(Exception):
    """The folder cannot be imported as an O*NET release."""


class DowngradeError(ReleaseError):
    """The release is older than the one imported last."""

    def __init__(self, version, latest):
        self.version, self.latest = version, latest
        super().__init__(
            f"O*NET {version} is older than {latest}, the release imported last: importing it would take "
            f"the occupations back from {latest.version} to {version}."
        )


class LineError(ReleaseError):
    """A malformed line, named by file, line number and column."""

    def __init__(self, file, line, column, problem):
        super().__init__(f"{file}:{line}: {column}: {problem}")


# ---------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class Row:
    """One data line of a release file: the values of the columns asked for, checked as they are read."""

    file: str
    line: int
    values: dict

    def error(self, column, problem):
        return LineError(self.file, self.line, column, problem)

    def text(self, column, *, max_length=None, required=True):
        value = self.values[column]
        if value == MISSING_VALUE:
            value = ""
        # PostgreSQL cannot store NUL, and a framework exported with any of these would not import back.
        if (character := unwanted_character(value)) is not None:
            raise self.error(column, f"contains a {character}")
        if required and not value.strip():
            raise self.error(column, "empty" if not value else "blank: only spaces")
        if max_length and len(value) > max_length:
            raise self.error(column, f"longer than {max_length} characters")
        return value

    def number(self, column, field=None, *, stored=True):
        """A finite number; given the DecimalField it goes to, one that field can store once rounded and,
        unless the number is only read beside the field's values (not `stored`), one its validators accept."""
        value = self.values[column]
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.error(column, f"{value!r} is not a number")
        if field is not None:
            step = Decimal(1).scaleb(-field.decimal_places)
            bound = Decimal(10) ** (field.max_digits - field.decimal_places)
            # Checked before rounding too, since rounding a number longer than decimal's precision fails.
            # SQLite would store it and then fail to read it back; PostgreSQL would refuse it mid-import.
            if abs(number) >= bound or abs(rounded := number.quantize(step)) >= bound:
                largest = bound - step
                raise self.error(column, f"{value!r} is out of range (-{largest} to {largest})")
            if stored:
                self._validate(column, value, field, rounded)
        return number

    def whole_number(self, column, field=None):
        """A whole number; given the field it goes to, one that field accepts."""
        value = self.values[column]
        if not (value.isascii() and value.isdigit()):
            raise self.error(column, f"{value!r} is not a whole number")
        number = int(value)
        if field is not None:
            self._validate(column, value, field, number)
        return number

    def listed_once(self, lines, column, value, *, of=None):
        """Refuse a value an earlier line of the file listed, for the same occupation if `of` names one.

        `lines` maps what the file has listed so far to the line that listed it first.
        """
        first = lines.setdefault((of, value), self.line)
        if first != self.line:
            occupation = f" for {of}" if of else ""
            raise self.error(column, f"{value} is listed twice{occupation} (first on line {first})")

    def _validate(self, column, value, field, number):
        """Apply the field's own validators: the database's integer range, a minimum it sets."""
        try:
            field.run_validators(number)
        except ValidationError as error:
            raise self.error(column, f"{value!r}: {' '.join(error.messages)}") from None

    def code(self, column, *, max_length):
        """A numeric identifier (task ID, commodity code), kept as the release writes it."""
        self.whole_number(column)
        return self.text(column, max_length=max_length)

    def flag(self, column):
        value = self.values[column]
        if value not in ("Y", "N"):
            raise self.error(column, f"{value!r} is not Y or N")
        return value == "Y"

    def soc_code(self, column, known):
        """A code of an occupation in Occupation Data; a child file may name no other."""
        value = self.values[column]
        if value not in known:
            if _SOC_CODE_RE.fullmatch(value):
                raise self.error(column, f"{value} is not in {OCCUPATION_DATA}")
            raise self.error(column, f"{value!r} is not an O*NET-SOC code")
        return value


class ReleaseFolder:
    """A folder holding an O*NET text release."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise ReleaseError(f"{self.path} does not exist.")
        if zipfile.is_zipfile(self.path):
            # O*NET publishes each release as a zip of its folder.
            raise ReleaseError(f"{self.path} is a zip archive: unzip it and give the release folder it holds.")
        if not self.path.is_dir():
            raise ReleaseError(f"{self.path} is not a folder: give the release folder, such as db_30_1_text.")
        # has() would take such a path for a file the release lacks and skip it without a word.
        for name in RELEASE_FILES:
            file = self.path / name
            if file.exists() and not file.is_file():
                problem = "a directory, not a file" if file.is_dir() else "not a regular file"
                raise ReleaseError(f"{file} is {problem}.")
        if not (self.path / OCCUPATION_DATA).is_file():
            raise ReleaseError(
                f"{self.path} is not an O*NET release folder: it has no {OCCUPATION_DATA}. "
                f"Expected the text release's files: {list_files(RELEASE_FILES)}."
            )
        if not (self.path / READ_ME).is_file():
            raise ReleaseError(f"{self.path} has no {READ_ME}, which names the release's version.")

    def has(self, name):
        return (self.path / name).is_file()

    @property
    def missing_files(self):
        return [name for name in RELEASE_FILES if not self.has(name)]

    def rows(self, name, columns, *, optional=(), empty=None):
        """Yield each data line of a file as a Row of the named columns, checking the line's shape.

        The `optional` columns are read where the header has them: some layouts lack them.

        A file without a data line is refused, with the message `empty` if given: each file of a release
        lists something (every one of 29.3 and 30.1 does), and one read as listing nothing would clear what
        the file gives every occupation. A release that lacks the file leaves that as it is.
        """
        with open(self.path / name, "rb") as stream:
            if (first := next(stream, None)) is None:
                # Rather than "missing from the header" for the first column asked for.
                raise ReleaseError(f"{name}: the file is empty: a release's files start with a header line.")
            text = self._decode(name, 1, first).removeprefix("\ufeff")
            if "\r" in text:
                self._refuse_carriage_return(name, 1, text, text.split("\t"))
            header = text.split("\t")
            # Otherwise the first of the two columns would be read, and the other ignored without a word.
            places = {}
            for place, column in enumerate(header, start=1):
                if (first := places.setdefault(column, place)) != place:
                    problem = f"listed twice in the header (columns {first} and {place})"
                    raise LineError(name, 1, column or f"column {place}", problem)
            for column in columns:
                if column not in header:
                    raise LineError(name, 1, column, "missing from the header")
            columns = [*columns, *(column for column in optional if column in header)]
            indexes = [header.index(column) for column in columns]
            data_lines = 0
            for line, raw in enumerate(stream, start=2):
                text = self._decode(name, line, raw)
                if not text:
                    continue
                if "\r" in text:
                    self._refuse_carriage_return(name, line, text, header)
                data_lines += 1
                fields = text.split("\t")
                if len(fields) < len(header):
                    raise LineError(
                        name,
                        line,
                        header[len(fields)],
                        f"missing: the line has {len(fields)} of the header's {len(header)} columns",
                    )
                if len(fields) > len(header):
                    raise LineError(
                        name,
                        line,
                        f"column {len(header) + 1}",
                        f"unexpected: the line has {len(fields)} columns, the header {len(header)}",
                    )
                yield Row(
                    name,
                    line,
                    {column: fields[index] for column, index in zip(columns, indexes, strict=True)},
                )
        if not data_lines:
            raise ReleaseError(
                empty
                or f"{name}: no data lines after the header. Importing it would clear what it gives every "
                "occupation; a release that lacks the file leaves that as it is."
            )

    @staticmethod
    def _refuse_carriage_return(name, line, text, header):
        """Refuse a carriage return inside a line, named by the column it falls in.

        A file whose lines end in a carriage return alone (old Mac line ends) reads as a single line, the
        header, which may still hold the columns asked for: the file would seem to list nothing.
        """
        place = text[: text.index("\r")].count("\t")
        column = header[place].split("\r")[0] if place < len(header) else ""
        raise LineError(
            name,
            line,
            column or f"column {place + 1}",
            "holds a carriage return inside the line: lines end in CRLF or LF, not a carriage return alone",
        )

    @staticmethod
    def _decode(name, line, raw):
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise LineError(name, line, "text", "not UTF-8") from None


@dataclass(frozen=True, slots=True)
class OccupationRecord:
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class TitleRecord:
    title: str
    short_title: str = ""


@dataclass(frozen=True, slots=True)
class RelatedRecord:
    soc_code: str
    tier: str
    index: int


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    onet_id: str
    name: str
    importance: Decimal | None = None
    task_type: str = ""
    hot_technology: bool = False
    in_demand: bool = False


@dataclass
class ReleaseData:
    """Everything read from a release folder. A file the folder lacks leaves its part None or absent."""

    version: str
    released: str
    occupations: dict  # SOC code -> OccupationRecord
    missing_files: list
    job_zone_reference: dict | None = None  # zone number -> {"name": …, "description": …}
    job_zones: dict | None = None  # SOC code -> zone number
    education_levels: dict | None = None  # SOC code -> Occupation.EducationLevel value, or None
    titles: dict = field(default_factory=dict)  # kind -> SOC code -> [TitleRecord], in the release's order
    related: dict | None = None  # SOC code -> [RelatedRecord]
    anchors: dict = field(default_factory=dict)  # kind -> SOC code -> [AnchorRecord], in display order


class Steps:
    """Reports progress through the import's steps to an optional callback(done, total, label)."""

    def __init__(self, total, callback=None):
        self.total, self.done, self.callback = total, 0, callback

    def advance(self, label):
        self.done += 1
        if self.callback:
            self.callback(self.done, self.total, label)


def count_steps(folder):
    """One step per data file read, one per kind of row written, one per kind of anchor written."""
    files = [name for name in RELEASE_FILES if name != READ_ME and folder.has(name)]
    anchor_kinds = [kind for kind, name in ANCHOR_FILES.items() if folder.has(name)]
    return len(files) + len(ROW_KINDS) + len(anchor_kinds)


def read_release(folder, steps):
    """Read and check every file of the release that the importer recognises."""
    version, released = _read_version(folder)
    occupations = _read_occupations(folder)
    steps.advance(OCCUPATION_DATA)
    data = ReleaseData(version, released, occupations, folder.missing_files)
    known = occupations.keys()

    def read(name, reader):
        if not folder.has(name):
            return None
        result = reader(folder, name, known)
        steps.advance(name)
        return result

    data.job_zone_reference = read(JOB_ZONE_REFERENCE, _read_job_zone_reference)
    valid_zones = (data.job_zone_reference or STANDARD_JOB_ZONE_NAMES).keys()
    data.job_zones = read(JOB_ZONES, lambda *args: _read_job_zones(*args, valid_zones))
    data.education_levels = read(EDUCATION, _read_education_levels)
    for kind, name in TITLE_FILES.items():
        if (titles := read(name, _TITLE_READERS[kind])) is not None:
            data.titles[kind] = titles
    _list_titles_once(data.titles)
    data.related = read(RELATED_OCCUPATIONS, _read_related)
    for kind, name in ANCHOR_FILES.items():
        if (anchors := read(name, _ANCHOR_READERS[kind])) is not None:
            data.anchors[kind] = anchors
    return data


def _read_version(folder):
    """The version and month from the Read Me's first two lines.

    They read e.g. "O*NET 30.1 Database" and "December 2025 Release".
    """
    with open(folder.path / READ_ME, encoding="utf-8", errors="replace") as stream:
        first, second = (stream.readline().strip().removeprefix("\ufeff"), stream.readline().strip())
    version = _VERSION_RE.fullmatch(first)
    if not version:
        raise LineError(READ_ME, 1, "version", f"expected “O*NET <version> Database”, found {first!r}")
    released = _RELEASED_RE.fullmatch(second)
    # Both are stored, so they are checked as a data file's columns are.
    version_line = Row(READ_ME, 1, {"version": version[1]})
    month_line = Row(READ_ME, 2, {"release month": released[1] if released else ""})
    return (
        version_line.text("version", max_length=_max_length(OnetRelease, "version")),
        month_line.text("release month", max_length=_max_length(OnetRelease, "released"), required=False),
    )


def _read_occupations(folder):
    occupations, lines = {}, {}
    # Every stored occupation would be retired as gone from the release.
    empty = (
        f"{folder.path / OCCUPATION_DATA} lists no occupations: a release has at least one, and importing "
        "none would retire every occupation in the database."
    )
    for row in folder.rows(OCCUPATION_DATA, [SOC_CODE, "Title", "Description"], empty=empty):
        soc_code = row.values[SOC_CODE]
        if not _SOC_CODE_RE.fullmatch(soc_code):
            raise row.error(SOC_CODE, f"{soc_code!r} is not an O*NET-SOC code")
        row.listed_once(lines, SOC_CODE, soc_code)
        occupations[soc_code] = OccupationRecord(
            title=row.text("Title", max_length=_max_length(Occupation, "title")),
            description=row.text("Description", required=False),
        )
    return occupations


def _read_job_zone_reference(folder, name, known):
    zones, lines = {}, {}
    name_length = _max_length(JobZone, "name")
    for row in folder.rows(name, ["Job Zone", "Name", "Experience", "Education", "Job Training"]):
        # Checked against the five zones rather than the field, which a larger number fits on SQLite and
        # overflows on PostgreSQL.
        zone = row.whole_number("Job Zone")
        if zone not in STANDARD_JOB_ZONE_NAMES:
            first, last = min(STANDARD_JOB_ZONE_NAMES), max(STANDARD_JOB_ZONE_NAMES)
            raise row.error("Job Zone", f"{zone} is not a job zone from {first} to {last}")
        row.listed_once(lines, "Job Zone", zone)
        # "Job Zone Four: Considerable Preparation Needed" is shown as "Considerable Preparation".
        zone_name = row.text("Name").split(": ", 1)[-1].removesuffix(" Needed")
        if len(zone_name) > name_length:
            raise row.error("Name", f"longer than {name_length} characters")
        zones[zone] = {
            "name": zone_name,
            "description": "\n\n".join(
                text
                for column in ("Experience", "Education", "Job Training")
                if (text := row.text(column, required=False))
            ),
        }
    return zones


def _read_job_zones(folder, name, known, valid_zones):
    """Each occupation's zone, one of `valid_zones`: those of Job Zone Reference, or else the standard five."""
    zones, lines = {}, {}
    for row in folder.rows(name, [SOC_CODE, "Job Zone"]):
        soc_code = row.soc_code(SOC_CODE, known)
        row.listed_once(lines, SOC_CODE, soc_code)
        zone = row.whole_number("Job Zone")
        if zone not in valid_zones:
            listed = ", ".join(map(str, sorted(valid_zones)))
            raise row.error("Job Zone", f"{zone} is not a job zone ({listed})")
        zones[soc_code] = zone
    return zones


def _read_education_levels(folder, name, known):
    """Each occupation's most common required level of education: the RL category with the highest share.

    An occupation whose highest share O*NET recommends suppressing (too imprecise to report: 69 of 30.1's,
    Insurance Sales Agents' 39% for a bachelor's degree among them, its interval 9% to 81%) has none. The
    next share down is no answer either: it would name a level fewer people gave.
    """
    best = {}  # SOC code -> (share, -level, suppressed)
    columns = [SOC_CODE, "Element ID", "Scale ID", "Category", "Data Value"]
    for row in folder.rows(name, columns, optional=[RECOMMEND_SUPPRESS]):
        soc_code = row.soc_code(SOC_CODE, known)
        share = row.number("Data Value")
        if row.values["Element ID"] != EDUCATION_ELEMENT or row.values["Scale ID"] != EDUCATION_SCALE:
            continue
        level = row.whole_number("Category")
        if level not in Occupation.EducationLevel.values:
            raise row.error("Category", f"{level} is not a level of education")
        suppressed = _suppressed(row)
        # On equal shares the lower level wins, whatever order the categories come in.
        if share > 0 and (share, -level) > best.get(soc_code, (0, 0, False))[:2]:
            best[soc_code] = (share, -level, suppressed)
    return {
        soc_code: None if suppressed else -negated_level
        for soc_code, (share, negated_level, suppressed) in best.items()
    }


def _read_titles(folder, name, known, title_column, short_title_column=None):
    """Titles in the release's order; a title listed twice is kept once, with any short title it was given."""
    max_length = _max_length(OccupationTitle, "title")
    max_short = _max_length(OccupationTitle, "short_title")
    columns = [SOC_CODE, title_column] + ([short_title_column] if short_title_column else [])
    titles = defaultdict(dict)
    for row in folder.rows(name, columns):
        soc_code = row.soc_code(SOC_CODE, known)
        title = row.text(title_column, max_length=max_length)
        short_title = (
            row.text(short_title_column, max_length=max_short, required=False) if short_title_column else ""
        )
        listed = titles[soc_code].get(title)
        if listed is None or (short_title and not listed.short_title):
            titles[soc_code][title] = TitleRecord(title, short_title)
    return {soc_code: list(by_title.values()) for soc_code, by_title in titles.items()}


def _list_titles_once(titles):
    """Keep a title that both title files give an occupation once: as reported, with its short title.

    O*NET lists each sampled reported title among the alternate titles as well (all 7,955 of 30.1's), and
    the occupation page shows both kinds in one list, so kept under both it showed twice. Reported is the
    narrower kind: the sample O*NET OnLine puts first.
    """
    alternate = titles.get(OccupationTitle.Kind.ALTERNATE)
    reported = titles.get(OccupationTitle.Kind.REPORTED)
    if not alternate or not reported:
        return
    for soc_code, records in reported.items():
        alternates = {record.title: record for record in alternate.get(soc_code, ())}
        if not alternates:
            continue
        reported[soc_code] = [alternates.get(record.title, record) for record in records]
        listed = {record.title for record in records}
        alternate[soc_code] = [record for record in alternate[soc_code] if record.title not in listed]


_TITLE_READERS = {
    OccupationTitle.Kind.ALTERNATE: lambda *args: _read_titles(*args, "Alternate Title", "Short Title"),
    OccupationTitle.Kind.REPORTED: lambda *args: _read_titles(*args, "Reported Job Title"),
}


def _read_related(folder, name, known):
    related, lines = defaultdict(list), {}
    tier_length = _max_length(RelatedOccupation, "tier")
    for row in folder.rows(name, [SOC_CODE, "Related O*NET-SOC Code", "Relatedness Tier", "Index"]):
        soc_code = row.soc_code(SOC_CODE, known)
        related_code = row.soc_code("Related O*NET-SOC Code", known)
        if related_code == soc_code:
            # Its page would list the occupation among those related to it.
            raise row.error("Related O*NET-SOC Code", f"{related_code} is the occupation itself")
        row.listed_once(lines, "Related O*NET-SOC Code", related_code, of=soc_code)
        tier = row.text("Relatedness Tier", max_length=tier_length)
        index = row.whole_number("Index", field=RelatedOccupation._meta.get_field("position"))
        related[soc_code].append(RelatedRecord(related_code, tier, index))
    return dict(related)


def _read_ratings(folder, name, known):
    """Each occupation's rated elements: element ID -> (element name, {scale ID: data value}).

    An element has one name in an occupation's lines, whatever their scale; a line naming it otherwise is
    refused rather than either name kept.
    """
    ratings, lines, named = defaultdict(dict), {}, {}
    id_length = _max_length(SourceAnchor, "onet_id")
    # Which scale is stored is known only once the file is read (IM in 29.x, WI in 30.x), so every value
    # is checked against the field while its line is at hand: its digits, and an IM or WI value its range
    # and its scale's.
    importance = SourceAnchor._meta.get_field("importance")
    columns = [SOC_CODE, "Element ID", "Element Name", "Scale ID", "Data Value"]
    for row in folder.rows(name, columns, optional=[RECOMMEND_SUPPRESS]):
        soc_code = row.soc_code(SOC_CODE, known)
        element_id = row.text("Element ID", max_length=id_length)
        scale = row.values["Scale ID"]
        row.listed_once(lines, "Scale ID", f"{element_id} on scale {scale}", of=soc_code)
        value = row.number("Data Value", field=importance, stored=scale in STORED_SCALES)
        if scale in STORED_SCALES:
            low, high = STORED_SCALES[scale]
            if not low <= value <= high:
                problem = f"{row.values['Data Value']!r} is outside the {scale} scale ({low} to {high})"
                raise row.error("Data Value", problem)
        element_name = row.text("Element Name")
        element = ratings[soc_code].get(element_id)
        if element is None:
            element = ratings[soc_code][element_id] = (element_name, {})
            named[soc_code, element_id] = row.line
        elif element_name != element[0]:
            first = named[soc_code, element_id]
            raise row.error(
                "Element Name",
                f"{element_name!r} names {element_id} of {soc_code}, which line {first} names {element[0]!r}",
            )
        if not _suppressed(row):
            element[1][scale] = value
    return ratings


def _suppressed(row):
    """Whether O*NET recommends suppressing the line's value as too imprecise (Recommend Suppress Y).

    Such a value is left out, so that the element is not shown as rated on that scale (29.3 rates English
    Language 5.00, the most important, for Writers and Authors so). A layout without the column (30.x work
    styles) suppresses nothing.
    """
    flag = row.values.get(RECOMMEND_SUPPRESS, MISSING_VALUE)
    if flag not in ("Y", "N", MISSING_VALUE):
        raise row.error(RECOMMEND_SUPPRESS, f"{flag!r} is not Y, N or {MISSING_VALUE}")
    return flag == "Y"


def _ranked(ratings, scale, keep):
    """The elements `keep` accepts, highest on `scale` first, as anchors.

    Ties go by element name. Checked against the published Insurance Sales Agents page (41-3021.00, skills
    of 29.3): its ties at IM 3.62 (Persuasion, Writing) and 3.00 (Active Learning, Coordination, Judgment
    and Decision Making, Mathematics) are in name order, but it puts Speaking before Active Listening
    (both 3.88), whose rows are identical in every column (IM, LV 4.00, N, standard errors, bounds). No
    order drawn from the data gives that pair as the page does without breaking another tie (LV
    descending, for one, puts Judgment and Decision Making before Coordination), so the page's order
    there is not reproducible and name order is kept.
    """
    anchors = {}
    for soc_code, elements in ratings.items():
        chosen = [
            (values[scale], element_name, element_id)
            for element_id, (element_name, values) in elements.items()
            if scale in values and keep(values)
        ]
        chosen.sort(key=lambda item: (-item[0], item[1]))
        anchors[soc_code] = [
            AnchorRecord(element_id, element_name, importance=_hundredths(value))
            for value, element_name, element_id in chosen
        ]
    return anchors


def _read_important_elements(folder, name, known):
    """Skills, knowledge or abilities rated important (IM >= 3.0, not suppressed), most important first."""
    return _ranked(_read_ratings(folder, name, known), "IM", lambda values: values["IM"] >= IMPORTANT)


def _read_work_styles(folder, name, known):
    """Work styles by impact, most first.

    30.x rates their impact on WI (-3..3) and ranks the ones distinctive of an occupation on DR (0 for the
    rest); 29.x rated importance on IM, like skills.
    """
    ratings = _read_ratings(folder, name, known)
    if any("WI" in values for elements in ratings.values() for _, values in elements.values()):
        return _ranked(ratings, "WI", lambda values: values.get("DR", 0) > 0)
    return _ranked(ratings, "IM", lambda values: values["IM"] >= IMPORTANT)


def _read_tasks(folder, name, known):
    """Core tasks first, then supplemental ones, then any the release has not typed, each in its order."""
    tasks, lines = defaultdict(list), {}
    id_length = _max_length(SourceAnchor, "onet_id")
    for row in folder.rows(name, [SOC_CODE, "Task ID", "Task", "Task Type"]):
        soc_code = row.soc_code(SOC_CODE, known)
        task_type = row.text("Task Type", required=False)
        if task_type not in TASK_TYPE_ORDER:
            raise row.error("Task Type", f"{task_type!r} is not Core, Supplemental or {MISSING_VALUE}")
        task_id = row.code("Task ID", max_length=id_length)
        row.listed_once(lines, "Task ID", task_id, of=soc_code)
        tasks[soc_code].append(AnchorRecord(task_id, row.text("Task"), task_type=task_type))
    return {
        soc_code: sorted(records, key=lambda record: TASK_TYPE_ORDER[record.task_type])
        for soc_code, records in tasks.items()
    }


def _read_technology(folder, name, known):
    """One anchor per commodity, by commodity title; hot or in demand when any of its examples is."""
    commodities = defaultdict(dict)
    id_length = _max_length(SourceAnchor, "onet_id")
    columns = [SOC_CODE, "Commodity Code", "Commodity Title", "Hot Technology", "In Demand"]
    for row in folder.rows(name, columns):
        soc_code = row.soc_code(SOC_CODE, known)
        code = row.code("Commodity Code", max_length=id_length)
        title = row.text("Commodity Title")
        hot, in_demand = row.flag("Hot Technology"), row.flag("In Demand")
        listed = commodities[soc_code].get(code)
        if listed:
            hot, in_demand = hot or listed.hot_technology, in_demand or listed.in_demand
        commodities[soc_code][code] = AnchorRecord(code, title, hot_technology=hot, in_demand=in_demand)
    return {
        soc_code: sorted(by_code.values(), key=lambda record: (record.name, record.onet_id))
        for soc_code, by_code in commodities.items()
    }


_ANCHOR_READERS = {
    SourceAnchor.Kind.SKILL: _read_important_elements,
    SourceAnchor.Kind.KNOWLEDGE: _read_important_elements,
    SourceAnchor.Kind.ABILITY: _read_important_elements,
    SourceAnchor.Kind.WORK_STYLE: _read_work_styles,
    SourceAnchor.Kind.TECHNOLOGY: _read_technology,
    SourceAnchor.Kind.TASK: _read_tasks,
}


def _max_length(model, field_name):
    return model._meta.get_field(field_name).max_length


def _hundredths(value):
    """A value as the database stores it (two decimal places), so stored and read values compare equal."""
    return value.quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------------------
# Writing


@dataclass
class ReleaseTally(Tally):
    """What a release import did to one kind of row: an import's counts, and what it retired or kept."""

    retired: int = 0
    restored: int = 0  # retired occupations that the release lists again
    kept: int = 0  # no longer in the release, but cited or curator-authored, so not deleted

    COLUMNS = ("created", "updated", "unchanged", "deleted", "retired", "restored", "kept")

    @property
    def changes(self):
        return self.created + self.updated + self.deleted + self.retired + self.restored


# The kinds of row an import writes before the anchors, in order, as its summary names them.
ROW_KINDS = ("release", "job zones", "occupations", "titles", "related occupations")


def anchor_label(kind):
    return f"{kind.value.replace('_', ' ')} anchors"


@dataclass
class ImportReport:
    """The closing summary of one import: the release, the files it lacked, and a ReleaseTally per kind of row."""

    release: OnetRelease
    missing_files: list
    dry_run: bool = False
    tallies: dict = field(default_factory=dict)

    @property
    def changes(self):
        return sum(tally.changes for tally in self.tallies.values())


def import_release(path, *, dry_run=False, allow_downgrade=False, progress=None):
    """Import the release in the folder at `path`; roll everything back when `dry_run`.

    Raises ReleaseError (a LineError for a malformed line, a DowngradeError for a release older than the
    one imported last unless `allow_downgrade`) before writing anything.
    """
    folder = ReleaseFolder(path)
    if not allow_downgrade:
        _refuse_downgrade(_read_version(folder)[0])
    steps = Steps(count_steps(folder), progress)
    data = read_release(folder, steps)
    with transaction.atomic(), batch_of_changes():
        lock_data_writes()
        report = ReleaseWriter(data, steps).write()
        report.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        else:
            # Bulk writes send no model signals: pages learn of the import here.
            content_changed_on_commit()
    return report


def _version_key(version):
    """A version as numbers to compare ("29.3" -> (29, 3)), or None for one not written that way."""
    parts = version.split(".")
    return tuple(map(int, parts)) if all(part.isascii() and part.isdigit() for part in parts) else None


def _refuse_downgrade(version):
    # Dry runs roll back, so the release stamped last is the one the stored data came from.
    latest = OnetRelease.objects.exclude(imported_at=None).order_by("-imported_at").first()
    if latest is None:
        return
    new, old = _version_key(version), _version_key(latest.version)
    if new is not None and old is not None and new < old:
        raise DowngradeError(version, latest)


class ReleaseWriter:
    """Writes a release's data, changing only the rows that differ from it.

    Occupations an earlier import wrote (release set) that are absent from the release are retired, never
    deleted; one that only a framework file or a curator created was never O*NET's to retire. Titles, related occupations and
    anchors of the occupations in the release are replaced kind by kind, for the kinds whose file the
    release has; an anchor no longer in the release is deleted only if an earlier import created it
    (release set) and no citation cites it. A curator-authored anchor (no release) that the release also
    lists takes the release's text, importance and flags but stays curator-authored, source and place
    included; a curator's title keeps its place as well, and the release's rows take the places left free
    (see _free_places). An anchor the import stamps is credited to the release's own source
    (onet_sources.release_source), so an upgrade credits it to the new release.
    """

    def __init__(self, data, steps):
        self.data, self.steps = data, steps
        self.now = timezone.now()
        self.release = None
        self.occupation_ids = {}  # SOC code -> pk, of the occupations in the release
        self.release_source = None  # credits the anchors: fetched or created with the first ones written

    def write(self):
        data = self.data
        self.release, created = OnetRelease.objects.get_or_create(
            version=data.version, defaults={"released": data.released, "imported_at": self.now}
        )
        report = ImportReport(self.release, data.missing_files)
        report.tallies["release"] = release_tally = ReleaseTally(created=int(created))
        self.steps.advance("release")
        writers = [self._write_job_zones, self._write_occupations, self._write_titles, self._write_related]
        writers += [partial(self._write_anchors, kind) for kind in data.anchors]
        labels = [*ROW_KINDS[1:], *map(anchor_label, data.anchors)]
        for label, write_rows in zip(labels, writers, strict=True):
            report.tallies[label] = write_rows()
            self.steps.advance(label)
        refresh_derived_fields(self.occupation_ids.values())

        if created:
            return report
        # A release imported before is stamped again only when this import changed something.
        if data.released != self.release.released or report.changes:
            self.release.released, self.release.imported_at = data.released, self.now
            self.release.save(update_fields=["released", "imported_at"])
            release_tally.updated = 1
        else:
            release_tally.unchanged = 1
        return report

    def _write_job_zones(self):
        tally = ReleaseTally()
        stored = JobZone.objects.in_bulk()
        if self.data.job_zone_reference is not None:
            wanted = self.data.job_zone_reference
        else:
            used = set((self.data.job_zones or {}).values())
            wanted = {number: {"name": STANDARD_JOB_ZONE_NAMES[number]} for number in used - stored.keys()}
            tally.unchanged = len(used & stored.keys())
        _sync(JobZone, stored, wanted, tally, lambda number, values: JobZone(number=number, **values))
        return tally

    def _write_occupations(self):
        data, tally = self.data, ReleaseTally()
        stored = {occupation.soc_code: occupation for occupation in Occupation.objects.all()}
        wanted = {}
        for soc_code, record in data.occupations.items():
            values = {
                "title": record.title,
                "description": record.description,
                "release_id": self.release.pk,
                "retired": False,
            }
            # Fields whose file the release lacks keep what an earlier release gave them.
            if data.job_zones is not None:
                values["job_zone_id"] = data.job_zones.get(soc_code)
            if data.education_levels is not None:
                values["education_level"] = data.education_levels.get(soc_code)
            wanted[soc_code] = values
        restored = sum(1 for soc_code in wanted if soc_code in stored and stored[soc_code].retired)
        absent = _sync(
            Occupation,
            stored,
            wanted,
            tally,
            lambda soc_code, values: Occupation(soc_code=soc_code, **values),
        )
        # A restored occupation is tallied as restored rather than updated.
        tally.updated -= restored
        tally.restored = restored

        # As with titles and anchors, the import retires only what an import wrote: an occupation a framework
        # file created (say one O*NET does not list) would otherwise leave the directory and the sitemap.
        to_retire = [
            occupation for occupation in absent.values() if occupation.release_id and not occupation.retired
        ]
        _update(Occupation, [(occupation, {"retired": True}) for occupation in to_retire])
        tally.retired = len(to_retire)

        self.occupation_ids = {
            soc_code: pk
            for soc_code, pk in Occupation.objects.values_list("soc_code", "pk")
            if soc_code in wanted
        }
        return tally

    def _write_titles(self):
        """Each title once per occupation, the release's around those it does not own.

        A curator's title keeps its kind and place, taking only the release's short title, and the
        release's titles of that kind take the places left free (see _free_places), so that no release
        title shares a curator's position. A title of a kind whose file the release lacks is left as it
        is, and the release does not list it again under another kind.
        """
        tally = ReleaseTally()
        kinds = list(self.data.titles)
        if not kinds:
            return tally
        in_release = set(self.occupation_ids.values())
        stored = {}
        held = defaultdict(dict)  # occupation id -> title -> the row the import leaves in place
        held_places = defaultdict(set)  # (occupation id, kind) -> the positions of those rows
        for title in OccupationTitle.objects.all():
            if title.occupation_id not in in_release:
                continue
            if title.kind in kinds:
                stored[title.occupation_id, title.kind, title.title] = title
            if title.release_id is None or title.kind not in kinds:
                held[title.occupation_id].setdefault(title.title, title)
                held_places[title.occupation_id, title.kind].add(title.position)
        wanted = {}
        for kind, by_occupation in self.data.titles.items():
            for soc_code, records in by_occupation.items():
                occupation_id = self.occupation_ids[soc_code]
                places = _free_places(held_places[occupation_id, kind])
                for record in records:
                    holder = held[occupation_id].get(record.title)
                    if holder is None:
                        key = (occupation_id, kind, record.title)
                        values = {"short_title": record.short_title, "position": next(places)}
                        wanted[key] = self._with_release(values, stored.get(key))
                    elif holder.kind in kinds:
                        wanted[occupation_id, holder.kind, holder.title] = {"short_title": record.short_title}
        stale = _sync(
            OccupationTitle,
            stored,
            wanted,
            tally,
            lambda key, values: OccupationTitle(occupation_id=key[0], kind=key[1], title=key[2], **values),
        )
        tally.deleted = _delete_imported(OccupationTitle, stale.values())
        tally.kept = len(stale) - tally.deleted
        return tally

    def _with_release(self, values, stored, **credit):
        """Stamp a row with this release and `credit`, unless a curator wrote it: then it stays the curator's."""
        if stored is None or stored.release_id is not None:
            values["release_id"] = self.release.pk
            values.update(credit)
        return values

    def _write_related(self):
        tally = ReleaseTally()
        if self.data.related is None:
            return tally
        ids = self.occupation_ids
        in_release = set(ids.values())
        stored = {
            (link.from_occupation_id, link.to_occupation_id): link
            for link in RelatedOccupation.objects.all()
            if link.from_occupation_id in in_release
        }
        wanted = {}
        for soc_code, records in self.data.related.items():
            for record in records:
                key = (ids[soc_code], ids[record.soc_code])
                wanted[key] = self._with_release({"tier": record.tier, "position": record.index}, stored.get(key))
        stale = _sync(
            RelatedOccupation,
            stored,
            wanted,
            tally,
            lambda key, values: RelatedOccupation(
                from_occupation_id=key[0], to_occupation_id=key[1], **values
            ),
        )
        tally.deleted = _delete_imported(RelatedOccupation, stale.values())
        tally.kept = len(stale) - tally.deleted
        return tally

    def _write_anchors(self, kind):
        tally = ReleaseTally()
        if self.release_source is None:
            fields = release_source(self.data.version, self.data.released)
            self.release_source, _ = Source.objects.get_or_create(key=fields.pop("key"), defaults=fields)
        in_release = set(self.occupation_ids.values())
        stored = {
            (anchor.occupation_id, anchor.onet_id): anchor
            for anchor in SourceAnchor.objects.filter(kind=kind)
            if anchor.occupation_id in in_release
        }
        listed = {
            (self.occupation_ids[soc_code], record.onet_id)
            for soc_code, records in self.data.anchors[kind].items()
            for record in records
        }
        cited = set(Citation.anchors.through.objects.values_list("sourceanchor_id", flat=True))
        # As for titles: a curator's anchor, and an earlier release's that stays because it is cited, keep
        # their places, and the release's take the places left free, each after those the release lists
        # before it.
        held_places = defaultdict(set)
        for key, anchor in stored.items():
            if anchor.release_id is None or (key not in listed and anchor.pk in cited):
                held_places[anchor.occupation_id].add(anchor.position)
        wanted = {}
        for soc_code, records in self.data.anchors[kind].items():
            occupation_id = self.occupation_ids[soc_code]
            taken = held_places[occupation_id]
            last = 0  # the place of the anchor the release lists before the next one
            for record in records:
                key = (occupation_id, record.onet_id)
                values = {
                    "name": record.name,
                    "importance": record.importance,
                    "task_type": record.task_type,
                    "hot_technology": record.hot_technology,
                    "in_demand": record.in_demand,
                }
                anchor = stored.get(key)
                if anchor is None or anchor.release_id is not None:
                    # After a curator's anchor the release lists before it, not in a free place above it
                    # (29.3's work styles leave 1 to 16 free where the seed's six sit at 17 to 22).
                    last = values["position"] = next(_free_places(taken, after=last))
                    taken.add(last)
                else:
                    last = max(last, anchor.position)
                wanted[key] = self._with_release(values, anchor, source_id=self.release_source.pk)
        stale = _sync(
            SourceAnchor,
            stored,
            wanted,
            tally,
            lambda key, values: SourceAnchor(occupation_id=key[0], kind=kind, onet_id=key[1], **values),
        )
        deletable = [anchor.pk for anchor in stale.values() if anchor.release_id and anchor.pk not in cited]
        tally.deleted = _delete(SourceAnchor, deletable)
        tally.kept = len(stale) - len(deletable)
        return tally


def _free_places(held, *, after=0):
    """Positions after `after` (1, 2, 3, …) without those in `held`: the places an import's rows take around
    the rows it keeps.

    Kept rows stay where they are, wherever that is, and the release's follow in its order without sharing
    a place with one (an anchor after the kept ones the release lists before it); a framework file places a curator's rows the other way round (exchange.services), so
    that neither import moves what the other wrote.
    """
    return (position for position in count(after + 1) if position not in held)


def _sync(model, stored, wanted, tally, build):
    """Create the wanted rows not stored yet and update the stored rows that differ; count each.

    `stored` maps natural keys to stored instances and `wanted` maps them to field values (by attribute
    name). Returns the stored instances no longer wanted, by key.
    """
    stored = dict(stored)
    to_create, changes = [], []
    for key, values in wanted.items():
        instance = stored.pop(key, None)
        if instance is None:
            to_create.append(build(key, values))
            continue
        changed = {name: value for name, value in values.items() if getattr(instance, name) != value}
        if changed:
            changes.append((instance, changed))
        else:
            tally.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    _update(model, changes)
    tally.created += len(to_create)
    tally.updated += len(changes)
    return stored


def _update(model, changes):
    """Save the changed fields of stored rows, given as (instance, {field: new value}) pairs.

    bulk_update builds a CASE branch per row and field, which costs seconds at O*NET's scale, while an
    upgrade mostly sets values that many rows share (the new release, small positions). So a value shared
    by SHARED_VALUE_ROWS rows or more is set with one UPDATE per batch of them, and only the rest go
    through bulk_update, grouped by the fields that changed. Shared values set on the very same rows (an
    anchor's new release and its source) go in one UPDATE.
    """
    pks_by_value = defaultdict(list)
    for instance, changed in changes:
        for name, value in changed.items():
            pks_by_value[name, value].append(instance.pk)
    shared = {key for key, pks in pks_by_value.items() if len(pks) >= SHARED_VALUE_ROWS}
    values_by_rows = defaultdict(dict)
    for name, value in shared:
        values_by_rows[tuple(pks_by_value[name, value])][name] = value
    for pks, values in values_by_rows.items():
        for chunk in batched(pks, BATCH_SIZE, strict=False):
            model.objects.filter(pk__in=chunk).update(**values)

    by_fields = defaultdict(list)
    for instance, changed in changes:
        fields = tuple(sorted(name for name, value in changed.items() if (name, value) not in shared))
        for name in fields:
            setattr(instance, name, changed[name])
        if fields:
            by_fields[fields].append(instance)
    for fields, instances in by_fields.items():
        model.objects.bulk_update(instances, fields, batch_size=BATCH_SIZE)


def _delete_imported(model, rows):
    """Delete the rows an import created; a curator's rows (no release) are kept."""
    return _delete(model, [row.pk for row in rows if row.release_id])


def _delete(model, pks):
    for chunk in batched(pks, BATCH_SIZE, strict=False):
        model.objects.filter(pk__in=chunk).delete()
    return len(pks)
