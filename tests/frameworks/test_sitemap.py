"""What crawlers are offered: robots.txt and a sitemap of every current occupation's page."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from frameworks.models import Framework, OnetRelease
from tests.factories import FrameworkFactory, OccupationFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def listed(response):
    urls = ET.fromstring(response.content).findall("sm:url", SITEMAP_NS)
    return {url.find("sm:loc", SITEMAP_NS).text: getattr(url.find("sm:lastmod", SITEMAP_NS), "text", None) for url in urls}


def test_the_sitemap_lists_every_current_occupation_dated_by_its_published_framework(client, seed):
    without_framework = OccupationFactory(title="Astronomers")
    retired = OccupationFactory(title="Telegraph operators", retired=True)
    FrameworkFactory(occupation=without_framework, version="1.0", status=Framework.Status.DRAFT)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    urls = listed(response)
    assert urls["http://testserver/occupations/41-3021.00/"] == seed.updated_at.date().isoformat()
    # A draft is no one's business but its curators': the page it would date shows no framework.
    assert urls[f"http://testserver{without_framework.get_absolute_url()}"] is None
    assert f"http://testserver{retired.get_absolute_url()}" not in urls
    assert {"http://testserver/", "http://testserver/occupations/"} <= urls.keys()
    for address in urls:
        assert client.get(address).status_code == 200


def test_an_occupation_without_a_framework_is_dated_by_the_release_it_was_read_from(client, seed):
    release = OnetRelease.objects.create(
        version="30.1", released="November 2025", imported_at=datetime(2025, 12, 3, 9, tzinfo=UTC)
    )
    astronomers = OccupationFactory(title="Astronomers", release=release)
    seed.occupation.release = release
    seed.occupation.save()

    urls = listed(client.get("/sitemap.xml"))

    assert urls[f"http://testserver{astronomers.get_absolute_url()}"] == "2025-12-03"
    # A published framework is what its page shows first: its date stays the page's.
    assert urls["http://testserver/occupations/41-3021.00/"] == seed.updated_at.date().isoformat() != "2025-12-03"


def test_the_sitemap_costs_the_same_queries_for_one_occupation_or_many(
    client, seed, settings, django_assert_num_queries
):
    settings.NSX_PAGE_CACHE = False
    with django_assert_num_queries(2):  # a count for the paginator, then the page
        client.get("/sitemap.xml")
    release = OnetRelease.objects.create(version="30.1", imported_at=datetime(2025, 12, 3, 9, tzinfo=UTC))
    OccupationFactory.create_batch(20, release=release)

    with django_assert_num_queries(2):
        many = client.get("/sitemap.xml")

    assert len(listed(many)) == 2 + 1 + 20


def test_robots_txt_points_crawlers_to_the_sitemap(client, settings):
    settings.ALLOWED_HOSTS = ["nsx.example"]
    response = client.get("/robots.txt", headers={"Host": "nsx.example"}, secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.splitlines() == [
        "User-agent: *",
        "Disallow: /accounts/",
        "Sitemap: https://nsx.example/sitemap.xml",
    ]
