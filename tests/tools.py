"""Where the test suite finds the tools it drives, and what it does when one is missing."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Installed by `make test` (npm ci) from package.json.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(path, reason):
    """The tool's path; a test without it is skipped, except under CI, which must run every check."""
    if path is not None and Path(path).exists():
        return Path(path)
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI must run this check.", pytrace=False)
    pytest.skip(reason)


def require_java():
    return require(
        shutil.which("java"), "Java not found; the Nu HTML Checker runs on it (`make test` installs it)."
    )
