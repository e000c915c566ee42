"""Which council answers at a host, remembered in each web process (docs/adr/0012).

Every request starts by resolving its Host header to a council. The answer changes only when a
council or one of its domains changes, which is rare; so each process keeps the answers it has read
in memory and forgets them all:

* at once, in the process that made the change (the ``post_save``/``post_delete`` signals below);
* within ``CHECK_SECONDS`` in every other process: a change also increments a generation number in
  the shared cache (Redis) once its transaction commits, and each process compares the generation
  it last saw with the shared one at most once per ``CHECK_SECONDS``.

So a suspended or closed council stops being served by every process within a second, and a
request costs no database round trip to find its council. An unknown host is not remembered (a
visitor could otherwise fill the memory with made-up names): it costs one query, as before.

Each request gets its own copy of the council, so nothing a request sets on it reaches another.
"""

import copy
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from tenants.models import Council, Domain
from tenants.selectors import council_for_host

CHECK_SECONDS = 1.0
GENERATION_KEY = "tenants:routing-generation"

_lock = threading.Lock()
_councils: dict[str, Council] = {}
_seen_generation: object = None
_checked_at = 0.0


def council_at(host: str) -> Council | None:
    """The council answering at ``host`` (configuring, live or suspended), or None; a copy of its own."""
    _forget_if_changed_elsewhere()
    council = _councils.get(host)
    if council is None:
        council = council_for_host(host)
        if council is None:
            return None
        with _lock:
            _councils[host] = council
    return copy.copy(council)


def routing_forget() -> None:
    """Forget every host this process has resolved (the next request of each reads the database)."""
    with _lock:
        _councils.clear()


def routing_changed() -> None:
    """A council or a domain changed: forget here now, and everywhere once the change is committed."""
    routing_forget()
    transaction.on_commit(_announce_change)


def _announce_change() -> None:
    routing_forget()
    with _in_public():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet
            cache.add(GENERATION_KEY, 1, timeout=None)


def _forget_if_changed_elsewhere() -> None:
    global _seen_generation, _checked_at
    now = time.monotonic()
    if now - _checked_at < CHECK_SECONDS:
        return
    with _in_public():
        generation = cache.get(GENERATION_KEY)
    with _lock:
        if generation != _seen_generation:
            _councils.clear()
            _seen_generation = generation
        _checked_at = now


def _in_public() -> AbstractContextManager[Any]:
    """Cache keys carry the current schema: the generation is the platform's, kept under ``public``."""
    return nullcontext() if connection.schema_name == "public" else schema_context("public")


@receiver(post_save, sender=Council)
@receiver(post_delete, sender=Council)
@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def _council_or_domain_changed(**kwargs: Any) -> None:
    routing_changed()
