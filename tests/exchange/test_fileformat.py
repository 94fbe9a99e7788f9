import pytest

from exchange.fileformat import dump_json, dump_yaml, parse, path_text

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
]


@pytest.mark.parametrize("dump", [dump_yaml, dump_json])
def test_what_is_written_reads_back_unchanged(dump):
    document = {"texts": TRICKY, "flags": [True, False, None], "nested": {"key": [{"a": "1"}]}}

    assert parse(dump(document), "file").data == document


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


def test_lines_are_kept_for_every_value():
    parsed = parse("a:\n  - x: 1\n    y:\n      - z\n", "file")

    assert parsed.line(("a",)) == 1
    assert parsed.line(("a", 0)) == 2
    assert parsed.line(("a", 0, "y")) == 3
    assert parsed.line(("a", 0, "y", 0)) == 4
    assert parsed.line(("a", 0, "missing")) == 2


def test_paths_read_as_in_the_document():
    assert path_text(("statements", 12, "citations", 0)) == "statements[12].citations[0]"
    assert path_text(("occupation", "soc_code")) == "occupation.soc_code"
    assert path_text(()) == ""
