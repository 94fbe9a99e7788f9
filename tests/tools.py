"""Where the test suite finds the tools it drives, and what it does when one is missing."""

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Installed by `make test` (npm ci) from package.json.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The reference material beside the project; not part of it, so tests that read it skip without it.
SHARED = ROOT.parent / "shared"
# A Redis database of the tests' own: they empty it.
REDIS_URL = os.environ.get("NSX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Redis's address with nothing listening: every call fails at once, as when the cache's host is up but
# Redis is not.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "nsx.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "nsx",
    }
}


def require(path, reason):
    """The tool's path; a test without it is skipped, except under CI, which must run every check."""
    if path is not None and Path(path).exists():
        return Path(path)
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI must run this check.", pytrace=False)
    pytest.skip(reason)


def shared(*parts):
    """The path of reference material under ../shared; the test is skipped when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not there: ../shared holds reference material, not part of the project.")
    return path


def require_java():
    return require(
        shutil.which("java"), "Java not found; the Nu HTML Checker runs on it (`make test` installs it)."
    )


def redis_reachable(url=REDIS_URL):
    address = urlsplit(url)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 6379), timeout=1):
            return True
    except OSError:
        return False
