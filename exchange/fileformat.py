"""Reading and writing framework files (docs/framework-format.md).

The file is YAML read with a deliberately small set of rules: every scalar is text except null, true and
false, so codes such as 0303 or 26.05 stay as written and nothing needs quoting by type. A file named
*.json, or standard input starting with "{", is read as JSON, by the json module's own string scanner and number grammar: the YAML reader would
fold some of JSON's text and refuse some of it. Either reader keeps the line of every value so that each
problem can be reported as file:line: path: problem.
"""

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from json.decoder import WHITESPACE, JSONDecodeError, scanstring
from json.scanner import NUMBER_RE

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

FORMAT = "nsx-framework/1"
# As a file name, "-" is standard input or output, as in most command-line tools, so that files can be piped.
STANDARD_STREAM = "-"
# What problems call a framework file read from standard input, which has no name.
STANDARD_INPUT_NAME = "<stdin>"
HEADER = "# NSX framework file: the format is described in docs/framework-format.md\n"

NULLS = ("", "~", "null", "Null", "NULL")
BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
PLAIN_TAGS = {
    BaseResolver.DEFAULT_SCALAR_TAG,
    BaseResolver.DEFAULT_SEQUENCE_TAG,
    BaseResolver.DEFAULT_MAPPING_TAG,
}


def path_text(path):
    """("statements", 12, "citations", 0) as statements[12].citations[0]."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    path: tuple
    message: str

    def render(self, name):
        where = f"{name}:{self.line}:"
        return f"{where} {path_text(self.path)}: {self.message}" if self.path else f"{where} {self.message}"


class FrameworkFileError(Exception):
    """Everything wrong with a framework file, each problem with its line."""

    def __init__(self, name, problems):
        self.name = name
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__("\n".join(self.lines))

    @property
    def lines(self):
        return [problem.render(self.name) for problem in self.problems]


@dataclass
class Parsed:
    data: object
    lines: dict  # path tuple -> line of the value (of its key, inside a mapping)

    def line(self, path):
        """The line of a path, or of its nearest ancestor that the file has."""
        path = tuple(path)
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def problem(self, path, message):
        return Problem(self.line(path), tuple(path), message)


class _Loader(Reader, Scanner, Parser, Composer, BaseResolver):
    """Builds the node tree only: no implicit typing, no object construction."""

    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


class _Builder:
    def __init__(self):
        self.lines = {}
        self.problems = []
        self.seen = set()

    def build(self, node, path, line):
        self.lines[path] = line
        if id(node) in self.seen:
            # Aliases could expand without bound; the format has no use for them.
            self.problems.append(Problem(line, path, "YAML aliases (*name) are not part of the format"))
            return None
        self.seen.add(id(node))
        if node.tag not in PLAIN_TAGS:
            self.problems.append(Problem(line, path, f"YAML tags ({node.tag}) are not part of the format"))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index), _line(item)) for index, item in enumerate(node.value)]
        if node.style is None:
            if node.value in NULLS:
                return None
            if node.value in BOOLEANS:
                return BOOLEANS[node.value]
        return node.value

    def _mapping(self, node, path):
        result = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Problem(line, path, "a field name must be text"))
                continue
            key = key_node.value
            if key in result:
                first = self.lines[(*path, key)]
                self.problems.append(
                    Problem(line, (*path, key), f'duplicate field "{key}" (first on line {first})')
                )
                continue
            result[key] = self.build(value_node, (*path, key), line)
        return result


def _line(node):
    return node.start_mark.line + 1


def parse(text, name):
    """The document and the line of each of its values; FrameworkFileError if it is not well-formed."""
    read = _parse_json if _is_json(text, name) else _parse_yaml
    try:
        return read(text, name)
    except RecursionError:
        # Both readers recurse into each level; a framework is a few levels deep.
        raise FrameworkFileError(name, [Problem(1, (), "nested too deeply")]) from None


def _is_json(text, name):
    if name == STANDARD_INPUT_NAME:
        # No name to go by: a framework file in YAML never starts with a brace, JSON's document always does.
        return text.removeprefix("\ufeff").lstrip().startswith("{")
    return name.lower().endswith(".json")


def _parse_yaml(text, name):
    try:
        loader = _Loader(text)  # reading starts here: a control character fails at once
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = Problem(line, (), f"not valid YAML: {error.problem or error.context}")
        raise FrameworkFileError(name, [problem]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        problem = Problem(line, (), f"not valid YAML: character #x{error.character:04x}: {error.reason}")
        raise FrameworkFileError(name, [problem]) from None
    if node is None:
        raise FrameworkFileError(name, [Problem(1, (), "the file is empty")])
    builder = _Builder()
    data = builder.build(node, (), _line(node))
    if builder.problems:
        raise FrameworkFileError(name, builder.problems)
    return Parsed(data, builder.lines)


class _JsonBuilder:
    """Builds the document as _Builder does, from JSON: a number stays text exactly as written."""

    LITERALS = {"null": None, "true": True, "false": False}

    def __init__(self, text):
        self.text = text
        self.breaks = [match.start() for match in re.finditer("\n", text)]
        self.lines = {}
        self.problems = []

    def line(self, position):
        return bisect_left(self.breaks, position) + 1

    def skip(self, position):
        return WHITESPACE.match(self.text, position).end()

    def build(self, position, path, line):
        """The value that starts at position, and the position after it."""
        self.lines[path] = line
        text = self.text
        if text.startswith('"', position):
            return scanstring(text, position + 1)
        if text.startswith("{", position):
            return self._mapping(self.skip(position + 1), path)
        if text.startswith("[", position):
            return self._sequence(self.skip(position + 1), path)
        for word, value in self.LITERALS.items():
            if text.startswith(word, position):
                return value, position + len(word)
        if number := NUMBER_RE.match(text, position):
            return number.group(), number.end()
        raise JSONDecodeError("Expecting value", text, position)

    def _mapping(self, position, path):
        result, text = {}, self.text
        if text.startswith("}", position):
            return result, position + 1
        while True:
            if not text.startswith('"', position):
                raise JSONDecodeError("Expecting property name enclosed in double quotes", text, position)
            line = self.line(position)
            key, position = scanstring(text, position + 1)
            position = self.skip(position)
            if not text.startswith(":", position):
                raise JSONDecodeError("Expecting ':' delimiter", text, position)
            position = self.skip(position + 1)
            field = (*path, key)
            if key in result:
                first = self.lines[field]
                self.problems.append(Problem(line, field, f'duplicate field "{key}" (first on line {first})'))
                _, position = self.build(position, field, first)  # read past it; the first keeps its line
            else:
                result[key], position = self.build(position, field, line)
            position, ended = self._after_item(position, "}")
            if ended:
                return result, position

    def _sequence(self, position, path):
        result = []
        if self.text.startswith("]", position):
            return result, position + 1
        while True:
            item, position = self.build(position, (*path, len(result)), self.line(position))
            result.append(item)
            position, ended = self._after_item(position, "]")
            if ended:
                return result, position

    def _after_item(self, position, closing):
        """The position past the comma or closing bracket after an item, and whether it closed."""
        position = self.skip(position)
        if self.text.startswith(closing, position):
            return position + 1, True
        if not self.text.startswith(",", position):
            raise JSONDecodeError("Expecting ',' delimiter", self.text, position)
        return self.skip(position + 1), False


def _parse_json(text, name):
    builder = _JsonBuilder(text)
    # A byte order mark is no part of JSON, but editors write one; the YAML reader skips it too.
    start = builder.skip(1 if text.startswith("\ufeff") else 0)
    if start == len(text):
        raise FrameworkFileError(name, [Problem(1, (), "the file is empty")])
    try:
        data, end = builder.build(start, (), builder.line(start))
        if (end := builder.skip(end)) < len(text):
            raise JSONDecodeError("Extra data", text, end)
    except JSONDecodeError as error:
        # Some of json's messages end in "at", ready for the place: "Invalid control character at".
        at = error.msg if error.msg.endswith(" at") else f"{error.msg} at"
        problem = Problem(error.lineno, (), f"not valid JSON: {at} column {error.colno}")
        raise FrameworkFileError(name, [problem]) from None
    if builder.problems:
        raise FrameworkFileError(name, builder.problems)
    return Parsed(data, builder.lines)


class _Dumper(yaml.SafeDumper):
    """Writes what `parse` reads back unchanged: quotes only text that would read as null, true or false."""

    yaml_implicit_resolvers = {}

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, which reads better than PyYAML's flush-left default.
        return super().increase_indent(flow, False)


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile("^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile("^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _represent_text(dumper, text):
    # PyYAML writes a NEL as it is outside double quotes, where reading it back folds it to a line break.
    style = '"' if "\x85" in text else "|" if "\n" in text else None
    return dumper.represent_scalar(BaseResolver.DEFAULT_SCALAR_TAG, text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(document):
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )
    return HEADER + body


def dump_json(document):
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
