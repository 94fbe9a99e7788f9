"""A fixed-window rate limit per client address, kept in the cache so every process shares it."""

import logging

from django.conf import settings
from django.core.cache import cache

from nsx.cache import CACHE_ERRORS, Outage

logger = logging.getLogger(__name__)
# One warning while the cache is down, not a traceback an attempt (a flood is when the limit is wanted),
# and no attempt waits on it before its retry time.
outage = Outage(logger, without="rate limits are not applied", again="rate limits are applied again")


def client_address(request):
    """The visitor's address: behind NSX_PROXY_COUNT proxies, the one the farthest of them was sent from.

    Each proxy appends the address it was sent from to X-Forwarded-For; entries before those of the
    proxies we run came from the client and can be anything.
    """
    proxies = settings.NSX_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope, request, limit, window_seconds):
    """Count one attempt; True when the address is still within its limit.

    While the cache is unreachable, every attempt is let through: the limit holds back floods, which
    can be cleared up after, while refusing everyone would lose every real attempt.
    """
    if outage.waiting():
        return True
    key = f"ratelimit:{scope}:{client_address(request)}"
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except CACHE_ERRORS:
        outage.failed()
        return True
    outage.answered()
    return count <= limit
