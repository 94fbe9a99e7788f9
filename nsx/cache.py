"""Whole-page caching for anonymous visitors, invalidated by any change to what they see.

Every committed save or delete of content the public sees (`frameworks.signals`) moves the content
generation (a timestamp in the cache framework) forward; page keys and ETags include it, so the next
request after an edit, a publish or an import renders afresh. A `migrate` moves it too, and keys include
the deployment's code fingerprint; pages are dated no earlier than the deployment's first request, so a
client comparing dates never keeps a page older code rendered. With Redis (REDIS_URL) every app process
shares the generation and the pages.

Views opt in with `cached_page`, naming the query parameters they read: an address with any other, or
with one of them twice, is answered but not stored, or every made-up address would store another copy of
the page. For the same reason a page is keyed by its parameters as the view reads them, not as the
address spells them, and by what its request headers decide (HTML or JSON, htmx or not, gzip or not),
never by their raw values.
`PageCacheMiddleware`, placed right after WhiteNoise, answers repeat requests before the rest of the
stack runs: the page from this process's memory (or the shared cache), with the headers the stack gave
it the first time.

The cache speeds the site up and is never needed: while it fails, pages are rendered without it, and a
change that cannot move the generation is still saved (and logged as an error).

With Redis, each process keeps the generation itself and hears of changes on a pub/sub channel
(`GenerationWatch`), so a cached page costs no round trip to Redis. Redis writes a published message to
the subscribers in the same pass as its answer to the publisher, so by the time the edit's own response
has gone out, the other processes have the news waiting on their sockets; each request drains its
socket first.
"""

import hashlib
import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from functools import cache as once
from functools import partial, wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.utils.http import http_date, quote_etag, urlencode
from django_htmx.middleware import HtmxDetails
from redis.exceptions import RedisError

from nsx.negotiation import prefers_json

GENERATION_KEY = "content-generation"
DEPLOYMENT_KEY = "deployed-code"
PAGE_TIMEOUT = 60 * 60
# Request headers that change what a view answers (htmx fragments, content negotiation). django-htmx reads
# a header's value URL-decoded when its -URI-AutoEncoded companion says so.
VARYING_HEADERS = (
    "HX-Request",
    "HX-Request-URI-AutoEncoded",
    "HX-History-Restore-Request",
    "HX-History-Restore-Request-URI-AutoEncoded",
    "Accept",
)
LOCAL_PAGES = 256  # pages each process keeps in memory, least recently used dropped first
# What the cache backends raise when their store fails: redis-py's errors, the file cache's OSError.
CACHE_ERRORS = (RedisError, OSError)
# After a failure, pages are rendered without the cache this long before it is tried again, so that
# an unreachable cache costs one request a wait, not every request.
CACHE_RETRY_SECONDS = 10

logger = logging.getLogger(__name__)


def content_generation():
    """When the content last changed, as a POSIX timestamp."""
    stamp = cache.get(GENERATION_KEY)
    if stamp is None:
        cache.add(GENERATION_KEY, time.time(), timeout=None)
        stamp = cache.get(GENERATION_KEY)
    return stamp


def content_changed():
    """Start a new content generation.

    Called once the change has committed: failing here would fail a save that was made, so an
    unreachable cache is logged instead.
    """
    try:
        stamp = max(time.time(), (cache.get(GENERATION_KEY) or 0) + 0.001)
        cache.set(GENERATION_KEY, stamp, timeout=None)
        if client := _redis_client():
            client.publish(cache.make_and_validate_key(GENERATION_KEY), repr(stamp))
    except CACHE_ERRORS:
        logger.error(
            "The cache failed, so this change did not move the content generation: pages cached "
            "before it may be served until they expire, at most %d s after they were cached.",
            PAGE_TIMEOUT,
            exc_info=True,
        )


def content_changed_by_migrate(**kwargs):
    """A migration may rewrite what pages show (frameworks' data migrations do)."""
    content_changed()


def content_changed_on_commit():
    """Start a new generation once the change is committed; before, a page rendered from the old rows
    could be stored under the new generation and outlive the change."""
    transaction.on_commit(content_changed)


@once
def code_fingerprint():
    """A digest of what renders this deployment's pages: the project's code and templates, and the
    static manifest that names its hashed files.

    Page keys and ETags include it. The shared cache outlives a deployment, and a page the previous one
    rendered names static files this one no longer serves.
    """
    base = Path(settings.BASE_DIR)
    roots = {base / "nsx"}
    roots.update(
        Path(app.path)
        for app in apps.get_app_configs()
        # The project's apps: a virtualenv inside the project holds the installed ones.
        if Path(app.path).is_relative_to(base) and not Path(app.path).is_relative_to(sys.prefix)
    )
    roots.update(Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", []))
    files = []
    for root in roots:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            files += [os.path.join(folder, name) for name in names if name.endswith((".py", ".html", ".txt"))]
    files = [*sorted(files), os.path.join(settings.STATIC_ROOT, "staticfiles.json")]
    digest = hashlib.sha256()
    for path in files:
        if os.path.isfile(path):
            digest.update(f"{os.path.relpath(path, base)}\0".encode())
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:16]


def deployment_started(fingerprint):
    """When this code began serving pages, as a POSIX timestamp; pages are never dated earlier.

    The first process to run a fingerprint other than the one recorded in the shared cache records it
    with the time, and the deployment's other processes read that time, so they date pages alike. Not the
    files' modification times: an image built before the last content change, or a rollback to an older
    build, would date its pages no later than those the code it replaces had already dated.
    """
    deployed = cache.get(DEPLOYMENT_KEY)
    if deployed is not None and deployed[0] == fingerprint:
        return deployed[1]
    started = time.time()
    cache.set(DEPLOYMENT_KEY, (fingerprint, started), timeout=None)
    return started


def page_variant(request):
    """What besides the address decides the answer, as the stack decides it: JSON or HTML (the views'
    negotiation), an htmx swap or history restore (django-htmx's reading of its headers), gzip or not
    (GZipMiddleware's test)."""
    htmx = HtmxDetails(request)
    return "|".join(
        (
            "json" if prefers_json(request) else "html",
            "htmx" if htmx else "",
            "history-restore" if htmx.history_restore_request else "",
            # Clients that accept gzip share one compressed copy, whatever else their Accept-Encoding lists.
            "gzip" if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")) else "",
        )
    )


def page_address(request):
    """The address as the view reads it: the path, then the parameters decoded and in order of name, so
    `?tab=%61i` and `?tab=ai`, or the same filters in another order, name one page."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    path = escape_uri_path(request.path)
    return f"{path}?{query}" if query else path


def storable_query(request, reads):
    """Whether the address asks only for parameters the view reads, each once: any other, or a repeated
    one (`?tab=ai&tab=ai`), would store another copy of a page."""
    return request.GET.keys() <= reads and all(len(values) == 1 for _, values in request.GET.lists())


def _redis_client():
    redis_client = getattr(cache, "redis_client", None)  # only on nsx.redis_cache.RedisCache
    return redis_client() if redis_client else None


class GenerationWatch:
    """This process's copy of the content generation, kept current through Redis pub/sub.

    Without Redis (the file cache), or while the subscription is down, it reads the cache every time.
    When the cache itself is unreachable, `current` raises one of CACHE_ERRORS.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.pid = None
        self.client = None
        self.subscription = None
        self.stamp = None
        self.reconnected = False

    def current(self):
        with self.lock:
            try:
                if self.pid != os.getpid():  # first use, or a forked worker: it subscribes for itself
                    client = _redis_client()
                    if client is None:
                        return content_generation()
                    self._subscribe(client)
                news = self._news_waiting()
                if self.reconnected:  # news published while the channel was down is lost: start afresh
                    self._subscribe(self.client)
                if news or self.stamp is None:
                    self.stamp = content_generation()
                return self.stamp
            except CACHE_ERRORS:
                self.pid = self.subscription = self.stamp = None
                stamp = content_generation()  # raises too when Redis itself is down: the caller logs that
                logger.warning("Content generation channel unavailable; reading the cache", exc_info=True)
                return stamp

    def _subscribe(self, client):
        if self.subscription is not None:
            self.subscription.close()
        self.client, self.subscription = client, client.pubsub()
        self.subscription.subscribe(cache.make_and_validate_key(GENERATION_KEY))
        # Subscribed (Redis confirms) before reading the generation, so no change slips between.
        if self.subscription.get_message(timeout=5) is None:
            raise ConnectionError("Redis did not confirm the subscription")
        # redis-py reconnects a dropped channel by itself, the next time it is polled.
        self.subscription.connection.register_connect_callback(self._on_reconnect)
        self.pid, self.stamp, self.reconnected = os.getpid(), None, False

    def _on_reconnect(self, connection):
        self.reconnected = True

    def _news_waiting(self):
        news = False
        while self.subscription.get_message(timeout=0) is not None:
            news = True
        return news


def cached_page(view=None, *, query=()):
    """Let PageCacheMiddleware keep this view's successful answers to anonymous visitors.

    `query` names the query parameters the view reads; `@cached_page` alone reads none. An answer to an
    address with any other parameter, or with one of them twice, is sent but not kept.
    """
    if view is None:
        return partial(cached_page, query=query)
    reads = frozenset(query)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_query = reads  # marks the answer as one PageCacheMiddleware may keep
        patch_vary_headers(response, VARYING_HEADERS)
        # Without it a browser takes a page as fresh for a tenth of its age and shows it after an edit
        # without asking; asked every time, the server answers 304 while the page is unchanged.
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_cache=True)
        # A signed-in person's page holds their sign-out form's token: for their browser alone to keep.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    return wrapper


class LocalPages:
    """A small least-recently-used store of (content, headers) by key, for one process."""

    def __init__(self, size):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class Outage:
    """Whether the cache failed this process, and when to try it again.

    An outage is logged when it starts and when it ends, not once a request: `without` says what goes
    without the cache meanwhile, `again` what works again once it answers.
    """

    def __init__(self, log, without, again):
        self.log, self.without, self.again = log, without, again
        self.retry_at = None

    def waiting(self):
        return self.retry_at is not None and time.time() < self.retry_at

    def failed(self):
        """Called while handling one of CACHE_ERRORS."""
        if self.retry_at is None:
            self.log.warning("The cache failed: %s until it answers again.", self.without, exc_info=True)
        self.retry_at = time.time() + CACHE_RETRY_SECONDS

    def answered(self):
        if self.retry_at is not None:
            self.retry_at = None
            self.log.info("The cache answers again: %s.", self.again)


# A script's own conditional request reads its 304 under CORS, so the 304 needs the full answer's grant.
NOT_MODIFIED_KEEPS = ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers")


def conditional(request, response, etag, last_modified):
    """The response, dated when it has a date, or a 304 in its place that keeps its ETag, Vary, Cache-Control
    and date (RFC 9110) and CORS."""
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    answer = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    if answer is not response:
        for header in NOT_MODIFIED_KEEPS:
            if header in response:
                answer[header] = response[header]
    return answer


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.local = LocalPages(LOCAL_PAGES)
        self.generation = GenerationWatch()
        self.outage = Outage(logger, without="pages are rendered without it", again="pages are cached again")
        self.code = code_fingerprint()
        self.deployed = None  # deployment_started, read from the cache on the first request

    @cached_property
    def health_check(self):
        # Answered from the database alone: waiting on a cache that does not answer, it would have a load
        # balancer take out a site that serves without that cache.
        return reverse("healthz")

    def __call__(self, request):
        # Signed-in people (and anyone with a session) may see drafts, banners or their own forms.
        if (
            not settings.NSX_PAGE_CACHE
            or request.path == self.health_check
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            # A message waiting for the visitor ("Thank you …") is shown on the next page they open.
            or CookieStorage.cookie_name in request.COOKIES
            # The cache failed moments ago: not waited on again until its retry time.
            or self.outage.waiting()
        ):
            return self.get_response(request)
        try:
            stamp = self.generation.current()
            if self.deployed is None:
                self.deployed = deployment_started(self.code)
            etag, key = self.page_key(request, stamp)
            stored = self.local.get(key) or cache.get(key)
        except CACHE_ERRORS:
            self.outage.failed()
            return self.get_response(request)
        self.outage.answered()
        # A page changes with the content or the code: dated by the content alone, a page the previous
        # deployment rendered would still be "not modified" to a client comparing dates.
        modified = max(stamp, self.deployed)
        # Last-Modified counts whole seconds: until that second is over, a change could share it, and a
        # client comparing dates alone would keep the older page. The ETag tells them apart.
        last_modified = int(modified) if time.time() >= int(modified) + 1 else None

        if stored is not None:
            self.local.put(key, stored)
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            return conditional(request, response, etag, last_modified)

        response = self.get_response(request)
        reads = getattr(response, "page_query", None)
        if reads is None:
            return response
        response["ETag"] = etag
        # A response that sets a cookie, or that its view marked private, belongs to one visitor.
        cache_control = response.get("Cache-Control", "")
        if (
            response.status_code == 200
            and not response.cookies
            and not response.streaming
            and "private" not in cache_control
            and "no-store" not in cache_control
            and storable_query(request, reads)
        ):
            stored = (response.content, dict(response.headers))
            try:
                cache.set(key, stored, PAGE_TIMEOUT)
            except CACHE_ERRORS:
                self.outage.failed()
            self.local.put(key, stored)
        return conditional(request, response, etag, last_modified)

    def page_key(self, request, stamp):
        """The ETag and cache key of the answer to this request in the content generation `stamp`."""
        # The whole address: pages hold absolute links built from the host and scheme they were asked on.
        address = request.build_absolute_uri(page_address(request))
        variant = page_variant(request)
        digest = hashlib.sha256(f"{self.code}|{stamp}|{address}|{variant}".encode()).hexdigest()
        return quote_etag(digest[:32]), f"page:{digest}"
