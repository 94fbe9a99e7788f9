"""A fixed-window rate limit per client address, kept in the cache so every process shares it."""

from django.conf import settings
from django.core.cache import cache


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
    """Count one attempt; True when the address is still within its limit."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
