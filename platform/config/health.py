"""``GET /healthz`` for the load balancer: answered before host resolution, whatever the Host header.

The load balancer probes each task by its IP over plain HTTP, so this runs first in the middleware
stack (before ALLOWED_HOSTS, the HTTPS redirect and council routing). It says only whether the
process can reach its database; it reveals nothing about any council.
"""

from collections.abc import Callable

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        try:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return _plain("database unavailable\n", status=503)
        return _plain("ok\n", status=200)


def _plain(body: str, *, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain", headers={"Cache-Control": "no-store"})
