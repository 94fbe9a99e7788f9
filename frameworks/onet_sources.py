"""The Source that credits the anchors read from one O*NET release.

Plain strings in and out, with no models, so that migrations name a release's source as the importer does.
"""

import re

PUBLISHER = "O*NET Resource Center, U.S. Department of Labor, Employment and Training Administration"
DATABASE_URL = "https://www.onetcenter.org/database.html"
# Source.version's max_length: a release with a long version and a long month keeps the version alone.
VERSION_MAX_LENGTH = 80


def release_source_key(version):
    """e.g. "onet-29-3" for 29.3: a source key is a slug (its address and the framework file need one)."""
    return "onet-" + re.sub(r"[^A-Za-z0-9_]+", "-", version).strip("-")


def release_source(version, released):
    """The fields, key included, of the source for O*NET `version`, released `released` (e.g. "May 2025")."""
    dated = f"{version} ({released})" if released else version
    return {
        "key": release_source_key(version),
        "label": f"O*NET v{version}",
        # Out of the Sources line: the O*NET attribution at the foot of every page credits every release,
        # and a line naming each imported release would grow with every import.
        "footer_label": "",
        "title": f"O*NET Resource Center — Occupational Information Network, v{dated}",
        "version": dated if len(dated) <= VERSION_MAX_LENGTH else version,
        "publisher": PUBLISHER,
        "licence": "CC BY 4.0",
        "url": DATABASE_URL,
        # Beside the seed's O*NET source, ahead of the other bodies of evidence.
        "position": 1,
    }
