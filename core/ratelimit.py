"""A small per-client rate limit for public forms (tracking lookups, agreement verification).

Counts in Django's cache: per process on a laptop, shared when production sets CACHE_REDIS_URL.
"""

from __future__ import annotations

from django.core.cache import cache


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def try_allowed(request, *, scope: str, limit: int, window: int) -> bool:
    """Count one try for this client in ``scope``; False once it has used ``limit`` tries within
    ``window`` seconds."""
    return bucket_allowed(f"{scope}:{client_address(request)}", limit=limit, window=window)


def bucket_allowed(bucket: str, *, limit: int, window: int) -> bool:
    """Count one try in ``bucket`` (any cache key: a client, an API key…); False once it has used
    ``limit`` tries within ``window`` seconds (a fixed window starting at its first try)."""
    cache.add(bucket, 0, timeout=window)
    try:
        tries = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window)
        tries = 1
    return tries <= limit
