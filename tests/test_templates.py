"""What the template files themselves must get right."""

import re

from tests.tools import ROOT

# A {# #} comment ends on the line it starts on; one that runs over is printed on the page.
UNCLOSED_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


def test_no_template_comment_runs_over_a_line():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert templates

    printed = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in templates
        for text in [path.read_text()]
        for match in UNCLOSED_COMMENT.finditer(text)
    ]

    assert printed == []
