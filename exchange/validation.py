"""Every problem of a framework file: against its JSON Schema, between its parts, and against the database.

Each check skips values of the wrong shape (the schema check reports those), so that one run finds all
problems rather than stopping at the first.
"""

import json
import re
from functools import cache
from pathlib import Path

from django.utils.dateparse import parse_datetime
from jsonschema import Draft202012Validator, ValidationError, validators

from exchange.identifiers import statement_uid, statement_uids
from frameworks.models import OccupationTitle, ProficiencyScale, Section, Statement, comparable_title
from frameworks.validators import unwanted_character

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "framework.schema.json"

# The schema's pattern for text that must hold more than spaces.
NOT_BLANK = r"^\s*\S[\s\S]*$"
# The paths that name a file's framework.
IDENTITY = (("occupation", "soc_code"), ("version",))
TYPE_NAMES = {
    "string": "text",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "null": "null",
}


@cache
def schema():
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _whole_pattern(validator, pattern, instance, subschema):
    """A pattern must match the whole text. JSON Schema searches, and in Python `$` also matches before a
    final newline, so "^[1-5]$" would take "4\\n"."""
    if validator.is_type(instance, "string") and re.fullmatch(pattern, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator():
    whole = validators.extend(Draft202012Validator, {"pattern": _whole_pattern})
    return whole(schema())


def problems(parsed):
    """All problems, one kind per place: text with a character no text may hold is checked no further, and a
    value the schema rejects is not looked up as well.

    The database is asked only when all text is text it can hold and the file names its framework soundly:
    with a malformed version, every statement would seem to belong to another framework."""
    found = text_problems(parsed)
    shape = schema_problems(parsed)
    later = reference_problems(parsed)
    if not found and _names_its_framework(shape):
        later += database_problems(parsed)
    for kind in (shape, later):
        rejected = {problem.path for problem in found}
        found += [problem for problem in kind if problem.path not in rejected]
    return list(dict.fromkeys(found))


def _names_its_framework(shape):
    """No schema problem at the paths that name the file's framework, or above them."""
    return not any(path[: len(problem.path)] == problem.path for problem in shape for path in IDENTITY)


# ---------------------------------------------------------------------------------------------------------
# Text


def text_problems(parsed):
    """Each text value holding a character no text may hold (frameworks.validators), named by the first."""
    found = []
    stack = [((), parsed.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, name), item) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and (character := unwanted_character(value)):
            found.append(parsed.problem(path, f"contains a {character}"))
    return found


# ---------------------------------------------------------------------------------------------------------
# Schema


def schema_problems(parsed):
    found = []
    for error in _validator().iter_errors(parsed.data):
        for leaf in _leaves(error):
            found.extend(_describe(leaf, parsed))
    return found


def _leaves(error):
    """An anyOf error stands for the one branch whose type the value has, when there is one."""
    if error.validator == "anyOf" and error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [
            subs
            for subs in branches.values()
            if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
        ]
        if len(meant) == 1:
            for sub in meant[0]:
                yield from _leaves(sub)
            return
    yield error


def _kind(value):
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list"}.get(type(value), "text")


def _shown(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _kind(value)


def _describe(error, parsed):
    path = tuple(error.absolute_path)
    rule, limit, value, subschema = error.validator, error.validator_value, error.instance, error.schema
    if rule == "required":
        return [parsed.problem((*path, name), "missing") for name in limit if name not in value]
    if rule == "additionalProperties":
        known = ", ".join(subschema.get("properties", {}))
        return [
            parsed.problem((*path, name), f"unknown field (expected one of: {known})")
            for name in value
            if name not in subschema.get("properties", {})
        ]
    if rule == "type":
        expected = " or ".join(TYPE_NAMES[name] for name in ([limit] if isinstance(limit, str) else limit))
        message = f"expected {expected}, found {_kind(value)}"
        if not path and isinstance(value, list) and value and isinstance(value[0], dict) and "model" in value[0]:
            message += " of records: a fixture, which loaddata loads"
    elif rule == "enum":
        message = f"{_shown(value)} is not one of: {', '.join(limit)}"
    elif rule == "const":
        message = f"expected {_shown(limit)}"
    elif rule == "pattern" and limit == NOT_BLANK:
        message = "blank: only spaces"
    elif rule == "pattern":
        message = f"{_shown(value)} is not {subschema.get('description', f'matching {limit}')}"
    elif rule == "minLength":
        message = "empty"
    elif rule == "maxLength":
        message = f"longer than {limit} characters"
    elif rule == "minItems":
        message = f"needs at least {limit} item{'s' if limit != 1 else ''}"
    elif rule == "maxItems":
        message = f"more than {limit} items"
    elif rule == "anyOf" and "description" in subschema:
        message = f"expected {subschema['description']}"
    else:
        message = error.message
    return [parsed.problem(path, message)]


# ---------------------------------------------------------------------------------------------------------
# References within the file


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _entries(container, name):
    """(index, item) for each mapping in the list container[name]."""
    items = _mapping(container).get(name)
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _text(item, name):
    value = _mapping(item).get(name)
    return value if isinstance(value, str) else None


def _uid(data, key):
    """A statement key's uid as import will derive it, from whatever the file's code and version are."""
    occupation = _mapping(data.get("occupation"))
    return statement_uid(_text(occupation, "soc_code") or "", _text(data, "version") or "", key)


class _Checker:
    def __init__(self, parsed):
        self.parsed = parsed
        self.found = []

    def report(self, path, message):
        self.found.append(self.parsed.problem(path, message))

    def unique(self, what, entries):
        """Report each (path, identity, shown) whose identity came before; return identity -> first path."""
        first = {}
        for path, identity, shown in entries:
            if identity is None:
                continue
            if identity in first:
                line = self.parsed.line(first[identity])
                self.report(path, f'duplicate {what} "{shown}" (first on line {line})')
            else:
                first[identity] = path
        return first

    def keyed(self, what, base, items, field="key"):
        """Check the keys of a list of mappings; return key -> item for the first of each."""
        first = self.unique(
            what, [((*base, index, field), _text(item, field), _text(item, field)) for index, item in items]
        )
        by_key = {}
        for index, item in items:
            key = _text(item, field)
            if key is not None and first.get(key) == (*base, index, field):
                by_key[key] = item
        return by_key

    def known(self, path, value, names, what):
        if isinstance(value, str) and value not in names:
            self.report(path, f'unknown {what} "{value}"')


def reference_problems(parsed):
    data = _mapping(parsed.data)
    check = _Checker(parsed)
    occupation = _mapping(data.get("occupation"))
    _check_related_titles(check, _entries(occupation, "related_titles"))
    check.keyed(
        "apprenticeship",
        ("occupation", "apprenticeships"),
        _entries(occupation, "apprenticeships"),
        "rapids_code",
    )
    check.keyed("CIP program", ("occupation", "cip_programs"), _entries(occupation, "cip_programs"), "code")

    published_at = _text(data, "published_at")
    if published_at is not None and _names_no_moment(published_at):
        check.report(("published_at",), f'"{published_at}" is not a valid date and time')

    scales = check.keyed("scale", ("scales",), _entries(data, "scales"))
    levels = {}
    for index, scale in _entries(data, "scales"):
        keyed = check.keyed("level", ("scales", index, "levels"), _entries(scale, "levels"))
        levels.setdefault(_text(scale, "key"), keyed)
    sections = check.keyed("section", ("sections",), _entries(data, "sections"))
    for index, section in _entries(data, "sections"):
        check.known(("sections", index, "scale"), section.get("scale"), scales, "scale")
    domains = check.keyed("domain", ("domains",), _entries(data, "domains"))
    sources = check.keyed("source", ("sources",), _entries(data, "sources"))
    anchors = check.unique(
        "anchor",
        [
            (("anchors", index, "onet_id"), reference, reference)
            for index, anchor in _entries(data, "anchors")
            if (reference := _anchor_reference(anchor)) is not None
        ],
    )
    for index, anchor in _entries(data, "anchors"):
        check.known(("anchors", index, "source"), anchor.get("source"), sources, "source")

    statements = _entries(data, "statements")
    check.unique(
        "statement key",
        [
            (("statements", index, "key"), _uid(data, key), key)
            for index, statement in statements
            if (key := _text(statement, "key")) is not None
        ],
    )
    for index, statement in statements:
        _check_statement(
            check, ("statements", index), statement, sections, scales, levels, domains, sources, anchors
        )

    check.unique(
        "metric",
        [
            (
                ("metrics", index, "key"),
                (_text(metric, "group"), _text(metric, "key")),
                f"{metric.get('group')} {metric.get('key')}",
            )
            for index, metric in _entries(data, "metrics")
            if _text(metric, "key") is not None
        ],
    )
    for index, metric in _entries(data, "metrics"):
        check.known(("metrics", index, "source"), metric.get("source"), sources, "source")
    return check.found


def _check_related_titles(check, items):
    """An occupation has each title once, in any kind, case or spacing, as the admin holds it (import
    would store "Insurance Agent" and "insurance  agent", or a title as alternate and reported, side by
    side, and the occupation's page would list both)."""
    first = {}
    for index, item in items:
        title = _text(item, "title")
        if title is None:
            continue
        kind = _text(item, "kind") or OccupationTitle.Kind.ALTERNATE.value
        path = ("occupation", "related_titles", index, "title")
        if (key := comparable_title(title)) not in first:
            first[key] = (path, kind, title)
            continue
        earlier, earlier_kind, earlier_title = first[key]
        line = check.parsed.line(earlier)
        if (earlier_kind, earlier_title) == (kind, title):
            check.report(path, f'duplicate related title "{title}" (first on line {line})')
        else:
            check.report(
                path,
                f'duplicate related title "{title}" (first on line {line}, as {earlier_kind} "{earlier_title}"): '
                "an occupation has each title once, whatever its kind, case or spacing",
            )


def _check_statement(check, path, statement, sections, scales, levels, domains, sources, anchors):
    section_key, domain = statement.get("section"), statement.get("domain")
    check.known((*path, "section"), section_key, sections, "section")
    section = sections.get(section_key) if isinstance(section_key, str) else None
    if section is not None:
        scale = section.get("scale")
        if isinstance(scale, str) and scale in scales:
            level = statement.get("level")
            if isinstance(level, str) and level not in levels.get(scale, {}):
                check.report((*path, "level"), f'unknown level "{level}" for scale "{scale}"')
        if section.get("uses_domains") is True and domain is None:
            check.report(path, f'domain missing: section "{section_key}" groups its statements by domain')
        if section.get("uses_domains") is not True and domain is not None:
            check.report((*path, "domain"), f'section "{section_key}" has no domains')
    check.known((*path, "domain"), domain, domains, "domain")

    citations = statement.get("citations")
    if not isinstance(citations, list):
        return
    cited = []
    for index, entry in enumerate(citations):
        citation_path = (*path, "citations", index)
        if isinstance(entry, str):
            check.known(citation_path, entry, sources, "source")
            cited.append((citation_path, entry, entry))
            continue
        citation = _mapping(entry)
        check.known((*citation_path, "source"), citation.get("source"), sources, "source")
        if isinstance(citation.get("source"), str):
            cited.append(((*citation_path, "source"), citation["source"], citation["source"]))
        references = citation.get("anchors")
        if isinstance(references, list):
            for position, reference in enumerate(references):
                check.known((*citation_path, "anchors", position), reference, anchors, "anchor")
            check.unique(
                "anchor",
                [
                    ((*citation_path, "anchors", position), ref, ref)
                    for position, ref in enumerate(references)
                    if isinstance(ref, str)
                ],
            )
    check.unique("citation of source", cited)


def _anchor_reference(anchor):
    kind, onet_id = _text(anchor, "kind"), _text(anchor, "onet_id")
    return f"{kind}:{onet_id}" if kind is not None and onet_id is not None else None


def _names_no_moment(value):
    """True for a value of the right shape that is no real date and time, such as month 13."""
    if re.fullmatch(schema()["properties"]["published_at"]["pattern"], value) is None:
        return False  # the schema check reports the shape
    try:
        return parse_datetime(value) is None
    except ValueError:
        return True


# ---------------------------------------------------------------------------------------------------------
# Against the database


def database_problems(parsed):
    """What the file may not do to the rest of the site: take another framework's statements, or change the
    scale or domains of a section that other frameworks' statements use.

    Statement keys are checked again with the uids import gives them, which the database decides: a key
    naming a statement of another version and that statement's counterpart in this one are one statement."""
    data = _mapping(parsed.data)
    check = _Checker(parsed)
    soc_code, version = _text(_mapping(data.get("occupation")), "soc_code"), _text(data, "version")
    keyed = [
        (("statements", index, "key"), key)
        for index, statement in _entries(data, "statements")
        if (key := _text(statement, "key")) is not None
    ]
    uids = statement_uids(soc_code, version, [key for _, key in keyed])
    by_uid = check.unique("statement key", [(path, uids[key], key) for path, key in keyed])
    others = (
        Statement.objects.filter(uid__in=by_uid)
        .exclude(framework__occupation__soc_code=soc_code, framework__version=version)
        .select_related("framework__occupation")
    )
    for statement in others:
        other = statement.framework
        owner = f"{other.occupation.soc_code} v{other.version}"
        check.report(
            by_uid[statement.uid],
            f"statement {statement.uid} belongs to another framework, {owner}",
        )

    file_sections = {_text(section, "key"): (index, section) for index, section in _entries(data, "sections")}
    other_statements = Statement.objects.exclude(
        framework__occupation__soc_code=soc_code, framework__version=version
    )
    scales = dict(ProficiencyScale.objects.values_list("key", "pk"))
    stored_sections = Section.objects.filter(key__in=[key for key in file_sections if key])
    for section in stored_sections.select_related("scale"):
        index, item = file_sections[section.key]
        scale, uses_domains = item.get("scale"), item.get("uses_domains", False)
        stored_scale, stored_uses_domains = section.scale.key, section.uses_domains
        # The file's values on the stored section; one of the wrong type is the schema's to report.
        if isinstance(scale, str):
            section.scale_id = scales.get(scale)
        if isinstance(uses_domains, bool):
            section.uses_domains = uses_domains
        changed = section.changed_while_used(other_statements)
        if "scale" in changed:
            check.report(
                ("sections", index, "scale"),
                f'other frameworks use section "{section.key}" with scale "{stored_scale}": '
                "a framework file cannot change it",
            )
        if "uses_domains" in changed:
            how = "with" if stored_uses_domains else "without"
            check.report(
                ("sections", index, "uses_domains"),
                f'other frameworks use section "{section.key}" {how} domains: '
                "a framework file cannot change it",
            )
    return check.found
