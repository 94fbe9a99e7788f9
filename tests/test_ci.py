"""CI runs every check the suite has: a checker it lacks is a failure there, not a skip."""

import socket

import pytest

from tests.tools import ROOT, redis_reachable, require


def test_the_ci_script_requires_every_checker_before_it_tests():
    script = (ROOT / ".ci" / "run").read_text()

    assert "\nexport CI=true\n" in script
    assert script.index("export CI=true") < script.index("make test")


def test_a_missing_checker_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI must run this check"):
        require(ROOT / "no-such-checker", "no-such-checker is not installed.")


def test_a_missing_checker_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="not installed"):
        require(ROOT / "no-such-checker", "no-such-checker is not installed.")


def test_redis_is_looked_for_where_the_tests_redis_url_points():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]

        assert redis_reachable(f"redis://127.0.0.1:{port}/15")
    assert not redis_reachable(f"redis://127.0.0.1:{port}/15")
