"""Whole-page caching for anonymous visitors, invalidated by any change to the content.

Every save or delete of a content model moves the content generation (a timestamp kept in the cache
framework) forward; page cache keys and ETags include it, so the next request after an edit, a publish or
an import renders afresh. With Redis (REDIS_URL) every app process shares the generation and the pages.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

GENERATION_KEY = "content-generation"
PAGE_TIMEOUT = 60 * 60
# Request headers that change what a view answers (htmx fragments, content negotiation).
VARYING_HEADERS = ("HX-Request", "HX-History-Restore-Request", "Accept")


def content_generation():
    """When the content last changed, as a POSIX timestamp."""
    stamp = cache.get(GENERATION_KEY)
    if stamp is None:
        cache.add(GENERATION_KEY, time.time(), timeout=None)
        stamp = cache.get(GENERATION_KEY)
    return stamp


def content_changed(**kwargs):
    """Start a new content generation; usable as a signal receiver."""
    cache.set(GENERATION_KEY, max(time.time(), (cache.get(GENERATION_KEY) or 0) + 0.001), timeout=None)


def _is_shared(request):
    # Signed-in people (and anyone with a session) may see drafts, banners or their own forms.
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cached_page(view):
    """Cache a view's successful answers to anonymous visitors, with ETag and Last-Modified."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.NSX_PAGE_CACHE or not _is_shared(request):
            return view(request, *args, **kwargs)
        stamp = content_generation()
        variant = "|".join(request.headers.get(name, "") for name in VARYING_HEADERS)
        digest = hashlib.sha256(f"{stamp}|{request.get_full_path()}|{variant}".encode()).hexdigest()
        etag, last_modified = quote_etag(digest[:32]), int(stamp)
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            patch_vary_headers(not_modified, VARYING_HEADERS)
            return not_modified
        key = f"page:{digest}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            # A response that sets a cookie belongs to one visitor.
            if response.status_code == 200 and not response.cookies and not response.streaming:
                cache.set(key, response, PAGE_TIMEOUT)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        patch_vary_headers(response, VARYING_HEADERS)
        return response

    return wrapper
