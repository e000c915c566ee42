"""How many orders one client address may send: enough for a council, too few for a flood.

A fixed window per address in the cache (Redis in production, shared by every web process). Every
submission counts, valid or not, so that guessing at the form is limited too.
"""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _limit() -> int:
    return int(getattr(settings, "ORDER_SUBMISSIONS_PER_HOUR", 10))


def _key(ip_address: str | None) -> str:
    return f"order-submissions:{ip_address or 'unknown'}"


def order_submission_allowed(*, ip_address: str | None) -> bool:
    """Count one more submission from this address; False once it is over the hour's limit."""
    key = _key(ip_address)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: this is the window's first submission
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= _limit()
