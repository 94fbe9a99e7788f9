"""The project's commands start as an operator starts them: in a fresh process, not inside the test run.

In-process tests import every module through the URLconf first, which hides an import cycle that only a
command's own start meets.
"""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from tests.tools import ROOT

COMMANDS = sorted(
    path.stem
    for app in ("frameworks", "evidence", "exchange")
    for path in (ROOT / app / "management" / "commands").glob("[!_]*.py")
)


def test_the_project_has_commands_to_start():
    assert {"export_framework", "import_framework", "import_onet", "loaddata"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_starts_in_a_fresh_process(command):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: manage.py {command}")
    assert "Traceback" not in result.stderr


def test_loaddata_refuses_a_record_its_fields_refuse_and_changes_nothing(tmp_path):
    # A database of its own: the process started here cannot see the test run's.
    database = tmp_path / "db.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
        )

    assert manage("migrate", "--noinput", "-v", "0").returncode == 0
    records = json.loads((ROOT / "fixtures" / "insurance-sales-agents.json").read_text(encoding="utf-8"))
    anchor = next(r for r in records if r["model"] == "evidence.sourceanchor" and r["fields"]["onet_id"] == "2.A.1.a")
    anchor["fields"]["importance"] = "9.50"
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps(records), encoding="utf-8")

    result = manage("loaddata", str(fixture))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"CommandError: Problem installing fixture '{fixture}': evidence.SourceAnchor with natural key "
        "['41-3021.00', 'skill', '2.A.1.a']: importance: Ensure this value is less than or equal to 5.\n"
    )
    with closing(sqlite3.connect(database)) as connection:
        counts = [
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("frameworks_jobzone", "frameworks_statement", "evidence_sourceanchor")
        ]
    assert counts == [0, 0, 0]


DATA_COMMANDS = [
    ["import_onet", "tests/data/onet/release_a"],
    ["import_framework", "fixtures/frameworks/insurance-sales-agents.yaml"],
    ["export_framework", "41-3021.00"],
    ["seed"],
    ["loaddata", "insurance-sales-agents"],
]


@pytest.mark.parametrize("arguments", DATA_COMMANDS, ids=lambda arguments: arguments[0])
def test_a_data_command_on_a_database_not_yet_migrated_says_to_migrate(tmp_path, arguments):
    database = tmp_path / "db.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("CommandError: The database lacks ")
    assert result.stderr.endswith(" migrations: run `python manage.py migrate` first.\n")
    with closing(sqlite3.connect(database)) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == []


@pytest.mark.parametrize("arguments", DATA_COMMANDS, ids=lambda arguments: arguments[0])
def test_a_data_command_says_when_it_cannot_reach_the_database(arguments):
    # Port 9 (discard) has no PostgreSQL server.
    environment = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nsx"}

    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: Cannot use the database: ")
    assert "Traceback" not in result.stderr
