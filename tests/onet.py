"""O*NET text releases for the tests: the two small ones in tests/data/onet, ways to edit a copy of one,
and readings of what the import_onet command wrote and said."""

import re
import shutil
from pathlib import Path

from django.core import serializers

from evidence.models import SourceAnchor
from frameworks.models import JobZone, Occupation, OccupationTitle

DATA = Path(__file__).resolve().parent / "data" / "onet"
# 29.3 and 30.1, cut down to a few occupations.
RELEASE_A, RELEASE_B = DATA / "release_a", DATA / "release_b"


def copy_release(folder, tmp_path):
    return Path(shutil.copytree(folder, tmp_path / folder.name))


def edit_line(path, line_number, edit):
    """Replace a line (numbered from 1, the header included) of a release file with edit(its fields)."""
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[line_number - 1] = "\t".join(edit(lines[line_number - 1].split("\t")))
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def replace_field(index, value):
    return lambda fields: [*fields[:index], value, *fields[index + 1 :]]


def drop_lines(path, starting):
    """Remove the lines of a release file that start with `starting`."""
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    path.write_bytes("\r\n".join(line for line in lines if not line.startswith(starting)).encode("utf-8"))


def summary(output):
    """The closing summary table of import_onet as {kind: {column: count}}."""
    lines = output.splitlines()
    header = next(line for line in lines if line.split()[:3] == ["created", "updated", "unchanged"])
    columns = header.split()
    table = {}
    for line in lines[lines.index(header) + 1 :]:
        match = re.fullmatch(r"(\D+?)\s+([\d,\s]+)", line)
        if not match:
            break
        table[match[1]] = dict(zip(columns, (int(n.replace(",", "")) for n in match[2].split()), strict=True))
    return table


def onet_changes(output):
    """The kinds of row an import_onet summary says it changed, with their counts."""
    quiet = ("unchanged", "kept")
    return {
        kind: {column: n for column, n in counts.items() if n and column not in quiet}
        for kind, counts in summary(output).items()
        if any(n for column, n in counts.items() if column not in quiet)
    }


def imported_rows():
    """Every row an O*NET import wrote, serialized: the job zones, occupations and stamped titles and anchors."""
    occupations = Occupation.objects.values_list(
        "soc_code", "title", "description", "job_zone", "release", "retired", "education_level"
    ).order_by("soc_code")
    return (
        serializers.serialize("json", JobZone.objects.order_by("number")),
        list(occupations),
        serializers.serialize("json", OccupationTitle.objects.exclude(release=None).order_by("pk")),
        serializers.serialize("json", SourceAnchor.objects.exclude(release=None).order_by("pk")),
    )
