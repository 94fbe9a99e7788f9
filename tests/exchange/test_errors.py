"""Every problem of a framework file is reported at once, as file:line: path: problem; nothing is imported."""

import pytest
from django.core.management import CommandError

from exchange.fileformat import dump_json, parse
from frameworks.models import Framework, Statement
from tests.database import snapshot
from tests.exchange.conftest import MINIMAL, SEED_FILE, run, statement_block

pytestmark = pytest.mark.django_db

LONG_TITLE = "x" * 201
# MINIMAL as the site serves JSON, whose problems are named by their lines in it.
MINIMAL_JSON = dump_json(parse(MINIMAL, "framework.yaml").data)


def import_errors(path):
    """The lines of the CommandError that importing the file raises."""
    with pytest.raises(CommandError) as raised:
        run("import_framework", str(path))
    return str(raised.value).splitlines()


def test_the_minimal_file_imports(framework_file):
    run("import_framework", str(framework_file(MINIMAL)))

    assert Framework.objects.get().statements.count() == 2


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        # References between the parts of the file
        ("      - onet\n", "      - wef-2021\n", '42: statements[0].citations[0]: unknown source "wef-2021"'),
        (
            "      - source: onet\n",
            "      - source: wef\n",
            '50: statements[1].citations[0].source: unknown source "wef"',
        ),
        (
            "    text: does the first thing.\n",
            '    text: "   "\n',
            "40: statements[0].text: blank: only spaces",
        ),
        ("    title: First statement\n", '    title: " "\n', "39: statements[0].title: blank: only spaces"),
        (
            "    text: does the first thing.\n",
            f"    text: {'x' * 1001}\n",
            "40: statements[0].text: longer than 1000 characters",
        ),
        # Importance is on O*NET's IM (1 to 5) or WI (-3 to 3) scale, as SourceAnchor.importance holds it.
        (
            "    name: Customize insurance programs.\n",
            "    name: Customize insurance programs.\n    importance: 5.01\n",
            '35: anchors[0].importance: "5.01" is not a number from -3 to 5 with at most two decimals, '
            "such as 4.12",
        ),
        (
            "    name: Customize insurance programs.\n",
            "    name: Customize insurance programs.\n    importance: -3.01\n",
            '35: anchors[0].importance: "-3.01" is not a number from -3 to 5 with at most two decimals, '
            "such as 4.12",
        ),
        (
            "    level: emerging\n",
            "    level: exceeding\n",
            '38: statements[0].level: unknown level "exceeding" for scale "mastery"',
        ),
        (
            "    domain: communication\n",
            "    domain: teamwork\n",
            '46: statements[1].domain: unknown domain "teamwork"',
        ),
        (
            "    domain: communication\n",
            "",
            '43: statements[1]: domain missing: section "durable" groups its statements by domain',
        ),
        (
            "    level: emerging\n",
            "    level: emerging\n    domain: communication\n",
            '39: statements[0].domain: section "skills" has no domains',
        ),
        (
            "  - key: second",
            "  - key: first",
            '43: statements[1].key: duplicate statement key "first" (first on line 36)',
        ),
        (
            "    section: skills\n",
            "    section: tools\n",
            '37: statements[0].section: unknown section "tools"',
        ),
        (
            "    scale: mastery\n    uses_domains",
            "    scale: grades\n    uses_domains",
            '21: sections[1].scale: unknown scale "grades"',
        ),
        (
            "    uses_domains: true\n",
            "    uses_domains: true\n    shows_evidence: yes\n",
            "23: sections[1].shows_evidence: expected true or false, found text",
        ),
        (
            "          - task:720",
            "          - task:999",
            '52: statements[1].citations[0].anchors[0]: unknown anchor "task:999"',
        ),
        (
            "    title: O*NET database\n",
            "    title: O*NET database\n"
            "  - key: onet\n    label: Again\n    footer_label: Again\n    title: Again\n",
            '31: sources[1].key: duplicate source "onet" (first on line 27)',
        ),
        (
            "      - onet\n",
            "      - onet\n      - onet\n",
            '43: statements[0].citations[1]: duplicate citation of source "onet" (first on line 42)',
        ),
        (
            "status: draft",
            "status: draft\npublished_at: 2026-13-01T00:00:00Z",
            '7: published_at: "2026-13-01T00:00:00Z" is not a valid date and time',
        ),
        # Against the schema
        ("    title: First statement\n", "", "36: statements[0].title: missing"),
        (
            "    text: does the first thing.\n",
            "    text: does the first thing.\n    colour: red\n",
            "41: statements[0].colour: unknown field "
            "(expected one of: key, section, level, domain, title, text, citations)",
        ),
        (
            "status: draft",
            "status: live",
            '6: status: "live" is not one of: draft, in_review, published, archived',
        ),
        (
            "soc_code: 11-9999.00",
            "soc_code: 11-999",
            '3: occupation.soc_code: "11-999" is not an O*NET-SOC code such as 41-3021.00',
        ),
        ("version: 1.0", "version: [1, 0]", "5: version: expected text, found a list"),
        (
            "title: First statement",
            f"title: {LONG_TITLE}",
            "39: statements[0].title: longer than 200 characters",
        ),
        ("format: nsx-framework/1", "format: nsx-framework/2", '1: format: expected "nsx-framework/1"'),
        (
            "      - onet\n",
            "      - [onet]\n",
            "42: statements[0].citations[0]: expected a source key, or a mapping of source and anchors",
        ),
        # Against YAML
        (
            "  title: Test Occupation",
            "  title: Test \x07 Occupation",
            "4: not valid YAML: character #x0007: special characters are not allowed",
        ),
        (
            "  title: Test Occupation",
            "  title: Test: Occupation",
            "4: not valid YAML: mapping values are not allowed here",
        ),
        (
            "  title: Test Occupation",
            "  title: Test Occupation\n  title: Again",
            '5: occupation.title: duplicate field "title" (first on line 4)',
        ),
        (
            "        name: Emerging",
            "        name: !!python/name:os.system Emerging",
            "12: scales[0].levels[0].name: "
            "YAML tags (tag:yaml.org,2002:python/name:os.system) are not part of the format",
        ),
    ],
)
def test_each_problem_names_file_line_and_path(framework_file, old, new, problem):
    assert old in MINIMAL
    path = framework_file(MINIMAL.replace(old, new, 1))
    assert import_errors(path) == [f"{path}: 1 problem; nothing was imported.", f"{path}:{problem}"]


def test_aliases_are_refused(framework_file):
    text = MINIMAL.replace("    name: Mastery\n", "    name: &name Mastery\n").replace(
        "name: Emerging", "name: *name"
    )
    path = framework_file(text)

    assert import_errors(path)[1:] == [
        f"{path}:12: scales[0].levels[0].name: YAML aliases (*name) are not part of the format"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "1: the file is empty"), ("- a\n- b\n", "1: expected a mapping, found a list")],
)
def test_a_file_that_is_no_framework(framework_file, text, problem):
    path = framework_file(text)

    assert import_errors(path)[1:] == [f"{path}:{problem}"]


def test_text_that_is_not_utf8(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_bytes(MINIMAL.encode().replace(b"Test Occupation", b"Test \xff Occupation"))

    assert import_errors(path)[1:] == [f"{path}:4: not UTF-8 text"]


def test_every_problem_is_reported_at_once_in_line_order(framework_file):
    text = MINIMAL
    for old, new in [
        ("    domain: communication\n", "    domain: teamwork\n"),
        ("  - key: second", "  - key: first"),
        ("      - onet\n", "      - wef-2021\n"),
        ("    level: emerging\n", "    level: exceeding\n"),
        ("status: draft", "status: live"),
    ]:
        text = text.replace(old, new, 1)
    path = framework_file(text)

    assert import_errors(path) == [
        f"{path}: 5 problems; nothing was imported.",
        f'{path}:6: status: "live" is not one of: draft, in_review, published, archived',
        f'{path}:38: statements[0].level: unknown level "exceeding" for scale "mastery"',
        f'{path}:42: statements[0].citations[0]: unknown source "wef-2021"',
        f'{path}:43: statements[1].key: duplicate statement key "first" (first on line 36)',
        f'{path}:46: statements[1].domain: unknown domain "teamwork"',
    ]
    assert not Framework.objects.exists()


def test_a_file_may_not_take_over_what_other_frameworks_use(seed, framework_file):
    taken = Statement.objects.filter(framework=seed).first().uid
    path = framework_file(MINIMAL.replace("  - key: first", f"  - key: {taken}"))

    assert import_errors(path)[1:] == [
        f'{path}:21: sections[1].scale: other frameworks use section "durable" with scale "durable": '
        "a framework file cannot change it",
        f"{path}:36: statements[0].key: statement {taken} belongs to another framework, 41-3021.00 v26.05",
    ]


def test_a_file_may_not_give_domains_to_a_section_other_frameworks_use_without(seed, framework_file):
    skills = "  - key: skills\n    name: Occupational skills\n"
    text = MINIMAL.replace(skills, skills + "    uses_domains: true\n")
    path = framework_file(text)

    assert (
        f'{path}:18: sections[0].uses_domains: other frameworks use section "skills" without domains: '
        "a framework file cannot change it"
    ) in import_errors(path)


def test_the_database_is_unchanged_after_a_failed_import(seed, framework_file):
    text = SEED_FILE.read_text()
    first = Statement.objects.filter(framework=seed).first()
    block = statement_block(text, first.uid)
    text = text.replace(block, block.replace(f"title: {first.title}", "title: A new title"))
    text = text.replace("    source: wef\n", "    source: wef-2021\n")
    before = snapshot()

    errors = import_errors(framework_file(text))

    assert len(errors) == 3  # the heading and both metrics that cite the unknown source
    assert all('unknown source "wef-2021"' in line for line in errors[1:])
    assert snapshot() == before


def seed_file_with(framework_file, old, new):
    """The shipped file with its first `old` replaced, and the line of that replacement."""
    text = SEED_FILE.read_text()
    assert old in text
    return framework_file(text.replace(old, new, 1)), text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        # Taken, this would publish a framework no address reaches and archive v26.05.
        (
            "version: 26.05",
            'version: "26.05\\n"',
            'version: "26.05\\n" is not a version label such as 26.05',
        ),
        (
            "soc_code: 41-3021.00",
            'soc_code: "41-3021.00\\n"',
            'occupation.soc_code: "41-3021.00\\n" is not an O*NET-SOC code such as 41-3021.00',
        ),
        (
            "number: 4",
            'number: "4\\n"',
            'occupation.job_zone.number: "4\\n" is not a job zone from 1 to 5',
        ),
        (
            "published_at: 2026-05-01T00:00:00Z",
            'published_at: "2026-05-01T00:00:00Z\\n"',
            'published_at: "2026-05-01T00:00:00Z\\n" is not a date and time with its time zone, '
            "such as 2026-05-01T00:00:00Z",
        ),
        (
            "  - key: 1c83837f-9e46-536b-8248-716b3eb07880",
            '  - key: "1c83837f-9e46-536b-8248-716b3eb07880\\n"',
            'statements[0].key: "1c83837f-9e46-536b-8248-716b3eb07880\\n" '
            "is not a key of letters, digits, dots, hyphens and underscores",
        ),
        (
            "    url: https://www.onetcenter.org/database.html",
            '    url: "https://www.onetcenter.org/database.html\\n"',
            'sources[0].url: "https://www.onetcenter.org/database.html\\n" is not an http or https address',
        ),
        # Text may hold no control character but tab and line breaks, and no surrogate.
        (
            "  title: Insurance Sales Agents",
            '  title: "Insurance \\0 Sales Agents"',
            "occupation.title: contains a control character U+0000",
        ),
        # Not looked up in the database, which cannot hold it.
        (
            "soc_code: 41-3021.00",
            'soc_code: "41-3021.00\\0"',
            "occupation.soc_code: contains a control character U+0000",
        ),
        ("version: 26.05", 'version: "26.05\\e"', "version: contains a control character U+001B"),
        (
            "    name: Communication",
            '    name: "Communi\\ud800cation"',
            "domains[0].name: contains a surrogate code point U+D800",
        ),
        (
            "    name: Communication",
            '    name: "Launch \\ud83d\\ude80"',
            "domains[0].name: contains a surrogate code point U+D83D",
        ),
    ],
)
def test_a_value_must_match_its_pattern_whole_and_hold_only_characters_text_may(seed, framework_file, old, new, problem):
    path, line = seed_file_with(framework_file, old, new)
    before = snapshot()

    assert import_errors(path) == [f"{path}: 1 problem; nothing was imported.", f"{path}:{line}: {problem}"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            '"level": "emerging"',
            '"level": "exceeding"',
            '63: statements[0].level: unknown level "exceeding" for scale "mastery"',
        ),
        (
            '        "onet"\n',
            '        "wef-2021"\n',
            '67: statements[0].citations[0]: unknown source "wef-2021"',
        ),
        ('      "title": "First statement",\n', "", "60: statements[0].title: missing"),
        (
            '"title": "Test Occupation"',
            '"title": "Test Occupation",\n    "title": "Again"',
            '6: occupation.title: duplicate field "title" (first on line 5)',
        ),
        (
            '"version": "1.0"',
            '"version": "1.0\\n"',
            '7: version: "1.0\\n" is not a version label such as 26.05',
        ),
        (
            '"First statement"',
            '"First \\u0000 statement"',
            "64: statements[0].title: contains a control character U+0000",
        ),
        (
            '"First statement"',
            '"First \\ud800 statement"',
            "64: statements[0].title: contains a surrogate code point U+D800",
        ),
        (
            '"First statement"',
            '"First \x01 statement"',
            "64: not valid JSON: Invalid control character at column 23",
        ),
        ('"status": "draft",', '"status": "draft"', "9: not valid JSON: Expecting ',' delimiter at column 3"),
        ('"status": "draft"', '"status": draft', "8: not valid JSON: Expecting value at column 13"),
    ],
)
def test_a_json_file_names_json_lines(framework_file, old, new, problem):
    assert old in MINIMAL_JSON
    path = framework_file(MINIMAL_JSON.replace(old, new, 1), "framework.json")
    before = snapshot()

    assert import_errors(path) == [f"{path}: 1 problem; nothing was imported.", f"{path}:{problem}"]
    assert snapshot() == before


@pytest.mark.parametrize("name", ["framework.yaml", "framework.json"])
def test_a_file_nested_too_deeply(framework_file, name):
    path = framework_file("[" * 100_000, name)

    assert import_errors(path)[1:] == [f"{path}:1: nested too deeply"]


@pytest.mark.parametrize(
    ("added", "problem"),
    [
        # The admin refuses a title that differs from one the occupation has only in case or spacing, or kind.
        (
            "    - title: insurance  agent\n",
            'occupation.related_titles[1].title: duplicate related title "insurance  agent" '
            '(first on line 11, as alternate "Insurance Agent"): '
            "an occupation has each title once, whatever its kind, case or spacing",
        ),
        (
            "    - title: Insurance Agent\n      kind: reported\n",
            'occupation.related_titles[1].title: duplicate related title "Insurance Agent" '
            '(first on line 11, as alternate "Insurance Agent"): '
            "an occupation has each title once, whatever its kind, case or spacing",
        ),
        (
            "    - title: Insurance Agent\n",
            'occupation.related_titles[1].title: duplicate related title "Insurance Agent" (first on line 11)',
        ),
    ],
    ids=["case-and-spacing", "another-kind", "the-same"],
)
def test_a_related_title_is_listed_once(framework_file, added, problem):
    listed = "    - title: Insurance Agent\n      short_title: ''\n"
    path, line = seed_file_with(framework_file, listed, listed + added)
    before = snapshot()

    assert import_errors(path) == [f"{path}: 1 problem; nothing was imported.", f"{path}:{line + 2}: {problem}"]
    assert snapshot() == before
