"""``GET /healthz`` (liveness) and ``GET /readyz`` (readiness), answered before host resolution.

The load balancer probes each task by its IP over plain HTTP, so this runs first in the middleware
stack (before ALLOWED_HOSTS, the HTTPS redirect and council routing), whatever the Host header.

``/healthz`` says only that the process answers. It touches no database, cache or broker: a
database failover must not make the load balancer replace every web task, which would only add
cold starts to an outage the new tasks could not fix either.

``/readyz`` says whether this process can serve a page: the database answers a ``SELECT 1`` in the
public schema within a short statement timeout, and the cache takes a write. It names the
dependency that failed and nothing about any council.
"""

import logging
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# A readiness probe that waits longer than the load balancer's own timeout tells it nothing.
READY_STATEMENT_TIMEOUT_MS = 2000
READY_CACHE_KEY = "readyz"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in (HEALTH_PATH, READY_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD", "Cache-Control": "no-store"})
        if request.path == HEALTH_PATH:
            return _plain("ok\n", status=200)
        failures = [name for name, check in (("database", _database_ready), ("cache", _cache_ready)) if not check()]
        if failures:
            return _plain("".join(f"{name} unavailable\n" for name in failures), status=503)
        return _plain("ready\n", status=200)


def _database_ready() -> bool:
    try:
        connection.set_schema_to_public()
        with transaction.atomic(), connection.cursor() as cursor:
            # Local to this transaction: a pooled connection goes back with its usual timeout.
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(READY_STATEMENT_TIMEOUT_MS)])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure at all means not ready; the class name is enough to go on
        logger.warning("Readiness: the database is unavailable (%s)", type(exc).__name__)
        return False
    return True


def _cache_ready() -> bool:
    try:
        # A write, not a read: a cache that fails over to a read-only replica is not ready either.
        caches["default"].set(READY_CACHE_KEY, "1", timeout=60)
    except Exception as exc:  # as above
        logger.warning("Readiness: the cache is unavailable (%s)", type(exc).__name__)
        return False
    return True


def _plain(body: str, *, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain", headers={"Cache-Control": "no-store"})
