import re

import pytest
from django.utils.html import escape

from evidence.models import Citation, Source
from frameworks.models import Section, Statement
from tests.factories import OccupationFactory

pytestmark = pytest.mark.django_db

PRINT = "/occupations/41-3021.00/print/"


def test_framework_page_links_to_the_print_view(client, seed):
    response = client.get("/occupations/41-3021.00/")

    assert f'<a href="{PRINT}">Print or save the whole framework</a>' in response.text


def test_print_view_holds_every_section_and_the_anchors(client, seed):
    response = client.get(PRINT)

    assert response.status_code == 200
    text = response.text
    for statement in Statement.objects.filter(framework=seed):
        assert escape(statement.title) in text
        assert escape(statement.text) in text
    headings = ["Occupational skills", "AI use", "Durable skills", "Evidence pack", "Source anchors"]
    for heading in headings:
        assert heading in text
    assert "Tasks · seed anchors for statements" in text
    # Print has no use for the screen's controls.
    assert 'class="chip"' not in text
    assert 'role="tab"' not in text


def test_print_view_shows_the_evidence_pack_with_the_section_flagged_for_it(client, seed):
    Section.objects.filter(key="ai").update(shows_evidence=False)
    Section.objects.filter(key="durable").update(shows_evidence=True)

    text = client.get(PRINT).text

    ai = text.split('class="print-section print-section--ai"')[1].split('class="print-section')[0]
    durable = text.split('class="print-section print-section--durable"')[1].split('class="print-section')[0]
    assert "Evidence pack" in durable
    assert "Augment share:</dt> <dd>95%" in durable
    assert "Authoritative source data identified for 1 occupation" in durable
    assert "Evidence pack" not in ai
    assert "Authoritative source data" not in ai


def test_print_view_shows_the_evidence_pack_with_each_section_flagged_for_it(client, seed):
    Section.objects.update(shows_evidence=True)

    text = client.get(PRINT).text

    assert text.count("Evidence pack</h3>") == 3
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_print_view_without_a_section_for_the_evidence_pack_leaves_it_out(client, seed):
    Section.objects.update(shows_evidence=False)

    text = client.get(PRINT).text

    assert "Evidence pack" not in text
    assert "Authoritative source data" not in text


def test_print_view_cites_sources_as_numbered_footnotes(client, seed):
    response = client.get(PRINT)

    text = response.text
    notes = re.findall(r'<li id="source-note-(\d+)"><cite>([^<]+)</cite>', text)
    citations = Citation.objects.filter(statement__framework=seed)
    cited = {escape(title) for title in citations.values_list("source__title", flat=True)}
    assert [number for number, _ in notes] == [str(n) for n in range(1, len(notes) + 1)]
    assert sorted(title for _, title in notes) == sorted(cited)
    # The first statement with citations points at footnote 1: sources are numbered in reading order.
    refs = re.findall(r'href="#source-note-(\d+)"', text)
    assert refs[0] == "1"
    assert set(refs) == {number for number, _ in notes}
    assert len(refs) == citations.count()


def test_a_footnote_names_a_publisher_its_title_does_not_already_name(client, seed):
    text = client.get(PRINT).text

    # "Pathsmith Durable Skills Framework — America Succeeds + CompTIA", published by America Succeeds + CompTIA.
    pathsmith = re.search(r"<cite>Pathsmith Durable Skills Framework[^<]*</cite>[^<]*</li>", text).group(0)
    assert pathsmith.count("America Succeeds + CompTIA") == 1
    # The O*NET Resource Center's title leaves its publisher out: the note adds it.
    onet = Source.objects.get(key="onet")
    assert onet.publisher and onet.publisher not in onet.title
    assert re.search(rf"<cite>{re.escape(escape(onet.title))}</cite>[^<]*{re.escape(escape(onet.publisher))}\.", text)


def test_print_view_of_an_occupation_without_a_framework_is_not_found(client, db):
    occupation = OccupationFactory()

    response = client.get(f"/occupations/{occupation.soc_code}/print/")

    assert response.status_code == 404
