import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from exchange.identifiers import framework_identifier
from frameworks.models import Statement

SEED_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "insurance-sales-agents.yaml"
SOC = "41-3021.00"

# 1EdTech's CASE 1.1 getCFPackage response schema ("Final Release JSON Schema Binding"), copied unchanged
# from github.com/opensalt/opensalt, core/config/schema/case-v1p1-cfpackage-schema.json at commit
# 9122170d4886b4a6f433298162951fb8bbc045b2.
CASE_SCHEMA = json.loads((Path(__file__).with_name("case-v1p1-cfpackage-schema.json")).read_text())

# A small framework whose every line the error tests can point at.
MINIMAL = """\
format: nsx-framework/1
occupation:
  soc_code: 11-9999.00
  title: Test Occupation
version: 1.0
status: draft
scales:
  - key: mastery
    name: Mastery
    levels:
      - key: emerging
        name: Emerging
      - key: developing
        name: Developing
sections:
  - key: skills
    name: Occupational skills
    scale: mastery
  - key: durable
    name: Durable skills
    scale: mastery
    uses_domains: true
domains:
  - key: communication
    name: Communication
sources:
  - key: onet
    label: O*NET
    footer_label: O*NET
    title: O*NET database
anchors:
  - kind: task
    onet_id: 720
    name: Customize insurance programs.
statements:
  - key: first
    section: skills
    level: emerging
    title: First statement
    text: does the first thing.
    citations:
      - onet
  - key: second
    section: durable
    level: developing
    domain: communication
    title: Second statement
    text: does the second thing.
    citations:
      - source: onet
        anchors:
          - task:720
"""


def case_validator(schema=CASE_SCHEMA):
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    # The schema's formats are checked, not skipped: the dev extra installs their checkers.
    assert {"uri", "date-time", "date"} <= set(validator.format_checker.checkers)
    return validator


def case_package_url(framework):
    return f"/ims/case/v1p1/CFPackages/{framework_identifier(framework)}"


def run(command, *args, **options):
    """A management command's standard output."""
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def export(soc_code=SOC, **options):
    return run("export_framework", soc_code, **options)


def flush():
    """Leave the database as `migrate` does: every row gone (the test's transaction restores them)."""
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)


def statement_block(text, key):
    """The lines of one statement in a framework file."""
    return re.search(rf"  - key: {key}\n(?:    .*\n)+", text)[0]


@pytest.fixture
def empty_database(db):
    flush()


@pytest.fixture
def framework_file(tmp_path):
    """Write text to a framework file and return its path."""

    def write(text, name="framework.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def superseded(seed, curator, editor, django_capture_on_commit_callbacks):
    """v.26.05, which v.26.06 (one statement's text changed) replaced: archived, as a report may cite it."""
    from frameworks import services, workflow

    with django_capture_on_commit_callbacks(execute=True):
        newer = services.copy_as_new_version(seed, "26.06")
        Statement.objects.filter(framework=newer, title="CRM software").update(text="uses the newer CRM.")
        workflow.apply(newer, "submit", curator)
        workflow.apply(newer, "publish", editor)
    seed.refresh_from_db()
    return seed
