"""The project's commands start as an operator starts them: in a fresh process, not inside the test run.

In-process tests import every module through the URLconf first, which hides an import cycle that only a
command's own start meets.
"""

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from django.db import connection

from frameworks.models import Statement
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


def test_the_migrations_describe_the_models_as_they_are():
    # A model change committed without its migration would leave every database behind the code.
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


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


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory):
    """A migrated SQLite file holding the seed framework, for tests to copy rather than migrate again."""
    database = tmp_path_factory.mktemp("seeded") / "db.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    for arguments in (["migrate", "--noinput", "-v", "0"], ["seed", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, check=True)
    return database


@pytest.fixture
def manage(seeded_database, tmp_path):
    """Run manage.py in a fresh process on a copy of the seeded database; bytes in and out, as in a pipe."""
    database = tmp_path / "db.sqlite3"
    database.write_bytes(seeded_database.read_bytes())

    def run(*arguments, input=b"", environment=None):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{database}", **(environment or {})},
            input=input, capture_output=True, check=False,
        )

    run.database = database
    return run


SEED_FILE = ROOT / "fixtures" / "frameworks" / "insurance-sales-agents.yaml"


def test_export_to_dash_writes_the_file_to_standard_output_and_nothing_else(manage):
    result = manage("export_framework", "41-3021.00", "-o", "-")

    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == SEED_FILE.read_bytes()
    assert not (ROOT / "-").exists()


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_export_to_standard_output_writes_utf8_whatever_the_locale(manage, encoding):
    result = manage("export_framework", "41-3021.00", environment={"PYTHONIOENCODING": encoding})

    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == SEED_FILE.read_bytes()


def test_an_export_piped_into_import_framework_dash_imports_as_a_file_does(manage):
    exported = manage("export_framework", "41-3021.00").stdout
    new_version = exported.replace(b"version: 26.05", b"version: 26.06", 1).replace(
        b"status: published", b"status: draft", 1
    )

    result = manage("import_framework", "-", input=new_version)

    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(b"41-3021.00 Insurance Sales Agents v26.06 from <stdin>\n")
    with closing(sqlite3.connect(manage.database)) as connection:
        versions = connection.execute("SELECT version, status FROM frameworks_framework ORDER BY version").fetchall()
    assert versions == [("26.05", "published"), ("26.06", "draft")]
    assert manage("import_framework", "-", input=new_version).stdout.endswith(
        b"Nothing changed: the database already matches the file.\n"
    )


def test_import_framework_dash_names_standard_input_in_each_problem_and_changes_nothing(manage):
    broken = SEED_FILE.read_bytes().replace(b"version: 26.05", b"version: 26.06", 1).replace(
        b"status: published", b"status: draft", 1
    ).replace(b"    level: emerging\n", b"    level: beginner\n", 1)
    before = manage.database.read_bytes()

    result = manage("import_framework", "-", input=broken)

    assert result.returncode == 1
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert lines[0] == "CommandError: <stdin>: 1 problem; nothing was imported."
    assert re.fullmatch(r"<stdin>:\d+: statements\[0\]\.level: .*beginner.*", lines[1])
    assert manage.database.read_bytes() == before


@pytest.mark.parametrize("command", [arguments[0] for arguments in DATA_COMMANDS])
def test_a_data_commands_help_ends_with_examples_and_its_exit_status(command):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )

    examples = result.stdout.partition("\nexamples:\n")[2]
    assert f"  manage.py {command} " in examples or f"  manage.py {command}\n" in examples
    assert "exit status: 0 done; 1 refused or failed, the reason on stderr, nothing changed; 2 " in " ".join(
        examples.split()
    )
    assert "130 stopped by Ctrl-C" in " ".join(examples.split())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the test database is PostgreSQL's")
@pytest.mark.parametrize(
    "arguments",
    [
        ["import_framework", "fixtures/frameworks/insurance-sales-agents.yaml"],
        ["loaddata", "insurance-sales-agents"],
    ],
    ids=lambda arguments: arguments[0],
)
def test_two_imports_at_once_both_succeed_one_after_the_other(arguments):
    # The test database itself, which the test's transactional_db empties afterwards.
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER'] or 'postgres'}{':' + settings['PASSWORD'] if settings['PASSWORD'] else ''}"
        f"@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": database_url}
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *arguments, "-v", "0"],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    results = [(process.wait(timeout=120), process.stderr.read()) for process in processes]

    assert results == [(0, ""), (0, "")]
    assert Statement.objects.count() == 136


def new_draft(tmp_path):
    """The seed framework's file as its next version, a draft."""
    path = tmp_path / "framework.yaml"
    path.write_bytes(
        SEED_FILE.read_bytes().replace(b"version: 26.05", b"version: 26.06", 1)
        .replace(b"status: published", b"status: draft", 1)
    )
    return path


def test_two_imports_at_once_into_sqlite_both_succeed_one_after_the_other(manage, tmp_path):
    path = new_draft(tmp_path)
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{manage.database}"}
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "import_framework", str(path), "-v", "0"],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]

    assert [(process.wait(timeout=120), process.stderr.read()) for process in processes] == [(0, ""), (0, "")]


def test_an_export_that_fills_the_disk_leaves_the_last_export_whole(manage, tmp_path):
    output = tmp_path / "framework.yaml"
    output.write_text("the last export\n", encoding="utf-8")

    def small_disk():
        # Writes past 20 kB fail as on a full disk (EFBIG for ENOSPC); Python ignores SIGXFSZ.
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run(
        [sys.executable, "manage.py", "export_framework", "41-3021.00", "-o", str(output)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{manage.database}"},
        capture_output=True, text=True, check=False, preexec_fn=small_disk,
    )

    assert result.returncode == 1
    assert result.stderr == f"CommandError: {output}: cannot write the framework file: File too large.\n"
    assert output.read_text(encoding="utf-8") == "the last export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["db.sqlite3", "framework.yaml"]



@pytest.mark.parametrize("buffering", ["buffered", "unbuffered"])
@pytest.mark.parametrize("command", ["import_onet", "import_framework"])
def test_an_import_whose_reader_stops_early_ends_quietly_saying_it_succeeded(manage, tmp_path, command, buffering):
    # As in `manage.py import_onet … | head -1`: the summary is printed once the import has committed.
    arguments, committed = {
        "import_onet": (["tests/data/onet/release_a"], "SELECT count(*) FROM frameworks_onetrelease"),
        "import_framework": ([str(new_draft(tmp_path))], "SELECT count(*) FROM frameworks_framework WHERE version = '26.06'"),
    }[command]
    reader, writer = os.pipe()
    os.close(reader)
    # The image sets PYTHONUNBUFFERED, so each line is written at once rather than as Python exits.
    unbuffered = {"PYTHONUNBUFFERED": "1"} if buffering == "unbuffered" else {}
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", command, *arguments],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{manage.database}", **unbuffered},
            stdout=writer, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
        )
    finally:
        os.close(writer)

    assert (result.returncode, result.stderr) == (0, "")
    with closing(sqlite3.connect(manage.database)) as connection:
        assert connection.execute(committed).fetchone() == (1,)
