"""Every word of the reference framework page can be read on our pages."""

import re
from html import unescape

import pytest

from evidence.models import Citation, Source
from frameworks.models import Statement
from tests.tools import shared

pytestmark = pytest.mark.django_db


# Counts the reference page typed in; ours are derived from the data (see README).
DERIVED_COUNTS = {"998", "11"}


def words(text):
    return {word.strip(".") for word in re.findall(r"[\w*&'’/+.-]+", text.lower())}


def visible_text(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def seed_text():
    return shared("seed", "insurance-sales-agents-framework-page.txt").read_text()


def test_every_word_of_the_reference_page_is_on_our_pages(client, seed, seed_text):
    pages = [client.get("/occupations/41-3021.00/", {"tab": tab}).text for tab in ("skills", "ai", "durable", "anchors")]
    pages += [client.get(f"/citations/{pk}/", headers={"HX-Request": "true"}).text for pk in Citation.objects.values_list("pk", flat=True)]
    ours = words(" ".join(visible_text(page) for page in pages))

    # The reference copy lost its layout: titles run into their text, numbers and versions into headings.
    reference = seed_text
    for title, text in Statement.objects.filter(section__key="skills").values_list("title", "text"):
        reference = reference.replace(title + text, f"{title} {text}")
    for label, title in Source.objects.values_list("label", "title"):
        reference = reference.replace(label + title, f"{label} {title}")
    reference = re.sub(r"(?<=[a-z])(v\.\d)", r" \1", reference)
    missing = set()
    for word in re.findall(r"[\w*&'’/+.-]+", reference):
        if word.lower().strip(".") in ours or word.rstrip(".").isdigit():
            continue
        # Run-together words like "anchors57" or "NSXNational" count when each part is shown.
        parts = words(re.sub(r"([a-z])([A-Z\d])|([A-Z])([A-Z][a-z])|(\d)([A-Za-z])", r"\1\3\5 \2\4\6", word))
        missing |= {part for part in parts if part not in ours and part not in DERIVED_COUNTS}

    assert not missing, f"words of the reference page not shown: {sorted(missing)}"
