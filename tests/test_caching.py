"""Anonymous pages are cached until the content changes, and answer conditional requests."""

import gzip
import os
import re
import socket
import subprocess
import sys
from html import unescape

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.cache import patch_cache_control
from django.utils.http import parse_http_date

import nsx.cache
from evidence.models import Citation, EvidenceMetric, Source
from exchange.identifiers import framework_identifier
from frameworks import services, workflow
from frameworks.models import Framework, Statement
from nsx.cache import GenerationWatch, PageCacheMiddleware, cached_page, content_changed, content_generation
from tests.admin_forms import admin_form_data
from tests.factories import PASSWORD
from tests.onet import RELEASE_B
from tests.tools import ROOT, UNREACHABLE_CACHE

pytestmark = pytest.mark.django_db

PAGE = "/occupations/41-3021.00/"


def test_repeat_visit_is_served_from_the_cache(client, seed, django_assert_num_queries):
    first = client.get(PAGE)

    with django_assert_num_queries(0):
        second = client.get(PAGE)

    assert second.content == first.content
    assert first["ETag"] == second["ETag"]


def test_an_edit_shows_at_once(client, seed, django_capture_on_commit_callbacks):
    client.get(PAGE)
    statement = Statement.objects.get(framework=seed, title="CRM software")
    statement.text = "keep client records current in the agency's CRM."
    with django_capture_on_commit_callbacks(execute=True):
        statement.save()

    assert "keep client records current" in client.get(PAGE).text


def test_unpublishing_hides_the_framework_at_once(client, seed, django_capture_on_commit_callbacks):
    client.get(PAGE)
    seed.status = Framework.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        seed.save()

    assert "No framework has been authored" in client.get(PAGE).text


@pytest.fixture
def clock(monkeypatch):
    """The page cache's clock, set by the test."""

    class Clock:
        now = 1_800_000_000.25

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(nsx.cache, "time", clock)
    return clock


def test_conditional_get_answers_not_modified(client, seed, clock):
    client.get(PAGE)  # the deployment's first request: its pages are dated from then on
    content_changed()
    clock.now += 1
    first = client.get(PAGE)

    by_etag = client.get(PAGE, headers={"If-None-Match": first["ETag"]})
    by_date = client.get(PAGE, headers={"If-Modified-Since": first["Last-Modified"]})

    assert by_etag.status_code == 304
    assert by_date.status_code == 304
    assert by_etag.content == b""


def test_not_modified_from_the_cache_keeps_the_headers_a_cache_revalidates_with(client, seed, clock):
    client.get(PAGE)  # the deployment's first request
    content_changed()
    clock.now += 1
    first = client.get(PAGE)
    assert first.status_code == 200

    by_etag = client.get(PAGE, headers={"If-None-Match": first["ETag"]})

    assert by_etag.status_code == 304
    for header in ("ETag", "Vary", "Last-Modified", "Cache-Control"):
        assert by_etag[header] == first[header], header


@pytest.mark.parametrize("address", [PAGE, PAGE + "?tab=ai", "/occupations/", "/sources/onet/", "/occupations/41-3021.00/framework.json"])
def test_browsers_ask_again_before_showing_a_page_they_keep(client, seed, address):
    # A page with a date and no Cache-Control is fresh to a browser for a tenth of its age: an edit made
    # meanwhile would not show.
    response = client.get(address)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"


def test_not_modified_data_stays_readable_by_other_sites(client, seed):
    first = client.get("/occupations/41-3021.00/framework.json")

    not_modified = client.get("/occupations/41-3021.00/framework.json", headers={"If-None-Match": first["ETag"]})

    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"


def exposed_headers(response):
    return {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}


@pytest.mark.parametrize(
    "address",
    [
        "/occupations/41-3021.00/framework.json",
        "/occupations/41-3021.00/framework.csv",
        "/occupations/41-3021.00/framework.jsonld",
        "/occupations/41-3021.00/versions/26.05/framework.json",
        "/occupations/41-3021.00/versions/26.05/framework.csv",
        "/occupations/41-3021.00/versions/26.05/framework.jsonld",
        "/ims/case/v1p1/CFDocuments",
    ],
)
def test_other_sites_scripts_may_read_the_etag_they_revalidate_with(client, seed, address):
    # ETag is not among the response headers CORS lets a script read unless they are named.
    for response in (client.get(address), client.get(address)):  # rendered, then from the page cache
        assert "etag" in exposed_headers(response)
        not_modified = client.get(address, headers={"If-None-Match": response["ETag"]})
        assert not_modified.status_code == 304
        assert exposed_headers(not_modified) == exposed_headers(response)


def test_the_documents_listing_still_lets_other_sites_scripts_read_its_total(client, seed):
    assert {"etag", "x-total-count"} <= exposed_headers(client.get("/ims/case/v1p1/CFDocuments"))


def test_pages_are_dated_only_once_their_generation_second_is_over(
    client, seed, clock, django_capture_on_commit_callbacks
):
    content_changed()
    assert "Last-Modified" not in client.get(PAGE)  # a second change this second would share the date
    clock.now += 1
    dated = client.get(PAGE)
    # Another change within the second the page was sent in: the page's date would not tell it apart.
    seed.context_covered = "A new context."
    with django_capture_on_commit_callbacks(execute=True):
        seed.save()

    again = client.get(PAGE, headers={"If-Modified-Since": dated["Last-Modified"]})

    assert dated["Last-Modified"] == "Fri, 15 Jan 2027 08:00:00 GMT"
    assert again.status_code == 200
    assert "A new context." in again.text
    assert "Last-Modified" not in again
    clock.now += 1
    assert client.get(PAGE, headers={"If-Modified-Since": dated["Last-Modified"]})["Last-Modified"] == (
        "Fri, 15 Jan 2027 08:00:01 GMT"
    )


def test_a_change_gives_a_new_etag(client, seed, django_capture_on_commit_callbacks):
    first = client.get(PAGE)
    seed.context_covered = "A new context."
    with django_capture_on_commit_callbacks(execute=True):
        seed.save()

    again = client.get(PAGE, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "A new context." in again.text


def test_pages_are_compressed_once_for_clients_that_accept_gzip(client, seed, django_assert_num_queries):
    plain = client.get(PAGE)
    compressed = client.get(PAGE, headers={"Accept-Encoding": "gzip, deflate, br"})
    with django_assert_num_queries(0):
        again = client.get(PAGE, headers={"Accept-Encoding": "gzip"})
        not_modified = client.get(
            PAGE, headers={"Accept-Encoding": "gzip", "If-None-Match": compressed["ETag"]}
        )

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 4
    assert again.content == compressed.content  # the stored copy, not compressed afresh
    assert compressed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert not_modified.status_code == 304


def test_htmx_fragments_and_full_pages_are_cached_apart(client, seed):
    page = client.get(PAGE, {"tab": "ai"})
    fragment = client.get(PAGE, {"tab": "ai"}, headers={"HX-Request": "true"})
    page_again = client.get(PAGE, {"tab": "ai"})

    assert "<html" in page.text and "<html" not in fragment.text
    assert page_again.content == page.content
    assert fragment["ETag"] != page["ETag"]
    for header in ("HX-Request", "HX-Request-URI-AutoEncoded", "Accept"):
        assert header in page["Vary"]


def stored_pages():
    """How many pages the shared cache (Redis) holds."""
    return len(list(cache.redis_client().scan_iter(match=cache.make_and_validate_key("page:*"))))


@pytest.mark.parametrize(
    ("asked", "made_up"),
    [
        ({}, ("Accept", "text/html;r={}")),
        ({"Accept": "application/json"}, ("Accept", "application/json, x-made-up/r{}")),
        ({}, ("HX-Request", "r{}")),
        ({"Accept-Encoding": "gzip"}, ("Accept-Encoding", "gzip, x-made-up-{}")),
    ],
)
def test_made_up_header_values_store_no_more_copies(client, seed, redis_cache, asked, made_up):
    # Each would otherwise store a whole page for an hour, pushing real pages out of Redis.
    name, value = made_up
    page = client.get(PAGE, headers=asked)

    answers = [client.get(PAGE, headers={**asked, name: value.format(number)}) for number in range(20)]

    assert stored_pages() == 1
    assert all(answer.content == page.content for answer in answers)


def answer_kind(response):
    if response["Content-Type"].startswith("application/json"):
        return "json"
    return "page" if "<html" in response.content.decode() else "fragment"


@pytest.mark.parametrize(
    ("unusual", "usual", "kind"),
    [
        ({"Accept": "text/html;q=0.5, application/json"}, {"Accept": "application/json"}, "json"),
        ({"Accept": "application/json;q=0.5, text/html"}, {}, "page"),
        ({"Accept": "image/png"}, {}, "page"),
        ({"HX-Request": "%74rue", "HX-Request-URI-AutoEncoded": "true"}, {"HX-Request": "true"}, "fragment"),
        ({"HX-Request": "True"}, {}, "page"),
        (
            {"HX-Request": "true", "HX-History-Restore-Request": "%74rue", "HX-History-Restore-Request-URI-AutoEncoded": "true"},
            {"HX-Request": "true", "HX-History-Restore-Request": "true"},
            "page",
        ),
    ],
)
def test_a_stored_copy_is_what_every_request_it_is_kept_for_would_get(
    client, seed, unusual, usual, kind, django_assert_num_queries
):
    stored = client.get(PAGE, headers=unusual)
    with django_assert_num_queries(0):
        shared = client.get(PAGE, headers=usual)

    assert answer_kind(stored) == kind
    assert shared.content == stored.content
    assert shared["Content-Type"] == stored["Content-Type"]


def test_signed_in_people_are_never_served_the_shared_copy(client, seed, admin_user):
    client.get(PAGE)
    client.force_login(admin_user)

    response = client.get(PAGE)

    assert "Sign out" in response.text
    assert "ETag" not in response


def test_a_signed_in_persons_page_is_theirs_alone_to_keep(client, seed, admin_user):
    # It holds their sign-out form's token: no shared cache between them and the site may store it.
    client.force_login(admin_user)

    for address in (PAGE, "/", "/occupations/41-3021.00/framework.json"):
        cache_control = client.get(address)["Cache-Control"]

        assert "private" in cache_control, address
        assert "no-cache" in cache_control, address


def test_exports_are_cached_and_conditional(client, seed):
    first = client.get("/occupations/41-3021.00/framework.csv")

    assert first.status_code == 200
    assert (
        client.get(
            "/occupations/41-3021.00/framework.csv", headers={"If-None-Match": first["ETag"]}
        ).status_code
        == 304
    )


def test_an_import_refreshes_pages(client, seed, django_capture_on_commit_callbacks):
    client.get("/occupations/")
    # The import moves the content generation once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_onet", str(RELEASE_B), verbosity=0)

    assert "Software Developers" in client.get("/occupations/").text


def test_a_change_waits_for_its_commit(client, seed, django_capture_on_commit_callbacks):
    # Until the change commits, other processes still read the old rows: a page they render must not
    # be stored under a generation that claims to include the change.
    before = client.get(PAGE)
    seed.context_covered = "A context not yet committed."
    with django_capture_on_commit_callbacks() as waiting:
        seed.save()
        assert client.get(PAGE)["ETag"] == before["ETag"]

    assert waiting
    for callback in waiting:
        callback()
    assert client.get(PAGE)["ETag"] != before["ETag"]


def test_curating_a_draft_leaves_every_cached_page_standing(
    client, seed, curator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Drafts are seen only by signed-in curators, whose pages are never cached.
    cached = client.get(PAGE)
    generation = content_generation()
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.copy_as_new_version(seed, "26.06")
        statement = draft.statements.get(title="CRM software")
        statement.text = "A draft text."
        statement.save()
        citation = Citation.objects.filter(statement__framework=draft).first()
        citation.anchors.clear()
        citation.delete()
        metric = EvidenceMetric.objects.filter(framework=draft).first()
        metric.value = "99"
        metric.save()
        workflow.apply(draft, "submit", curator)

    assert content_generation() == generation
    with django_assert_num_queries(0):
        assert client.get(PAGE).content == cached.content


def test_publishing_a_draft_shows_at_once(client, seed, curator, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.copy_as_new_version(seed, "26.06")
        statement = draft.statements.get(title="CRM software")
        statement.text = "keep every client record current."
        statement.save()
        workflow.apply(draft, "submit", curator)
    assert "keep every client record current" not in client.get(PAGE).text

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(draft, "publish", editor)

    assert "keep every client record current" in client.get(PAGE).text


def test_the_list_of_versions_follows_a_publish_at_once(
    client, seed, curator, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.copy_as_new_version(seed, "26.06")
        workflow.apply(draft, "submit", curator)
    assert 'class="versions"' not in client.get(PAGE).text  # a draft is not listed; this copy is cached

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(draft, "publish", editor)

    assert f'<a href="{PAGE}versions/26.05/">v.26.05</a>' in client.get(PAGE).text


def test_a_versions_exports_follow_its_status_at_once(
    client, seed, editor, django_capture_on_commit_callbacks
):
    address = PAGE + "versions/26.05/framework.json"
    package = f"/ims/case/v1p1/CFPackages/{framework_identifier(seed)}"
    assert client.get(address).json()["status"] == "published"  # these copies are cached
    assert client.get(package).json()["CFDocument"]["adoptionStatus"] == "Adopted"

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(seed, "archive", editor)
    assert client.get(address).json()["status"] == "archived"
    assert client.get(package).json()["CFDocument"]["adoptionStatus"] == "Deprecated"

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(seed, "restore", editor)
        workflow.apply(seed, "unpublish", editor)
    # Back to draft: no longer the public's, at its version's address or its CASE identifier.
    assert client.get(address).status_code == 404
    assert client.get(package).status_code == 404


@pytest.mark.parametrize("status", [Framework.Status.PUBLISHED, Framework.Status.ARCHIVED])
def test_a_change_to_what_the_public_reads_moves_the_generation(
    seed, status, django_capture_on_commit_callbacks
):
    Framework.objects.filter(pk=seed.pk).update(status=status)
    changes = {
        "statement": Statement.objects.filter(framework=seed).first(),
        "citation": Citation.objects.filter(statement__framework=seed).first(),
        "metric": EvidenceMetric.objects.filter(framework=seed).first(),
        "source": Source.objects.first(),
    }
    for name, row in changes.items():
        generation = content_generation()
        with django_capture_on_commit_callbacks(execute=True):
            row.save()
        assert content_generation() > generation, name


def test_a_response_its_view_marks_private_is_never_shared(rf):
    renders = []

    @cached_page
    def private_view(request):
        renders.append(request)
        response = HttpResponse("for one visitor")
        patch_cache_control(response, private=True, no_store=True)
        return response

    middleware = PageCacheMiddleware(private_view)
    middleware(rf.get("/private/"))
    middleware(rf.get("/private/"))

    assert len(renders) == 2


def test_each_process_hears_of_changes_instead_of_asking_for_every_page(redis_cache, monkeypatch):
    reads = []
    read = nsx.cache.content_generation
    monkeypatch.setattr(nsx.cache, "content_generation", lambda: reads.append(1) or read())
    watch = GenerationWatch()

    first = watch.current()
    assert [watch.current() for _ in range(3)] == [first] * 3
    assert len(reads) == 1

    content_changed()  # as another process would, once its change commits
    # Redis writes the news to subscribers as it answers the publisher, microseconds apart.
    assert watch.subscription.connection.can_read(timeout=1)

    assert watch.current() > first
    assert watch.current() == read()
    assert len(reads) == 2


def test_a_lost_channel_never_leaves_a_process_on_an_old_generation(redis_cache):
    watch = GenerationWatch()
    first = watch.current()
    watch.subscription.connection.disconnect()

    content_changed()

    assert watch.current() > first
    assert watch.current() == nsx.cache.content_generation()
    assert watch.subscription is not None  # subscribed again, not reading the cache for every page


def test_each_host_and_scheme_keeps_its_own_copy(client, seed, settings):
    # Pages and exports hold absolute addresses (schema.org, CASE), built from the address asked.
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]

    first = client.get(PAGE, headers={"Host": "a.example"})
    other_host = client.get(PAGE, headers={"Host": "b.example"})
    other_scheme = client.get(PAGE, headers={"Host": "a.example"}, secure=True)

    assert "http://a.example/occupations/" in first.text
    assert "http://b.example/occupations/" in other_host.text and "a.example" not in other_host.text
    assert "https://a.example/occupations/" in other_scheme.text
    assert len({first["ETag"], other_host["ETag"], other_scheme["ETag"]}) == 3


def test_a_message_waiting_for_the_visitor_is_not_hidden_by_a_cached_page(client, seed):
    anchors_tab = f"{PAGE}?tab=anchors"
    client.get(anchors_tab)  # cached before the visitor suggests a correction
    anchor = seed.occupation.anchors.get(kind="skill", name="Mathematics")

    response = client.post(
        f"{PAGE}suggest/",
        {
            "about": f"anchor-{anchor.pk}",
            "correction": "Mathematics matters less than listed.",
            "website": "",
        },
    )
    after = client.get(response["Location"])

    assert "A curator will review your suggestion" in after.text
    assert "A curator will review your suggestion" not in client.get(anchors_tab).text


def test_a_change_made_by_a_command_reaches_the_running_servers_pages(client, seed):
    # Without Redis the cache is files that every process of the machine shares: an import run from a
    # shell while `make serve` runs moves the generation the server's pages are kept by.
    first = client.get(PAGE)
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    command = "from nsx.cache import content_changed; content_changed()"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", command], cwd=ROOT, env=environment, check=True
    )

    again = client.get(PAGE, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_new_deployment_never_serves_the_pages_the_last_one_cached(
    client, seed, monkeypatch, django_assert_num_queries
):
    # Pages name hashed static files; the next deployment's may be gone, and the shared cache outlives it.
    first = client.get(PAGE)
    with django_assert_num_queries(0):
        assert Client().get(PAGE)["ETag"] == first["ETag"]

    monkeypatch.setattr(nsx.cache, "code_fingerprint", lambda: "the next deployment")
    after = Client().get(PAGE)

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert Client().get(PAGE, headers={"If-None-Match": first["ETag"]}).status_code == 200


PRINT = "/occupations/41-3021.00/print/"


def test_a_new_deployment_dates_its_pages_after_those_the_last_one_served(client, seed, clock, monkeypatch):
    client.get(PRINT)  # the running deployment's first request
    clock.now += 1
    old = client.get(PRINT)
    clock.now += 60
    monkeypatch.setattr(nsx.cache, "code_fingerprint", lambda: "the next deployment")
    new_deployment = Client()  # a process of the next deployment, started with no content change

    by_date = new_deployment.get(PRINT, headers={"If-Modified-Since": old["Last-Modified"]})
    assert by_date.status_code == 200
    assert "Last-Modified" not in by_date  # dated once the deployment's first second is over
    clock.now += 1
    new = new_deployment.get(PRINT)
    clock.now += 5
    another_process = Client()

    assert parse_http_date(new["Last-Modified"]) > parse_http_date(old["Last-Modified"])
    assert another_process.get(PRINT)["Last-Modified"] == new["Last-Modified"]
    assert another_process.get(PRINT, headers={"If-Modified-Since": new["Last-Modified"]}).status_code == 304
    assert new_deployment.get(PRINT, headers={"If-Modified-Since": new["Last-Modified"]}).status_code == 304


def test_a_rollback_dates_its_pages_after_those_the_newer_code_served(client, seed, clock, monkeypatch):
    first_code = nsx.cache.code_fingerprint
    client.get(PRINT)
    clock.now += 60
    monkeypatch.setattr(nsx.cache, "code_fingerprint", lambda: "the next deployment")
    Client().get(PRINT)
    clock.now += 1
    newer = Client().get(PRINT)
    clock.now += 60
    monkeypatch.setattr(nsx.cache, "code_fingerprint", first_code)
    rolled_back = Client()
    rolled_back.get(PRINT)
    clock.now += 1

    again = rolled_back.get(PRINT, headers={"If-Modified-Since": newer["Last-Modified"]})

    assert again.status_code == 200
    assert parse_http_date(again["Last-Modified"]) > parse_http_date(newer["Last-Modified"])


@pytest.fixture
def fingerprint(settings, tmp_path):
    """code_fingerprint computed afresh, with the static manifest and a template folder in tmp_path."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    templates = tmp_path / "templates"
    templates.mkdir()
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]

    def compute():
        nsx.cache.code_fingerprint.cache_clear()
        return nsx.cache.code_fingerprint()

    yield compute
    nsx.cache.code_fingerprint.cache_clear()


def test_the_code_fingerprint_follows_templates_and_static_files(fingerprint, settings, tmp_path):
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>one</p>")
    before = fingerprint()
    assert fingerprint() == before

    template.write_text("<p>two</p>")
    after_template = fingerprint()
    manifest.write_text('{"paths": {"css/nsx.css": "css/nsx.0123456789ab.css"}}')
    after_manifest = fingerprint()

    assert len({before, after_template, after_manifest}) == 3


def test_migrate_drops_the_pages_cached_before(client, seed):
    # A data migration may rewrite what pages show.
    first = client.get(PAGE)

    call_command("migrate", verbosity=0)

    assert client.get(PAGE, headers={"If-None-Match": first["ETag"]}).status_code == 200


def renders(client, address):
    """Whether answering `address` ran its view (which queries the database) rather than the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries) > 0


@pytest.mark.parametrize(
    "address",
    [
        # A parameter the view does not read.
        f"{PAGE}?junk=1",
        f"{PAGE}?tab=ai&junk=1",
        "/?utm_source=newsletter",
        "/occupations/41-3021.00/framework.json?v=2",
        "/ims/case/v1p1/CFDocuments?limit=1&page=2",
        # One it reads, repeated: repeats read as their last value.
        f"{PAGE}?tab=skills&tab=ai&tab=skills",
        f"{PAGE}?tab=ai&tab=ai",
        "/occupations/?q=insurance&q=insurance",
        "/ims/case/v1p1/CFDocuments?limit=1&limit=1",
        "/sitemap.xml?p=1&p=1",
    ],
)
def test_a_made_up_address_is_answered_but_never_stored(client, seed, address):
    # Each made-up parameter or repetition would otherwise store another copy of the page, for an hour.
    assert renders(client, address)
    assert renders(client, address)


@pytest.mark.parametrize("number", ["abc", "0", "-1", "01", "9999"])
def test_a_directory_page_asked_for_by_a_number_other_than_its_own_is_never_stored(client, seed, number):
    # Each shows the first or the last page: stored, every made-up number would keep another copy of it.
    assert renders(client, f"/occupations/?page={number}")
    assert renders(client, f"/occupations/?page={number}")
    assert renders(client, "/occupations/?page=1")  # the page at its own number is kept
    assert not renders(client, "/occupations/?page=1")


@pytest.mark.parametrize(
    "address",
    [
        PAGE,
        f"{PAGE}?tab=ai",
        "/occupations/41-3021.00/versions/26.05/?tab=durable",
        "/occupations/?q=insurance&job_zone=4&group=41&framework=on&hot=on&sort=title&page=1",
        "/ims/case/v1p1/CFDocuments?limit=1&offset=0&sort=title&orderBy=desc&fields=title",
    ],
)
def test_an_address_with_only_the_parameters_its_view_reads_is_stored(client, seed, address):
    assert renders(client, address)
    assert not renders(client, address)


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (f"{PAGE}?tab=ai", f"{PAGE}?tab=%61i"),
        ("/occupations/?q=insurance+agent&job_zone=4", "/occupations/?job_zone=4&q=insurance%20agent"),
        ("/ims/case/v1p1/CFDocuments?limit=1&offset=0", "/ims/case/v1p1/CFDocuments?offset=0&limit=1"),
    ],
)
def test_one_page_spelt_another_way_is_answered_from_its_stored_copy(client, seed, first, again):
    # Percent-encoding and parameter order change the address, not the page.
    assert renders(client, first)
    assert not renders(client, again)


def test_signing_in_from_a_page_spelt_another_way_leads_back_to_that_page(client, seed, curator):
    client.get("/occupations/?q=insurance+agent&job_zone=4")  # stored
    page = client.get("/occupations/?job_zone=4&q=insurance%20agent")
    sign_in = re.search(r'id="sign-in" href="([^"]+)"', page.text)[1]

    signed_in = client.post(unescape(sign_in), {"username": "curator", "password": PASSWORD})

    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/occupations/?job_zone=4&q=insurance+agent"
    assert client.get(signed_in["Location"]).context["query"] == "insurance agent"


@pytest.fixture
def unreachable_cache():
    # Not the settings fixture: it would restore the cache only after each test's cache.clear().
    with override_settings(CACHES=UNREACHABLE_CACHE):
        yield


def test_the_site_serves_while_the_cache_is_unreachable(
    client, seed, curator, settings, unreachable_cache, caplog
):
    settings.AXES_ENABLED = True  # sign-in throttling keeps its counts in the database, not the cache
    addresses = ["/", PAGE, f"{PAGE}?tab=ai", "/healthz", "/accounts/login/", PAGE]

    with caplog.at_level("INFO", logger="nsx.cache"):
        answers = [client.get(address) for address in addresses]
        signed_in = client.post("/accounts/login/", {"username": "curator", "password": PASSWORD})

    assert [answer.status_code for answer in answers] == [200] * len(addresses)
    assert "Insurance Sales Agents" in answers[1].text
    assert answers[3].json() == {"status": "ok", "database": "ok"}
    assert signed_in.status_code == 302
    # Logged once for the outage, not once a request.
    assert [record.levelname for record in caplog.records if record.name == "nsx.cache"] == ["WARNING"]


@pytest.fixture
def unanswering_cache():
    """A Redis that takes connections and never answers, as a hung or overloaded one does."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        listening.setblocking(False)
        hung = {
            "BACKEND": "nsx.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{listening.getsockname()[1]}/0",
            "KEY_PREFIX": "nsx",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        with override_settings(CACHES={"default": hung}):
            yield listening


def test_the_health_check_never_waits_on_the_cache(client, unanswering_cache):
    # A load balancer would take the site out for a cache it serves without.
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}

    with pytest.raises(BlockingIOError):
        unanswering_cache.accept()  # nothing connected to it


def test_pages_are_cached_again_once_the_cache_answers(rf, clock, caplog):
    renders = []

    @cached_page
    def view(request):
        renders.append(request)
        return HttpResponse("a page")

    middleware = PageCacheMiddleware(view)
    with caplog.at_level("INFO", logger="nsx.cache"):
        with override_settings(CACHES=UNREACHABLE_CACHE):
            middleware(rf.get("/page/"))
        middleware(rf.get("/page/"))  # within the pause: rendered without trying the cache
        clock.now += nsx.cache.CACHE_RETRY_SECONDS
        middleware(rf.get("/page/"))
        middleware(rf.get("/page/"))

    assert len(renders) == 3
    assert [record.levelname for record in caplog.records if record.name == "nsx.cache"] == [
        "WARNING",  # when the cache failed
        "INFO",  # when it answered again
    ]


def test_a_change_saved_while_the_cache_is_unreachable_is_kept_and_logged(
    client, seed, curator, unreachable_cache, caplog, django_capture_on_commit_callbacks
):
    source = Source.objects.get(key="safi")
    change = f"/admin/evidence/source/{source.pk}/change/"
    client.force_login(curator)
    form = client.get(change)

    with caplog.at_level("ERROR", logger="nsx.cache"), django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change, admin_form_data(form, label="Jadhav and Danve, 2026"))

    assert saved.status_code == 302
    source.refresh_from_db()
    assert source.label == "Jadhav and Danve, 2026"
    assert [record.levelname for record in caplog.records if record.name == "nsx.cache"] == ["ERROR"]
