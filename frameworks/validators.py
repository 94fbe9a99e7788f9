"""The characters no text of the site may hold, whether a curator types it, a visitor sends it or a file
imports it: a framework edited in the admin is exported and imported back, so both refuse the same ones."""

import re

from django.core.exceptions import ValidationError

# NUL and surrogate code points, which PostgreSQL cannot store, and the other C0 controls but tab, line feed
# and carriage return, which no framework means.
UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def unwanted_character(text):
    """The first character of `text` that no text may hold, named as "control character U+0007", or None."""
    if (found := UNWANTED.search(text)) is None:
        return None
    code = ord(found[0])
    what = "surrogate code point" if code >= 0xD800 else "control character"
    return f"{what} U+{code:04X}"


def validate_text_characters(value):
    if (character := unwanted_character(value)) is not None:
        raise ValidationError(f"Remove the {character}.", code="unwanted_character")
