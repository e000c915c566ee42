"""Resolve the council from the request's host, and nothing else.

* the platform's own host → the ``public`` schema and the platform URLconf;
* a host registered to a configuring or live council → that council's schema and the council URLconf;
* a host registered to a suspended council → a 503 page (JSON under /api/) saying so, on every path,
  answered here: no session is read and the council's schema is never switched to;
* anything else → a plain 404 page (existence of an ordered, provisioning or closed council is
  never revealed).

Why 503 for a suspended council: the GOV.UK "service unavailable" pattern, and what it means — the
site exists and will be back when the council's use resumes, it is not the visitor who lacks a
permission (a 403 would tell a signed-in practitioner their account is at fault, and would invite
them to sign in again). Caches and search engines do not keep a 503.

Headers such as ``X-Forwarded-Host`` are never consulted (``USE_X_FORWARDED_HOST = False``), nor any
parameter or body: ``request.get_host()`` reads the Host header, validated against ALLOWED_HOSTS.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django.utils import translation

from tenants.models import Council, CouncilStatus
from tenants.routing import council_at


class CouncilRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        try:
            host = request.get_host().rsplit(":", 1)[0].lower().rstrip(".")
        except DisallowedHost:
            return _not_found(request)

        request.council = None  # type: ignore[attr-defined]
        if host == settings.PLATFORM_DOMAIN:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
        else:
            council = council_at(host)
            if council is None:
                return _not_found(request)
            if council.status == CouncilStatus.SUSPENDED:
                return _suspended(request, council)
            council.domain_url = host
            request.council = council  # type: ignore[attr-defined]
            request.tenant = council  # type: ignore[attr-defined]  # what django-tenants' helpers read
            connection.set_tenant(council)
            request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            set_urlconf(None)
            connection.set_schema_to_public()


class CouncilLocaleMiddleware:
    """Speak the council's English: en-AU spelling and dates in Victoria, en-GB in England."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        council = getattr(request, "council", None)
        if council is None:
            return self.get_response(request)
        from django.utils import timezone

        with translation.override(council.locale), timezone.override(council.time_zone):
            request.LANGUAGE_CODE = council.locale  # type: ignore[attr-defined]
            return self.get_response(request)


def _not_found(request: HttpRequest) -> HttpResponse:
    body = render_to_string("404.html", {"service_name": "Patchwork", "request": None})
    return HttpResponseNotFound(body)


def suspended_message(council: Council) -> str:
    return (
        f"{council.name} has suspended its use of Patchwork. "
        "Contact your council's administrator if you need to know more or to reach the people working with a client."
    )


def _suspended(request: HttpRequest, council: Council) -> HttpResponse:
    """Only the council's name (from the platform's own table): no session, no schema, no user."""
    response = _suspended_response(request, council)
    # Expected, not a fault: Django would log every 5xx as an error (and alert on it). Marked as
    # already logged, which is what django.utils.log.log_response checks.
    response._has_been_logged = True  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"  # gone the moment the council is resumed
    return response


def _suspended_response(request: HttpRequest, council: Council) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": suspended_message(council)}, status=503)
    with translation.override(council.locale):
        context = {
            "council_name": council.name,
            "service_name": council.name,
            "brand_colour": council.brand_colour,
            "request": None,
        }
        body = render_to_string("suspended.html", context)
    return HttpResponse(body, status=503)
