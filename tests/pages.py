"""Requests as htmx sends them, and readings of what the public pages show."""

import html
import re

# The header htmx sends with every request it makes: views answer it with a fragment, not a whole page.
HTMX = {"HX-Request": "true"}

# The Sources line at the foot of every page, as the seed (fixtures/insurance-sales-agents.json) leaves it.
SEED_SOURCES_LINE = (
    "Sources: O*NET v30.2 (CC BY 4.0), SkillsCrosswalk.com, LER.me, Anthropic Economic Index, "
    "SAFI (Jadhav & Danve, 2026), WEF Skills Taxonomy 2021, Pathsmith Durable Skills Framework."
)


def sources_line(client):
    """The Sources line at the foot of the home page, as text, without the copyright that ends it."""
    line = re.search(r'<p class="sources-line">(.*?)</p>', client.get("/").text, re.S)[1]
    return (
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)))
        .strip()
        .removesuffix(" © 2026 EBSCOed.")
    )
