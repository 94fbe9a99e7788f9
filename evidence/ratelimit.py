"""A fixed-window rate limit per client address, kept in the cache so every process shares it."""

from django.core.cache import cache


def client_address(request):
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
