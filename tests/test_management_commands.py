"""The project's commands start as an operator starts them: in a fresh process, not inside the test run.

In-process tests import every module through the URLconf first, which hides an import cycle that only a
command's own start meets.
"""

import subprocess
import sys

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
