import json
import uuid

import pytest

from exchange.fileformat import dump_json, dump_yaml, parse, path_text
from exchange.identifiers import derived
from frameworks.models import Framework, Statement
from tests.exchange.conftest import MINIMAL, SOC, case_package_url, case_validator, export, run

# Text that only an exact reader gives back: line breaks YAML folds (NEL, line separator), a character YAML
# refuses (DEL), one beyond the Basic Multilingual Plane and quotes.
EXACT = ["a \x85 b", "c \u2028 d", "\x85", "x\ny\x85z", "del \x7f", "launch 🚀", "\"double\" 'single'"]

TRICKY = [
    "null",
    "~",
    "true",
    "False",
    "",
    " leading space",
    "trailing space ",
    "a: b",
    "# not a comment",
    "- dash",
    "0303",
    "26.05",
    "1e3",
    "2026-05-01T00:00:00Z",
    "'single'",
    '"double"',
    "50%",
    "@at",
    "*star",
    "&amp",
    "!bang",
    "multi\nline",
    "ends with a newline\n",
    "\nstarts with one",
    "tab\tinside",
    "é — ü",
    "{flow}",
    *EXACT,
]


@pytest.mark.parametrize(("dump", "name"), [(dump_yaml, "file.yaml"), (dump_json, "file.json")])
def test_what_is_written_reads_back_unchanged(dump, name):
    document = {"texts": TRICKY, "flags": [True, False, None], "nested": {"key": [{"a": "1"}]}}

    assert parse(dump(document), name).data == document


def test_plain_values_are_text_except_null_true_and_false():
    data = parse("a: 0303\nb: 26.05\nc: 2026-05-01\nd: yes\ne: true\nf:\ng: ~\nh: 12\n", "file").data

    assert data == {
        "a": "0303",
        "b": "26.05",
        "c": "2026-05-01",
        "d": "yes",
        "e": True,
        "f": None,
        "g": None,
        "h": "12",
    }


def test_a_json_number_is_the_text_it_is_written_as():
    data = parse('{"a": 26.05, "b": 1.50, "c": 1e3, "d": -0, "e": true, "f": null}', "file.json").data

    assert data == {"a": "26.05", "b": "1.50", "c": "1e3", "d": "-0", "e": True, "f": None}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("a:\n  - x: 1\n    y:\n      - z\n", "file.yaml"),
        ('{"a":\n  [{"x": "1",\n    "y":\n      ["z"]}]}', "file.json"),
    ],
)
def test_lines_are_kept_for_every_value(text, name):
    parsed = parse(text, name)

    assert parsed.line(("a",)) == 1
    assert parsed.line(("a", 0)) == 2
    assert parsed.line(("a", 0, "y")) == 3
    assert parsed.line(("a", 0, "y", 0)) == 4
    assert parsed.line(("a", 0, "missing")) == 2


def test_paths_read_as_in_the_document():
    assert path_text(("statements", 12, "citations", 0)) == "statements[12].citations[0]"
    assert path_text(("occupation", "soc_code")) == "occupation.soc_code"
    assert path_text(()) == ""


@pytest.mark.parametrize("name", ["framework.json", "framework.yaml"])
def test_an_export_imports_back_exactly(client, seed, framework_file, name):
    # One text to a statement: YAML writes text with a DEL in double quotes, which would hide a NEL's fate.
    texts = {
        statement.uid: (f"title {value}", f"{value}\nsecond line")
        for statement, value in zip(Statement.objects.filter(framework=seed), EXACT, strict=False)
    }
    for uid, (title, text) in texts.items():
        Statement.objects.filter(uid=uid).update(title=title, text=text)
    exported = export()
    served = (
        client.get(f"/occupations/{SOC}/framework.json").content.decode()
        if name.endswith(".json")
        else exported
    )
    path = framework_file(served, name)
    seed.delete()

    run("import_framework", str(path))

    imported = Statement.objects.filter(uid__in=texts).values_list("uid", "title", "text")
    assert {uid: (title, text) for uid, title, text in imported} == texts
    assert export() == exported


def test_a_json_file_with_ascii_escapes_imports(db, framework_file):
    document = parse(MINIMAL, "framework.yaml").data
    document["statements"][0]["title"] = "Launch 🚀 “now”"
    text = json.dumps(document)  # escapes all but ASCII, the 🚀 as the pair \ud83d\ude80
    assert "\\ud83d\\ude80" in text

    run("import_framework", str(framework_file(text, "framework.json")))

    assert Statement.objects.filter(title="Launch 🚀 “now”").exists()


@pytest.mark.parametrize(
    ("key", "kept"),
    [
        ("1c83837f-9e46-536b-8248-716b3eb07880", True),
        # UUIDs, but not of RFC 4122's variant, which CASE identifiers must be: keys like any other.
        ("00000000-0000-0000-0000-000000000000", False),
        ("12345678123456781234567812345678", False),
    ],
)
def test_a_statement_key_is_its_uid_only_when_a_case_identifier(db, client, framework_file, key, kept):
    text = MINIMAL.replace("status: draft", "status: published").replace("  - key: first", f"  - key: {key}")

    run("import_framework", str(framework_file(text)))

    uid = uuid.UUID(key) if kept else derived("statement", "11-9999.00", "1.0", key)
    assert Statement.objects.get(title="First statement").uid == uid
    case_validator().validate(client.get(case_package_url(Framework.objects.get())).json())
